"""A big list run's facts made on two cores at once: on a SQLite file, the statement that reads
every member's facts (km estimate, the year's contacts, the last contact, the score) runs as two
statements side by side, each over half the members by customer id, one on the build's own
connection and one on a second connection to the same file. One statement took 2.3 s of a
114,138-member run on one core of a 2-core VM; the two halves side by side 1.30-1.43 s.

SQLite keeps a connection's temporary tables to itself, so what both connections read and what
the second one makes pass through two small working files in a folder of their own, removed
afterwards: the members (made once, by the build's connection, and read by both) and the second
half (made by the second connection, then copied in beside the first). The members are fixed
once for both halves, so nobody is in both halves or neither, even if someone saves a change
while they are made.

The working files are only a way to make the facts sooner. Should anything about them fail (a
temporary folder that cannot be written, a full disk, a second connection that cannot open the
file), the build's own connection makes the facts as one statement, as on PostgreSQL, and any
error is the one that statement meets."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import column, func, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause, Select

from models import db
from services.lists import rows_in
from services.lists.query import list_members
from services.outputs.run_files import remove_stale_scratch
from services.segments.sqlx import CreateTempAs

log = logging.getLogger(__name__)

# Fewer members than this are made in one statement (from the members' working file): halves
# gained nothing for 2,025 members (0.15 s either way, most of it choosing them among 200,000)
# and 0.015 s for 3,384.
MIN_MEMBERS = 10_000
# The working files' names as either connection attaches them.
MEMBERS, HALF = "revisit_list_members", "revisit_list_half"

# The working files' folder, in the system's temporary folder; one a build left (its process
# was killed) is removed by a build a day later.
PREFIX = "revisit-list-"
STALE = dt.timedelta(days=1)

FactsOf = Callable[[Select | FromClause], Select]
# A SQL function the facts call, registered on each connection that makes them: its name, its
# number of arguments, the Python function.
Function = tuple[str, int, Callable[..., Any]]


def make_facts(session: Session, name: str, member_query: Select, facts_of: FactsOf,
               functions: tuple[Function, ...] = ()) -> None:
    """CREATE TEMPORARY TABLE `name` AS facts_of(the segment's members) on the session's
    connection: in two halves at once on a SQLite file (the module's note) when the segment
    has MIN_MEMBERS or more, else in one statement. `facts_of` takes the segment's member
    query or a table of its list_members; `functions` (SQLite's only) are registered on the
    session's connection first."""
    path = db.sqlite_path(str(session.get_bind().engine.url))
    raw = rows_in.driver(session)
    _register(raw, functions)
    # ATTACH is refused inside a transaction; a build opens none before it stores its run.
    if path is not None and raw is not None and not raw.in_transaction:
        folder: Path | None = None
        try:
            remove_stale_scratch(Path(tempfile.gettempdir()), PREFIX, STALE)
            folder = Path(tempfile.mkdtemp(prefix=PREFIX))
            _in_halves(session, raw, path, folder, name, member_query, facts_of, functions)
            return
        except Exception as exc:  # the one statement below meets any real error again
            log.info("list facts made in one statement: the working files failed (%s)", exc)
            session.execute(text(f"DROP TABLE IF EXISTS temp.{name}"))
        finally:
            for schema in (MEMBERS, HALF):
                _detach(raw, schema)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
    session.execute(CreateTempAs(name, facts_of(member_query)))


def _in_halves(session: Session, raw: Any, path: Path, folder: Path, name: str,
               member_query: Select, facts_of: FactsOf, functions: tuple[Function, ...]
               ) -> None:
    members_file, half_file = folder / "members.sqlite3", folder / "half.sqlite3"
    _attach(raw, members_file, MEMBERS)
    raw.execute(f"CREATE TABLE {MEMBERS}.m AS {_sql(session, list_members(member_query))}")
    members = table("m", column("customer_id"), column("vehicle_id"), schema=MEMBERS)
    count = session.scalar(select(func.count()).select_from(members)) or 0
    if count < max(MIN_MEMBERS, 2):
        session.execute(CreateTempAs(name, facts_of(members)))
        return
    # The last customer of the first half: customer ids up to it make the first half.
    last_first = session.scalar(select(members.c.customer_id).order_by(members.c.customer_id)
                                .offset(count // 2 - 1).limit(1))
    first = select(members).where(members.c.customer_id <= last_first).subquery("half")
    second = select(members).where(members.c.customer_id > last_first).subquery("half")
    helper = _SecondHalf(path, members_file, half_file, name,
                         _sql(session, facts_of(second)), functions)
    helper.start()
    try:
        session.execute(CreateTempAs(name, facts_of(first)))
    except BaseException:
        helper.stop()
        raise
    if helper.finish():
        _attach(raw, half_file, HALF)
        second_rows = f"SELECT * FROM {HALF}.{name}"
    else:  # the second connection could not: this one makes that half too
        second_rows = _sql(session, facts_of(second))
    # Added with no transaction begun (the driver begins one before an INSERT): begun here, it
    # would hold the state of the database the build reads next until the run is stored, and
    # SQLite refuses a write in a transaction that read a state another PC has since changed.
    with rows_in.autocommitted(session):
        raw.execute(f"INSERT INTO temp.{name} {second_rows}")


class _SecondHalf:
    """The second half's statement on a connection of its own, in a thread of its own (SQLite
    runs a statement without Python's lock, so both halves run at once)."""

    def __init__(self, path: Path, members_file: Path, half_file: Path, name: str, sql: str,
                 functions: tuple[Function, ...]) -> None:
        self._args = (path, members_file, half_file, name, sql, functions)
        self._connection: sqlite3.Connection | None = None
        self._error: BaseException | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="list facts", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the half where it is and wait for its thread (the first half failed)."""
        with self._lock:
            self._stopped = True
            if self._connection is not None:
                self._connection.interrupt()
        self._thread.join()

    def finish(self) -> bool:
        """Wait for the half; True when it was made."""
        self._thread.join()
        if self._error is not None:
            log.info("the second half of the list facts was not made: %s", self._error)
        return self._error is None

    def _run(self) -> None:
        path, members_file, half_file, name, sql, functions = self._args
        try:
            conn = _open(path)
        except sqlite3.Error as exc:
            self._error = exc
            return
        try:
            with self._lock:
                if self._stopped:
                    return
                self._connection = conn
            _register(conn, functions)
            _attach(conn, members_file, MEMBERS)
            _attach(conn, half_file, HALF)
            conn.execute(f"CREATE TABLE {HALF}.{name} AS {sql}")
        except sqlite3.Error as exc:
            self._error = exc
        finally:
            with self._lock:
                self._connection = None
            conn.close()


def _register(conn: Any, functions: tuple[Function, ...]) -> None:
    for function, arguments, call in functions:
        conn.create_function(function, arguments, call, deterministic=True)


def _open(path: Path) -> sqlite3.Connection:
    """The second connection: statements commit as they end, as the build's do until it
    stores the run; a writer elsewhere is waited for as the build's connection waits."""
    return sqlite3.connect(path, timeout=db.SQLITE_BUSY_MS / 1000, isolation_level=None,
                           check_same_thread=False)


def _attach(conn: Any, file: Path, schema: str) -> None:
    """A working file attached to `conn`, unjournaled (it is thrown away with its folder)."""
    conn.execute(f"ATTACH DATABASE ? AS {schema}", (str(file),))
    conn.execute(f"PRAGMA {schema}.journal_mode=OFF")
    conn.execute(f"PRAGMA {schema}.synchronous=OFF")


def _detach(conn: Any, schema: str) -> None:
    with contextlib.suppress(sqlite3.Error):  # an error on its way out says more
        if any(row[1] == schema for row in conn.execute("PRAGMA database_list")):
            conn.execute(f"DETACH DATABASE {schema}")


def _sql(session: Session, query: Select) -> str:
    return str(query.compile(dialect=session.get_bind().dialect,
                             compile_kwargs={"literal_binds": True}))
