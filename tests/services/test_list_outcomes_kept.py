"""Reading a filled-in list back loses nothing the caller wrote: an outcome typed in their own
words keeps the words, a row without its contact date is dated by the list's day and says so,
a 画像变化 cell that cannot be read leaves the row's contact stored and is said by row, and a row
read again takes back the profile changes its first reading stored when its outcome was typed
over (as a change, the history kept). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import ContactEvent, Customer, ListRun, ListRunMember, MileageReading, ProfileChange
from models.codes import PROFILE_ATTRIBUTES
from services.customers.profile import value_as_of
from services.imports.words import outcome_says_more
from services.lists import outcomes
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _event(database, code: str) -> ContactEvent:
    with database.sessions() as s:
        return s.scalars(select(ContactEvent).where(
            ContactEvent.source_key.like(f"list:{code}:%"))).one()


def _profile(database, who: str) -> dict:
    """The customer's profile values in force on TODAY (each attribute's latest change by
    effective date, then by id: a value taken back the day it was set is none)."""
    with database.sessions() as s:
        customer = s.scalar(select(Customer.id).where(Customer.code == who))
    values = {a: value_as_of(database.sessions, customer, a, TODAY) for a in PROFILE_ATTRIBUTES}
    return {a: v for a, v in values.items() if v is not None}


def _changes(database, who: str) -> list[tuple[str, str | None, str | None]]:
    with database.sessions() as s:
        return list(s.execute(select(ProfileChange.attribute, ProfileChange.old_value,
                                     ProfileChange.new_value)
                              .join(Customer, Customer.id == ProfileChange.customer_id)
                              .where(Customer.code == who).order_by(ProfileChange.id)).all())


def test_an_outcome_in_the_callers_own_words_keeps_them_with_the_contact(listed):
    """不在家 is read as no answer, but the caller usually spoke to someone at home: the words
    are the contact's feedback, before what was typed there, and the summary says so."""
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in (2, 3, 4, 5)]
    _fill(path, col, {(2, "结果"): "不在家",
                      (3, "结果"): "客户在忙，稍后再联", (3, "客户反馈"): "下午再打",
                      (4, "结果"): "接通", (4, "客户反馈"): "满意",
                      (5, "结果"): "不在家", (5, "客户反馈"): "不在家，老婆接的"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems) == (4, ())
    got = [(_event(database, c).outcome, _event(database, c).feedback) for c in codes]
    assert got == [("no_answer", "不在家"), ("reached", "客户在忙，稍后再联；下午再打"),
                   ("reached", "满意"), ("no_answer", "不在家，老婆接的")]
    said = [n for n in report.notes if "不在家" in n.en]
    assert len(said) == 1
    assert "不在家 → No answer (2)" in said[0].en and "客户在忙，稍后再联 → Reached" in said[0].en
    assert "不在家 → 无人接听（2 行）" in said[0].zh and "反馈" in said[0].zh
    # Read again: nothing twice, nothing corrected.
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already, again.corrected) == (0, 4, 0)


def test_a_row_without_a_contact_date_is_dated_by_the_day_its_list_was_handed_out(listed):
    """Typed back on a later day, the calls were not made that day: the list's day, and the
    summary says how many rows took it."""
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in (2, 3, 4)]
    with database.sessions.begin() as s:
        run = s.get_one(ListRun, int(codes[0].split("-")[0]))
        run.finished_at = dt.datetime(2026, 11, 24, 12)  # handed out the day after its date
        run_id = run.id
    _fill(path, col, {(2, "结果"): "接通", (2, "当前里程(公里)"): 32000,
                      (3, "结果"): "无人接听",
                      (4, "结果"): "接通", (4, "联系日期"): "2026-11-25"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems, report.undated) == (3, (), 2)
    days = [_event(database, c).contact_at for c in codes]
    assert days == [dt.datetime(2026, 11, 24, 12), dt.datetime(2026, 11, 24, 12),
                    dt.datetime(2026, 11, 25, 12)]
    with database.sessions() as s:
        assert s.scalar(select(MileageReading.reading_date).where(
            MileageReading.source == "call")) == dt.date(2026, 11, 24)
    said = [n for n in report.notes if "联系日期" in n.en]
    assert len(said) == 1
    assert said[0].en.startswith(f"2 row(s) without a 联系日期 (contact date) were dated "
                                 f"2026-11-24, the day list #{run_id} was handed out")
    assert said[0].zh.startswith(f"2 行没有填写联系日期，按名单 #{run_id} 发出的日期 "
                                 f"2026-11-24 保存")
    # Read again (a day later): the same contacts, on the same day.
    later = outcomes.read_outcomes(database.sessions, path, today=TODAY + dt.timedelta(days=1))
    assert (later.stored, later.already, later.corrected, later.undated) == (0, 3, 0, 0)
    assert [_event(database, c).contact_at for c in codes] == days
    # Its day typed in since, as the note asks: the contact and its km move to it, nothing
    # is stored twice.
    _fill(path, col, {(2, "联系日期"): "2026-11-25 10:00"})
    dated = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (dated.stored, dated.already, dated.corrected, dated.problems) == (0, 3, 1, ())
    assert _event(database, codes[0]).contact_at == dt.datetime(2026, 11, 25, 10)
    with database.sessions() as s:
        assert s.execute(select(MileageReading.reading_date, MileageReading.km).where(
            MileageReading.source == "call")).all() == [(dt.date(2026, 11, 25), 32000)]
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).corrected == 0


