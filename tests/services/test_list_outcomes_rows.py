"""Reading a filled-in call list back, row by row, as staff fill it in: an outcome goes only to
the customer printed on its row, dates and km are read as people type them, an odometer does
not go back, and a member's state is their latest contact's. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from models import (
    ContactEvent,
    Customer,
    ListRun,
    ListRunMember,
    MileageReading,
    ProfileChange,
    StaffUser,
    Vehicle,
)
from services.lists import outcome_file, outcomes, profile_cells, runs
from services.outputs import excel
from services.store.errors import RevisitError
from tests.services.test_lists_runs import _run, setup

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def listed(database, tmp_path):
    """(database, the run's Excel call list, its worksheet's columns by header)."""
    setup(database)
    summary = _run(database)
    doc = runs.load_document(database.sessions, summary.run_id)
    path = excel.write_list(doc, "call", tmp_path / "calls.xlsx")
    columns = {c.value: c.column for c in openpyxl.load_workbook(path).active[1]}
    return database, path, columns


def _fill(path: Path, columns: dict, cells: dict[tuple[int, str], object]) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for (row, header), value in cells.items():
        # Assigned, not passed to cell(): cell(row, column, None) leaves the cell as it was.
        sheet.cell(row, columns[header]).value = value
    book.save(path)
    return path


def _cell(path: Path, columns: dict, row: int, header: str):
    return openpyxl.load_workbook(path).active.cell(row, columns[header]).value


def _visit_reading(database, path: Path, columns: dict, row: int, km: int) -> int:
    """A service visit's km reading on 2026-10-01 for the car of the list's `row`; its id."""
    with database.sessions.begin() as s:
        member = s.scalar(select(ListRunMember).where(
            ListRunMember.row_code == _cell(path, columns, row, "编号")))
        vehicle = member.vehicle_id or s.scalar(select(Vehicle.id).where(
            Vehicle.customer_id == member.customer_id))
        s.add(MileageReading(vehicle_id=vehicle, reading_date=dt.date(2026, 10, 1), km=km,
                             source="visit"))
    return vehicle


def _events(database) -> dict[str, str]:
    """Each contact read back: its customer's code and outcome."""
    with database.sessions() as s:
        return dict(s.execute(select(Customer.code, ContactEvent.outcome)
                              .join(Customer, Customer.id == ContactEvent.customer_id)
                              .where(ContactEvent.list_run_id.is_not(None))).all())


