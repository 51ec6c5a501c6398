"""Recording a profile change: which attribute, the new value, when it took effect, and where we
learned it. Nothing is overwritten; the old value stays in the timeline."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QStackedWidget,
)

from models.profile import PROFILE_ATTRIBUTES
from ui.labels import choices, label
from ui.widgets import date_edit

SOURCES = ("call", "visit", "survey", "manual")


class ProfileChangeDialog(QDialog):
    def __init__(self, customer_name: str, current: dict[str, str | None], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Record a change for %1").replace("%1", customer_name))
        self._current = current
        self.attribute = QComboBox()
        for attribute in PROFILE_ATTRIBUTES:
            self.attribute.addItem(label("attribute", attribute), attribute)
        self.value_choice = QComboBox()
        self.value_text = QLineEdit()
        self.value_text.setMaxLength(100)
        self._value = QStackedWidget()
        self._value.addWidget(self.value_choice)
        self._value.addWidget(self.value_text)
        self.current = QLineEdit()
        self.current.setReadOnly(True)
        self.effective = date_edit()
        self.effective.setMaximumDate(QDate.currentDate())
        self.source = QComboBox()
        for code in SOURCES:
            self.source.addItem(label("source", code), code)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("What they said, e.g. 刚结婚，想换大车"))
        form = QFormLayout(self)
        form.addRow(self.tr("&Attribute"), self.attribute)
        form.addRow(self.tr("Now"), self.current)
        form.addRow(self.tr("&New value"), self._value)
        form.addRow(self.tr("&Effective from"), self.effective)
        form.addRow(self.tr("&Source"), self.source)
        form.addRow(self.tr("N&ote"), self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.attribute.currentIndexChanged.connect(self._on_attribute_changed)
        self._on_attribute_changed()

    def _on_attribute_changed(self) -> None:
        attribute = self.attribute.currentData()
        self.current.setText(label(attribute, self._current.get(attribute)) or self.tr("unknown"))
        if PROFILE_ATTRIBUTES[attribute] is None:
            self._value.setCurrentWidget(self.value_text)
            self.value_text.clear()
            return
        self.value_choice.clear()
        for code, text in choices(attribute) or [(c, c) for c in PROFILE_ATTRIBUTES[attribute]]:
            if code != self._current.get(attribute):
                self.value_choice.addItem(text, code)
        self._value.setCurrentWidget(self.value_choice)

    def values(self) -> dict:
        attribute = self.attribute.currentData()
        coded = PROFILE_ATTRIBUTES[attribute] is not None
        return {
            "attribute": attribute,
            "new_value": self.value_choice.currentData() if coded else self.value_text.text(),
            "effective_date": self.effective.date().toPython(),
            "source": self.source.currentData(),
            "note": self.note.text().strip() or None,
        }
