"""The dashboard tab of the Reports area: headline numbers, the matrix and RFM with their change
since a month earlier, contacts per week and per month, outcomes, staff work, complaints,
owners drifting away and consent coverage. A click on a cell or bar opens its customers as a
segment (`open_segment`)."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from services.reports.figures import Dashboard, Figure
from services.segments import templates as tpl
from ui.labels import label, language
from ui.views.customer_page import fill_table, make_table
from ui.widgets_charts import BarChart, HeatGrid, TrendChart


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else QLocale().toString(value * 100, "f", digits) + "%"


def change_text(change: int | None) -> str:
    if change is None:
        return ""
    return f"+{change}" if change > 0 else ("±0" if change == 0 else str(change))


def name_of(fig: Figure) -> str:
    return fig.label_zh if language() == "zh" else fig.label_en


class DashboardTab(QWidget):
    open_segment = Signal(object, str)  # a segment filter (dict) and a name for it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: Dashboard | None = None
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 14px;")
        self.matrix = HeatGrid(self.tr("Owners by replacement-matrix cell (vehicles; change "
                                       "since a month earlier)"))
        self.rfm = BarChart(self.tr("Customers by RFM class"), horizontal=True)
        self.weekly = BarChart(self.tr("Contacts per week by channel"), stacked=True)
        self.weekly_staff = BarChart(self.tr("Contacts per week by staff"), stacked=True)
        self.monthly = TrendChart(self.tr("Per month"))
        self.outcomes = BarChart(self.tr("Outcome mix"), horizontal=True)
        self.complaints = BarChart(self.tr("Open complaints by age (days)"))
        self.drift12 = HeatGrid(self.tr("No service visit in 12 months (vehicles)"))
        self.drift18 = HeatGrid(self.tr("No service visit in 18 months (vehicles)"))
        self.coverage = BarChart(self.tr("Consent and do-not-contact (customers)"),
                                 horizontal=True)
        self.staff = make_table([
            self.tr("Staff"), self.tr("Contacts"), self.tr("Attempts"), self.tr("Reach rate"),
            self.tr("Appointments"), self.tr("Kept"), self.tr("Follow-ups due"),
            self.tr("Overdue")])
        self.matrix.clicked.connect(self._on_matrix_clicked)
        self.drift12.clicked.connect(lambda i, _s: self._on_drift_clicked(12, i))
        self.drift18.clicked.connect(lambda i, _s: self._on_drift_clicked(18, i))
        self.rfm.clicked.connect(lambda i, _s: self._open("rfm", i))
        self.coverage.clicked.connect(lambda i, _s: self._open("coverage", i + 1))
        self.complaints.clicked.connect(lambda _i, _s: self._open_key("complaints", "customers"))
        body = QWidget()
        grid = QGridLayout(body)
        grid.addWidget(self.headline, 0, 0, 1, 2)
        charts = [(self.matrix, self.rfm), (self.weekly, self.monthly),
                  (self.outcomes, self.weekly_staff), (self.drift12, self.drift18),
                  (self.complaints, self.coverage)]
        for r, (left, right) in enumerate(charts, start=1):
            for c, chart in enumerate((left, right)):
                chart.setMinimumHeight(220)
                grid.addWidget(chart, r, c)
        grid.addWidget(QLabel(self.tr("Work per staff member")), len(charts) + 1, 0, 1, 2)
        grid.addWidget(self.staff, len(charts) + 2, 0, 1, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # --- filling ---------------------------------------------------------------------------
    def show_dashboard(self, d: Dashboard) -> None:
        self.data = d
        loc = QLocale()
        pending = "…"
        follow_due = loc.toString(sum(w.follow_ups_due for w in d.staff_work))
        overdue = loc.toString(sum(w.follow_ups_overdue for w in d.staff_work))
        if not d.complete:
            follow_due = overdue = pending
        coverage = {f.key: f.value for f in d.coverage}
        consent = coverage["consent"] / coverage["customers"] if coverage["customers"] else None
        self.headline.setText(
            self.tr("%1 contacts, reach rate %2 · appointments %3 made, %4 kept · follow-ups "
                    "%5 due, %6 overdue · open complaints %7 (oldest %8 days) · marketing "
                    "consent %9")
            .replace("%1", loc.toString(d.contacts)).replace("%2", percent(d.reach_rate))
            .replace("%3", loc.toString(d.appointments)).replace("%4", loc.toString(d.kept))
            .replace("%5", follow_due).replace("%6", overdue)
            .replace("%7", loc.toString(d.complaints[0].value))
            .replace("%8", loc.toString(d.oldest_complaint_days or 0))
            .replace("%9", percent(consent))
        )
        self._grid(self.matrix, d.matrix, "")
        if d.drift:
            self._grid(self.drift12, d.drift, "12/")
            self._grid(self.drift18, d.drift, "18/")
        else:
            for grid in (self.drift12, self.drift18):
                grid.set_grid([], [], [])
        rfm_series = [(self.tr("Now"), [f.value for f in d.rfm])]
        if d.complete:
            rfm_series.append((self.tr("A month earlier"), [f.previous or 0 for f in d.rfm]))
        self.rfm.set_data([name_of(f) for f in d.rfm], rfm_series)
        weeks = [w.strftime("%m-%d") for w in d.weeks]
        self.weekly.set_data(weeks, self._by_sub(d.per_week_channel, d.weeks, "channel"))
        self.weekly_staff.set_data(weeks, self._by_sub(d.per_week_staff, d.weeks, None))
        months = [m.strftime("%Y-%m") for m in d.months]
        monthly = {(c.key, c.sub): c.value for c in d.per_month}
        self.monthly.set_data(months, [
            (name, [monthly[(m.isoformat(), key)] for m in d.months])
            for key, name in (("contacts", self.tr("Contacts")), ("reached", self.tr("Reached")),
                              ("appointments", self.tr("Appointments")))])
        totals = d.outcome_totals()
        self.outcomes.set_data([label("outcome", o) for o in totals],
                               [(self.tr("Contacts"), list(totals.values()))])
        ages = d.complaints[2:]
        self.complaints.set_data([f.key for f in ages],
                                 [(self.tr("Complaints"), [f.value for f in ages])])
        cov = d.coverage[1:]
        self.coverage.set_data([name_of(f) for f in cov],
                               [(self.tr("Customers"), [f.value for f in cov])])
        fill_table(self.staff, [
            [w.staff or self.tr("(automatic SMS)"), w.contacts, w.attempts,
             percent(w.reach_rate), w.appointments, w.kept,
             w.follow_ups_due if d.complete else pending,
             w.follow_ups_overdue if d.complete else pending] for w in d.staff_work])
        self.staff.setFixedHeight(self.staff.horizontalHeader().height() + 4
                                  + 24 * max(self.staff.rowCount(), 1))

    def _grid(self, chart: HeatGrid, figures: tuple[Figure, ...], prefix: str) -> None:
        values, notes = [], []
        for yb in tpl.YEAR_BANDS:
            row = [next(f for f in figures if f.key == f"{prefix}{yb}/{sb}")
                   for sb in tpl.MATRIX_SAT_BANDS]
            values.append([f.value for f in row])
            notes.append([change_text(f.change) for f in row])
        chart.set_grid([self.tr("%1 years").replace("%1", yb) for yb in tpl.YEAR_BANDS],
                       [label("satisfaction_band", sb) for sb in tpl.MATRIX_SAT_BANDS],
                       values, notes)

    def _by_sub(self, counts, weeks, kind: str | None) -> list[tuple[str, list[float]]]:
        subs = list(dict.fromkeys(c.sub for c in counts))
        got = {(c.key, c.sub): c.value for c in counts}
        return [
            (label(kind, sub) if kind else (sub or self.tr("(automatic SMS)")),
             [got.get((w.isoformat(), sub), 0) for w in weeks])
            for sub in subs
        ]

    # --- clicking through ------------------------------------------------------------------
    def _open(self, group: str, index: int) -> None:
        if self.data is None:
            return
        figures = getattr(self.data, group)
        if 0 <= index < len(figures) and figures[index].filter is not None:
            self.open_segment.emit(figures[index].filter, name_of(figures[index]))

    def _open_key(self, group: str, key: str) -> None:
        if self.data is not None:
            fig = self.data.figure(group, key)
            self.open_segment.emit(fig.filter, name_of(fig))

    def _cell_key(self, index: int) -> str:
        cols = len(tpl.MATRIX_SAT_BANDS)
        return f"{tpl.YEAR_BANDS[index // cols]}/{tpl.MATRIX_SAT_BANDS[index % cols]}"

    def _on_matrix_clicked(self, index: int, _series: int) -> None:
        self._open_key("matrix", self._cell_key(index))

    def _on_drift_clicked(self, months: int, index: int) -> None:
        self._open_key("drift", f"{months}/{self._cell_key(index)}")
