"""One list of a segment made at a time, on every PC: a build holds the segment's lease from
before its run is built until its files are written and it is finished.

Two builds of one segment at the same moment each stored a run; whichever was finished later
took the other's calls out of the callers' queues (services/contacts/calls.py calls a customer
from their latest run), so the other's printed sheet was paper nobody's queue followed. Now
the second build waits for the first, and is then refused, naming who made which run when:
nothing of it is stored and the first run's calls stay where its paper says.

The lease dies with its holder, so a build killed midway never blocks the next one: on
PostgreSQL a session-level advisory lock on a connection of its own (released by the server
when the connection closes); on a SQLite file an OS lock on one byte of a file beside the
database (released by the OS when the process ends; POSIX locks belong to the process, which
builds one list at a time: the window's task runner runs writes one after another). An
in-memory SQLite database has one
process, so nothing to lease."""

from __future__ import annotations

import contextlib
import hashlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import and_, false, func, or_, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from models import ListRun, SavedSegment, StaffUser, db
from services.lists.runs import calls_queued, finish_if_complete
from services.store.errors import N_, CancelToken, RevisitError
from services.store.versions import when_text

Sessions = sessionmaker[Session]
MADE_MEANWHILE = N_("{who} made list run #{run} of the segment '{segment}' at {when}, while "
                    "this list waited to start; nothing was made here, so the calls printed on "
                    "that run stay in their callers' queues.")
# How often a waiting build looks again: a build of 114,000 members takes about 7 s.
POLL_SECONDS = 0.3
# The byte a segment's lease locks in the SQLite lease file: one of 2^31, by the name's hash.
SLOTS = 2**31


def lock_file(url: str) -> Path | None:
    """The lease file beside a SQLite database file (None for any other database)."""
    path = db.sqlite_path(url)
    return None if path is None else path.with_name(path.name + "-lists.lock")


def _key(name: str) -> int:
    """A segment name's lease key: a signed 64-bit number (PostgreSQL's advisory lock key)."""
    digest = hashlib.sha256(f"revisit list build {name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def making(sessions: Sessions, name: str, channel: str, *,
           waiting: Callable[[], None] | None = None,
           cancel: CancelToken | None = None) -> Iterator[None]:
    """Hold the lease of the segment (or template) `name` while its list is built, written and
    finished. Another build holding it: `waiting()` is told once, and this one waits (`cancel`
    may stop it). Then a run of the segment that other build made is refused
    (MADE_MEANWHILE): one stored since this build began, or one unfinished then (its files
    being written) and finished since; not withdrawn, and one whose calls this build's would
    replace (on the same channels, or with calls when this one may have calls)."""
    engine = sessions.kw["bind"]
    segment = (select(SavedSegment.id).where(SavedSegment.name == name).scalar_subquery())
    with sessions() as s:
        seen = s.scalar(select(func.max(ListRun.id))) or 0
        # A handful at most: runs killed before their files were complete, and any being
        # written now.
        writing = tuple(s.scalars(select(ListRun.id).where(
            ListRun.segment_id == segment, ListRun.finished_at.is_(None),
            ListRun.withdrawn_at.is_(None))))
    with _lease(engine, _key(name), waiting, cancel):
        # Nobody else is writing the segment's files now: a run still unfinished whose files
        # are all in place was killed before it was marked, and is finished first, as its
        # build would have (its paper may be out already), not taken for one made meanwhile.
        recovered = {run_id for run_id in writing if finish_if_complete(sessions, run_id)}
        meanwhile = or_(ListRun.id > seen,
                        and_(ListRun.id.in_([r for r in writing if r not in recovered]),
                             ListRun.finished_at.is_not(None)))
        may_call = channel in ("auto", "call")
        with sessions() as s:
            row = s.execute(
                select(ListRun.id, ListRun.segment_name, ListRun.created_at,
                       func.coalesce(func.nullif(StaffUser.display_name, ""),
                                     StaffUser.username))
                .outerjoin(StaffUser, StaffUser.id == ListRun.created_by)
                .where(ListRun.segment_id == segment, meanwhile,
                       ListRun.withdrawn_at.is_(None),
                       or_(ListRun.channel_mode == channel,
                           calls_queued() if may_call else false()))
                .order_by(ListRun.id.desc()).limit(1)).first()
        if row is not None:
            run_id, shown, at, who = row
            raise RevisitError(MADE_MEANWHILE, segment=shown, who=who or "?", run=run_id,
                               when=when_text(at))
        yield


@contextlib.contextmanager
def _lease(engine: Engine, key: int, waiting: Callable[[], None] | None,
           cancel: CancelToken | None) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            _wait(lambda: _pg_try(conn, key), waiting, cancel)
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                except Exception:  # a lock must not stay on a pooled connection
                    conn.invalidate()  # closed instead: the server then releases it
        return
    path = lock_file(str(engine.url))
    if path is None:
        yield
        return
    try:
        f = open(path, "a+b")  # closed below, once the lease ends
    except OSError:
        # A folder nobody may write in holds a database nobody may change: no build
        # gets as far as storing a run there.
        yield
        return
    with f:
        offset = key % SLOTS
        _wait(lambda: _file_try(f, offset), waiting, cancel)
        try:
            yield
        finally:
            _file_unlock(f, offset)


def _pg_try(conn: Connection, key: int) -> bool:
    return bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))


def _wait(attempt: Callable[[], bool], waiting: Callable[[], None] | None,
          cancel: CancelToken | None) -> None:
    told = False
    while not attempt():
        if not told and waiting is not None:
            waiting()
        told = True
        if cancel is not None:
            cancel.check()
        time.sleep(POLL_SECONDS)


if sys.platform == "win32":  # pragma: no cover - Windows
    import msvcrt

    def _file_try(f: IO[bytes], offset: int) -> bool:
        f.seek(offset)
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _file_unlock(f: IO[bytes], offset: int) -> None:
        f.seek(offset)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _file_try(f: IO[bytes], offset: int) -> bool:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
        except OSError:
            return False
        return True

    def _file_unlock(f: IO[bytes], offset: int) -> None:
        fcntl.lockf(f, fcntl.LOCK_UN, 1, offset)
