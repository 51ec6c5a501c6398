"""The activity report: contacts per caller and outcome between two dates, both included."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Complaint, ContactEvent, Customer, StaffUser
from services.reports import activity as reports
from services.store.errors import RevisitError


def test_week_of_is_monday_to_sunday():
    assert reports.week_of(dt.date(2026, 11, 23)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert reports.week_of(dt.date(2026, 11, 29)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))


def test_activity_per_caller_and_outcome(database):
    with database.sessions.begin() as s:
        a, b = (
            StaffUser(username="a", display_name="陈丽"),
            StaffUser(username="b", display_name="刘洋"),
        )
        c = Customer(code="C1", name="张伟")
        s.add_all([a, b, c])
        s.flush()

        def event(day, hour, staff, outcome, channel="phone", follow=None):
            s.add(
                ContactEvent(
                    customer_id=c.id,
                    contact_at=dt.datetime(2026, 11, day, hour),
                    channel=channel,
                    purpose="callback",
                    staff_id=staff,
                    outcome=outcome,
                    next_follow_up=follow,
                )
            )

        event(23, 9, a.id, "reached")
        event(29, 23, a.id, "no_answer", follow=dt.date(2026, 11, 25))
        event(24, 10, b.id, "appointment")
        event(24, 11, None, "sent", channel="sms")
        event(22, 23, a.id, "reached")  # the Sunday before: outside
        event(30, 0, b.id, "reached")  # the Monday after: outside
        s.add(Complaint(customer_id=c.id, opened_date=dt.date(2026, 11, 1), topic="收费不透明"))
    report = reports.activity(database.sessions, dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    by_staff = {x.staff: x for x in report.callers}
    assert report.total == 4
    assert by_staff["陈丽"].by_outcome == {"reached": 1, "no_answer": 1}
    assert by_staff["陈丽"].reach_rate == 0.5
    assert by_staff["刘洋"].by_outcome == {"appointment": 1}
    assert by_staff[""].by_outcome == {"sent": 1}
    assert report.by_channel == {"phone": 3, "sms": 1}
    assert (report.follow_ups_due, report.open_complaints) == (1, 1)


def test_reversed_dates_are_refused(database):
    with pytest.raises(RevisitError, match="before it starts"):
        reports.activity(database.sessions, dt.date(2026, 11, 29), dt.date(2026, 11, 23))
