"""What reading a filled-in list back reports is exact: a row read before and corrected is
named with what it changed and whose call it was; the rows counted as not stored are the rows
said to be not stored; a km lower than the car's reading before it is said to be that, apart
from one that cannot be read; a row of a customer merged since the list was printed is read
as the kept customer's, or said to be the merged customer's. On SQLite and PostgreSQL, through
the service and `main.py list outcomes`."""

from __future__ import annotations

import datetime as dt
import shutil

from sqlalchemy import select

from models import Customer, CustomerMerge, ListRunMember
from services import labels
from services.customers.merge import merge_customers
from services.lists import outcomes
from services.staff import accounts
from services.staff.audit import local_time
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_cli import _outcomes
from tests.services.test_list_outcomes_rows import TODAY, _cell, _events, _fill, _visit_reading

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _label(code: str, lang: str) -> str:
    return labels.text("outcome", code, lang)


def test_a_second_callers_copy_names_each_row_it_corrected(listed, tmp_path):
    """Before: "1 already read before (1 of them corrected)", and no word of which row, of
    what it said, or of whose call the outcome replaced was."""
    database, path, col = listed
    other = shutil.copy(path, tmp_path / "刘洋的.xlsx")
    code, customer, name = (_cell(path, col, 2, h) for h in ("编号", "客户编号", "姓名"))
    printed = _cell(path, col, 2, "回访员")
    them = "刘洋" if printed == "陈丽" else "陈丽"
    _fill(path, col, {(2, "结果"): "已预约", (2, "联系日期"): "2026-11-24",
                      (3, "结果"): "接通", (3, "联系日期"): "2026-11-24"})
    first = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (first.stored, first.corrections) == (2, ())
    # The other caller's copy: row 2 another outcome and caller, row 3 a feedback added.
    _fill(other, col, {(2, "结果"): "无人接听", (2, "联系日期"): "2026-11-24",
                       (2, "回访员"): them,
                       (3, "结果"): "接通", (3, "联系日期"): "2026-11-24",
                       (3, "客户反馈"): "下周来保养"})
    again = outcomes.read_outcomes(database.sessions, other, today=TODAY)
    assert (again.stored, again.already, again.corrected, again.retyped) == (0, 2, 2, 1)
    assert [p.row for p in again.corrections] == [2, 3]
    row2, row3 = again.corrections
    assert row2.en == (
        f"{code}, {name} ({customer}), read before: outcome '{_label('appointment', 'en')}' "
        f"→ '{_label('no_answer', 'en')}' (the outcome read before was stored as {printed}'s "
        f"call); the contact is now what this row says; it is now {them}'s call")
    assert row2.zh == (
        f"{code}，{name}（{customer}），之前已读入：结果“{_label('appointment', 'zh')}”→"
        f"“{_label('no_answer', 'zh')}”（原记录的回访员是{printed}）；该联系记录已按本行更正；"
        f"现记在{them}名下")
    assert "read before: 客户反馈 (feedback) typed over since, corrected as this row says" \
        in row3.en
    assert "之前已读入：客户反馈此后有改动，已按本行更正" in row3.zh
    # The corrections are no problems: nothing was refused, nothing left out.
    assert (again.found, again.problems) == ((), ())
    assert _events(database)[customer] == "no_answer"
    # Read again, the copy corrects nothing more, and names nothing.
    third = outcomes.read_outcomes(database.sessions, other, today=TODAY)
    assert (third.corrected, third.corrections) == (0, ())
    # The first copy read again changes nothing back, and says why its row 2 is not taken.
    older = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (older.corrected, older.corrections, older.found) == (0, (), ())
    assert _events(database)[customer] == "no_answer"
    assert [n.en for n in older.notes if n.en.startswith("row 2 ")] == [
        f"row 2 ({code}) says '{_label('appointment', 'en')}', but its contact was corrected "
        f"to '{_label('no_answer', 'en')}' since it was read: kept as "
        f"'{_label('no_answer', 'en')}'; if this row is right, change the contact on the "
        f"customer's page"]


def test_the_command_prints_each_corrected_row(listed, tmp_path, monkeypatch, capsys):
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    other = shutil.copy(path, tmp_path / "copy.xlsx")
    _fill(path, col, {(2, "结果"): "已预约", (2, "联系日期"): "2026-11-24"})
    assert _outcomes(database, path, monkeypatch, capsys)[0] == 0
    _fill(other, col, {(2, "结果"): "空号", (2, "联系日期"): "2026-11-24"})
    status, out, err = _outcomes(database, other, monkeypatch, capsys)
    assert status == 0, (out, err)
    assert "1 already read before (1 of them corrected, 1 to another outcome)" in out
    [line] = [x for x in out.splitlines() if x.startswith("  row 2: ")]
    assert line.startswith(f"  row 2: corrected: {_cell(path, col, 2, '编号')}, ")
    assert (f"outcome '{_label('appointment', 'en')}' → '{_label('wrong_number', 'en')}'"
            in line)


