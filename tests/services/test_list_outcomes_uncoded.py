"""A row of a filled-in list whose 编号 (row code) was emptied is read by the 客户编号 beside
it, when that names one member of the file's lists whose row is not in the file already;
otherwise it is not stored, with a sentence asking for the 编号 back. On SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

from services.lists import outcomes
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_identity import _copy_row
from tests.services.test_list_outcomes_rows import TODAY, _cell, _events, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def test_an_emptied_row_code_is_read_by_the_customer_code_beside_it(listed):
    database, path, col = listed
    code, who = _cell(path, col, 3, "编号"), _cell(path, col, 3, "客户编号")
    first = _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "接通", (3, "编号"): None, (3, "结果"): "已预约",
                      (3, "联系日期"): dt.date(2026, 11, 24)})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems) == (2, ())
    assert _events(database) == {first: "reached", who: "appointment"}
    said = [n for n in report.notes if "编号" in n.en]
    assert [(n.en, n.zh) for n in said] == [
        (f"row 3: its 编号 (row id) was empty; read as row {code} by its 客户编号 {who}",
         f"第 3 行：“编号”是空的，已按客户编号 {who} 读作编号 {code}")]
    # Read again with the 编号 typed back: the same call, read before.
    _fill(path, col, {(3, "编号"): code})
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already, again.problems) == (0, 2, ())


def test_an_emptied_row_code_in_other_letter_case_or_on_a_copy_is_not_guessed(listed):
    """The customer code may be typed in other case; a copy of a row whose 编号 was cleared
    claims the same member as the row it was copied from, and neither is stored; a code of
    no member of the list, or a name that is not the member's, or no code at all, asks for the
    编号 back."""
    database, path, col = listed
    code, who = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    other, name = _cell(path, col, 4, "客户编号"), _cell(path, col, 5, "姓名")
    fifth = _cell(path, col, 5, "编号")
    _copy_row(path, 2, 3)
    _fill(path, col, {(2, "结果"): "接通", (3, "编号"): None, (3, "结果"): "无人接听",
                      (4, "编号"): None, (4, "客户编号"): other.lower(), (4, "结果"): "接通",
                      (5, "编号"): None, (5, "姓名"): name + "华", (5, "结果"): "接通",
                      (6, "编号"): None, (6, "客户编号"): "X404", (6, "结果"): "接通",
                      (7, "编号"): None, (7, "客户编号"): None, (7, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert _events(database) == {other: "reached"}
    said = dict(report.problems)
    run = code.split("-")[0]
    assert said[2] == said[3].replace("row 2", "row 3") == (
        f"row {code} (customer {who}) is also row 3 of the file, one of them with its 编号 "
        f"(row id) emptied: a row copied? Keep one row per customer; none of them is stored")
    assert said[5] == (f"the 编号 (row id) cell is empty, and customer "
                       f"{_cell(path, col, 5, '客户编号')}'s row {fifth} is {name}, not "
                       f"{name}华 as in the file: type the row's 编号 back as printed and "
                       f"read the file again")
    assert said[6] == ("the 编号 (row id) cell is empty and customer X404 is on none of its "
                       f"lists (#{run}): type the row's 编号 back as printed and read the "
                       f"file again")
    assert said[7] == ("the 编号 (row id) cell is empty and so is 客户编号, so whose call it "
                       "is cannot be told: type the row's 编号 back as printed and read the "
                       "file again")
    assert sorted(said) == [2, 3, 5, 6, 7]
    assert report.stored == 1


def test_an_emptied_row_code_on_a_third_copy_of_a_row_is_not_read(listed):
    """Row 2 copied over rows 3 and 4, row 4's 编号 then cleared: rows 2 and 3 are copies of
    one another, and row 4 is their customer's too; none is stored."""
    database, path, col = listed
    code, who = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    _copy_row(path, 2, 3)
    _copy_row(path, 2, 4)
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "接通", (4, "编号"): None,
                      (4, "结果"): "无人接听"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 0 and _events(database) == {}
    said = dict(report.problems)
    assert sorted(said) == [2, 3, 4]
    assert said[4] == (f"row {code} (customer {who}) is also row 2、3 of the file, one of them "
                       f"with its 编号 (row id) emptied: a row copied? Keep one row per "
                       f"customer; none of them is stored")
