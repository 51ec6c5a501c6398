"""The stored RFM values and km estimates behind the RFM grid and the km-floor matrix: the stamp
triggers see every change that matters, a summary holds exactly what the live query says, the
templates answer the same from either, and a summary that is stale, for another date or window,
lost its stamp, or cannot be written never gives a wrong answer — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, delete, event, select, text, update
from sqlalchemy.orm import sessionmaker

from models import (
    Customer,
    DataStamp,
    KmSummary,
    MileageReading,
    OtherPurchase,
    RfmSummary,
    ServiceVisit,
    SummaryState,
    Vehicle,
)
from services.demo import generator as demo
from services.segments import rfm as rfm_mod
from services.segments import service, summaries

D = dt.date
TODAY = D(2026, 11, 23)
RFM, KM = summaries.RFM, summaries.KM


def stamp(database, name: str) -> int | None:
    with database.sessions() as s:
        return s.scalar(select(DataStamp.value).where(DataStamp.name == name))


def current(database, summary, as_of=TODAY, months=None) -> bool:
    with database.sessions() as s:
        return summaries.is_current(s, summary, as_of, months)


def state(database, summary) -> SummaryState | None:
    with database.sessions() as s:
        return s.get(SummaryState, summary.name)


@pytest.fixture
def shop(database):
    """Customer 1: a visit and a purchase in the window, a 6-year-old car with two readings.
    Customer 2: one old visit, a 5.5-year-old car with one reading."""
    with database.sessions.begin() as s:
        s.add_all([Customer(id=1, code="C1", name="甲"), Customer(id=2, code="C2", name="乙")])
        s.flush()
        s.add_all([
            Vehicle(id=1, customer_id=1, brand="VW", model="A", purchase_date=D(2020, 11, 1)),
            Vehicle(id=2, customer_id=2, brand="VW", model="B", purchase_date=D(2021, 5, 1)),
        ])
        s.flush()
        s.add_all([
            ServiceVisit(customer_id=1, vehicle_id=1, visit_date=D(2026, 10, 1),
                         visit_type="repair", amount=Decimal("1200.50"), km=50_000),
            OtherPurchase(customer_id=1, purchase_date=D(2026, 11, 1), kind="accessory",
                          amount=Decimal("300")),
            ServiceVisit(customer_id=2, visit_date=D(2023, 5, 1), visit_type="repair",
                         amount=Decimal("800")),
            MileageReading(vehicle_id=1, reading_date=D(2025, 10, 1), km=90_000),
            MileageReading(vehicle_id=1, reading_date=D(2026, 10, 1), km=110_000),
            MileageReading(vehicle_id=2, reading_date=D(2026, 5, 1), km=60_000),
        ])
    return database


# --- the stamps -------------------------------------------------------------------------------

def _changes_that_matter():
    spend = [
        lambda s: s.add(ServiceVisit(customer_id=2, visit_date=D(2026, 1, 1),
                                     visit_type="maintenance", amount=Decimal(500))),
        lambda s: s.add(OtherPurchase(customer_id=2, purchase_date=D(2026, 2, 1),
                                      kind="insurance", amount=Decimal(4000))),
        lambda s: s.execute(update(ServiceVisit).where(ServiceVisit.customer_id == 1)
                            .values(amount=Decimal(99))),
        lambda s: s.execute(update(ServiceVisit).where(ServiceVisit.customer_id == 1)
                            .values(visit_date=D(2026, 9, 30))),
        lambda s: s.execute(update(OtherPurchase).where(OtherPurchase.customer_id == 1)
                            .values(customer_id=2)),
        lambda s: s.execute(update(OtherPurchase).where(OtherPurchase.customer_id == 2)
                            .values(purchase_date=D(2026, 8, 8))),
        lambda s: s.execute(delete(ServiceVisit).where(ServiceVisit.visit_date == D(2023, 5, 1))),
    ]
    km = [
        lambda s: s.add(MileageReading(vehicle_id=2, reading_date=D(2026, 11, 1), km=65_000)),
        lambda s: s.execute(update(MileageReading).where(MileageReading.vehicle_id == 2)
                            .values(km=66_000)),
        lambda s: s.execute(update(MileageReading).where(MileageReading.km == 66_000)
                            .values(reading_date=D(2026, 11, 2))),
        lambda s: s.execute(update(MileageReading).where(MileageReading.km == 66_000)
                            .values(vehicle_id=1)),
        lambda s: s.execute(delete(MileageReading).where(MileageReading.km == 66_000)),
        lambda s: s.execute(update(Vehicle).where(Vehicle.id == 2)
                            .values(purchase_date=D(2021, 6, 1))),
    ]
    return [("spend", c) for c in spend] + [("mileage", c) for c in km]


def _build_both(database) -> None:
    with database.sessions() as s:
        summaries.refresh(s, RFM, TODAY, 24)
        summaries.refresh(s, KM, TODAY)


def test_every_change_that_matters_makes_its_summary_stale(shop):
    for name, change in _changes_that_matter():
        _build_both(shop)
        with shop.sessions.begin() as s:
            change(s)
        assert current(shop, RFM, TODAY, 24) is (name != "spend")
        assert current(shop, KM) is (name != "mileage")
    # Deleting a customer deletes their cars, readings, visits and purchases (ON DELETE CASCADE).
    _build_both(shop)
    with shop.sessions.begin() as s:
        s.execute(delete(Customer).where(Customer.id == 1))
    assert not current(shop, RFM, TODAY, 24) and not current(shop, KM)


def test_what_the_summaries_do_not_read_leaves_them_current(shop):
    _build_both(shop)
    with shop.sessions.begin() as s:
        s.execute(update(ServiceVisit).where(ServiceVisit.customer_id == 1)
                  .values(km=51_000, note="换机油"))
        s.execute(update(MileageReading).values(source="call"))
        s.execute(update(Vehicle).values(plate="粤A12345", active=False))
        s.add(Vehicle(id=3, customer_id=2, brand="VW", model="C", purchase_date=D(2026, 1, 1)))
        s.add(Customer(id=3, code="C3", name="丙"))
    assert current(shop, RFM, TODAY, 24) and current(shop, KM)


# --- summaries hold what the live queries say -------------------------------------------------

def test_rfm_summary_holds_the_live_values(database):
    demo.generate(database, 300, seed=5, today=TODAY)
    for as_of, months in ((TODAY, 24), (D(2025, 3, 31), 12), (D(2026, 2, 28), 36)):
        with database.sessions() as s:
            summaries.refresh(s, RFM, as_of, months)
            stored = s.execute(select(RfmSummary).order_by(RfmSummary.customer_id)).scalars()
            stored = [(r.customer_id, r.recency_days, r.spends, r.cents) for r in stored]
            live = sorted(tuple(r) for r in s.execute(RFM.rows(s, as_of, months)))
        assert stored == live
        st = state(database, RFM)
        assert st.rows == len(stored) > 50
        assert (st.built_for, st.stamp) == (f"{as_of} {months}m", stamp(database, "spend"))


def test_km_summary_holds_the_live_estimates(database):
    demo.generate(database, 300, seed=6, today=TODAY)
    for as_of in (TODAY, D(2024, 6, 30)):
        with database.sessions() as s:
            summaries.refresh(s, KM, as_of)
            stored = dict(s.execute(select(KmSummary.vehicle_id, KmSummary.estimated_km)).all())
            live = dict(s.execute(KM.rows(s, as_of, None)).all())
        assert stored.keys() == live.keys() and len(stored) > 300
        assert sum(v is not None for v in stored.values()) > 200
        for vehicle, km in live.items():
            assert stored[vehicle] == (None if km is None else pytest.approx(km, rel=1e-12))
        assert (state(database, KM).built_for, state(database, KM).stamp) == (
            str(as_of), stamp(database, "mileage"))


def test_templates_answer_the_same_from_the_summaries_and_live(database):
    demo.generate(database, 300, seed=9, today=TODAY)
    asks = [{}, {"quantile": 0.5}, {"quantile": 0.2},
            {"thresholds": rfm_mod.Thresholds("fixed", r_days=90, f=2, m=1500)}]
    for as_of, months in ((TODAY, 24), (D(2025, 6, 30), 12)):
        for kw in asks:
            got = service.rfm(database.sessions, as_of, months=months, **kw)
            assert current(database, RFM, as_of, months)  # answered from the summary
            assert got == service.rfm(database.sessions, as_of, months=months,
                                      use_summary=False, **kw)
            assert got.customers_with_class > 50
        for floor in (0, 50_000, 120_000):
            got = service.matrix(database.sessions, as_of, floor)
            assert current(database, KM, as_of)
            assert got == service.matrix(database.sessions, as_of, floor, use_summary=False)
        assert sum(c.vehicles for c in service.matrix(database.sessions, as_of, 50_000).cells)


# --- never a wrong answer ---------------------------------------------------------------------

def test_a_change_makes_the_next_answer_rebuild(shop):
    assert service.rfm(shop.sessions, TODAY).customers_with_class == 1
    km_cells = service.matrix(shop.sessions, TODAY, 100_000).cells
    assert sum(c.vehicles for c in km_cells) == 1  # car 1: 110,000 km and counting
    with shop.sessions.begin() as s:
        s.add(ServiceVisit(customer_id=2, visit_date=D(2026, 11, 20), visit_type="repair",
                           amount=Decimal(100)))
        s.add(MileageReading(vehicle_id=2, reading_date=D(2026, 11, 20), km=120_000))
    assert not current(shop, RFM, TODAY, 24) and not current(shop, KM)
    assert service.rfm(shop.sessions, TODAY).customers_with_class == 2
    assert sum(c.vehicles for c in service.matrix(shop.sessions, TODAY, 100_000).cells) == 2
    assert current(shop, RFM, TODAY, 24) and current(shop, KM)
    assert state(shop, RFM).rows == 2


def test_another_date_or_window_replaces_the_summary(shop):
    service.rfm(shop.sessions, TODAY)
    older = service.rfm(shop.sessions, D(2023, 12, 31), months=12)
    assert older.customers_with_class == 1  # customer 2's visit of 2023-05-01
    assert current(shop, RFM, D(2023, 12, 31), 12)
    assert not current(shop, RFM, TODAY, 24)
    with shop.sessions() as s:
        assert s.scalars(select(RfmSummary.customer_id)).all() == [2]


def test_a_summary_rebuilt_for_another_window_reads_as_empty_for_the_old_one(shop):
    """What a query sees when another PC rebuilt the summary after this one checked it."""
    service.rfm(shop.sessions, TODAY)
    service.matrix(shop.sessions, TODAY, 100_000)
    with shop.sessions() as s:
        assert len(s.execute(select(summaries.rfm_values(TODAY, 24))).all()) == 1
        assert len(s.execute(select(summaries.km_values(TODAY))).all()) == 2
        summaries.refresh(s, RFM, TODAY, 12)
        summaries.refresh(s, KM, D(2026, 1, 1))
        assert s.execute(select(summaries.rfm_values(TODAY, 24))).all() == []
        assert s.execute(select(summaries.km_values(TODAY))).all() == []


def test_a_lost_stamp_row_never_makes_an_old_summary_current(shop):
    service.rfm(shop.sessions, TODAY)
    with shop.sessions.begin() as s:
        s.execute(delete(DataStamp))
    assert not current(shop, RFM, TODAY, 24)
    assert service.rfm(shop.sessions, TODAY).customers_with_class == 1
    assert stamp(shop, "spend") > 10**12  # started again at "now" in milliseconds
    assert current(shop, RFM, TODAY, 24)


def test_prepare_builds_both_for_the_day(shop):
    service.prepare_summaries(shop.sessions, TODAY)
    assert current(shop, RFM, TODAY, rfm_mod.DEFAULT_MONTHS) and current(shop, KM, TODAY)
    assert state(shop, KM).rows == 2


def test_summaries_that_cannot_be_written_fall_back_to_the_live_query(shop):
    """On a connection that refuses every write, as a read-only file or a read-only
    PostgreSQL login would."""
    engine = _engine_with(shop.engine.url, "PRAGMA query_only = ON"
                          if shop.engine.dialect.name == "sqlite"
                          else "SET default_transaction_read_only = on")

    try:
        sessions = sessionmaker(engine)
        got = service.rfm(sessions, TODAY)
        assert got.customers_with_class == 1
        assert {c.key: c.customers for c in got.classes}["important_value"] == 1
        assert sum(c.vehicles for c in service.matrix(sessions, TODAY, 100_000).cells) == 1
        service.prepare_summaries(sessions, TODAY)  # quietly does nothing
        with shop.sessions() as s:
            assert s.scalars(select(SummaryState.name)).all() == []  # nothing was written
            assert s.execute(text("SELECT count(*) FROM rfm_summary")).scalar() == 0
            assert s.execute(text("SELECT count(*) FROM km_summary")).scalar() == 0
    finally:
        engine.dispose()


def _engine_with(url, sql: str):
    """Another engine on the same database whose connections first run `sql`."""
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _setup(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(sql)
        cursor.close()
        if engine.dialect.name == "postgresql":
            dbapi_connection.commit()

    return engine


def test_one_builder_at_a_time_and_a_locked_database_answers_live(shop):
    """While one session builds, another cannot start building: it waits, and after its
    timeout answers live instead, with nothing stored twice or lost."""
    sqlite = shop.engine.dialect.name == "sqlite"
    other = _engine_with(shop.engine.url, "PRAGMA busy_timeout = 200" if sqlite
                         else "SET lock_timeout = '200ms'")
    try:
        with shop.sessions() as builder:
            summaries._lock(builder)  # as a build in progress holds it
            with sessionmaker(other)() as s:
                assert summaries.ensure(s, RFM, TODAY, 24) is False
            got = service.rfm(sessionmaker(other), TODAY)
            assert got == service.rfm(shop.sessions, TODAY, use_summary=False)
            builder.rollback()
        assert state(shop, RFM) is None
        assert service.rfm(sessionmaker(other), TODAY) == got  # free again: built and used
        assert current(shop, RFM, TODAY, 24)
    finally:
        other.dispose()
