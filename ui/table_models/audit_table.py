"""The audit view's table: the newest entries of one filter (at most a thousand), held whole."""

from __future__ import annotations

import json

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from services.staff.audit import AuditEntry, local_time
from ui.labels import label

COL_TIME, COL_PERSON, COL_ACTION, COL_ABOUT, COL_DETAIL = range(5)
COLUMN_COUNT = 5
DETAIL_CHARS = 160
Index = QModelIndex | QPersistentModelIndex


def about(entry: AuditEntry) -> str:
    """What the entry is about: the customer, else the kind of thing and its number."""
    if entry.customer_code:
        return f"{entry.customer_code} {entry.customer_name}".strip()
    return entry.entity if entry.entity_id is None else f"{entry.entity} #{entry.entity_id}"


def detail_text(entry: AuditEntry, indent: int | None = None) -> str:
    data = entry.detail_data()
    if data in (None, {}, ""):
        return ""
    if isinstance(data, str):
        return data
    return json.dumps(data, ensure_ascii=False, indent=indent)


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[AuditEntry] = []
        self._headers = (self.tr("Time"), self.tr("Person"), self.tr("Action"),
                         self.tr("About"), self.tr("Details"))

    def set_entries(self, rows: tuple[AuditEntry, ...]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def entry(self, row: int) -> AuditEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

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
        if not index.isValid():
            return None
        e = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_DETAIL:
            return detail_text(e, indent=1) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == COL_TIME:
            return f"{local_time(e.at):%Y-%m-%d %H:%M}"
        if column == COL_PERSON:
            return e.staff_name or e.username or self.tr("(nobody signed in)")
        if column == COL_ACTION:
            return label("audit_action", e.action)
        if column == COL_ABOUT:
            return about(e)
        text = detail_text(e)
        return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"
