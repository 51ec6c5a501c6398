"""Moving a department's database to another one (one PC's SQLite file to a PostgreSQL server,
or back): every table, history and setting, checked by row counts and per-table checksums."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Row, String, Table, func, or_, select, text
from sqlalchemy.exc import ArgumentError

from models import Base
from models import db as db_urls
from services.staff.accounts import confirm
from services.staff.permissions import MANAGE_DATABASE, Actor, require
from services.store.bulk import copy_rows
from services.store.database import (
    DRIVER_ERRORS,
    Database,
    current_revision,
    open_database,
    translate_db_error,
)
from services.store.errors import N_, CancelToken, Progress, RevisitError
from services.store.staging import SQLITE_SIDECARS

CHUNK = 5_000
# Caches the target rebuilds from the data itself (stored RFM and km answers and the counters
# that say when they are stale): not data, neither copied nor compared.
CACHE_TABLES = frozenset({"data_stamp", "summary_state", "rfm_summary", "km_summary"})



@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    revision: str
    tables: tuple[TableCopy, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def data_tables() -> list[Table]:
    """Every table that holds the department's data, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in CACHE_TABLES]


def _canonical(value: object) -> str:
    """One spelling of a value whichever database returned it."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return format(decimal.Decimal(repr(value)).normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return str(value)


def _insert(dst: Connection, table: Table, rows: list[Row]) -> None:
    """Rows of `table` (as the source returned them, its columns in order) into the target:
    by COPY on PostgreSQL (an executemany there took about 140 µs a row on the server: a
    3,000-customer demo's 140,644 rows 25 s), as an executemany elsewhere."""
    if dst.dialect.name != "postgresql":
        dst.execute(table.insert(), [dict(row._mapping) for row in rows])
        return
    quote = dst.dialect.identifier_preparer
    copy_rows(dst.connection.driver_connection, quote.format_table(table),
              [quote.quote(c.name) for c in table.columns], rows)


def _ordered_rows(conn: Connection, table: Table) -> Iterator[Row]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=CHUNK).execute(select(table).order_by(*order))
    yield from result


def table_checksum(conn: Connection, table: Table) -> tuple[int, str]:
    """(row count, SHA-256 over every row in primary-key order, values spelled canonically)."""
    digest = hashlib.sha256()
    count = 0
    for row in _ordered_rows(conn, table):
        digest.update("\x1f".join(_canonical(v) for v in row).encode("utf-8"))
        digest.update(b"\x1e")
        count += 1
    return count, digest.hexdigest()


def _refuse_non_empty(conn: Connection, where: str) -> None:
    for table in data_tables():
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            raise RevisitError(
                N_("The target {where} already holds data (table {table}); Revisit copies "
                   "only into an empty database, so nothing was changed."),
                where=where, table=table.name)


def _record(table: Table, row: Row) -> str:
    """How a user finds the record: its code (C0001234) where it has one, else its key."""
    if "code" in table.c:
        return str(row._mapping["code"])
    return ", ".join(f"{c.name} {row._mapping[c.name]}" for c in table.primary_key.columns)


