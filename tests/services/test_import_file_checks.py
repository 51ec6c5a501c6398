"""Files that are no table said so in one sentence; the data found on a later sheet; the order
of day and month decided for a whole date column; a car's price of 0 taken as not known."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from models import ServiceVisit, Vehicle
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from services.imports.readers import open_table
from services.store.errors import RevisitError
from tests.services.import_files import write_csv

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["车主", "手机", "品牌", "车型", "车牌", "开票日期", "开票价"]


def _message(path) -> str:
    with pytest.raises(RevisitError) as caught:
        open_table(path)
    return caught.value.message


def _ole2(streams: list[str]) -> bytes:
    """A compound file (the format of .xls, .doc and a password-protected .xlsx): its header and
    a directory sector naming `streams`, each entry 128 bytes with its name in UTF-16."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header += bytes(512 - len(header))
    directory = b""
    for name in ["Root Entry", *streams]:
        encoded = (name + "\0").encode("utf-16-le")
        directory += encoded + bytes(64 - len(encoded)) + len(encoded).to_bytes(2, "little")
        directory += bytes(128 - 66)
    return header + directory + bytes(512 - len(directory) % 512) + b"\x00" * 1024


def test_a_file_that_is_no_table_is_named_for_what_it_is(tmp_path):
    empty = tmp_path / "客户.xlsx"
    empty.write_bytes(b"")
    assert "is empty (0 bytes)" in _message(empty)
    (tmp_path / "客户.csv").write_bytes(b"")
    assert "is empty (0 bytes)" in _message(tmp_path / "客户.csv")

    pdf = tmp_path / "导出.csv"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20)
    assert "is a PDF document, not a table" in _message(pdf)

    docx = tmp_path / "报表.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "is a Word document, not a table" in _message(docx)

    png = tmp_path / "截图.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "is a picture, not a table" in _message(png)

    archive = tmp_path / "打包.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("客户.csv", "姓名,手机\n")
    assert "compressed archive" in _message(archive)

    binary = tmp_path / "程序.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    assert "holds no readable text" in _message(binary)


def test_a_damaged_or_password_protected_workbook_says_so(tmp_path):
    whole = tmp_path / "whole.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机"])
    wb.active.append(["张三", "13800138080"])
    wb.save(whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    text = _message(cut)
    assert "is not a readable Excel workbook: it is damaged" in text
    assert "EOCD" not in text and "zip" not in text.lower()

    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(_ole2(["EncryptionInfo", "EncryptedPackage"]))
    assert "is protected by a password" in _message(locked)

    doc = tmp_path / "old.xls"
    doc.write_bytes(_ole2(["WordDocument", "1Table"]))
    assert "is a Word document" in _message(doc)


def test_the_data_sheet_is_found_after_a_sheet_of_notes(database, tmp_path):
    path = tmp_path / "客户档案.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由DMS导出，仅供回访使用"])
    data = wb.create_sheet("客户档案")
    data.append(["车主", "手机", "车型", "车牌"])
    data.append(["张三", "13800138080", "朗逸", "粤A12345"])
    wb.save(path)
    with open_table(path) as table:
        assert table.layout.sheet == "客户档案" and table.layout.header_row == 1
    result = plan(database.sessions, path, CUSTOMERS)
    assert result.sheet == "客户档案" and result.created == 1, result.reasons

    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由DMS导出"])
    wb.create_sheet("备注").append(["无"])
    wb.save(path)
    with pytest.raises(RevisitError) as caught:
        plan(database.sessions, path, CUSTOMERS)
    assert "on any sheet of 客户档案.xlsx (说明、备注)" in caught.value.message


def test_a_columns_dates_that_can_only_be_day_first_decide_the_others(database, tmp_path):
    rows = [["甲一", "13902847801", "大众", "帕萨特", "浙A30001", "13/05/2023", "150000"],
            ["甲二", "13902847802", "大众", "帕萨特", "浙A30002", "06/05/2023", "150000"],
            ["甲三", "13902847803", "大众", "帕萨特", "浙A30003", "25/12/2022", "150000"],
            ["甲四", "13902847804", "大众", "帕萨特", "浙A30004", "01/02/2021", "150000"]]
    path = write_csv(tmp_path / "dmy.csv", HEADERS, rows)
    dry = plan(database.sessions, path, CUSTOMERS)
    done = apply(database.sessions, path, CUSTOMERS)
    for result in (dry, done):
        assert result.created == 4 and result.rejected == 0
        assert [(w.code, w.rows, w.zh) for w in result.warnings] == [
            ("date_read_dmy", 2, "购车日期：按日/月/年读取（由 13/05/2023 等可判断）")]
    with database.sessions() as s:
        days = {p: d for p, d in s.execute(select(Vehicle.plate, Vehicle.purchase_date))}
    assert days == {"浙A30001": dt.date(2023, 5, 13), "浙A30002": dt.date(2023, 5, 6),
                    "浙A30003": dt.date(2022, 12, 25), "浙A30004": dt.date(2021, 2, 1)}


