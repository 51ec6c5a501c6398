"""Record a referral (老带新) from the customer's brief: who introduced this customer — another
customer (by code), a member of staff or an organisation — or whom this customer introduced."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
)

from services.customers.referrals import NOTE_MAX
from ui.widgets import date_edit

BY, INTRODUCED = "by", "introduced"


class ReferralDialog(QDialog):
    """`values()`: direction ("by": the customer was introduced by the named one; "introduced":
    the customer introduced the customer named by code), kind, who (a customer code, a staff
    member's name or an organisation), day and note."""

    def __init__(self, customer_name: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Record referral"))
        self.setMinimumWidth(420)  # the placeholders and a company's name whole
        self.by = QRadioButton(
            self.tr("%1 was introduced by the one below").replace("%1", customer_name))
        self.introduced = QRadioButton(
            self.tr("%1 introduced the customer below").replace("%1", customer_name))
        self.by.setChecked(True)
        direction = QButtonGroup(self)
        direction.addButton(self.by)
        direction.addButton(self.introduced)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("a customer"), "customer")
        self.kind.addItem(self.tr("a member of staff"), "staff")
        self.kind.addItem(self.tr("an association or company"), "org")
        self.who_label = QLabel()
        self.who = QLineEdit()
        self.who_label.setBuddy(self.who)
        self.day = date_edit()
        self.day.setMaximumDate(QDate.currentDate())
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        self.note.setPlaceholderText(self.tr("e.g. same chamber of commerce, brought a friend"))
        self.note.setMinimumWidth(
            self.note.fontMetrics().horizontalAdvance(self.note.placeholderText()) + 24)
        form = QFormLayout()
        form.addRow(self.tr("&Who"), self.kind)
        form.addRow(self.who_label, self.who)
        form.addRow(self.tr("&Introduced on"), self.day)
        form.addRow(self.tr("&Note"), self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.by)
        layout.addWidget(self.introduced)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.introduced.toggled.connect(self._on_direction_toggled)
        self.who.textChanged.connect(self._on_who_changed)
        self._on_kind_changed()

    def _on_direction_toggled(self, introduced: bool) -> None:
        # Only a customer can be introduced: staff and organisations are referrers.
        if introduced:
            self.kind.setCurrentIndex(0)
        self.kind.setEnabled(not introduced)
        self._on_kind_changed()

    def _on_kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.who_label.setText({
            "customer": self.tr("Customer &code"),
            "staff": self.tr("Staff &name"),
            "org": self.tr("&Organisation"),
        }[kind])
        self.who.setPlaceholderText({
            "customer": self.tr("e.g. C0001234"),
            "staff": self.tr("user name or name, e.g. 陈丽"),
            "org": self.tr("e.g. Wenzhou Chamber of Commerce"),
        }[kind])
        self._on_who_changed()

    def _on_who_changed(self) -> None:
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(bool(self.who.text().strip()))

    def values(self) -> dict:
        return {
            "direction": INTRODUCED if self.introduced.isChecked() else BY,
            "kind": self.kind.currentData(),
            "who": self.who.text().strip(),
            "on": self.day.date().toPython(),
            "note": self.note.text().strip() or None,
        }
