"""Referrals on SQLite and PostgreSQL: recording (and what is refused), both directions for a
customer, and the segment fields' counts and conversions against the stored rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import AuditLog, Customer, Referral, ServiceVisit, Vehicle
from services.customers import referrals
from services.segments import service as segments
from services.segments import templates
from services.store.errors import RevisitError

D = dt.date
AS_OF = D(2026, 11, 23)


def _people(database, n: int) -> list[int]:
    with database.sessions.begin() as s:
        rows = [Customer(code=f"R{i}", name=f"客户{i}") for i in range(n)]
        s.add_all(rows)
        s.flush()
        return [c.id for c in rows]


def _bought(database, customer_id: int, on: D) -> None:
    with database.sessions.begin() as s:
        s.add(Vehicle(customer_id=customer_id, brand="丰田", model="卡罗拉", purchase_date=on))


def _came(database, customer_id: int, on: D) -> None:
    with database.sessions.begin() as s:
        s.add(ServiceVisit(customer_id=customer_id, visit_date=on, visit_type="maintenance",
                           amount=Decimal("300")))


@pytest.fixture
def network(database, supervisor):
    """Customer 0 introduced 1 (bought a car after), 2 (came for service only), 3 (bought a
    car before being introduced: no conversion) and 4 (introduced after the evaluation
    date); 5 introduced 6; 1 was also introduced by staff and 2 by an association."""
    ids = _people(database, 7)
    a, b, c, d, e, f, g = ids
    on = D(2026, 3, 1)
    for who in (b, c, d):
        referrals.record_referral(database.sessions, supervisor, who, referred_on=on,
                                  by_customer=a, today=AS_OF)
    referrals.record_referral(database.sessions, supervisor, e, referred_on=D(2026, 11, 24),
                              by_customer=a, today=D(2026, 11, 30))
    referrals.record_referral(database.sessions, supervisor, g, referred_on=D(2025, 1, 5),
                              by_customer=f, today=AS_OF)
    referrals.record_referral(database.sessions, supervisor, b, referred_on=D(2026, 2, 1),
                              by_staff=supervisor.id, today=AS_OF)
    referrals.record_referral(database.sessions, supervisor, c, referred_on=D(2026, 2, 2),
                              by_org="温州商会", today=AS_OF)
    _bought(database, b, D(2026, 3, 1))  # the very day: counts
    _came(database, c, D(2026, 6, 10))
    _bought(database, d, D(2026, 2, 28))  # the day before: does not
    _came(database, d, D(2026, 12, 1))  # after the evaluation date: does not
    _bought(database, g, D(2025, 2, 1))
    return ids


def test_both_directions_and_their_counts_follow_the_stored_rows(database, network):
    a, b, c, d, e, f, g = network
    made = referrals.referrals_of(database.sessions, a, AS_OF)
    assert made.introduced_by == ()
    assert sorted(r.introduced_id for r in made.introduced) == [b, c, d]  # e: later
    assert (made.count, made.bought, made.came) == (3, 1, 1)
    by_id = {r.introduced_id: r for r in made.introduced}
    assert by_id[b].bought_on == D(2026, 3, 1) and by_id[b].came_on is None
    assert by_id[c].came_on == D(2026, 6, 10) and by_id[c].bought_on is None
    assert by_id[d].bought_on is None and by_id[d].came_on is None
    introduced_b = referrals.referrals_of(database.sessions, b, AS_OF).introduced_by
    assert {(r.kind, r.referrer_name) for r in introduced_b} == {
        ("customer", "客户0"), ("staff", "王主管")}
    introduced_c = referrals.referrals_of(database.sessions, c, AS_OF).introduced_by
    assert ("org", "温州商会", None) in {(r.kind, r.referrer_name, r.referrer_id)
                                     for r in introduced_c}
    later = referrals.referrals_of(database.sessions, a, D(2026, 11, 30))
    assert later.count == 4


def test_segment_fields_count_people_and_conversions(database, network):
    a, b, c, d, e, f, g = network

    def who(where: dict, as_of: D = AS_OF) -> set[int]:
        page = segments.members(database.sessions, {"version": 1, "where": where}, as_of)
        return {m.customer_id for m in page.rows}

    assert who({"field": "referrals", "op": ">=", "value": 3}) == {a}
    assert who({"field": "referrals", "op": "=", "value": 1}) == {f}
    assert who({"field": "referrals", "op": ">=", "value": 4}, D(2026, 11, 30)) == {a}
    # In the last 12 months, 5's referral (January 2025) is outside.
    assert who({"field": "referrals", "op": ">=", "value": 1, "params": {"months": 12}}) == {a}
    assert who({"field": "referrals_bought", "op": ">=", "value": 1}) == {a, f}
    assert who({"field": "referrals_came", "op": ">=", "value": 1}) == {a}
    assert who({"field": "referrals_came", "op": "=", "value": 0}) == {b, c, d, e, f, g}
    assert who({"field": "referred_by", "op": "=", "value": "org"}) == {c}
    assert who({"field": "referred_by", "op": "is_null"}) == {a, e, f}
    best = segments.find_template("referral.best")
    assert who(best.filter["where"]) == {a}
    # Someone a introduced bought in March: within three months of 1 May, not of 1 July.
    thanks = segments.find_template("referral.thanks").filter["where"]
    assert who(thanks, D(2026, 5, 1)) == {a}
    assert who(thanks, D(2026, 7, 1)) == set()
    assert templates.BEST_REFERRER_MIN == 2


def test_refusals_say_what_is_wrong_and_store_nothing(database, supervisor):
    a, b = _people(database, 2)
    referrals.record_referral(database.sessions, supervisor, b, referred_on=AS_OF,
                              by_customer=a, today=AS_OF)
    cases = [
        (dict(by_customer=b), "cannot introduce themselves"),
        (dict(by_customer=a), "already recorded"),
        (dict(by_customer=a, by_org="商会"), "exactly one"),
        (dict(), "exactly one"),
        (dict(by_org="   "), "exactly one"),
        (dict(by_customer=99999), "no longer in the database"),
        (dict(by_staff=99999), "no staff account"),
        (dict(by_org="x" * 101), "longer than 100"),
    ]
    for kwargs, words in cases:
        with pytest.raises(RevisitError, match=words):
            referrals.record_referral(database.sessions, supervisor, b, referred_on=AS_OF,
                                      today=AS_OF, **kwargs)
    with pytest.raises(RevisitError, match="in the future"):
        referrals.record_referral(database.sessions, supervisor, b, by_org="商会",
                                  referred_on=AS_OF + dt.timedelta(days=1), today=AS_OF)
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Referral)) == 1
        assert s.scalar(select(func.count()).select_from(AuditLog)
                        .where(AuditLog.action == "add_referral")) == 1


def test_a_staff_member_is_found_by_user_name_or_display_name(database, staff):
    assert referrals.staff_id_of(database.sessions, "ChenLi") == staff.id
    assert referrals.staff_id_of(database.sessions, "陈丽") == staff.id
    with pytest.raises(RevisitError, match="no staff account 'nobody'"):
        referrals.staff_id_of(database.sessions, "nobody")


def test_a_removed_referral_is_gone_from_both_sides(database, supervisor):
    a, b = _people(database, 2)
    made = referrals.record_referral(database.sessions, supervisor, b, referred_on=AS_OF,
                                     by_customer=a, today=AS_OF)
    referrals.remove_referral(database.sessions, supervisor, made.id)
    assert referrals.referrals_of(database.sessions, a, AS_OF).introduced == ()
    assert referrals.referrals_of(database.sessions, b, AS_OF).introduced_by == ()
    with pytest.raises(RevisitError, match="no longer exists"):
        referrals.remove_referral(database.sessions, supervisor, made.id)


def test_a_merge_carries_referrals_on_both_sides_and_its_undo_puts_them_back(
        database, supervisor):
    from services.customers import merge

    a, a2, b, c = _people(database, 4)
    for who, by in ((b, a2), (c, a)):
        referrals.record_referral(database.sessions, supervisor, who, referred_on=AS_OF,
                                  by_customer=by, today=AS_OF)
    # a2 is a duplicate of a: merged, a is credited with both introductions.
    done = merge.merge_customers(database.sessions, a, a2, actor=supervisor)
    assert referrals.referrals_of(database.sessions, a, AS_OF).count == 2
    merge.undo_merge(database.sessions, done.merge_id, actor=supervisor)
    assert referrals.referrals_of(database.sessions, a, AS_OF).count == 1
    assert referrals.referrals_of(database.sessions, a2, AS_OF).count == 1
    # c turns out to be a itself: no referral is left, neither in the brief nor in segments.
    merge.merge_customers(database.sessions, a, c, actor=supervisor)
    assert referrals.referrals_of(database.sessions, a, AS_OF).introduced_by == ()
    assert referrals.referrals_of(database.sessions, a, AS_OF).count == 0
    page = segments.members(database.sessions, {"version": 1, "where": {
        "field": "referred_by", "op": "not_null"}}, AS_OF)
    assert {m.customer_id for m in page.rows} == {b}


def test_a_note_longer_than_its_column_is_refused_not_cut(database, supervisor):
    a, b = _people(database, 2)
    with pytest.raises(RevisitError, match="The note is longer than 200 characters"):
        referrals.record_referral(database.sessions, supervisor, b, referred_on=AS_OF,
                                  by_customer=a, note="同一商会" * 51, today=AS_OF)
    made = referrals.record_referral(database.sessions, supervisor, b, referred_on=AS_OF,
                                     by_customer=a, note="同一商会" * 50, today=AS_OF)
    assert made.note == "同一商会" * 50
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Referral)) == 1
