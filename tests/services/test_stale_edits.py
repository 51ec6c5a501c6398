"""Saves based on what an editor loaded: the versions the customer page reads, each kind of
stale save refused with its sentence (who and when, or without a name when nobody was named),
and the cases one process can show (cleared and re-stated preferences, renamed or deleted
segments, a writer that takes no lock). Saves at the same moment: test_versions.py."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from models import ContactPreference, Customer, StaffUser
from services.customers import detail as customer_detail
from services.customers import preferences, profile
from services.segments import service as segments
from services.store.errors import RevisitError, StaleEdit

TODAY = dt.date.today()
FILTER = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}}


@pytest.fixture
def ids(database) -> tuple[int, int, int]:
    """王芳 and 李强 (staff), and a customer."""
    with database.sessions.begin() as s:
        wang, li = StaffUser(username="wf", display_name="王芳"), StaffUser(username="lq",
                                                                             display_name="李强")
        c = Customer(code="C1", name="张伟")
        s.add_all([wang, li, c])
        s.flush()
        return wang.id, li.id, c.id


def test_the_page_reads_every_version_an_edit_is_based_on(database, ids):
    wang, _li, cid = ids
    first = customer_detail.load(database.sessions, cid)
    assert (first.version, first.preferences_version, first.consent_marker) == (1, 0, 0)
    stored = preferences.set_preferences(database.sessions, cid, channel_order=["sms"],
                                         staff_id=wang, expected_version=0)
    event = preferences.record_consent(database.sessions, cid, True, event_date=TODAY,
                                       source="call", expected_latest=0)
    refusal = preferences.add_refusal(database.sessions, cid, channel=None, purpose="sales",
                                      reason="不要推销", set_on=TODAY)
    lifted = preferences.lift_refusal(database.sessions, refusal, lifted_on=TODAY,
                                      reason="客户要求", expected_version=1)
    profile.record_change(database.sessions, cid, "occupation", "教师", effective_date=TODAY,
                          source="call", seen_value=None, expected_version=1)
    now = customer_detail.load(database.sessions, cid)
    assert (now.version, now.preferences_version, now.consent_marker) == (2, stored, event)
    assert stored == 1 and lifted == 2 and now.refusals[0].version == 2


def test_stale_preferences_name_who_and_keep_theirs(database, ids):
    wang, li, cid = ids
    preferences.set_preferences(database.sessions, cid, channel_order=["sms"], staff_id=wang,
                                expected_version=0)
    with pytest.raises(StaleEdit, match="王芳 changed this customer's contact preferences at "
                                        r"\d\d:\d\d since you opened them"):
        preferences.set_preferences(database.sessions, cid, channel_order=["mail"],
                                    staff_id=li, expected_version=0)
    with pytest.raises(StaleEdit, match="王芳"):
        preferences.clear_preferences(database.sessions, cid, staff_id=li, expected_version=0)
    with database.sessions() as s:
        assert s.get_one(ContactPreference, cid).channel_order == "sms"


def test_preferences_cleared_and_stated_again_do_not_take_an_old_version(database, ids):
    """An editor who loaded a row that was cleared since, and stated anew, is refused: the new
    row's version is above every version the old one had."""
    wang, li, cid = ids
    loaded = preferences.set_preferences(database.sessions, cid, channel_order=["sms"])
    preferences.clear_preferences(database.sessions, cid, staff_id=wang, expected_version=loaded)
    with pytest.raises(StaleEdit, match="王芳 changed"):  # cleared: who cleared it
        preferences.set_preferences(database.sessions, cid, channel_order=["mail"],
                                    expected_version=loaded)
    again = preferences.set_preferences(database.sessions, cid, channel_order=["phone"],
                                        staff_id=li, expected_version=0)
    assert again > loaded
    with pytest.raises(StaleEdit, match="李强 changed"):
        preferences.set_preferences(database.sessions, cid, channel_order=["mail"],
                                    expected_version=loaded)


def test_a_row_written_by_nobody_named_gives_the_sentence_without_a_name(database, ids):
    _wang, _li, cid = ids
    preferences.set_preferences(database.sessions, cid, channel_order=["sms"])
    with pytest.raises(StaleEdit, match="^This customer's contact preferences were changed at "):
        preferences.set_preferences(database.sessions, cid, channel_order=["mail"],
                                    expected_version=0)


