"""The effect of suggestions on SQLite and PostgreSQL: per rule and decision, the customers who
then had a reached contact, came back or bought within 30 and 90 days — against counts worked
out by hand on a few customers, window edges included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import ContactEvent, Customer, ServiceVisit, Vehicle
from services.customers.suggest_decisions import record_decision
from services.reports.suggestion_effect import suggestion_effect
from services.store.errors import RevisitError

D = dt.date
T = dt.datetime


@pytest.fixture
def world(database):
    with database.sessions.begin() as s:
        people = {code: Customer(code=code, name=code) for code in "ABCDEFG"}
        s.add_all(people.values())
        s.flush()
        ids = {code: c.id for code, c in people.items()}

        def contact(code, at, outcome):
            s.add(ContactEvent(customer_id=ids[code], contact_at=at, channel="phone",
                               purpose="care", outcome=outcome))

        def visit(code, day):
            s.add(ServiceVisit(customer_id=ids[code], visit_date=day, visit_type="maintenance",
                               amount=Decimal("500")))

        def bought(code, day):
            s.add(Vehicle(customer_id=ids[code], brand="丰田", model="汉兰达",
                          purchase_date=day))

        contact("A", T(2026, 11, 10, 10, 0), "reached")  # the day of the decision counts
        visit("A", D(2026, 11, 25))
        bought("A", D(2027, 1, 20))  # day 71: within 90 only
        contact("B", T(2026, 11, 12, 9, 0), "no_answer")
        contact("B", T(2026, 12, 15, 9, 0), "reached")  # day 33 from its first decision
        visit("C", D(2026, 11, 14))  # the day before the decision: not after it
        visit("C", D(2027, 2, 20))  # day 97: outside both windows
        contact("D", T(2026, 11, 4, 9, 0), "reached")  # before the decision
        contact("D", T(2026, 11, 6, 9, 0), "sent")  # an SMS reaches nobody to talk to
        bought("D", D(2026, 12, 5))  # day 30: the last day of the 30-day window
        contact("F", T(2026, 12, 1, 23, 30), "reached")  # day 30, late evening
        contact("G", T(2026, 12, 2, 0, 0), "reached")  # day 31, first minute
    for code, day, rule, action in (
            ("A", D(2026, 11, 10), "R1", "accepted"),
            ("A", D(2026, 12, 1), "R1", "accepted"),  # after the period
            ("B", D(2026, 11, 12), "R1", "accepted"),
            ("B", D(2026, 11, 20), "R1", "accepted"),  # the same customer again: once
            ("C", D(2026, 11, 15), "R1", "dismissed"),
            ("D", D(2026, 11, 5), "R2", "changed"),
            ("E", D(2026, 10, 31), "R1", "accepted"),  # before the period
            ("F", D(2026, 11, 1), "R3", "accepted"),
            ("G", D(2026, 11, 1), "R3", "accepted")):
        record_decision(database.sessions, None, ids[code], day, rule, "sales", action,
                        chosen="care")
    return database


def _counts(outcome) -> dict[tuple[int, str], int]:
    return {(w, m): n for w, m, n in outcome.counts}


def test_counts_per_rule_and_decision_match_the_hand_count(world):
    effect = suggestion_effect(world.sessions, D(2026, 11, 1), D(2026, 11, 30),
                               today=D(2027, 3, 31))
    assert [r.rule for r in effect.rules] == ["R1", "R3", "R2"]  # most decisions first
    assert effect.complete_windows == (30, 90)
    r1, r3, r2 = effect.rules
    assert (r1.of("accepted").customers, r1.of("changed").customers,
            r1.of("dismissed").customers) == (2, 0, 1)
    assert _counts(r1.of("accepted")) == {
        (30, "reached"): 1, (30, "came_back"): 1, (30, "bought"): 0,
        (90, "reached"): 2, (90, "came_back"): 1, (90, "bought"): 1}
    assert set(_counts(r1.of("dismissed")).values()) == {0}
    assert r2.of("changed").customers == 1 and r2.of("accepted").customers == 0
    assert _counts(r2.of("changed")) == {
        (30, "reached"): 0, (30, "came_back"): 0, (30, "bought"): 1,
        (90, "reached"): 0, (90, "came_back"): 0, (90, "bought"): 1}
    # Day 30 late in the evening is inside the 30-day window; day 31 is not.
    assert (r3.of("accepted").count(30, "reached"), r3.of("accepted").count(90, "reached")) \
        == (1, 2)
    assert r1.of("accepted").rate(90, "reached") == 1.0
    assert r1.of("changed").rate(30, "reached") is None


def test_windows_not_yet_over_are_said_and_an_empty_period_is_empty(world):
    early = suggestion_effect(world.sessions, D(2026, 11, 1), D(2026, 11, 30),
                              today=D(2026, 12, 15))
    assert early.complete_windows == ()
    assert suggestion_effect(world.sessions, D(2025, 1, 1), D(2025, 1, 31)).rules == ()
    with pytest.raises(RevisitError):
        suggestion_effect(world.sessions, D(2026, 11, 30), D(2026, 11, 1))
