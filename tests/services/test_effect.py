"""Effect of contact: a list run's contacted members against its excluded members or the
segment's members left out, by hand on a fixed database and against pandas on the demo data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from models import (
    ContactEvent,
    Customer,
    ListRunMember,
    OtherPurchase,
    ServiceVisit,
    StaffUser,
    Vehicle,
)
from services.reports import effect
from services.store.errors import RevisitError
from tests.services import report_data

RUN_DAY = dt.date(2026, 10, 20)  # windows: to 2026-11-19 (30 days), to 2027-01-18 (90 days)
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def run(database):
    ids = report_data.build(database)
    with database.sessions.begin() as s:
        # c2 buys a second car on 1 December (within 90 days, not 30); c4 buys insurance on
        # 10 November (a spend within 30 days, but no service visit).
        s.add(Vehicle(customer_id=ids["c2"], brand="大众", model="途观",
                      purchase_date=dt.date(2026, 12, 1)))
        s.add(OtherPurchase(customer_id=ids["c4"], purchase_date=dt.date(2026, 11, 10),
                            kind="insurance", amount=Decimal("100")))
    members = [(ids["c1"], ids["a"], True), (ids["c2"], ids["b"], True),
               (ids["c3"], ids["a"], False)]
    run_id = report_data.add_run(database, members, [ids["c5"]], RUN_DAY)
    return database, ids, run_id


def test_run_against_excluded_members_by_hand(run):
    database, _ids, run_id = run
    e = effect.run_effect(database.sessions, run_id, "excluded", today=TODAY)
    assert (e.members, e.not_contacted, e.complete_windows) == (3, 1, (30,))
    all_ = e.overall
    # Contacted: c1 (visit with 500 on 17 November) and c2 (car on 1 December).
    assert all_.contacted.size == 2
    assert {(w, m): all_.contacted.count(w, m) for w in (30, 90)
            for m in effect.MEASURES} == {
        (30, "came_back"): 1, (30, "spent"): 1, (30, "bought"): 0,
        (90, "came_back"): 1, (90, "spent"): 1, (90, "bought"): 1}
    # Excluded: c5, who did nothing.
    assert all_.comparison.size == 1
    assert all_.comparison.count(90, "spent") == 0
    assert all_.difference(30, "came_back") == pytest.approx(0.5)
    assert all_.difference(90, "bought") == pytest.approx(0.5)
    assert all_.too_small
    staff = {r.key: r for r in e.rows[1:]}
    assert set(staff) == {"陈丽", "刘洋"}
    assert staff["陈丽"].contacted.count(30, "came_back") == 1
    assert staff["刘洋"].contacted.count(90, "bought") == 1
    assert staff["刘洋"].contacted.rate(30, "came_back") == 0


def test_run_against_the_segment_left_out_by_hand(run):
    database, _ids, run_id = run
    e = effect.run_effect(database.sessions, run_id, "left_out", today=TODAY)
    # The run's segment is every customer; left out of the run: c4 and c5. c4 spent (30 days).
    base = e.overall.comparison
    assert base.size == 2
    assert (base.count(30, "spent"), base.count(30, "came_back")) == (1, 0)
    assert e.overall.difference(30, "spent") == pytest.approx(0.0)


def test_groups_of_thirty_can_be_compared(database):
    with database.sessions.begin() as s:
        people = [Customer(code=f"P{i}", name=f"人{i}") for i in range(60)]
        s.add_all(people)
        s.flush()
        ids = [p.id for p in people]
    run_id = report_data.add_run(database, [(c, None, True) for c in ids[:30]], ids[30:],
                                 RUN_DAY)
    e = effect.run_effect(database.sessions, run_id, today=TODAY)
    assert (e.overall.contacted.size, e.overall.comparison.size) == (30, 30)
    assert not e.overall.too_small
    assert e.overall.difference(90, "came_back") == 0


def test_a_members_windows_start_at_their_own_first_contact(database):
    """Came back: a service visit within N days after the contact date. 甲 came in before
    their call (counted before, as after the run's day); 乙, called in the run's second week,
    came 25 days after the call and 35 after the run's day (not counted before)."""
    with database.sessions.begin() as s:
        people = [Customer(code=code, name=name) for code, name in
                  (("A", "甲"), ("B", "乙"), ("X", "丙"))]
        s.add_all(people)
        s.flush()
        a, b, x = (p.id for p in people)
    run_id = report_data.add_run(database, [(a, None, False), (b, None, False)], [x], RUN_DAY)
    called = dt.datetime.combine(RUN_DAY + dt.timedelta(days=10), dt.time(15))
    with database.sessions.begin() as s:
        for customer, at in ((a, called), (b, called), (b, called + dt.timedelta(days=3))):
            s.add(ContactEvent(customer_id=customer, channel="phone", purpose="care",
                               contact_at=at, outcome="reached", list_run_id=run_id))
        for customer, days in ((a, 5), (b, 35), (x, 20)):  # 丙, excluded: 20 days after
            s.add(ServiceVisit(customer_id=customer, visit_type="maintenance",
                               visit_date=RUN_DAY + dt.timedelta(days=days),
                               amount=Decimal("500")))
    e = effect.run_effect(database.sessions, run_id, today=RUN_DAY + dt.timedelta(days=100))
    assert e.overall.contacted.size == 2
    assert [e.overall.contacted.count(w, "came_back") for w in (30, 90)] == [1, 1]
    assert e.overall.contacted.count(30, "spent") == 1
    assert [e.overall.comparison.count(w, "came_back") for w in (30, 90)] == [1, 1]
    # The 30 days are over only once they are for the last one called (40 days on).
    assert effect.run_effect(database.sessions, run_id,
                             today=RUN_DAY + dt.timedelta(days=39)).complete_windows == ()
    assert effect.run_effect(database.sessions, run_id,
                             today=RUN_DAY + dt.timedelta(days=40)).complete_windows == (30,)


def test_runs_in_a_period_and_refusals(run):
    database, ids, run_id = run
    assert effect.runs_between(database.sessions, RUN_DAY, RUN_DAY) == (
        (run_id, "测试细分", RUN_DAY),)
    assert effect.effect_between(database.sessions, TODAY, TODAY) == ()
    found = effect.effect_between(database.sessions, RUN_DAY, TODAY, staff_id=ids["b"],
                                  today=TODAY)
    assert [x.run_id for x in found] == [run_id]
    assert [r.key for r in found[0].rows_for(ids["b"])] == ["刘洋"]
    assert effect.effect_between(database.sessions, RUN_DAY, TODAY, staff_id=9999) == ()
    with pytest.raises(RevisitError, match="no list run"):
        effect.run_effect(database.sessions, 999)
    with pytest.raises(RevisitError, match="comparison"):
        effect.run_effect(database.sessions, run_id, "random")


def test_against_pandas_on_demo_data(database):
    from services.demo import generator as demo
    from services.lists import build, runs
    from services.segments import service as segments

    demo.generate(database, 150, seed=7, today=TODAY)
    as_of = dt.date(2026, 6, 1)
    segments.save_segment(database.sessions, "全部客户", {"version": 1}, purpose="care")
    summary = build.build_run(database.sessions, "全部客户",
                              build.RunOptions(staff=("chenli", "刘洋"), as_of=as_of))
    runs.finish_run(database.sessions, summary.run_id)
    with database.sessions.begin() as s:
        members = s.query(ListRunMember).filter_by(run_id=summary.run_id).all()
        for i, m in enumerate(members):
            if i % 3:  # two in three members were reached for the run
                s.add(ContactEvent(customer_id=m.customer_id, channel=m.channel,
                                   purpose="care", contact_at=dt.datetime(2026, 6, 1, 10),
                                   staff_id=m.assigned_staff_id, outcome="reached",
                                   list_run_id=summary.run_id))
    e = effect.run_effect(database.sessions, summary.run_id, "left_out", today=TODAY)
    with database.engine.connect() as conn:
        ev = pd.read_sql_table("contact_event", conn)
        mem = pd.read_sql_table("list_run_member", conn)
        visits = pd.read_sql_table("service_visit", conn, parse_dates=["visit_date"])
        other = pd.read_sql_table("other_purchase", conn, parse_dates=["purchase_date"])
        cars = pd.read_sql_table("vehicle", conn, parse_dates=["purchase_date"])
        customers = pd.read_sql_table("customer", conn)
    in_run = set(mem[mem.run_id == summary.run_id].customer_id)
    contacted = set(ev[ev.list_run_id == summary.run_id].customer_id) & in_run
    left_out = set(customers.id) - in_run
    start = pd.Timestamp(as_of)

    def did(people: set[int], days: int) -> dict[str, int]:
        end = start + pd.Timedelta(days=days)
        v = visits[(visits.visit_date > start) & (visits.visit_date <= end)]
        o = other[(other.purchase_date > start) & (other.purchase_date <= end)]
        c = cars[(cars.purchase_date > start) & (cars.purchase_date <= end)]
        spent = set(v[v.amount > 0].customer_id) | set(o[o.amount > 0].customer_id)
        return {"came_back": len(people & set(v.customer_id)), "spent": len(people & spent),
                "bought": len(people & set(c.customer_id))}

    assert e.overall.contacted.size == len(contacted) > 30
    assert e.overall.comparison.size == len(left_out)
    for days in effect.WINDOWS:
        assert {m: e.overall.contacted.count(days, m) for m in effect.MEASURES} == did(
            contacted, days)
        assert {m: e.overall.comparison.count(days, m) for m in effect.MEASURES} == did(
            left_out, days)
    assert sum(did(contacted, 90).values()) > 0  # the demo has returns: the check means something


def test_two_callers_of_one_name_are_two_rows_told_apart(run):
    database, ids, run_id = run
    with database.sessions.begin() as s:
        s.get_one(StaffUser, ids["b"]).display_name = "陈丽"  # now two 陈丽: users a and b
    e = effect.run_effect(database.sessions, run_id, today=TODAY)
    assert sorted(r.key for r in e.rows[1:]) == ["陈丽 (a)", "陈丽 (b)"]
    mine = e.rows_for(ids["b"])
    assert [(r.key, r.staff_id) for r in mine] == [("陈丽 (b)", ids["b"])]
    assert mine[0].contacted.count(90, "bought") == 1  # 刘洋's row before the rename
