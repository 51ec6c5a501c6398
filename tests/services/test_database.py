"""The database itself: constraints on both backends, SQLite settings, where the database is, and
one clear error (naming the place) for every way opening it can fail."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from models import Customer
from models.activity import SCORE_COLUMNS
from models.db import make_engine
from services.store.database import (
    Database,
    current_revision,
    database_info,
    head_revision,
    open_database,
    upgrade_schema,
)
from services.store.errors import RevisitError
from services.store.integrity import CheckResult, check_sqlite

AT = "2024-05-06 10:00:00"


@pytest.fixture
def seeded(database) -> Iterator[Database]:
    """One valid row in each table the constraint tests touch (id 1 everywhere)."""
    statements = (
        "INSERT INTO staff_user (id, username, display_name, role, active, created_at) "
        "VALUES (1, 'chenli', '陈丽', 'clerk', :yes, :at)",
        "INSERT INTO customer (id, code, name, name_pinyin, name_initials, name_sort, gender, "
        "lifecycle_stage, owner_staff_id, created_at, updated_at) VALUES (1, 'C0000001', '张伟',"
        " 'zhangwei', 'zw', 'zhang wei', 'M', 'first_purchase', 1, :at, :at)",
        "INSERT INTO vehicle (id, customer_id, brand, model, vin, plate, price_paid, "
        "payment_method, active, created_at) VALUES (1, 1, '丰田', '凯美瑞', "
        "'LVGBE40K58G123456', '粤A3K8M2', 198000, 'loan', :yes, :at)",
        "INSERT INTO mileage_reading (id, vehicle_id, reading_date, km, source, created_at) "
        "VALUES (1, 1, '2024-01-05', 12000, 'visit', :at)",
        "INSERT INTO service_visit (id, customer_id, vehicle_id, visit_date, visit_type, amount,"
        " km) VALUES (1, 1, 1, '2024-01-05', 'maintenance', 680, 12000)",
        "INSERT INTO other_purchase (id, customer_id, vehicle_id, purchase_date, kind, amount) "
        "VALUES (1, 1, 1, '2024-01-05', 'insurance', 4200)",
        "INSERT INTO satisfaction_survey (id, customer_id, vehicle_id, visit_id, survey_date, "
        "overall_score, repair_quality, price, speed, attitude) "
        "VALUES (1, 1, 1, 1, '2024-01-07', 9, 9, 8, 10, 9)",
        "INSERT INTO complaint (id, customer_id, vehicle_id, opened_date, topic, resolved) "
        "VALUES (1, 1, 1, '2024-01-08', '等待时间长', :no)",
        "INSERT INTO contact_event (id, customer_id, vehicle_id, contact_at, channel, purpose, "
        "staff_id, outcome, created_at) VALUES (1, 1, 1, :at, 'phone', 'callback', 1, "
        "'reached', :at)",
        "INSERT INTO profile_change (id, customer_id, attribute, old_value, new_value, "
        "effective_date, recorded_at, staff_id, source) VALUES (1, 1, 'marital_status', NULL, "
        "'married', '2020-01-01', :at, 1, 'call')",
        "INSERT INTO do_not_contact (id, customer_id, channel, purpose, reason, source, set_on,"
        " created_at) VALUES (1, 1, 'sms', 'marketing', '回T退订', 'customer', '2024-02-01', :at)",
    )
    with database.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql), {"at": AT, "yes": True, "no": False})
    return database


def _value(database: Database, table: str, column: str):
    with database.engine.connect() as conn:
        return conn.execute(text(f"SELECT {column} FROM {table} WHERE id = 1")).scalar_one()


def _rejected(database: Database, sql: str, **params) -> None:
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(text(sql), params)


# ---------------------------------------------------------------------------
# constraints, on SQLite and PostgreSQL
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("column", SCORE_COLUMNS)
def test_survey_scores_are_0_to_10(seeded, column):
    for bad in (-1, 11):
        _rejected(seeded, f"UPDATE satisfaction_survey SET {column} = :v WHERE id = 1", v=bad)
    for good in (0, 10):
        with seeded.engine.begin() as conn:
            conn.execute(text(f"UPDATE satisfaction_survey SET {column} = :v WHERE id = 1"),
                         {"v": good})
        assert _value(seeded, "satisfaction_survey", column) == good


@pytest.mark.parametrize(
    ("table", "column", "bad", "good"),
    [
        ("customer", "gender", "X", "F"),
        ("customer", "lifecycle_stage", "vip", "repeat"),
        ("staff_user", "role", "boss", "supervisor"),
        ("vehicle", "payment_method", "bitcoin", "cash"),
        ("mileage_reading", "source", "guess", "call"),
        ("service_visit", "visit_type", "carwash", "repair"),
        ("other_purchase", "kind", "lottery", "accessory"),
        ("contact_event", "channel", "fax", "wechat"),
        ("contact_event", "purpose", "gossip", "survey"),
        ("contact_event", "outcome", "maybe", "no_answer"),
        ("profile_change", "attribute", "shoe_size", "household"),
        ("profile_change", "source", "rumour", "survey"),
        ("do_not_contact", "channel", "pigeon", "phone"),
        ("do_not_contact", "purpose", "care", "sales"),
    ],
)
def test_code_columns_reject_unknown_codes(seeded, table, column, bad, good):
    before = _value(seeded, table, column)
    _rejected(seeded, f"UPDATE {table} SET {column} = :v WHERE id = 1", v=bad)
    assert _value(seeded, table, column) == before
    with seeded.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = 1"), {"v": good})
    assert _value(seeded, table, column) == good


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("service_visit", "amount"),
        ("service_visit", "km"),
        ("other_purchase", "refunded"),
        ("mileage_reading", "km"),
        ("vehicle", "price_paid"),
    ],
)
def test_negative_amounts_and_km_rejected(seeded, table, column):
    before = _value(seeded, table, column)
    _rejected(seeded, f"UPDATE {table} SET {column} = -1 WHERE id = 1")
    assert _value(seeded, table, column) == before
    with seeded.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = 0 WHERE id = 1"))
    assert _value(seeded, table, column) == 0


def test_only_a_refund_is_negative_and_a_refund_is_never_refunded(seeded):
    _rejected(seeded, "UPDATE other_purchase SET amount = -1, refunded = 1 WHERE id = 1")
    with seeded.engine.begin() as conn:
        conn.execute(text("UPDATE other_purchase SET amount = -1, refunded = 0 WHERE id = 1"))
    assert _value(seeded, "other_purchase", "amount") == -1
    _rejected(seeded, "UPDATE other_purchase SET refunded = 1 WHERE id = 1")


def test_complaint_cannot_be_resolved_before_it_was_opened(seeded):
    _rejected(seeded, "UPDATE complaint SET resolved = :y, resolved_date = '2024-01-01' "
              "WHERE id = 1", y=True)
    with seeded.engine.begin() as conn:
        conn.execute(text("UPDATE complaint SET resolved = :y, resolved_date = '2024-01-08' "
                          "WHERE id = 1"), {"y": True})


def test_foreign_keys_enforced(seeded):
    _rejected(seeded, "INSERT INTO vehicle (id, customer_id, brand, model, active, created_at) "
              "VALUES (2, 999, '本田', '飞度', :y, :at)", y=True, at=AT)
    _rejected(seeded, "UPDATE contact_event SET staff_id = 42 WHERE id = 1")
    _rejected(seeded, "UPDATE service_visit SET vehicle_id = 7 WHERE id = 1")
    # A staff user who owns customers and made calls cannot simply vanish.
    _rejected(seeded, "DELETE FROM staff_user WHERE id = 1")


def test_deleting_a_customer_cascades_and_vehicle_links_are_cleared(seeded):
    with seeded.engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, created_at, updated_at) VALUES (2, 'C0000002', '李娜', "
                          "'lina', 'ln', 'li na', :at, :at)"), {"at": AT})
        conn.execute(text("UPDATE vehicle SET customer_id = 2 WHERE id = 1"))
    with seeded.engine.begin() as conn:
        # The car went to customer 2: customer 1's visit keeps its history but loses the link
        # when the car is deleted.
        conn.execute(text("DELETE FROM vehicle WHERE id = 1"))
        assert conn.execute(text("SELECT vehicle_id FROM service_visit")).scalar_one() is None
        assert conn.execute(text("SELECT count(*) FROM mileage_reading")).scalar_one() == 0
        conn.execute(text("DELETE FROM customer WHERE id = 1"))
        for table in ("service_visit", "contact_event", "profile_change", "complaint",
                      "satisfaction_survey", "do_not_contact", "other_purchase"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
        assert conn.execute(text("SELECT count(*) FROM customer")).scalar_one() == 1


def test_vin_is_unique_but_may_be_missing(seeded):
    sql = ("INSERT INTO vehicle (id, customer_id, brand, model, vin, active, created_at) "
           "VALUES (:id, 1, '丰田', '雷凌', :vin, :y, :at)")
    _rejected(seeded, sql, id=2, vin="LVGBE40K58G123456", y=True, at=AT)
    with seeded.engine.begin() as conn:
        conn.execute(text(sql), {"id": 2, "vin": None, "y": True, "at": AT})
        conn.execute(text(sql), {"id": 3, "vin": None, "y": True, "at": AT})
        assert conn.execute(text("SELECT count(*) FROM vehicle")).scalar_one() == 3


def test_customer_code_is_unique(seeded):
    with pytest.raises(IntegrityError), seeded.sessions.begin() as s:
        s.add(Customer(code="C0000001", name="王芳"))
    with seeded.sessions.begin() as s:
        s.add(Customer(code="C0000002", name="王芳"))
    with seeded.engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM customer ORDER BY code")).scalars().all() == [
            "C0000001", "C0000002"
        ]


# ---------------------------------------------------------------------------
# SQLite settings
# ---------------------------------------------------------------------------


def test_sqlite_uses_wal_and_foreign_keys(sqlite_database):
    with sqlite_database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() > 0
    # WAL is stored in the file, so every program opening it shares one journal mode.
    path = Path(sqlite_database.engine.url.database)
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        raw.close()


def test_database_info_describes_the_sqlite_file(sqlite_database):
    info = database_info(sqlite_database)
    assert info.backend == "sqlite"
    assert info.revision == info.head == head_revision()
    assert info.file_size == Path(sqlite_database.engine.url.database).stat().st_size > 0
    assert set(info.row_counts.values()) == {0}
    assert {"customer", "vehicle", "contact_event", "list_run"} <= set(info.row_counts)


# ---------------------------------------------------------------------------
# where the database is
# ---------------------------------------------------------------------------


def test_revisit_db_environment_variable_names_the_database(tmp_path, monkeypatch):
    path = tmp_path / "from-env" / "shop.sqlite3"
    path.parent.mkdir()  # a named path's folder must exist; only the default one is made
    monkeypatch.setenv("REVISIT_DB", f"sqlite:///{path}")
    database = open_database()
    try:
        assert database.url == f"sqlite:///{path}"
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()
    assert path.is_file()


def test_default_is_a_sqlite_file_in_the_per_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("REVISIT_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    database = open_database()
    try:
        assert database.is_sqlite
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()
    expected = tmp_path / "data" / "Revisit" / "revisit.sqlite3"
    assert database.url == f"sqlite:///{expected}"
    assert expected.is_file()


# ---------------------------------------------------------------------------
# errors: one clear RevisitError naming the place
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["foo://x", "not a url", "postgresql+nosuchdriver://h/db"])
def test_bad_url(url):
    with pytest.raises(RevisitError) as err:
        open_database(url)
    assert f"'{url}'" in str(err.value)
    assert "not a database URL" in str(err.value)


@pytest.mark.parametrize(("url", "said"), [
    ("mysql://clerk:secret@server/revisit", "'mysql://clerk:***@server/revisit'"),
    # A port that is not a number: SQLAlchemy cannot read the URL at all.
    ("postgresql://clerk:secret@server:54x/revisit", "'postgresql://clerk:***@server:54x/revisit'"),
])
def test_a_refused_url_is_said_without_its_password(url, said):
    with pytest.raises(RevisitError) as err:
        open_database(url)
    assert said in str(err.value) and "not a database URL" in str(err.value)
    assert "secret" not in str(err.value)


def test_postgres_is_read_as_postgresql(pg_server_url):
    """postgres:// (libpq's spelling, which SQLAlchemy 2 no longer takes) opens the server."""
    if pg_server_url is None:
        pytest.skip("no PostgreSQL server configured (REVISIT_TEST_PG_URL)")
    database = open_database(re.sub("^postgresql", "postgres", pg_server_url))
    try:
        assert database.engine.dialect.name == "postgresql"
    finally:
        database.dispose()


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{tmp_path}")
    assert str(tmp_path) in str(err.value) and "folder" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_file_that_is_not_a_database_is_left_unchanged(tmp_path):
    junk = tmp_path / "notes.sqlite3"
    junk.write_bytes(b"Revisit? no: this is a shopping list\n" + bytes(range(256)) * 16)
    digest = hashlib.sha256(junk.read_bytes()).hexdigest()
    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{junk}")
    assert str(junk) in str(err.value) and "not a Revisit database" in str(err.value)
    assert hashlib.sha256(junk.read_bytes()).hexdigest() == digest
    assert [p.name for p in tmp_path.iterdir()] == ["notes.sqlite3"]


