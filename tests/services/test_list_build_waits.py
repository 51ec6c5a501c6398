"""A list build on a SQLite file while a colleague's save holds the write lock: the build waits
for it, as every write does (up to models/db.py's 8 s), instead of "database is locked" at once
(its working tables' writes had begun a transaction, and SQLite lets a transaction that has
read wait for no one)."""

from __future__ import annotations

import sqlite3
import threading
import time

from models import ListRun
from models.db import sqlite_path
from services.lists import build
from tests.services.test_lists_runs import AS_OF, setup

HELD = 1.5  # seconds the colleague's save holds the lock


def test_a_build_waits_for_a_colleagues_save_to_end(sqlite_database):
    setup(sqlite_database)
    path = sqlite_path(sqlite_database.url)
    locked, released = threading.Event(), threading.Event()

    def colleague() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE alembic_version SET version_num = version_num")
            locked.set()
            time.sleep(HELD)
            conn.execute("COMMIT")
        finally:
            conn.close()
            released.set()

    other = threading.Thread(target=colleague)
    other.start()
    assert locked.wait(10)
    try:
        summary = build.build_run(sqlite_database.sessions, "全部客户",
                                  build.RunOptions(staff=("chenli",), as_of=AS_OF))
    finally:
        other.join()
    assert released.is_set()
    with sqlite_database.sessions() as s:
        run = s.get(ListRun, summary.run_id)
        assert run is not None and summary.members > 0
