"""Demo data on SQLite and PostgreSQL: deterministic, internally consistent and realistic, added
beside existing data without touching it, and leaving nothing behind when cancelled or refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType
from sqlalchemy import create_engine, func, select, text, true
from sqlalchemy.engine import make_url

from models import AuditLog, Base, ContactEvent, Customer
from models.summary import DERIVED_TABLES
from services.customers.pinyin import stored_keys
from services.demo import batches
from services.demo import data as ref
from services.demo import generator as demo
from services.store.database import Database, count_rows, open_database
from services.store.errors import Cancelled, CancelToken, RevisitError
from tests.conftest import drop_pg_database

TODAY = dt.date(2025, 6, 30)
YEAR = 365.25

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _normal(value):
    """One representation per value on both backends."""
    if isinstance(value, Decimal | float):
        return f"{value:.2f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _rows(database: Database, table_name: str, where=None) -> list[tuple]:
    table = Base.metadata.tables[table_name]
    query = select(table).order_by(*table.primary_key.columns)
    if where is not None:
        query = query.where(where(table))
    with database.engine.connect() as conn:
        return [tuple(_normal(v) for v in row) for row in conn.execute(query)]


def _digest(database: Database, where=None) -> dict[str, str]:
    """A hash of every table's rows in primary-key order; the demo's own note (app_setting,
    stamped with the time it was written) is compared through `_note`."""
    return {
        t.name: hashlib.sha256(repr(_rows(database, t.name, where)).encode()).hexdigest()
        for t in Base.metadata.sorted_tables
        if t.name not in DERIVED_TABLES and t.name != "app_setting"
    }


def _note(database: Database) -> batches.DemoNote:
    with database.engine.connect() as conn:
        return batches.read_note(conn)


def _data_counts(database: Database) -> dict[str, int]:
    """Rows per table of the dealer's data, without the demo's note."""
    return {t: n for t, n in count_rows(database).items() if t != "app_setting"}


def _wipe(database: Database) -> None:
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _pg_database(admin_url: str) -> tuple[str, callable]:
    """A new, migrated PostgreSQL database of our own and a function dropping it."""
    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"revisit_demo_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        drop_pg_database(engine, name)
        engine.dispose()

    return admin.set(database=name).render_as_string(hide_password=False), drop


# ---------------------------------------------------------------------------
# one generated data set per backend, shared by the consistency checks
# ---------------------------------------------------------------------------

N_CUSTOMERS = 300


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_db(request, tmp_path_factory, sqlite_template, pg_server_url) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        shutil.copy(sqlite_template, path)
        database = open_database(f"sqlite:///{path}")
        drop = None
    else:
        if pg_server_url is None:
            pytest.skip("PostgreSQL not configured (REVISIT_TEST_PG_URL)")
        url, drop = _pg_database(os.environ["REVISIT_TEST_PG_URL"])
        database = open_database(url)
    try:
        demo.generate(database, N_CUSTOMERS, seed=7, today=TODAY)
        yield database
    finally:
        database.dispose()
        if drop is not None:
            drop()


def _query(database: Database, sql: str) -> list:
    with database.engine.connect() as conn:
        return conn.execute(text(sql)).all()


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


MODELS = {(m.brand, m.name): m for m in ref.MODELS}
PROVINCES = {p.name: p for p in ref.PROVINCES}
# Standard VIN transliteration and weights (ISO 3779 / GB 16735), written out independently.
VIN_VALUES = dict(zip("0123456789", range(10), strict=True)) | dict(
    zip("ABCDEFGHJKLMNPRSTUVWXYZ", (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6,
                                    7, 8, 9), strict=True)
)
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 1980 (and 2010) = A, cycling every 30 years


def test_every_customer_was_generated(demo_db):
    counts = count_rows(demo_db)
    assert counts["customer"] == N_CUSTOMERS
    assert counts["staff_user"] == len(demo.STAFF)
    assert counts["tag"] == sum(len(t) for t in demo.TAG_GROUPS.values())
    # Everyone has at least one car, and histories of every kind exist.
    assert _query(demo_db, "SELECT count(*) FROM customer c WHERE NOT EXISTS "
                  "(SELECT 1 FROM vehicle v WHERE v.customer_id = c.id)") == [(0,)]
    for table in ("service_visit", "mileage_reading", "satisfaction_survey", "complaint",
                  "contact_event", "profile_change", "consent_event", "contact_preference",
                  "customer_tag", "other_purchase"):
        assert counts[table] > 0, table


def test_addresses_and_plates_agree(demo_db):
    rows = _query(demo_db, "SELECT c.province, c.city, c.district, c.postcode, v.plate, v.brand,"
                  " v.model FROM customer c JOIN vehicle v ON v.customer_id = c.id")
    assert rows
    for province, city, district, postcode, plate, brand, model in rows:
        prov = PROVINCES[province]
        cities = {c.name: c for c in prov.cities}
        assert city in cities, (province, city)
        assert district in cities[city].districts
        assert postcode == cities[city].postcode and postcode[:2] in prov.postcode_prefixes
        assert plate[0] == prov.abbr, (province, plate)
        assert plate[:2] in cities[city].plate_prefixes, (city, plate)
        if MODELS[(brand, model)].nev:  # green new-energy plate: D/F then five more
            assert re.fullmatch(r"..[DF][A-HJ-NP-Z0-9]\d{4}", plate), plate
        else:
            assert re.fullmatch(r"..[A-HJ-NP-Z0-9]{5}", plate), plate
            assert sum(ch.isalpha() for ch in plate[2:]) <= 2, plate


def test_vins_are_valid_unique_and_fit_the_car(demo_db):
    rows = _query(demo_db, "SELECT vin, brand, model, purchase_date FROM vehicle")
    vins = [r[0] for r in rows]
    assert len(set(vins)) == len(vins)
    for vin, brand, model, purchased in rows:
        assert re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin), vin
        total = sum(VIN_VALUES[ch] * w for ch, w in zip(vin, VIN_WEIGHTS, strict=True))
        assert vin[8] == ("X" if total % 11 == 10 else str(total % 11)), vin
        assert vin[:3] == MODELS[(brand, model)].wmi
        year = min(max(_as_date(purchased).year, ref.SALES_YEARS[0]), ref.SALES_YEARS[1])
        assert vin[9] == VIN_YEAR_CODES[(year - 1980) % 30], (vin, purchased)


def test_mobiles_are_real_mainland_mobiles(demo_db):
    rows = _query(demo_db, "SELECT mobile, other_phones FROM customer")
    mobiles = [m for m, _ in rows if m is not None]
    assert len(mobiles) > 0.9 * len(rows)
    for mobile in mobiles:
        assert re.fullmatch(r"1[3-9]\d{9}", mobile), mobile
        number = phonenumbers.parse(mobile, "CN")
        assert phonenumbers.is_valid_number(number), mobile
        assert phonenumbers.number_type(number) == PhoneNumberType.MOBILE, mobile
    # Without a mobile, a customer still has some phone.
    assert all(other for mobile, other in rows if mobile is None)


def test_prices_fit_the_model_and_year(demo_db):
    rows = _query(demo_db, "SELECT brand, model, purchase_date, price_paid FROM vehicle")
    for brand, model_name, purchased, price in rows:
        model = MODELS[(brand, model_name)]
        year = min(max(_as_date(purchased).year, ref.SALES_YEARS[0]), ref.SALES_YEARS[1])
        assert model.first_year <= year <= model.last_year, (model_name, year)
        low, high = ref.price_range(model, year)
        # The generator gives up to 12 % off the guide price and rounds down to 100 yuan.
        assert low * 0.88 - 100 <= float(price) <= high, (model_name, year, price)


def test_owners_were_adults_when_they_bought(demo_db):
    # A company (a customer with a contact person) has no birthday.
    rows = _query(demo_db, "SELECT c.birthday, min(v.purchase_date) FROM customer c "
                  "JOIN vehicle v ON v.customer_id = c.id WHERE c.contact_name IS NULL "
                  "GROUP BY c.id, c.birthday")
    assert rows
    for birthday, first in rows:
        assert (_as_date(first) - _as_date(birthday)).days / YEAR >= 18, (birthday, first)


def test_visits_and_readings_rise_over_time(demo_db):
    visits = _query(demo_db, "SELECT s.vehicle_id, s.visit_date, s.km, s.customer_id, "
                    "v.customer_id, v.purchase_date FROM service_visit s "
                    "JOIN vehicle v ON v.id = s.vehicle_id ORDER BY s.vehicle_id, s.visit_date")
    assert len(visits) > N_CUSTOMERS
    last: dict[int, tuple] = {}
    for vehicle_id, day, km, customer, owner, purchased in visits:
        assert customer == owner
        assert _as_date(purchased) < _as_date(day) <= TODAY
        if vehicle_id in last:
            prev_day, prev_km = last[vehicle_id]
            assert _as_date(day) > prev_day and km > prev_km, (vehicle_id, day, km)
        last[vehicle_id] = (_as_date(day), km)
    readings = _query(demo_db, "SELECT vehicle_id, reading_date, km FROM mileage_reading "
                      "ORDER BY vehicle_id, reading_date, id")
    per_vehicle: dict[int, list[int]] = defaultdict(list)
    for vehicle_id, day, km in readings:
        assert _as_date(day) <= TODAY
        per_vehicle[vehicle_id].append(km)
    assert per_vehicle
    for kms in per_vehicle.values():
        assert kms == sorted(kms) and len(set(kms)) == len(kms)


def test_surveys_follow_their_visit(demo_db):
    rows = _query(demo_db, "SELECT s.overall_score, s.repair_quality, s.price, s.speed, "
                  "s.attitude, s.survey_date, v.visit_date, s.customer_id, v.customer_id "
                  "FROM satisfaction_survey s JOIN service_visit v ON v.id = s.visit_id")
    assert rows
    assert len(rows) == count_rows(demo_db, ["satisfaction_survey"])["satisfaction_survey"]
    for *scores, surveyed, visited, customer, visit_customer in rows:
        assert all(0 <= score <= 10 for score in scores)
        assert _as_date(visited) <= _as_date(surveyed) <= TODAY
        assert customer == visit_customer
    # Real scores spread out: not everyone is perfectly happy.
    overall = {r[0] for r in rows}
    assert len(overall) >= 4 and min(overall) < 8


def test_lifecycle_stage_is_the_latest_recorded_change(demo_db):
    rows = _query(demo_db, "SELECT c.id, c.lifecycle_stage, p.new_value FROM customer c "
                  "LEFT JOIN profile_change p ON p.customer_id = c.id "
                  "AND p.attribute = 'lifecycle_stage' ORDER BY c.id, p.effective_date, p.id")
    latest: dict[int, tuple[str, str | None]] = {}
    for customer_id, stage, new_value in rows:
        latest[customer_id] = (stage, new_value)
    assert len(latest) == N_CUSTOMERS
    for customer_id, (stage, last_change) in latest.items():
        assert stage is not None and stage == last_change, customer_id
    assert len({stage for stage, _ in latest.values()}) >= 2


def test_profile_histories_chain_old_to_new(demo_db):
    rows = _query(demo_db, "SELECT customer_id, attribute, old_value, new_value, effective_date "
                  "FROM profile_change ORDER BY customer_id, attribute, effective_date, id")
    previous: dict[tuple[int, str], str | None] = {}
    changed_later = 0
    for customer_id, attribute, old, new, effective in rows:
        key = (customer_id, attribute)
        assert old == previous.get(key), (key, old, previous.get(key))
        assert new != old
        assert _as_date(effective) <= TODAY
        changed_later += key in previous
        previous[key] = new
    # Histories are not just first values: life moves on for many customers.
    assert changed_later > N_CUSTOMERS * 0.2


def test_some_complaints_are_still_open(demo_db):
    rows = _query(demo_db, "SELECT resolved, resolved_date, resolution, opened_date "
                  "FROM complaint")
    open_ = [r for r in rows if not r[0]]
    assert open_ and len(open_) < len(rows)
    for resolved, resolved_date, resolution, opened in rows:
        assert _as_date(opened) <= TODAY
        if resolved:
            assert resolution and _as_date(opened) <= _as_date(resolved_date) <= TODAY
        else:
            assert resolved_date is None and resolution is None


def test_birthday_and_name_keys_are_consistent(demo_db):
    rows = _query(demo_db, "SELECT name, name_pinyin, name_initials, name_sort, birthday, "
                  "birthday_md, code, id, contact_name, gender FROM customer")
    companies = 0
    for name, pinyin, initials, sort, birthday, md, code, customer_id, contact, gender in rows:
        # The keys as stored: cut to their columns (a company's long name).
        keys = stored_keys(name)
        assert (pinyin, initials, sort) == (keys.pinyin, keys.initials, keys.sort), name
        assert re.fullmatch(r"[a-z]+", pinyin)
        if contact is None:
            assert len(initials) == len(sort.split())
            assert md == _as_date(birthday).strftime("%m%d")
        else:
            # A car registered to the business its owner runs: the person is its contact.
            companies += 1
            assert name.endswith("公司") and (birthday, md, gender) == (None, None, None)
            assert stored_keys(contact).initials and len(contact) <= 4
        assert code == f"C{customer_id:07d}"
    assert 0 < companies < len(rows) * 0.05


def test_nothing_happens_after_today(demo_db):
    for sql in (
        "SELECT max(purchase_date) FROM vehicle",
        "SELECT max(contact_at) FROM contact_event",
        "SELECT max(purchase_date) FROM other_purchase",
        "SELECT max(event_date) FROM consent_event",
        "SELECT max(recorded_at) FROM profile_change",
    ):
        assert _as_date(_query(demo_db, sql)[0][0]) <= TODAY, sql


def test_nothing_happens_before_its_customer_was_stored(demo_db):
    """A customer is stored on their first purchase: no contact, consent, refusal, visit or
    profile change is dated earlier (a care SMS years before the customer's first car was)."""
    for sql in (
        "SELECT count(*) FROM contact_event x JOIN customer c ON c.id = x.customer_id "
        "WHERE x.contact_at < c.created_at",
        "SELECT count(*) FROM consent_event x JOIN customer c ON c.id = x.customer_id "
        "WHERE x.event_date < date(c.created_at)",
        "SELECT count(*) FROM do_not_contact x JOIN customer c ON c.id = x.customer_id "
        f"WHERE x.set_on < date(c.created_at) OR x.lifted_on > '{TODAY}'",
        "SELECT count(*) FROM service_visit x JOIN customer c ON c.id = x.customer_id "
        "WHERE x.visit_date < date(c.created_at)",
        "SELECT count(*) FROM profile_change x JOIN customer c ON c.id = x.customer_id "
        "WHERE x.effective_date < date(c.created_at)",
    ):
        assert _query(demo_db, sql)[0][0] == 0, sql
    assert _query(demo_db, "SELECT count(*) FROM contact_event")[0][0] > 0


# ---------------------------------------------------------------------------
# determinism
# ---------------------------------------------------------------------------


def test_same_seed_same_rows_different_seed_different_rows(database):
    demo.generate(database, 150, seed=11, today=TODAY)
    first = _digest(database)
    _wipe(database)
    demo.generate(database, 150, seed=11, today=TODAY)
    assert _digest(database) == first
    _wipe(database)
    demo.generate(database, 150, seed=12, today=TODAY)
    other = _digest(database)
    for table in ("customer", "vehicle", "service_visit", "contact_event", "profile_change"):
        assert other[table] != first[table], table
    # The vocabulary does not depend on the seed.
    assert other["staff_user"] == first["staff_user"] and other["tag"] == first["tag"]


def test_two_fresh_sqlite_files_get_identical_data(tmp_path, sqlite_template):
    digests = []
    for name in ("a.sqlite3", "b.sqlite3"):
        shutil.copy(sqlite_template, tmp_path / name)
        database = open_database(f"sqlite:///{tmp_path / name}")
        try:
            demo.generate(database, 150, seed=3, today=TODAY)
            digests.append(_digest(database))
        finally:
            database.dispose()
    assert digests[0] == digests[1]


def test_sqlite_and_postgresql_get_identical_data(tmp_path, sqlite_template, pg_server_url):
    if pg_server_url is None:
        pytest.skip("PostgreSQL not configured (REVISIT_TEST_PG_URL)")
    shutil.copy(sqlite_template, tmp_path / "a.sqlite3")
    digests = []
    for db_url in (f"sqlite:///{tmp_path / 'a.sqlite3'}", pg_server_url):
        database = open_database(db_url)
        try:
            _wipe(database)  # the shared PostgreSQL test database may hold earlier rows
            demo.generate(database, 150, seed=3, today=TODAY)
            digests.append(_digest(database))
            _wipe(database)
        finally:
            database.dispose()
    assert digests[0] == digests[1]


# ---------------------------------------------------------------------------
# adding to a database that has data; cancelling; refusing
# ---------------------------------------------------------------------------


def _max_ids(database: Database) -> dict[str, int]:
    out = {}
    with database.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c:
                out[table.name] = conn.execute(
                    select(func.coalesce(func.max(table.c.id), 0))
                ).scalar_one()
    return out


def _first_run_only(max_ids: dict[str, int]):
    """A filter selecting the rows that existed after the first run."""

    def where(table):
        if "id" in table.c:
            return table.c.id <= max_ids[table.name]
        if "customer_id" in table.c:
            return table.c.customer_id <= max_ids["customer"]
        return true()

    return where


def test_second_run_appends_and_leaves_first_run_untouched(database):
    demo.generate(database, 150, seed=1, today=TODAY)
    before_ids = _max_ids(database)
    before = _digest(database)
    before_counts = count_rows(database)

    summary = demo.generate(database, 120, seed=2, today=TODAY)

    assert _digest(database, _first_run_only(before_ids)) == before
    after_counts = count_rows(database)
    # Staff and tags are shared vocabulary: reused, not duplicated.
    for table in ("staff_user", "tag_group", "tag"):
        assert after_counts[table] == before_counts[table]
    for table, added in summary.rows.items():
        assert after_counts[table] == before_counts[table] + added, table
    with database.engine.connect() as conn:
        new_ids = conn.execute(
            text("SELECT id FROM customer WHERE id > :m ORDER BY id"), {"m": before_ids["customer"]}
        ).scalars().all()
        assert new_ids == list(range(before_ids["customer"] + 1, before_ids["customer"] + 121))
        # Ids of every table continue above the first run's.
        assert conn.execute(
            text("SELECT min(id) FROM vehicle WHERE customer_id > :m"),
            {"m": before_ids["customer"]},
        ).scalar_one() == before_ids["vehicle"] + 1

    # The application inserting rows afterwards gets fresh ids (PostgreSQL sequences moved on).
    top = _max_ids(database)
    with database.sessions.begin() as s:
        customer = Customer(code="C-NEW-1", name="新客户")
        s.add(customer)
        s.flush()
        event = ContactEvent(customer_id=customer.id, contact_at=dt.datetime(2025, 7, 1, 10),
                             channel="phone", purpose="care", outcome="reached")
        s.add(event)
        s.flush()
        assert customer.id == top["customer"] + 1
        assert event.id == top["contact_event"] + 1


def test_no_two_cars_share_a_plate_within_a_run_or_across_runs(database, monkeypatch):
    # Plates drawn from 2,000 numbers a prefix: the cars of 150 + 120 customers in a few cities
    # collide by chance many times over unless each plate is kept for one car.
    def few_plates(rng, prefix, new_energy=False, **_):
        return f"{prefix}{rng.randrange(2000):05d}"

    monkeypatch.setattr(ref, "make_plate", few_plates)
    monkeypatch.setattr(demo, "CHUNK", 50)
    demo.generate(database, 150, seed=1, today=TODAY)
    demo.generate(database, 120, seed=2, today=TODAY)
    with database.engine.connect() as conn:
        plates = conn.execute(text("SELECT plate FROM vehicle")).scalars().all()
    assert len(plates) > 270 and len(set(plates)) == len(plates)


def _uninterrupted(database: Database, *runs: tuple[int, int]) -> dict[str, str]:
    """The digest of the same runs (customers, seed) made without a stop, from empty."""
    _wipe(database)
    for customers, seed in runs:
        demo.generate(database, customers, seed=seed, today=TODAY)
    return _digest(database)


def test_a_cancelled_run_keeps_its_batches_says_so_and_resumes(database, monkeypatch):
    monkeypatch.setattr(demo, "CHUNK", 50)
    demo.generate(database, 60, seed=1, today=TODAY)
    before = _data_counts(database)
    token = CancelToken()
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        token.cancel()

    with pytest.raises(Cancelled):
        demo.generate(database, 180, seed=2, today=TODAY, progress=progress, cancel=token)

    assert calls == [(50, 180)]  # one batch was stored before the cancel took effect
    assert _data_counts(database)["customer"] == 110
    assert _note(database).run == {"customers": 180, "seed": 2, "today": TODAY.isoformat(),
                                   "base": 60, "done": 50, "chunk": 50}
    assert demo.stopped_run(database)
    # The note counts exactly the rows stored: nothing else is in the database.
    assert {t: n for t, n in _note(database).rows.items() if n} == {
        t: n for t, n in _data_counts(database).items() if n}
    with pytest.raises(RevisitError, match="half-filled by a demo that stopped after 50 of 180"):
        demo.generate(database, 10, seed=3, today=TODAY)
    assert _data_counts(database)["customer"] == 110  # refused: nothing added
    summary = demo.generate(database, resume=True)
    assert summary.customers == 130 and not demo.stopped_run(database)
    resumed = _digest(database)
    counts = _data_counts(database)
    assert counts["customer"] == 240 and counts != before
    assert resumed == _uninterrupted(database, (60, 1), (180, 2))


def test_a_failed_run_keeps_whole_batches_and_resume_gives_the_same_data(database,
                                                                         monkeypatch):
    monkeypatch.setattr(demo, "CHUNK", 40)
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise OSError("disk unplugged")

    with pytest.raises(OSError, match="disk unplugged"):
        demo.generate(database, 130, seed=4, today=TODAY, progress=progress)

    assert calls == [40, 80]
    assert _data_counts(database)["customer"] == 80
    # The application can add a row at once: ids (PostgreSQL sequences) are past the demo's.
    top = _max_ids(database)
    with database.sessions.begin() as s:
        customer = Customer(code="C-NEW-1", name="新客户")
        s.add(customer)
        s.flush()
        assert customer.id > top["customer"]
        s.rollback()
    assert demo.stopped_run(database)
    demo.generate(database, resume=True)
    assert _digest(database) == _uninterrupted(database, (130, 4))


def test_resume_without_a_stopped_run_is_refused(database):
    with pytest.raises(RevisitError, match="no stopped demo to resume"):
        demo.generate(database, resume=True)
    demo.generate(database, 20, seed=1, today=TODAY)
    with pytest.raises(RevisitError, match="no stopped demo to resume"):
        demo.generate(database, resume=True)


def _some_work(database: Database, kind: str) -> None:
    """One piece of somebody's work, of the kind named."""
    with database.sessions.begin() as s:
        customer = s.scalar(select(Customer).order_by(Customer.id).limit(1))
        if kind == "imported customer":
            s.add(Customer(code="K0001", name="进口客户"))
        elif kind == "contact event":
            s.add(ContactEvent(customer_id=customer.id, contact_at=dt.datetime(2025, 6, 1, 9),
                               channel="phone", purpose="care", outcome="reached"))
        elif kind == "erased customer":  # deleted, with everything about them
            s.execute(Customer.__table__.delete().where(Customer.id == customer.id))
        elif kind == "edit with an audit entry":
            s.add(AuditLog(action="set_preferences", entity="customer",
                           entity_id=customer.id, detail="{}"))


@pytest.mark.parametrize("kind", ["imported customer", "contact event", "erased customer",
                                  "edit with an audit entry"])
def test_a_database_with_anyone_s_work_is_refused_and_untouched(database, kind):
    demo.generate(database, 30, seed=1, today=TODAY)
    _some_work(database, kind)
    before = _digest(database)
    with pytest.raises(RevisitError, match="holds data the demo did not make"):
        demo.generate(database, 20, seed=2, today=TODAY)
    assert _digest(database) == before


def test_a_database_with_only_accounts_and_settings_takes_demo_data(database):
    from services.staff import accounts

    boss = accounts.create_first_supervisor(database.sessions, "boss", "王主管", "boss-secret")
    accounts.add_account(database.sessions, boss, "chenli", "陈丽", "clerk", "staff-secret")
    assert demo.generate(database, 20, seed=1, today=TODAY).customers == 20
    with pytest.raises(RevisitError, match="holds data the demo did not make"):
        # Work on an empty database counts as well (a customer typed in by hand).
        _wipe(database)
        with database.sessions.begin() as s:
            s.add(Customer(code="K1", name="手工客户"))
        demo.generate(database, 20, seed=1, today=TODAY)


def test_the_demo_shop_signs_its_texts_and_a_shop_s_own_name_stays(database):
    from services.outputs import sms
    from services.staff import accounts
    from services.store.settings import load_settings, load_settings_versions, save_settings

    boss = accounts.create_first_supervisor(database.sessions, "boss", "王主管", "boss-secret")
    loaded = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(loaded.settings, shop_name="广州某某丰田"),
                  boss, loaded)
    demo.generate(database, 20, seed=1, today=TODAY)
    settings = load_settings(database.sessions).validate()
    # The name a supervisor entered stays; the signature nobody set is the demo's.
    assert (settings.shop_name, settings.sms_signature) == ("广州某某丰田", "【示范汽车】")
    sms.template_from_settings("{店名}提醒{称呼}：保养9折", settings).check()

    _wipe(database)
    demo.generate(database, 20, seed=1, today=TODAY)
    fresh = load_settings(database.sessions)
    assert (fresh.shop_name, fresh.sms_signature) == ("示范汽车服务中心", "【示范汽车】")


@pytest.mark.parametrize("count", [0, -5, demo.MAX_CUSTOMERS + 1])
def test_invalid_count_is_refused_and_writes_nothing(database, count):
    with pytest.raises(RevisitError) as err:
        demo.generate(database, count, seed=1, today=TODAY)
    assert str(count) in str(err.value)
    assert set(count_rows(database).values()) == {0}


def test_summary_counts_match_the_database(database):
    summary = demo.generate(database, 80, seed=9, today=TODAY)
    counts = _data_counts(database)
    assert summary.customers == 80 and summary.seed == 9
    assert summary.rows == {t: n for t, n in counts.items() if n}
    assert summary.total_rows == sum(counts.values())
