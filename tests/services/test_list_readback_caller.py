"""The 回访员 of a row read back again: a name put right in the file since (a colleague's name
mistyped, or the wrong colleague named) moves the contact that row stored to the caller now
named, one contact still, and undoing that read gives it back to the one named before; a name
that is nobody's, an emptied cell, or a call typed on screen moves nothing. On SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import ContactEvent, ListRunMember, StaffUser
from services.contacts.calls import CallResult, record_call
from services.lists import outcomes, readback_undo
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = rows_read.listed


def _callers(database) -> list[str]:
    """The user name of each list contact's caller, by contact."""
    with database.sessions() as s:
        return list(s.scalars(select(StaffUser.username)
                              .join(ContactEvent, ContactEvent.staff_id == StaffUser.id)
                              .where(ContactEvent.list_run_id.is_not(None))
                              .order_by(ContactEvent.id)))


def _not_printed(path, col) -> tuple[str, str]:
    """A staff member's (name, user name) who is not the 回访员 printed on row 2."""
    printed = _cell(path, col, 2, "回访员")
    return ("刘洋", "liuyang") if printed != "刘洋" else ("陈丽", "chenli")


def test_a_caller_retyped_moves_the_contact_and_undoing_the_read_moves_it_back(listed,
                                                                               supervisor):
    database, path, col = listed
    other, other_user = _not_printed(path, col)
    _fill(path, col, {(2, "结果"): "接通", (2, "回访员"): supervisor.name})
    first = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (first.stored, first.found, first.cells_left_out) == (1, (), ())
    assert _callers(database) == ["boss"]
    _fill(path, col, {(2, "回访员"): other})
    again = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (again.stored, again.already, again.corrected) == (0, 1, 1)
    assert _callers(database) == [other_user]
    undone = readback_undo.undo_read_back(database.sessions, again.read_back,
                                          actor=supervisor, today=TODAY)
    assert (undone.contacts, undone.restored) == (0, 1)
    assert _callers(database) == ["boss"]


def test_a_mistyped_caller_put_right_is_credited_and_one_still_mistyped_moves_nothing(
        listed, supervisor):
    database, path, col = listed
    other, other_user = _not_printed(path, col)
    printed_user = "chenli" if other_user == "liuyang" else "liuyang"
    _fill(path, col, {(2, "结果"): "接通", (2, "回访员"): other + "x"})
    first = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert [p.row for p in first.cells_left_out] == [2]
    assert _callers(database) == [printed_user]  # kept under the list's caller
    _fill(path, col, {(2, "回访员"): "小王"})  # still nobody: nothing moves, said again
    still = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert ([p.row for p in still.cells_left_out], still.corrected) == ([2], 0)
    assert _callers(database) == [printed_user]
    _fill(path, col, {(2, "回访员"): other})
    right = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (right.stored, right.corrected, right.cells_left_out) == (0, 1, ())
    assert _callers(database) == [other_user]
    _fill(path, col, {(2, "回访员"): None})  # a cell emptied since says no one else
    outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert _callers(database) == [other_user]


def test_a_call_typed_on_screen_keeps_its_caller_whatever_the_list_names(listed, supervisor):
    database, path, col = listed
    other, _user = _not_printed(path, col)
    with database.sessions() as s:
        member = s.scalars(select(ListRunMember).where(
            ListRunMember.row_code == _cell(path, col, 2, "编号"))).one()
        screen_staff = s.get_one(StaffUser, member.assigned_staff_id)
        typed_by, shown = screen_staff.username, screen_staff.display_name
    printed = _cell(path, col, 2, "回访员")
    record_call(database.sessions, member.customer_id, member.assigned_staff_id,
                CallResult("reached"), member_id=member.id, at=dt.datetime(2026, 11, 24, 10))
    # Read with the name retyped, again with another, then as printed: the call stays the
    # screen's, said while the row names someone else.
    for name in (supervisor.name, other, printed):
        _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24",
                          (2, "回访员"): name})
        report = outcomes.read_outcomes(database.sessions, path, actor=supervisor,
                                        today=TODAY)
        assert (report.stored, report.on_screen, report.corrected) == (0, 1, 0)
        assert _callers(database) == [typed_by]
        said = [n for n in report.notes if "recorded on screen by" in n.en]
        if name == printed:
            assert said == []
            continue
        assert [n.zh for n in said] == [
            f"第 2 行（{_cell(path, col, 2, '编号')}）：该联系已由{shown}在屏幕上登记，仍记在"
            f"{shown}名下，未改为回访员“{name}”；如确由{name}联系，请在客户页面修改"]
        assert f"not 回访员 '{name}'s" in said[0].en
