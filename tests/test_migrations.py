"""Alembic migrations on SQLite and PostgreSQL: from empty, from the previous revision with data,
down and up again; the migrated schema equals the models; SQLite files are backed up first and
files that are not Revisit's are refused untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from models import Base
from models.db import make_engine
from services.store.database import (
    alembic_config,
    current_revision,
    head_revision,
    open_database,
    upgrade_schema,
)
from services.store.errors import RevisitError
from tests.conftest import drop_pg_database

PREVIOUS = "0001"
# Columns later revisions add to the old tables (empty on the rows that were there before).
ADDED_COLUMNS = ("list_run_id", "password_hash", "password_changed_at", "password_reset_at",
                 "version", "erased_at", "work_order", "contact_name", "next_service_date",
                 "next_service_km", "dms_code")
# What revision 0002 adds on top of 0001.
TABLES_ADDED_BY_0002 = {"saved_segment", "list_run", "list_run_member", "list_run_exclusion"}
OLD_TABLES = ("staff_user", "customer", "vehicle", "service_visit", "contact_event",
              "profile_change")


# ---------------------------------------------------------------------------
# fixtures and helpers
# ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database (no tables at all) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    # Asking for pg_server_url keeps conftest's rules: skip without a server, fail in CI.
    if request.getfixturevalue("pg_server_url") is None:
        pytest.skip("PostgreSQL not configured (REVISIT_TEST_PG_URL)")
    admin_url = make_url(os.environ["REVISIT_TEST_PG_URL"]).set(drivername="postgresql+psycopg")
    name = f"revisit_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_pg_database(admin, name)
        admin.dispose()


@pytest.fixture
def engine(empty_url) -> Iterator[Engine]:
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def add_customer(conn, at: dt.datetime) -> None:
    """Customer 1 (张三, 13800138001) as any revision from 0009 on stores one, in plain SQL."""
    conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                      "name_sort, mobile, created_at, updated_at, version) VALUES (1, "
                      "'C0000001', '张三', 'zhangsan', 'zs', 'zhang san', '13800138001', :at, "
                      ":at, 1)"), {"at": at})


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _schema_diff(engine: Engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(ctx, Base.metadata)


def _table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _fill_previous_revision(engine: Engine) -> None:
    """Rows as an app at revision 0001 wrote them, through tables reflected from the database
    itself (migrations and their tests never use the ORM classes, which follow the head)."""
    meta = MetaData()
    meta.reflect(engine, only=OLD_TABLES)
    t = meta.tables
    at = dt.datetime(2024, 3, 1, 9, 30)
    with engine.begin() as conn:
        conn.execute(t["staff_user"].insert(), [
            {"id": 1, "username": "chenli", "display_name": "陈丽", "role": "clerk",
             "active": True, "created_at": at},
        ])
        conn.execute(t["customer"].insert(), [
            {"id": i, "code": f"C{i:07d}", "name": name, "name_pinyin": py,
             "name_initials": ini, "name_sort": sort, "gender": g, "mobile": mobile,
             "province": "广东省", "city": "广州市", "district": "天河区",
             "birthday": dt.date(1980 + i, i, 10 + i), "birthday_md": f"{i:02d}{10 + i:02d}",
             "owner_staff_id": 1, "lifecycle_stage": "first_purchase",
             "created_at": at, "updated_at": at}
            for i, name, py, ini, sort, g, mobile in (
                (1, "张伟", "zhangwei", "zw", "zhang wei", "M", "13812345678"),
                (2, "李娜", "lina", "ln", "li na", "F", "15987654321"),
                (3, "欧阳明", "ouyangming", "oym", "ou yang ming", "M", None),
            )
        ])
        conn.execute(t["vehicle"].insert(), [
            {"id": 1, "customer_id": 1, "brand": "丰田", "model": "凯美瑞",
             "vin": "LVGBE40K58G123456", "plate": "粤A3K8M2",
             "purchase_date": dt.date(2018, 5, 20), "price_paid": Decimal("198000.00"),
             "payment_method": "loan", "loan_end": dt.date(2021, 5, 20), "active": True,
             "created_at": at},
            {"id": 2, "customer_id": 2, "brand": "本田", "model": "飞度", "vin": None,
             "plate": "粤B12345", "purchase_date": dt.date(2020, 8, 1),
             "price_paid": Decimal("95500.50"), "payment_method": "cash", "loan_end": None,
             "active": True,
             "created_at": at},
        ])
        conn.execute(t["service_visit"].insert(), [
            {"id": 1, "customer_id": 1, "vehicle_id": 1, "visit_date": dt.date(2019, 1, 5),
             "visit_type": "maintenance", "amount": Decimal("680.00"), "km": 8200},
            {"id": 2, "customer_id": 1, "vehicle_id": 1, "visit_date": dt.date(2020, 2, 9),
             "visit_type": "repair", "amount": Decimal("2450.80"), "km": 21500},
        ])
        conn.execute(t["contact_event"].insert(), [
            {"id": i, "customer_id": cid, "vehicle_id": vid,
             "contact_at": dt.datetime(2024, 1, i, 10, 15), "channel": channel,
             "purpose": purpose, "staff_id": 1, "outcome": outcome, "feedback": feedback,
             "next_follow_up": follow, "source_key": None, "created_at": at}
            for i, cid, vid, channel, purpose, outcome, feedback, follow in (
                (1, 1, 1, "phone", "callback", "reached", "对保养很满意", None),
                (2, 1, None, "sms", "care", "sent", None, None),
                (3, 2, 2, "phone", "sales", "no_answer", None, dt.date(2024, 1, 20)),
            )
        ])
        conn.execute(t["profile_change"].insert(), [
            {"id": 1, "customer_id": 1, "attribute": "marital_status", "old_value": None,
             "new_value": "single", "effective_date": dt.date(2018, 5, 20),
             "recorded_at": at, "staff_id": 1, "source": "visit", "note": None},
            {"id": 2, "customer_id": 1, "attribute": "marital_status", "old_value": "single",
             "new_value": "married", "effective_date": dt.date(2022, 10, 1),
             "recorded_at": at, "staff_id": 1, "source": "call", "note": "刚结婚"},
        ])


def _snapshot(engine: Engine, drop_columns: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """Every row of the old tables, in primary-key order, as plain dicts."""
    meta = MetaData()
    meta.reflect(engine, only=OLD_TABLES)
    out = {}
    with engine.connect() as conn:
        for name in OLD_TABLES:
            table = meta.tables[name]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            out[name] = [
                {k: v for k, v in row.items() if k not in drop_columns} for row in rows
            ]
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------
# from empty, schema equals the models
# ---------------------------------------------------------------------------


def test_empty_database_migrates_to_head_equal_to_models(engine):
    assert current_revision(engine) is None
    # The comparison is not vacuous: before migrating it sees every table missing.
    missing = {diff[1].name for diff in _schema_diff(engine) if diff[0] == "add_table"}
    assert missing == set(Base.metadata.tables)

    upgrade_schema(engine, "head")

    assert current_revision(engine) == head_revision()
    assert _table_names(engine) == set(Base.metadata.tables) | {"alembic_version"}
    assert _schema_diff(engine) == []


def test_migrated_check_constraints_equal_models(engine):
    """Alembic's comparison ignores CHECK constraints; they carry the code vocabularies and
    value ranges, so compare their names table by table."""
    upgrade_schema(engine, "head")
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        expected = {
            c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"
        }
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert found == expected, table.name


# ---------------------------------------------------------------------------
# from the previous revision, with data; down and up again
# ---------------------------------------------------------------------------


def test_upgrade_from_previous_revision_keeps_every_row(engine):
    upgrade_schema(engine, PREVIOUS)
    assert current_revision(engine) == PREVIOUS
    assert not TABLES_ADDED_BY_0002 & _table_names(engine)
    _fill_previous_revision(engine)
    before = _snapshot(engine)
    assert sum(len(rows) for rows in before.values()) == 13

    upgrade_schema(engine, "head")

    assert current_revision(engine) == head_revision()
    assert _snapshot(engine, drop_columns=ADDED_COLUMNS) == before
    assert TABLES_ADDED_BY_0002 <= _table_names(engine)
    assert _schema_diff(engine) == []
    with engine.begin() as conn:
        assert conn.execute(text("SELECT list_run_id FROM contact_event")).scalars().all() == [
            None, None, None
        ]
        # Staff from before accounts have no password: they cannot sign in until a supervisor
        # (created at the first run) sets one.
        assert conn.execute(text("SELECT password_hash FROM staff_user")).scalars().all() == [None]
        # Every customer starts at version 1: the first save based on it is accepted.
        assert set(conn.execute(text("SELECT version FROM customer")).scalars()) == {1}
        # The new column and table work together: a contact event can point at a list run.
        conn.execute(text(
            "INSERT INTO list_run (id, segment_name, filter_json, as_of, purpose, channel_mode,"
            " settings_json, created_at) VALUES (1, '老客户关怀', '{}', :d, 'care', 'auto', '{}',"
            " :at)"
        ), {"d": dt.date(2024, 2, 1), "at": dt.datetime(2024, 2, 1, 8)})
        conn.execute(text("UPDATE contact_event SET list_run_id = 1 WHERE id = 2"))
        assert conn.execute(
            text("SELECT id FROM contact_event WHERE list_run_id = 1")
        ).scalars().all() == [2]


def test_visits_imported_before_keep_their_work_order_from_the_note(engine):
    # The import wrote a visit's work order first in its note ("工单号 W…；the rest"); from
    # revision 0014 on it is a column of its own, which tells two same-day visits apart.
    upgrade_schema(engine, PREVIOUS)
    _fill_previous_revision(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE service_visit SET note = :note WHERE id = :id"), [
            {"id": 1, "note": "工单号 RO-2019-0105；服务顾问 小李"},
            {"id": 2, "note": "服务顾问 小王；工单号 W2"}])  # not written by an import
        conn.execute(text(
            "INSERT INTO service_visit (id, customer_id, vehicle_id, visit_date, visit_type,"
            " amount, note) VALUES (3, 1, 1, :d, 'repair', 0, '工单号 W3'),"
            " (4, 2, 2, :d, 'repair', 0, NULL)"), {"d": dt.date(2020, 2, 9)})
    upgrade_schema(engine, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, work_order, note FROM service_visit ORDER BY id")
                            ).all() == [
            (1, "RO-2019-0105", "工单号 RO-2019-0105；服务顾问 小李"),
            (2, None, "服务顾问 小王；工单号 W2"), (3, "W3", "工单号 W3"), (4, None, None)]


def test_downgrade_to_previous_and_upgrade_again(engine):
    upgrade_schema(engine, PREVIOUS)
    _fill_previous_revision(engine)
    before = _snapshot(engine)
    upgrade_schema(engine, "head")

    _downgrade(engine, PREVIOUS)

    assert current_revision(engine) == PREVIOUS
    assert not TABLES_ADDED_BY_0002 & _table_names(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("contact_event")}
    assert "list_run_id" not in columns
    assert _snapshot(engine) == before

    upgrade_schema(engine, "head")

    assert current_revision(engine) == head_revision()
    assert _snapshot(engine, drop_columns=ADDED_COLUMNS) == before
    assert _schema_diff(engine) == []


def test_foreign_keys_still_enforced_after_sqlite_batch_migration(tmp_path):
    """Batch mode rebuilds contact_event on SQLite; its foreign keys must survive the copy."""
    eng = make_engine(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    try:
        upgrade_schema(eng, PREVIOUS)
        _fill_previous_revision(eng)
        upgrade_schema(eng, "head")
        with eng.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        with pytest.raises(Exception, match="FOREIGN KEY"), eng.begin() as conn:
            conn.execute(text("UPDATE contact_event SET list_run_id = 99 WHERE id = 1"))
        with pytest.raises(Exception, match="FOREIGN KEY"), eng.begin() as conn:
            conn.execute(text("UPDATE contact_event SET customer_id = 99 WHERE id = 1"))
    finally:
        eng.dispose()


# ---------------------------------------------------------------------------
# open_database on existing SQLite files
# ---------------------------------------------------------------------------


def _old_sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite3"
    eng = make_engine(f"sqlite:///{path}")
    upgrade_schema(eng, PREVIOUS)
    _fill_previous_revision(eng)
    eng.dispose()
    return path


def test_open_old_sqlite_file_backs_it_up_then_upgrades(tmp_path):
    path = _old_sqlite_file(tmp_path)
    old_rows = _snapshot_sqlite_customers(path)

    database = open_database(f"sqlite:///{path}")
    try:
        assert current_revision(database.engine) == head_revision()
        assert _snapshot(database.engine, drop_columns=("list_run_id",))["customer"]
    finally:
        database.dispose()

    # The backup before a migration goes to the backup folder (beside the file by default).
    backups = sorted((tmp_path / "backups").glob("old.sqlite3.migration-*.bak"))
    assert len(backups) == 1
    # The backup is an ordinary SQLite file holding the database as it was before.
    conn = sqlite3.connect(backups[0])
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (PREVIOUS,)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert not TABLES_ADDED_BY_0002 & tables
    finally:
        conn.close()
    assert _snapshot_sqlite_customers(backups[0]) == old_rows
    assert _snapshot_sqlite_customers(path) == old_rows

    # Already at the head: opening again changes nothing and makes no second backup.
    open_database(f"sqlite:///{path}").dispose()
    assert len(list((tmp_path / "backups").glob("old.sqlite3.*.bak"))) == 1


def _snapshot_sqlite_customers(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT c.id, c.code, c.name, c.mobile, count(e.id) FROM customer c "
            "LEFT JOIN contact_event e ON e.customer_id = c.id GROUP BY c.id ORDER BY c.id"
        ).fetchall()
    finally:
        conn.close()


def test_new_sqlite_file_is_created_without_backup(tmp_path):
    path = tmp_path / "sub" / "new.sqlite3"
    path.parent.mkdir()
    open_database(f"sqlite:///{path}").dispose()
    assert path.is_file()
    assert not list(path.parent.glob("*.bak"))


def test_sqlite_file_with_foreign_tables_is_refused_unchanged(tmp_path):
    path = tmp_path / "accounts.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer TEXT, total REAL)")
    conn.execute("INSERT INTO invoice VALUES (1, '张伟', 1999.5)")
    conn.commit()
    conn.close()
    digest = _sha256(path)

    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{path}")

    assert str(path) in str(err.value)
    assert "not Revisit's" in str(err.value)
    assert _sha256(path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db"]


def test_sqlite_file_from_newer_version_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    open_database(f"sqlite:///{path}").dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    digest = _sha256(path)

    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{path}")

    assert "newer version" in str(err.value) and "9999" in str(err.value)
    assert str(path) in str(err.value)
    assert _sha256(path) == digest
    assert not list(tmp_path.glob("*.bak"))
