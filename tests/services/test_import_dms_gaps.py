"""What real DMS exports hold that the import used to lose or refuse, on SQLite and PostgreSQL:
a customer file's second phone column, contacts with no channel or outcome filled in, and
satisfaction scores written as percentages. Each file is written as the export would be, run
through the dry run and the import, and read back from the database."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from models import ContactEvent, Customer, SatisfactionSurvey, StaffUser
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import dms_export, snapshot, write_csv, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
CONTACTS = ImportOptions("contacts", today=TODAY)
SURVEYS = ImportOptions("surveys", today=TODAY)

# ------------------------------------------------------------------ a second phone column

# Name, plate, the first phone column, the second: every number is to be kept, and a mobile
# only in the second column is the customer's mobile.
PHONE_ROWS = [
    ["张三", "粤A10001", "13800138080", "020-87654321"],
    ["李四", "粤A10002", "020-11112222", "13900139000"],
    ["王五", "粤A10003", "13700137000", "137 0013 7000"],  # the same mobile twice
    ["赵六", "粤A10004", None, "13600136000"],
]
KEPT = {"张三": ("13800138080", "020-87654321"), "李四": ("13900139000", "020-11112222"),
        "王五": ("13700137000", None), "赵六": ("13600136000", None)}


def _xlsx(path, headers, rows):
    """As openpyxl writes it: two headers may read alike."""
    wb = openpyxl.Workbook()
    wb.active.append(headers)
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def _pandas_csv(path, headers, rows):
    """As a sheet read with pandas and saved again: the second 电话 became 电话.1."""
    frame = pd.read_excel(_xlsx(path.with_suffix(".xlsx"), headers, rows), dtype=str,
                          engine="openpyxl")
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _customers(database) -> dict[str, tuple]:
    with database.sessions() as s:
        return {c.name: (c.mobile, c.other_phones) for c in s.scalars(select(Customer))}


@pytest.mark.parametrize(("headers", "write", "second"), [
    (["客户姓名", "车牌", "电话", "电话"], _xlsx, "电话"),
    (["客户姓名", "车牌", "电话", "电话"], _pandas_csv, "电话.1"),
    (["客户姓名", "车牌", "联系电话", "联系电话"], _pandas_csv, "联系电话.1"),
    (["客户姓名", "车牌", "车主电话", "客户电话"], _xlsx, None),
    (["客户姓名", "车牌", "客户电话", "车主电话"], _xlsx, None),
    (["客户姓名", "车牌", "手机", "手机"], _pandas_csv, "手机.1"),
])
def test_every_phone_column_of_a_customer_file_is_kept(database, tmp_path, headers, write,
                                                        second):
    path = write(tmp_path / "客户.csv", headers, PHONE_ROWS)
    dry = plan(database.sessions, path, CUSTOMERS)
    if second is not None:
        assert dry.headers[3] == second
    # Both phone columns are read: neither is left for the column summary to name.
    assert {c for _, c in dry.mapping.columns} >= {2, 3}
    assert snapshot(database) == {t: [] for t in snapshot(database)}
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (4, 0)
    assert (dry.created, dry.warnings) == (result.created, result.warnings)
    assert _customers(database) == KEPT
    before = snapshot(database)
    assert apply(database.sessions, path, CUSTOMERS).unchanged == 4
    assert snapshot(database) == before


def test_a_third_phone_column_and_someone_elses_number(database, tmp_path):
    # 手机, 电话 and 备用电话 all hold the customer's numbers (the other phone column's
    # first, then the further ones'); the salesman's does not.
    path = write_xlsx(tmp_path / "保有客户.xlsx",
                      ["客户姓名", "车牌", "手机", "电话", "备用电话", "销售顾问电话"], [
                          ["张三", "粤A10001", "13800138080", "020-87654321", "0755-12345678",
                           "13512345678"],
                          ["李四", "粤A10002", None, "13900139000", "020-11112222",
                           "13512345678"]])
    dry = plan(database.sessions, path, CUSTOMERS)
    assert dry.mapping.field_of(5) is None
    result = apply(database.sessions, path, CUSTOMERS)
    assert (dry.created, result.created, result.rejected) == (2, 2, 0)
    assert _customers(database) == {
        "张三": ("13800138080", "0755-12345678, 020-87654321"),
        "李四": ("13900139000", "020-11112222")}


def test_a_second_phone_column_adds_to_a_stored_customers_other_phones(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "补充.xlsx", ["客户姓名", "客户电话", "车主电话"], [
        ["张三", "13800138080", "020-66668888"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.updated, result.rejected) == (1, 0)
    assert _customers(database)["张三"] == ("13800138080", "020-66668888")


def test_a_number_stored_written_otherwise_is_not_added_twice(database, tmp_path):
    """A customer's other phone kept with spaces (typed so in an earlier system): a file
    giving the same number with a dash adds nothing; another number is added after it."""
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    with database.sessions.begin() as s:
        s.scalars(select(Customer).where(Customer.name == "张三")).one().other_phones = \
            "020 6666 8888"
    path = write_xlsx(tmp_path / "补充.xlsx", ["客户姓名", "客户电话", "车主电话", "备用电话"], [
        ["张三", "13800138080", "020-66668888", "0755-12345678"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.updated, result.rejected) == (1, 0)
    assert _customers(database)["张三"] == ("13800138080", "020 6666 8888, 0755-12345678")


# ------------------------------------------------------------------ contacts left blank

CONTACT_HEADERS = ["联系时间", "手机", "联系方式", "联系目的", "联系人员", "联系结果", "客户反馈"]


def _contacts(database) -> list[tuple]:
    with database.sessions() as s:
        return [(e.contact_at, e.channel, e.outcome, e.purpose, e.staff_id, e.feedback)
                for e in s.scalars(select(ContactEvent).order_by(ContactEvent.contact_at))]


def test_a_contact_with_no_channel_or_outcome_is_kept_never_as_a_success(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    with database.sessions.begin() as s:
        s.add(StaffUser(username="chenli", display_name="陈丽"))
    with database.sessions() as s:
        staff = s.scalar(select(StaffUser.id))
    path = write_csv(tmp_path / "回访记录.csv", CONTACT_HEADERS, [
        ["2026-11-20 10:00", "13800138080", "电话", "保养提醒", "陈丽", "", "说下周来"],
        ["2026-11-21 10:00", "13800138080", "", "保养提醒", "陈丽", "已接通", None],
        ["2026-11-22 10:00", "13900139000", None, "生日关怀", "陈丽", "", "车况良好"],
        ["2026-11-23 10:00", "13900139000", "短信", "生日关怀", None, None, None],
        ["2026-11-24 10:00", "13900139000", "QQ", "关怀", "陈丽", "已接通", None]])
    errors = tmp_path / "问题.xlsx"
    dry = plan(database.sessions, path, CONTACTS)
    result = apply(database.sessions, path, CONTACTS, errors_path=errors)
    # Only the channel nobody can read is refused, and said so.
    assert (result.created, result.rejected) == (4, 1)
    assert [r.zh for r in result.reasons] == ["联系方式：联系方式无法识别"]
    noted = [(r.zh, r.rows) for r in result.warnings]
    assert noted == [
        ("联系方式：联系方式未填，按“电话”记录，客户反馈中已注明", 2),
        ("联系结果：联系结果未填，按“无人接听”记录（不算接通），客户反馈中已注明", 2),
        ("联系结果：联系结果未填，按“已发送”记录，客户反馈中已注明", 1)]
    assert [(r.en, r.rows) for r in result.warnings][1] == (
        "Outcome: no outcome filled in: recorded as no answer (not as reached), and said so "
        "in the feedback", 2)
    assert ([(r.zh, r.rows) for r in dry.warnings], dry.created) == (noted, 4)
    at = dt.datetime(2026, 11, 20, 10)
    assert _contacts(database) == [
        (at, "phone", "no_answer", "reminder", staff, "原表未填联系结果；说下周来"),
        (at.replace(day=21), "phone", "reached", "reminder", staff, "原表未填联系方式"),
        (at.replace(day=22), "phone", "no_answer", "care", staff,
         "原表未填联系方式；原表未填联系结果；车况良好"),
        (at.replace(day=23), "sms", "sent", "care", None, "原表未填联系结果")]
    listed = openpyxl.load_workbook(errors)["已导入但有提示的行"]
    said = {row[0]: row[-1] for row in listed.iter_rows(min_row=2, values_only=True)}
    assert "联系结果未填" in said[2] and "联系方式未填" in said[3] and len(said) == 4
    before = snapshot(database)
    assert apply(database.sessions, path, CONTACTS).unchanged == 4
    assert snapshot(database) == before


def test_an_empty_channel_is_the_one_every_other_row_of_the_file_names(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "短信发送记录.xlsx", ["发送时间", "手机", "渠道", "结果"], [
        ["2026-11-20 09:00", "13800138080", "短信", "发送成功"],
        ["2026-11-20 09:01", "13900139000", None, "发送成功"],
        ["2026-11-20 09:02", "13900139000", "短信", None]])
    result = apply(database.sessions, path, CONTACTS)
    assert (result.created, result.rejected) == (3, 0)
    assert [(r.zh, r.rows) for r in result.warnings] == [
        ("联系方式：联系方式未填，按本文件其他各行的“短信”记录", 1),
        ("联系结果：联系结果未填，按“已发送”记录，客户反馈中已注明", 1)]
    assert [r.en for r in result.warnings][0] == (
        'Channel: no channel filled in: recorded as "短信", as every other row of the file')
    assert [(e[1], e[2], e[5]) for e in _contacts(database)] == [
        ("sms", "sent", None), ("sms", "sent", None), ("sms", "sent", "原表未填联系结果")]


# ------------------------------------------------------------------ percentage scores

def _scores(database) -> list[tuple]:
    with database.sessions() as s:
        return [(v.survey_date.day, v.overall_score, v.attitude) for v in
                s.scalars(select(SatisfactionSurvey).order_by(SatisfactionSurvey.survey_date))]


def test_a_score_written_as_a_percentage_reads_as_out_of_a_hundred(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "满意度.xlsx", ["回访日期", "手机", "满意度", "服务态度"], [
        ["2026-11-10", "13800138080", "90%", "９０％"],
        ["2026-11-11", "13900139000", "90 %", "65%"],
        ["2026-11-12", "13800138080", "100%", "84.5%"],
        ["2026-11-13", "13900139000", "120%", None],
        ["2026-11-14", "13800138080", "很%", None],
        ["2026-11-15", "13900139000", "88%", "200%"]])
    dry = plan(database.sessions, path, SURVEYS)
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, path, SURVEYS, errors_path=errors)
    assert (dry.created, result.created, result.rejected) == (4, 4, 2)
    assert sorted((r.zh, r.rows) for r in result.reasons) == [
        ("总体满意度：百分比评分不在0%–100%之间", 1), ("总体满意度：评分无法识别", 1)]
    assert [(r.en, r.rows) for r in result.warnings] == [
        ("Attitude: percentage score not between 0% and 100%", 1)]
    # As 90 in a hundred-point column: 9 on the 0–10 scale every rule reads.
    assert _scores(database) == [(10, 9, 9), (11, 9, 7), (12, 10, 8), (15, 9, None)]
    listed = openpyxl.load_workbook(errors).active
    said = {row[0]: row[-1] for row in listed.iter_rows(min_row=2, values_only=True)}
    assert said[5] == "总体满意度：百分比评分不在0%–100%之间"
    assert said[6] == "总体满意度：评分无法识别"


def test_percentages_beside_bare_hundred_point_scores_store_alike(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_csv(tmp_path / "回访.csv", ["回访日期", "手机", "得分"], [
        ["2026-11-10", "13800138080", "90"], ["2026-11-11", "13900139000", "90%"],
        ["2026-11-12", "13800138080", "85"], ["2026-11-13", "13900139000", "８５％"]])
    result = apply(database.sessions, path, SURVEYS)
    assert (result.created, result.rejected) == (4, 0)
    assert [s[1] for s in _scores(database)] == [9, 9, 9, 9]


def test_a_column_formatted_as_percentages_in_excel_reads_as_out_of_a_hundred(database,
                                                                                 tmp_path):
    # Excel shows 90% and keeps 0.9: read on 0–10, every customer was a 1, the unhappiest band.
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["回访日期", "手机", "满意度", "服务态度"])
    for day, score, attitude in ((10, 0.9, 0.95), (11, 0.85, 1), (12, 1, 0.6), (13, 0.7, None)):
        ws.append([f"2026-11-{day}", "13800138080", score, attitude])
        ws.cell(ws.max_row, 3).number_format = ws.cell(ws.max_row, 4).number_format = "0%"
    path = tmp_path / "满意度.xlsx"
    wb.save(path)
    dry = plan(database.sessions, path, SURVEYS)
    result = apply(database.sessions, path, SURVEYS)
    assert (dry.created, result.created, result.rejected) == (4, 4, 0)
    said = ("表头未注明分制，该列评分均为0到1之间的小数（Excel 的百分比格式，0.9 即 90%），"
            "按百分比换算为10分制")
    assert sorted((r.zh, r.rows) for r in result.warnings) == [
        (f"总体满意度：{said}", 4), (f"服务态度：{said}", 3)]
    assert dry.warnings == result.warnings
    assert _scores(database) == [(10, 9, 10), (11, 9, 10), (12, 10, 6), (13, 7, None)]
