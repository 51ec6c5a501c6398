"""The audit view's table: the newest entries of one filter (at most a thousand), held whole,
in words (services/staff/audit_words.py): the action, what it is about and the detail in the
window's language, the detail's every key in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt

from services.staff.audit import AuditEntry, local_time
from services.staff.audit_words import about_words, action_words, detail_pairs, detail_words
from ui.labels import language
from ui.table_models.held_rows import HeldRowsModel, Index

COL_TIME, COL_PERSON, COL_ACTION, COL_ABOUT, COL_DETAIL = range(5)
DETAIL_CHARS = 160


def detail_lines(entry: AuditEntry, lang: str) -> list[str]:
    """Each key of the entry's detail on a line of its own, values whole."""
    colon = ": " if lang == "en" else "："
    return [f"{k}{colon}{v}" if k else v for k, v in detail_pairs(entry, lang, chars=None)]


class AuditTableModel(HeldRowsModel[AuditEntry]):
    def __init__(self, parent=None) -> None:
        super().__init__((self.tr("Time"), self.tr("Person"), self.tr("Action"),
                          self.tr("About"), self.tr("Details")), parent)
        self._lang = language()

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
            return "\n".join(detail_lines(e, self._lang)) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == COL_TIME:
            return f"{local_time(e.at):%Y-%m-%d %H:%M}"
        if column == COL_PERSON:
            return e.staff_name or e.username or self.tr("(nobody signed in)")
        if column == COL_ACTION:
            return action_words(e.action, self._lang)
        if column == COL_ABOUT:
            return about_words(e, self._lang)
        text = detail_words(e, self._lang)
        return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"