def test_swapped_row_codes_put_no_outcome_on_the_wrong_customer(listed):
    database, path, col = listed
    first, second = (_cell(path, col, r, "编号") for r in (2, 3))
    who = _cell(path, col, 4, "客户编号")
    _fill(path, col, {(2, "编号"): second, (3, "编号"): first,  # two codes swapped
                      (2, "结果"): "空号", (3, "结果"): "接通", (4, "结果"): "已预约"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1 and _events(database) == {who: "appointment"}
    assert [n for n, _ in report.problems] == [2, 3]
    assert f"row {second} is customer" in report.problems[0][1]
    assert "not stored" in report.problems[0][1]


def test_an_outcome_typed_in_words_is_read_as_an_import_reads_it(listed):
    """Typed over the drop-down (a copy from the call centre's system): 无法接通 was refused
    as unknown, though it holds 接通, and it is no reach."""
    database, path, col = listed
    who = [_cell(path, col, r, "客户编号") for r in (2, 3, 4, 5)]
    _fill(path, col, {(2, "结果"): "无法接通", (3, "结果"): "客户在忙，稍后再联",
                      (4, "结果"): "要求不再来电", (5, "结果"): "已进店"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 3
    assert _events(database) == {who[0]: "phone_off", who[1]: "reached", who[2]: "refused"}
    assert [n for n, _ in report.problems] == [5]
    assert "outcome '已进店' is not one of" in report.problems[0][1]


def test_without_the_customer_code_the_printed_name_is_checked(listed):
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    book.active.delete_cols(col["客户编号"])  # staff removed the column
    book.save(path)
    col = {c.value: c.column for c in book.active[1]}
    _fill(path, col, {(2, "姓名"): "王大锤", (2, "结果"): "接通", (3, "结果"): "接通",
                      (4, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 2 and [n for n, _ in report.problems] == [2]
    assert "not 王大锤 as in the file" in report.problems[0][1]


def test_a_list_from_another_database_is_refused_whole(listed):
    database, path, col = listed
    # Run #1 there was another list: the customers beside the row codes are not these.
    cells: dict[tuple[int, str], object] = {}
    for row in range(2, 6):
        cells[(row, "客户编号")] = f"C9{row:03d}"
        cells[(row, "结果")] = "无人接听"
    _fill(path, col, cells)
    with pytest.raises(RevisitError, match=r"4 of 4 rows name another customer, e\.g\. row 2"):
        outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert _events(database) == {}


def test_an_erased_customer_gets_nothing_back(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "客户编号")
    with database.sessions.begin() as s:
        s.execute(Customer.__table__.update().where(Customer.code == code)
                  .values(erased_at=dt.datetime(2026, 11, 24, 9)))
    _fill(path, col, {(2, "结果"): "接通", (2, "客户反馈"): "张先生说下周来",
                      (2, "当前里程(公里)"): 95000, (3, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1 and code not in _events(database)
    assert report.problems[0][0] == 2 and "erased at their request" in report.problems[0][1]
    assert report.km_readings == 0


@pytest.mark.parametrize(("typed", "day"), [
    ("2026/11/24", dt.date(2026, 11, 24)), ("2026年11月24日", dt.date(2026, 11, 24)),
    ("2026.11.24", dt.date(2026, 11, 24)), (20261124, dt.date(2026, 11, 24)),
    ("２０２６－１１－２４", dt.date(2026, 11, 24)),
    (dt.datetime(2026, 11, 24, 9, 30), dt.date(2026, 11, 24))])
def test_contact_dates_are_read_as_people_type_them(listed, typed, day):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): typed, (2, "当前里程(公里)"): "9.1万"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.km_readings, report.problems) == (1, 1, ())
    with database.sessions() as s:
        assert s.scalar(select(ContactEvent.contact_at).where(
            ContactEvent.list_run_id.is_not(None))).date() == day
        assert s.scalar(select(MileageReading.km).where(MileageReading.source == "call")) == 91000


@pytest.mark.parametrize(("contact", "follow_up", "day", "next_day"), [
    ("11月24日", "12月8日", dt.date(2026, 11, 24), dt.date(2026, 12, 8)),
    ("11-24", "12.8", dt.date(2026, 11, 24), dt.date(2026, 12, 8)),
    ("11/24", "1月5号", dt.date(2026, 11, 24), dt.date(2027, 1, 5)),  # January: next year's
    (None, "12-8", None, dt.date(2026, 12, 8))])
def test_days_typed_without_their_year_are_this_weeks(listed, contact, follow_up, day,
                                                       next_day):
    """What a caller jots beside a call: the contact day is the last such day by today, the
    follow-up the next from the contact."""
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): contact, (2, "下次跟进"): follow_up})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems) == (1, ())
    with database.sessions() as s:
        event = s.scalars(select(ContactEvent).where(
            ContactEvent.list_run_id.is_not(None))).one()
    assert event.next_follow_up == next_day
    if day is not None:
        assert event.contact_at.date() == day


def test_dates_and_km_that_cannot_be_are_left_out_with_the_reason(listed):
    """A side cell that cannot be right (a follow-up before the contact, no such day, a km
    below the car's last) is left out and said by its row; the call itself is stored. A
    contact date before the list's refuses its row: that is no call of this list."""
    database, path, col = listed
    _visit_reading(database, path, col, 5, 117947)
    _fill(path, col, {
        (2, "结果"): "接通", (2, "联系日期"): "2026-11-20",  # before the run's date
        (3, "结果"): "接通", (3, "联系日期"): "2026-11-24", (3, "下次跟进"): "2026-11-01",
        (4, "结果"): "接通", (4, "联系日期"): "2026-02-30",
        (5, "结果"): "接通", (5, "当前里程(公里)"): 32000,  # an odometer does not go back
        (6, "结果"): "接通", (6, "当前里程(公里)"): "120,500公里"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 4 and report.km_readings == 1
    assert [p.row for p in report.found] == [2]
    said = dict(report.problems)
    assert "is before the date of list run" in said[2]
    assert "follow-up date 2026-11-01 is before the contact (2026-11-24)" in said[3]
    assert "contact date '2026-02-30' is not a date like 2026-12-05 (no such date)" in said[4]
    assert "km 32,000 is less than the 117,947 km read on 2026-10-01" in said[5]
    assert all(said[row].startswith("the contact is stored") for row in (3, 4, 5))
    in_chinese = {p.row: p.text("zh") for p in report.stored_without}
    assert in_chinese[5] == ("联系结果已保存，当前里程未保存：当前里程 32,000 少于 2026-10-01 "
                             "记录的 117,947 公里（里程不会倒退）；请在客户页面手动填写里程")
    assert "联系日期“2026-02-30”不是日期，请写成 2026-12-05 这样（日期不存在）" in in_chinese[4]
    with database.sessions() as s:
        events = {c: (e.next_follow_up, e.contact_at.date()) for c, e in s.execute(
            select(ListRunMember.row_code, ContactEvent).join(
                ContactEvent, (ContactEvent.customer_id == ListRunMember.customer_id)
                & (ContactEvent.list_run_id == ListRunMember.run_id)))}
        assert s.scalar(select(func.count()).select_from(MileageReading)
                        .where(MileageReading.source == "call")) == 1
    assert len(events) == 4
    assert [nxt for nxt, _ in events.values()] == [None] * 4
    assert dt.date(2026, 11, 24) in {day for _, day in events.values()}


@pytest.mark.parametrize("typed", ["15:30", dt.time(15, 30)])
def test_a_time_typed_without_its_day_asks_for_the_day(listed, typed):
    """A time alone (typed, or an Excel time cell) does not say which day the call was: the
    call is stored, dated by its list's day, and the row asks for the day."""
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): typed})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.undated, report.found) == (1, 1, ())
    assert "contact date '15:30' is a time without its day; write the day before it, like " \
           "2026-12-05 15:30" in dict(report.problems)[2]
    assert ("联系日期“15:30”只有时间，没有日期，请在前面写上日期，如 2026-12-05 15:30"
            in {p.row: p.text("zh") for p in report.cells_left_out}[2])


@pytest.mark.parametrize(("typed", "code"), [
    ("已接通", "reached"), ("未接通", "no_answer"), ("NO_ANSWER", "no_answer"),
    ("Appointment", "appointment"), ("接 通", "reached"), ("停机", "phone_off")])
def test_outcomes_in_the_words_staff_type(listed, typed, code):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): typed})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.problems == () and list(_events(database).values()) == [code]


