"""Settings → Staff accounts (supervisors): who may sign in, with which role; add an account,
disable or enable one, reset a forgotten password. The services refuse anyone else."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.staff import accounts
from services.staff.permissions import STAFF, SUPERVISOR, SUPERVISOR_ROLES, Actor
from services.store.database import Database
from ui.dialogs.password_dialog import PasswordDialog
from ui.dialogs.user_dialog import AddUserDialog
from ui.table_models.users_table import UsersTableModel
from ui.tasks import DataChange, TaskRunner, changed


class UsersPanel(QWidget):
    loaded = Signal()

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.model = UsersTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(self.tr("&Add account…"))
        self.toggle_button = QPushButton(self.tr("D&isable"))
        self.reset_button = QPushButton(self.tr("Reset &password…"))
        self.role_button = QPushButton(self.tr("Make &supervisor"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.role_button.clicked.connect(self._on_role_clicked)
        self.toggle_button.clicked.connect(self._on_toggle_clicked)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.toggle_button, self.reset_button,
                       self.role_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        runner.data_changed.connect(self._on_data_changed)
        self._on_selection_changed()
        self.reload()

    def reload(self, select: str = "") -> None:
        keep = select or (self.selected().username if self.selected() else "")
        self.runner.run(
            lambda _p, _c: accounts.list_accounts(self.database.sessions),
            on_done=lambda rows: self._show(rows, keep),
            latest="staff-accounts",
            parent_widget=self,
            label=self.tr("Loading accounts"),
        )

    def _show(self, rows: tuple[accounts.Account, ...], keep: str) -> None:
        self.model.set_accounts(rows)
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
        self._on_selection_changed()
        self.loaded.emit()

    def selected(self) -> accounts.Account | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.account(rows[0].row()) if rows else None

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("staff"):
            self.reload()

    def _on_selection_changed(self, *_args) -> None:
        account = self.selected()
        self.toggle_button.setText(
            self.tr("E&nable") if account is not None and not account.active
            else self.tr("D&isable"))
        self.toggle_button.setEnabled(account is not None and account.id != self.actor.id)
        self.reset_button.setEnabled(account is not None)
        supervisor = account is not None and account.role in SUPERVISOR_ROLES
        self.role_button.setText(self.tr("Make &staff") if supervisor
                                 else self.tr("Make &supervisor"))
        self.role_button.setEnabled(account is not None and account.id != self.actor.id)

    def _on_role_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        role = STAFF if account.role in SUPERVISOR_ROLES else SUPERVISOR
        if role == SUPERVISOR:  # what a supervisor may do, said before it is given
            answer = QMessageBox.question(
                self, self.tr("Make supervisor"),
                self.tr("Make %1 a supervisor? They will be able to see and export full phone "
                        "numbers, manage staff accounts, change the shared settings, read the "
                        "audit log and erase customers.").replace("%1", account.display_name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        sessions, actor, name = self.database.sessions, self.actor, account.username
        self.runner.run(
            lambda _p, _c: accounts.set_role(sessions, actor, name, role),
            # One reload, from the change going out (it keeps the selected row): a second one
            # from here could land after the next change and show it undone.
            parent_widget=self,
            write=True,
            changes=changed("staff"),
            done_notice=(self.tr("%1 is now a supervisor") if role == SUPERVISOR
                         else self.tr("%1 is now staff")).replace("%1", account.display_name),
        )

    def _on_add_clicked(self) -> None:
        dialog = AddUserDialog(self.database, self.actor, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.account is not None:
            self.runner.announce(changed("staff"))
            self.runner.notify(self.tr("Account %1 added").replace(
                "%1", dialog.account.display_name))
            self.reload(dialog.account.username)

    def _on_toggle_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        active = not account.active
        if not active:
            answer = QMessageBox.question(
                self, self.tr("Disable account"),
                self.tr("Disable %1? They can no longer sign in; what they did stays in the "
                        "history.").replace("%1", account.display_name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        sessions, actor, name = self.database.sessions, self.actor, account.username
        self.runner.run(
            lambda _p, _c: accounts.set_active(sessions, actor, name, active),
            # One reload, from the change going out (it keeps the selected row): a second one
            # from here could land after the next change and show it undone.
            parent_widget=self,
            write=True,
            changes=changed("staff"),
            done_notice=(self.tr("%1 can sign in again") if active
                         else self.tr("%1 can no longer sign in")).replace(
                             "%1", account.display_name),
        )

    def _on_reset_clicked(self) -> None:
        account = self.selected()
        if account is None:
            return
        sessions, actor, name = self.database.sessions, self.actor, account.username
        dialog = PasswordDialog(
            self.database,
            lambda _current, new: accounts.reset_password(sessions, actor, name, new),
            title=self.tr("Reset the password of %1").replace("%1", account.display_name),
            intro=self.tr("%1 signs in once with this password, then chooses their own.").replace(
                "%1", account.display_name),
            parent=self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.runner.notify(self.tr("Password of %1 reset").replace(
                "%1", account.display_name))
            self.reload(name)
