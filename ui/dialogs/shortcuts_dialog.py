"""F1: every keyboard shortcut of the window in one table, in the user's language."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

from ui.views.customer_page import fill_table, make_table


def _native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


class ShortcutsDialog(QDialog):
    def __init__(self, areas: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows: list[list[object]] = [
            [_native(f"Ctrl+{n + 1}"), self.tr("Go to %1").replace("%1", area)]
            for n, area in enumerate(areas)
        ]
        rows += [
            [_native("F1"), self.tr("This overview")],
            [_native("Ctrl+F"), self.tr("Customers: search")],
            [_native("Ctrl+E"), self.tr("Customers: record a change")],
            ["1 … 6", self.tr("My follow-ups: pick the outcome (outside text fields)")],
            [
                f"{_native('Alt+1')} … {_native('Alt+6')}",
                self.tr("My follow-ups: pick the outcome (anywhere)"),
            ],
            [_native("Ctrl+Return"), self.tr("My follow-ups: save and open the next call")],
            [_native("Ctrl+Z"), self.tr("Segments: undo an edit of the filter")],
        ]
        self.table = make_table([self.tr("Keys"), self.tr("What they do")])
        fill_table(self.table, rows)
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 30 + 26 * (len(rows) + 3))
