"""Numbers written with Chinese numerals or units: a km as it is said (8万6, 八万六千) and an
amount as invoices write it beside the figures (大写金额), read by the rules for writing
numbers and amounts; a column of figures preferred when the export has both, and a column of
words alone imported on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import ServiceVisit
from services.imports.apply import apply
from services.imports.mapping import auto_map
from services.imports.normalise import (
    normalise_amount,
    normalise_km,
    normalise_price,
    normalise_signed_amount,
)
from services.imports.plan import ImportOptions
from tests.services.import_files import dms_export, write_xlsx

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(("typed", "amount"), [
    ("壹佰元整", "100.00"), ("人民币壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"),
    ("¥ 壹拾伍万捌仟元整", "158000.00"), ("拾伍元", "15.00"), ("壹仟零伍元正", "1005.00"),
    ("壹万零伍拾元", "10050.00"), ("壹佰零捌万元", "1080000.00"), ("叁角伍分", "0.35"),
    ("壹佰元零伍分", "100.05"), ("伍角整", "0.50"), ("零元整", "0.00"),
    ("一百二十元", "120.00"), ("两千元", "2000.00"), ("十万零五百元", "100500.00"),
    ("壹亿元", "100000000.00"), ("壹佰圆整", "100.00"), ("贰佰", "200.00"),
    ("一百五", "150.00"), ("1万2", "12000.00")])
def test_an_amount_in_chinese_numerals_is_read_by_the_rules_for_bills(typed, amount):
    assert normalise_amount(typed).value == Decimal(amount)
    assert normalise_price(typed).value == (Decimal(amount) if Decimal(amount) else None)


@pytest.mark.parametrize("typed", [
    "壹佰贰佰元",  # a place twice
    "壹拾佰元",  # places out of order
    "壹贰元",  # two digits with no place between
    "二〇二六",  # a year, digit by digit
    "壹佰元伍角元", "万元", "零拾元", "壹佰元（肆）", "壹佰元伍", "壹万壹万元", "1.5万2",
    "壹万贰仟叁佰肆拾伍万元"])
def test_words_that_are_not_an_amount_by_those_rules_are_refused(typed):
    assert [p.code for p in normalise_amount(typed).problems] == ["amount_invalid"]


@pytest.mark.parametrize(("typed", "km"), [
    ("8万6", 86000), ("8万6千", 86000), ("8万6000", 86000), ("8万6千500", 86500),
    ("8万6千5", 86500), ("3万2公里", 32000), ("12万3", 123000), ("八万六千", 86000),
    ("八万六", 86000), ("八万零六", 80006), ("十五万", 150000), ("两万公里", 20000),
    ("３千500", 3500), ("8 万 6", 86000), ("8.6万", 86000), ("86,000公里", 86000)])
def test_a_km_is_read_as_it_is_said(typed, km):
    assert normalise_km(typed) == normalise_km(str(km)) and normalise_km(typed).value == km


@pytest.mark.parametrize("typed", ["8万65", "8万650", "8万06", "二〇二六", "8万6万", "八六千"])
def test_a_km_that_says_two_numbers_is_refused(typed):
    assert [p.code for p in normalise_km(typed).problems] == ["km_invalid"]


def test_a_km_said_as_a_round_figure_in_words_is_kept_with_its_warning():
    said = normalise_km("约8万6")
    assert said.value == 86000 and [p.code for p in said.problems] == ["km_approximate"]


def test_a_refund_in_words_is_negative_where_a_sign_is_kept():
    assert normalise_signed_amount("负捌佰元整").value == Decimal("-800.00")
    assert [p.code for p in normalise_amount("负捌佰元整").problems] == ["amount_negative"]
    assert [p.code for p in normalise_amount("壹拾亿元").problems] == ["amount_implausible"]


@pytest.mark.parametrize(("kind", "field", "headers"), [
    ("purchases", "amount", ["结算日期", "车牌号", "车主", "金额(大写)", "金额(小写)"]),
    ("purchases", "amount", ["结算日期", "车牌号", "车主", "价税合计（小写）", "价税合计（大写）"]),
    ("visits", "amount", ["结算日期", "车牌号", "车主", "大写金额", "小写金额"]),
    ("customers", "price_paid", ["开票日期", "车架号", "车主", "价税合计(大写)", "价税合计(小写)"]),
])
def test_of_an_amount_given_in_words_and_in_figures_the_figures_are_taken(kind, field,
                                                                           headers):
    mapped = auto_map(headers, kind).column(field)
    assert mapped is not None and "小写" in headers[mapped]
    # The words alone are still taken for the field.
    alone = [h for h in headers if "小写" not in h]
    assert "大写" in alone[auto_map(alone, kind).column(field)]


def test_a_work_order_export_with_the_amount_only_in_words_keeps_each_amount(database,
                                                                             tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), ImportOptions("customers",
                                                                            today=TODAY))
    path = write_xlsx(tmp_path / "工单.xlsx", ["结算日期", "车牌号", "维修类型", "工单号",
                                                "价税合计(大写)"], [
        ["2024-05-01", "粤A12345", "机修", "W101", "壹佰贰拾伍元伍角"],
        ["2024-05-02", "粤A12345", "机修", "W102", "人民币壹仟零伍元整"],
        ["2024-05-03", "粤A12345", "机修", "W103", "壹佰贰佰元"]])
    result = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert (result.created, result.rejected) == (3, 0)
    with database.sessions() as s:
        stored = {v.work_order: (v.amount, v.note) for v in s.scalars(select(ServiceVisit))
                  if v.work_order}
    assert stored == {"W101": (Decimal("125.50"), "工单号 W101"),
                      "W102": (Decimal("1005.00"), "工单号 W102"),
                      "W103": (Decimal("0.00"), "工单号 W103；金额原文 壹佰贰佰元")}