def test_a_members_state_is_their_latest_contacts_whatever_the_rows_order(listed, tmp_path):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    # The earlier call on a copy of the list read after the later one's (a row copied within
    # one file stores neither: test_list_outcomes_identity.py).
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(path.read_bytes())
    _fill(path, col, {(2, "结果"): "已预约", (2, "联系日期"): "2026-11-25"})
    _fill(copy, col, {(2, "结果"): "无人接听", (2, "联系日期"): "2026-11-24"})
    assert sum(outcomes.read_outcomes(database.sessions, p, today=TODAY).stored
               for p in (path, copy)) == 2
    with database.sessions() as s:
        member = s.scalar(select(ListRunMember).where(ListRunMember.row_code == code))
        assert (member.status, member.attempts) == ("appointment", 2)
        assert s.scalar(select(func.count()).select_from(ContactEvent)
                        .where(ContactEvent.list_run_id == member.run_id)) == 2


@pytest.mark.parametrize(("name", "content", "said"), [
    ("calls.xls", "not really",
     "has no column 编号、结果 in the first 10 rows of any sheet; is it a call list"),
    ("calls.xlsx", "a text file renamed", "has no column 编号、结果 in the first 10 rows"),
    ("calls.xlsx", b"PK\x03\x04cut short", "damaged .* or save or export it again"),
    ("calls.csv", "", "is empty \\(0 bytes\\): save or export it again"),
    ("calls.xlsx", b"%PDF-1.4 printed", "is a PDF: the call sheet is for printing"),
    ("missing.xlsx", None, "does not exist")])
def test_a_file_that_is_no_call_list_is_refused_in_one_sentence(database, tmp_path, name,
                                                                  content, said):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RevisitError, match=said):
        outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert not outcome_file.is_filled_list(path)


def test_a_stopped_read_says_what_is_stored_and_how_to_finish(listed, monkeypatch, capsys):
    # Ctrl-C during `list outcomes`: the chunks before it are stored, so "nothing was
    # changed" would be false.
    from types import SimpleNamespace

    from ui.cli import EXIT_CANCELLED, list_commands

    database, path, col = listed
    _fill(path, col, {(r, "结果"): "接通" for r in range(2, 6)})

    read = outcomes.read_outcomes

    def ctrl_c(done: int, total: int) -> None:
        raise KeyboardInterrupt  # after the first chunk is stored

    def interrupted(sessions, file, **kw):
        return read(sessions, file, today=TODAY, chunk=2, progress=ctrl_c)

    monkeypatch.setattr(outcomes, "read_outcomes", interrupted)
    args = SimpleNamespace(file=path, actor=None, lang=None)
    assert list_commands._outcomes(args, lambda: database) == EXIT_CANCELLED
    assert "the rows read so far are stored. Read the file again" in capsys.readouterr().err
    assert len(_events(database)) == 2  # the first chunk


