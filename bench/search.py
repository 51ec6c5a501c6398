"""Benchmark: the customer browser's search on a demo database (ids first, then one page).

Usage: python bench/search.py sqlite:////path/demo-200000.sqlite3  (any database URL)"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.customers import search as customers
from services.store.database import open_database

QUERIES = ("", "zw", "wangxiu", "张伟", "张", "1376", "13912", "粤A3", "LRW45B", "C0000017")


def main() -> None:
    database = open_database(sys.argv[1])
    print(f"{'query':<10} {'found':>8} {'ids ms':>8} {'page ms':>8}  (median of 5, warm)")
    for q in QUERIES:
        id_times, page_times = [], []
        for _ in range(5):
            t = time.perf_counter()
            ids = customers.find_ids(database.engine.connect, q)
            id_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            customers.fetch_rows(database.engine.connect, ids[:100])
            page_times.append(time.perf_counter() - t)
        print(f"{q!r:<10} {len(ids):>8,} {statistics.median(id_times) * 1000:>8.1f} "
              f"{statistics.median(page_times) * 1000:>8.1f}")


if __name__ == "__main__":
    main()
