"""Recording a profile change: which attribute, the new value, when it took effect, and where we
learned it. Nothing is overwritten; the old value stays in the timeline."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
)

from models.profile import PROFILE_ATTRIBUTES
from ui.labels import choices, label
from ui.widgets import date_edit

SOURCES = ("call", "visit", "survey", "manual")
MIN_WIDTH = 440  # a comfortable width for the combo boxes in Chinese and English


class ProfileChangeDialog(QDialog):
    """The new value starts empty and Save stays disabled until one is chosen or typed: a
    pre-selected value would be stored by a hurried Enter. `attribute` opens on that attribute
    (after a reload, the one whose change was refused); "Now" shows the value the change is
    based on: a save is refused when someone changed it meanwhile."""

    def __init__(self, customer_name: str, current: dict[str, str | None], parent=None, *,
                 attribute: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Record a change for %1").replace("%1", customer_name))
        self._current = current
        self.attribute = QComboBox()
        for code in PROFILE_ATTRIBUTES:
            self.attribute.addItem(label("attribute", code), code)
        self.value_choice = QComboBox()
        self.value_choice.setPlaceholderText(self.tr("— choose —"))
        self.value_text = QLineEdit()
        self.value_text.setMaxLength(100)
        self.value_text.setPlaceholderText(self.tr("Type the new value"))
        self._value = QStackedWidget()
        self._value.addWidget(self.value_choice)
        self._value.addWidget(self.value_text)
        # As high as a line: room left over (a wrapped notice above) is not given to it.
        self._value.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.current = QLineEdit()
        self.current.setReadOnly(True)
        # Shown as text on the dialog, not as a box: a white box beside the new value's was
        # taken for a field to type in.
        self.current.setFrame(False)
        self.current.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.current.setStyleSheet("QLineEdit { background: transparent; }")
        self.effective = date_edit()
        self.effective.setMaximumDate(QDate.currentDate())
        self.effective.setToolTip(
            self.tr("The day it became true, e.g. the wedding day; today if they did not say")
        )
        self.source = QComboBox()
        for code in SOURCES:
            self.source.addItem(label("source", code), code)
        self.source.setToolTip(self.tr("Where we learned it"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(
            self.tr("What they said, e.g. just married, wants a bigger car"))
        # A placeholder does not widen a line edit: make room for the whole example.
        self.note.setMinimumWidth(
            self.note.fontMetrics().horizontalAdvance(self.note.placeholderText()) + 24
        )
        # Under the new value when it is the value now: Save stays off, and this says why.
        self.same = QLabel(self.tr("That is already the value now: there is nothing to "
                                   "record."))
        self.same.setWordWrap(True)
        self.same.setStyleSheet("color: #9a3412;")
        # Above the form after a save was refused because someone changed the value meanwhile.
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #9a3412;")
        self.notice.hide()
        form = QFormLayout(self)
        form.addRow(self.notice)
        form.addRow(self.tr("&Attribute"), self.attribute)
        form.addRow(self.tr("Now"), self.current)
        form.addRow(self.tr("&New value"), self._value)
        form.addRow("", self.same)
        self._form = form
        form.addRow(self.tr("&Effective from"), self.effective)
        form.addRow(self.tr("&Source"), self.source)
        form.addRow(self.tr("N&ote"), self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        if attribute is not None and self.attribute.findData(attribute) >= 0:
            self.attribute.setCurrentIndex(self.attribute.findData(attribute))
        self.attribute.currentIndexChanged.connect(self._on_attribute_changed)
        self.value_choice.currentIndexChanged.connect(self._on_value_changed)
        self.value_text.textChanged.connect(self._on_value_changed)
        self._on_attribute_changed()
        self.setMinimumWidth(max(MIN_WIDTH, self.sizeHint().width()))

    def keep_typed(self, values: dict) -> None:
        """Put back what was typed (values() of a dialog whose save was refused) beside the
        value now in force, and say so above the form."""
        if self.attribute.findData(values["attribute"]) >= 0:
            self.attribute.setCurrentIndex(self.attribute.findData(values["attribute"]))
        new_value = values["new_value"]
        if self._coded():
            self.value_choice.setCurrentIndex(self.value_choice.findData(new_value))
        else:
            self.value_text.setText(new_value or "")
        self.effective.setDate(QDate(values["effective_date"]))
        self.source.setCurrentIndex(max(0, self.source.findData(values["source"])))
        self.note.setText(values["note"] or "")
        if self.values()["new_value"] is None:
            # Theirs is the value typed here: nothing is left to record.
            text = self.tr("Someone else recorded the same value meanwhile: “Now” shows it, "
                           "nothing is left to save.")
            self._form.setRowVisible(self.same, False)  # said above, once is enough
        else:
            text = self.tr("Someone else changed this meanwhile: “Now” shows their value. What "
                           "you typed is kept below: save it to record yours after theirs, or "
                           "cancel to leave theirs.")
        self.notice.setText(text)
        self.notice.show()

    def _coded(self) -> bool:
        return PROFILE_ATTRIBUTES[self.attribute.currentData()] is not None

    def _on_attribute_changed(self) -> None:
        attribute = self.attribute.currentData()
        self.current.setText(label(attribute, self._current.get(attribute)) or self.tr("unknown"))
        if not self._coded():
            self._value.setCurrentWidget(self.value_text)
            self.value_text.clear()
        else:
            self.value_choice.blockSignals(True)
            self.value_choice.clear()
            for code, text in choices(attribute) or [
                (c, c) for c in PROFILE_ATTRIBUTES[attribute]
            ]:
                if code != self._current.get(attribute):
                    self.value_choice.addItem(text, code)
            self.value_choice.setCurrentIndex(-1)
            self.value_choice.blockSignals(False)
            self._value.setCurrentWidget(self.value_choice)
        self._on_value_changed()

    def _on_value_changed(self) -> None:
        self.save_button.setEnabled(self.values()["new_value"] is not None)
        typed = self.value_text.text().strip()
        same = (not self._coded() and bool(typed)
                and typed == self._current.get(self.attribute.currentData()))
        self._form.setRowVisible(self.same, same)

    def values(self) -> dict:
        """`new_value` is None until a value other than the current one is chosen or typed."""
        attribute = self.attribute.currentData()
        if self._coded():
            new_value = self.value_choice.currentData()
        else:
            typed = self.value_text.text().strip()
            new_value = typed if typed and typed != self._current.get(attribute) else None
        return {
            "attribute": attribute,
            "new_value": new_value,
            "effective_date": self.effective.date().toPython(),
            "source": self.source.currentData(),
            "note": self.note.text().strip() or None,
        }
