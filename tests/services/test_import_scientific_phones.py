"""Phones a CSV saved from Excel holds in scientific form, on SQLite and PostgreSQL: Excel shows
an 11-digit number as 1.38E+10 or 1.38001E+10 and the CSV keeps only that, so the number is
not stored (no made-up 13800000000) and the row says so, naming the cell; a mantissa with every
digit (1.3912345678E+10) is the number, taken with a note."""

from __future__ import annotations

import datetime as dt

import openpyxl
from sqlalchemy import select

from models import Customer
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import write_csv

TODAY = dt.date(2026, 11, 30)
HEADERS = ["车主姓名", "联系电话", "车牌号码", "品牌", "车型", "开票日期", "开票价格"]


def test_a_phone_excel_saved_in_scientific_form_is_said_and_never_made_up(database, tmp_path):
    path = write_csv(tmp_path / "保有客户.csv", HEADERS, [
        ["钱一", "1.38E+10", "粤A55501", "大众", "朗逸", "2022-03-01", "12.5万"],
        ["钱二", "1.3912345678E+10", "粤A55502", "大众", "速腾", "2022-04-01", "15万"],
        ["钱三", "1.37001E+10", "粤A55503", "大众", "帕萨特", "2022-05-01", "20万"]],
        encoding="gbk")
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, path, ImportOptions("customers", today=TODAY),
                   errors_path=errors)
    assert (result.created, result.rejected) == (3, 0)  # each found by its car's plate
    with database.sessions() as s:
        mobiles = dict(s.execute(select(Customer.name, Customer.mobile)).all())
        others = dict(s.execute(select(Customer.name, Customer.other_phones)).all())
    assert mobiles == {"钱一": None, "钱二": "13912345678", "钱三": None}
    assert not any(others.values())
    noted = openpyxl.load_workbook(errors).worksheets[-1]
    said = {row[0]: row[-1] for row in noted.iter_rows(min_row=2, values_only=True)}
    lost = ("手机：号码被 Excel 存成了科学计数法，后几位数字已丢失，无法还原，此号码未导入；"
            "请从原系统导出时把该列设为文本，或手工补录")
    assert said == {
        2: f"{lost}（“1.38E+10”）",
        3: "手机：号码被存成了科学计数法，但位数完整，已还原为完整号码，请核对"
           "（“1.3912345678E+10”）",
        4: f"{lost}（“1.37001E+10”）"}