def test_what_is_typed_without_an_outcome_is_said_not_dropped(listed):
    database, path, col = listed
    _fill(path, col, {(2, "客户反馈"): "客户说下周来保养", (2, "下次跟进"): "2026-12-01",
                      (3, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1
    assert report.problems == ((2, "客户反馈、下次跟进 filled in but no 结果 (outcome): nothing "
                                   "stored; type what came of the contact"),)
    assert report.found[0].text("zh") == ("填了客户反馈、下次跟进，但没有填“结果”：未保存，"
                                          "请填写联系的结果")


def test_every_sheet_of_the_list_is_read(listed):
    # Staff split the list into a sheet per caller; a sheet of notes is named, not read.
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    first = book.active
    second = book.create_sheet("李四")
    second.append([c.value for c in first[1]])
    second.append([c.value for c in first[3]])
    first.delete_rows(3)
    second.cell(2, col["结果"], "接通")
    second.cell(2, col["联系日期"], "2026-13-01")  # no such month: named with its sheet
    second.append([c.value for c in first[3]])
    second.cell(3, col["结果"], "已预约")
    book.create_sheet("备注").append(["今天下雨，很多人没接"])
    first.cell(2, col["结果"], "接通")
    book.save(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 3  # the row of no such day too, dated by its list's day
    assert [(n, said.split(" (dated")[0]) for n, said in report.problems] == [
        (0, "sheet 备注 was not read: it has no column 编号、结果 in its first 10 rows"),
        (2, "sheet 李四: the contact is stored without this cell: contact date '2026-13-01' "
            "is not a date like 2026-12-05 (no such date)")]


def test_a_sheet_of_notes_put_before_the_list_is_named_not_read(listed):
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    book.active.cell(2, col["结果"], "接通")
    notes = book.create_sheet("说明", 0)  # the first sheet now
    notes.append(["本周回访安排：陈丽上午，刘洋下午"])
    book.save(path)
    assert outcome_file.is_filled_list(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1
    assert report.problems == ((0, "sheet 说明 was not read: it has no column 编号、结果 in "
                                   "its first 10 rows"),)


def test_a_title_typed_above_the_headers_for_printing_is_skipped(listed):
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.insert_rows(1, 2)
    sheet["A1"] = "第48周回访名单（陈丽）"
    sheet.merge_cells("A1:F1")
    sheet.cell(4, col["结果"], "接通")  # the first member's row, two rows down now
    sheet.cell(5, col["结果"], "接通")
    sheet.cell(5, col["联系日期"], "2026-13-01")  # named by the row Excel shows
    book.save(path)
    assert outcome_file.is_filled_list(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.blank) == (2, 3)
    assert [n for n, _ in report.problems] == [5]


def test_profile_changes_one_a_line_or_typed_full_width(listed):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "画像变化"): "职业=律师\n婚姻＝已婚",
                      (3, "结果"): "接通", (3, "画像变化"): "职业=律师=医生"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.profile_changes) == (2, 2)
    assert [(p.row, _cell_said(p.en)) for p in report.left_out] == [
        (3, "profile change '职业=律师=医生' is not like 婚姻=已婚")]


def _cell_said(said: str) -> str:
    """What a row stored without its 画像变化 says of the cell (in English or Chinese), without
    the words around it that say the contact was stored."""
    for head, tail in (("the contact is stored, but not its 画像变化 (profile changes): ",
                        "; none of the cell's changes were stored: put them in by hand on the "
                        "customer's page"),
                       ("联系结果已保存，画像变化未保存：",
                        "；该格中的画像变化均未保存，请在客户页面手动填写")):
        if said.startswith(head) and said.endswith(tail):
            return said[len(head):-len(tail)]
    raise AssertionError(said)


def test_a_profile_value_typed_alone_names_its_attribute(listed):
    """已婚, 二孩, 退休 say which attribute they are; a number or 其他 says nothing."""
    database, path, col = listed
    who = _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "画像变化"): "已婚；二孩\n退休",
                      (3, "结果"): "接通", (3, "画像变化"): "3",
                      (4, "结果"): "接通", (4, "画像变化"): "其他"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.profile_changes) == (3, 3)
    assert [n for n, _ in report.problems] == [3, 4]
    assert report.found == ()
    with database.sessions() as s:
        changes = set(s.execute(select(ProfileChange.attribute, ProfileChange.new_value)
                                .join(Customer, Customer.id == ProfileChange.customer_id)
                                .where(Customer.code == who)).all())
    assert {("marital_status", "married"), ("household", "two_children"),
            ("employment", "retired")} <= changes


def test_a_file_open_in_excel_is_read_with_a_note(listed):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通"})
    (path.parent / f"~${path.name}").write_bytes(b"owner")
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1 and report.problems == ()
    assert report.notes and "is open in Excel or WPS" in report.notes[0].en
    assert "正在 Excel 或 WPS 中打开" in report.notes[0].text("zh")


def test_the_caller_typed_over_the_printed_one_is_credited_with_the_call(listed):
    # Calls handed on to a colleague: 回访员 says who made them (the activity report counts
    # them); a name that is nobody's leaves the call with the list's caller, and is said.
    database, path, col = listed
    printed = _cell(path, col, 2, "回访员")
    other = "刘洋" if printed != "刘洋" else "陈丽"
    fourth = _cell(path, col, 4, "回访员")
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "接通", (3, "回访员"): other,
                      (4, "结果"): "接通", (4, "回访员"): "小王"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (3, ())
    assert [(p.row, "回访员 '小王'" in p.en) for p in report.cells_left_out] == [(4, True)]
    with database.sessions() as s:
        names = dict(s.execute(select(ListRunMember.row_code, StaffUser.display_name)
                               .join(ContactEvent, ContactEvent.customer_id
                                     == ListRunMember.customer_id)
                               .join(StaffUser, StaffUser.id == ContactEvent.staff_id)
                               .where(ContactEvent.list_run_id.is_not(None))).all())
    assert names == {_cell(path, col, 2, "编号"): printed, _cell(path, col, 3, "编号"): other,
                     _cell(path, col, 4, "编号"): fourth}


def test_a_caller_typed_as_the_list_tells_two_of_one_name_apart_is_credited(listed):
    # With two 陈丽, a list names each as 陈丽 (chenli2); typed so over another's row, the
    # call is hers. 陈丽 alone could be either: the call stays with the list's caller.
    database, path, col = listed
    with database.sessions.begin() as s:
        s.add(StaffUser(username="chenli2", display_name="陈丽"))
    first, second = [row for row in range(2, 7) if _cell(path, col, row, "回访员") == "刘洋"]
    _fill(path, col, {(first, "结果"): "接通", (first, "回访员"): "陈丽 (chenli2)",
                      (second, "结果"): "接通", (second, "回访员"): "陈丽"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (2, ())
    assert [(p.row, "回访员 '陈丽'" in p.en) for p in report.cells_left_out] == [
        (second, True)]
    with database.sessions() as s:
        who = set(s.scalars(select(StaffUser.username).join(
            ContactEvent, ContactEvent.staff_id == StaffUser.id)
            .where(ContactEvent.list_run_id.is_not(None))))
    assert "chenli2" in who and len(who) == 2


def test_a_list_replaced_by_a_later_run_is_read_with_a_note(listed):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24"})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).notes == ()
    first = _cell(path, col, 2, "编号").split("-")[0]
    newer = _run(database).run_id  # the same segment, built again
    _fill(path, col, {(3, "结果"): "接通", (3, "联系日期"): "2026-11-24"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1
    assert [n.en for n in report.notes] == [
        f"this file is list #{first}, which list #{newer} of the same segment has "
        f"replaced: its customers who are still open in #{newer} will be called from there"]


def test_a_row_typed_into_after_it_was_read_is_corrected_and_the_old_kept(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24",
                      (2, "客户反馈"): "下周来保养", (2, "下次跟进"): "2026-12-01",
                      (2, "当前里程(公里)"): 320000,  # a zero too many
                      (3, "结果"): "接通", (3, "联系日期"): "2026-11-24",
                      (4, "结果"): "未接通"})
    first = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (first.stored, first.km_readings, first.corrected) == (3, 1, 0)
    # The caller mends row 2, types a km into row 3 and empties row 4's feedback-less cells.
    _fill(path, col, {(2, "客户反馈"): "下周二来保养，要代步车", (2, "下次跟进"): "2026-12-02",
                      (2, "当前里程(公里)"): 32000, (3, "当前里程(公里)"): "4.1万",
                      (3, "画像变化"): "婚姻=已婚"})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already, again.corrected) == (0, 3, 2)
    assert (again.km_readings, again.profile_changes, again.problems) == (1, 1, ())
    with database.sessions() as s:
        events = s.execute(select(ContactEvent.feedback, ContactEvent.next_follow_up)
                           .where(ContactEvent.source_key.like(f"list:{code}:%"))).all()
        assert events == [("下周二来保养，要代步车", dt.date(2026, 12, 2))]
        assert sorted(s.scalars(select(MileageReading.km)
                                .where(MileageReading.source == "call"))) == [32000, 41000]
        assert s.scalar(select(func.count()).select_from(ContactEvent)
                        .where(ContactEvent.list_run_id.is_not(None))) == 3
    # What the first read stored is in the audit trail, beside the rows that replaced it.
    with database.engine.connect() as conn:
        details = [d for (d,) in conn.exec_driver_sql(
            "SELECT detail FROM audit_log WHERE action = 'read_outcomes' ORDER BY id")]
    assert any(f'"row": "{code}"' in d and "下周来保养" in d and "2026-12-01" in d
               and "320000" in d for d in details)
    # The same file a third time changes nothing; an older copy's empty cells erase nothing.
    third = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (third.stored, third.already, third.corrected) == (0, 3, 0)
    _fill(path, col, {(2, "客户反馈"): None, (2, "下次跟进"): None, (2, "当前里程(公里)"): None})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).corrected == 0
    with database.sessions() as s:
        assert s.scalar(select(ContactEvent.feedback).where(
            ContactEvent.source_key.like(f"list:{code}:%"))) == "下周二来保养，要代步车"


def test_an_outcome_typed_over_replaces_the_one_read_before(listed, tmp_path):
    """空号 read, then put right as 接通 on the same row and day: one contact, reached (the
    wrong number kept the customer off later call lists); the older copy read again after
    changes nothing back."""
    database, path, col = listed
    code, who = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "空号", (2, "联系日期"): "2026-11-24"})
    older = tmp_path / "older.xlsx"
    older.write_bytes(path.read_bytes())
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).stored == 1
    _fill(path, col, {(2, "结果"): "接通"})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already, again.corrected) == (0, 1, 1)
    assert _events(database) == {who: "reached"}
    with database.sessions() as s:
        assert s.scalar(select(ListRunMember.status).where(
            ListRunMember.row_code == code)) == "reached"
    for copy in (older, path):
        read = outcomes.read_outcomes(database.sessions, copy, today=TODAY)
        assert (read.stored, read.already, read.corrected) == (0, 1, 0)
    assert _events(database) == {who: "reached"}
    with database.engine.connect() as conn:
        details = [d for (d,) in conn.exec_driver_sql(
            "SELECT detail FROM audit_log WHERE action = 'read_outcomes' ORDER BY id")]
    assert any(f'"row": "{code}"' in d and '"outcome": "wrong_number"' in d for d in details)


