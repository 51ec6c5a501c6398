"""The activity report: contacts per caller and outcome between two dates, both included."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Complaint, ContactEvent, Customer, StaffUser
from services.reports import activity as reports
from services.reports import dashboard, kpi, monday, week_state
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
    assert (by_staff["陈丽"].attempts, by_staff["陈丽"].reach_rate) == (2, 0.5)
    assert by_staff["刘洋"].by_outcome == {"appointment": 1}
    # An appointment is a reached call, as on the dashboard.
    assert (by_staff["刘洋"].attempts, by_staff["刘洋"].reach_rate) == (1, 1.0)
    assert by_staff[""].by_outcome == {"sent": 1}
    # A message sent is no attempt to reach anyone: no rate, rather than 0 %.
    assert (by_staff[""].total, by_staff[""].attempts, by_staff[""].reach_rate) == (1, 0, None)
    assert report.by_channel == {"phone": 3, "sms": 1}
    assert (report.follow_ups_due, report.open_complaints) == (1, 1)


def test_two_callers_of_one_name_are_two_rows_in_every_report(database):
    """Two 陈丽: the activity report, the targets table and the dashboard's work per person
    each give them a row of their own, told apart by user name (they were one row, or two
    that read alike)."""
    with database.sessions.begin() as s:
        people = [StaffUser(username=u, display_name=d)
                  for u, d in (("chenli", "陈丽"), ("chenli2", "陈丽"), ("liuyang", "刘洋"))]
        c = Customer(code="C1", name="张伟")
        s.add_all([*people, c])
        s.flush()
        for hour, (person, outcome) in enumerate(((people[0], "reached"),
                                                  (people[0], "no_answer"),
                                                  (people[1], "appointment"),
                                                  (people[2], "reached")), start=9):
            s.add(ContactEvent(customer_id=c.id, contact_at=dt.datetime(2026, 11, 24, hour),
                               channel="phone", purpose="callback", staff_id=person.id,
                               outcome=outcome))
    start, end = dt.date(2026, 11, 23), dt.date(2026, 11, 29)
    report = reports.activity(database.sessions, start, end)
    assert {x.staff: x.total for x in report.callers} == {
        "陈丽 (chenli)": 2, "陈丽 (chenli2)": 1, "刘洋": 1}
    assert {(r.staff, r.attempts) for r in kpi.kpi(database.sessions, start, end)} == {
        ("陈丽 (chenli)", 2), ("陈丽 (chenli2)", 1), ("刘洋", 1)}
    work = dashboard.dashboard(database.sessions, start, end).staff_work
    assert {(w.staff, w.contacts) for w in work} == {
        ("陈丽 (chenli)", 2), ("陈丽 (chenli2)", 1), ("刘洋", 1)}


def test_reversed_dates_are_refused(database):
    with pytest.raises(RevisitError, match="before it starts"):
        reports.activity(database.sessions, dt.date(2026, 11, 29), dt.date(2026, 11, 23))


def _past_week(database) -> dict[str, int]:
    """A week (23–29 November) looked at later: complaints resolved since, follow-ups answered
    early, done on their day, or set for later. Returns the staff ids."""
    with database.sessions.begin() as s:
        a, b = StaffUser(username="a", display_name="陈丽"), StaffUser(username="b",
                                                                      display_name="刘洋")
        cs = [Customer(code=f"C{i}", name=f"客户{i}") for i in range(1, 7)]
        s.add_all([a, b, *cs])
        s.flush()
        c1, c2, c3, c4, c5, c6 = (c.id for c in cs)

        def event(customer, day, staff, follow=None, month=11):
            s.add(ContactEvent(customer_id=customer, contact_at=dt.datetime(2026, month, day, 10),
                               channel="phone", purpose="callback", staff_id=staff,
                               outcome="reached", next_follow_up=follow))

        event(c1, 20, a.id, dt.date(2026, 11, 25))  # due, never done: counts
        event(c2, 20, a.id, dt.date(2026, 11, 26))  # answered early (the 24th), set for later
        event(c2, 24, a.id, dt.date(2026, 12, 3))
        event(c3, 20, b.id, dt.date(2026, 11, 27))  # done on its day: counts
        event(c3, 27, b.id)
        event(c4, 20, b.id, dt.date(2026, 11, 30))  # the Monday after: next week's
        event(c5, 20, b.id, dt.date(2026, 11, 24))  # asked for in the week, answered after it
        event(c5, 2, b.id, month=12)
        s.add_all([
            # open at the week's end though resolved since: counts
            Complaint(customer_id=c6, opened_date=dt.date(2026, 11, 1), topic="收费",
                      resolved=True, resolved_date=dt.date(2026, 12, 2)),
            Complaint(customer_id=c6, opened_date=dt.date(2026, 11, 20), topic="等待太久"),
            Complaint(customer_id=c1, opened_date=dt.date(2026, 11, 10), topic="洗车"),
            # resolved within the week, or opened after it: not open at its end
            Complaint(customer_id=c2, opened_date=dt.date(2026, 11, 2), topic="配件",
                      resolved=True, resolved_date=dt.date(2026, 11, 28)),
            Complaint(customer_id=c3, opened_date=dt.date(2026, 11, 30), topic="态度",
                      resolved=True, resolved_date=dt.date(2026, 12, 1)),
        ])
    return {"a": a.id, "b": b.id}


def test_a_past_week_counts_complaints_open_at_its_end(database):
    _past_week(database)
    report = reports.activity(database.sessions, dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    # c6's two (one resolved on 2 December) and c1's; not c2's (resolved on the 28th) nor c3's
    # (opened on the 30th). Today only 2 are open.
    assert report.open_complaints == 3
    assert report.open_complaint_customers == 2
    report = reports.activity(database.sessions, dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert (report.open_complaints, report.open_complaint_customers) == (2, 2)


def test_follow_ups_due_in_the_week(database):
    ids = _past_week(database)
    report = reports.activity(database.sessions, dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    # c1's (the 25th, never done), c3's (the 27th, done that day) and c5's (the 24th, done on
    # 2 December); c2's was answered on the 24th, before its 26th; c4's is for the 30th.
    assert report.follow_ups_due == 3
    with database.sessions() as s:
        assert week_state.follow_ups_due(s, dt.date(2026, 11, 23), dt.date(2026, 11, 29)) == {
            ids["a"]: 1, ids["b"]: 2}


def test_the_weekly_tab_and_the_dashboard_agree(database):
    ids = _past_week(database)
    start, end = dt.date(2026, 11, 23), dt.date(2026, 11, 29)
    report = reports.activity(database.sessions, start, end)
    d = dashboard.dashboard(database.sessions, start, end)
    assert report.follow_ups_due == sum(w.follow_ups_due for w in d.staff_work) == 3
    assert report.open_complaints == d.figure("complaints", "open").value == 3
    assert report.open_complaint_customers == d.figure("complaints", "customers").value == 2
    # The printed overview says the same, each line saying what it counts.
    rows = dict(monday.dashboard_sections(d)[0].rows)
    assert rows["本期到期的跟进（项）"] == 3
    assert rows["期末未解决的投诉（件）"] == 3
    assert rows["期末有未解决投诉的客户（位）"] == 2
    # Overdue at the week's end, per customer: c1 (the 25th) and c5 (the 24th, done only in
    # December); c2's is for 3 December, c3's was done.
    assert {w.staff_id: w.follow_ups_overdue for w in d.staff_work
            if w.follow_ups_overdue} == {ids["a"]: 1, ids["b"]: 1}


def test_the_overview_note_names_the_day_overdue_follow_ups_are_counted_by(database):
    """A past week counts by its last day; a week not over yet by today, and says so."""
    today = dt.date.today()
    past = dashboard.dashboard(database.sessions, today - dt.timedelta(days=13),
                               today - dt.timedelta(days=7))
    [note] = monday.dashboard_sections(past)[0].notes
    assert f"期末 = {today - dt.timedelta(days=7)} 当天结束时" in note
    current = dashboard.dashboard(database.sessions, today - dt.timedelta(days=2),
                                  today + dt.timedelta(days=4))
    [note] = monday.dashboard_sections(current)[0].notes
    assert f"本期尚未结束，期末跟进逾期按截至 {today} 当天结束时计" in note
    assert "期末 =" not in note
