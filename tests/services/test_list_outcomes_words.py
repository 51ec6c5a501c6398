"""What callers really type in a filled-in list's cells, read back as they meant it: a dash,
a slash, 无 or N/A for "nothing" (an empty cell, never a value), outcome words the drop-down
does not offer (打不通, 没接, 不在服务区, 挂了, 拒访), an outcome with a remark after it in
the same cell (没接，晚点再打: the outcome, the remark kept as feedback), and row codes typed
in full-width characters or with spaces. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import ContactEvent, MileageReading, ProfileChange
from services import labels
from services.lists import outcome_file, outcomes
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _stored(database) -> dict[str, tuple[str, str | None]]:
    """Each contact read back by its row code: (outcome, feedback)."""
    with database.sessions() as s:
        rows = s.execute(select(ContactEvent.source_key, ContactEvent.outcome,
                                ContactEvent.feedback)
                         .where(ContactEvent.source_key.startswith("list:"))).all()
    return {key.split(":")[1]: (outcome, feedback) for key, outcome, feedback in rows}


NOTHING_TYPED = ("-", "—", "——", "－", "/", "／", "、", "无", "没有", "N/A", "n/a", "Ｎ／Ａ",
                 " - ", "…", "...", "暂无")


@pytest.mark.parametrize("typed", NOTHING_TYPED)
def test_what_callers_type_for_nothing_says_nothing(typed):
    assert outcome_file.says_nothing(typed)


@pytest.mark.parametrize("typed", ("空", "0", "x", "接通", "8万", "无人接听", "-1", "12.8",
                                   "1-0001", "否"))
def test_a_value_is_no_placeholder(typed):
    assert not outcome_file.says_nothing(typed)


@pytest.mark.parametrize(("typed", "code"), [
    ("１－０００１", "1-0001"), (" 1 - 0001 ", "1-0001"), ("1—0001", "1-0001"),
    ("1–0001", "1-0001"), ("1一0001", "1-0001"), ("1\u30000001", "10001"),
    ("1-0001", "1-0001")])
def test_a_row_code_is_read_as_printed(typed, code):
    assert outcome_file.row_code(typed) == code


@pytest.mark.parametrize(("typed", "code"), [
    ("打不通", "no_answer"), ("没打通", "no_answer"), ("没接", "no_answer"),
    ("没接通", "no_answer"), ("没人接听", "no_answer"), ("未接听", "no_answer"),
    ("无法接听", "no_answer"), ("挂了", "no_answer"), ("不在服务区", "phone_off"),
    ("无法接通", "phone_off"), ("关机了", "phone_off"), ("停机", "phone_off"),
    ("拒访", "refused"), ("不愿意", "refused"), ("拒接", "no_answer"), ("拒绝", "refused"),
    ("打通了", "reached"), ("约好了", "appointment"), ("已购车", "bought")])
def test_outcome_words_callers_write(typed, code):
    """没接通, 没人接听 and 无法接听 hold 接通 or 接听, and were read by that word as reached."""
    assert labels.code_of("outcome", typed) == code


@pytest.mark.parametrize(("typed", "feedback", "meant"), [
    ("没接，晚点再打", None, ("没接", "晚点再打")),
    ("未接 明天再打", "客户在外地", ("未接", "明天再打；客户在外地")),
    ("未接（已发短信）", None, ("未接", "已发短信")),
    ("不在服务区,明天再打", None, ("不在服务区", "明天再打")),
    ("接通，下周来保养", "下周来保养", ("接通", "下周来保养")),  # not said twice
    ("未接，无", None, ("未接", None)),
    # A call answered, and what it ended in: read as it (接通,已约 was read as reached).
    ("接通,已约", None, ("已约", None)),
    ("接通，已约，周六上午", "客户要代步车", ("已约", "周六上午；客户要代步车")),
    # Left as typed: read whole by its words, or refused as before.
    ("接通，已预约周六", None, ("接通，已预约周六", None)),  # appointment, as before
    ("接通，客户说不需要", None, ("接通，客户说不需要", None)),  # refused, as before
    ("忙，稍后再打", None, ("忙，稍后再打", None)),  # a busy line, or a busy customer?
    ("接通 未接", None, ("接通 未接", None)),  # two outcomes
    ("未接，接通", None, ("未接，接通", None)),
    ("客户说车卖了", None, ("客户说车卖了", None)),
    ("已预约?", None, ("已预约?", None)),
    ("空号/错号", None, ("空号/错号", None)),
])
def test_an_outcome_with_a_remark_after_it_is_parted_from_it(typed, feedback, meant):
    row = outcome_file._as_meant({"结果": typed, "客户反馈": feedback})
    assert (row["结果"], row["客户反馈"]) == meant


def test_a_row_of_placeholders_is_blank_and_a_feedback_without_an_outcome_is_said(listed):
    """A 结果 of 无 or a dash was refused as an outcome not known; the row is as if left empty
    (and not a problem), unless something else was typed in it."""
    database, path, col = listed
    before = outcomes.read_outcomes(database.sessions, path, today=TODAY).blank
    _fill(path, col, {(2, "结果"): "-", (3, "结果"): "无", (3, "客户反馈"): "N/A",
                      (3, "当前里程(公里)"): "／", (4, "结果"): "——",
                      (4, "客户反馈"): "客户说下周来", (5, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.blank) == (1, before - 2)
    assert [(p.row, p.en) for p in report.found] == [
        (4, "客户反馈 filled in but no 结果 (outcome): nothing stored; type what came of the "
            "contact")]


def test_placeholders_in_the_other_cells_are_no_values(listed):
    """A km of '-' was 'not an odometer reading', a next date of '无' no date, a 画像变化 of
    '/' a change not like 婚姻=已婚, and a feedback of 'N/A' was stored as the feedback."""
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "——", (2, "客户反馈"): "N/A",
                      (2, "下次跟进"): "无", (2, "当前里程(公里)"): "-",
                      (2, "画像变化"): "/", (2, "回访员"): "、"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found, report.km_left_out, report.cells_left_out) == (
        1, (), (), ())
    assert not any("画像" in p.zh or "回访员" in p.zh for p in report.notes)
    assert _stored(database) == {code: ("reached", None)}
    with database.sessions() as s:
        assert s.scalar(select(ContactEvent.next_follow_up)) is None
        assert s.scalars(select(MileageReading).where(
            MileageReading.source != "visit")).all() == []
        assert s.scalars(select(ProfileChange)).all() == []


def test_outcome_words_and_remarks_are_stored_as_meant(listed):
    """打不通, 不在服务区 and 没接，晚点再打 were refused as outcomes not known; 没人接听 read as
    reached (it holds 接听); 未接 明天再打 kept its whole cell before the feedback. A word that
    says no more than its outcome (打不通, 没接) is not kept as the caller's own words; one
    that says why (不在服务区: the carrier's announcement) is."""
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in range(2, 7)]
    _fill(path, col, {(2, "结果"): "打不通", (3, "结果"): "不在服务区",
                      (4, "结果"): "没接，晚点再打", (5, "结果"): "未接 明天再打",
                      (5, "客户反馈"): "客户在外地", (6, "结果"): "没人接听"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (5, ())
    assert _stored(database) == {
        codes[0]: ("no_answer", None), codes[1]: ("phone_off", "不在服务区"),
        codes[2]: ("no_answer", "晚点再打"),
        codes[3]: ("no_answer", "明天再打；客户在外地"), codes[4]: ("no_answer", None)}


def test_an_answered_call_ends_as_the_remark_says_and_two_ways_is_refused(listed):
    """接通,已约 was read as reached, by 接通 (已约 holds no word of an appointment); 接通，说下周
    来保养 kept its whole cell as the feedback."""
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in range(2, 6)]
    _fill(path, col, {(2, "结果"): "接通，已预约周六", (3, "结果"): "接通，说下周来保养",
                      (4, "结果"): "失败，明天再打", (5, "结果"): "接通,已约"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 3
    assert _stored(database) == {codes[0]: ("appointment", "接通，已预约周六"),
                                 codes[1]: ("reached", "说下周来保养"),
                                 codes[3]: ("appointment", None)}
    assert [p.row for p in report.found] == [4]
    assert "outcome '失败，明天再打' is not one of" in report.found[0].en


def test_row_codes_typed_full_width_or_with_spaces_are_the_rows(listed):
    """１－０００１ and ' 1 - 0002 ' matched no list run member."""
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in range(2, 6)]
    typed = [codes[0].translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
             " " + codes[1].replace("-", " - ") + " ", codes[2].replace("-", "—")]
    _fill(path, col, {(2, "编号"): typed[0], (3, "编号"): typed[1], (4, "编号"): typed[2],
                      (2, "结果"): "接通", (3, "结果"): "接通", (4, "结果"): "已预约"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (3, ())
    assert {c: o for c, (o, _) in _stored(database).items()} == {
        codes[0]: "reached", codes[1]: "reached", codes[2]: "appointment"}
    assert outcome_file.is_filled_list(path)


def test_a_row_code_typed_full_width_is_a_copy_of_the_row_printed(listed):
    """The row copied with its code typed again in full-width characters is the same row: which
    of the two is the member's call cannot be told, as for a row copied as it was."""
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    wide = code.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    for header in ("客户编号", "姓名"):
        _fill(path, col, {(3, header): _cell(path, col, 2, header)})
    _fill(path, col, {(3, "编号"): wide, (2, "结果"): "接通", (3, "结果"): "无人接听"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 0 and _stored(database) == {}
    assert [p.row for p in report.found] == [2, 3]
    assert f"row id {code} is also on row 3" in report.found[0].en