def test_mixed_evidence_leaves_the_ambiguous_dates_unread(database, tmp_path):
    rows = [["甲一", "13902847801", "大众", "帕萨特", "浙A30001", "13/05/2023", ""],
            ["甲二", "13902847802", "大众", "帕萨特", "浙A30002", "05/14/2023", ""],
            ["甲三", "13902847803", "大众", "帕萨特", "浙A30003", "06/05/2023", ""],
            ["甲四", "13902847804", "大众", "帕萨特", "浙A30004", "08/09/2023", ""]]
    path = write_csv(tmp_path / "mixed.csv", HEADERS, rows)
    result = plan(database.sessions, path, CUSTOMERS)
    codes = {w.code: w.rows for w in result.warnings}
    assert codes == {"date_ambiguous": 2}
    swapped = write_csv(tmp_path / "mdy.csv", HEADERS, [rows[1], rows[2]])
    result = plan(database.sessions, swapped, CUSTOMERS)
    assert [w.zh for w in result.warnings] == ["购车日期：按月/日/年读取（由 05/14/2023 等可判断）"]


def test_a_price_of_0_is_not_known_but_a_visits_amount_of_0_is_kept(database, tmp_path):
    rows = [["孙七", "13902847507", "大众", "帕萨特", "浙A10007", "2023-05-06", "0"],
            ["周八", "13902847508", "大众", "帕萨特", "浙A10008", "2023-05-06", "0.00"],
            ["吴九", "13902847509", "大众", "帕萨特", "浙A10009", "2023-05-06", "125000"]]
    path = write_csv(tmp_path / "price.csv", HEADERS, rows)
    result = apply(database.sessions, path, CUSTOMERS)
    assert result.created == 3
    assert [(w.code, w.rows, w.zh) for w in result.warnings] == [
        ("price_zero", 2, "购车价格：价格为 0，视为未知，未保存")]
    with database.sessions() as s:
        prices = {p: v for p, v in s.execute(select(Vehicle.plate, Vehicle.price_paid))}
    assert prices == {"浙A10007": None, "浙A10008": None, "浙A10009": Decimal("125000.00")}

    visits = write_csv(tmp_path / "visits.csv", ["进厂日期", "车牌号", "维修类型", "结算金额"],
                       [["2024-05-01", "浙A10007", "免费检测", "0"]])
    result = apply(database.sessions, visits, ImportOptions("visits", today=TODAY))
    assert result.created == 1 and not any(w.code.startswith("amount") for w in result.warnings)
    with database.sessions() as s:
        assert s.scalar(select(ServiceVisit.amount)) == Decimal("0.00")


def _two_sheets(path, detail: list[list]) -> object:
    """A workbook whose first sheet is a summary (汇总: 月份, 金额) and the data is after it."""
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "汇总"
    for row in (["月份", "金额"], ["2026-10", 1200], ["2026-11", 800]):
        summary.append(row)
    sheet = book.create_sheet("明细")
    for row in detail:
        sheet.append(row)
    book.save(path)
    return path


def test_the_sheet_that_fits_the_kind_is_read_when_the_first_does_not(database, tmp_path):
    from services.imports.apply import apply as run
    from tests.services.import_files import dms_export

    run(database.sessions, dms_export(tmp_path / "owners.xlsx"), CUSTOMERS)
    path = _two_sheets(tmp_path / "投诉.xlsx", [
        ["投诉日期", "车牌", "投诉类型", "投诉内容"],
        ["2026-11-02", "粤A12345", "服务态度", "接待不耐烦"]])
    result = run(database.sessions, path, ImportOptions("complaints", today=TODAY))
    assert (result.sheet, result.created) == ("明细", 1)
    # No sheet fits: the refusal says which sheet was read and that none other fits.
    bad = _two_sheets(tmp_path / "空.xlsx", [["备注"], ["无"]])
    with pytest.raises(RevisitError) as refused:
        run(database.sessions, bad, ImportOptions("complaints", today=TODAY))
    assert "No column of the file is mapped to" in str(refused.value)
    assert refused.value.__notes__ == [
        "(Read from the sheet 汇总; no other sheet of 空.xlsx fits either. Name the sheet with "
        "--sheet NAME.)"]
