"""The audit view's table: the newest entries of one filter (at most a thousand), held whole."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from services.staff.audit import AuditEntry, local_time
from ui.labels import label
from ui.table_models.held_rows import HeldRowsModel, Index

COL_TIME, COL_PERSON, COL_ACTION, COL_ABOUT, COL_DETAIL = range(5)
DETAIL_CHARS = 160


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


class AuditTableModel(HeldRowsModel[AuditEntry]):
    def __init__(self, parent=None) -> None:
        super().__init__((self.tr("Time"), self.tr("Person"), self.tr("Action"),
                          self.tr("About"), self.tr("Details")), parent)

    def set_entries(self, rows: tuple[AuditEntry, ...]) -> None:
        self.set_rows(rows)

    def entry(self, row: int) -> AuditEntry | None:
        return self.row_at(row)

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