@pytest.mark.parametrize("create", [True, False])
def test_an_emptied_database_file_is_refused_not_made_a_new_empty_database(
        tmp_path, sqlite_template, create):
    """A shared file emptied (a sync conflict, a failed copy) became a new empty database in
    place of the department's: a command read 0 customers from it and the window asked for
    the first supervisor. Refused as a missing file is, pointing to the backups; a new file
    is still made where there is none."""
    empty = tmp_path / "shared.sqlite3"
    empty.write_bytes(b"")
    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{empty}", create=create)
    said = str(err.value)
    assert said.startswith(f"{empty} is empty (0 bytes)") and "nothing was changed" in said
    assert f"No intact backup of it was found in {tmp_path / 'backups'}" in said
    assert "revisit db restore" in said
    assert [p.name for p in tmp_path.iterdir()] == ["shared.sqlite3"]
    assert empty.stat().st_size == 0
    # With a good backup in the backup folder, that one is named.
    (tmp_path / "backups").mkdir()
    good = tmp_path / "backups" / "shared.sqlite3.daily-20261120-090000.bak"
    good.write_bytes(sqlite_template.read_bytes())
    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{empty}", create=create)
    assert f"The latest good backup is {good}" in str(err.value)
    assert empty.stat().st_size == 0
    new = tmp_path / "new.sqlite3"
    open_database(f"sqlite:///{new}", create=True).dispose()
    assert new.stat().st_size > 0


