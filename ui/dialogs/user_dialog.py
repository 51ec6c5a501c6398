"""A supervisor adds a staff account: user name, the name shown, role and a first password
(typed twice), which the new person uses to sign in."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from services.staff import accounts
from services.staff.permissions import ASSIGNABLE_ROLES, Actor
from services.store.database import Database
from ui.dialogs.password_dialog import password_edit
from ui.dialogs.sign_in_dialog import AccountDialog
from ui.labels import label


class AddUserDialog(AccountDialog):
    """`account` holds the new account once accepted."""

    def __init__(self, database: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(database, parent)
        self.setWindowTitle(self.tr("Add a staff account"))
        self.actor = actor
        self.account: accounts.Account | None = None
        self.username = QLineEdit()
        self.username.setMaxLength(64)
        self.username.setPlaceholderText(self.tr("typed to sign in, e.g. chenli"))
        self.display_name = QLineEdit()
        self.display_name.setMaxLength(64)
        self.display_name.setPlaceholderText(self.tr("e.g. 陈丽"))
        self.role = QComboBox()
        for code in ASSIGNABLE_ROLES:
            self.role.addItem(label("staff_role", code), code)
        self.role.setToolTip(self.tr("Supervisors also manage accounts, change shared settings, "
                                     "delete segments and save files with full phone numbers"))
        self.password = password_edit()
        self.repeat = password_edit()
        note = QLabel(self.tr("Tell the person this first password; they can change it in "
                              "Settings once signed in."))
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&User name"), self.username)
        form.addRow(self.tr("&Display name"), self.display_name)
        form.addRow(self.tr("R&ole"), self.role)
        form.addRow(self.tr("&Password"), self.password)
        form.addRow(self.tr("&Repeat password"), self.repeat)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def accept(self) -> None:
        if self.password.text() != self.repeat.text():
            self._say(self.tr("The two passwords differ."))
            self.repeat.setFocus()
            return
        sessions, actor = self.database.sessions, self.actor
        name, display, role, password = (self.username.text(), self.display_name.text(),
                                         self.role.currentData(), self.password.text())
        self._start(lambda: accounts.add_account(sessions, actor, name, display, role, password),
                    self._on_added)

    def _on_added(self, account: accounts.Account) -> None:
        self.account = account
        super().accept()