def test_a_list_never_handed_out_dates_its_rows_by_its_own_date(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    with database.sessions.begin() as s:
        s.get_one(ListRun, int(code.split("-")[0])).finished_at = None
    _fill(path, col, {(2, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.undated == 1
    assert _event(database, code).contact_at == dt.datetime(2026, 11, 23, 12)
    assert any("the date of list #" in n.en for n in report.notes)


def test_an_unreadable_profile_cell_leaves_the_contact_stored_and_is_said(listed):
    """The outcome, feedback and km are stored; of the 画像变化 cell nothing (not even the
    part that could be read), and the row says which column and what was wrong."""
    database, path, col = listed
    code, who = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "客户反馈"): "下周来保养",
                      (2, "画像变化"): "婚姻=已婚；职业=律师=医生",
                      (3, "结果"): "接通", (3, "画像变化"): "婚姻=结了",
                      (4, "结果"): "接通", (4, "画像变化"): "已婚"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.profile_changes) == (3, 1)
    assert _event(database, code).feedback == "下周来保养"
    assert _changes(database, who) == []
    assert [p.row for p in report.left_out] == [2, 3]
    first = report.left_out[0]
    assert first.en == ("the contact is stored, but not its 画像变化 (profile changes): "
                        "profile change '职业=律师=医生' is not like 婚姻=已婚; none of the "
                        "cell's changes were stored: put them in by hand on the customer's page")
    assert first.zh.startswith("联系结果已保存，画像变化未保存：画像变化“职业=律师=医生”应写成")
    assert first.zh.endswith("该格中的画像变化均未保存，请在客户页面手动填写")
    assert report.found == () and dict(report.problems)[3].startswith("the contact is stored")
    # Put right in the file and read again: the changes are stored then.
    _fill(path, col, {(2, "画像变化"): "婚姻=已婚；职业=律师"})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.profile_changes, [p.row for p in again.left_out]) == (0, 2, [3])
    assert _profile(database, who) == {"marital_status": "married", "occupation": "律师"}


def test_an_outcome_typed_over_takes_back_the_profile_changes_no_longer_typed(listed, tmp_path):
    """接通 with two profile changes read, then put right as 无人接听 with only one left: the
    other is taken back by a change to the value before it (the history keeps all three); an
    older copy read after puts nothing back."""
    database, path, col = listed
    who = _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24",
                      (2, "画像变化"): "职业=律师\n婚姻=已婚"})
    older = tmp_path / "older.xlsx"
    older.write_bytes(path.read_bytes())
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).profile_changes == 2
    _fill(path, col, {(2, "结果"): "无人接听", (2, "画像变化"): "婚姻=已婚"})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.corrected, again.profile_changes) == (1, 1)
    assert _profile(database, who) == {"marital_status": "married"}
    assert _changes(database, who) == [("occupation", None, "律师"),
                                       ("marital_status", None, "married"),
                                       ("occupation", "律师", None)]
    for copy in (older, path):
        read = outcomes.read_outcomes(database.sessions, copy, today=TODAY)
        assert (read.corrected, read.profile_changes) == (0, 0)
    assert _profile(database, who) == {"marital_status": "married"}
    assert len(_changes(database, who)) == 3


def test_a_row_read_again_with_other_profile_changes_says_what_it_kept(listed):
    """The same outcome, the 画像变化 typed over: a new value is recorded as a change; one no
    longer typed is kept (an older copy of the list read later must not undo what a newer
    one said) and the summary says so, by row."""
    database, path, col = listed
    code, who = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "画像变化"): "职业=律师\n婚姻=已婚"})
    outcomes.read_outcomes(database.sessions, path, today=TODAY)
    _fill(path, col, {(2, "画像变化"): "职业=医生"})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert again.profile_changes == 1
    assert _profile(database, who) == {"marital_status": "married", "occupation": "医生"}
    kept = [n for n in again.notes if "kept" in n.en]
    assert len(kept) == 1
    assert kept[0].en == (f"row 2 ({code}) no longer says Marital status=Married, read from "
                          f"it before: "
                          f"kept, as the outcome is the same (an older copy of the list "
                          f"must not undo a newer one); if it was wrong, change it on the "
                          f"customer's page, or type the change in 画像变化")
    assert kept[0].zh.startswith(f"第 2 行（{code}）不再写有之前读入的 婚姻状况=已婚：已保留")
    with database.sessions() as s:
        member = s.scalar(select(ListRunMember).where(ListRunMember.row_code == code))
        assert member.status == "reached"


@pytest.mark.parametrize(("typed", "says_more"), [
    ("接通", False), ("无人接听", False), ("NO_ANSWER", False), ("Appointment made", False),
    ("空号/错号", False), ("已接通", False), ("未接通", False), ("接 通", False), ("", False),
    ("不在家", True), ("客户在忙，稍后再联", True), ("停机", True), ("占线", True),
    ("要求不再来电", True), ("语音信箱", True)])
def test_which_outcome_words_say_more_than_their_outcome(typed, says_more):
    assert outcome_says_more(typed) is says_more


def test_an_outcome_typed_over_with_an_unreadable_profile_cell_takes_nothing_back(listed):
    """The cell that cannot be read says nothing of the changes read before: they stand,
    and the cell is said."""
    database, path, col = listed
    who = _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "画像变化"): "职业=律师"})
    outcomes.read_outcomes(database.sessions, path, today=TODAY)
    _fill(path, col, {(2, "结果"): "已预约", (2, "画像变化"): "婚姻=结了"})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.corrected, again.profile_changes) == (1, 0)
    assert [p.row for p in again.left_out] == [2]
    assert _profile(database, who) == {"occupation": "律师"}