def test_first_preferences_inserted_by_a_writer_without_the_lock_are_a_stale_edit(database,
                                                                                 ids):
    """An import or merge may insert the row without taking the customer's lock: a first save
    at the same moment is refused as stale, never with a database error."""
    wang, li, cid = ids
    other = database.sessions()
    other.add(ContactPreference(customer_id=cid, channel_order="mail", first_channel="mail",
                                updated_by=wang))
    other.flush()  # inserted, not committed: the save below waits for it
    timer = threading.Timer(0.5, other.commit)
    timer.start()
    try:
        with pytest.raises(StaleEdit, match="王芳"):
            preferences.set_preferences(database.sessions, cid, channel_order=["sms"],
                                        staff_id=li, expected_version=0)
    finally:
        timer.join()
        other.close()
    with database.sessions() as s:
        assert s.get_one(ContactPreference, cid).channel_order == "mail"


def test_stale_consent_and_lift_name_who(database, ids):
    wang, li, cid = ids
    preferences.record_consent(database.sessions, cid, True, event_date=TODAY, source="call",
                               staff_id=wang, expected_latest=0)
    with pytest.raises(StaleEdit, match="王芳 recorded this customer's marketing consent"):
        preferences.record_consent(database.sessions, cid, False, event_date=TODAY,
                                   source="call", staff_id=li, expected_latest=0)
    refusal = preferences.add_refusal(database.sessions, cid, channel="phone", purpose=None,
                                      reason="不要电话", set_on=TODAY)
    preferences.lift_refusal(database.sessions, refusal, lifted_on=TODAY, reason="第一",
                             staff_id=wang, expected_version=1)
    with pytest.raises(StaleEdit, match="王芳 lifted this do-not-contact entry"):
        preferences.lift_refusal(database.sessions, refusal, lifted_on=TODAY, reason="第二",
                                 staff_id=li, expected_version=1)
    # A caller that showed nothing (a script) is told it is lifted already, as before.
    with pytest.raises(RevisitError, match="already lifted"):
        preferences.lift_refusal(database.sessions, refusal, lifted_on=TODAY, reason="第三")
    assert customer_detail.load(database.sessions, cid).refusals[0].lift_reason == "第一"


def test_stale_profile_change_names_who_and_the_attribute(database, ids):
    wang, li, cid = ids
    profile.record_change(database.sessions, cid, "occupation", "医生", effective_date=TODAY,
                          source="call", staff_id=wang, seen_value=None)
    with pytest.raises(StaleEdit, match="王芳 changed this customer's occupation to “医生” at"
                       ) as refused:
        profile.record_change(database.sessions, cid, "occupation", "教师",
                              effective_date=TODAY, source="call", staff_id=li,
                              seen_value=None)
    assert refused.value.params["attribute"].zh == "职业"  # as the window's Chinese says it
    with pytest.raises(StaleEdit, match="王芳 changed this customer at"):
        profile.record_change(database.sessions, cid, "marital_status", "married",
                              effective_date=TODAY, source="call", staff_id=li,
                              expected_version=1)
    # Based on what is stored now, it stands, and the history chain follows.
    change = profile.record_change(database.sessions, cid, "occupation", "教师",
                                   effective_date=TODAY, source="call", staff_id=li,
                                   seen_value="医生",
                                   expected_version=profile.customer_version(
                                       database.sessions, cid))
    assert (change.old_value, change.new_value, change.staff_id) == ("医生", "教师", li)


def test_a_segment_renamed_or_deleted_since_it_was_opened_says_by_whom(database, ids,
                                                                       supervisor):
    wang, li, _cid = ids
    opened = segments.save_segment(database.sessions, "老车", FILTER, staff_id=wang)
    segments.rename_segment(database.sessions, "老车", "旧车", staff_id=wang,
                            expected_version=opened.version, segment_id=opened.id)
    with pytest.raises(StaleEdit, match="王芳 renamed the segment “老车” to “旧车”"):
        segments.save_segment(database.sessions, "老车", FILTER, replace=True, staff_id=li,
                              expected_version=opened.version, segment_id=opened.id)
    with pytest.raises(StaleEdit, match="renamed or deleted"):  # which one is not known
        segments.save_segment(database.sessions, "老车", FILTER, replace=True,
                              expected_version=opened.version)
    now = segments.get_segment(database.sessions, "旧车").info
    segments.delete_segment(database.sessions, "旧车", supervisor,
                            expected_version=now.version, segment_id=now.id)
    with pytest.raises(StaleEdit, match="王主管 deleted the segment “旧车”"):
        segments.rename_segment(database.sessions, "旧车", "新车", staff_id=li,
                                expected_version=now.version, segment_id=now.id)
    assert segments.list_segments(database.sessions) == ()
