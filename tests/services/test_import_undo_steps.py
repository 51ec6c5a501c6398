"""Undoing an import batch is quick and all-or-nothing: the values it changed are put back and the
records it created deleted with a few statements whatever the batch's size (one per row took
minutes for a 60,000-row file and held the write lock throughout), with progress; a cancel or a
killed process leaves the batch fully in place. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.store.errors import Cancelled, CancelToken
from tests.services.import_files import DMS_HEADERS, customer_rows, snapshot, write_csv

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = ImportOptions("customers")
ROWS = 60


def _moved(rows: list[list]) -> list[list]:
    """The same owners, each at an address and with a payment of their own now."""
    return [[*r[:10], "全款", f"广州市天河区天河路{i}号", r[12]] for i, r in enumerate(rows)]


@pytest.fixture
def imported(database, tmp_path):
    """A first file of ROWS owners, then a second that changes every one of them and adds
    ROWS more: (the data after the first, the second batch's id)."""
    apply(database.sessions, write_csv(tmp_path / "一月.csv", DMS_HEADERS,
                                       customer_rows(ROWS)), CUSTOMERS)
    after_first = snapshot(database, versions=False)
    second = apply(database.sessions, write_csv(
        tmp_path / "二月.csv", DMS_HEADERS,
        _moved(customer_rows(ROWS)) + customer_rows(ROWS, start=ROWS)), CUSTOMERS)
    assert (second.created, second.updated) == (ROWS, ROWS)
    return after_first, second.batch_id


@contextmanager
def _statements(database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_undo_takes_the_same_few_statements_for_a_big_batch_as_for_a_small_one(database,
                                                                               imported):
    after_first, batch_id = imported
    steps: list[tuple[int, int]] = []
    with _statements(database) as seen:
        result = batches.undo_batch(database.sessions, batch_id,
                                    progress=lambda done, total: steps.append((done, total)))
    assert result.restored >= ROWS * 2  # each customer's address, each car's payment
    assert snapshot(database, versions=False) == after_first
    # Not one UPDATE per row (that was 2 statements a row: 240 here, 188,000 for 60,000 rows).
    assert len(seen) < 80, "\n".join(seen)
    # Progress: what the batch changed and what it created, up to the end, never back.
    total = steps[0][1]
    assert total == ROWS * 2 + result_deleted(result)
    assert steps[-1] == (total, total)
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)


def result_deleted(result: batches.UndoResult) -> int:
    return sum(result.deleted.values())


def test_a_cancelled_undo_leaves_the_batch_as_it_was_and_can_run_again(database, imported):
    after_first, batch_id = imported
    before = snapshot(database)
    token = CancelToken()

    def progress(done: int, total: int) -> None:
        if done == total:  # everything written, not yet committed
            token.cancel()

    with pytest.raises(Cancelled):
        batches.undo_batch(database.sessions, batch_id, progress=progress, cancel=token)
    assert snapshot(database) == before
    assert not batches.get_batch(database.sessions, batch_id).undone
    batches.undo_batch(database.sessions, batch_id)
    assert snapshot(database, versions=False) == after_first


KILLER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from services.imports import batches
from services.store.database import open_database

def progress(done, total):
    if done == total:  # every row put back and deleted, the transaction not committed
        os.kill(os.getpid(), signal.SIGKILL)

batches.undo_batch(open_database({url!r}).sessions, {batch}, progress=progress)
"""


def test_a_process_killed_at_the_end_of_an_undo_leaves_the_batch_whole(database, imported):
    after_first, batch_id = imported
    before = snapshot(database)
    url = database.engine.url.render_as_string(hide_password=False)
    proc = subprocess.run(
        [sys.executable, "-c", KILLER.format(root=str(ROOT), url=url, batch=batch_id)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert snapshot(database) == before
    assert not batches.get_batch(database.sessions, batch_id).undone
    batches.undo_batch(database.sessions, batch_id)
    assert snapshot(database, versions=False) == after_first


def test_the_cli_undo_shows_its_progress(database, imported):
    _after_first, batch_id = imported
    url = database.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", url, "import",
                           "undo", str(batch_id)], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^undo \[#+\] 100% ([\d,]+)/\1 ", proc.stderr, re.M), proc.stderr
    assert f"import batch #{batch_id} undone" in proc.stdout
