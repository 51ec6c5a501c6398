"""Service reminders on SQLite and PostgreSQL: maintenance due dates exactly at the interval
boundaries (km first, months first, 首保, intervals per brand and model), the segment fields and
templates on them, and declined repair items from recording to closing and in segments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import Customer, MileageReading, ServiceVisit, Vehicle
from services.customers import reminders
from services.segments import service as segments
from services.store.errors import RevisitError

D = dt.date
DAY = dt.timedelta(days=1)


def _car(database, code: str, brand: str, bought: D, readings=(), visits=()) -> tuple[int, int]:
    with database.sessions.begin() as s:
        c = Customer(code=code, name=f"车主{code}")
        s.add(c)
        s.flush()
        v = Vehicle(customer_id=c.id, brand=brand, model="M1", purchase_date=bought)
        s.add(v)
        s.flush()
        s.add_all(MileageReading(vehicle_id=v.id, reading_date=d, km=km) for d, km in readings)
        s.add_all(ServiceVisit(customer_id=c.id, vehicle_id=v.id, visit_date=d, km=km,
                               visit_type=kind, amount=Decimal("500"))
                  for d, km, kind in visits)
        return c.id, v.id


def _due(database, customer_id: int, as_of: D) -> reminders.MaintenanceDue:
    (row,) = reminders.maintenance_due(database.sessions, customer_id, as_of)
    return row


def _members(database, where: dict, as_of: D) -> set[int]:
    page = segments.members(database.sessions, {"version": 1, "where": where}, as_of)
    return {m.vehicle_id for m in page.rows}


def test_months_first_lands_on_the_last_day_of_a_shorter_month(database):
    # Maintenance on 31 March at 20,000 km, then 1,000 km in 60 days: six months (30
    # September, not 1 October) comes long before 25,000 km.
    cid, vid = _car(database, "A", "丰田", D(2025, 1, 10),
                    readings=[(D(2026, 1, 30), 19000), (D(2026, 3, 31), 20000)],
                    visits=[(D(2026, 3, 31), 20000, "maintenance"),
                            (D(2026, 5, 5), 21000, "repair")])  # a repair does not count
    due = _due(database, cid, D(2026, 9, 1))
    assert (due.due, due.first_service, due.last_visit, due.last_km) == (
        D(2026, 9, 30), False, D(2026, 3, 31), 20000)
    field = {"field": "maintenance_due", "op": "=", "value": "2026-09-30"}
    assert _members(database, field, D(2026, 9, 1)) == {vid}


def test_km_first_is_the_first_day_the_estimate_reaches_the_target(database):
    # 1,500 km in 31 days after the maintenance at 30,000 km: 35,000 km is reached 155,000 /
    # 1,500 = 103.3 days later, so on day 104 (13 September), long before 1 December.
    cid, vid = _car(database, "B", "丰田", D(2024, 1, 1),
                    readings=[(D(2026, 5, 1), 28500), (D(2026, 6, 1), 30000)],
                    visits=[(D(2026, 6, 1), 30000, "maintenance")])
    assert _due(database, cid, D(2026, 9, 1)).due == D(2026, 9, 13)
    estimate_before = 30000 + 1500 * 103 / 31
    assert estimate_before < 35000 <= 30000 + 1500 * 104 / 31
    days = {"field": "days_to_maintenance", "op": "<=", "value": 0}
    assert _members(database, days, D(2026, 9, 12)) == set()
    assert _members(database, days, D(2026, 9, 13)) == {vid}
    within = {"field": "maintenance_due", "op": "due_within", "value": 1}
    assert _members(database, within, D(2026, 9, 12)) == {vid}
    assert _members(database, within, D(2026, 9, 14)) == set()  # overdue: not "falling due"


def test_the_dms_next_service_date_and_km_replace_the_interval(database):
    """A work order's 下次保养日期 and 下次保养里程 are what the advisor told the owner: the car
    falls due then (the earlier of the two), not at its model's interval. Before, they were
    not read, and a car told "6,000 km or 4 months" was called 2 months late."""
    def told(code: str, when: D | None, km: int | None) -> tuple[int, int]:
        cid, vid = _car(database, code, "丰田", D(2024, 1, 1),
                        readings=[(D(2026, 5, 1), 28500), (D(2026, 6, 1), 30000)],
                        visits=[(D(2026, 6, 1), 30000, "maintenance")])
        with database.sessions.begin() as s:
            visit = s.query(ServiceVisit).filter_by(vehicle_id=vid).one()
            visit.next_service_date, visit.next_service_km = when, km
        return cid, vid

    # The interval alone: 35,000 km on 13 September (as above), 6 months on 1 December.
    plain, _ = told("N0", None, None)
    due = _due(database, plain, D(2026, 7, 1))
    assert (due.due, due.told) == (D(2026, 9, 13), False)
    # Told 1 August: due then, before the km.
    by_date, vid = told("N1", D(2026, 8, 1), None)
    due = _due(database, by_date, D(2026, 7, 1))
    assert (due.due, due.told) == (D(2026, 8, 1), True)  # the brief says it was told
    field = {"field": "maintenance_due", "op": "=", "value": "2026-08-01"}
    assert _members(database, field, D(2026, 7, 1)) == {vid}
    # Told 33,000 km: 3,000 / 1,500 × 31 = 62 days after 1 June, on 2 August.
    by_km, _ = told("N2", None, 33000)
    assert _due(database, by_km, D(2026, 7, 1)).due == D(2026, 8, 2)
    # Told both: the earlier (the km on 2 August, before 1 October).
    both, _ = told("N3", D(2026, 10, 1), 33000)
    due = _due(database, both, D(2026, 7, 1))
    assert (due.due, due.told) == (D(2026, 8, 2), False)  # by the km: no day was told
    # Told later than the interval would have it (a long-life oil): 20 December, as told,
    # though 35,000 km comes on 13 September; 60,000 km is a year and a half away.
    later, _ = told("N4", D(2026, 12, 20), 60000)
    assert _due(database, later, D(2026, 7, 1)).due == D(2026, 12, 20)


def test_first_service_counts_from_the_purchase_and_its_own_interval(database, supervisor):
    # No maintenance visit: 首保 from the purchase (31 May) and 0 km; one reading of 1,000 km
    # after 61 days. The default 首保 (3,000 km or 3 months) falls due by months on 31 August.
    cid, vid = _car(database, "C", "比亚迪", D(2026, 5, 31),
                    readings=[(D(2026, 7, 31), 1000)])
    first = _due(database, cid, D(2026, 8, 1))
    assert (first.due, first.first_service, first.last_visit) == (D(2026, 8, 31), True, None)
    # Its brand's own 首保 of 1,500 km: 500 km more at 1,000 km per 61 days is 30.5 days,
    # so the 31st day after the reading (31 August) — now by km, with six months allowed.
    reminders.set_interval(database.sessions, supervisor, reminders.Interval(1500, 6, 5000, 6),
                           brand="比亚迪")
    assert _due(database, cid, D(2026, 8, 1)).due == D(2026, 8, 31)
    # Its model's row wins over the brand's: 1,600 km is 36.6 days away, so 6 September.
    reminders.set_interval(database.sessions, supervisor, reminders.Interval(1600, 6, 5000, 6),
                           brand="比亚迪", model="M1")
    assert _due(database, cid, D(2026, 8, 1)).due == D(2026, 9, 6)
    # Every car's row does not override the model's own.
    reminders.set_interval(database.sessions, supervisor, reminders.Interval(100, 1, 100, 1))
    assert _due(database, cid, D(2026, 8, 1)).due == D(2026, 9, 6)
    rows = reminders.intervals(database.sessions)
    assert [(r.brand, r.model) for r in rows] == [("", ""), ("比亚迪", ""), ("比亚迪", "M1")]


def test_the_maintenance_template_takes_due_and_recently_overdue_cars(database):
    as_of = D(2026, 9, 1)
    soon, _ = _car(database, "S", "丰田", D(2026, 6, 15))  # 首保 15 September: in 14 days
    # 首保 1 September 2025: a year overdue (one day more and it would read as no record)
    late, _ = _car(database, "L", "丰田", D(2025, 6, 1))
    later, _ = _car(database, "F", "丰田", D(2026, 8, 20))  # 首保 20 November: in 80 days
    done, _ = _car(database, "O", "丰田", D(2026, 1, 1),
                   visits=[(D(2026, 4, 20), None, "maintenance")])  # next 20 October: 49 days
    assert [_due(database, c, as_of).due for c in (soon, late, later, done)] == [
        D(2026, 9, 15), D(2025, 9, 1), D(2026, 11, 20), D(2026, 10, 20)]
    template = segments.find_template("service.maintenance_due")
    page = segments.members(database.sessions, template.filter, as_of)
    assert {m.customer_id for m in page.rows} == {soon}
    wider = segments.find_template("service.maintenance_due", due_days=60)
    page = segments.members(database.sessions, wider.filter, as_of)
    assert {m.customer_id for m in page.rows} == {soon, done}


def test_a_car_with_no_record_long_after_its_first_service_follows_the_regular_schedule(
        database):
    """An owner imported with no service history, bought 7 years ago, now at about 86,000 km:
    it read 首保 overdue by 7 years. Serviced elsewhere or before the records start, it is
    due at the next milestone of the regular schedule (every 5,000 km or 6 months from the
    purchase and 0 km): never overdue, so it comes round once an interval."""
    as_of = D(2026, 12, 6)
    bought, read = D(2019, 12, 1), D(2026, 11, 1)
    cid, vid = _car(database, "X", "丰田", bought, readings=[(read, 86000)])
    due = _due(database, cid, as_of)
    # 6-month milestones: 1 December 2026 has passed, so 1 June 2027. By km: about 87,191 km
    # today, so 90,000 km, reached 4,000 km after the reading at 86,000 km per 2,527 days.
    span = (read - bought).days
    by_km = read + dt.timedelta(days=-(-4000 * span // 86000))
    assert by_km == D(2027, 2, 27)
    assert (due.due, due.first_service, due.no_record, due.last_visit) == (
        by_km, False, True, None)
    assert _members(database, {"field": "maintenance_due", "op": "=",
                               "value": by_km.isoformat()}, as_of) == {vid}
    overdue = {"field": "days_to_maintenance", "op": "<", "value": 0}
    assert _members(database, overdue, as_of) == set()
    # The month milestone when the km says nothing more (no reading): 1 June 2027, and one
    # bought on 31 August falls due on the last day of February.
    plain, _ = _car(database, "Y", "丰田", bought)
    late_month, _ = _car(database, "Z", "丰田", D(2019, 8, 31))
    assert _due(database, plain, as_of).due == D(2027, 6, 1)
    assert _due(database, late_month, as_of).due == D(2027, 2, 28)
    # On a milestone day itself it is due that day.
    assert _due(database, plain, D(2026, 12, 1)).due == D(2026, 12, 1)


def test_a_first_service_overdue_up_to_a_year_stays_a_first_service(database):
    """The 首保 window (3 months from 6 September 2025) ended on 6 December 2025: a year
    later it is still a 首保 overdue by 365 days; the day after, no record."""
    cid, vid = _car(database, "W", "丰田", D(2025, 9, 6))
    due = _due(database, cid, D(2026, 12, 6))
    assert (due.due, due.first_service, due.no_record) == (D(2025, 12, 6), True, False)
    due = _due(database, cid, D(2026, 12, 7))
    assert (due.due, due.first_service, due.no_record) == (D(2027, 3, 6), False, True)
    overdue = {"field": "days_to_maintenance", "op": "<", "value": 0}
    assert _members(database, overdue, D(2026, 12, 6)) == {vid}
    assert _members(database, overdue, D(2026, 12, 7)) == set()


def test_intervals_are_a_supervisors_setting_and_must_make_sense(database, staff, supervisor):
    good = reminders.Interval(3000, 3, 5000, 6)
    with pytest.raises(RevisitError, match="supervisor"):
        reminders.set_interval(database.sessions, staff, good, brand="丰田")
    with pytest.raises(RevisitError, match="needs its brand"):
        reminders.set_interval(database.sessions, supervisor, good, model="凯美瑞")
    with pytest.raises(RevisitError, match="at least 1 km"):
        reminders.set_interval(database.sessions, supervisor, reminders.Interval(0, 3, 5000, 6))
    assert reminders.intervals(database.sessions) == ()


def test_declined_items_open_until_closed_and_in_segments(database, supervisor):
    cid, vid = _car(database, "X", "丰田", D(2020, 1, 1))
    other, _ = _car(database, "Y", "丰田", D(2020, 1, 1))
    brakes = reminders.record_declined(database.sessions, supervisor, cid, item="更换刹车片",
                                       recorded_on=D(2026, 10, 1), due_on=D(2026, 12, 10),
                                       vehicle_id=vid, today=D(2026, 11, 23))
    tyres = reminders.record_declined(database.sessions, supervisor, other, item="  更换  轮胎 ",
                                      recorded_on=D(2026, 10, 1), today=D(2026, 11, 23))
    assert (brakes.status, brakes.source, brakes.vehicle, tyres.item) == (
        "open", "call", "丰田 M1", "更换 轮胎")
    field = {"field": "open_declined_items", "op": "=", "value": True}

    def who(as_of: D, days: int | None = None) -> set[int]:
        where = dict(field, params={"days": days}) if days is not None else field
        return {m.customer_id for m in segments.members(
            database.sessions, {"version": 1, "where": where}, as_of).rows}

    assert who(D(2026, 9, 30)) == set()  # not noted yet
    assert who(D(2026, 11, 23)) == {cid, other}
    # Due within 17 days of 23 November: brakes (10 December); tyres have no due date, so
    # are due 30 days after they were noted (31 October): overdue, counted.
    assert who(D(2026, 11, 23), 17) == {cid, other}
    assert who(D(2026, 11, 23), 16) == {other}
    assert who(D(2026, 10, 2), 28) == set()  # tyres due in 29 days, brakes in 69
    assert who(D(2026, 10, 2), 29) == {other}
    closed = reminders.close_declined(database.sessions, supervisor, brakes.id, "done",
                                      closed_on=D(2026, 11, 25))
    assert (closed.status, closed.closed_on, closed.closed_by) == ("done", D(2026, 11, 25),
                                                                   "王主管")
    assert who(D(2026, 11, 24)) == {cid, other}  # still open that day
    assert who(D(2026, 11, 25)) == {other}
    template = segments.find_template("service.declined_due", due_days=30)
    assert {m.customer_id for m in segments.members(
        database.sessions, template.filter, D(2026, 11, 23)).rows} == {cid, other}
    with pytest.raises(RevisitError, match="already closed on 2026-11-25"):
        reminders.close_declined(database.sessions, supervisor, brakes.id, "refused")
    listed = reminders.declined_items(database.sessions, cid)
    assert [(i.item, i.status) for i in listed] == [("更换刹车片", "done")]
    assert reminders.declined_items(database.sessions, cid, open_on=D(2026, 11, 30)) == ()


def test_declined_item_refusals(database, supervisor):
    cid, vid = _car(database, "X", "丰田", D(2020, 1, 1))
    other, other_car = _car(database, "Y", "丰田", D(2020, 1, 1))
    today = D(2026, 11, 23)
    cases = [
        (dict(item=" "), "Say which repair"),
        (dict(item="x" * 201), "longer than 200"),
        (dict(item="刹车", recorded_on=today + DAY), "in the future"),
        (dict(item="刹车", due_on=today - DAY), "before the day it was noted"),
        (dict(item="刹车", vehicle_id=other_car), "not this customer's"),
    ]
    for kwargs, words in cases:
        kwargs.setdefault("recorded_on", today)
        with pytest.raises(RevisitError, match=words):
            reminders.record_declined(database.sessions, supervisor, cid, today=today, **kwargs)
    item = reminders.record_declined(database.sessions, supervisor, cid, item="刹车",
                                     recorded_on=today, today=today)
    with pytest.raises(RevisitError, match="done or refused"):
        reminders.close_declined(database.sessions, supervisor, item.id, "open")
    with pytest.raises(RevisitError, match="before it was noted"):
        reminders.close_declined(database.sessions, supervisor, item.id, "refused",
                                 closed_on=today - DAY)
    with pytest.raises(RevisitError, match="no declined repair item"):
        reminders.close_declined(database.sessions, supervisor, 99999, "done")
    assert reminders.declined_items(database.sessions, other) == ()
