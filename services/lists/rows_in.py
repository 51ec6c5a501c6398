"""A query's rows turned by Python into another table's rows and stored, a chunk at a time:
the next chunk is made on a worker thread while this one is stored, and each chunk goes to the
driver in the cheapest form it takes (one INSERT of many rows on SQLite, COPY on
PostgreSQL). A list run stores its members and its left-out this way."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from services.store.bulk import copy_rows
from services.store.errors import RevisitError

# Rows read, made and stored at a time. Two chunks are in hand at once (one stored while the
# next is made): 1,000 kept a 103,441-member Excel list at 189 MiB, 2,000 at 198–203 MiB, and
# were as fast.
INSERT_CHUNK = 1000


@contextlib.contextmanager
def autocommitted(session: Session) -> Iterator[None]:
    """Statements run here on a SQLite connection commit as they end. Python's sqlite3 begins
    a transaction before an INSERT, UPDATE or DELETE, even of a temporary table, and keeps it
    open; the reads that follow in it then hold the database's state, and the first write to
    the database itself cannot wait for another writer: SQLite calls no busy handler for a
    transaction that has already read, and "database is locked" came at once instead of after
    the 8 s a write waits."""
    raw = driver(session)
    if not isinstance(raw, sqlite3.Connection) or raw.in_transaction:
        yield
        return
    level = raw.isolation_level
    raw.isolation_level = None
    try:
        yield
    finally:
        raw.isolation_level = level


def driver(session: Session) -> Any:
    """The driver's own connection under the session's (sqlite3's or psycopg's): the DB-API
    connection itself for these two, and still there once detached from the pool."""
    return session.connection().connection.dbapi_connection


@dataclass
class Packed:
    """A chunk of rows as it goes to the driver (pack), made ready on the worker thread."""

    rows: list[tuple[Any, ...]]
    # SQLite's statements, each with its parameters (COPY on PostgreSQL takes the rows).
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)


# The parameters one SQLite statement may take (SQLITE_MAX_VARIABLE_NUMBER: 32,766 since
# SQLite 3.32, 999 before), when the connection does not say.
SQLITE_VARIABLES = 999


def pack(dialect: str, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
         variables: int = SQLITE_VARIABLES) -> Packed:
    """Rows of plain values (ints and text, nothing a bind processor would change) ready for
    the driver: copied as they are on PostgreSQL; on SQLite, one INSERT of many rows (VALUES
    (…), (…), …) for as many rows as `variables` parameters hold. SQLAlchemy's executemany
    spent 1.2 s of a 102,838-member run building each row's parameters; the driver's own
    executemany takes Python's lock back after every row, so while the next chunk was being
    made beside it (pipelined) it waited for that lock row after row and gained nothing. One
    statement gives the lock up once for all its rows. Bound as parameters, the rows went in
    faster than as one JSON array a statement unpacked (the 109,000-member Excel list of
    bench/list_runs.py: median 6.53 s against 6.82 s, five runs each in turn), and a text holding
    NUL goes in whole (SQLite's JSON functions cut it there)."""
    if dialect == "postgresql":
        return Packed(rows)
    group = "(" + ", ".join("?" * len(columns)) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    each = max(1, variables // len(columns))
    return Packed(rows, [(head + ", ".join([group] * len(part)), tuple(chain.from_iterable(part)))
                         for part in (rows[i:i + each] for i in range(0, len(rows), each))])


def store_chunk(session: Session, table: Table, columns: tuple[str, ...], packed: Packed) -> None:
    """A packed chunk into `table`, in the session's transaction."""
    raw = driver(session)
    if session.get_bind().dialect.name == "postgresql":
        copy_rows(raw, table.name, columns, packed.rows)
        return
    for sql, params in packed.statements:
        raw.execute(sql, params)


def pipelined(session: Session, query: Select,
               make: Callable[[list[Any]], list[tuple[Any, ...]]], table: Table,
               columns: tuple[str, ...], stored: Callable[[int], None], refused: str) -> None:
    """`query`'s rows, a chunk at a time, made into `table`'s rows by `make` and packed for
    the driver (pack) on a worker thread while this thread inserts the chunk made before and
    reads the next; `stored(count)` after each insert. This thread's work sets the pace (the
    worker's chunk was always ready before it was wanted), so the packing went to the worker.
    Inserting spends its time in the database without Python's lock, and making snapshots holds
    it: taken in turns, a 103,441-member run spent 1.45 s inserting and 1.0 s making. `make`
    gets the chunks in their order, one at a time, each row a named tuple of the query's
    columns (a member's snapshot reads about forty, and a SQLAlchemy Row's attribute took
    0.3 µs a read: 1.3 s of 102,838 members); only this thread uses the session. A row the
    foreign keys refuse (what it points at is gone) raises RevisitError(`refused`).

    The rows come from the driver's own cursor: SQLAlchemy's Row objects (its query reads
    untyped working-table columns, so they held the driver's values unchanged) took 0.25 s
    of a 103,441-member run to make, all on this thread. On PostgreSQL the cursor is a
    server-side one, so the rows are not all fetched at once."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect,
                            compile_kwargs={"literal_binds": True}))
    raw = driver(session)
    # No parameters, but on PostgreSQL an empty tuple of them: psycopg then reads the text as
    # SQLAlchemy wrote it for psycopg, with every % doubled, and undoubles them (with none,
    # a modulo would reach the server as %%).
    if connection.dialect.name == "postgresql":
        cursor = raw.cursor(name="revisit_list_rows")
        execute = partial(cursor.execute, sql, ())
    else:
        cursor = raw.cursor()
        execute = partial(cursor.execute, sql)

    def store(made: Future[Packed]) -> None:
        packed = made.result()
        try:
            store_chunk(session, table, columns, packed)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) == "23503" or (
                    isinstance(exc, sqlite3.IntegrityError) and "FOREIGN KEY" in str(exc)):
                raise RevisitError(refused) from exc
            raise
        stored(len(packed.rows))

    try:
        execute()
        as_row = partial(tuple.__new__, namedtuple("Row", [d[0] for d in cursor.description]))

        variables = (raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                     if connection.dialect.name == "sqlite" else SQLITE_VARIABLES)

        def made_from(part: list[tuple[Any, ...]]) -> Packed:
            return pack(connection.dialect.name, table, columns, make(list(map(as_row, part))),
                        variables)

        with ThreadPoolExecutor(1, thread_name_prefix="list rows") as worker:
            made: Future[Packed] | None = None
            while part := cursor.fetchmany(INSERT_CHUNK):
                making = worker.submit(made_from, part)
                if made is not None:
                    store(made)
                made = making
            if made is not None:
                store(made)
    finally:
        cursor.close()
