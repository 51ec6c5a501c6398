"""The staff accounts table of the Users panel: a handful of rows, held whole."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from services.staff.accounts import Account
from ui.labels import label

COL_USERNAME, COL_NAME, COL_ROLE, COL_STATE = range(4)
COLUMN_COUNT = 4
Index = QModelIndex | QPersistentModelIndex


class UsersTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Account] = []
        self._headers = (self.tr("User name"), self.tr("Name"), self.tr("Role"),
                         self.tr("State"))

    def set_accounts(self, rows: list[Account] | tuple[Account, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def account(self, row: int) -> Account | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, username: str) -> int:
        for row, account in enumerate(self._rows):
            if account.username == username:
                return row
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < COLUMN_COUNT):
            return self._headers[section]
        return None

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
            return self.tr("Password reset")
        return self.tr("Active")
