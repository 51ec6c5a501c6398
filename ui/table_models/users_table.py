"""The staff accounts table of the Users panel: a handful of rows, held whole."""

from __future__ import annotations

from PySide6.QtCore import Qt

from services.staff.accounts import Account
from ui.labels import label
from ui.table_models.held_rows import HeldRowsModel, Index

COL_USERNAME, COL_NAME, COL_ROLE, COL_STATE = range(4)


class UsersTableModel(HeldRowsModel[Account]):
    def __init__(self, parent=None) -> None:
        super().__init__((self.tr("User name"), self.tr("Name"), self.tr("Role"),
                          self.tr("State")), parent)

    def set_accounts(self, rows: list[Account] | tuple[Account, ...]) -> None:
        self.set_rows(rows)

    def account(self, row: int) -> Account | None:
        return self.row_at(row)

    def row_of(self, username: str) -> int:
        for row, account in enumerate(self._rows):
            if account.username == username:
                return row
        return -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        a = self._rows[index.row()]
        column = index.column()
        if column == COL_USERNAME:
            return a.username
        if column == COL_NAME:
            return a.display_name
        if column == COL_ROLE:
            return label("staff_role", a.role)
        return self._state(a)

    def _state(self, a: Account) -> str:
        if not a.active:
            return self.tr("Disabled")
        if not a.has_password:
            return self.tr("No password yet")
        if a.reset_pending:
            return self.tr("Temporary password")
        return self.tr("Active")