def test_the_rows_counted_not_stored_are_the_rows_said_not_stored(listed, monkeypatch,
                                                                  capsys):
    """One bad row beside a row stored without its next date: before, `0 rows not stored`
    could head rows listed under it alike, the window's table titled "what was not stored"."""
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    _fill(path, col, {(2, "结果"): "已预约", (2, "下次跟进"): "2026-02-30",
                      (3, "结果"): "不知道",  # the bad row
                      (4, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.not_stored) == (2, 1)
    assert [p.row for p in report.found] == [3]
    assert [p.row for p in report.stored_without] == [2]
    _fill(path, col, {(4, "结果"): "无人接听"})  # the same file corrected, read in again
    status, out, _err = _outcomes(database, path, monkeypatch, capsys)
    assert status == 1
    assert out.splitlines()[0].endswith(", 1 rows not stored")
    said = [x for x in out.splitlines() if x.startswith("  row ")]
    assert [x for x in said if ": not stored: " in x] == [
        f"  row 3: not stored: {report.found[0].en}"]
    # The row not stored first, under the count; then the row stored without a cell, and the
    # row corrected, each saying so.
    assert [x.split(":")[0] for x in said] == ["  row 3", "  row 2", "  row 4"]
    assert said[1].startswith("  row 2: the contact is stored without this cell: ")
    assert said[2].startswith("  row 4: corrected: ")


def test_a_km_lower_than_the_cars_reading_before_is_said_so(listed, monkeypatch, capsys):
    """Before: said with the km that could not be read ("which could not be read", 无法识别)."""
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    _visit_reading(database, path, col, 2, 86278)
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24",
                      (2, "当前里程(公里)"): 80000,
                      (3, "结果"): "接通", (3, "当前里程(公里)"): "八万多点"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.km_readings, report.not_stored) == (2, 0, 0)
    assert [p.row for p in report.km_left_out] == [2, 3]
    assert [p.row for p in report.km_clashes] == [2]
    assert ("the contact is stored, but not its 当前里程 (km): km 80,000 is less than the "
            "86,278 km read on 2026-10-01 (an odometer does not go back)") in \
        report.km_clashes[0].en
    assert "当前里程 80,000 少于 2026-10-01 记录的 86,278 公里" in report.km_clashes[0].zh
    _fill(path, col, {(2, "当前里程(公里)"): 80001, (3, "当前里程(公里)"): "八万多一点"})
    status, out, err = _outcomes(database, path, monkeypatch, capsys)
    assert status == 0, (out, err)
    warnings = err.strip().splitlines()
    assert ("revisit: warning: 1 row(s) stored without their km, which could not be read "
            "(row 3): put those in by hand on the customer's page") in warnings
    assert ("revisit: warning: 1 row(s) stored without their km, which is less than a reading "
            "of the car before it or more than it could have been driven since (row 2): put "
            "those in by hand on the customer's page") in warnings


def _id(database, code: str) -> int:
    with database.sessions() as s:
        return s.scalar(select(Customer.id).where(Customer.code == code))


def _merge_day(database) -> dt.date:
    with database.sessions() as s:
        return local_time(s.scalars(select(CustomerMerge.merged_at)).one()).date()


def test_a_row_of_a_customer_merged_since_is_the_kept_customers(listed):
    """The list printed, then its row 2's customer merged into C003 (on no list): the merge
    gave C003 the place, and the row, naming the merged code, was refused before as "customer
    C003 in this database, not …"."""
    database, path, col = listed
    code, merged = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    merge_customers(database.sessions, _id(database, "C003"), _id(database, merged))
    _fill(path, col, {(2, "结果"): "已预约", (2, "联系日期"): "2026-11-24",
                      (3, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (2, ())
    assert _events(database)["C003"] == "appointment" and merged not in _events(database)
    with database.sessions() as s:
        assert s.scalar(select(ListRunMember.status).where(
            ListRunMember.row_code == code)) == "appointment"
    day = _merge_day(database)
    assert (f"row 2 ({code}): customer {merged} was merged into C003 on {day} (merge #1), "
            f"so the row is read as C003's") in [n.en for n in report.notes]
    assert (f"第 2 行（{code}）：客户 {merged} 已合并到 C003（{day}，合并 #1），本行按 C003 "
            f"读取") in [n.zh for n in report.notes]


def test_a_row_whose_place_a_merge_removed_names_the_merge(listed):
    """Row 3's customer merged into row 2's: the merge removed row 3's place (the kept customer
    had one on the list). Before: "row id … matches no list run member"."""
    database, path, col = listed
    kept_row, kept = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    code, merged = _cell(path, col, 3, "编号"), _cell(path, col, 3, "客户编号")
    merge_customers(database.sessions, _id(database, kept), _id(database, merged))
    _fill(path, col, {(2, "结果"): "已预约", (3, "结果"): "空号"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.not_stored) == (1, 1)
    assert _events(database) == {kept: "appointment"}
    day = _merge_day(database)
    assert report.problems == ((3, (
        f"row {code} was customer {merged}'s, who was merged into {kept} on {day} (merge #1), "
        f"who is on this list as row {kept_row}; not stored: if this call was made, record it "
        f"on {kept}'s page")),)
    assert report.found[0].zh.startswith(f"编号 {code} 原是客户 {merged}，该客户已合并到 {kept}"
                                         f"（{day}，合并 #1），{kept} 在本名单中是编号 {kept_row}")


def test_a_code_typed_in_small_letters_is_the_members(listed):
    """c001 typed for C001 (a code said over the phone and typed): refused before as another
    customer's, the call lost."""
    database, path, col = listed
    customer = _cell(path, col, 2, "客户编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "客户编号"): f" {customer.lower()}"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (1, ())
    assert _events(database) == {customer: "reached"}


def test_a_customer_merged_twice_is_followed_to_the_one_kept(listed):
    database, path, col = listed
    code, merged = _cell(path, col, 2, "编号"), _cell(path, col, 2, "客户编号")
    merge_customers(database.sessions, _id(database, "C003"), _id(database, merged))
    merge_customers(database.sessions, _id(database, "C004"), _id(database, "C003"))
    _fill(path, col, {(2, "结果"): "接通"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (1, ())
    assert _events(database) == {"C004": "reached"}
    day = local_time(dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()
    assert (f"row 2 ({code}): customer {merged} was merged into C004 (merge #1 on {day}, then "
            f"merge #2 on {day}), so the row is read as C004's") in [n.en for n in report.notes]
