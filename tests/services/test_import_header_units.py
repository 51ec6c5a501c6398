"""Money and km columns whose header names 万 as their unit (开票价格(万元), 行驶里程（万公里）),
as many DMS exports write them: 18.5 there is 185,000 yuan and 3.2 is 32,000 km. They were read
as 18.50 yuan and 3 km: the cheapest buyer in the base and a car that had never been driven. A
column of car prices that are all below 1,000 is in 万 too, whatever its header says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import MileageReading, Vehicle
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


def test_a_price_column_in_yuan_keeps_its_numbers(database, tmp_path):
    """One price of 1,000 or more says the column is in yuan: a small one there is left as
    typed (a mistake the clerk sees on the car), not multiplied."""
    headers = ["车主", "手机", "品牌", "车型", "车牌", "开票价"]
    rows = [["丙一", "13902848101", "大众", "帕萨特", "浙A60001", 185000],
            ["丙二", "13902848102", "丰田", "凯美瑞", "浙A60002", 229.8]]
    path = write_xlsx(tmp_path / "车价.xlsx", headers, rows)
    done = apply(database.sessions, path, CUSTOMERS)
    assert done.created == 2 and not done.warnings
    assert _prices(database) == {"浙A60001": Decimal("185000.00"), "浙A60002": Decimal("229.80")}
