"""The "Targets" tab: each person's KPI targets (contact attempts, appointments made and
appointments kept per week, reach rate) beside the period's actuals and the gap. A supervisor
edits the targets here; 0 means "no target". Saving goes through the runner like every
write."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.reports.kpi import KpiRow, Target, Targets
from ui.views.customer_page import make_table
from ui.views.report_dashboard import percent, points
from ui.widgets import NotUsedAsStored
from ui.widgets_charts import BarChart

COL_STAFF, COL_CALLS_T, COL_REACH_T, COL_APPT_T, COL_KEPT_T = 0, 1, 2, 3, 4
TARGET_COLUMNS = (COL_CALLS_T, COL_REACH_T, COL_APPT_T, COL_KEPT_T)


class TargetsTab(QWidget):
    save_requested = Signal(object, object, int)  # default Target, {staff id: Target}, version

    def __init__(self, can_edit: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.can_edit = can_edit
        self.rows: tuple[KpiRow, ...] = ()
        self.targets: Targets | None = None
        self.table = make_table([
            self.tr("Staff"), self.tr("Calls / week"), self.tr("Reach rate %"),
            self.tr("Appointments / week"), self.tr("Kept / week"), self.tr("Attempts"),
            self.tr("Gap"), self.tr("Reach rate"), self.tr("Gap"), self.tr("Appointments"),
            self.tr("Gap"), self.tr("Kept"), self.tr("Gap")])
        self.table.horizontalHeaderItem(COL_KEPT_T).setToolTip(self.tr(
            "Appointments kept: the customer came in for the appointment"))
        self.chart = BarChart(self.tr("Attempts against target in the period"))
        self.save = QPushButton(self.tr("Save targets"))
        self.save.setEnabled(False)
        self.save.clicked.connect(self._on_save_clicked)
        hint = QLabel(self.tr("Targets per week, scaled to the period; — (typed as 0) means no "
                              "target. Only a supervisor can change them.") if not can_edit else
                      self.tr("Targets per week, scaled to the period; — (typed as 0) means no "
                              "target. The first row is every caller's default; a supervisor has "
                              "targets only when given their own."))
        hint.setWordWrap(True)
        # The stored targets not used as stored (written by SQL or an older copy), a sentence
        # each: which and that no target is used instead.
        self.not_valid = NotUsedAsStored()
        bar = QHBoxLayout()
        bar.addWidget(hint, 1)
        bar.addWidget(self.save)
        self.save.setVisible(can_edit)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.not_valid)
        layout.addWidget(split, 1)

    def _spin(self, value: float | None, maximum: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(0, maximum)
        box.setSpecialValueText("—")
        box.setValue(int(round(value)) if value else 0)
        box.setReadOnly(not self.can_edit)
        box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons if not self.can_edit
                             else QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        box.valueChanged.connect(lambda _v: self.save.setEnabled(self.can_edit))
        return box

    def show_kpi(self, targets: Targets, rows: tuple[KpiRow, ...]) -> None:
        self.targets, self.rows = targets, rows
        self.not_valid.say(targets.not_valid)
        loc = QLocale()
        self.table.setRowCount(len(rows) + 1)
        people: list[tuple[str, Target, KpiRow | None]] = [
            (self.tr("Default (callers)"), targets.default, None)]
        people += [(r.staff, dict(targets.staff).get(r.staff_id, Target()), r) for r in rows]
        for i, (name, target, row) in enumerate(people):
            self.table.setItem(i, COL_STAFF, QTableWidgetItem(name))
            self.table.setCellWidget(i, COL_CALLS_T, self._spin(target.calls_per_week, 10000))
            self.table.setCellWidget(i, COL_REACH_T, self._spin(
                None if target.reach_rate is None else target.reach_rate * 100, 100))
            self.table.setCellWidget(i, COL_APPT_T, self._spin(target.appointments_per_week,
                                                               10000))
            self.table.setCellWidget(i, COL_KEPT_T, self._spin(target.kept_per_week, 10000))
            values = [""] * 8
            if row is not None:
                values = [loc.toString(row.attempts), _gap(row.calls_gap),
                          percent(row.reach_rate), points(row.reach_gap),
                          loc.toString(row.appointments), _gap(row.appointments_gap),
                          loc.toString(row.kept), _gap(row.kept_gap)]
            for c, v in enumerate(values, start=COL_KEPT_T + 1):
                item = QTableWidgetItem(v)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if v.startswith("-"):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(i, c, item)
        self.table.resizeColumnsToContents()
        self.chart.set_data([r.staff for r in rows], [
            (self.tr("Attempts"), [r.attempts for r in rows]),
            (self.tr("Target"), [r.calls_target or 0 for r in rows])])
        self.save.setEnabled(False)

    def edited(self) -> tuple[Target, dict[int, Target]]:
        """The targets as edited: the default (first row) and each person's own."""
        def target(row: int) -> Target:
            calls, reach, appts, kept = (self.table.cellWidget(row, c).value()
                                         for c in TARGET_COLUMNS)
            return Target(calls or None, reach / 100 if reach else None, appts or None,
                          kept or None)

        mine = {r.staff_id: target(i + 1) for i, r in enumerate(self.rows)}
        return target(0), {k: t for k, t in mine.items() if t != Target()}

    def _on_save_clicked(self) -> None:
        if self.targets is not None:
            default, mine = self.edited()
            self.save_requested.emit(default, mine, self.targets.version)


def _gap(value: float | None) -> str:
    """A count's gap to its target, signed, whole when it is."""
    if value is None:
        return "—"
    text = QLocale().toString(value, "f", 0 if float(value).is_integer() else 1)
    return ("+" + text) if value > 0 else text
