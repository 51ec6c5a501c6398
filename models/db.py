"""Engines for the embedded SQLite file and for a shared PostgreSQL server."""

from __future__ import annotations

import os
import re
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

APP_NAME = "Revisit"
DB_FILENAME = "revisit.sqlite3"
ENV_DB_URL = "REVISIT_DB"


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_url() -> str:
    """The database used when none is named: $REVISIT_DB, else a SQLite file in the
    per-user data folder."""
    env = os.environ.get(ENV_DB_URL, "").strip()
    if env:
        return env
    return f"sqlite:///{default_data_dir() / DB_FILENAME}"


def spelled_out(url: str) -> str:
    """`url` with the scheme postgres:// (libpq's and many hosting services' spelling, which
    SQLAlchemy 2 no longer takes) written postgresql://, as SQLAlchemy reads it."""
    return re.sub(r"^postgres(?=[+:])", "postgresql", url.strip(), flags=re.IGNORECASE)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for in-memory or other databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


# How long a write waits for another writer before "database is locked" (a colleague's import
# commits a chunk every 2 s, and pauses after each so a waiting edit gets in).
SQLITE_BUSY_MS = 8000
# PostgreSQL: how long a statement waits for a row or table lock before giving up with an
# error the user reads as "busy, try again" (PostgreSQL's default is to wait for ever).
PG_LOCK_TIMEOUT = "8s"
# PostgreSQL: a server that does not answer at all (a PC off the network, a firewall dropping
# packets) is given up on after this many seconds rather than the operating system's TCP
# time-out (about 130 s on Linux), so staff hear of it while they wait. A database address
# that sets its own connect_timeout keeps it.
PG_CONNECT_TIMEOUT_S = 10


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the UI read while a background task writes; busy_timeout waits for a
    # writer on another PC/process instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def given_url(bind: object) -> str | None:
    """The address of the database behind an engine `bind` as the user gives it
    (postgresql://, not the postgresql+psycopg make_engine gives the engine), password
    included; None for anything without a URL."""
    url = getattr(bind, "url", None)
    if url is None:
        return None
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings Revisit relies on for the given database."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    # jit=off: on the 200,000-customer demo PostgreSQL 15 spent 0.9 s compiling a 0.6 s
    # dashboard query and 0.28 s on the segment matrix; no query here runs long enough to win
    # that back.
    args: dict[str, object] = {"options": f"-c lock_timeout={PG_LOCK_TIMEOUT} -c jit=off"}
    if "connect_timeout" not in parsed.query:
        args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return create_engine(parsed, pool_pre_ping=True, connect_args=args, **kwargs)
