"""The customer browser's model: holds the sorted ids of a search and fetches rows a page at a
time when the view asks for them, so 200,000 customers cost one list of ints."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from services.customers.search import CustomerRow
from ui.labels import day_text, label

COL_CODE, COL_NAME, COL_GENDER, COL_MOBILE, COL_AREA, COL_VEHICLE, COL_STAGE = range(7)
COL_LAST_VISIT, COL_LAST_CONTACT = 7, 8
COLUMN_COUNT = 9
# The database sort key behind each sortable column (others are not sortable).
SORT_KEYS = {
    COL_CODE: "code",
    COL_NAME: "name",
    COL_MOBILE: "mobile",
    COL_AREA: "city",
    COL_STAGE: "stage",
}
PAGE = 100
MAX_PAGES = 40

Fetch = Callable[[Sequence[int]], list[CustomerRow]]


class CustomerTableModel(QAbstractTableModel):
    def __init__(self, fetch: Fetch, parent=None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[CustomerRow | None]] = OrderedDict()
        self._headers = (
            self.tr("No."),
            self.tr("Name"),
            self.tr("Gender"),
            self.tr("Mobile"),
            self.tr("Area"),
            self.tr("Vehicle"),
            self.tr("Stage"),
            self.tr("Last visit"),
            self.tr("Last contact"),
        )

    # --- the data the view shows -------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Forget fetched rows (after an edit) and repaint."""
        self._pages.clear()
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, COLUMN_COUNT - 1)
            )

    def customer_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, customer_id: int) -> int:
        try:
            return self._ids.index(customer_id)
        except ValueError:
            return -1

    def _row(self, row: int) -> CustomerRow | None:
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None:
            ids = self._ids[page_no * PAGE : (page_no + 1) * PAGE]
            fetched = {r.id: r for r in self._fetch(ids)}
            page = [fetched.get(i) for i in ids]
            self._pages[page_no] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[row % PAGE]

    # --- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Right-click to choose which columns are shown")
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (COL_AREA, COL_VEHICLE):
            return self.data(index)  # the whole text of a column cut with "…"
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == COL_NAME:
            # The whole name, and whom to ask for: a search for 王经理 finds their company.
            row = self._row(index.row())
            if row is None:
                return None
            return row.name + ("\n" + self.tr("contact person: %1").replace(
                "%1", row.contact_name) if row.contact_name else "")
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self._row(index.row())
        if row is None:
            return None
        col = index.column()
        if col == COL_CODE:
            return row.code
        if col == COL_NAME:
            return row.name
        if col == COL_GENDER:
            return label("gender", row.gender)
        if col == COL_MOBILE:
            return row.mobile or ""
        if col == COL_AREA:
            return f"{row.city or ''}{row.district or ''}"
        if col == COL_VEHICLE:
            # The plate first: it says which car, and a narrow column cuts the model.
            car = " ".join(filter(None, (row.first_plate, row.first_model)))
            if row.only_sold:
                sold = self.tr("(sold)")
                return f"{car} {sold}"
            return car + (f" +{row.vehicles - 1}" if row.vehicles > 1 else "")
        if col == COL_STAGE:
            return label("lifecycle_stage", row.lifecycle_stage)
        if col == COL_LAST_VISIT:
            return day_text(row.last_visit)
        if col == COL_LAST_CONTACT:
            return day_text(row.last_contact)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is done by the database: the view re-runs the search (see CustomersView)."""
        return None
