"""A schema upgrade is all or nothing, on SQLite as on PostgreSQL: a migration that fails, or a
process killed before the upgrade was committed, leaves the database at the revision it had,
none of the upgrade's changes in it, and the next start upgrades it whole. (Python's sqlite3
committed a migration's first ALTER TABLE at once: a killed upgrade left the new column, and
every later start failed on "duplicate column name".)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from models.db import make_engine
from services.store.database import current_revision, open_database, upgrade_schema
from services.store.errors import RevisitError
from services.store.schema import HEAD_REVISION
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "0018"
# Upgrades to the newest revision in a process of its own, killed (SIGKILL) once every
# migration has run and before the transaction is committed.
KILLED = """
import os, signal, sys
from alembic import command
from models.db import make_engine
from services.store.database import upgrade_schema
real = command.upgrade
def upgrade_then_die(cfg, revision):
    real(cfg, revision)
    os.kill(os.getpid(), signal.SIGKILL)
command.upgrade = upgrade_then_die
upgrade_schema(make_engine(sys.argv[1]))
"""


@pytest.fixture
def engine(empty_url):
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def _columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("customer")}


def _break_the_attribute_check(engine) -> None:
    """Make revision 0019's second step fail (its first adds customer.contact_name): the
    CHECK it rewrites is not the one it expects."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                                    "name = 'profile_change'")).scalar_one()
            version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
            conn.exec_driver_sql("PRAGMA writable_schema = ON")
            conn.execute(text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND "
                              "name = 'profile_change'"),
                         {"sql": sql.replace("'inspection_due'", "'inspection_due', 'other'")})
            conn.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
            conn.exec_driver_sql("PRAGMA writable_schema = OFF")
        else:
            conn.exec_driver_sql("ALTER TABLE profile_change RENAME CONSTRAINT "
                                 "ck_profile_change_attribute_code TO other_check")


def test_a_migration_that_fails_leaves_nothing_of_the_upgrade(engine, empty_url):
    upgrade_schema(engine, BEFORE)
    _break_the_attribute_check(engine)
    with pytest.raises(Exception, match="CHECK|constraint"):
        upgrade_schema(engine)
    engine.dispose()  # what a new start sees
    assert current_revision(engine) == BEFORE
    assert "contact_name" not in _columns(engine)
    # Opened as a start opens it: one sentence (the database's own refusal, on PostgreSQL).
    with pytest.raises(RevisitError) as refused:
        open_database(empty_url)
    said = str(refused.value)
    assert ("nothing of the upgrade was kept" if engine.dialect.name == "sqlite"
            else 'constraint "ck_profile_change_attribute_code"') in said
    assert "Traceback" not in said and "\n" not in said
    assert current_revision(engine) == BEFORE


def test_a_killed_upgrade_leaves_nothing_and_the_next_one_is_whole(engine, empty_url):
    upgrade_schema(engine, BEFORE)
    engine.dispose()
    done = subprocess.run([sys.executable, "-c", KILLED, empty_url], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert current_revision(engine) == BEFORE
    assert "contact_name" not in _columns(engine)
    upgrade_schema(engine)
    assert current_revision(engine) == HEAD_REVISION
    assert "contact_name" in _columns(engine)
    assert base._schema_diff(engine) == []
