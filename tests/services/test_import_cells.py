"""Cells of hand-kept sheets: several phone numbers in one cell, the brand written in the model
cell, and the totals row listed in the problems file with its cells as typed."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from models import Customer, Vehicle
from services.imports.apply import apply
from services.imports.brands import split_brand
from services.imports.phones import Phones, normalise_phones
from services.imports.plan import ImportOptions
from tests.services.import_files import write_csv, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


@pytest.mark.parametrize(
    ("raw", "value", "codes"),
    [("13512345678 / 0755-26661234", Phones("13512345678", ("0755-26661234",)), []),
     ("13512345678，0755-26661234", Phones("13512345678", ("0755-26661234",)), []),
     ("0755-26661234 或 13512345678", Phones("13512345678", ("0755-26661234",)), []),
     ("13512345678 13912345678", Phones("13512345678", ("13912345678",)), []),
     # One digit repeated is a placeholder anywhere: kept as typed, never the mobile.
     ("13800000000 / 0755-26661234", Phones(None, ("0755-26661234",), ("13800000000",)),
      ["mobile_placeholder_kept", "mobile_is_landline"])],
)
def test_a_cell_with_several_numbers_keeps_every_one(raw, value, codes):
    result = normalise_phones(raw, keep_invalid=True)
    assert result.value == value
    assert [p.code for p in result.problems] == codes


def test_a_placeholder_alone_is_still_refused():
    for raw in ("13800138000", "13800000000"):
        assert [p.code for p in normalise_phones(raw, keep_invalid=True).problems] == [
            "mobile_placeholder"]


def test_the_mobile_and_the_landline_of_one_cell_are_both_stored(database, tmp_path):
    path = write_csv(tmp_path / "通讯录.csv", ["姓名", "手机", "车牌", "车型"], [
        ["黄大伟", "13512345678 / 0755-26661234", "粤B12E45", "大众 速腾"]], encoding="gbk")
    result = apply(database.sessions, path, CUSTOMERS)
    assert result.created == 1 and not result.warnings
    with database.sessions() as s:
        huang = s.scalars(select(Customer)).one()
        car = s.scalars(select(Vehicle)).one()
    assert (huang.mobile, huang.other_phones) == ("13512345678", "0755-26661234")
    assert (car.brand, car.model) == ("大众", "速腾")


def test_a_customer_stored_under_a_cells_second_mobile_is_found_by_it(database, tmp_path):
    """13711112222/15349364254 for a customer stored with 15349364254: the same person, not a
    new one; the first number becomes the mobile and the stored one is kept beside it."""
    apply(database.sessions, write_csv(tmp_path / "a.csv", ["姓名", "手机", "车牌"], [
        ["吕晴伟", "15349364254", "粤S9DN37"]]), CUSTOMERS)
    result = apply(database.sessions, write_csv(tmp_path / "b.csv", ["姓名", "手机", "车牌"], [
        ["吕晴伟", "13711112222/15349364254", "粤S9DN37"],
        # Someone else's number second: a customer of their own, as before.
        ["王小明", "13622223333/15349364254", "粤S1AB23"]]), CUSTOMERS)
    assert (result.created, result.updated) == (1, 1)
    with database.sessions() as s:
        stored = {c.name: (c.mobile, c.other_phones) for c in s.scalars(select(Customer))}
    assert stored == {"吕晴伟": ("13711112222", "15349364254"),
                      "王小明": ("13622223333", "15349364254")}


@pytest.mark.parametrize(
    ("model", "split"),
    [("大众 速腾", ("大众", "速腾")), ("丰田凯美瑞", ("丰田", "凯美瑞")),
     ("一汽大众迈腾", ("一汽大众", "迈腾")), ("BMW X5", ("BMW", "X5")), ("宝马X5", ("宝马", "X5")),
     ("MGA", None), ("大众", None), ("速腾", None)],
)
def test_a_brand_at_the_start_of_the_model(model, split):
    brands = ("一汽大众", "BMW", "大众", "丰田", "宝马", "MG")
    assert split_brand(model, brands) == split


def test_a_stored_brand_is_recognised_and_a_brand_column_is_respected(database, tmp_path):
    headers = ["客户姓名", "手机", "品牌", "车型", "车牌"]
    apply(database.sessions, write_xlsx(tmp_path / "a.xlsx", headers, [
        ["甲", "13900000001", "猎豹", "CS10", "粤A00001"]]), CUSTOMERS)
    apply(database.sessions, write_xlsx(tmp_path / "b.xlsx", headers, [
        ["乙", "13900000002", None, "猎豹 CS9", "粤A00002"],
        ["丙", "13900000003", "一汽", "大众 速腾", "粤A00003"]]), CUSTOMERS)
    with database.sessions() as s:
        cars = {v.plate: (v.brand, v.model) for v in s.scalars(select(Vehicle))}
    assert cars["粤A00002"] == ("猎豹", "CS9")
    assert cars["粤A00003"] == ("一汽", "大众 速腾")  # the file gave a brand: not split


def test_the_totals_row_is_listed_with_its_cells_as_typed(database, tmp_path):
    path = write_xlsx(tmp_path / "保有客户.xlsx", ["客户姓名", "手机", "车型", "开票价"], [
        ["林晓峰", "13823456789", "帕萨特", "¥218,000"],
        ["合计", "共1台", None, "¥218,000"]])
    errors = tmp_path / "保有客户-导入问题.xlsx"
    apply(database.sessions, path, CUSTOMERS, errors_path=errors)
    sheet = openpyxl.load_workbook(errors)["未导入的行"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (3, "合计", "共1台", None, "¥218,000", "合计或小计行，未导入")


def test_the_lines_below_the_table_are_listed_as_such(database, tmp_path):
    """A report's notes under its table were refused as a customer without a name."""
    path = write_xlsx(tmp_path / "保有客户.xlsx", ["客户姓名", "手机", "车型", "开票价"], [
        ["林晓峰", "13823456789", "帕萨特", "¥218,000"],
        ["注：本表仅含在保客户", None, None, None],
        ["制表人：张三", None, "审核：李四", None],
        ["共1条记录", None, None, None]])
    errors = tmp_path / "保有客户-导入问题.xlsx"
    result = apply(database.sessions, path, CUSTOMERS, errors_path=errors)
    assert (result.created, result.rejected) == (1, 3)
    sheet = openpyxl.load_workbook(errors)["未导入的行"]
    reasons = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert reasons == ["表尾说明（注释、制表人、记录数等），未导入"] * 3
