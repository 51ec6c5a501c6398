"""The dashboard tab of the Reports area: headline numbers, the matrix and RFM with their change
since a month earlier, contacts per week and per month, outcomes, reach, staff work, complaints,
owners drifting away and consent coverage. A click on a cell, bar, point, number in the headline
or in the staff table opens its customers as a segment (`open_segment`); a contact figure counts
contacts, so its tooltip says how many customers it opens."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from services.reports import behind, dashboard
from services.reports.figures import Dashboard, Figure
from services.segments import templates as tpl
from ui.labels import label, language
from ui.views.customer_page import fill_table, make_table
from ui.widgets_charts import BarChart, Chart, HeatGrid, TrendChart

# The staff table's columns that open customers, by column index.
STAFF_COLUMNS = {1: "contacts", 2: "attempts", 3: "reached", 4: "appointments", 5: "kept",
                 6: "due", 7: "overdue"}
# The monthly trend's series, in the order drawn.
MONTH_SERIES = ("contacts", "reached", "appointments")


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else QLocale().toString(value * 100, "f", digits) + "%"


def points(diff: float | None) -> str:
    """A difference of two rates in percentage points, signed (+11.4 个百分点 in Chinese, not
    +11.4%), as the effect and targets tabs and the printed report say it."""
    if diff is None:
        return "—"
    text = QLocale().toString(diff * 100, "f", 1)
    return QCoreApplication.translate("reports", "%1 pt").replace(
        "%1", ("+" if diff > 0 else "") + text)


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
        # What each chart's bars stand for, as filled: channel codes, staff ids, outcomes.
        self._week_channels: list[str] = []
        self._week_staff: list[int | None] = []
        self._outcomes: list[str] = []
        self._reach_channels: list[str] = []
        self._people: list[int | None] = []
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 14px;")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                              | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.headline.linkActivated.connect(self._on_headline_link)
        self.matrix = HeatGrid(self.tr("Owners by replacement-matrix cell (vehicles; change "
                                       "since a month earlier)"))
        self.rfm = BarChart(self.tr("Customers by RFM class"), horizontal=True)
        self.weekly = BarChart(self.tr("Contacts per week by channel"), stacked=True)
        self.weekly_staff = BarChart(self.tr("Contacts per week by staff"), stacked=True)
        self.monthly = TrendChart(self.tr("Per month"))
        self.outcomes = BarChart(self.tr("Outcome mix"), horizontal=True)
        self.reach = BarChart(self.tr("Reach by channel (attempts, reached, rate)"))
        self.reach_staff = BarChart(self.tr("Reach per staff member (attempts, reached, rate)"))
        self.appointments = BarChart(self.tr("Appointments made and kept per staff member"))
        self.follow_ups = BarChart(self.tr("Follow-ups due in the period, and customers "
                                           "overdue at its end, per staff member"))
        # Per customer, by their oldest open complaint: a bar opens as its customers.
        self.complaints = BarChart(self.tr("Customers by the age of their oldest open "
                                           "complaint (days)"))
        self.drift12 = HeatGrid(self.tr("No service visit in 12 months (vehicles)"))
        self.drift18 = HeatGrid(self.tr("No service visit in 18 months (vehicles)"))
        self.coverage = BarChart(self.tr("Consent and do-not-contact (customers)"),
                                 horizontal=True)
        self.staff = make_table([
            self.tr("Staff"), self.tr("Contacts"), self.tr("Attempts"), self.tr("Reach rate"),
            self.tr("Appointments"), self.tr("Kept"), self.tr("Follow-ups due in the period"),
            self.tr("Overdue at the end (customers)")])
        self.matrix.clicked.connect(self._on_matrix_clicked)
        self.drift12.clicked.connect(lambda i, _s: self._on_drift_clicked(12, i))
        self.drift18.clicked.connect(lambda i, _s: self._on_drift_clicked(18, i))
        self.rfm.clicked.connect(lambda i, _s: self._open("rfm", i))
        self.coverage.clicked.connect(lambda i, _s: self._open("coverage", i + 1))
        self.complaints.clicked.connect(lambda i, _s: self._open("complaints", i + 2))
        self._contact_charts: list[Chart] = [
            self.weekly, self.weekly_staff, self.monthly, self.outcomes, self.reach,
            self.reach_staff, self.appointments, self.follow_ups]
        for chart in self._contact_charts:
            chart.clicked.connect(lambda i, s, c=chart: self._open_behind(self._key(c, i, s)))
        self.staff.cellClicked.connect(self._on_staff_clicked)
        body = QWidget()
        grid = QGridLayout(body)
        grid.addWidget(self.headline, 0, 0, 1, 2)
        charts = [(self.matrix, self.rfm), (self.weekly, self.monthly),
                  (self.outcomes, self.weekly_staff), (self.reach, self.reach_staff),
                  (self.appointments, self.follow_ups), (self.drift12, self.drift18),
                  (self.complaints, self.coverage)]
        for r, (left, right) in enumerate(charts, start=1):
            for c, chart in enumerate((left, right)):
                chart.setMinimumHeight(220)
                grid.addWidget(chart, r, c)
        grid.addWidget(QLabel(self.tr("Work per staff member (click a number for its "
                                      "customers)")), len(charts) + 1, 0, 1, 2)
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
        self._headline(d)
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
        self._week_channels = list(dict.fromkeys(c.sub for c in d.per_week_channel))
        self.weekly.set_data(weeks, self._per_week(
            d.per_week_channel, d.weeks, lambda c: c.sub,
            [(c, label("channel", c)) for c in self._week_channels]))
        self._week_staff = list(dict.fromkeys(c.staff_id for c in d.per_week_staff))
        names = {c.staff_id: c.sub for c in d.per_week_staff}
        self.weekly_staff.set_data(weeks, self._per_week(
            d.per_week_staff, d.weeks, lambda c: c.staff_id,
            [(sid, names[sid] or self.tr("(no staff recorded)")) for sid in self._week_staff]))
        months = [m.strftime("%Y-%m") for m in d.months]
        monthly = {(c.key, c.sub): c.value for c in d.per_month}
        self.monthly.set_data(months, [
            (name, [monthly[(m.isoformat(), key)] for m in d.months])
            for key, name in zip(MONTH_SERIES, (self.tr("Contacts"), self.tr("Reached"),
                                                self.tr("Appointments")), strict=True)])
        self.monthly.set_unfinished(self._month_so_far(d))
        totals = d.outcome_totals()
        self._outcomes = list(totals)
        self.outcomes.set_data([label("outcome", o) for o in totals],
                               [(self.tr("Contacts"), list(totals.values()))])
        self._reach_charts(d)
        ages = d.complaints[2:]
        self.complaints.set_data([f.key for f in ages],
                                 [(self.tr("Customers"), [f.value for f in ages])])
        self.complaints.set_tips({
            (i, 0): self.tr("%n customer(s) whose oldest open complaint is %1 days old; click "
                            "to open them", "", f.value).replace("%1", f.key)
            for i, f in enumerate(ages)})
        cov = d.coverage[1:]
        self.coverage.set_data([name_of(f) for f in cov],
                               [(self.tr("Customers"), [f.value for f in cov])])
        self._staff_table(d)
        for chart in self._contact_charts:
            self._customers_tips(chart)

    def _month_so_far(self, d: Dashboard) -> str:
        """What the monthly trend's last month covers when the period ends inside it: 12月仅前
        6 天 / Dec: first 6 days only ("" for a whole month)."""
        days = dashboard.month_so_far(d.end)
        if days is None:
            return ""
        month = QLocale().monthName(d.end.month, QLocale.FormatType.ShortFormat)
        return self.tr("%1: first %n day(s) only", "", days).replace("%1", month)

    def _headline(self, d: Dashboard) -> None:
        loc = QLocale()

        def link(key: str, shown: str) -> str:
            return f'<a href="{key}">{html.escape(shown)}</a>'

        pending = "…"
        due, overdue = pending, pending
        if d.complete:
            # Not a link: no segment on one date holds the follow-ups due in a period
            # (behind.NOT_OPENED).
            due = html.escape(loc.toString(sum(w.follow_ups_due for w in d.staff_work)))
            overdue = link(behind.total("overdue"),
                           loc.toString(sum(w.follow_ups_overdue for w in d.staff_work)))
        coverage = {f.key: f.value for f in d.coverage}
        consent = coverage["consent"] / coverage["customers"] if coverage["customers"] else None
        text = html.escape(
            self.tr("%1 contacts, reach rate %2 · appointments %3 made, %4 kept · %5 follow-ups "
                    "due in the period · at its end: %6 customers with a follow-up overdue, "
                    "%7 open complaints of %8 customers (the oldest %9 days) · marketing "
                    "consent %10"))
        # The highest marker first, so "%1" does not take the start of "%10".
        for marker, shown in reversed((
            ("%1", link(behind.total("contacts"), loc.toString(d.contacts))),
            ("%2", link(behind.total("reached"), percent(d.reach_rate))),
            ("%3", link(behind.total("appointments"), loc.toString(d.appointments))),
            ("%4", link(behind.total("kept"), loc.toString(d.kept))),
            ("%5", due), ("%6", overdue),
            ("%7", html.escape(loc.toString(d.figure("complaints", "open").value))),
            # Customers, as the link opens them (one may have several open complaints).
            ("%8", link("complaints/customers",
                        loc.toString(d.figure("complaints", "customers").value))),
            ("%9", html.escape(loc.toString(d.oldest_complaint_days or 0))),
            ("%10", link("coverage/consent", percent(consent))),
        )):
            text = text.replace(marker, shown)
        self.headline.setText(text)

    def _reach_charts(self, d: Dashboard) -> None:
        """Reach, appointments and follow-ups per channel and person. Channels and people
        with no attempts are left out: one-way messages reach nobody to talk to."""
        shown = [r for r in d.reach_by_channel if r.attempts]
        self._reach_channels = [r.key for r in shown]
        self.reach.set_data([f"{label('channel', r.key)}\n{percent(r.rate)}" for r in shown],
                            [(self.tr("Attempts"), [r.attempts for r in shown]),
                             (self.tr("Reached"), [r.reached for r in shown])])
        people = [w for w in d.staff_work if w.staff_id is not None]
        self._people = [w.staff_id for w in people]
        names = [w.staff for w in people]
        self.reach_staff.set_data([f"{w.staff}\n{percent(w.reach_rate)}" for w in people],
                                  [(self.tr("Attempts"), [w.attempts for w in people]),
                                   (self.tr("Reached"), [w.reached for w in people])])
        self.appointments.set_data(names, [
            (self.tr("Appointments made"), [w.appointments for w in people]),
            (self.tr("Kept"), [w.kept for w in people])])
        self.follow_ups.set_data(names, [
            (self.tr("Follow-ups due"), [w.follow_ups_due for w in people]),
            (self.tr("Overdue"), [w.follow_ups_overdue for w in people])] if d.complete else [])

    def _staff_table(self, d: Dashboard) -> None:
        pending = "…"
        fill_table(self.staff, [
            [w.staff or self.tr("(no staff recorded)"), w.contacts, w.attempts,
             percent(w.reach_rate), w.appointments, w.kept,
             w.follow_ups_due if d.complete else pending,
             w.follow_ups_overdue if d.complete else pending] for w in d.staff_work])
        for row, w in enumerate(d.staff_work):
            for column, name in STAFF_COLUMNS.items():
                opened = behind.opens(d, behind.staff(w.staff_id, name))
                item = self.staff.item(row, column)
                if opened is not None and opened.customers is not None and item is not None:
                    item.setToolTip(self._customers_text(opened.customers))
        self.staff.setFixedHeight(self.staff.horizontalHeader().height() + 4
                                  + 24 * max(self.staff.rowCount(), 1))

    def _customers_text(self, n: int) -> str:
        return self.tr("%n customer(s) behind it; click to open them", "", n)

    def _customers_tips(self, chart: Chart) -> None:
        tips = {}
        if self.data is not None and self.data.behind:
            for s in range(len(chart.series)):
                for i in range(len(chart.labels)):
                    n = self.data.behind.get(self._key(chart, i, s) or "")
                    if n is not None:
                        tips[(i, s)] = self.tr("%n customer(s)", "", n)
        chart.set_tips(tips)

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

    @staticmethod
    def _per_week(counts, weeks, by, subs) -> list[tuple[str, list[float]]]:
        """One series per (sub, name) of `subs`; `by` gives a count's sub (channel, staff id)."""
        got = {(c.key, by(c)): c.value for c in counts}
        return [(name, [got.get((w.isoformat(), sub), 0) for w in weeks]) for sub, name in subs]

    # --- clicking through ------------------------------------------------------------------
    def _key(self, chart: Chart, index: int, series: int) -> str | None:
        """The contact figure (services/reports/behind.py key) of a bar or point."""
        d = self.data
        if d is None or index < 0 or series < 0:
            return None
        try:
            if chart is self.weekly:
                return behind.week_channel(d.weeks[index], self._week_channels[series])
            if chart is self.weekly_staff:
                return behind.week_staff(d.weeks[index], self._week_staff[series])
            if chart is self.monthly:
                return behind.month(d.months[index], MONTH_SERIES[series])
            if chart is self.outcomes:
                return behind.outcome(self._outcomes[index])
            if chart is self.reach:
                return behind.channel(self._reach_channels[index],
                                      ("attempts", "reached")[series])
            if chart is self.reach_staff:
                return behind.staff(self._people[index], ("attempts", "reached")[series])
            if chart is self.appointments:
                return behind.staff(self._people[index], ("appointments", "kept")[series])
            if chart is self.follow_ups:
                return behind.staff(self._people[index], ("due", "overdue")[series])
        except IndexError:
            return None
        return None

    def _open_behind(self, key: str | None) -> None:
        opened = behind.opens(self.data, key) if self.data is not None and key else None
        if opened is not None:
            self.open_segment.emit(opened.filter,
                                   opened.label_zh if language() == "zh" else opened.label_en)

    def _on_headline_link(self, key: str) -> None:
        group, _, name = key.partition("/")
        if group in ("complaints", "coverage"):
            self._open_key(group, name)
        else:
            self._open_behind(key)

    def _on_staff_clicked(self, row: int, column: int) -> None:
        if self.data is None or column not in STAFF_COLUMNS:
            return
        if 0 <= row < len(self.data.staff_work):
            self._open_behind(behind.staff(self.data.staff_work[row].staff_id,
                                           STAFF_COLUMNS[column]))

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
