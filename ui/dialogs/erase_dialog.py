"""Erasing a customer's personal data on their request: a supervisor types the customer's code to
confirm (the step cannot be undone) and says why; the erasure runs off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from services.customers import erase
from services.staff.permissions import Actor
from services.store.database import Database
from ui.dialogs.save_again import edit_and_save
from ui.tasks import TaskRunner, changed

MIN_WIDTH = 460


class EraseDialog(QDialog):
    """Accepted only once the typed code matches the customer's."""

    def __init__(self, code: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Erase personal data"))
        self.setMinimumWidth(MIN_WIDTH)
        self._code = code
        explain = QLabel(self.tr(
            "This removes %1's name, contact person, birthday, phones, address, WeChat id, "
            "employer, notes, plates and VINs from every record, past lists and the history "
            "included. Visits, amounts and dates stay for the statistics, and no list will "
            "contact them again. It cannot be undone.").replace("%1", f"{name} ({code})"))
        explain.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(self.tr("e.g. the customer asked by phone on 11-30"))
        self.confirm = QLineEdit()
        self.confirm.setPlaceholderText(code)
        form = QFormLayout()
        form.addRow(self.tr("Reason:"), self.reason)
        form.addRow(self.tr("Type %1 to confirm:").replace("%1", code), self.confirm)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = self.buttons.addButton(self.tr("Erase"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.erase_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.confirm.textChanged.connect(self._on_confirm_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def _on_confirm_changed(self, text: str) -> None:
        self.erase_button.setEnabled(text.strip().upper() == self._code.upper())


def ask_and_erase(parent: QWidget, database: Database, runner: TaskRunner, actor: Actor | None,
                  customer_id: int, code: str, name: str) -> None:
    dialog = EraseDialog(code, name, parent)

    def save(failed) -> None:
        reason = dialog.reason.text()
        runner.run(
            lambda _p, _c: erase.erase_customer(database.sessions, actor, customer_id,
                                                reason=reason),
            on_failed=failed,
            parent_widget=parent,
            label=QCoreApplication.translate("EraseDialog", "Erasing personal data"),
            write=True,
            changes=changed("customers", "profile", "preferences", customer=customer_id),
            done_notice=QCoreApplication.translate("EraseDialog", "Personal data of %1 erased")
            .replace("%1", code),
        )

    edit_and_save(dialog, save)
