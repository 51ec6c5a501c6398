"""A filled-in list read back puts no outcome on a row it cannot be sure of: a row id on two
rows of the file (a row copied, or pasted over another's), a column read twice (a second
客户反馈 added), a file whose rows cannot be checked against the list's customers (客户编号 and
姓名 deleted). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from services.lists import outcomes
from services.store.errors import RevisitError
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _events, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _copy_row(path, source: int, to: int) -> None:
    """Row `source`'s cells typed over row `to` (a caller's copy and paste)."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for cell in sheet[source]:
        sheet.cell(to, cell.column).value = cell.value
    book.save(path)


def test_a_row_id_on_two_rows_stores_neither(listed):
    """Row 2 copied over row 3 and both filled in: before, the later replaced the earlier
    ("1 already read before") and row 3's call went to row 2's customer unsaid."""
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    who = _cell(path, col, 4, "客户编号")
    _copy_row(path, 2, 3)
    _fill(path, col, {(2, "结果"): "无人接听", (3, "结果"): "已预约",
                      (3, "联系日期"): dt.date(2026, 11, 24), (4, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.already, report.corrected) == (1, 0, 0)
    assert _events(database) == {who: "reached"}
    assert report.problems == (
        (2, f"row id {code} is also on row 3: a row copied? Keep one row per customer; "
            f"neither is stored"),
        (3, f"row id {code} is also on row 2: a row copied? Keep one row per customer; "
            f"neither is stored"))
    assert report.found[0].text("zh") == (f"编号 {code} 也在第 3 行：复制了一行？每位客户只保留"
                                          f"一行；这两行都未保存")


def test_a_row_id_on_three_rows_names_the_others_and_empty_ids_are_no_copies(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _copy_row(path, 2, 3)
    _copy_row(path, 2, 4)
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "接通", (4, "结果"): "无人接听",
                      (5, "编号"): None, (5, "结果"): "接通",
                      (6, "编号"): None, (6, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    said = dict(report.problems)
    assert f"row id {code} is also on rows 3, 4: a row copied?" in said[2]
    assert "none of them is stored" in said[4]
    # Rows 5 and 6 with their 编号 emptied are no copies of each other: each is read by its
    # 客户编号 (tests/services/test_list_outcomes_uncoded.py).
    assert sorted(said) == [2, 3, 4], said
    assert report.stored == 2 and _events(database) == {
        _cell(path, col, 5, "客户编号"): "reached", _cell(path, col, 6, "客户编号"): "reached"}


def test_a_copy_with_nothing_typed_in_it_leaves_the_filled_row_stored(listed):
    database, path, col = listed
    who = _cell(path, col, 2, "客户编号")
    _copy_row(path, 2, 3)  # copied, and the copy not filled in
    _fill(path, col, {(2, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems) == (1, ())
    assert _events(database) == {who: "reached"}


def test_a_column_read_twice_refuses_the_file(listed):
    """A second 客户反馈 added at the far right: before, it silently replaced the first."""
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    sheet = book.active
    extra = sheet.max_column + 1
    sheet.cell(1, extra).value = "客户反馈"
    sheet.cell(2, extra).value = "第二列的反馈"
    book.save(path)
    _fill(path, col, {(2, "结果"): "接通", (2, "客户反馈"): "第一列的反馈"})
    first = openpyxl.utils.get_column_letter(col["客户反馈"])
    second = openpyxl.utils.get_column_letter(extra)
    with pytest.raises(RevisitError, match=(
            rf"has the column 客户反馈 twice \(sheet .*, columns {first}, {second}\), so "
            rf"which of them is a row's 客户反馈 cannot be told.*nothing was stored")):
        outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert _events(database) == {}


def test_a_column_not_read_may_be_there_twice(listed):
    database, path, col = listed
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for extra in (sheet.max_column + 1, sheet.max_column + 2):
        sheet.cell(1, extra).value = "备注"
    book.save(path)
    _fill(path, col, {(2, "结果"): "接通"})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).stored == 1


def test_a_file_without_customer_code_and_name_is_refused(listed):
    """Matched by row id alone, a list of another database's run #1 stored its outcomes on
    this database's run #1 members."""
    database, path, col = listed
    _fill(path, col, {(r, "结果"): "接通" for r in range(2, 6)})
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for header in sorted(("客户编号", "姓名"), key=col.get, reverse=True):
        sheet.delete_cols(col[header])
    book.save(path)
    with pytest.raises(RevisitError, match=(
            r"has no 客户编号 or 姓名 column \(sheet .*\), so its rows cannot be checked "
            r"against the list's customers.*nothing was stored")):
        outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert _events(database) == {}


def test_a_row_id_on_two_sheets_names_the_other_sheet(listed):
    """A row copied onto a caller's own sheet and filled in on both: said with its sheet."""
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "接通"})
    book = openpyxl.load_workbook(path)
    first = book.worksheets[0]
    second = book.create_sheet("李四")
    second.append([c.value for c in first[1]])
    second.append([c.value for c in first[2]])
    second.cell(2, col["结果"]).value = "无人接听"
    book.save(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 1 and report.not_stored == 2
    assert [p.en for p in report.found] == [
        f"row id {code} is also on row 2 of sheet 李四: a row copied? Keep one row per "
        f"customer; neither is stored",
        f"sheet 李四: row id {code} is also on row 2 of sheet {first.title}: a row copied? "
        f"Keep one row per customer; neither is stored"]
