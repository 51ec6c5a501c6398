"""Importing other purchases on SQLite and PostgreSQL: insurance renewals, accessories and
extended warranties linked to the stored customers and cars, their kind read from the row, its
item or the file's headers; a policy's expiry raising its car's, never lowering it; the same
file read again adding nothing; undo taking it all back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from models import OtherPurchase, Vehicle
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import counts, dms_export, write_xlsx

TODAY = dt.date(2026, 11, 30)
PURCHASES = ImportOptions("purchases", today=TODAY)
INSURANCE = ["保单号", "车牌号", "被保险人", "联系电话", "险种", "保费", "起保日期", "终保日期"]


def _purchases(database) -> list[tuple]:
    with database.sessions() as s:
        return sorted((p.purchase_date, p.kind, p.amount, p.description, p.vehicle_id is not None)
                      for p in s.scalars(select(OtherPurchase)))


def _expiry(database, plate: str) -> dt.date | None:
    with database.sessions() as s:
        return s.scalars(select(Vehicle.insurance_expiry).where(Vehicle.plate == plate)).one()


def _owners(database, tmp_path) -> None:
    apply(database.sessions, dms_export(tmp_path / "owners.xlsx"),
          ImportOptions("customers", today=TODAY))


def test_an_insurance_file_records_each_policy_and_its_cars_expiry(database, tmp_path):
    _owners(database, tmp_path)
    path = write_xlsx(tmp_path / "续保.xlsx", INSURANCE, [
        ["P2026001", "粤A12345", "张三", "13800138080", "商业险+交强险", "4,860.00", "2026-11-25",
         "2027-11-24"],
        # Last year's policy of the same car, read after this year's: its expiry is older.
        ["P2025001", "粤A12345", "张三", "13800138080", "商业险", "4500", "2025-11-25",
         "2026-11-24"],
        ["P2026002", "粤Z99999", "无名", None, "交强险", "950", "2026-11-26", "2027-11-25"]],
        title=("续保业务明细", "导出时间：2026-11-30 09:00"))
    result = apply(database.sessions, path, PURCHASES)
    assert (result.created, result.rejected) == (2, 1)
    assert result.changed_fields == {"insurance_expiry": 1}
    assert _purchases(database) == [
        (dt.date(2025, 11, 25), "insurance", Decimal("4500.00"), "单号 P2025001；商业险", True),
        (dt.date(2026, 11, 25), "insurance", Decimal("4860.00"), "单号 P2026001；商业险+交强险",
         True)]
    assert _expiry(database, "粤A12345") == dt.date(2027, 11, 24)
    again = apply(database.sessions, path, PURCHASES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert len(_purchases(database)) == 2


def test_the_kind_comes_from_the_row_its_item_or_the_files_headers(database, tmp_path):
    _owners(database, tmp_path)
    path = write_xlsx(tmp_path / "精品.xlsx", ["销售日期", "车牌", "精品名称", "类型", "金额"], [
        ["2026-11-20", "粤A12345", "脚垫", None, "680"],
        ["2026-11-20", "粤A12345", "延保2年", None, "3,800"],
        ["2026-11-21", "粤A12345", "续保（人保）", "续保", "5200"],
        ["2026-11-21", "粤A12345", "洗车卡", "会员卡", "300"]])
    result = apply(database.sessions, path, PURCHASES)
    assert (result.created, result.rejected) == (4, 0)
    assert [(p[2], p[1]) for p in _purchases(database)] == [
        (Decimal("680.00"), "accessory"),  # no kind given: the header 精品名称 says it
        (Decimal("3800.00"), "extended_warranty"),  # its item says it
        (Decimal("300.00"), "accessory"),  # a kind no rule knows: the file's
        (Decimal("5200.00"), "insurance")]
    # An insurance purchase without an expiry changes no car.
    assert _expiry(database, "粤A12345") is None


def test_a_purchase_whose_kind_nothing_says_is_other(database, tmp_path):
    _owners(database, tmp_path)
    path = write_xlsx(tmp_path / "消费.xlsx", ["日期", "车牌", "项目", "金额"], [
        ["2026-11-20", "粤A12345", "洗车卡", "300"]])
    apply(database.sessions, path, PURCHASES)
    assert [p[1] for p in _purchases(database)] == ["other"]


def test_undo_takes_the_purchases_and_the_expiry_back(database, tmp_path):
    _owners(database, tmp_path)
    before = counts(database)
    result = apply(database.sessions, write_xlsx(tmp_path / "续保.xlsx", INSURANCE, [
        ["P2026001", "粤A12345", "张三", "13800138080", "商业险", "4860", "2026-11-25",
         "2027-11-24"]]), PURCHASES)
    assert _expiry(database, "粤A12345") == dt.date(2027, 11, 24)
    batches.undo_batch(database.sessions, result.batch_id)
    assert counts(database) == before
    assert _expiry(database, "粤A12345") is None


INSURER = ["签单日期", "车牌号", "险种", "保费"]  # an insurer's file: no 保单号


def test_a_policy_in_two_files_with_and_without_its_number_is_one_purchase(database, tmp_path):
    _owners(database, tmp_path)
    dealer = write_xlsx(tmp_path / "续保.xlsx", INSURANCE, [
        ["P2026001", "粤A12345", "张三", "13800138080", "商业险", "4860", "2026-11-25",
         "2027-11-24"]])
    apply(database.sessions, dealer, PURCHASES)
    insurer = write_xlsx(tmp_path / "保险公司.xlsx", INSURER, [
        ["2026-11-25", "粤A12345", "商业险", "4860"],
        # Another policy of the day: another amount, or another item.
        ["2026-11-25", "粤A12345", "商业险", "950"],
        ["2026-11-25", "粤A12345", "交强险", "4860"]])
    result = apply(database.sessions, insurer, PURCHASES)
    assert (result.created, result.unchanged) == (2, 1)
    assert _purchases(database) == [
        (dt.date(2026, 11, 25), "insurance", Decimal("950.00"), "商业险", True),
        (dt.date(2026, 11, 25), "insurance", Decimal("4860.00"), "交强险", True),
        (dt.date(2026, 11, 25), "insurance", Decimal("4860.00"), "单号 P2026001；商业险", True)]


def test_a_policy_first_read_without_its_number_takes_it_from_a_later_file(database, tmp_path):
    _owners(database, tmp_path)
    insurer = write_xlsx(tmp_path / "保险公司.xlsx", INSURER, [
        ["2026-11-25", "粤A12345", "商业险", "4860"]])
    apply(database.sessions, insurer, PURCHASES)
    dealer = write_xlsx(tmp_path / "续保.xlsx", INSURANCE, [
        ["P2026001", "粤A12345", "张三", "13800138080", "商业险", "4860", "2026-11-25",
         "2027-11-24"]])
    result = apply(database.sessions, dealer, PURCHASES)
    assert (result.created, result.updated) == (0, 1)
    assert [p[3] for p in _purchases(database)] == ["单号 P2026001；商业险"]
    # Each file read again finds its purchase: nothing new.
    for path in (insurer, dealer):
        again = apply(database.sessions, path, PURCHASES)
        assert again.created == 0 and again.updated == 0
    # A policy numbered otherwise, alike in all else, is another purchase.
    other = write_xlsx(tmp_path / "续保2.xlsx", INSURANCE, [
        ["P2026009", "粤A12345", "张三", "13800138080", "商业险", "4860", "2026-11-25",
         "2027-11-24"]])
    assert apply(database.sessions, other, PURCHASES).created == 1
    batches.undo_batch(database.sessions, result.batch_id)
    assert [p[3] for p in _purchases(database)] == ["单号 P2026009；商业险", "商业险"]


def test_the_lines_of_one_order_are_each_a_purchase(database, tmp_path):
    """A line-item export: one order number, one day, two accessories. Each is a purchase, and
    a refund of one line is taken off that line."""
    _owners(database, tmp_path)
    path = write_xlsx(tmp_path / "精品明细.xlsx",
                      ["销售单号", "销售日期", "车牌", "精品名称", "金额"], [
        ["S9", "2026-11-20", "粤A12345", "座套", "800"],
        ["S9", "2026-11-20", "粤A12345", "脚垫", "600"],
        ["S9", "2026-11-22", "粤A12345", "脚垫退货", "-600"]])
    result = apply(database.sessions, path, PURCHASES)
    assert (result.created, result.unchanged, result.warnings) == (3, 0, ())
    assert {(p[3], p[2]) for p in _purchases(database)} == {
        ("单号 S9；座套", Decimal("800.00")), ("单号 S9；脚垫", Decimal("0.00")),
        ("单号 S9；脚垫退货", Decimal("-600.00"))}
    again = apply(database.sessions, path, PURCHASES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_two_cars_renewed_on_one_day_are_two_purchases(database, tmp_path):
    """A family's or a company's two cars renewed together, the file naming no policy: the
    second car's row was taken for the first car's purchase, its renewal and its money lost
    (noted as differing from the row above)."""
    apply(database.sessions, write_xlsx(tmp_path / "车主.xlsx", ["客户姓名", "手机", "车牌"], [
        ["周强", "13711112222", "粤A11111"], ["周强", "13711112222", "粤A22222"]]),
        ImportOptions("customers", today=TODAY))
    path = write_xlsx(tmp_path / "续保.xlsx", ["日期", "车牌号", "类别", "项目", "金额"], [
        ["2026-03-01", "粤A11111", "保险", "商业险续保", "4200"],
        ["2026-03-01", "粤A22222", "保险", "商业险续保", "5600"]])
    result = apply(database.sessions, path, PURCHASES)
    assert (result.created, result.warnings) == (2, ())
    with database.sessions() as s:
        plates = dict(s.execute(select(Vehicle.plate, OtherPurchase.amount)
                                .join(Vehicle, Vehicle.id == OtherPurchase.vehicle_id)).all())
    assert plates == {"粤A11111": Decimal("4200.00"), "粤A22222": Decimal("5600.00")}
    again = apply(database.sessions, path, PURCHASES)  # each finds its own
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # A file of the same renewals naming no car finds one of them, as before.
    carless = write_xlsx(tmp_path / "续保无车牌.xlsx", ["日期", "手机", "类别", "项目", "金额"], [
        ["2026-03-01", "13711112222", "保险", "商业险续保", "4200"]])
    assert apply(database.sessions, carless, PURCHASES).created == 0
    # Given back for the second car: taken off that car's renewal.
    refund = write_xlsx(tmp_path / "退保.xlsx", ["日期", "车牌号", "类别", "项目", "金额"], [
        ["2026-03-10", "粤A22222", "保险", "商业险续保", "-5600"]])
    assert apply(database.sessions, refund, PURCHASES).warnings == ()
    assert len(_purchases(database)) == 3
    with database.sessions() as s:
        kept = dict(s.execute(select(Vehicle.plate, OtherPurchase.amount)
                              .join(Vehicle, Vehicle.id == OtherPurchase.vehicle_id)
                              .where(OtherPurchase.amount >= 0)).all())
    assert kept == {"粤A11111": Decimal("4200.00"), "粤A22222": Decimal("0.00")}


def test_two_lines_alike_of_one_file_are_two_purchases_and_found_again(database, tmp_path):
    """Two 脚垫 of 300 on one day, a line each, no order number: the second line was taken for
    the first and its 300 lost. A file read again finds each line's purchase; a later export
    with a third such line adds one."""
    _owners(database, tmp_path)
    line = ["2026-11-10", "粤A12345", "张三", "脚垫", "300"]
    headers = ["消费日期", "车牌号", "客户姓名", "项目", "金额"]
    path = write_xlsx(tmp_path / "精品.xlsx", headers, [line, line])
    first = apply(database.sessions, path, PURCHASES)
    assert (first.created, first.unchanged) == (2, 0)
    mats = (dt.date(2026, 11, 10), "accessory", Decimal("300.00"), "脚垫", True)
    assert _purchases(database) == [mats, mats]
    again = apply(database.sessions, path, PURCHASES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    later = apply(database.sessions, write_xlsx(tmp_path / "精品2.xlsx", headers,
                                                [line, line, line]), PURCHASES)
    assert (later.created, later.unchanged) == (1, 2)
    assert _purchases(database) == [mats, mats, mats]
