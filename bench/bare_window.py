"""The reference for bench/startup.py: a bare PySide6 window that runs the customer list's own
queries with the sqlite3 module (every customer's id in name order, then the first page of 100
rows with vehicles, last visit and last contact) and shows them in a table.

Usage: python bench/bare_window.py PATH.sqlite3 — prints `ready <unix time>` once the rows are in
the table, as `main.py --quit-after 0` does, and quits."""

from __future__ import annotations

import sqlite3
import sys
import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

IDS = "SELECT customer.id FROM customer ORDER BY customer.name_sort ASC, customer.id ASC"
# services/customers/search.py: fetch_rows, as SQLAlchemy writes it for SQLite.
PAGE = """SELECT customer.id, customer.code, customer.name, customer.gender, customer.mobile,
customer.city, customer.district, customer.lifecycle_stage, coalesce(v1.n, 0), vehicle.plate,
vehicle.model, sv.day, ce.at
FROM customer
LEFT OUTER JOIN (SELECT customer_id, vid, n FROM (SELECT customer_id, id AS vid,
  row_number() OVER (PARTITION BY customer_id ORDER BY active DESC, purchase_date IS NULL,
    purchase_date DESC, id DESC) AS rank,
  sum(CASE WHEN active THEN 1 ELSE 0 END) OVER (PARTITION BY customer_id) AS n
  FROM vehicle WHERE customer_id IN ({ids})) WHERE rank = 1) AS v1
  ON v1.customer_id = customer.id
LEFT OUTER JOIN vehicle ON vehicle.id = v1.vid
LEFT OUTER JOIN (SELECT customer_id, max(visit_date) AS day FROM service_visit
  WHERE customer_id IN ({ids}) GROUP BY customer_id) AS sv ON sv.customer_id = customer.id
LEFT OUTER JOIN (SELECT customer_id, max(contact_at) AS at FROM contact_event
  WHERE customer_id IN ({ids}) GROUP BY customer_id) AS ce ON ce.customer_id = customer.id
WHERE customer.id IN ({ids})"""
COLUMNS = 13


class Rows(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple] = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return COLUMNS

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        value = self.rows[index.row()][index.column()]
        return None if value is None else str(value)


def main() -> None:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    table = QTableView()
    model = Rows()
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1280, 800)
    window.show()

    def load() -> None:
        conn = sqlite3.connect(sys.argv[1])
        ids = [row[0] for row in conn.execute(IDS)]
        first = ",".join(str(i) for i in ids[:100])
        by_id = {row[0]: row for row in conn.execute(PAGE.format(ids=first))}
        model.beginResetModel()
        model.rows = [by_id[i] for i in ids[:100]]
        model.endResetModel()
        table.resizeColumnsToContents()
        conn.close()
        print(f"ready {time.time():.3f}", flush=True)
        QTimer.singleShot(0, app.quit)

    QTimer.singleShot(0, load)
    app.exec()


if __name__ == "__main__":
    main()
