"""A customer still waiting for their contact on another segment's list of these days is left
out of the next list, with the run they wait on, on SQLite and PostgreSQL: the run finished
and not withdrawn, their contact there still open, its date within the fatigue days (day N−1
/ N); a run of the same segment is the week's list again and takes them back. The set-up is
test_list_rules.py's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from models import Customer, ListRun, ListRunMember
from services.lists import build, runs
from services.segments import service as segments
from services.store.settings import load_settings
from tests.services.test_list_rules import AS_OF, Run, contact, person, read_run

FATIGUE = 14  # the default contact fatigue


@pytest.fixture
def world(database):
    """W-A1 and W-A2 in both segments (a reminder list and a birthday list), W-B in the
    birthday list only."""
    with database.sessions.begin() as s:
        for code in ("W-A1", "W-A2", "W-B"):
            person(s, code)
    for name, prefix, purpose in (("保养提醒", "W-A", "reminder"), ("生日关怀", "W-", "care")):
        segments.save_segment(database.sessions, name, {"version": 1, "where": {
            "field": "customer_code", "op": "starts_with", "value": prefix}}, purpose=purpose)
    return database


def _run(db, segment: str, as_of: dt.date, *, finish: bool = True) -> Run:
    summary = build.build_run(db.sessions, segment,
                              build.RunOptions(channel="call", as_of=as_of))
    if finish:
        runs.finish_run(db.sessions, summary.run_id)
    return read_run(db, summary)


def test_a_customer_waiting_on_another_segments_list_is_left_out_with_that_run(world):
    first = _run(world, "保养提醒", AS_OF - dt.timedelta(days=3))
    assert set(first.members) == {"W-A1", "W-A2"}
    # W-A2 was called meanwhile: no longer waiting (their outcome's own rules apply).
    with world.sessions.begin() as s:
        s.execute(update(ListRunMember).where(
            ListRunMember.run_id == first.summary.run_id,
            ListRunMember.row_code == first.members["W-A2"].row_code).values(status="reached"))
    second = _run(world, "生日关怀", AS_OF)
    assert set(second.members) == {"W-A2", "W-B"}
    left = second.excluded["W-A1"]
    run_id = first.summary.run_id
    assert (left.reason, left.detail) == (
        "on_list", f"已在名单 #{run_id} 中待联系（14 天内不重复联系）")
    assert second.summary.excluded == {"已在其他名单中": 1}


def test_a_run_of_the_same_segment_takes_its_waiting_customers_back(world):
    _run(world, "保养提醒", AS_OF - dt.timedelta(days=7))
    again = _run(world, "保养提醒", AS_OF)
    assert set(again.members) == {"W-A1", "W-A2"} and not again.excluded


@pytest.mark.parametrize(("days_ago", "waiting"), [
    (0, True), (FATIGUE - 1, True), (FATIGUE, False), (FATIGUE + 1, False)])
def test_only_a_list_of_the_fatigue_days_is_waited_on(world, days_ago, waiting):
    _run(world, "保养提醒", AS_OF - dt.timedelta(days=days_ago))
    later = _run(world, "生日关怀", AS_OF)
    assert ("W-A1" in later.excluded) is waiting
    assert ("W-A1" in later.members) is not waiting


def test_a_list_dated_after_the_new_one_is_not_waited_on(world):
    """A list made for a later date (planned ahead) is not yet this list's past."""
    _run(world, "保养提醒", AS_OF + dt.timedelta(days=1))
    assert "W-A1" in _run(world, "生日关怀", AS_OF).members


def test_an_unfinished_or_withdrawn_list_is_not_waited_on(world, supervisor):
    _run(world, "保养提醒", AS_OF - dt.timedelta(days=2), finish=False)
    assert "W-A1" in _run(world, "生日关怀", AS_OF).members
    withdrawn = _run(world, "保养提醒", AS_OF - dt.timedelta(days=2))
    runs.withdraw_run(world.sessions, withdrawn.summary.run_id, supervisor)
    assert "W-A1" in _run(world, "生日关怀", AS_OF).members


def test_no_fatigue_days_means_no_waiting(world):
    _run(world, "保养提醒", AS_OF)
    summary = build.build_run(world.sessions, "生日关怀", build.RunOptions(
        channel="call", as_of=AS_OF, overrides={"contact_fatigue_days": 0}))
    assert summary.members == 3


def test_a_recall_is_held_back_neither_by_a_recent_contact_nor_by_another_list(world):
    """The maker's safety notice goes out to a customer waiting on this week's reminder list
    and to one reached two days ago; a care list of the same day still leaves both out."""
    with world.sessions.begin() as s:
        contact(s, s.scalars(select(Customer).where(Customer.code == "W-B")).one(), 2,
                "reached")
    segments.save_segment(world.sessions, "召回通知", {"version": 1, "where": {
        "field": "customer_code", "op": "starts_with", "value": "W-"}}, purpose="recall")
    _run(world, "保养提醒", AS_OF - dt.timedelta(days=3))
    recall = _run(world, "召回通知", AS_OF)
    assert set(recall.members) == {"W-A1", "W-A2", "W-B"} and not recall.excluded
    care = _run(world, "生日关怀", AS_OF)
    assert {code: left.reason for code, left in care.excluded.items()} == {
        "W-A1": "on_list", "W-A2": "on_list", "W-B": "recent_contact"}
    # Each run keeps the days it held back by, which its callers' queues go by: none for
    # the recall.
    with world.sessions() as s:
        kept = [s.get(ListRun, r.summary.run_id).contact_fatigue_days for r in (recall, care)]
    assert kept == [0, load_settings(world.sessions).contact_fatigue_days] and kept[1] > 0
