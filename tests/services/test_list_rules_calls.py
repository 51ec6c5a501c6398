"""List-run rules about earlier contacts, through `build_run` only, on SQLite and PostgreSQL:
K days of failed calls in a row (K−1 / K) and the switch to SMS or mail with its note, the 365-day
look-back, the retry window after an unanswered call (day N−1 / N / N+1), contact fatigue (day
N−1 / N / N+1), and the settings that move each boundary. The set-up is test_list_rules.py's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.labels import text
from tests.services.test_list_rules import (
    Run,
    World,
    at,
    contact,
    fails,
    open_world,
    person,
    refuse,
)


def _calls(s) -> None:
    """Group F-: a sales segment run with the default settings (K = 5 failed calls, retry after
    3 days, no contact within 14 days of a finished one)."""
    person(s, "F-PLAIN")
    # K days of failed calls in a row
    fails(s, person(s, "F-K4"), 30, 25, 20, 10)
    # Five calls not answered in one afternoon and on the day before: two failed days.
    c = person(s, "F-K5-TWODAYS")
    for hour in (13, 14, 15, 16, 17):
        contact(s, c, 10, "no_answer", hour=hour)
    contact(s, c, 11, "no_answer")
    # Four days, one of them with two calls: four days, not five.
    c = person(s, "F-K4-DAYS")
    fails(s, c, 30, 25, 20, 10)
    contact(s, c, 10, "phone_off", hour=16)
    fails(s, person(s, "F-K5"), 30, 25, 20, 15, 10)
    c = person(s, "F-K5-OFF")
    fails(s, c, 30, 25, 20)
    fails(s, c, 15, 10, outcome="phone_off")
    fails(s, person(s, "F-K5-PHONE", order="phone"), 30, 25, 20, 15, 10)
    c = person(s, "F-K5-PH-MAIL", order="phone")
    fails(s, c, 30, 25, 20, 15, 10)
    refuse(s, c, "sms")
    c = person(s, "F-K5-PH-NONE", order="phone", street=None)
    fails(s, c, 30, 25, 20, 15, 10)
    refuse(s, c, "sms")
    c = person(s, "F-K5-PHSMS", order="phone,sms")
    fails(s, c, 30, 25, 20, 15, 10)
    refuse(s, c, "sms")
    fails(s, person(s, "F-K5-SMSFIRST", order="sms,phone"), 30, 25, 20, 15, 10)
    for code, order in (("F-K5-P3", "phone,sms,mail"), ("F-K5-P3B", "sms,phone,mail"),
                        ("F-K5-SM", "sms,mail")):
        c = person(s, code, order=order)
        fails(s, c, 30, 25, 20, 15, 10)
        refuse(s, c, "sms")
    # Calls first, then the fourth or fifth choice after the others are blocked.
    for code, order in (("F-K5-P4", "phone,wechat,visit,mail"),
                        ("F-K5-P5", "phone,wechat,visit,sms,mail")):
        c = person(s, code, order=order)
        fails(s, c, 30, 25, 20, 15, 10)
        refuse(s, c, "visit")
        refuse(s, c, "sms")
    # Calls after the chosen channel: no note.
    fails(s, person(s, "F-K5-CALLLAST", order="mail,sms,phone", street=None),
          30, 25, 20, 15, 10)
    c = person(s, "F-K5-SMSONLY", order="sms")
    fails(s, c, 30, 25, 20, 15, 10)
    refuse(s, c, "sms", reason="回T退订")
    fails(s, person(s, "F-K5-WAIT"), 13, 10, 7, 4, 1)
    c = person(s, "F-K5-RESET")
    fails(s, c, 100, 95, 90, 85, 80)
    contact(s, c, 60, "reached")
    fails(s, c, 30, 25)
    fails(s, person(s, "F-K5-L365"), 365, 30, 25, 20, 15)
    fails(s, person(s, "F-K5-L366"), 366, 30, 25, 20, 15)
    # the retry window after an unanswered call
    for days_ago in (0, 2, 3, 4):
        fails(s, person(s, f"F-RETRY-{days_ago}"), days_ago)
    fails(s, person(s, "F-RETRY-SMS", order="sms,phone"), 1)
    # contact fatigue: a finished contact on any channel
    for days_ago in (0, 13, 14, 15):
        contact(s, person(s, f"F-FAT-{days_ago}"), days_ago, "reached",
                feedback="下个月再联系")
    contact(s, person(s, "F-FAT-SMS"), 5, "sent", channel="sms")
    contact(s, person(s, "F-FAT-REFUSED"), 5, "refused")
    contact(s, person(s, "F-FAT-APPT"), 5, "appointment")
    # the last contact printed: the newest of the year (two at one moment: the later
    # recorded), one older than the 365-day look-back, or an old one before a newer one
    c = person(s, "F-LAST-MANY")
    contact(s, c, 40, "reached", feedback="旧的")
    fails(s, c, 30)
    contact(s, c, 25, "reached", hour=9, feedback="先记的")
    contact(s, c, 25, "appointment", hour=9, feedback="后记的")
    c = person(s, "F-LAST-OLD")
    contact(s, c, 500, "no_answer")
    contact(s, c, 400, "reached", feedback="去年的")
    c = person(s, "F-LAST-MIXED")
    contact(s, c, 400, "reached", feedback="很久以前")
    contact(s, c, 100, "no_answer")
    c = person(s, "F-FUTURE")  # after the evaluation date: nothing yet
    contact(s, c, -1, "reached")
    fails(s, c, -1, -2, -3, -4, -5)
    contact(s, c, -1, "wrong_number")


def _settings(s) -> None:
    """Group X-: run with K = 3, retry after 7 days, fatigue 30 days. Group Z-: fatigue 0."""
    fails(s, person(s, "X-K2"), 60, 55)
    fails(s, person(s, "X-K3"), 60, 55, 50)
    fails(s, person(s, "X-RETRY-6"), 6)
    fails(s, person(s, "X-RETRY-7"), 7)
    contact(s, person(s, "X-FAT-29"), 29, "reached")
    contact(s, person(s, "X-FAT-30"), 30, "reached")
    c = person(s, "Z-OK-AFTER")  # no answer in the morning, reached in the afternoon
    contact(s, c, 1, "no_answer", hour=9)
    contact(s, c, 1, "reached", hour=15)
    c = person(s, "Z-FAIL-AFTER")
    contact(s, c, 2, "reached")
    contact(s, c, 1, "no_answer")
    contact(s, person(s, "Z-TODAY"), 0, "reached")
    c = person(s, "Z-FAIL-DAY")  # reached in the morning, no answer later the same day
    contact(s, c, 1, "reached", hour=9)
    contact(s, c, 1, "no_answer", hour=15)
    c = person(s, "Z-TIE")  # imported with dates only: both at midnight
    contact(s, c, 1, "no_answer", hour=0)
    contact(s, c, 1, "reached", hour=0)


def _fill(s) -> None:
    _calls(s)
    _settings(s)


GROUPS = {"F-": "sales", "X-": "care", "Z-": "care"}
SETTINGS_X = {"max_failed_attempts": 3, "no_answer_retry_days": 7, "contact_fatigue_days": 30}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, sqlite_template, pg_server_url) -> Iterator[World]:
    yield from open_world(request.param, tmp_path_factory, sqlite_template, pg_server_url,
                          _fill, GROUPS)


def calls(world: World, **options: Any) -> Run:
    return world.run("F-", **options)


# --- failed calls, the switch to SMS or mail, the retry window --------------------------------

def switched(failed: int, to: str) -> str:
    return f"电话已有 {failed} 天未接通，改为{to}"


def test_k_minus_one_failed_calls_still_get_a_call(world):
    member = calls(world).members["F-K4"]
    assert member.channel == "phone" and "未接通" not in member.points


@pytest.mark.parametrize("code", ["F-K5-TWODAYS", "F-K4-DAYS"])
def test_failed_calls_count_by_the_days_they_were_made(world, code):
    """A dealer call centre's rule is five failed days: five calls unanswered in an afternoon
    moved the customer to SMS before."""
    member = calls(world).members[code]
    assert member.channel == "phone" and "未接通" not in member.points


def test_k_failed_calls_move_to_sms_with_a_note(world):
    member = calls(world).members["F-K5"]
    assert member.channel == "sms"
    assert member.points.split("；")[0] == switched(5, "短信")


@pytest.mark.parametrize(("code", "channel", "note"), [
    ("F-K5-OFF", "sms", switched(5, "短信")),  # a phone switched off counts as failed
    ("F-K5-PHONE", "sms", switched(5, "短信")),  # calls only: SMS all the same
    ("F-K5-PH-MAIL", "mail", switched(5, "邮寄")),  # and mail when SMS is refused
    ("F-K5-PHSMS", "mail", switched(5, "邮寄")),
    ("F-K5-SMSFIRST", "sms", ""),  # SMS was their first choice anyway
    ("F-K5-P3", "mail", switched(5, "邮寄")),  # third choice, after calls
    ("F-K5-P3B", "mail", switched(5, "邮寄")),
    ("F-K5-SM", "mail", ""),  # never a caller's customer
    ("F-K5-P4", "mail", switched(5, "邮寄")),
    ("F-K5-P5", "mail", switched(5, "邮寄")),
    ("F-K5-CALLLAST", "sms", ""),
    ("F-K5-WAIT", "sms", switched(5, "短信")),  # no retry wait once K is reached
    ("F-K5-L365", "sms", switched(5, "短信")),  # a failure 365 days ago still counts
])
def test_k_failed_calls_switch_channels(world, code, channel, note):
    member = calls(world).members[code]
    assert member.channel == channel
    assert member.points == note


@pytest.mark.parametrize(("code", "reason", "detail"), [
    ("F-K5-PH-NONE", "no_channel", "电话：已有 5 天未接通"),
    # SMS only and refused: failed calls do not open mail for someone who never wanted calls
    ("F-K5-SMSONLY", "dnc", "短信：短信勿扰：回T退订"),
])
def test_k_failed_calls_with_no_channel_left(world, code, reason, detail):
    left = calls(world).excluded[code]
    assert (left.reason, left.detail) == (reason, detail)


def test_k_failed_calls_exclude_a_forced_call_list(world):
    run = calls(world, channel="call")
    left = run.excluded["F-K5"]
    assert (left.reason, left.detail) == ("no_channel", "电话：已有 5 天未接通")
    assert run.members["F-K4"].channel == "phone"


def test_a_forced_sms_list_carries_no_switch_note(world):
    member = calls(world, channel="sms").members["F-K5"]
    assert (member.channel, member.points) == ("sms", "")


@pytest.mark.parametrize("code", ["F-K5-RESET", "F-K5-L366"])
def test_failures_before_a_successful_call_or_a_year_ago_do_not_count(world, code):
    member = calls(world).members[code]
    assert member.channel == "phone" and member.points == ""


@pytest.mark.parametrize(("code", "detail"), [
    ("F-RETRY-0", "2026-11-23 未接通，2026-11-26 起再拨"),  # day 0
    ("F-RETRY-2", "2026-11-21 未接通，2026-11-24 起再拨"),  # day N−1
    ("F-RETRY-3", None),  # day N: called again
    ("F-RETRY-4", None),  # day N+1
])
def test_an_unanswered_call_is_retried_after_n_days(world, code, detail):
    run = calls(world)
    if detail is None:
        assert run.members[code].channel == "phone"
    else:
        assert (run.excluded[code].reason, run.excluded[code].detail) == ("retry_later", detail)


def test_the_retry_wait_holds_calls_only(world):
    assert calls(world).members["F-RETRY-SMS"].channel == "sms"
    assert calls(world, channel="sms").members["F-RETRY-2"].channel == "sms"
    assert calls(world, channel="mail").members["F-RETRY-0"].channel == "mail"


# --- contact fatigue ---------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "detail"), [
    ("F-FAT-0", "2026-11-23 已联系（14 天内不再联系）"),
    ("F-FAT-13", "2026-11-10 已联系（14 天内不再联系）"),  # day N−1
    ("F-FAT-14", None),  # day N
    ("F-FAT-15", None),  # day N+1
    ("F-FAT-SMS", "2026-11-18 已联系（14 天内不再联系）"),  # an SMS sent counts
    ("F-FAT-REFUSED", "2026-11-18 已联系（14 天内不再联系）"),
    ("F-FAT-APPT", "2026-11-18 已联系（14 天内不再联系）"),
])
def test_no_contact_within_n_days_of_a_finished_one(world, code, detail):
    run = calls(world)
    if detail is None:
        assert run.members[code].channel == "phone"
    else:
        assert (run.excluded[code].reason, run.excluded[code].detail) == ("recent_contact", detail)


def test_a_forced_channel_does_not_lift_contact_fatigue(world):
    assert calls(world, channel="sms").excluded["F-FAT-13"].reason == "recent_contact"


def test_contacts_after_the_evaluation_date_count_for_nothing(world):
    member = calls(world).members["F-FUTURE"]
    assert (member.channel, member.points, member.snapshot["last_contact"]) == ("phone", "", None)


def test_the_last_contact_is_kept_with_the_member(world):
    snap = calls(world).members["F-FAT-15"].snapshot
    assert (snap["last_contact"], snap["last_outcome"], snap["last_feedback"]) == (
        "2026-11-08", "接通", "下个月再联系")
    none = calls(world).members["F-PLAIN"].snapshot
    assert (none["last_contact"], none["last_outcome"], none["last_feedback"]) == (
        None, None, None)


@pytest.mark.parametrize(("code", "days_ago", "outcome", "feedback"), [
    ("F-LAST-MANY", 25, "appointment", "后记的"),
    ("F-LAST-OLD", 400, "reached", "去年的"),  # before the look-back: still printed
    ("F-LAST-MIXED", 100, "no_answer", None),
])
def test_the_last_contact_printed_is_the_newest(world, code, days_ago, outcome, feedback):
    snap = calls(world).members[code].snapshot
    assert (snap["last_contact"], snap["last_outcome"], snap["last_feedback"]) == (
        at(days_ago, 0).date().isoformat(), text("outcome", outcome), feedback)


# --- the settings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "expected"), [
    ("X-K2", ("phone", "")),  # K−1 with K = 3
    ("X-K3", ("sms", switched(3, "短信"))),
    ("X-RETRY-6", ("retry_later", "2026-11-17 未接通，2026-11-24 起再拨")),
    ("X-RETRY-7", ("phone", "")),
    ("X-FAT-29", ("recent_contact", "2026-10-25 已联系（30 天内不再联系）")),
    ("X-FAT-30", ("phone", "")),
])
def test_the_settings_move_every_boundary(world, code, expected):
    run = world.run("X-", overrides=SETTINGS_X)
    if code in run.members:
        assert (run.members[code].channel, run.members[code].points) == expected
    else:
        assert (run.excluded[code].reason, run.excluded[code].detail) == expected


@pytest.mark.parametrize(("code", "expected"), [
    ("Z-OK-AFTER", "phone"),  # reached after the unanswered call: no wait
    ("Z-FAIL-AFTER", ("retry_later", "2026-11-22 未接通，2026-11-25 起再拨")),
    ("Z-TODAY", "phone"),  # fatigue 0: even today's contact does not hold back
    ("Z-TIE", "phone"),  # a call reached at the same time as the unanswered one
    # Days, not hours: a call reached earlier on the day of the failure ends the wait too.
    ("Z-FAIL-DAY", "phone"),
])
def test_the_retry_wait_ends_with_a_successful_call(world, code, expected):
    run = world.run("Z-", overrides={"contact_fatigue_days": 0})
    if isinstance(expected, tuple):
        assert (run.excluded[code].reason, run.excluded[code].detail) == expected
    else:
        assert run.members[code].channel == expected