def _contact(database, code: str) -> tuple:
    """The row's one contact: (outcome, moment, feedback, next date)."""
    with database.sessions() as s:
        return tuple(s.execute(select(ContactEvent.outcome, ContactEvent.contact_at,
                                ContactEvent.feedback, ContactEvent.next_follow_up)
                         .where(ContactEvent.source_key.like(f"list:{code}:%"))).one())


def test_a_contact_time_typed_with_its_date_is_the_contacts_time(listed):
    """15:30 typed after the date (an Excel date and time, or text) was stored as 12:00, the
    time of a date typed alone."""
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in (2, 3, 4)]
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): dt.datetime(2026, 11, 24, 15, 30),
                      (3, "结果"): "接通", (3, "联系日期"): "2026-11-24 9:05",
                      (4, "结果"): "接通", (4, "联系日期"): "2026-11-24"})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).stored == 3
    day = dt.date(2026, 11, 24)
    assert [_contact(database, c)[1] for c in codes] == [
        dt.datetime.combine(day, dt.time(15, 30)), dt.datetime.combine(day, dt.time(9, 5)),
        dt.datetime.combine(day, dt.time(12))]
    # A time typed in since corrects the contact; the date alone again clears nothing.
    _fill(path, col, {(4, "联系日期"): "2026-11-24 16:10"})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).corrected == 1
    _fill(path, col, {(4, "联系日期"): "2026-11-24"})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).corrected == 0
    assert _contact(database, codes[2])[1] == dt.datetime.combine(day, dt.time(16, 10))


