"""A list call read back from the filled-in paper first and typed on screen after (My follow-ups)
is one contact: the screen's words added, the attempt counted once; typed with another outcome,
the paper's is kept and nothing is saved. A save made while a read-back holds the member waits
for it and then sees it. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select

from models import ContactEvent, ListRunMember, MileageReading
from services.contacts.calls import CallResult, record_call
from services.lists import outcomes
from services.store.errors import RevisitError
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = rows_read.listed
DAY = TODAY - dt.timedelta(days=1)


def _member(database, code: str) -> ListRunMember:
    with database.sessions() as s:
        return s.scalars(select(ListRunMember).where(ListRunMember.row_code == code)).one()


def _contacts(database, member: ListRunMember) -> list[tuple[str, str | None, dt.date | None]]:
    with database.sessions() as s:
        return list(s.execute(
            select(ContactEvent.outcome, ContactEvent.feedback, ContactEvent.next_follow_up)
            .where(ContactEvent.list_run_id == member.run_id,
                   ContactEvent.customer_id == member.customer_id)
            .order_by(ContactEvent.id)).all())


def _type_on_screen(database, member: ListRunMember, result: CallResult,
                    at: dt.datetime) -> None:
    """The call saved as My follow-ups saves it: with the attempts the card was opened with."""
    record_call(database.sessions, member.customer_id, member.assigned_staff_id, result,
                purpose="care", member_id=member.id, at=at, seen_attempts=member.attempts)


def test_a_call_read_from_paper_then_typed_on_screen_is_one_contact(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    opened = _member(database, code)  # the card opened before the paper was read back
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): DAY.isoformat(),
                      (2, "客户反馈"): "下周来店"})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).stored == 1
    follow_up = TODAY + dt.timedelta(days=7)
    _type_on_screen(database, opened,
                    CallResult("reached", feedback="要保养", next_follow_up=follow_up, km=12345,
                               vehicle_id=opened.vehicle_id),
                    dt.datetime.combine(DAY, dt.time(15, 30)))
    assert _contacts(database, opened) == [("reached", "下周来店；要保养", follow_up)]
    assert _member(database, code).attempts == 1
    if opened.vehicle_id is not None:
        with database.sessions() as s:
            assert s.scalars(select(MileageReading.km).where(
                MileageReading.vehicle_id == opened.vehicle_id,
                MileageReading.reading_date == DAY)).all() == [12345]
    # Read back again, the paper stores nothing twice.
    outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert [c[0] for c in _contacts(database, opened)] == ["reached"]
    assert _member(database, code).attempts == 1


def test_a_call_typed_on_screen_with_another_outcome_than_the_paper_keeps_the_paper(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    opened = _member(database, code)
    _fill(path, col, {(2, "结果"): "无人接听", (2, "联系日期"): DAY.isoformat()})
    outcomes.read_outcomes(database.sessions, path, today=TODAY)
    with pytest.raises(RevisitError) as refused:
        _type_on_screen(database, opened, CallResult("reached", feedback="要保养"),
                        dt.datetime.combine(DAY, dt.time(15, 30)))
    assert str(refused.value) == (
        f"This call was read back from list #{opened.run_id}'s paper on {DAY} as “No answer”, "
        f"not “Reached”: nothing was saved; choose “No answer” to add what you typed to it.")
    assert _contacts(database, opened) == [("no_answer", None, None)]
    assert _member(database, code).attempts == 1
    # Another day's call on screen is another call.
    _type_on_screen(database, _member(database, code), CallResult("reached"),
                    dt.datetime.combine(TODAY, dt.time(9)))
    assert [c[0] for c in _contacts(database, opened)] == ["no_answer", "reached"]


def test_a_screen_save_during_a_read_back_waits_for_it_and_adds_to_it(listed):
    """Two PCs: one reading the paper back (its transaction holding the member's row, its
    contact stored but not yet committed), one saving the same call typed on screen."""
    database, path, col = listed
    opened = _member(database, _cell(path, col, 2, "编号"))
    at = dt.datetime.combine(DAY, dt.time(12))
    errors: list[BaseException] = []

    def screen() -> None:
        try:
            _type_on_screen(database, opened, CallResult("reached", feedback="要保养"), at)
        except BaseException as exc:
            errors.append(exc)

    with database.sessions.begin() as paper:  # as read_outcomes stores a row
        member = paper.get_one(ListRunMember, opened.id)
        paper.add(ContactEvent(
            customer_id=member.customer_id, vehicle_id=member.vehicle_id, contact_at=at,
            channel="phone", purpose="care", staff_id=member.assigned_staff_id,
            outcome="reached", feedback="下周来店", list_run_id=member.run_id,
            source_key=f"list:{member.row_code}:{DAY}:reached"))
        member.attempts += 1
        member.status = "reached"
        paper.flush()
        saving = threading.Thread(target=screen)
        saving.start()
        time.sleep(1.0)
        assert saving.is_alive()  # waiting for the read-back's transaction
    saving.join(30)
    assert errors == []
    assert _contacts(database, opened) == [("reached", "下周来店；要保养", None)]
    assert _member(database, opened.row_code).attempts == 1
