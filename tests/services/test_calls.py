"""Recording a call: contact event, km reading, profile changes and list state in one go."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import ContactEvent, Customer, MileageReading, StaffUser, Vehicle
from services.contacts import calls
from services.customers import profile
from services.store.errors import RevisitError

NOW = dt.datetime(2026, 11, 23, 10, 30)


@pytest.fixture
def people(database):
    with database.sessions.begin() as s:
        staff = StaffUser(username="chenli", display_name="陈丽")
        other = StaffUser(username="liuyang", display_name="刘洋")
        c = Customer(code="C1", name="张伟", mobile="13800138000")
        s.add_all([staff, other, c])
        s.flush()
        v = Vehicle(
            customer_id=c.id,
            brand="大众",
            model="朗逸",
            plate="粤A12345",
            purchase_date=dt.date(2019, 5, 1),
        )
        s.add(v)
        s.flush()
        s.add(
            MileageReading(
                vehicle_id=v.id, reading_date=dt.date(2025, 5, 1), km=61000, source="visit"
            )
        )
        return staff.id, other.id, c.id, v.id


def _events(database, customer_id):
    with database.sessions() as s:
        return s.scalars(
            select(ContactEvent)
            .where(ContactEvent.customer_id == customer_id)
            .order_by(ContactEvent.contact_at)
        ).all()


def test_call_records_event_km_and_profile_change(database, people):
    staff, _, customer, vehicle = people
    result = calls.CallResult(
        outcome="reached",
        feedback="刚结婚，想换个大点的车",
        next_follow_up=dt.date(2026, 12, 7),
        km=86000,
        vehicle_id=vehicle,
        profile_changes=(("marital_status", "married"),),
    )
    changes = calls.record_call(database.sessions, customer, staff, result, purpose="sales", at=NOW)
    [event] = _events(database, customer)
    assert (event.outcome, event.feedback, event.next_follow_up, event.purpose) == (
        "reached",
        "刚结婚，想换个大点的车",
        dt.date(2026, 12, 7),
        "sales",
    )
    with database.sessions() as s:
        km = s.scalars(select(MileageReading.km).where(MileageReading.source == "call")).all()
    assert km == [86000]
    assert [(c.attribute, c.new_value, c.source) for c in changes] == [
        ("marital_status", "married", "call")
    ]
    assert profile.value_as_of(database.sessions, customer, "marital_status", NOW.date()) == (
        "married"
    )


def test_bad_call_stores_nothing(database, people):
    staff, _, customer, vehicle = people
    for bad in (
        calls.CallResult(outcome="reached", km=50000, vehicle_id=vehicle),  # below 61,000 km
        calls.CallResult(outcome="reached", next_follow_up=dt.date(2020, 1, 1)),
        calls.CallResult(outcome="maybe"),
        calls.CallResult(outcome="reached", profile_changes=(("economic_band", "9"),)),
    ):
        with pytest.raises(RevisitError):
            calls.record_call(database.sessions, customer, staff, bad, at=NOW)
    assert _events(database, customer) == []
    assert profile.history(database.sessions, customer) == []


def test_a_km_that_rose_faster_than_a_car_is_driven_is_refused(database, people):
    """2,000 km a day since the reading before (a same-day one allows one day): a digit too
    many (620,000 for 62,000) is refused with the numbers, the day's limit is not."""
    staff, _, customer, vehicle = people
    with database.sessions.begin() as s:
        s.add(MileageReading(vehicle_id=vehicle, reading_date=dt.date(2026, 11, 20), km=62000,
                             source="visit"))

    def call(km: int) -> None:
        calls.record_call(database.sessions, customer, staff,
                          calls.CallResult(outcome="reached", km=km, vehicle_id=vehicle), at=NOW)

    for typo in (620000, 68001):  # three days: 6,000 km at most
        with pytest.raises(RevisitError, match="more than the 62,000 km read on 2026-11-20") as e:
            call(typo)
        assert f"{typo:,} km is {typo - 62000:,} km more" in str(e.value)
    assert _events(database, customer) == []
    call(68000)
    with pytest.raises(RevisitError, match="more than a car is driven"):
        call(70001)  # the same day as 68,000: 2,000 km at most
    call(70000)
    with database.sessions() as s:
        assert sorted(s.scalars(select(MileageReading.km).where(
            MileageReading.source == "call"))) == [68000, 70000]


def test_due_follow_ups_are_the_latest_contact_per_customer(database, people):
    staff, other, customer, vehicle = people
    ask_back = calls.CallResult(outcome="no_answer", next_follow_up=dt.date(2026, 11, 25))
    calls.record_call(database.sessions, customer, staff, ask_back, at=NOW)
    assert calls.due_calls(database.sessions, staff, dt.date(2026, 11, 24)) == []
    [due] = calls.due_calls(database.sessions, staff, dt.date(2026, 11, 25))
    assert (due.customer_id, due.due, due.vehicle) == (
        customer,
        dt.date(2026, 11, 25),
        "朗逸 粤A12345",
    )
    assert calls.due_calls(database.sessions, other, dt.date(2026, 11, 25)) == []
    # Reached on the follow-up without a new date: nothing is due any more.
    calls.record_call(
        database.sessions,
        customer,
        staff,
        calls.CallResult(outcome="reached"),
        at=NOW + dt.timedelta(days=2),
    )
    assert calls.due_calls(database.sessions, staff, dt.date(2026, 12, 31)) == []
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ContactEvent)) == 2


def test_a_call_logged_by_hand_keeps_its_channel_and_purpose(database, people):
    staff, _, customer, _ = people
    reached = calls.CallResult(outcome="reached")
    calls.record_call(database.sessions, customer, staff, reached, purpose="reminder",
                      channel="wechat", at=NOW)
    for channel, purpose in (("sms", "reminder"), ("wechat", "lottery")):  # no conversation
        with pytest.raises(RevisitError):
            calls.record_call(database.sessions, customer, staff, reached, purpose=purpose,
                              channel=channel, at=NOW)
    assert [(e.channel, e.purpose) for e in _events(database, customer)] == [
        ("wechat", "reminder")]