def test_an_outcome_put_right_leaves_the_contact_as_the_row_now_says(listed, tmp_path):
    """接通 with feedback, next date and km read, then put right as 无人接听 with those cells
    emptied: before, the outcome changed and the feedback heard on no call stayed. An older
    copy read after changes nothing back."""
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24 15:30",
                      (2, "客户反馈"): "测试", (2, "下次跟进"): "2026-12-01",
                      (2, "当前里程(公里)"): 32000})
    older = tmp_path / "older.xlsx"
    older.write_bytes(path.read_bytes())
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).km_readings == 1
    _fill(path, col, {(2, "结果"): "无人接听", (2, "联系日期"): "2026-11-24",
                      (2, "客户反馈"): None, (2, "下次跟进"): None, (2, "当前里程(公里)"): None})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already, again.corrected) == (0, 1, 1)
    no_answer = "no_answer"
    corrected = (no_answer, dt.datetime(2026, 11, 24, 12), None, None)
    assert _contact(database, code) == corrected
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MileageReading)
                        .where(MileageReading.source == "call")) == 0
        assert s.scalar(select(ListRunMember.status).where(
            ListRunMember.row_code == code)) == no_answer
    with database.engine.connect() as conn:
        details = [d for (d,) in conn.exec_driver_sql(
            "SELECT detail FROM audit_log WHERE action = 'read_outcomes' ORDER BY id")]
    assert any(f'"row": "{code}"' in d and "测试" in d and "15:30" in d and "32000" in d
               for d in details)
    for copy in (older, path):
        read = outcomes.read_outcomes(database.sessions, copy, today=TODAY)
        assert (read.stored, read.already, read.corrected) == (0, 1, 0)
    assert _contact(database, code) == corrected


