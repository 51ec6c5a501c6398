"""Undoing a read-back of a filled-in list: the read-backs done are listed (file, run, who, how
many stored); undoing one removes exactly the contacts, next dates, km readings and profile
changes it stored, in one go, with an audit entry; what was changed since by a later read or
on screen refuses the undo, naming the customers; reading the file again stores it again.
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import AuditLog, ContactEvent, ListRunMember, MileageReading, ProfileChange
from services.contacts.calls import CallResult, record_call
from services.lists import outcomes, readback_undo
from services.staff import accounts, signing
from services.store.errors import RevisitError
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = rows_read.listed


def _km_header(col: dict) -> str:
    return next(h for h in col if str(h).startswith("当前里程"))


def _state(database) -> tuple:
    """What reads store: contacts (row, outcome, feedback, next date), km readings, profile
    changes, and the members' attempts and states."""
    with database.sessions() as s:
        return (sorted(s.execute(select(ContactEvent.source_key, ContactEvent.outcome,
                                        ContactEvent.feedback, ContactEvent.next_follow_up)
                                 ).all(), key=str),
                sorted(s.execute(select(MileageReading.vehicle_id, MileageReading.km,
                                        MileageReading.reading_date)).all()),
                sorted(s.execute(select(ProfileChange.customer_id, ProfileChange.attribute,
                                        ProfileChange.new_value)).all(), key=str),
                sorted(s.execute(select(ListRunMember.id, ListRunMember.attempts,
                                        ListRunMember.status)).all()))


def _filled(path, col) -> None:
    _fill(path, col, {(2, "结果"): "接通", (2, "客户反馈"): "下周来保养",
                      (2, "下次跟进"): dt.date(2026, 12, 1), (2, _km_header(col)): 32000,
                      (2, "画像变化"): "婚姻=已婚",
                      (3, "结果"): "无人接听", (4, "结果"): "预约成功",
                      (4, "联系日期"): dt.date(2026, 11, 24)})


def test_a_read_back_is_listed_and_undone_whole_then_read_again(listed, supervisor):
    database, path, col = listed
    before = _state(database)
    _filled(path, col)
    report = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (report.stored, report.km_readings, report.profile_changes) == (3, 1, 1)
    after_read = _state(database)
    assert after_read != before
    [done] = readback_undo.read_backs(database.sessions)
    run = int(_cell(path, col, 2, "编号").split("-")[0])
    assert (done.file, done.runs, done.stored, done.km_readings, done.profile_changes,
            done.staff_id, done.undoable, done.undone_at) == (
        path.name, (run,), 3, 1, 1, supervisor.id, True, None)
    undone = readback_undo.undo_read_back(database.sessions, done.number, actor=supervisor,
                                          today=TODAY)
    assert (undone.contacts, undone.km_readings, undone.profile_changes) == (3, 1, 1)
    assert _state(database) == before
    [listed_now] = readback_undo.read_backs(database.sessions)
    assert listed_now.undone_at is not None
    with database.sessions() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "undo_read_outcomes"))
        assert entry is not None and entry.staff_id == supervisor.id and path.name in entry.detail
    with pytest.raises(RevisitError, match="undone already"):
        readback_undo.undo_read_back(database.sessions, done.number, actor=supervisor)
    again = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (again.stored, again.km_readings, again.profile_changes) == (3, 1, 1)
    assert _state(database) == after_read


def test_an_undo_takes_back_only_that_read_and_its_corrections(listed, supervisor):
    """A first file's contacts stay when a second read (correcting one of them, adding another)
    is undone; the corrected contact is as the first read left it."""
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "客户反馈"): "满意"})
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    first = _state(database)
    _fill(path, col, {(2, "客户反馈"): "满意，下周来", (3, "结果"): "接通"})
    second = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (second.stored, second.corrected) == (1, 1)
    latest = readback_undo.read_backs(database.sessions)[0]
    readback_undo.undo_read_back(database.sessions, latest.number, actor=supervisor)
    assert _state(database) == first


def test_an_undo_is_refused_naming_customers_changed_since(listed, supervisor):
    """A call typed on screen after the read, on a contact the read stored, is not destroyed:
    the undo is refused naming the customer, and nothing is taken back."""
    database, path, col = listed
    _filled(path, col)
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    [done] = readback_undo.read_backs(database.sessions)
    # A later copy of the file corrects row 2's feedback: a later read changed that contact.
    _fill(path, col, {(2, "客户反馈"): "改约下月"})
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    kept = _state(database)
    name = _cell(path, col, 2, "姓名")
    with pytest.raises(RevisitError) as refused:
        readback_undo.undo_read_back(database.sessions, done.number, actor=supervisor)
    assert name in str(refused.value) and "was not undone" in str(refused.value)
    assert _state(database) == kept


