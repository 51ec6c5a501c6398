"""A workbook of one sheet per month, after one of its sheets was imported: the other sheets
with its columns imported at once, one after another, each its own batch (SheetChain), and
the sheets imported from the workbook so far, each one's result a click away (SheetsDone)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QVBoxLayout, QWidget

from services.imports.plan import ImportOptions, ImportPlan
from services.imports.sheets import AlikeSheet
from ui.views.customer_page import fill_table, make_table
from ui.views.import_source import HINT_STYLE

# How a sheet is imported: its options, the progress label, then what to call when it is
# stored, refused or cancelled (ImportView.run_import).
RunImport = Callable[[ImportOptions, str, Callable[[ImportPlan], None],
                      Callable[[BaseException], None], Callable[[], None]], None]
# The sheets shown before the table scrolls: a quarter's months and the first.
SHOWN_ROWS = 4


class SheetsDone(QWidget):
    """The sheets of one workbook imported since it was chosen, in the order they were: each
    sheet's batch and counts; a click on one shows its result (`chosen`: its ImportPlan)."""

    chosen = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plans: list[ImportPlan] = []
        self.caption = QLabel(self.tr("Sheets of this workbook imported (click one to see its "
                                      "result and save its rows with problems):"))
        self.caption.setStyleSheet(HINT_STYLE)
        self.table = make_table([self.tr("Sheet"), self.tr("Import"), self.tr("New"),
                                 self.tr("Updated"), self.tr("Unchanged"),
                                 self.tr("Not imported")], stretch_last=False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._on_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.table)

    def clear(self) -> None:
        self.plans = []
        self.table.setRowCount(0)

    def add(self, plan: ImportPlan) -> None:
        """A sheet stored, shown selected (its result is the one on the screen)."""
        self.plans.append(plan)
        fill_table(self.table, [[p.sheet or "", f"#{p.batch_id}", p.created, p.updated,
                                 p.unchanged, p.rejected] for p in self.plans])
        # As tall as its rows, up to SHOWN_ROWS (the wizard's step above gives up the room).
        shown = min(len(self.plans), SHOWN_ROWS)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + self.table.verticalHeader().defaultSectionSize() * shown
                                  + 2 * self.table.frameWidth())
        self.table.blockSignals(True)
        self.table.selectRow(len(self.plans) - 1)
        self.table.blockSignals(False)
        self.table.scrollToBottom()

    def _on_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.chosen.emit(self.plans[rows[0].row()])


class SheetChain(QObject):
    """`sheets` imported one after another with `columns`'s mapping and `options` (the sheet
    and its header row each its own), each through `run_import` (ImportView.run_import: a
    background write of its own), so the window's Cancel stops the sheet being imported (its
    rows taken back) and no later one is begun. `stored` hears each sheet's result as it is
    stored; then `ended` once: "" when every sheet was imported, else the sheet at which it
    stopped (cancelled, or refused: `failed` said why first)."""

    stored = Signal(object)
    failed = Signal(object)
    ended = Signal(str)

    def __init__(self, run_import: RunImport, options: ImportOptions, columns: ImportPlan,
                 sheets: list[AlikeSheet], parent: QWidget) -> None:
        super().__init__(parent)
        self.run_import = run_import
        self.options = options
        self.columns = columns
        self.sheets = list(sheets)
        self.results: list[ImportPlan] = []  # the sheets stored, in turn
        self.at = 0

    def start(self) -> None:
        if self.at >= len(self.sheets):
            self.ended.emit("")
            return
        sheet = self.sheets[self.at]
        self.run_import(
            dataclasses.replace(self.options, sheet=sheet.name, header_row=sheet.header_row,
                                mapping=self.columns.mapping),
            self.tr("Importing the sheet “%1” (%2 of %3)").replace("%1", sheet.name)
            .replace("%2", str(self.at + 1)).replace("%3", str(len(self.sheets))),
            self._on_stored, self._on_failed, lambda: self.ended.emit(sheet.name))

    def _on_stored(self, result: ImportPlan) -> None:
        self.at += 1
        self.results.append(result)
        self.stored.emit(result)
        self.start()

    def _on_failed(self, exc: BaseException) -> None:
        self.failed.emit(exc)
        self.ended.emit(self.sheets[self.at].name)