def test_a_corrected_km_is_still_held_to_the_odometer(listed):
    database, path, col = listed
    vehicle = _visit_reading(database, path, col, 2, 50000)
    _fill(path, col, {(2, "结果"): "接通", (2, "当前里程(公里)"): 52000})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).km_readings == 1
    _fill(path, col, {(2, "当前里程(公里)"): 48000})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.corrected == 0
    assert "km 48,000 is less than the 50,000 km read on 2026-10-01" in dict(report.problems)[2]
    _fill(path, col, {(2, "当前里程(公里)"): 51000})  # below its own first reading: a correction
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).corrected == 1
    with database.sessions() as s:
        assert sorted(s.scalars(select(MileageReading.km).where(
            MileageReading.vehicle_id == vehicle))) == [50000, 51000]


def test_a_km_with_a_digit_too_many_is_a_problem_not_a_reading(listed):
    """Read back on TODAY, a km more than 2,000 a day above the reading before is left out
    (the call is stored, and the km said by its row)."""
    database, path, col = listed
    vehicle = _visit_reading(database, path, col, 2, 50000)
    days = (TODAY - dt.date(2026, 10, 1)).days
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): TODAY.isoformat(),
                      (2, "当前里程(公里)"): 520000})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.km_readings) == (1, 0)
    assert "km 520,000 is 470,000 more than the 50,000 km read on 2026-10-01" in \
        dict(report.problems)[2]
    most = 50000 + 2000 * days
    _fill(path, col, {(2, "当前里程(公里)"): most + 1})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.already, again.km_readings, len(again.km_left_out)) == (1, 0, 1)
    _fill(path, col, {(2, "当前里程(公里)"): most})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).km_readings == 1
    with database.sessions() as s:
        assert sorted(s.scalars(select(MileageReading.km).where(
            MileageReading.vehicle_id == vehicle))) == [50000, most]


def test_a_date_or_outcome_typed_once_in_merged_cells_is_every_rows(listed):
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    sheet = book.active
    letter = {h: openpyxl.utils.get_column_letter(c) for h, c in col.items()}
    sheet[f"{letter['联系日期']}2"] = "2026-11-24"
    sheet.merge_cells(f"{letter['联系日期']}2:{letter['联系日期']}5")  # one day's block
    for row in (2, 3, 4):
        sheet.cell(row, col["结果"], "接通")
    sheet[f"{letter['结果']}5"] = "未接通"
    sheet.merge_cells(f"{letter['结果']}5:{letter['结果']}6")  # no answer, both rows
    sheet.cell(6, col["客户反馈"], "关机")
    # A feedback cell merged across two columns is one cell: the next column stays empty.
    sheet.cell(2, col["客户反馈"], "满意")
    sheet.merge_cells(f"{letter['客户反馈']}2:{letter['下次跟进']}2")
    book.save(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems, report.blank) == (5, (), 0)
    with database.sessions() as s:
        got = s.execute(select(ContactEvent.outcome, ContactEvent.contact_at,
                               ContactEvent.feedback, ContactEvent.next_follow_up)
                        .where(ContactEvent.list_run_id.is_not(None))).all()
    days = sorted(at.date() for _, at, _, _ in got)
    with database.sessions() as s:  # row 6 is under no date merge: its list's day
        undated, _which = outcomes.list_day(s.get_one(ListRun, int(_cell(
            path, col, 6, "编号").split("-")[0])), TODAY)
    assert days == sorted([dt.date(2026, 11, 24)] * 4 + [undated])
    assert sorted(o for o, *_ in got) == ["no_answer"] * 2 + ["reached"] * 3
    assert sorted((f or "") for _, _, f, _ in got)[-2:] == ["关机", "满意"]
    assert all(follow is None for *_, follow in got)


def test_a_merged_date_over_rows_left_empty_makes_them_no_problem(listed):
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    sheet = book.active
    letter = openpyxl.utils.get_column_letter(col["联系日期"])
    sheet[f"{letter}2"] = "2026-11-24"
    sheet.merge_cells(f"{letter}2:{letter}6")  # the day's block; only row 2 was called
    sheet.cell(2, col["结果"], "接通")
    book.save(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems) == (1, ())


