"""A supervisor adds a staff account: user name, the name shown, role and a first password
(typed twice), which the new person signs in with once before choosing their own."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from services.staff import accounts
from services.staff.permissions import ASSIGNABLE_ROLES, Actor
from services.store.database import Database
from ui.dialogs.sign_in_dialog import AccountDialog
from ui.labels import label


class AddUserDialog(AccountDialog):
    """`account` holds the new account once accepted."""

    def __init__(self, database: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(database, parent)
        self.setWindowTitle(self.tr("Add a staff account"))
        self.actor = actor
        self.account: accounts.Account | None = None
        self.role = QComboBox()
        for code in ASSIGNABLE_ROLES:
            self.role.addItem(label("staff_role", code), code)
        self.role.setToolTip(self.tr("Supervisors also manage accounts, change shared settings, "
                                     "delete segments and save files with full phone numbers"))
        note = QLabel(self.tr("Tell the person this first password; at their first sign-in "
                              "they choose their own."))
        note.setWordWrap(True)
        form = self._account_form(self.tr("typed to sign in, e.g. chenli"),
                                  self.tr("e.g. 陈丽"), ((self.tr("R&ole"), self.role),))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def accept(self) -> None:
        if not self._passwords_match():
            return
        sessions, actor = self.database.sessions, self.actor
        name, display, role, password = (self.username.text(), self.display_name.text(),
                                         self.role.currentData(), self.password.text())
        self._start(lambda: accounts.add_account(sessions, actor, name, display, role, password),
                    self._on_added)

    def _on_added(self, account: accounts.Account) -> None:
        self.account = account
        super().accept()
