"""A car price column that mixes ¥179,800.00, 21.98万, 388000元 and one bare 12.58, as a DMS
export of hand-typed invoices does: the bare 12.58 was stored as ¥12.58 (the cheapest car in the
base). No car costs under ¥1,000, so a bare number below that is 万, and its row says so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Vehicle
from services.imports import normalise as n
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import write_xlsx

TODAY = dt.date(2026, 12, 6)
CUSTOMERS = ImportOptions("customers", today=TODAY)


@pytest.mark.parametrize(("raw", "price", "said"), [
    ("12.58", Decimal("125800.00"), True), (12.58, Decimal("125800.00"), True),
    (" 9.8 ", Decimal("98000.00"), True), (999, Decimal("9990000.00"), True),
    # A unit of its own, or 1,000 and more: as written.
    ("¥179,800.00", Decimal("179800.00"), False), ("21.98万", Decimal("219800.00"), False),
    ("388000元", Decimal("388000.00"), False), (1000, Decimal("1000.00"), False),
])
def test_a_bare_price_below_1000_is_in_wan(raw, price, said):
    read = n.normalise_price(raw)
    assert read.value == price
    assert [p.code for p in read.problems] == (["price_bare_in_wan"] if said else [])


def test_a_mixed_price_column_reads_the_bare_small_one_in_wan(database, tmp_path):
    headers = ["车主", "手机", "品牌", "车型", "车牌", "开票价格"]
    rows = [["甲一", "13902849001", "丰田", "凯美瑞", "粤A80001", "¥179,800.00"],
            ["甲二", "13902849002", "丰田", "RAV4荣放", "粤A80002", "21.98万"],
            ["甲三", "13902849003", "雷克萨斯", "ES300h", "粤A80003", "388000元"],
            ["甲四", "13902849004", "丰田", "卡罗拉", "粤A80004", "12.58"],
            ["甲五", "13902849005", "丰田", "汉兰达", "粤A80005", 299800]]
    path = write_xlsx(tmp_path / "保有客户.xlsx", headers, rows)
    dry = plan(database.sessions, path, CUSTOMERS)
    done = apply(database.sessions, path, CUSTOMERS)
    for result in (dry, done):
        assert result.created == 5 and result.rejected == 0
        assert [(w.code, w.rows, w.zh) for w in result.warnings] == [
            ("price_bare_in_wan", 1,
             "购车价格：未写单位的车价不足1000，按万元计（如 12.58 读作 12.58 万元）")]
    assert [s.reasons for s in done.samples["create"] if s.number == 5] == [
        ("购车价格：未写单位的车价不足1000，按万元计（如 12.58 读作 12.58 万元）",)]
    with database.sessions() as s:
        prices = dict(s.execute(select(Vehicle.plate, Vehicle.price_paid)).all())
    assert prices == {"粤A80001": Decimal("179800.00"), "粤A80002": Decimal("219800.00"),
                      "粤A80003": Decimal("388000.00"), "粤A80004": Decimal("125800.00"),
                      "粤A80005": Decimal("299800.00")}
