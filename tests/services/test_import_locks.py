"""An import stopped part-way by a lock (or a full disk, a lost server, a cancel) whose
committed chunks cannot be taken back says so: batch #N stopped after its first X rows were
stored, and how to go on (import the same file again, or have a supervisor undo it), never the
database's "nothing was saved" nor SQL text, in the error or the log. And a lock met by the
import's own COPY on PostgreSQL is the "busy, try again" sentence every other step gives.
Real locks from other connections, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy import func, select

from models import Customer, db
from services.imports import batches, engine, failed
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.store.database import Database, open_database, user_error
from services.store.errors import Cancelled, CancelToken, RevisitError
from tests.services.import_files import (
    DMS_HEADERS,
    customer_rows,
    dms_export,
    snapshot,
    write_csv,
)

CUSTOMERS = ImportOptions("customers")


@contextmanager
def _held(url: str) -> Iterator[None]:
    """What another program holding a write lock does: the whole file on SQLite
    (BEGIN IMMEDIATE), the customer table on PostgreSQL (as a long report's LOCK TABLE …
    IN SHARE MODE), so the import's writes and its withdrawal's deletes wait and give up."""
    path = db.sqlite_path(url)
    if path is not None:
        lite = sqlite3.connect(path, isolation_level=None)
        lite.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            lite.execute("ROLLBACK")
            lite.close()
        return
    import psycopg

    with psycopg.connect(url) as pg:
        pg.execute("LOCK TABLE customer IN SHARE MODE")
        yield
        pg.rollback()


@pytest.fixture
def impatient(database, monkeypatch) -> Iterator[Database]:
    """The database opened again with short waits for a lock (the program waits 8 s), and an
    import that commits every chunk."""
    monkeypatch.setattr(db, "SQLITE_BUSY_MS", 800)
    monkeypatch.setattr(db, "PG_LOCK_TIMEOUT", "800ms")
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)
    mine = open_database(database.url, upgrade=False)
    yield mine
    mine.dispose()


def _customers(database: Database) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(Customer)) or 0


@pytest.mark.parametrize("how", ["locked", "cancelled"])
def test_rows_a_stopped_import_cannot_take_back_are_said_with_the_way_on(
        database, impatient, tmp_path, supervisor, caplog, how):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before, customers_before = snapshot(database), _customers(database)
    path = write_csv(tmp_path / "big.csv", DMS_HEADERS, customer_rows(3500, start=500))
    token = CancelToken()
    with _held_after(database.url, 2000, token if how == "cancelled" else None) as progress, \
            pytest.raises(RevisitError) as caught:
        caplog.set_level(logging.INFO)
        apply(impatient.sessions, path, CUSTOMERS, progress=progress, cancel=token)
    stopped = batches.list_batches(database.sessions)[0]
    said = str(caught.value)
    verb = "stopped" if how == "locked" else "was cancelled"
    assert said.startswith(f"Import batch #{stopped.id} {verb} after its first 2,000 rows "
                           f"were stored"), said
    assert "import the same file again to finish it" in said
    assert f"have a supervisor undo batch #{stopped.id}" in said
    if how == "locked":
        assert "busy with another person's or program's work" in said
    assert "nothing was" not in said
    # The driver's words for whoever supports the users, never SQL, in the log either.
    assert caught.value.technical and "SQL" not in caught.value.technical
    for text in (said, caplog.text):
        assert "[SQL" not in text and "DELETE" not in text and "parameters" not in text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert stopped.unfinished and (stopped.rows_total, stopped.created) == (2000, 2000)
    assert _customers(database) == customers_before + 2000

    # What the sentence says to do works: the same file again finishes the batch …
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.unchanged, again.completes) == (1500, 2000, (stopped.id,))
    # … and undoing that import (or the stopped batch, before) takes every row out.
    assert again.batch_id is not None
    undone = batches.undo_batch(database.sessions, again.batch_id, supervisor)
    assert undone.also == (stopped.id,)
    assert snapshot(database) == before


@contextmanager
def _held_after(url: str, rows: int, cancel: CancelToken | None):
    """A progress callback that, once `rows` rows are committed, has another connection take
    the write lock (and cancels the import with `cancel`); the lock is let go on leaving."""
    with ExitStack() as stack:
        def progress(done: int, total: int) -> None:
            if done >= rows and not stack_held:
                stack.enter_context(_held(url))
                stack_held.append(True)
                if cancel is not None:
                    cancel.cancel()

        stack_held: list[bool] = []
        yield progress


def test_a_lock_met_by_the_first_chunk_is_the_busy_sentence_with_nothing_kept(
        database, impatient, tmp_path):
    """On PostgreSQL the rows go in by COPY, straight through the driver: its lock timeout
    came out as "something unexpected went wrong (LockNotAvailable …)"."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    path = write_csv(tmp_path / "big.csv", DMS_HEADERS, customer_rows(1500, start=500))
    with _held(database.url), pytest.raises(Exception) as caught:
        apply(impatient.sessions, path, CUSTOMERS)
    error = user_error(caught.value, database.url)
    assert error is not None, repr(caught.value)
    assert str(error).startswith(f"The database {error.params['where']} is busy with another "
                                 f"person's or program's work; nothing was saved.")
    assert snapshot(database) == before


@pytest.mark.parametrize(("failure", "start"), [
    (sqlite3.OperationalError("database or disk is full"),
     "Import batch #7 stopped after its first 12,000 rows were stored, because the disk "
     "holding /data/revisit.sqlite3 is full; those rows stay in as an unfinished batch: free "
     "some space on that disk, then import the same file again"),
    (sqlite3.OperationalError("database is locked"),
     "Import batch #7 stopped after its first 12,000 rows were stored, because the database "
     "/data/revisit.sqlite3 became busy"),
    (Cancelled(), "Import batch #7 was cancelled after its first 12,000 rows were stored, and "
                  "they could not be taken back"),
    (RuntimeError("a bug"), "Import batch #7 stopped after its first 12,000 rows were stored, "
                            "and they stay in as an unfinished batch (import the same file "
                            "again to finish it, or have a supervisor undo batch #7 to take "
                            "them out); what stopped it: RuntimeError: a bug"),
])
def test_each_cause_has_its_sentence(failure, start):
    said = failed.rows_kept(failure, 7, 12000, "sqlite:////data/revisit.sqlite3")
    assert str(said).startswith(start), str(said)
    assert "nothing was" not in str(said)
