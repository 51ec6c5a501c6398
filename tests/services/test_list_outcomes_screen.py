"""Reading a filled-in list back next to what was typed on screen and what callers write: a call
recorded on screen (My follow-ups) and written on the list too is one contact; 拒接 and 挂断 are
no reach; an outcome typed a character wrong is read when only one wording is that close; a km
said as spoken (8万6) is read, one that cannot be leaves the contact stored; a PDF is said to
be the sheet for printing. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import ContactEvent, ListRunMember, MileageReading
from services.contacts.calls import CallResult, record_call
from services.lists import outcomes
from services.store.errors import RevisitError
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _member(database, code: str) -> ListRunMember:
    with database.sessions() as s:
        return s.scalars(select(ListRunMember).where(ListRunMember.row_code == code)).one()


def _on_screen(database, code: str, outcome: str, at: dt.datetime,
               feedback: str | None = None) -> None:
    """The call typed on screen for the list's member `code`, as My follow-ups stores it."""
    m = _member(database, code)
    record_call(database.sessions, m.customer_id, m.assigned_staff_id,
                CallResult(outcome, feedback=feedback), member_id=m.id, at=at)


def _contacts(database, code: str) -> list[tuple[str, str | None]]:
    m = _member(database, code)
    with database.sessions() as s:
        return list(s.execute(select(ContactEvent.outcome, ContactEvent.feedback).where(
            ContactEvent.list_run_id == m.run_id, ContactEvent.customer_id == m.customer_id)
            .order_by(ContactEvent.id)).all())


def test_a_call_recorded_on_screen_and_on_the_list_is_one_contact(listed):
    database, path, col = listed
    first, second, third = (_cell(path, col, r, "编号") for r in (2, 3, 4))
    _on_screen(database, first, "reached", dt.datetime(2026, 11, 24, 20, 24), "要保养")
    _on_screen(database, second, "reached", dt.datetime(2026, 11, 24, 10, 5))
    _on_screen(database, third, "reached", dt.datetime(2026, 11, 24, 11, 0))
    _fill(path, col, {
        # The same call: no time on paper, a feedback the screen lacks.
        (2, "结果"): "接通", (2, "联系日期"): "2026-11-24", (2, "客户反馈"): "下周来店",
        (3, "结果"): "接通", (3, "联系日期"): "2026-11-24 09:00",  # another time, same call
        (4, "结果"): "无人接听", (4, "联系日期"): "2026-11-24",  # the screen says otherwise
        (5, "结果"): "接通", (5, "联系日期"): "2026-11-24"})  # nothing on screen: a new one
    for _ in range(2):  # read twice: nothing stored twice
        report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
        assert report.on_screen == 2
        assert _contacts(database, first) == [("reached", "要保养；下周来店")]
        assert _contacts(database, second) == [("reached", None)]
        assert _contacts(database, third) == [("reached", None)]
        assert _member(database, first).attempts == 1
        assert [n for n, _ in report.problems] == [4]
        assert ("recorded on screen at 2026-11-24 11:00 as 'Reached'; this row says "
                "'No answer': the screen's is kept") in report.problems[0][1]
        assert "2 row(s) were already recorded on screen" in " ".join(
            n.en for n in report.notes)
    assert report.stored == 0 and report.already == 1  # row 5, stored by the first read
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ContactEvent)
                        .where(ContactEvent.list_run_id.is_not(None))) == 4


@pytest.mark.parametrize("typed", ["拒接", "挂断", "被挂断", "占线"])
def test_a_call_the_phone_rejected_or_cut_is_no_reach_with_the_words_kept(listed, typed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): typed, (3, "结果"): "拒绝"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.problems == ()
    assert _contacts(database, code) == [("no_answer", typed)]
    assert _contacts(database, _cell(path, col, 3, "编号")) == [("refused", None)]


def test_an_outcome_a_character_wrong_is_read_when_one_wording_is_that_close(listed):
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in (2, 3, 4)]
    _fill(path, col, {(2, "结果"): "接同", (3, "结果"): "控号", (4, "结果"): "按同"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert _contacts(database, codes[0]) == [("reached", None)]
    # 控号 is one off 空号 and 错号 alike; 按同 is two characters off 接通.
    assert [n for n, _ in report.problems] == [3, 4]
    note = next(n for n in report.notes if "接同" in n.en)
    assert "(接同 → 接通) in row(s) 2" in note.en and "第 2 行" in note.zh


@pytest.mark.parametrize(("typed", "km"), [("8万6", 86000), ("8.6万", 86000),
                                           ("8万6千", 86000), ("约8万6公里", 86000),
                                           ("八万六千", 86000), ("8万6千500", 86500)])
def test_a_km_said_as_spoken_is_read(listed, typed, km):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "当前里程(公里)"): typed})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1 and report.km_readings == 1
    with database.sessions() as s:
        assert s.scalar(select(MileageReading.km)) == km


def test_a_km_that_cannot_be_read_leaves_the_contact_stored_and_is_said(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "当前里程(公里)"): "八万多点"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.km_readings, report.found) == (1, 0, ())
    assert _contacts(database, code) == [("reached", None)]
    assert [p.row for p in report.km_left_out] == [2]
    assert "the contact is stored, but not its 当前里程 (km): km '八万多点'" in dict(
        report.problems)[2]
    assert report.km_left_out[0].zh.startswith("联系结果已保存，当前里程未保存")


def test_a_pdf_is_said_to_be_the_sheet_for_printing(database, tmp_path):
    path = tmp_path / "第50周保养.pdf"
    path.write_bytes(b"%PDF-1.4 printed")
    with pytest.raises(RevisitError) as refused:
        outcomes.read_outcomes(database.sessions, path, today=TODAY)
    said = str(refused.value)
    assert said.startswith("第50周保养.pdf is a PDF: the call sheet is for printing")
    assert "revisit list print RUN --out 第50周保养.xlsx" in said and "DMS" not in said
