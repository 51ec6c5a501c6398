"""The audit trail: written by services in the same transaction as the change, read back by a
supervisor by person, customer (do-not-contact entries included), action and local dates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import update

from models import AuditLog, Customer
from services.customers import preferences
from services.staff.audit import AuditFilter, audit_actions, local_time, read_audit
from services.staff.permissions import VIEW_AUDIT, NotAllowed
from services.store.errors import RevisitError

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def trail(database, supervisor, staff):
    """Two customers; 陈丽 sets C1's preferences and a refusal, 王主管 C2's consent."""
    with database.sessions.begin() as s:
        s.add_all([Customer(id=1, code="C1", name="张伟"), Customer(id=2, code="C2", name="李娜")])
    preferences.set_preferences(database.sessions, 1, channel_order=["phone"],
                                staff_id=staff.id)
    preferences.add_refusal(database.sessions, 1, channel="sms", purpose=None, reason="不要短信",
                            set_on=dt.date(2026, 11, 1), staff_id=staff.id)
    preferences.record_consent(database.sessions, 2, granted=True,
                               event_date=dt.date(2026, 11, 2), source="call",
                               staff_id=supervisor.id)
    return database


def test_only_a_supervisor_reads_the_trail(trail, staff):
    for nobody in (staff, None):
        with pytest.raises(NotAllowed) as refused:
            read_audit(trail.sessions, nobody, AuditFilter())
        assert refused.value.permission == VIEW_AUDIT


def test_filters_by_person_customer_and_action(trail, supervisor):
    def actions(**kw) -> list[str]:
        return [e.action for e in read_audit(trail.sessions, supervisor,
                                             AuditFilter(**kw)).entries]

    everything = read_audit(trail.sessions, supervisor, AuditFilter())
    # 陈丽 signed in with the first password the supervisor gave, chose her own, signed in.
    assert everything.total == len(everything.entries) == 8
    assert [e.action for e in everything.entries] == [
        "consent_given", "add_refusal", "set_preferences", "sign_in", "change_password",
        "sign_in", "add_user", "first_supervisor"]
    assert actions(username="ChenLi") == ["add_refusal", "set_preferences", "sign_in",
                                          "change_password", "sign_in"]
    # The refusal is a do-not-contact row; it is still C1's.
    assert actions(customer_code="C1") == ["add_refusal", "set_preferences"]
    refusal = read_audit(trail.sessions, supervisor, AuditFilter(action="add_refusal")).entries
    assert (refusal[0].customer_code, refusal[0].customer_name, refusal[0].staff_name) == (
        "C1", "张伟", "陈丽")
    assert actions(customer_code="C2", username="boss") == ["consent_given"]
    assert set(audit_actions(trail.sessions)) == {
        "consent_given", "add_refusal", "set_preferences", "sign_in", "change_password",
        "add_user", "first_supervisor"}
    limited = read_audit(trail.sessions, supervisor, AuditFilter(), limit=2)
    assert (len(limited.entries), limited.total) == (2, 8)
    for bad, message in ((AuditFilter(username="ghost"), "no staff account 'ghost'"),
                         (AuditFilter(customer_code="C9"), "no customer with the code C9")):
        with pytest.raises(RevisitError, match=message):
            read_audit(trail.sessions, supervisor, bad)


def test_dates_are_local_days(trail, supervisor):
    # Move the consent to 23:30 local time on 2026-11-02, stored as UTC.
    local = dt.datetime(2026, 11, 2, 23, 30)
    stored = local.astimezone(dt.UTC).replace(tzinfo=None)
    with trail.sessions.begin() as s:
        s.execute(update(AuditLog).where(AuditLog.action == "consent_given").values(at=stored))
    day = dt.date(2026, 11, 2)
    found = read_audit(trail.sessions, supervisor, AuditFilter(date_from=day, date_to=day))
    assert [e.action for e in found.entries] == ["consent_given"]
    assert local_time(found.entries[0].at) == local
    assert read_audit(trail.sessions, supervisor, AuditFilter(
        date_from=day + dt.timedelta(days=1), date_to=day + dt.timedelta(days=1))).total == 0
    with pytest.raises(RevisitError, match="after the last"):
        read_audit(trail.sessions, supervisor, AuditFilter(date_from=day,
                                                           date_to=day - dt.timedelta(days=1)))


def test_preferences_write_through_the_one_audit_helper():
    from services.staff import audit

    assert preferences.audit is audit.audit


def test_profile_edits_segment_edits_and_unsubscribe_files_are_in_the_trail(
        trail, supervisor, staff, tmp_path):
    from services.customers import profile
    from services.lists.unsubscribe import read_unsubscribes
    from services.segments import service as segments

    profile.record_change(trail.sessions, 1, "occupation", "教师", effective_date=TODAY,
                          source="manual", staff_id=staff.id)
    flt = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 3}}
    segments.save_segment(trail.sessions, "老车", flt, staff_id=staff.id)
    segments.rename_segment(trail.sessions, "老车", "老车主", staff_id=staff.id)
    segments.import_segment(trail.sessions, json.dumps({"name": "新车", "filter": flt}),
                            source="新车.json", staff_id=staff.id)
    csv = tmp_path / "退订.csv"
    csv.write_text("手机\n13800000001\n", encoding="utf-8")
    read_unsubscribes(trail.sessions, csv, staff_id=staff.id, today=TODAY)
    page = read_audit(trail.sessions, supervisor, AuditFilter(username="chenli"))
    found = {(e.action, e.entity) for e in page.entries}
    assert {("record_change", "customer"), ("save_segment", "saved_segment"),
            ("rename_segment", "saved_segment"), ("import_segment", "saved_segment"),
            ("read_unsubscribes", "file")} <= found
    change = next(e for e in page.entries if e.action == "record_change")
    assert change.customer_code and change.detail_data()["after"] == "教师"
