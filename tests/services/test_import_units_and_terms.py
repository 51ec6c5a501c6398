"""Money and km columns whose header names 万 as their unit (开票价格(万元), 行驶里程（万公里）),
as many DMS exports write them: 18.5 there is 185,000 yuan and 3.2 is 32,000 km. They were read
as 18.50 yuan and 3 km: the cheapest buyer in the base and a car that had never been driven. A
column of car prices that are all below 1,000 is in 万 too, whatever its header says. A loan's
term (按揭期数 36) gives its end from the purchase date. A work order's labour and parts make its
amount when the file has no total, and its discount is never taken for the bill."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import MileageReading, ServiceVisit, Vehicle
from services.imports import normalise as n
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["车主", "手机", "品牌", "车型", "车牌", "开票日期", "开票价格(万元)",
           "行驶里程（万公里）"]
IN_WAN = "表头注明以“万”为单位，该列的数字按万计（18.5 即 185,000）"


@pytest.mark.parametrize(("raw", "header", "read"), [
    (18.5, "开票价格(万元)", Decimal("185000.0")), ("22.98", "车价/万", Decimal("229800.00")),
    (3, "里程（万公里）", Decimal(30000)), (" 1.5 ", "里程 万km", Decimal("15000.0")),
    # A number of 10,000 or more, a cell naming its own unit, a header naming none: as written.
    (185000, "开票价格(万元)", 185000), ("16.8万", "开票价格(万元)", "16.8万"),
    ("185,000元", "开票价格(万元)", "185,000元"), (18.5, "开票价格(元)", 18.5),
    (18.5, "开票价格", 18.5), (None, "开票价格(万元)", None), (True, "万元", True),
])
def test_a_bare_number_is_read_in_the_unit_its_header_names(raw, header, read):
    assert n.in_header_unit(raw, n.header_factor(header))[0] == read


def test_an_owners_file_priced_in_wan_stores_yuan_and_km(database, tmp_path):
    rows = [["甲一", "13902847901", "大众", "帕萨特", "浙A40001", "2021-03-05", 18.5, 3.2],
            ["甲二", "13902847902", "丰田", "凯美瑞", "浙A40002", "2022-03-05", "22.98", "1.5"],
            # Typed in yuan and km in the same columns, or with its own unit: as written.
            ["甲三", "13902847903", "本田", "雅阁", "浙A40003", "2020-03-05", 185000, 52000],
            ["甲四", "13902847904", "日产", "天籁", "浙A40004", "2019-03-05", "16.8万", "6万公里"]]
    path = write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, rows)
    dry = plan(database.sessions, path, CUSTOMERS)
    done = apply(database.sessions, path, CUSTOMERS)
    for result in (dry, done):
        assert result.created == 4 and result.rejected == 0
        assert [(w.code, w.rows, w.zh) for w in result.warnings] == [
            ("read_in_wan", 2, f"购车价格：{IN_WAN}"), ("read_in_wan", 2, f"里程：{IN_WAN}")]
    with database.sessions() as s:
        prices = dict(s.execute(select(Vehicle.plate, Vehicle.price_paid)).all())
        km = dict(s.execute(select(Vehicle.plate, MileageReading.km)
                            .join(MileageReading, MileageReading.vehicle_id == Vehicle.id)).all())
    assert prices == {"浙A40001": Decimal("185000.00"), "浙A40002": Decimal("229800.00"),
                      "浙A40003": Decimal("185000.00"), "浙A40004": Decimal("168000.00")}
    assert km == {"浙A40001": 32000, "浙A40002": 15000, "浙A40003": 52000, "浙A40004": 60000}


def _prices(database) -> dict[str, Decimal | None]:
    with database.sessions() as s:
        return dict(s.execute(select(Vehicle.plate, Vehicle.price_paid)).all())


def test_a_price_column_of_numbers_all_below_1000_is_in_wan(database, tmp_path):
    headers = ["车主", "手机", "品牌", "车型", "车牌", "开票价"]
    rows = [["乙一", "13902848001", "大众", "帕萨特", "浙A50001", 18.5],
            ["乙二", "13902848002", "丰田", "凯美瑞", "浙A50002", "22.98"],
            ["乙三", "13902848003", "本田", "雅阁", "浙A50003", "16.8万"],
            ["乙四", "13902848004", "日产", "天籁", "浙A50004", None]]
    path = write_xlsx(tmp_path / "车价.xlsx", headers, rows)
    done = apply(database.sessions, path, CUSTOMERS)
    assert done.created == 4 and done.rejected == 0
    assert [(w.code, w.rows, w.zh) for w in done.warnings] == [
        ("price_read_in_wan", 2, "购车价格：该列价格均不足1000，按万元计（18.5 即 185,000 元）")]
    assert _prices(database) == {"浙A50001": Decimal("185000.00"), "浙A50002": Decimal("229800.00"),
                                 "浙A50003": Decimal("168000.00"), "浙A50004": None}


def test_a_small_price_in_a_column_in_yuan_is_in_wan_and_said(database, tmp_path):
    """One price of 1,000 or more says the column is not in 万 as a whole; a bare number below
    1,000 there is still no car's price in yuan: it is the one typed in 万 without its unit,
    and its row says how it was read."""
    headers = ["车主", "手机", "品牌", "车型", "车牌", "开票价"]
    rows = [["丙一", "13902848101", "大众", "帕萨特", "浙A60001", 185000],
            ["丙二", "13902848102", "丰田", "凯美瑞", "浙A60002", 229.8]]
    path = write_xlsx(tmp_path / "车价.xlsx", headers, rows)
    done = apply(database.sessions, path, CUSTOMERS)
    assert done.created == 2
    assert [(w.code, w.rows) for w in done.warnings] == [("price_bare_in_wan", 1)]
    assert _prices(database) == {"浙A60001": Decimal("185000.00"),
                                 "浙A60002": Decimal("2298000.00")}


@pytest.mark.parametrize(("raw", "months"), [
    ("36期", 36), ("36个月", 36), ("3年", 36), ("三年", 36), (36, 36), (3, 36), ("24", 24),
    ("三十六期", 36), ("二十四个月", 24), ("0.5年", 6), (36.0, 36),
])
def test_a_loan_term_in_months_or_years(raw, months):
    assert n.normalise_loan_term(raw) == n.Clean(months)


@pytest.mark.parametrize("raw", ["150期", "3期", "1年半", "很久", "0", "一二期", "十十期"])
def test_a_loan_term_that_is_none_is_refused(raw):
    assert [p.code for p in n.normalise_loan_term(raw).problems] == ["loan_term_invalid"]


def test_a_loan_term_gives_the_loan_end_from_the_purchase_date(database, tmp_path):
    """A DMS exports a loan's term (按揭期数 36) far more often than its end: the loan end is
    what the due-soon segment and the care call about a loan ending read."""
    headers = ["车主", "手机", "品牌", "车型", "车牌", "开票日期", "付款方式", "按揭期数",
               "贷款到期日"]
    rows = [["丁一", "13902848201", "大众", "帕萨特", "浙A70001", "2023-08-31", "贷款", "36期",
             None],
            # No payment method: a term says it was a loan.
            ["丁二", "13902848202", "丰田", "凯美瑞", "浙A70002", "2024-01-15", None, "2年", None],
            # The file's own loan end is kept.
            ["丁三", "13902848203", "本田", "雅阁", "浙A70003", "2022-05-01", "按揭", "36",
             "2025-06-30"],
            # No purchase date: nothing to count from, and said.
            ["丁四", "13902848204", "日产", "天籁", "浙A70004", None, "贷款", "24期", None],
            ["丁五", "13902848205", "日产", "轩逸", "浙A70005", "2020-01-01", "全款", None, None]]
    path = write_xlsx(tmp_path / "按揭.xlsx", headers, rows)
    done = apply(database.sessions, path, CUSTOMERS)
    assert done.created == 5 and done.rejected == 0
    assert [(w.code, w.rows) for w in done.warnings] == [("loan_term_no_purchase_date", 1)]
    with database.sessions() as s:
        cars = {p: (m, e) for p, m, e in s.execute(
            select(Vehicle.plate, Vehicle.payment_method, Vehicle.loan_end))}
    assert cars == {"浙A70001": ("loan", dt.date(2026, 8, 31)),
                    "浙A70002": ("loan", dt.date(2026, 1, 15)),
                    "浙A70003": ("loan", dt.date(2025, 6, 30)),
                    "浙A70004": ("loan", None), "浙A70005": ("cash", None)}


def test_a_work_orders_labour_and_parts_make_its_amount_and_the_discount_is_not_the_bill(
        database, tmp_path):
    owners = write_xlsx(tmp_path / "车主.xlsx", ["车主", "手机", "品牌", "车型", "车牌"],
                        [["己一", "13902848301", "大众", "帕萨特", "浙A90001"],
                         ["己二", "13902848302", "丰田", "凯美瑞", "浙A90002"]])
    apply(database.sessions, owners, CUSTOMERS)
    visits = ImportOptions("visits", today=TODAY)
    # 优惠金额 holds 金额: it was taken for the amount, and 工时费 and 材料费 left out.
    path = write_xlsx(tmp_path / "工单.xlsx",
                      ["结算日期", "车牌号", "维修类型", "工时费", "材料费", "优惠金额"],
                      [["2026-11-02", "浙A90001", "保养", 200, "350.50", 50],
                       ["2026-11-03", "浙A90002", "维修", None, 1200, 0]])
    done = apply(database.sessions, path, visits)
    assert done.created == 2 and done.rejected == 0
    # A file with its total keeps the total.
    path = write_xlsx(tmp_path / "工单2.xlsx",
                      ["结算日期", "车牌号", "维修类型", "工时费", "材料费", "优惠后金额"],
                      [["2026-11-20", "浙A90001", "维修", 100, 100, 180]])
    apply(database.sessions, path, visits)
    with database.sessions() as s:
        amounts = set(s.execute(select(Vehicle.plate, ServiceVisit.visit_date, ServiceVisit.amount)
                                .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)).all())
    assert amounts == {("浙A90001", dt.date(2026, 11, 2), Decimal("550.50")),
                       ("浙A90002", dt.date(2026, 11, 3), Decimal("1200.00")),
                       ("浙A90001", dt.date(2026, 11, 20), Decimal("180.00"))}
