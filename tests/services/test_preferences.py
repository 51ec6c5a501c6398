"""Preferences replace, consent and refusals keep their history, and all are audit-logged."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import AuditLog, ConsentEvent, ContactPreference, Customer, DoNotContact, StaffUser
from services.customers import detail as customer_detail
from services.customers import preferences
from services.store.errors import RevisitError

D = dt.date


@pytest.fixture
def ids(database):
    with database.sessions.begin() as s:
        staff = StaffUser(username="chenli", display_name="陈丽")
        c = Customer(code="C1", name="张伟")
        s.add_all([staff, c])
        s.flush()
        return staff.id, c.id


def test_preferences_are_replaced_and_first_channel_follows(database, ids):
    staff, cid = ids
    preferences.set_preferences(database.sessions, cid, channel_order=["sms", "phone"],
                                preferred_days="weekend", time_windows=["evening"],
                                staff_id=staff)
    preferences.set_preferences(database.sessions, cid, channel_order=["phone", "mail"],
                                hour_from=13, hour_to=14, note="中午别打电话", staff_id=staff)
    with database.sessions() as s:
        pref = s.get(ContactPreference, cid)
        assert (pref.channel_order, pref.first_channel, pref.preferred_days) == (
            "phone,mail", "phone", "any")
        assert (pref.hour_from, pref.hour_to, pref.time_windows) == (13, 14, None)
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity_id == cid)).all()
    assert actions == ["set_preferences", "set_preferences"]


def test_clearing_goes_back_to_not_stated_and_keeps_the_old_values_in_the_audit(database, ids):
    staff, cid = ids
    preferences.set_preferences(database.sessions, cid, channel_order=["sms"], staff_id=staff)
    preferences.clear_preferences(database.sessions, cid, staff_id=staff)
    preferences.clear_preferences(database.sessions, cid)  # nothing left: nothing happens
    with database.sessions() as s:
        assert s.get(ContactPreference, cid) is None
        logged = s.scalars(select(AuditLog).where(AuditLog.entity_id == cid)
                           .order_by(AuditLog.id)).all()
    assert [a.action for a in logged] == ["set_preferences", "clear_preferences"]
    assert "sms" in str(logged[-1].detail)


@pytest.mark.parametrize("bad", [
    {"channel_order": []},
    {"channel_order": ["pigeon"]},
    {"channel_order": ["phone"], "hour_from": 14, "hour_to": 13},
    {"channel_order": ["phone"], "hour_from": 9},
    {"channel_order": ["phone"], "preferred_days": "sundays"},
])
def test_bad_preferences_are_refused(database, ids, bad):
    with pytest.raises(RevisitError):
        preferences.set_preferences(database.sessions, ids[1], **bad)
    with database.sessions() as s:
        assert s.get(ContactPreference, ids[1]) is None


def test_consent_history_and_refusal_lifecycle(database, ids):
    staff, cid = ids
    preferences.record_consent(database.sessions, cid, True, event_date=D(2020, 5, 1),
                               source="visit", today=D(2026, 11, 23))
    preferences.record_consent(database.sessions, cid, False, event_date=D(2026, 3, 1),
                               source="call", note="不想再收到促销", today=D(2026, 11, 23))
    refusal = preferences.add_refusal(database.sessions, cid, channel="phone", purpose="sales",
                                      reason="客户明确表示不接受销售电话", set_on=D(2026, 3, 1),
                                      staff_id=staff)
    detail = customer_detail.load(database.sessions, cid)
    assert [c.granted for c in detail.consents] == [True, False]
    assert detail.marketing_consent is False
    assert detail.refusals[0].active_on(D(2026, 11, 23))
    preferences.lift_refusal(database.sessions, refusal, lifted_on=D(2026, 11, 23),
                             reason="客户主动来电咨询换车", staff_id=staff)
    lifted = customer_detail.load(database.sessions, cid).refusals[0]
    assert not lifted.active_on(D(2026, 11, 23)) and lifted.active_on(D(2026, 11, 22))
    with pytest.raises(RevisitError, match="already lifted"):
        preferences.lift_refusal(database.sessions, refusal, lifted_on=D(2026, 11, 24),
                                 reason="again")


def test_refusal_needs_reason_and_sane_dates(database, ids):
    for bad in ({"reason": " "}, {"reason": "x", "expires_on": D(2026, 1, 1)},
                {"reason": "x", "channel": "fax"}):
        with pytest.raises(RevisitError):
            preferences.add_refusal(database.sessions, ids[1], **{
                "channel": None, "purpose": None, "set_on": D(2026, 1, 1), **bad})
    assert customer_detail.load(database.sessions, ids[1]).refusals == ()


def test_a_reason_or_note_longer_than_its_column_is_refused_not_cut(database, ids):
    """200 characters a column holds: a longer reason is refused with the limit, never stored
    cut (the end of what was said lost unseen) nor left to the database to refuse."""
    staff, cid = ids
    long = "客户多次明确表示" * 26  # 208 characters
    with pytest.raises(RevisitError, match="The reason is longer than 200 characters"):
        preferences.add_refusal(database.sessions, cid, channel="phone", purpose=None,
                                reason=long, set_on=D(2026, 5, 1), staff_id=staff)
    rid = preferences.add_refusal(database.sessions, cid, channel="phone", purpose=None,
                                  reason=long[:200], set_on=D(2026, 5, 1), staff_id=staff)
    with pytest.raises(RevisitError, match="The reason is longer than 200 characters"):
        preferences.lift_refusal(database.sessions, rid, lifted_on=D(2026, 6, 1), reason=long,
                                 staff_id=staff)
    with pytest.raises(RevisitError, match="The note is longer than 200 characters"):
        preferences.record_consent(database.sessions, cid, True, event_date=D(2026, 5, 1),
                                   source="call", note=long, staff_id=staff,
                                   today=D(2026, 11, 1))
    with database.sessions() as s:
        refusals = s.scalars(select(DoNotContact).where(DoNotContact.customer_id == cid)).all()
        assert [(r.reason, r.lifted_on) for r in refusals] == [(long[:200], None)]
        assert s.scalars(select(ConsentEvent).where(ConsentEvent.customer_id == cid)).all() == []
