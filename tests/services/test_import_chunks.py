"""An import commits a chunk at a time: a colleague's edit made while a big file goes in waits
at most about a chunk and succeeds; a cancel or a failure takes back the chunks already in; a
killed import leaves an unfinished batch that the list shows with the rows it stored, that the
next import of the file completes and undo removes; an import undone or completed by a colleague
while it runs stops there. Real parallel processes, on SQLite and PostgreSQL."""

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
from services.store.errors import Cancelled, CancelToken, RevisitError
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


def test_a_killed_import_counts_what_it_stored_and_the_file_again_completes_it(
        database, tmp_path, supervisor):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    path = _big_file(tmp_path, 3500)
    importer = _importer(database.url, path, kill_after=2)
    importer.communicate(timeout=300)
    assert importer.returncode == -9
    stopped = batches.list_batches(database.sessions)[0]
    with database.sessions() as s:
        stored = s.scalar(select(func.count()).select_from(Customer)) - len(before["customer"])
    # Every chunk is committed with the counts of its rows: the killed batch says what it holds.
    assert stored > 0 and stopped.unfinished
    assert (stopped.rows_total, stopped.created, stopped.records["customer"]) == (stored,) * 3

    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.unchanged, again.completes) == (3500 - stored, stored,
                                                                 (stopped.id,))
    listed = {b.id: b for b in batches.list_batches(database.sessions)}
    assert listed[stopped.id].completed_by == again.batch_id
    assert not listed[stopped.id].unfinished and listed[again.batch_id].completes == (stopped.id,)
    with pytest.raises(RevisitError, match=rf"Cannot undo import batch #{stopped.id} alone: .* "
                                           rf"Undo batch #{again.batch_id}, which takes "
                                           rf"#{stopped.id} with it\."):
        batches.undo_batch(database.sessions, stopped.id, supervisor)
    undone = batches.undo_batch(database.sessions, again.batch_id, supervisor)
    assert undone.also == (stopped.id,) and undone.deleted["customer"] == 3500
    assert snapshot(database) == before
    assert all(b.undone for b in batches.list_batches(database.sessions)[:2])


def test_an_import_undone_while_it_runs_stops_there(database, tmp_path, supervisor):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    importer = _importer(database.url, _big_file(tmp_path, 3500), pause=1.0)
    assert importer.stdout is not None
    assert importer.stdout.readline().startswith("chunk"), importer.stderr.read()
    running = batches.list_batches(database.sessions)[0]
    assert running.unfinished and running.rows_total == 1000
    batches.undo_batch(database.sessions, running.id, supervisor)
    out, err = importer.communicate(timeout=300)
    # Without the check it went on storing chunks under a batch already undone.
    assert importer.returncode == 1 and "done" not in out
    assert f"Import batch #{running.id} was undone while it ran, so it stopped" in err
    assert snapshot(database) == before


def test_an_import_completed_by_a_colleague_while_it_runs_stops_there(database, tmp_path,
                                                                       supervisor):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    path = _big_file(tmp_path, 3500)
    # The colleague's import pauses long after its first chunk, as a stalled one would.
    importer = _importer(database.url, path, pause=8.0)
    assert importer.stdout is not None
    assert importer.stdout.readline().startswith("chunk"), importer.stderr.read()
    running = batches.list_batches(database.sessions)[0]
    mine = apply(database.sessions, path, CUSTOMERS)
    assert (mine.created, mine.unchanged, mine.completes) == (2500, 1000, (running.id,))
    out, err = importer.communicate(timeout=300)
    assert importer.returncode == 1 and "done" not in out
    assert (f"Import batch #{running.id} stopped: batch #{mine.batch_id}, a later import of the "
            f"same file, completed it while it ran.") in err
    # Nothing left to withdraw is no failure: no warning, and no second error with it (the
    # harness itself lets the first one through with its traceback).
    assert "withdrawal failed" not in err and "undo it instead" not in err
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) \
            == len(before["customer"]) + 3500
    batches.undo_batch(database.sessions, mine.batch_id, supervisor)
    assert snapshot(database) == before


def test_a_stop_signal_keeps_the_committed_chunks_as_an_unfinished_batch(database, tmp_path,
                                                                         every_chunk):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)

    def progress(done: int, total: int) -> None:
        if done >= 2000:  # two chunks are committed by now
            raise KeyboardInterrupt  # Ctrl+C, or the CLI's SIGTERM

    with pytest.raises(engine.ImportStopped) as stopped:
        apply(database.sessions, _big_file(tmp_path, 3500), CUSTOMERS, progress=progress)
    batch = stopped.value.batch
    assert batch is not None and stopped.value.batch_id == batch.id
    assert stopped.value.file_rows == 3500
    assert batch.unfinished and (batch.rows_total, batch.created) == (2000, 2000)
    assert batches.list_batches(database.sessions)[0] == batch


def test_a_stop_signal_before_the_first_commit_leaves_nothing(database, tmp_path, monkeypatch):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 3600)

    def progress(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(engine.ImportStopped) as stopped:
        apply(database.sessions, _big_file(tmp_path, 3500), CUSTOMERS, progress=progress)
    assert (stopped.value.batch_id, stopped.value.batch) == (None, None)
    assert snapshot(database) == before
    assert batches.list_batches(database.sessions)[0].undone  # the empty batch, withdrawn
