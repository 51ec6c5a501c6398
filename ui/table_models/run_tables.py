"""A list run's members and the customers left out, as table models over the run's document:
a 100,000-member run is shown at once, each cell made only when it is painted (filling a
QTableWidget with the same 700,000 cells took 5.4 s on the GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from services.lists.shown import best_time_in, detail_in
from services.outputs.types import Excluded, ListMember
from ui.labels import label, language
from ui.table_models.held_rows import HeldRowsModel, Index


class RunMembersModel(HeldRowsModel[ListMember]):
    """Row code, name, channel, caller, phone (their mobile, or the landline a call goes to),
    vehicle and best time of each member, in the window's language (a run stores its best
    times in Chinese, as its sheets print them)."""

    def __init__(self, parent=None) -> None:
        super().__init__((self.tr("Row"), self.tr("Name"), self.tr("Channel"), self.tr("Caller"),
                          self.tr("Phone number"), self.tr("Vehicle"), self.tr("Best time")),
                         parent)
        self._language = language()

    @staticmethod
    def channel_name(code: str) -> str:
        """A channel in words (a run stores calls as "phone", a list's file says "call")."""
        return label("channel" if code == "phone" else "list_channel", code)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return self._rows[index.row()].name  # whole, where the column cuts it short
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        m = self._rows[index.row()]
        column = index.column()
        if column == 2:
            return self.channel_name(m.channel)
        if column == 6:
            return best_time_in(m.best_time, self._language)
        return (m.row_code, m.name, None, m.caller, m.mobile, m.vehicle)[column]


class RunExclusionsModel(HeldRowsModel[Excluded]):
    """Name, number (their mobile, or the landline a call would go to), reason and detail (in
    the window's language) of each customer left out."""

    def __init__(self, parent=None) -> None:
        super().__init__((self.tr("Name"), self.tr("Phone number"), self.tr("Reason"),
                          self.tr("Detail")), parent)
        self._language = language()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return self._rows[index.row()].name
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        x = self._rows[index.row()]
        column = index.column()
        if column == 2:
            return label("exclusion", x.reason)
        if column == 3:
            return detail_in(x.detail, self._language)
        return (x.name, x.mobile)[column]
