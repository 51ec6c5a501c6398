"""A lock met by the import's own COPY on PostgreSQL is the "busy, try again" sentence every
other step gives, with nothing kept. Real locks from other connections, on SQLite and
PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from models import db
from services.imports import engine
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.store.database import Database, open_database, user_error
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
