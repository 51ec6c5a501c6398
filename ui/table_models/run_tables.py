"""A list run's members and the customers left out, as table models over the run's document:
a 100,000-member run is shown at once, each cell made only when it is painted (filling a
QTableWidget with the same 700,000 cells took 5.4 s on the GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from services.outputs.types import Excluded, ListMember
from ui.labels import label
from ui.table_models.held_rows import HeldRowsModel, Index


class RunMembersModel(HeldRowsModel[ListMember]):
    """Row code, name, channel, caller, mobile, vehicle and best time of each member."""

    def __init__(self, parent=None) -> None:
        super().__init__((self.tr("Row"), self.tr("Name"), self.tr("Channel"), self.tr("Caller"),
                          self.tr("Mobile"), self.tr("Vehicle"), self.tr("Best time")), parent)
        self._channels = {"phone": self.tr("phone"), "call": self.tr("phone"),
                          "sms": self.tr("SMS"), "mail": self.tr("mail"),
                          "wechat": self.tr("WeChat"), "visit": self.tr("visit")}

    def channel_name(self, code: str) -> str:
        """A channel in words (a run stores calls as "phone", a list's file says "call")."""
        return self._channels.get(code, code)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        m = self._rows[index.row()]
        column = index.column()
        if column == 2:
            return self.channel_name(m.channel)
        return (m.row_code, m.name, None, m.caller, m.mobile, m.vehicle, m.best_time)[column]


class RunExclusionsModel(HeldRowsModel[Excluded]):
    """Name, mobile, reason (in words) and detail of each customer left out."""

    def __init__(self, parent=None) -> None:
        super().__init__((self.tr("Name"), self.tr("Mobile"), self.tr("Reason"),
                          self.tr("Detail")), parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        x = self._rows[index.row()]
        column = index.column()
        if column == 2:
            return label("exclusion", x.reason)
        return (x.name, x.mobile, None, x.detail)[column]
