"""The "Effect of contact" tab: the list runs of the period, and for the chosen run its
contacted members (all, then per staff member) against the comparison group, with counts, rates,
the difference and a plain note when the groups are too small to compare."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from services.lists.shown import segment_in
from services.reports import effect
from services.reports.effect import EffectRow, GroupOutcome, RunEffect
from ui.labels import day_text, language
from ui.views.customer_page import fill_table, make_table
from ui.views.report_dashboard import percent, points
from ui.widgets_charts import BarChart

# The measures shown, in order: (window, measure).
SHOWN = tuple((w, m) for m in effect.MEASURES for w in effect.WINDOWS)


class EffectTab(QWidget):
    comparison_changed = Signal()
    # The week of this date asked for: the latest run's, when the period shown has none.
    week_wanted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.effects: tuple[RunEffect, ...] = ()
        self.staff: int | None = None  # whose contacts alone are shown
        self.comparison = QComboBox()
        self.comparison.addItem(self.tr("Excluded members of the run"), "excluded")
        self.comparison.addItem(self.tr("Same segment, left out of the run"), "left_out")
        self.comparison.currentIndexChanged.connect(lambda _i: self.comparison_changed.emit())
        self.runs = make_table([
            self.tr("Run date"), self.tr("Segment"), self.tr("Members"), self.tr("Contacted"),
            self.tr("Comparison"), self.tr("Came back in 90 days"), self.tr("Difference")])
        self.runs.currentCellChanged.connect(lambda row, *_: self._on_run_selected(row))
        self.detail = make_table([self.tr("Group"), self.tr("People")]
                                 + [self._measure_name(w, m) for w, m in SHOWN])
        self.chart = BarChart(self.tr("Contacted against comparison (rate, %)"))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.latest: dt.date | None = None
        self.to_latest = QPushButton(self.tr("Show the week of the latest run"))
        self.to_latest.clicked.connect(lambda: self.week_wanted.emit(self.latest))
        self.to_latest.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Compare with:")))
        top.addWidget(self.comparison)
        top.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail, 1)
        lower_layout.addWidget(self.note)
        lower_layout.addWidget(self.to_latest, 0, Qt.AlignmentFlag.AlignLeft)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.runs)
        row = QSplitter(Qt.Orientation.Horizontal)
        row.addWidget(lower)
        row.addWidget(self.chart)
        row.setStretchFactor(0, 3)
        row.setStretchFactor(1, 2)
        split.addWidget(row)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def _measure_name(self, window: int, measure: str) -> str:
        names = {"came_back": self.tr("Came back"), "spent": self.tr("Spent"),
                 "bought": self.tr("Bought a car")}
        return self.tr("%1, %2 days").replace("%1", names[measure]).replace("%2", str(window))

    @property
    def comparison_kind(self) -> str:
        return self.comparison.currentData()

    def show_effects(self, effects: tuple[RunEffect, ...], staff: int | None = None,
                     latest: dt.date | None = None, period: tuple[dt.date, dt.date] | None = None
                     ) -> None:
        """The runs; with `staff` (an account id) each run's rows of that person only. With
        none to show, `latest` (the date of the latest finished run) and `period` (the dates
        asked for) say where the runs are."""
        self.effects = effects
        self.staff = staff
        self.latest = latest
        elsewhere = (not effects and latest is not None and period is not None
                     and not period[0] <= latest <= period[1])
        self.to_latest.setVisible(elsewhere)
        rows = []
        lang = language()
        for e in effects:
            o = e.overall
            diff = o.difference(90, "came_back")
            rows.append([e.as_of, segment_in(e.segment_name, lang), e.members, o.contacted.size,
                         o.comparison.size, percent(o.contacted.rate(90, "came_back")),
                         points(diff)])
        fill_table(self.runs, rows)
        if effects:
            self.runs.selectRow(0)
            self._on_run_selected(0)
        else:
            fill_table(self.detail, [])
            self.chart.set_data([], [])
            self.note.setText(self._none_shown(staff, latest, elsewhere))

    def _none_shown(self, staff: int | None, latest: dt.date | None, elsewhere: bool) -> str:
        if latest is None:
            return self.tr("No list run has been finished yet. A run's effect shows here once "
                           "its files are written, in the week of its date.")
        if elsewhere:
            return self.tr("No finished list run has its date in this period. The latest is "
                           "dated %1.").replace("%1", day_text(latest))
        if staff is not None:
            return self.tr("The person chosen made no contact for the list runs of this period.")
        return self.tr("No finished list run has its date in this period.")

    def _on_run_selected(self, row: int) -> None:
        if not 0 <= row < len(self.effects):
            return
        e = self.effects[row]
        base = e.overall.comparison
        rows = [self._row(self.tr("Comparison group"), base, None)]
        for r in e.rows_for(self.staff):
            who = (self.tr("All contacted") if r.key == "all"
                   else r.key or self.tr("(no staff recorded)"))
            rows.append(self._row(who, r.contacted, r))
        fill_table(self.detail, rows)
        self.chart.set_data([self._measure_name(w, m).replace(", ", "\n").replace("，", "\n")
                             for w, m in SHOWN], [
            (self.tr("Contacted"), [100 * (e.overall.contacted.rate(w, m) or 0) for w, m in SHOWN]),
            (self.tr("Comparison"), [100 * (base.rate(w, m) or 0) for w, m in SHOWN])])
        notes = []
        if e.overall.too_small:
            notes.append(self.tr("The groups are too small to compare (under %1 people in "
                                 "one of them): the difference cannot be trusted.")
                         .replace("%1", str(effect.MIN_GROUP)))
        missing = [str(w) for w in effect.WINDOWS if w not in e.complete_windows]
        if missing:
            notes.append(self.tr("Not over yet: the %1-day window; later visits and purchases "
                                 "will still count.").replace("%1", "/".join(missing)))
        if e.comparison == "excluded":
            notes.append(self.tr("Excluded members were left out for a reason (a refusal, no "
                                 "consent, a recent contact, a complaint), so the difference "
                                 "is a hint, not a proof."))
        notes.append(self.tr("%1 members of the run were not contacted and are in neither "
                             "group.").replace("%1", QLocale().toString(e.not_contacted)))
        self.note.setText(" ".join(notes))

    def _row(self, who: str, group: GroupOutcome, row: EffectRow | None) -> list[object]:
        cells: list[object] = [who, group.size]
        for w, m in SHOWN:
            text = f"{percent(group.rate(w, m))} ({group.count(w, m)})"
            diff = row.difference(w, m) if row is not None else None
            if diff is not None:
                text += f" {points(diff)}"
            cells.append(text)
        return cells
