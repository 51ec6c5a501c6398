"""Record a declined repair item (建议维修项目) from the customer's brief: what was recommended and
not done, on which car, when it was noted and when it falls due."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
)

from ui.widgets import date_edit

DEFAULT_DUE_MONTHS = 1  # advisors usually say "within a month" for a declined repair


class DeclinedItemDialog(QDialog):
    """`values()`: item, vehicle id (None: not said), noted on, due on (None: no date), note."""

    def __init__(self, cars: list[tuple[int, str]], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Declined repair"))
        self.item = QLineEdit()
        self.item.setPlaceholderText(self.tr("e.g. front brake pads worn, replacement advised"))
        self.item.setMinimumWidth(
            self.item.fontMetrics().horizontalAdvance(self.item.placeholderText()) + 24)
        self.car = QComboBox()
        for vehicle_id, name in cars:
            self.car.addItem(name, vehicle_id)
        self.car.addItem(self.tr("not said"), None)
        self.noted = date_edit()
        self.noted.setMaximumDate(QDate.currentDate())
        self.has_due = QCheckBox(self.tr("Due on"))
        self.has_due.setChecked(True)
        self.due = date_edit()
        self.due.setDate(QDate.currentDate().addMonths(DEFAULT_DUE_MONTHS))
        self.has_due.toggled.connect(self.due.setEnabled)
        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due)
        due_row.addStretch(1)
        self.note = QLineEdit()
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Repair"), self.item)
        form.addRow(self.tr("&Car"), self.car)
        form.addRow(self.tr("Noted on"), self.noted)
        form.addRow(due_row)
        form.addRow(self.tr("&Note"), self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.item.textChanged.connect(self._on_item_changed)
        self._on_item_changed()

    def _on_item_changed(self) -> None:
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(bool(self.item.text().strip()))

    def values(self) -> dict:
        return {
            "item": self.item.text().strip(),
            "vehicle_id": self.car.currentData(),
            "recorded_on": self.noted.date().toPython(),
            "due_on": self.due.date().toPython() if self.has_due.isChecked() else None,
            "note": self.note.text().strip() or None,
        }
