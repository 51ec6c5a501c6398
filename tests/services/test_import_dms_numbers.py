"""The customer's number in the dealer's DMS (客户编号), on SQLite and PostgreSQL: kept from an
owners file, it finds the customer again for a file that names customers by it alone (a
purchase history), for an owners file whose phone changed, and keeps apart two DMS customers
on one phone; found by the search box, filled in by a merge, gone with an erasure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from models import Customer, OtherPurchase, ServiceVisit
from services.customers.erase import erase_customer
from services.customers.merge import merge_customers
from services.customers.search import find_ids
from services.imports.apply import apply
from services.imports.clean import normalise_customer_number
from services.imports.mapping import auto_map
from services.imports.plan import ImportOptions
from tests.services.import_files import write_csv, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
OWNERS = ["客户编号", "客户姓名", "手机", "车牌号", "品牌", "车型", "开票日期"]
OWNER_ROWS = [
    ["KH0001", "张伟", "13800138001", "粤A12345", "丰田", "凯美瑞", "2021-05-01"],
    ["KH0002", "李娜", "13800138002", "粤A22345", "本田", "雅阁", "2020-03-15"],
    # A number a spreadsheet keeps as a number: 3, read "3".
    [3, "王芳", "13800138003", "粤A32345", "大众", "帕萨特", "2019-07-20"],
]


def _numbers(database) -> dict[str, str | None]:
    with database.sessions() as s:
        return dict(s.execute(select(Customer.name, Customer.dms_code)).all())


def _owners(database, tmp_path, rows=OWNER_ROWS, name="owners.xlsx"):
    return apply(database.sessions, write_xlsx(tmp_path / name, OWNERS, rows), CUSTOMERS)


def test_an_owners_file_keeps_each_customers_dms_number(database, tmp_path):
    result = _owners(database, tmp_path)
    assert (result.created, result.rejected) == (3, 0)
    assert _numbers(database) == {"张伟": "KH0001", "李娜": "KH0002", "王芳": "3"}


def test_a_purchase_history_keyed_by_the_dms_number_alone_finds_its_customers(
        database, tmp_path):
    """A DMS's purchase history names its customers by their number and nothing else: each
    row goes to the customer of that number, however the number is written; a number nobody
    has is refused, said as such."""
    _owners(database, tmp_path)
    path = write_csv(tmp_path / "消费明细.csv", ["客户编号", "消费日期", "项目", "金额"], [
        ["KH0001", "2026-10-01", "脚垫", "300"],
        ["ＫＨ０００２", "2026-10-02", "续保商业险", "4200"],  # full-width, as typed in Chinese
        ["KH 0001", "2026-10-05", "贴膜", "1500"],
        ["3", "2026-10-03", "贴膜", "800"],
        ["KH9999", "2026-10-04", "贴膜", "900"]])
    result = apply(database.sessions, path, ImportOptions("purchases", today=TODAY))
    assert (result.created, result.rejected) == (4, 1)
    assert [(r.code, r.rows) for r in result.reasons] == [("customer_not_found", 1)]
    assert "客户编号" in result.reasons[0].zh
    with database.sessions() as s:
        got = sorted(s.execute(select(Customer.name, OtherPurchase.purchase_date,
                                      OtherPurchase.amount)
                               .join(Customer, Customer.id == OtherPurchase.customer_id)).all())
    assert got == [("张伟", dt.date(2026, 10, 1), Decimal("300.00")),
                   ("张伟", dt.date(2026, 10, 5), Decimal("1500.00")),
                   ("李娜", dt.date(2026, 10, 2), Decimal("4200.00")),
                   ("王芳", dt.date(2026, 10, 3), Decimal("800.00"))]


def test_a_number_found_wins_over_a_phone_that_changed(database, tmp_path):
    """The next owners file says 张伟 has a new phone: the number finds him, his phone is
    updated, nobody is made twice."""
    _owners(database, tmp_path)
    again = _owners(database, tmp_path, [
        ["KH0001", "张伟", "13900139001", "粤A12345", "丰田", "凯美瑞", "2021-05-01"]],
        name="owners2.xlsx")
    assert (again.created, again.updated, again.rejected) == (0, 1, 0)
    with database.sessions() as s:
        assert s.execute(select(Customer.name, Customer.mobile)
                         .where(Customer.dms_code == "KH0001")).all() == [
            ("张伟", "13900139001")]
        assert s.scalar(select(Customer.id).where(Customer.name == "张伟").limit(2)) is not None
        assert len(s.scalars(select(Customer.id)).all()) == 3


def test_two_dms_customers_on_one_phone_stay_two(database, tmp_path):
    """A husband and wife, each a customer of the DMS, one phone: matched by mobile, the wife's
    row would have become the husband. Her own number keeps her apart, and her visit by number
    goes to her."""
    result = _owners(database, tmp_path, [
        ["KH0101", "陈刚", "13800138101", "粤B11111", "丰田", "卡罗拉", "2020-01-10"],
        ["KH0102", "陈丽", "13800138101", "粤B22222", "本田", "飞度", "2022-06-01"]])
    assert (result.created, result.rejected) == (2, 0)
    assert _numbers(database) == {"陈刚": "KH0101", "陈丽": "KH0102"}
    path = write_xlsx(tmp_path / "维修.xlsx", ["客户编号", "进厂日期", "维修类型", "结算金额"],
                      [["KH0102", "2026-11-02", "保养", "480"]])
    visits = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert (visits.created, visits.rejected) == (1, 0)
    with database.sessions() as s:
        assert s.execute(select(Customer.name).join(
            ServiceVisit, ServiceVisit.customer_id == Customer.id)).scalars().all() == ["陈丽"]


def test_a_number_whose_leading_zeros_a_spreadsheet_dropped_is_the_same_number(
        database, tmp_path):
    """The owners file keeps 客户编号 as text (00000022); a work order export opened and saved
    in Excel has it as a number (22). Its visit goes to 丁春, not to a second 丁春 made from the
    row's name; an owners file read again the same way changes nothing, and a stored 7 is
    found by 0007."""
    _owners(database, tmp_path, [
        ["00000022", "丁春", "13800138301", "粤C11111", "丰田", "卡罗拉", "2020-01-10"],
        [7, "罗兰", "13800138302", "粤C22222", "本田", "飞度", "2021-02-01"]])
    path = write_xlsx(tmp_path / "维修.xlsx",
                      ["客户编号", "客户名称", "进厂日期", "维修类型", "结算金额"],
                      [[22, "丁春", "2026-11-02", "保养", "480"],
                       ["0007", "罗兰", "2026-11-03", "保养", "520"]])
    visits = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert (visits.created, visits.rejected) == (2, 0)
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 2
        assert sorted(s.execute(select(Customer.name).join(
            ServiceVisit, ServiceVisit.customer_id == Customer.id)).scalars()) == ["丁春", "罗兰"]
    again = _owners(database, tmp_path, [
        [22, "丁春", "13800138301", "粤C11111", "丰田", "卡罗拉", "2020-01-10"]], "again.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert _numbers(database) == {"丁春": "00000022", "罗兰": "7"}


def test_a_stored_customer_found_by_phone_is_given_the_number(database, tmp_path):
    first = write_xlsx(tmp_path / "手工表.xlsx", ["客户姓名", "手机"], [["赵敏", "13800138201"]])
    apply(database.sessions, first, CUSTOMERS)
    result = _owners(database, tmp_path, [
        ["KH0201", "赵敏", "13800138201", None, None, None, None]])
    assert (result.created, result.updated) == (0, 1)
    assert result.changed_fields == {"dms_code": 1}
    assert _numbers(database) == {"赵敏": "KH0201"}


def test_a_number_two_customers_have_is_refused_unless_the_phone_tells(database, tmp_path):
    """Two DMSs of a dealer group gave one number to two people: a row with the number alone
    cannot say whose it is; with the phone it can."""
    _owners(database, tmp_path, [["A100", "孙浩", "13800138301", "粤C11111", None, None, None]])
    _owners(database, tmp_path, [["A100", "周涛", "13800138302", "粤C22222", None, None, None]],
            name="owners-b.xlsx")
    path = write_csv(tmp_path / "精品.csv", ["客户编号", "手机", "消费日期", "项目", "金额"], [
        ["A100", "", "2026-11-01", "脚垫", "300"],
        ["A100", "13800138302", "2026-11-02", "贴膜", "900"]])
    result = apply(database.sessions, path, ImportOptions("purchases", today=TODAY))
    assert (result.created, result.rejected) == (1, 1)
    assert [r.code for r in result.reasons] == ["dms_code_ambiguous"]
    with database.sessions() as s:
        assert s.execute(select(Customer.name).join(
            OtherPurchase, OtherPurchase.customer_id == Customer.id)).scalars().all() == ["周涛"]


def test_the_search_box_finds_a_customer_by_dms_number(database, tmp_path):
    _owners(database, tmp_path, [*OWNER_ROWS,
                                 ["77001234", "钱进", "13800138009", None, None, None, None]])
    with database.sessions() as s:
        ids = dict(s.execute(select(Customer.dms_code, Customer.id)).all())
    connect = database.engine.connect
    assert find_ids(connect, "KH0002") == [ids["KH0002"]]
    assert find_ids(connect, "kh0002") == [ids["KH0002"]]
    assert find_ids(connect, "77001234") == [ids["77001234"]]


def test_a_merge_fills_the_number_in_and_an_erasure_takes_it(database, tmp_path, supervisor):
    _owners(database, tmp_path, [
        ["KH0401", "吴芳", "13800138401", "粤D11111", None, None, None]])
    apply(database.sessions, write_xlsx(tmp_path / "手工表.xlsx", ["客户姓名", "手机"],
                                        [["吴芳", "13800138402"]]), CUSTOMERS)
    with database.sessions() as s:
        numbered, other = (s.scalars(select(Customer.id).where(Customer.mobile == m)).one()
                           for m in ("13800138401", "13800138402"))
    merge_customers(database.sessions, other, numbered, actor=supervisor)
    with database.sessions() as s:
        assert s.get(Customer, other).dms_code == "KH0401"
    erase_customer(database.sessions, supervisor, other)
    with database.sessions() as s:
        assert s.get(Customer, other).dms_code is None


def test_a_dms_number_column_is_recognised_and_a_member_card_is_not():
    for header in ("客户编号", "客户代码", "Customer ID", "CustomerID", "customer_no"):
        mapping = auto_map([header, "消费日期", "金额"], "purchases")
        assert mapping.as_dict().get("dms_code") == 0, header
    for header in ("会员卡号", "证件号码", "Card No"):
        assert "dms_code" not in auto_map([header, "消费日期", "金额"], "purchases").as_dict()


def test_a_number_as_typed_is_one_key():
    assert normalise_customer_number(" ＫＨ　００１２ ").value == "KH0012"
    assert normalise_customer_number("kh0012").value == "KH0012"
    assert normalise_customer_number("00012").value == "00012"
    assert normalise_customer_number(12.0).value == "12"
    assert normalise_customer_number("无").value is None
    # A long number a CSV saved from Excel keeps as Excel showed it: its digits are gone.
    lost = normalise_customer_number("2.00801E+15")
    assert lost.value is None and [p.code for p in lost.problems] == ["phone_digits_lost"]
    assert normalise_customer_number("2.0080013E+7").value == "20080013"
    assert normalise_customer_number("3e12").value == "3E12"  # a number as it stands
    too_long = normalise_customer_number("K" * 41)
    assert too_long.value is None and [p.code for p in too_long.problems] == [
        "customer_number_too_long"]
