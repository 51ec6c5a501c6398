"""SQLite's one write lock, as an import sees it: whether another connection holds it right
now, and a copy of the database to work a dry run out on while it does (a dry run writes its
rows and rolls them back, and SQLite lets no second writer in, not even for a rollback)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import SQLITE_BUSY_MS, make_engine

SAVE_MS = 1500  # how long a dry run waits for the lock before working on a copy


def held_by_another(engine: Engine, wait_ms: int = SAVE_MS) -> bool:
    """Whether another connection holds the SQLite write lock, still after `wait_ms` (False on
    PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as probe:
        raw = probe.connection.driver_connection
        assert raw is not None
        # A colleague's save holds the lock for well under a second; one held for longer is
        # an import or a list build, which a dry run does not wait for (copying the 200,000-
        # customer demo's 1.6 GB file took 4.9 s here, more than waiting out a save).
        raw.execute(f"PRAGMA busy_timeout={wait_ms}")
        try:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("ROLLBACK")
        except sqlite3.OperationalError:  # "database is locked"
            return True
        finally:
            raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    return False


@contextmanager
def free_to_write(sessions: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    """`sessions`, or while another connection holds the SQLite write lock, sessions of a copy
    of the database as committed (SQLite's backup reads it beside the writer, in WAL mode),
    deleted afterwards: a dry run works the file out on it instead of waiting for the lock and
    giving up."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, Engine) or not held_by_another(engine):
        yield sessions
        return
    with tempfile.TemporaryDirectory(prefix="revisit-dry-run-") as folder:
        copy = Path(folder) / "snapshot.sqlite3"
        target = sqlite3.connect(copy)
        try:
            with engine.connect() as source:
                raw = source.connection.driver_connection
                assert raw is not None
                raw.backup(target)
        finally:
            target.close()
        snapshot = make_engine(f"sqlite:///{copy}")
        try:
            yield sessionmaker(**{**sessions.kw, "bind": snapshot})
        finally:
            snapshot.dispose()