def _refuse_too_long(conn: Connection, target: str) -> None:
    """SQLite stores text longer than its column; PostgreSQL refuses it. Such a value would
    stop the copy half-way with the server's bare complaint; this names it before anything is
    written: table, record and column, and how many records hold one in all."""
    first: tuple[Table, Row, str, int] | None = None
    count = 0
    for table in data_tables():
        limited = [(c, c.type.length) for c in table.columns
                   if isinstance(c.type, String) and c.type.length]
        if not limited:
            continue
        over = or_(*(func.length(c) > limit for c, limit in limited))
        found = conn.execute(select(func.count()).select_from(table).where(over)).scalar_one()
        count += found
        if found and first is None:
            row = conn.execute(select(table).where(over)
                               .order_by(*table.primary_key.columns).limit(1)).one()
            first = next((table, row, c.name, limit) for c, limit in limited
                         if len(row._mapping[c.name] or "") > limit)
    if first is None:
        return
    table, row, column, limit = first
    raise RevisitError(
        N_("Nothing was copied: in table {table}, record {record}, the value of {column} has "
           "{length} characters, more than the {limit} its column holds, which {target} "
           "refuses ({count} such records in all)."),
        table=table.name, record=_record(table, row), column=column,
        length=len(row._mapping[column]), limit=limit, target=target, count=count)


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which rows copied with their ids do not move."""
    for table in data_tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
                and len(table.primary_key.columns) == 1
            ):
                conn.execute(text(
                    "SELECT setval(pg_get_serial_sequence(:t, :c), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false) "
                    "WHERE pg_get_serial_sequence(:t, :c) IS NOT NULL"
                ), {"t": table.name, "c": column.name})


def copy_database(source: Database, target: Database, *, actor: Actor | None,
                  progress: Progress | None = None,
                  cancel: CancelToken | None = None) -> CopyReport:
    """Copy every data table of `source` into the empty `target` (same schema revision) in
    one transaction on the target, then compare row counts and checksums table by table.
    On any failure or cancel the target is left as it was. Supervisors only: the copy holds
    every phone number. Nothing is written to `source`, so the copy equals it exactly."""
    with source.sessions() as s:
        require(confirm(s, actor), MANAGE_DATABASE)
    revision = current_revision(source.engine)
    if revision != current_revision(target.engine):
        raise RevisitError(N_("The two databases are at different schema revisions; open both "
                              "with this version of Revisit first."))
    if source.url == target.url:
        raise RevisitError(N_("The source and the target are the same database."))
    tables = data_tables()
    with source.engine.connect() as src:
        if target.engine.dialect.name != "sqlite":
            _refuse_too_long(src, target.display_url)
        totals = {t.name: src.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in tables}
    grand_total, done = sum(totals.values()), 0
    copied: list[TableCopy] = []
    # Closing `dst` without its commit rolls the whole copy back.
    with source.engine.connect() as src, target.engine.connect() as dst:
        with _said_of(target):
            dst.begin()
            _refuse_non_empty(dst, target.display_url)
        for table in tables:
            batch: list[Row] = []
            for row in _ordered_rows(src, table):
                batch.append(row)
                if len(batch) == CHUNK:
                    with _said_of(target):
                        _insert(dst, table, batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, grand_total)
                    if cancel:
                        cancel.check()
            if batch:
                with _said_of(target):
                    _insert(dst, table, batch)
                done += len(batch)
        if target.engine.dialect.name == "postgresql":
            _reset_sequences(dst)
        for table in tables:  # the check reads back what the target now holds
            with _said_of(target):
                rows, checksum = table_checksum(dst, table)
            want_rows, want = table_checksum(src, table)
            if (rows, checksum) != (want_rows, want):
                raise RevisitError(
                    N_("Table {table} did not arrive intact ({rows} of {expected} rows, "
                       "checksums differ); nothing was kept in the target."),
                    table=table.name, rows=rows, expected=want_rows)
            copied.append(TableCopy(table.name, rows, checksum))
        with _said_of(target):
            dst.commit()
    if progress:
        progress(grand_total, grand_total)
    return CopyReport(source.display_url, target.display_url, revision or "",
                      tuple(copied))


@contextlib.contextmanager
def _said_of(target: Database) -> Iterator[None]:
    """What the target's database or disk refuses, said of the target: the CLI names the
    database it opened, the source ("The disk holding <source> is full"), otherwise."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise translate_db_error(exc, target.url) from exc


def _sqlite_files(url: str) -> list[Path]:
    """The SQLite file of `url` and the working files SQLite makes beside it; [] for a server,
    and for a URL that cannot be read (open_database refuses it, saying why)."""
    try:
        path = db_urls.sqlite_path(db_urls.spelled_out(url))
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return []
    if path is None:
        return []
    return [path, *(path.with_name(path.name + s) for s in SQLITE_SIDECARS)]


def copy_to(source: Database, url: str, *, actor: Actor | None,
            progress: Progress | None = None,
            cancel: CancelToken | None = None) -> CopyReport:
    """Open the target `url` (a SQLite file is created and its schema made if it is not
    there) and copy `source` into it (copy_database). When the copy fails or is cancelled, a
    SQLite file it created is removed with the -wal, -shm and -journal files that were not
    there before, so that "nothing was changed" holds for the folder too; a file that was
    there before is kept, whatever happens."""
    files = _sqlite_files(url)
    made = [] if not files or files[0].exists() else [p for p in files if not p.exists()]
    try:
        target = open_database(url)
        try:
            return copy_database(source, target, actor=actor, progress=progress,
                                 cancel=cancel)
        finally:
            target.dispose()  # before its files are removed
    except BaseException:
        for path in made:
            with contextlib.suppress(OSError):  # the error being raised says what matters
                path.unlink(missing_ok=True)
        raise
