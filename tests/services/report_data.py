"""A small fixed database for the report tests: five customers, two callers, a week of contacts,
complaints, consent, refusals and one list run; every figure the tests expect is worked out by
hand in the comments of the tests that use it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models import (
    Complaint,
    ConsentEvent,
    ContactEvent,
    Customer,
    DoNotContact,
    ListRun,
    ListRunExclusion,
    ListRunMember,
    OtherPurchase,
    SatisfactionSurvey,
    ServiceVisit,
    StaffUser,
    Vehicle,
)

START = dt.date(2026, 11, 16)  # a Monday
END = dt.date(2026, 11, 22)  # the Sunday: the dashboard's as-of date


def build(database) -> dict[str, int]:
    """The fixed data; returns the ids the tests need (staff a, b; customers c1…c5)."""
    with database.sessions.begin() as s:
        a = StaffUser(username="a", display_name="陈丽", role="clerk")
        b = StaffUser(username="b", display_name="刘洋", role="clerk")
        cs = [Customer(code=f"C{i}", name=f"客户{i}") for i in range(1, 6)]
        s.add_all([a, b, *cs])
        s.flush()
        c1, c2, c3, c4, c5 = (c.id for c in cs)
        s.add_all([
            Vehicle(customer_id=c1, brand="大众", model="帕萨特",
                    purchase_date=dt.date(2020, 6, 1)),
            Vehicle(customer_id=c2, brand="大众", model="朗逸", purchase_date=dt.date(2021, 11, 1)),
            Vehicle(customer_id=c3, brand="丰田", model="凯美瑞",
                    purchase_date=dt.date(2018, 1, 1)),
            SatisfactionSurvey(customer_id=c1, survey_date=dt.date(2026, 1, 10), overall_score=9),
            SatisfactionSurvey(customer_id=c3, survey_date=dt.date(2026, 11, 20), overall_score=5),
            ServiceVisit(customer_id=c1, visit_date=dt.date(2026, 11, 17),
                         visit_type="maintenance", amount=Decimal("500")),
            ServiceVisit(customer_id=c3, visit_date=dt.date(2025, 6, 1), visit_type="repair",
                         amount=Decimal("300")),
            OtherPurchase(customer_id=c4, purchase_date=dt.date(2026, 5, 1), kind="insurance",
                          amount=Decimal("200")),
            ConsentEvent(customer_id=c4, granted=True, event_date=dt.date(2026, 1, 1),
                         source="manual"),
            ConsentEvent(customer_id=c5, granted=True, event_date=dt.date(2026, 1, 1),
                         source="manual"),
            ConsentEvent(customer_id=c5, granted=False, event_date=dt.date(2026, 6, 1),
                         source="sms_unsubscribe"),
            DoNotContact(customer_id=c4, channel="sms", reason="不要短信",
                         set_on=dt.date(2026, 2, 1)),
            DoNotContact(customer_id=c5, reason="不要联系", set_on=dt.date(2026, 3, 1)),
            Complaint(customer_id=c5, opened_date=dt.date(2026, 11, 20), topic="等待太久"),
            Complaint(customer_id=c5, opened_date=dt.date(2026, 8, 1), topic="收费",
                      resolved=True, resolved_date=dt.date(2026, 11, 25)),
            Complaint(customer_id=c5, opened_date=dt.date(2026, 10, 1), topic="洗车",
                      resolved=True, resolved_date=dt.date(2026, 10, 10)),
        ])

        def contact(customer, day, hour, staff, outcome, channel="phone", follow=None,
                    run=None):
            s.add(ContactEvent(customer_id=customer, contact_at=dt.datetime(2026, 11, day, hour),
                               channel=channel, purpose="care", staff_id=staff, outcome=outcome,
                               next_follow_up=follow, list_run_id=run))

        contact(c1, 16, 10, a.id, "appointment")
        contact(c2, 17, 11, a.id, "no_answer", follow=dt.date(2026, 11, 20))
        contact(c3, 18, 9, a.id, "reached", follow=dt.date(2026, 11, 25))
        contact(c5, 21, 15, b.id, "refused", channel="wechat")
        contact(c1, 19, 16, b.id, "appointment")
        contact(c4, 20, 8, None, "sent", channel="sms")
        contact(c1, 9, 10, a.id, "reached")  # the week before
        contact(c2, 23, 9, b.id, "reached")  # after the end: counted nowhere
    return {"a": a.id, "b": b.id, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5}


def add_run(database, members: list[tuple[int, int | None, bool]], excluded: list[int],
            as_of: dt.date, filter_json: str = '{"version": 1}') -> int:
    """A finished list run: members (customer, assigned staff, contacted for the run?) and
    excluded customers; the contacts are dated the run's day."""
    with database.sessions.begin() as s:
        run = ListRun(segment_name="测试细分", filter_json=filter_json, as_of=as_of,
                      purpose="care", finished_at=dt.datetime(2026, 1, 1))
        s.add(run)
        s.flush()
        for i, (customer, staff, contacted) in enumerate(members):
            s.add(ListRunMember(run_id=run.id, customer_id=customer, channel="phone",
                                assigned_staff_id=staff, position=i, row_code=f"R{i}"))
            if contacted:
                s.add(ContactEvent(customer_id=customer, channel="phone", purpose="care",
                                   contact_at=dt.datetime.combine(as_of, dt.time(10)),
                                   staff_id=staff, outcome="reached", list_run_id=run.id))
        for customer in excluded:
            s.add(ListRunExclusion(run_id=run.id, customer_id=customer, reason="dnc"))
        return run.id
