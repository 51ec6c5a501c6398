"""An SMS vendor's unsubscribe or failed-delivery file read in: the numbers it lists get no more
SMS, a wrong file changes nothing, and the rows whose number cannot be read are named by the
row number the spreadsheet shows. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from models import AuditLog, ConsentEvent, Customer, DoNotContact
from services.lists import unsubscribe
from services.store.errors import RevisitError
from tests.services.test_lists_runs import AS_OF, setup


def _count(database, model, *where) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_a_file_without_a_mobile_number_changes_nothing(database, tmp_path):
    setup(database)
    wrong = tmp_path / "客户名单.csv"
    wrong.write_text("姓名,地址\n张三,光明西路1号\n李四,020-87654321\n", encoding="utf-8-sig")
    audits = _count(database, AuditLog)
    with pytest.raises(RevisitError) as refused:
        unsubscribe.read_unsubscribes(database.sessions, wrong, today=AS_OF)
    assert str(refused.value) == f"{wrong} holds no mainland mobile number; nothing was changed."
    assert _count(database, DoNotContact, DoNotContact.source == "vendor_unsubscribe") == 0
    assert _count(database, AuditLog) == audits


def test_a_vendor_workbook_with_a_title_and_a_mistyped_number(database, tmp_path):
    # As vendors export: a title and the export time above the headers, numbers stored as
    # numbers, one typed a digit short before the first good one, one unknown, one twice.
    setup(database)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["退订明细"])
    sheet.append(["导出时间", "2026-11-20 10:00:00"])
    sheet.append(["手机号码", "回复内容", "回复时间"])
    sheet.append([1380013000, "T", "2026-11-19 09:00"])  # row 4: ten digits
    sheet.append([13800130001, "TD", "2026-11-19 09:01"])
    sheet.append(["+86 138 0013 0012", "退订", "2026-11-19 09:02"])
    sheet.append([13911112222, "T", "2026-11-19 09:03"])
    sheet.append([13800130001, "T", "2026-11-19 09:04"])
    sheet.append(["013800130013", "T", "2026-11-19 09:05"])  # the trunk 0 before it
    for _ in range(4580):  # the last row far down, as in a month's file
        sheet.append([])
    sheet.append(["无", "T"])
    path = tmp_path / "退订.xlsx"
    book.save(path)
    report = unsubscribe.read_unsubscribes(database.sessions, path, today=AS_OF)
    assert (report.numbers, report.customers_blocked, report.already_blocked) == (4, 3, 0)
    assert report.unknown_numbers == ("13911112222",)
    assert report.unreadable_rows == (4, 4590)
    with database.sessions() as s:
        blocked = s.scalars(select(Customer.code).join(
            DoNotContact, DoNotContact.customer_id == Customer.id).where(
            DoNotContact.channel == "sms", DoNotContact.purpose.is_(None))).all()
        assert sorted(blocked) == ["C001", "C012", "C013"]
        assert s.scalar(select(func.count()).select_from(ConsentEvent).where(
            ConsentEvent.source == "sms_unsubscribe", ConsentEvent.granted.is_(False))) == 3
    again = unsubscribe.read_unsubscribes(database.sessions, path, today=AS_OF)
    assert (again.customers_blocked, again.already_blocked) == (0, 3)


def test_failed_deliveries_block_sms_but_keep_consent(database, tmp_path):
    setup(database)
    path = tmp_path / "发送失败.csv"
    path.write_text("号码,状态\n13800130013,空号\n", encoding="utf-8-sig")
    report = unsubscribe.read_unsubscribes(database.sessions, path, failed=True,
                                           today=dt.date(2026, 11, 23))
    assert (report.numbers, report.customers_blocked) == (1, 1)
    assert _count(database, DoNotContact, DoNotContact.source == "vendor_failed") == 1
    assert _count(database, ConsentEvent, ConsentEvent.source == "sms_unsubscribe") == 0


@pytest.mark.parametrize("kind", ["xls", "gbk_csv", "tab_txt_utf16"])
def test_a_vendor_file_of_any_kind_an_import_reads(database, tmp_path, kind):
    # Vendors' consoles export old .xls workbooks, GBK CSV and tab-separated UTF-16 text.
    # Before, anything but .xlsx was read as UTF-8 text: an .xls held no number at all.
    setup(database)
    rows = [["短信退订记录"], ["手机号码", "回复内容", "时间"],
            ["13800130001", "T", "2026-11-20 10:00"], ["13800130012", "退订", "2026-11-21"]]
    if kind == "xls":
        xlwt = pytest.importorskip("xlwt")
        path = tmp_path / "退订.xls"
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("退订")
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                # As the vendor stores it: the number as a number.
                sheet.write(r, c, int(value) if value.isdigit() else value)
        book.save(str(path))
    elif kind == "gbk_csv":
        path = tmp_path / "退订.csv"
        path.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gbk"))
    else:
        path = tmp_path / "退订.txt"
        path.write_text("\r\n".join("\t".join(r) for r in rows), encoding="utf-16")
    report = unsubscribe.read_unsubscribes(database.sessions, path, today=AS_OF)
    assert (report.numbers, report.customers_blocked, report.unreadable_rows) == (2, 2, ())
    assert _count(database, DoNotContact, DoNotContact.source == "vendor_unsubscribe") == 2


def test_a_replies_export_blocks_only_those_who_ask_to_stop(database, tmp_path):
    """A vendor's 上行短信 export holds every reply: 好的 and 谢谢 blocked their customers from
    every SMS, reminders too, and withdrew their marketing consent."""
    setup(database)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["上行短信明细"])
    sheet.append(["手机号码", "上行内容", "接收时间"])
    sheet.append([13800130001, "好的，谢谢", "2026-11-19 09:00"])
    sheet.append([13800130012, "TD", "2026-11-19 09:01"])
    sheet.append([13800130013, "别再发了！", "2026-11-19 09:02"])
    sheet.append([13800130002, "已经保养过了", "2026-11-19 09:03"])
    sheet.append([13800130003, None, "2026-11-19 09:04"])  # no reply written: as listed
    path = tmp_path / "上行.xlsx"
    book.save(path)
    report = unsubscribe.read_unsubscribes(database.sessions, path, today=AS_OF)
    assert (report.numbers, report.customers_blocked) == (3, 3)
    assert report.not_blocked == ((3, "好的，谢谢"), (6, "已经保养过了"))
    with database.sessions() as s:
        blocked = s.scalars(select(Customer.code).join(
            DoNotContact, DoNotContact.customer_id == Customer.id).where(
            DoNotContact.channel == "sms")).all()
    assert sorted(blocked) == ["C003", "C012", "C013"]
    # Replies alone, none asking to stop: nothing changed, and said.
    only = tmp_path / "回复.csv"
    only.write_text("手机号码,回复内容\n13800130001,好的\n", encoding="utf-8-sig")
    nothing = unsubscribe.read_unsubscribes(database.sessions, only, today=AS_OF)
    assert (nothing.numbers, nothing.customers_blocked) == (0, 0)
    assert nothing.not_blocked == ((2, "好的"),)


def test_a_vendor_header_with_a_note_in_brackets_is_still_its_column(database, tmp_path):
    """回复内容（最多70字）, as a vendor's template heads it, was not taken for the replies:
    every number listed was blocked, 好的 with the rest."""
    setup(database)
    path = tmp_path / "上行.csv"
    path.write_text("手机号码(必填),回复内容（最多70字）\n13800130001,好的\n13800130012,T\n",
                    encoding="utf-8-sig")
    report = unsubscribe.read_unsubscribes(database.sessions, path, today=AS_OF)
    assert (report.numbers, report.customers_blocked) == (1, 1)
    assert report.not_blocked == ((2, "好的"),)


def test_a_whole_delivery_report_blocks_only_the_numbers_that_failed_for_good(database,
                                                                            tmp_path):
    """A vendor's 状态报告 lists every message sent: read as failed deliveries, every number
    the message reached was blocked from SMS. A phone off or a timeout passes."""
    setup(database)
    path = tmp_path / "状态报告.csv"
    path.write_text("手机号码,发送时间,状态\n"
                    "13800130001,2026-11-19 09:00,成功\n"
                    "13800130002,2026-11-19 09:00,DELIVRD\n"
                    "13800130003,2026-11-19 09:00,0\n"
                    "13800130012,2026-11-19 09:00,空号\n"
                    "13800130013,2026-11-19 09:00,停机\n"
                    "13800130014,2026-11-19 09:00,关机\n", encoding="utf-8-sig")
    report = unsubscribe.read_unsubscribes(database.sessions, path, failed=True, today=AS_OF)
    assert (report.numbers, report.customers_blocked, report.delivered) == (2, 2, 3)
    assert report.not_blocked == ((7, "关机"),)
    with database.sessions() as s:
        blocked = s.scalars(select(Customer.code).join(
            DoNotContact, DoNotContact.customer_id == Customer.id).where(
            DoNotContact.channel == "sms")).all()
    assert sorted(blocked) == ["C012", "C013"]


def test_an_unsubscribe_above_the_first_good_number_is_said_not_taken_for_a_header(
        database, tmp_path):
    # Under the headers, before the first readable number: a number with a letter typed into
    # it, and a reply asking to stop whose number cell is empty. Both are customers' refusals
    # that cannot be acted on: said by their rows, not passed over as the file's title.
    setup(database)
    path = tmp_path / "退订.csv"
    path.write_text("手机号码,回复内容\n15349364254X,退订\n,T\n13800130001,T\n",
                    encoding="utf-8-sig")
    report = unsubscribe.read_unsubscribes(database.sessions, path, today=AS_OF)
    assert report.numbers == 1
    assert report.unreadable_rows == (2, 3)
