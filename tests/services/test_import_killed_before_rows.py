"""An import killed (SIGKILL: no handler runs, nothing is taken back by it) before its first
commit of rows left its batch row, committed first, with nothing stored: the batch list says
it was interrupted and nothing of it is stored, not unfinished for ever. While such an import
is still running, it is listed as unfinished. On SQLite and PostgreSQL, the import killed for
real in a child process."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import DMS_HEADERS, counts, customer_rows, write_csv
from ui.cli import import_commands

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = ImportOptions("customers", today=dt.date(2026, 11, 30))

# The child imports the file and kills itself after reading its first chunk, before any
# commit of rows (the first comes after engine.COMMIT_SECONDS, made an hour).
_CHILD = textwrap.dedent("""
    import datetime as dt, os, signal, sys
    from services.imports import engine
    from services.imports.apply import apply
    from services.imports.plan import ImportOptions
    from services.store.database import open_database

    engine.COMMIT_SECONDS = 3600.0
    database = open_database(sys.argv[1])

    def progress(done, total):
        os.kill(os.getpid(), signal.SIGKILL)

    apply(database.sessions, sys.argv[2], ImportOptions("customers", today=dt.date(2026, 11, 30)),
          progress=progress)
""")


def test_an_import_killed_before_its_first_rows_is_listed_as_interrupted(database, tmp_path,
                                                                         capsys):
    before = counts(database)
    path = write_csv(tmp_path / "五月.csv", DMS_HEADERS, customer_rows(20))
    child = subprocess.run([sys.executable, "-c", _CHILD, database.url, str(path)], cwd=ROOT,
                           env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert counts(database) == before
    [batch] = batches.list_batches(database.sessions)
    assert (batch.rows_total, batch.finished_at, batch.undone_at) == (0, None, None)
    assert batch.interrupted
    assert batches.get_batch(database.sessions, batch.id).interrupted
    import_commands._batches(argparse.Namespace(limit=30, kind=None), lambda: database)
    line = capsys.readouterr().out
    assert "五月.csv" in line and "interrupted" in line and "not stored" in line
    assert "before it stored any row" in line and "unfinished" not in line

    # The file again: imported whole, the stopped batch no longer interrupted but completed.
    done = apply(database.sessions, path, CUSTOMERS)
    assert done.created == 20
    listed = {b.id: b for b in batches.list_batches(database.sessions)}
    assert not listed[batch.id].interrupted
    assert not listed[done.batch_id].interrupted


def test_an_import_running_before_its_first_rows_is_listed_as_unfinished(database, tmp_path):
    path = write_csv(tmp_path / "六月.csv", DMS_HEADERS, customer_rows(20))
    seen: list[batches.BatchInfo] = []

    def progress(done: int, total: int) -> None:
        if not seen:  # after the first chunk, before any commit of rows
            seen.extend(batches.list_batches(database.sessions))

    result = apply(database.sessions, path, CUSTOMERS, progress=progress)
    [running] = seen
    assert running.id == result.batch_id
    assert running.unfinished and running.rows_total == 0
    assert not running.interrupted
