"""An import commits a chunk at a time: a colleague's edit made while a big file goes in waits
at most about a chunk and succeeds; a cancel or a failure takes back the chunks already in; a
killed import leaves an unfinished batch that the list shows and undo removes. Real parallel
processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import AuditLog, Customer, ImportBatch
from services.imports import batches, customers, engine
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.store.errors import Cancelled, CancelToken
from tests.services.import_files import (
    DMS_HEADERS,
    DMS_ROWS,
    customer_rows,
    dms_export,
    snapshot,
    write_csv,
)

ROOT = Path(__file__).resolve().parents[2]
TODAY_OPTIONS = "ImportOptions('customers', today=dt.date(2026, 11, 28))"
CUSTOMERS = ImportOptions("customers")

# Imports FILE into URL, printing "chunk N" after every chunk (flushed, so the test can act
# while the import runs) and pausing PAUSE seconds after each, as on a slow PC; with KILL it
# kills itself with SIGKILL after that many chunks. COMMIT_SECONDS is 0 here: every chunk is
# committed, whatever the machine's speed.
IMPORTER = f"""
    import datetime as dt, os, signal, sys, time
    from services.imports import engine
    from services.imports.apply import apply
    from services.imports.plan import ImportOptions
    from services.store.database import open_database
    engine.COMMIT_SECONDS = 0
    url, path, pause, kill = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    kill_after = int(kill) if kill != "-" else None
    db = open_database(url, upgrade=False)
    chunks = 0
    def progress(done, total):
        global chunks
        chunks += 1
        print("chunk", chunks, flush=True)
        time.sleep(pause)
        if kill_after is not None and chunks > kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
    result = apply(db.sessions, path, {TODAY_OPTIONS}, progress=progress)
    print("done", result.created, flush=True)
"""


def _importer(url: str, path: Path, pause: float = 0, kill_after: int | None = None
              ) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(IMPORTER), url, str(path),
                             str(pause), "-" if kill_after is None else str(kill_after)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _big_file(tmp_path: Path, rows: int, first: list | None = None) -> Path:
    return write_csv(tmp_path / "big.csv", DMS_HEADERS,
                     ([first] if first else []) + customer_rows(rows, start=500))


@pytest.fixture
def every_chunk(monkeypatch):
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)


def test_a_colleagues_edits_during_a_big_import_wait_at_most_a_chunk(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    # The file's first row gives customer 1 a new address: the first chunk updates the row
    # the colleague edits (PostgreSQL locks that row until the chunk is committed), and
    # SQLite's one writer is busy with the import until each commit.
    first = [*DMS_ROWS[0][:11], "广州市越秀区中山五路2号", None]
    importer = _importer(database.url, _big_file(tmp_path, 6000, first), pause=0.6)
    assert importer.stdout is not None
    assert importer.stdout.readline().startswith("chunk"), importer.stderr.read()
    waits = []
    for n in range(5):
        started = time.monotonic()
        with database.sessions.begin() as s:
            s.get(Customer, 1).note = f"edit {n}"
        waits.append(time.monotonic() - started)
        time.sleep(0.2)
    out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    assert "done 6000" in out
    # Without chunk commits each edit would wait for the whole file (at least 7 chunks of
    # 0.6 s; SQLite fails after busy_timeout).
    assert max(waits) < 2.5, waits
    with database.sessions() as s:
        one = s.get(Customer, 1)
        assert one.note == "edit 4" and "中山五路" in (one.street or "")
        assert s.scalar(select(func.count()).select_from(Customer)) >= 6000


def test_a_killed_import_leaves_an_unfinished_batch_that_undo_removes(database, tmp_path,
                                                                       supervisor):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    importer = _importer(database.url, _big_file(tmp_path, 3500), kill_after=2)
    importer.communicate(timeout=300)
    assert importer.returncode == -9
    found = batches.list_batches(database.sessions)
    assert [b.unfinished for b in found] == [True, False]
    assert snapshot(database) != before  # two chunks are in
    batches.undo_batch(database.sessions, found[0].id, supervisor)
    assert snapshot(database) == before
    assert not batches.list_batches(database.sessions)[0].unfinished


def test_a_cancel_after_committed_chunks_takes_them_back(database, tmp_path, every_chunk):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    token = CancelToken()

    def progress(done: int, total: int) -> None:
        if done >= 2000:  # two chunks are committed by now
            token.cancel()

    with pytest.raises(Cancelled):
        apply(database.sessions, _big_file(tmp_path, 3500), CUSTOMERS, progress=progress,
              cancel=token)
    assert snapshot(database) == before
    with database.sessions() as s:
        last = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert last is not None and last.undone_at is not None and last.finished_at is None
        assert s.scalar(select(AuditLog.action).where(AuditLog.entity_id == last.id,
                                                      AuditLog.entity == "import_batch")) \
            == "import_withdraw"


def test_a_failure_after_committed_chunks_takes_them_back(database, tmp_path, every_chunk,
                                                          monkeypatch):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    real = customers.process

    def failing(ctx, rows):
        real(ctx, rows)
        if any(result.number >= 2500 for result, _ in rows):
            raise RuntimeError("disk pulled out at row 2500")

    monkeypatch.setattr(customers, "process", failing)
    with pytest.raises(RuntimeError):
        apply(database.sessions, _big_file(tmp_path, 3500), CUSTOMERS)
    assert snapshot(database) == before
