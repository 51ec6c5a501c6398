"""The demo's referrals, declined repair items and service intervals on SQLite and PostgreSQL:
consistent with the customers' own cars and visits, in realistic proportions, found by the
"best referrers", maintenance and declined-repair templates; and made from a random stream of
their own, so every other table is what the same seed gave before they existed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from services.customers import referrals, reminders
from services.demo import generator as demo
from services.demo.extras import Extras
from services.segments import service as segments
from services.store.database import Database, open_database
from tests.services.test_demo import _digest, _pg_database, _wipe

TODAY = dt.date(2025, 6, 30)
N_CUSTOMERS = 600
EXTRA_TABLES = ("referral", "referral_by_customer", "declined_item", "service_interval")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_db(request, tmp_path_factory, sqlite_template, pg_server_url) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        shutil.copy(sqlite_template, path)
        database, drop = open_database(f"sqlite:///{path}"), None
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


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def test_referrers_owned_a_car_before_and_most_introductions_converted(demo_db):
    rows = _query(demo_db, """
        SELECT r.customer_id, r.referred_on, r.referrer_kind, r.referrer_staff_id,
               r.referrer_org, b.customer_id, c.source,
               (SELECT min(v.purchase_date) FROM vehicle v WHERE v.customer_id = b.customer_id)
        FROM referral r JOIN customer c ON c.id = r.customer_id
        LEFT JOIN referral_by_customer b ON b.referral_id = r.id""")
    kinds = Counter(kind for _, _, kind, *_ in rows)
    assert set(kinds) == {"customer", "staff", "org"}
    assert kinds["customer"] > kinds["org"] + kinds["staff"]
    for introduced, on, kind, staff, org, by, _source, by_bought in rows:
        assert _day(on) <= TODAY
        assert (kind == "customer") == (by is not None)
        assert (kind == "staff") == (staff is not None) and (kind == "org") == (org is not None)
        if by is not None:
            assert by != introduced
            assert _day(by_bought) <= _day(on) - dt.timedelta(days=30)
    # Most customers who came through an introduction have it recorded.
    sourced = _query(demo_db, "SELECT count(*) FROM customer WHERE source = '转介绍'")[0][0]
    recorded = {i for i, *_, source, _ in rows if source == "转介绍"}
    assert 0.65 * sourced <= len(recorded) <= sourced
    # Converted (a car bought since) for most, not for all: the recent ones are pending.
    infos = [referrals.referrals_of(demo_db.sessions, i, TODAY).introduced_by[0]
             for i in sorted({r[0] for r in rows})[:200]]
    bought = sum(info.bought_on is not None for info in infos)
    assert 0.7 * len(infos) <= bought < len(infos)


def test_a_few_connectors_introduce_many_and_the_template_finds_them(demo_db):
    made = Counter(by for (by,) in _query(
        demo_db, "SELECT customer_id FROM referral_by_customer"))
    best = {by for by, n in made.items() if n >= 2}
    assert 0 < len(best) < 0.05 * N_CUSTOMERS  # a few, not everyone
    assert max(made.values()) >= 4
    template = segments.find_template("referral.best")
    page = segments.members(demo_db.sessions, template.filter, TODAY)
    assert {m.customer_id for m in page.rows} == best
    one = max(best, key=lambda c: made[c])
    assert referrals.referrals_of(demo_db.sessions, one, TODAY).count == made[one]


def test_declined_items_are_done_at_a_later_visit_refused_or_still_open(demo_db):
    rows = _query(demo_db, """
        SELECT d.status, d.source, d.visit_id, d.recorded_on, d.due_on, d.closed_on,
               d.closed_by, d.vehicle_id, d.customer_id, v.customer_id, sv.visit_date
        FROM declined_item d JOIN vehicle v ON v.id = d.vehicle_id
        LEFT JOIN service_visit sv ON sv.id = d.visit_id""")
    statuses = Counter(r[0] for r in rows)
    assert set(statuses) == {"open", "done", "refused"}
    assert statuses["done"] > statuses["open"] and statuses["refused"] > statuses["open"]
    later = {(vid, _day(day)) for vid, day in _query(
        demo_db, "SELECT vehicle_id, visit_date FROM service_visit")}
    for (status, source, visit_id, recorded, due, closed, closed_by, vehicle, customer,
         owner, visit_day) in rows:
        assert customer == owner and _day(recorded) <= TODAY and _day(due) >= _day(recorded)
        if source == "visit":
            assert visit_id is not None and _day(visit_day) == _day(recorded)
        else:
            assert visit_id is None
        if status == "open":
            assert closed is None and closed_by is None
        else:
            assert _day(recorded) <= _day(closed) <= TODAY
        if status == "done":  # the work was done on a later visit of the same car
            assert (vehicle, _day(closed)) in later and _day(closed) >= _day(recorded)
        if status == "refused":
            assert closed_by is not None and _day(closed) > _day(due)
    # Open items are mostly recent: old recommendations were done or refused.
    open_recorded = [_day(r[3]) for r in rows if r[0] == "open"]
    recent = sum(d > TODAY - dt.timedelta(days=365) for d in open_recorded)
    assert recent > len(open_recorded) / 2


def test_the_service_templates_find_cars_and_the_demo_intervals_apply(demo_db):
    for key in ("service.declined_due", "service.maintenance_due"):
        template = segments.find_template(key)
        page = segments.members(demo_db.sessions, template.filter, TODAY)
        assert page.rows, key
    table = reminders.interval_table(demo_db.sessions)
    assert (table.rows[0].brand, table.rows[0].id) == ("", None)  # the built-in default
    stored = {(r.brand, r.model): (r.interval.first_km, r.interval.first_months,
                                   r.interval.every_km, r.interval.every_months)
              for r in table.rows if r.id is not None}
    assert stored == demo.INTERVALS
    assert sum(table.cars) == _query(
        demo_db, "SELECT count(*) FROM vehicle WHERE active = true")[0][0]


def test_the_extras_leave_every_other_table_as_the_seed_gave_it(database, monkeypatch):
    demo.generate(database, 150, seed=11, today=TODAY)
    with_extras = _digest(database)
    _wipe(database)
    monkeypatch.setattr(Extras, "add", lambda self, batch, out: None)
    demo.generate(database, 150, seed=11, today=TODAY)
    without = _digest(database)
    for table, digest in with_extras.items():
        if table not in EXTRA_TABLES[:3]:
            assert without[table] == digest, table
    assert without["referral"] != with_extras["referral"]
    assert without["declined_item"] != with_extras["declined_item"]


def test_a_second_run_keeps_the_intervals_it_found(database):
    demo.generate(database, 30, seed=1, today=TODAY)
    demo.generate(database, 30, seed=2, today=TODAY)
    assert len(reminders.intervals(database.sessions)) == len(demo.INTERVALS)
