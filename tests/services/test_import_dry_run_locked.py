"""A dry run (试导入) writes nothing, so a colleague holding the write lock does not stop it:
on SQLite, while another connection holds the one write lock (BEGIN IMMEDIATE), the dry run is
worked out on a copy of the database as committed and says what the import would change; the
database is left as it was. On PostgreSQL a colleague's open write transaction does not stop
it either. The program's own wait for a lock is made short, so the code before (which waited
for the lock and gave up) fails in a second."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from models import db
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from services.store.database import Database, open_database
from tests.services.import_files import DMS_HEADERS, customer_rows, snapshot, write_csv

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = ImportOptions("customers", today=dt.date(2026, 11, 30))


@contextmanager
def _colleague_writing(url: str) -> Iterator[None]:
    """Another program in the middle of a write: on SQLite it holds the write lock, on
    PostgreSQL it has changed a row of its own and not committed."""
    path = db.sqlite_path(url)
    if path is not None:
        lite = sqlite3.connect(path, isolation_level=None)
        lite.execute("BEGIN IMMEDIATE")
        lite.execute("UPDATE app_setting SET key = key")
        try:
            yield
        finally:
            lite.execute("ROLLBACK")
            lite.close()
        return
    with psycopg.connect(url) as pg:
        pg.execute("UPDATE import_batch SET rows_total = rows_total")
        yield
        pg.rollback()


@pytest.fixture
def impatient(database, monkeypatch) -> Iterator[Database]:
    """The database opened again with short waits for a lock (the program waits 8 s)."""
    monkeypatch.setattr(db, "SQLITE_BUSY_MS", 800)
    monkeypatch.setattr(db, "PG_LOCK_TIMEOUT", "800ms")
    mine = open_database(database.url, upgrade=False)
    yield mine
    mine.dispose()


def _counts(result) -> tuple:
    return (result.created, result.updated, result.unchanged, result.rejected,
            result.records, result.changed_fields)


def test_a_dry_run_goes_on_while_a_colleague_holds_the_write_lock(impatient, tmp_path):
    apply(impatient.sessions, write_csv(tmp_path / "一月.csv", DMS_HEADERS, customer_rows(5)),
          CUSTOMERS)
    path = write_csv(tmp_path / "二月.csv", DMS_HEADERS, customer_rows(12))
    free = plan(impatient.sessions, path, CUSTOMERS)
    assert free.created > 0
    before = snapshot(impatient)
    with _colleague_writing(impatient.url):
        held = plan(impatient.sessions, path, CUSTOMERS, errors_path=tmp_path / "问题.xlsx")
    assert held.dry_run
    assert _counts(held) == _counts(free)  # what the import would change, as without the lock
    assert snapshot(impatient) == before
    # The import itself, once the lock is free, does what the dry run said.
    done = apply(impatient.sessions, path, CUSTOMERS)
    assert _counts(done) == _counts(free)


def test_the_dry_run_command_goes_on_while_a_colleague_holds_the_write_lock(database,
                                                                            tmp_path):
    path = write_csv(tmp_path / "三月.csv", DMS_HEADERS, customer_rows(8))
    before = snapshot(database)
    url = database.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    with _colleague_writing(database.url):
        proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", url, "import",
                               "customers", str(path), "--dry-run"], capture_output=True,
                              text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "would create" in proc.stdout and "nothing was written (dry run)" in proc.stdout
    assert snapshot(database) == before


def test_a_colleague_s_short_save_is_waited_out_not_copied(tmp_path):
    """A lock let go well within the dry run's wait (a save) is not taken for a long holder:
    no copy of the database is made for it; one held past the wait is."""
    import threading
    import time

    from services.imports import write_lock

    path = tmp_path / "revisit.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        def hold(seconds: float, taken: threading.Event) -> None:
            lite = sqlite3.connect(path, isolation_level=None)
            lite.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            lite.execute("ROLLBACK")
            lite.close()

        for seconds, held in ((0.2, False), (write_lock.SAVE_MS / 1000 + 1.5, True)):
            taken = threading.Event()
            holder = threading.Thread(target=hold, args=(seconds, taken))
            holder.start()
            taken.wait()
            assert write_lock.held_by_another(engine) is held, seconds
            holder.join()
    finally:
        engine.dispose()