def test_parent_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("I am a file, not a folder")
    target = blocker / "sub" / "revisit.sqlite3"
    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{target}")
    assert str(blocker / "sub") in str(err.value)
    assert blocker.read_text() == "I am a file, not a folder"


def test_locked_database_needing_an_upgrade(tmp_path):
    """Another program holds the write lock while Revisit must migrate: a clear error after the
    busy timeout, and the file stays at its old revision."""
    path = tmp_path / "locked.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine, "0001")
    engine.dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(RevisitError) as err:
            open_database(f"sqlite:///{path}")
        assert time.monotonic() - started < 9
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(path) in str(err.value) and "locked" in str(err.value)
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    finally:
        check.close()
    # Once the other program lets go, the same file opens and upgrades.
    database = open_database(f"sqlite:///{path}")
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()


def test_unreachable_postgresql_server_hides_the_password():
    url = "postgresql://revisit:s3cret-pw@localhost:1/revisit"
    with pytest.raises(RevisitError) as err:
        open_database(url)
    message = str(err.value)
    assert "cannot be reached" in message and "localhost:1" in message
    assert "s3cret-pw" not in message and "s3cret-pw" not in err.value.technical
    assert "\n" not in message
    assert "Connection refused" in err.value.technical  # the driver's words, apart