def test_refused_profile_changes_are_said_with_their_labels(listed):
    # The 画像变化 column as a tester filled it: a phone number (kept on the customer's page,
    # not in the profile), a value that is none of the attribute's, one too long.
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "画像变化"): "手机=13912345678",
                      (3, "结果"): "接通", (3, "画像变化"): "婚姻=结了",
                      (4, "结果"): "接通", (4, "画像变化"): "经济：6",
                      (5, "结果"): "接通", (5, "画像变化"): "职业=" + "律" * 101})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    # Each row's contact is stored; of its 画像变化, nothing, and why.
    assert (report.stored, report.profile_changes, report.found) == (4, 0, ())
    zh = {p.row: _cell_said(p.text("zh")) for p in report.left_out}
    assert zh[2] == (
        "画像变化“手机=13912345678”：“手机”不在客户画像中：手机、电话和地址请在客户页面修改，"
        "不在此栏填写（画像项目：婚姻状况、家庭结构、职业、就业状况、购车出资方、经济状况（1–5）、"
        "驾驶经验、性格、生命周期阶段）")
    assert zh[3] == ("画像变化“婚姻=结了”：“结了”不是婚姻状况可填的值，"
                     "请填写：未婚、已婚、离异、丧偶")
    assert zh[4] == ("画像变化“经济:6”：“6”不是经济状况（1–5）可填的值，"
                     "请填写：1 很低、2 较低、3 中等、4 较高、5 很高")
    assert zh[5] == f"画像变化“职业={'律' * 37}…”：职业的值超过 100 个字，请缩短"
    en = {row: _cell_said(said) for row, said in report.problems}
    assert en[3] == ("profile change '婚姻=结了': '结了' is not a value of Marital status; type "
                     "one of Single, Married, Divorced, Widowed")
    assert "a phone number or an address is changed on the customer's page" in en[2]
    for text in (*zh.values(), *en.values()):  # no code, no service sentence in either
        assert "marital_status" not in text and "mobile" not in text
        assert "Unknown profile attribute" not in text and "allowed:" not in text


def test_every_refusal_of_the_profile_service_has_its_words():
    # A refusal outcomes.py does not word would reach the Chinese window in English.
    from services.customers.profile import validate

    for attribute, value in (("mobile", "13912345678"), ("marital_status", "结了"),
                             ("occupation", "x" * 101)):
        with pytest.raises(RevisitError) as refused:
            validate(attribute, value)
        assert refused.value.template in profile_cells.REFUSALS


@pytest.mark.parametrize(("headers", "rows", "is_list"), [
    (["编号", "姓名", "结果"], [["12-0034", "张三", None], ["12-0035", "李四", "接通"]], True),
    (["编号", "姓名", "结果"], [["20261124001", "张三", "接通"]], False),  # a DMS's record no.
    (["编号", "电话", "结果"], [["020-87654321", None, "接通"]], False),  # a landline
    (["编号", "结果"], [[None, "接通"]], False),  # no code at all
    (["序号", "结果"], [["12-0034", "接通"]], False),
    (["编号", "姓名"], [["12-0034", "张三"]], False),
])
def test_a_table_is_taken_for_a_list_by_its_columns_and_row_codes(headers, rows, is_list):
    assert outcome_file.looks_like_list(headers, rows) is is_list


def test_a_dms_contact_export_is_not_taken_for_a_filled_list(tmp_path):
    path = tmp_path / "回访记录.csv"
    path.write_text("编号,客户,结果\n20261124001,张三,接通\n", encoding="utf-8")
    assert not outcome_file.is_filled_list(path)
    path.write_text("编号,客户,结果\n12-0001,张三,接通\n", encoding="utf-8")
    assert outcome_file.is_filled_list(path)


def test_a_row_marked_not_yet_called_is_left_open(listed):
    """A caller who marks a row 未联系 or 待回访 has not called yet: nothing is stored and the
    member stays to be called (before, the word was read as an outcome the database does
    not know). With a note typed beside it, the row is said, naming the word."""
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "未联系", (3, "结果"): "待回访",
                      (4, "结果"): "未联系", (4, "客户反馈"): "明天再打"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 0 and _events(database) == {}
    assert report.problems == ((4, "结果 says '未联系' (not contacted yet) but 客户反馈 filled "
                                   "in: nothing stored; type what came of the contact, or "
                                   "clear 客户反馈"),)
    assert report.found[0].text("zh") == ("“结果”写的是“未联系”（尚未联系），却填了客户反馈："
                                          "未保存；联系过请填写联系的结果，未联系请清空客户反馈")
