"""Shared fixtures: a real, migrated database on SQLite and, when a server is given, PostgreSQL.

Set REVISIT_TEST_PG_URL (e.g. postgresql://revisit:revisit@localhost/postgres) to run every
database test on PostgreSQL too; the suite makes its own throw-away database on that server.
With REVISIT_REQUIRE_PG=1 (CI) a missing server is an error, not a skip."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models import Base
from services.store.database import Database, open_database

PG_URL_ENV = "REVISIT_TEST_PG_URL"
# Root is refused nothing by a read-only folder or file, so the tests of what such a place
# refuses run only as an ordinary user; CI, which runs the suite as root, runs them again as
# one (`pytest -m non_root`, .ci/run).
NON_ROOT = pytest.mark.non_root
AS_ROOT = os.name != "posix" or os.geteuid() == 0


def non_root(test):
    """Mark `test` as one of those, skipped when run as root (or off POSIX)."""
    return pytest.mark.skipif(AS_ROOT, reason="needs a non-root POSIX user")(NON_ROOT(test))


@contextlib.contextmanager
def small_disk(folder: Path, size: str, *options: str) -> Iterator[Path]:
    """A real disk of `size` (a tmpfs, e.g. "2m", with mount `options` such as "ro") at
    `folder`, made here, for as long as the block runs: root writes anywhere else, so a full or
    read-only disk must be a mount. The test is skipped where nobody may mount (not root)."""
    folder.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small disk needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join((f"size={size}", *options)),
                           "tmpfs", str(folder)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


REQUIRE_PG_ENV = "REVISIT_REQUIRE_PG"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The per-user data folder (platformdirs reads XDG_DATA_HOME on Linux) of this test run only:
# what the program keeps there between runs (the checked-files memo, daily backups, the default
# database) must not come from, or go to, the data of the person running the tests.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="revisit-tests-data-")


def pytest_unconfigure(config):
    shutil.rmtree(os.environ["XDG_DATA_HOME"], ignore_errors=True)


def pytest_configure(config):
    # The same PySide work-around the application applies at start (ui/qt_fixes.py).
    from ui import qt_fixes

    qt_fixes.apply()


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            raise pytest.UsageError(f"{REQUIRE_PG_ENV}=1 but {PG_URL_ENV} is not set")
        return None
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, empty SQLite file; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    open_database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session, migrated once; dropped at the end."""
    admin = _pg_admin_url()
    if admin is None:
        yield None
        return
    name = f"revisit_test_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(
        make_url(admin).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    open_database(url).dispose()
    try:
        yield url
    finally:
        drop_pg_database(admin_engine, name)
        admin_engine.dispose()


def drop_pg_database(admin_engine, name: str) -> None:
    """Drop a throw-away PostgreSQL database, ending its connections (a killed test process's
    may linger). FORCE cannot end an autovacuum worker busy on a freshly filled database
    without the pg_signal_backend role, which a test login need not have: then wait and retry;
    autovacuum on a test-sized database is done within seconds."""
    from sqlalchemy.exc import ProgrammingError

    for attempt in range(40):
        try:
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError:
            if attempt == 39:
                raise
            time.sleep(0.5)


def _truncate_all(database: Database) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[Database]:
    """An empty, migrated Revisit database: a SQLite file, then the same on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "revisit.sqlite3"
        shutil.copy(sqlite_template, path)
        db = open_database(f"sqlite:///{path}")
        yield db
        db.dispose()
        return
    if pg_server_url is None:
        pytest.skip(f"PostgreSQL not configured ({PG_URL_ENV})")
    db = open_database(pg_server_url)
    _truncate_all(db)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def sqlite_database(tmp_path, sqlite_template) -> Iterator[Database]:
    """Only SQLite: for tests about files (backups, locks, damaged files)."""
    path = tmp_path / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    yield db
    db.dispose()


# Staff accounts for tests of protected actions: a supervisor and a staff member (clerk) in the
# `database` fixture's database, with these passwords.
SUPERVISOR_PASSWORD = "boss-secret"
STAFF_PASSWORD = "staff-secret"


@pytest.fixture
def supervisor(database):
    """The first supervisor of `database` (王主管, user name boss), as signed in."""
    from services.staff import accounts

    return accounts.create_first_supervisor(database.sessions, "boss", "王主管",
                                            SUPERVISOR_PASSWORD)


@pytest.fixture
def staff(database, supervisor):
    """A staff member of `database` (陈丽, user name chenli), as signed in after choosing
    their own password (STAFF_PASSWORD) in place of the first one the supervisor gave."""
    from services.staff import accounts, signing

    accounts.add_account(database.sessions, supervisor, "chenli", "陈丽", "clerk",
                         "first-from-boss")
    given = signing.sign_in(database.engine, "chenli", "first-from-boss").actor
    accounts.change_password(database.sessions, given, "first-from-boss", STAFF_PASSWORD)
    return signing.sign_in(database.engine, "chenli", STAFF_PASSWORD).actor