def test_missing_postgresql_database(pg_server_url):
    if pg_server_url is None:
        pytest.skip("PostgreSQL not configured (REVISIT_TEST_PG_URL)")
    from sqlalchemy.engine import make_url

    url = make_url(pg_server_url).set(database="revisit_no_such_db").render_as_string(
        hide_password=False
    )
    with pytest.raises(RevisitError) as err:
        open_database(url)
    assert "revisit_no_such_db" in str(err.value)
    assert "\n" not in str(err.value)


def test_sqlite_database_stays_usable_after_failed_write(sqlite_database):
    """A rejected row rolls back alone; the connection and earlier rows are fine."""
    with sqlite_database.sessions.begin() as s:
        s.add(Customer(code="C1", name="张伟", birthday=dt.date(1985, 3, 2)))
    with pytest.raises(IntegrityError), sqlite_database.sessions.begin() as s:
        s.add(Customer(code="C2", name="李娜", gender="?"))
    with sqlite_database.sessions() as s:
        assert [c.code for c in s.query(Customer).order_by(Customer.code)] == ["C1"]


def first(pair):
    return pair[0]


def _timed_check(path: Path, seconds: float | None) -> tuple[float, CheckResult]:
    started = time.perf_counter()
    result = check_sqlite(path, seconds)
    return time.perf_counter() - started, result


def test_the_damage_check_at_opening_keeps_to_its_time_even_inside_the_b_trees(tmp_path):
    """Most of a file with indexes is b-tree pages, which SQLite 3.40 walks as one step of its
    check: a limit only looked at between steps let the check of a 1.6 GB file run 1.5–2 s
    whatever it was. Stopped at a twentieth of its full time, the check takes a small part of
    it, not most of it (70 % before the limit was kept inside the b-trees too)."""
    path = tmp_path / "indexed.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c TEXT, d TEXT)")
    for column in "bcd":
        conn.execute(f"CREATE INDEX t_{column} ON t ({column})")
    conn.executemany("INSERT INTO t (b, c, d) VALUES (?, ?, ?)",
                     ((str(i * 7919 % 1000003), str(i * 31 % 99991), str(i))
                      for i in range(300_000)))
    conn.commit()
    conn.close()
    whole, result = min((_timed_check(path, None) for _ in range(3)), key=first)
    assert result == CheckResult(ok=True, finished=True, problems=())
    part, result = min((_timed_check(path, whole / 20) for _ in range(3)), key=first)
    assert result == CheckResult(ok=True, finished=False, problems=())
    assert part < whole / 3, (part, whole)
    assert not check_sqlite(path, 0).finished  # a limit already past stops it too