def test_a_call_on_screen_since_is_kept_and_its_member_state_too(listed, supervisor):
    database, path, col = listed
    _fill(path, col, {(3, "结果"): "无人接听", (3, "联系日期"): dt.date(2026, 11, 24),
                      (2, "结果"): "无人接听"})
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    code = _cell(path, col, 3, "编号")
    with database.sessions() as s:
        member = s.scalar(select(ListRunMember).where(ListRunMember.row_code == code))
    record_call(database.sessions, member.customer_id, member.assigned_staff_id,
                CallResult("reached"), member_id=member.id,
                at=dt.datetime.combine(TODAY, dt.time(16)))
    with database.sessions() as s:
        on_screen = s.get_one(ListRunMember, member.id).status
    assert on_screen != "no_answer"
    # Row 2's call, read back as today's, has a feedback added to it on screen since.
    other = _cell(path, col, 2, "编号")
    with database.sessions() as s:
        second = s.scalar(select(ListRunMember).where(ListRunMember.row_code == other))
    record_call(database.sessions, second.customer_id, second.assigned_staff_id,
                CallResult("no_answer", feedback="晚上再打"), member_id=second.id,
                at=dt.datetime.combine(TODAY, dt.time(17)))
    [done] = readback_undo.read_backs(database.sessions)
    with pytest.raises(RevisitError, match=_cell(path, col, 2, "姓名")):
        readback_undo.undo_read_back(database.sessions, done.number, actor=supervisor)
    # Put back as the read left it, the undo takes back row 2's and row 3's read contacts
    # and keeps row 3's call typed on screen, with the member's state it gave.
    with database.sessions.begin() as s:
        s.scalar(select(ContactEvent).where(ContactEvent.customer_id == second.customer_id)
                 ).feedback = None
    readback_undo.undo_read_back(database.sessions, done.number, actor=supervisor)
    with database.sessions() as s:
        left = s.execute(select(ContactEvent.outcome, ContactEvent.source_key)
                         .where(ContactEvent.list_run_id.is_not(None))).all()
        member = s.get_one(ListRunMember, member.id)
    assert [tuple(r) for r in left] == [("reached", None)]
    assert (member.attempts, member.status) == (1, on_screen)


def _clerk(database, supervisor):
    """A staff member (赵敏, no supervisor), as signed in."""
    accounts.add_account(database.sessions, supervisor, "zhaomin", "赵敏", "clerk", "first-pw")
    return signing.sign_in(database.engine, "zhaomin", "first-pw").actor


def test_only_a_supervisor_or_the_reader_may_undo(listed, supervisor):
    database, path, col = listed
    staff = _clerk(database, supervisor)
    _fill(path, col, {(2, "结果"): "接通"})
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    [done] = readback_undo.read_backs(database.sessions)
    with pytest.raises(RevisitError, match="neither"):
        readback_undo.undo_read_back(database.sessions, done.number, actor=staff)
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ContactEvent)
                        .where(ContactEvent.list_run_id.is_not(None))) == 1
    _fill(path, col, {(3, "结果"): "接通"})
    outcomes.read_outcomes(database.sessions, path, actor=staff, today=TODAY)
    mine = readback_undo.read_backs(database.sessions)[0]
    assert mine.staff_id == staff.id
    assert readback_undo.undo_read_back(database.sessions, mine.number,
                                        actor=staff).contacts == 1


def test_a_read_in_several_chunks_is_one_read_back_undone_whole(listed, supervisor):
    database, path, col = listed
    before = _state(database)
    _filled(path, col)
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY, chunk=1)
    [done] = readback_undo.read_backs(database.sessions)
    assert (done.stored, done.km_readings, done.profile_changes) == (3, 1, 1)
    readback_undo.undo_read_back(database.sessions, done.number, actor=supervisor)
    assert _state(database) == before


def test_undoing_a_correction_puts_back_the_outcome_km_and_profile_it_took_back(listed,
                                                                               supervisor):
    """A row whose outcome was typed over is the caller's correction: the read takes the km
    reading and the profile change of the first read back. Undoing that read puts them back."""
    database, path, col = listed
    _filled(path, col)
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    first = _state(database)
    _fill(path, col, {(2, "结果"): "无人接听", (2, _km_header(col)): None,
                      (2, "画像变化"): None, (2, "客户反馈"): None, (2, "下次跟进"): None})
    second = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert second.corrected == 1
    assert _state(database) != first
    latest = readback_undo.read_backs(database.sessions)[0]
    undone = readback_undo.undo_read_back(database.sessions, latest.number, actor=supervisor)
    assert undone.restored >= 2  # the contact and the km reading
    assert _state(database) == first


def test_a_read_from_before_undo_is_listed_but_not_undone(listed, supervisor):
    """A read whose audit entry keeps no trail (read by an earlier version) is listed, and its
    undo refused in one sentence; a number that is no read-back is refused too."""
    database, _path, _col = listed
    with database.sessions.begin() as s:
        old = AuditLog(action="read_outcomes", entity="list_run", entity_id=1,
                       staff_id=supervisor.id,
                       detail='{"file": "旧名单.xlsx", "stored": 4, "rows": "2-5"}')
        s.add(old)
        s.flush()
        number = old.id
    [listed_old] = readback_undo.read_backs(database.sessions)
    assert (listed_old.number, listed_old.file, listed_old.stored, listed_old.undoable) == (
        number, "旧名单.xlsx", 4, False)
    with pytest.raises(RevisitError, match="cannot be undone here"):
        readback_undo.undo_read_back(database.sessions, number, actor=supervisor)
    with pytest.raises(RevisitError, match="There is no read-back"):
        readback_undo.undo_read_back(database.sessions, number + 1000, actor=supervisor)
