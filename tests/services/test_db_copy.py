"""Moving a database to another: SQLite → SQLite, SQLite → PostgreSQL → SQLite, every table's
rows and checksum equal, a non-empty target refused, ids go on after the copy."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from models import Customer
from services.demo import generator as demo
from services.staff.permissions import MANAGE_DATABASE, NotAllowed
from services.staff.signing import sign_in
from services.store.copy import copy_database, copy_to, data_tables, table_checksum
from services.store.database import open_database
from services.store.errors import RevisitError
from tests import conftest
from tests.conftest import drop_pg_database

TODAY = dt.date(2026, 11, 23)


def _fingerprint(database):
    with database.engine.connect() as conn:
        return {t.name: table_checksum(conn, t) for t in data_tables()}


@pytest.fixture
def filled(sqlite_database):
    demo.generate(sqlite_database, 40, seed=5, today=TODAY)
    return sqlite_database


def _as(database, username="supervisor"):
    """A demo account of `database`, signed in (the demo's supervisor by default)."""
    return sign_in(database.engine, username, demo.DEMO_PASSWORD, record_it=False).actor


def test_only_a_supervisor_copies_the_database(filled, tmp_path):
    target = open_database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    try:
        for nobody in (_as(filled, "chenli"), None):
            with pytest.raises(NotAllowed, match="Only a supervisor may") as refused:
                copy_database(filled, target, actor=nobody)
            assert refused.value.permission == MANAGE_DATABASE
            assert all(rows == 0 for rows, _ in _fingerprint(target).values())
        copy_database(filled, target, actor=_as(filled))
        assert _fingerprint(target) == _fingerprint(filled)
    finally:
        target.dispose()


def test_sqlite_to_a_new_sqlite_file_copies_everything(filled, tmp_path):
    target = open_database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    try:
        report = copy_database(filled, target, actor=_as(filled))
        assert _fingerprint(target) == _fingerprint(filled)
        assert report.rows == sum(rows for rows, _ in _fingerprint(filled).values()) > 1000
        with target.sessions.begin() as s:  # the copy is a working database
            s.add(Customer(code="NEW1", name="新客户"))
    finally:
        target.dispose()


def test_a_target_that_holds_data_is_refused_and_left_alone(filled, tmp_path):
    target = open_database(f"sqlite:///{tmp_path / 'busy.sqlite3'}")
    try:
        with target.sessions.begin() as s:
            s.add(Customer(code="KEEP", name="已有客户"))
        before = _fingerprint(target)
        with pytest.raises(RevisitError, match="already holds data"):
            copy_database(filled, target, actor=_as(filled))
        assert _fingerprint(target) == before
    finally:
        target.dispose()


@pytest.fixture
def empty_pg_url():
    admin = os.environ.get("REVISIT_TEST_PG_URL", "").strip()
    if not admin:
        pytest.skip("PostgreSQL not configured (REVISIT_TEST_PG_URL)")
    name = f"revisit_copy_{uuid.uuid4().hex[:10]}"
    engine = create_engine(make_url(admin).set(drivername="postgresql+psycopg"),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_pg_database(engine, name)
        engine.dispose()


def test_sqlite_to_postgresql_and_back(filled, tmp_path, empty_pg_url):
    original = _fingerprint(filled)
    server = open_database(empty_pg_url)
    try:
        copy_database(filled, server, actor=_as(filled))
        assert _fingerprint(server) == original
        with filled.sessions() as s:
            highest = s.scalar(select(func.max(Customer.id)))
        with server.sessions() as s:  # ids go on after the copied ones
            s.add(Customer(code="NEW1", name="新客户"))
            s.flush()
            assert s.scalar(select(func.max(Customer.id))) == highest + 1
            s.rollback()
        back = open_database(f"sqlite:///{tmp_path / 'back.sqlite3'}")
        try:
            copy_database(server, back, actor=_as(server))
            assert _fingerprint(back) == original
        finally:
            back.dispose()
    finally:
        server.dispose()


def test_a_value_too_long_for_the_server_is_named_and_nothing_is_copied(filled, empty_pg_url):
    """SQLite stores text longer than its column, PostgreSQL refuses it: the copy says which
    table, record and column before writing anything."""
    with filled.sessions.begin() as s:
        s.add(Customer(code="C9000001", name="某某", employer="某" * 150))
    server = open_database(empty_pg_url)
    try:
        with pytest.raises(RevisitError) as refused:
            copy_database(filled, server, actor=_as(filled))
        said = str(refused.value)
        assert said.startswith("Nothing was copied: in table customer, record C9000001, the "
                               "value of employer has 150 characters, more than the 100"), said
        assert "(1 such records in all)" in said
        assert all(rows == 0 for rows, _ in _fingerprint(server).values())
    finally:
        server.dispose()


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB disk: room for a new database's schema (0.6 MB), not for 1,000 customers."""
    with conftest.small_disk(tmp_path / "disk", "2m") as disk:
        yield disk


def test_a_failed_copy_to_a_new_file_leaves_no_file_and_keeps_one_that_was_there(
        sqlite_database, small_disk):
    demo.generate(sqlite_database, 1000, seed=5, today=TODAY)
    new = small_disk / "new.sqlite3"
    with pytest.raises(NotAllowed):  # refused after the target was made: made, then removed
        copy_to(sqlite_database, f"sqlite:///{new}", actor=_as(sqlite_database, "chenli"))
    assert sorted(os.listdir(small_disk)) == []
    with pytest.raises(RevisitError) as refused:
        copy_to(sqlite_database, f"sqlite:///{new}", actor=_as(sqlite_database))
    assert str(refused.value) == f"The disk holding {new} is full; nothing was changed."
    assert sorted(os.listdir(small_disk)) == []  # nor its -wal, -shm or -journal
    there = small_disk / "there.sqlite3"
    open_database(f"sqlite:///{there}").dispose()  # an empty Revisit database, made before
    with pytest.raises(RevisitError, match=f"The disk holding {there} is full"):
        copy_to(sqlite_database, f"sqlite:///{there}", actor=_as(sqlite_database))
    assert there.is_file()
    kept = open_database(f"sqlite:///{there}", create=False)
    try:
        assert all(rows == 0 for rows, _ in _fingerprint(kept).values())
    finally:
        kept.dispose()


@pytest.mark.parametrize(("url", "shown"), [
    ("garbage", "'garbage'"),
    ("postgresql://u:secret@host:abc/x", "'postgresql://u:***@host:abc/x'"),
])
def test_a_target_url_that_cannot_be_read_is_said_in_one_sentence(sqlite_database, url, shown):
    """The target's files are looked at before it is opened: a URL that cannot be parsed
    leaves the refusal to the opening, which says what is wrong (its password hidden)."""
    with pytest.raises(RevisitError) as refused:
        copy_to(sqlite_database, url, actor=None)
    assert str(refused.value).startswith(f"{shown} is not a database URL Revisit understands")
