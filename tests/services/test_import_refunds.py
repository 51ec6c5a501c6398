"""Refunds in a purchases file, on SQLite and PostgreSQL: a negative amount (退货, 退保, or the
item written again with a minus) is stored as a refund of its own and taken off the purchase it
returns, found by order number, else by item, else by amount; that purchase then counts as the
money the customer kept, in the spends, RFM and the days since a purchase of its kind. The same
file read again nets nothing twice, the purchase's own file read again does not put its price
back, and undo restores what was there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import OtherPurchase
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from services.segments import service
from services.store.errors import RevisitError
from tests.services.import_files import dms_export, write_xlsx

TODAY = dt.date(2026, 11, 30)
PURCHASES = ImportOptions("purchases", today=TODAY)
HEADERS = ["单号", "日期", "车牌号", "类别", "项目", "金额"]


def _owners(database, tmp_path) -> None:
    apply(database.sessions, dms_export(tmp_path / "owners.xlsx"),
          ImportOptions("customers", today=TODAY))


def _file(tmp_path, name: str, rows: list[list]) -> object:
    return write_xlsx(tmp_path / name, HEADERS, rows)


def _stored(database) -> list[tuple]:
    with database.sessions() as s:
        return [(p.purchase_date.isoformat(), p.description, p.amount, p.refunded)
                for p in s.scalars(select(OtherPurchase).order_by(OtherPurchase.purchase_date,
                                                                  OtherPurchase.id))]


def _spenders(database, where: dict) -> set[int]:
    flt = {"version": 1, "vehicles": "active", "where": where}
    return {m.customer_id for m in service.members(database.sessions, flt, TODAY,
                                                   limit=None).rows}


def _spend(op: str, value, field: str = "spend_amount", **params) -> dict:
    return {"field": field, "op": op, "value": value, "params": params or {"months": 12}}


D = Decimal


def test_an_accessory_given_back_is_no_spend_and_undo_brings_it_back(database, tmp_path):
    _owners(database, tmp_path)
    path = _file(tmp_path, "精品.xlsx", [
        [None, "2026-11-02", "粤A12345", "精品", "脚垫", "800"],
        [None, "2026-11-02", "粤A12345", "精品", "行车记录仪", "1,200"],
        # The DMS writes the return as the item again with a minus.
        [None, "2026-11-05", "粤A12345", "精品", "脚垫", "-800"]])
    result = apply(database.sessions, path, PURCHASES)
    assert (result.created, result.rejected) == (3, 0)
    assert _stored(database) == [
        ("2026-11-02", "脚垫", D("0.00"), D("800.00")),
        ("2026-11-02", "行车记录仪", D("1200.00"), D("0.00")),
        ("2026-11-05", "退款 脚垫", D("-800.00"), D("0.00"))]
    # What the customer kept: 1,200 in one spend, not 2,000 in two.
    assert _spenders(database, _spend("=", 1200)) == {1}
    assert _spenders(database, _spend("=", 1, "spend_count", months=12)) == {1}
    first_rows = [s.summary for s in result.samples["create"]]
    assert "新退款记录；冲抵消费 2026-11-02 脚垫 800.00 → 0.00" in first_rows

    before = _stored(database)
    again = apply(database.sessions, path, PURCHASES)  # nothing netted twice
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _stored(database) == before
    # The refund's amount corrected in a later file: kept as first read, and said.
    corrected = _file(tmp_path, "精品2.xlsx", [
        [None, "2026-11-05", "粤A12345", "精品", "脚垫", "-700"]])
    said = apply(database.sessions, corrected, PURCHASES)
    assert [(w.code, w.rows) for w in said.warnings] == [("refund_amount_differs", 1)]
    assert _stored(database) == before
    batches.undo_batch(database.sessions, said.batch_id)

    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert _stored(database) == []


def test_a_policy_cancelled_part_way_keeps_what_was_paid_for_the_months_it_ran(database,
                                                                              tmp_path):
    _owners(database, tmp_path)
    policy = _file(tmp_path, "续保.xlsx", [
        ["P2026001", "2026-01-28", "粤A12345", "保险", "商业险续保", "5683.11"],
        ["P2025001", "2025-01-28", "粤A12345", "保险", "商业险续保", "5,200"]])
    apply(database.sessions, policy, PURCHASES)
    refund = _file(tmp_path, "退保.xlsx", [
        ["P2026001", "2026-11-06", "粤A12345", "保险", "商业险退保", "-3,200"]])
    netted = apply(database.sessions, refund, PURCHASES)
    assert (netted.created, netted.rejected, netted.warnings) == (1, 0, ())
    assert _stored(database) == [
        ("2025-01-28", "单号 P2025001；商业险续保", D("5200.00"), D("0.00")),
        ("2026-01-28", "单号 P2026001；商业险续保", D("2483.11"), D("3200.00")),
        ("2026-11-06", "单号 P2026001；商业险退保", D("-3200.00"), D("0.00"))]
    # The policy's file read again: it says what was paid, the purchase keeps what was kept.
    again = apply(database.sessions, policy, PURCHASES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert _stored(database)[1][2:] == (D("2483.11"), D("3200.00"))
    # Cancelled whole instead: no insurance bought from the dealer since 2025's.
    whole = _file(tmp_path, "退保2.xlsx", [
        ["P2026001", "2026-11-20", "粤A12345", "保险", "退保", "-2483.11"]])
    apply(database.sessions, whole, PURCHASES)
    since = {"field": "days_since_purchase", "op": "=",
             "value": (TODAY - dt.date(2025, 1, 28)).days,
             "params": {"purchase_kind": "insurance"}}
    assert _spenders(database, since) == {1}


def test_a_refund_is_found_by_item_or_amount_and_said_when_it_is_not(database, tmp_path):
    _owners(database, tmp_path)
    path = _file(tmp_path, "精品.xlsx", [
        [None, "2026-10-01", "粤A12345", "精品", "全车脚垫", "800"],
        [None, "2026-10-02", "粤A12345", "精品", "贴膜", "2,000"],
        [None, "2026-10-03", "粤A12345", "精品", "洗车卡", "300"],
        [None, "2026-11-01", "粤A12345", "精品", "脚垫退货", "-800"],  # by its item
        [None, "2026-11-02", "粤A12345", None, "退款", "-300"],  # by its amount alone
        [None, "2026-11-03", "粤A12345", "精品", "贴膜退款", "-2,500"],  # more than was paid
        [None, "2026-11-04", "粤A12345", "精品", "轮毂退货", "-900"],  # nothing of it bought
        # Before anything was bought: returns nothing stored.
        [None, "2026-09-01", "粤A12345", "精品", "全车脚垫退货", "-800"]])
    result = apply(database.sessions, path, PURCHASES)
    assert (result.created, result.rejected) == (8, 0)
    kept = {d: (a, r) for d, _, a, r in _stored(database) if a >= 0}
    assert kept == {"2026-10-01": (D("0.00"), D("800.00")), "2026-10-02": (D("0.00"), D("2000.00")),
                    "2026-10-03": (D("0.00"), D("300.00"))}
    assert {(w.code, w.rows) for w in result.warnings} == {("refund_unmatched", 2),
                                                          ("refund_exceeds", 1)}


def test_a_return_on_the_day_of_its_order_is_not_taken_for_the_purchase(database, tmp_path):
    _owners(database, tmp_path)
    path = _file(tmp_path, "精品.xlsx", [
        ["A100", "2026-11-02", "粤A12345", "精品", "脚垫", "800"],
        ["A100", "2026-11-02", "粤A12345", "精品", "脚垫", "-800"]])
    assert apply(database.sessions, path, PURCHASES).created == 2
    assert _stored(database) == [
        ("2026-11-02", "单号 A100；脚垫", D("0.00"), D("800.00")),
        ("2026-11-02", "单号 A100；退款 脚垫", D("-800.00"), D("0.00"))]
    assert apply(database.sessions, path, PURCHASES).unchanged == 2


def test_a_refund_naming_no_car_is_put_on_its_purchases_car(database, tmp_path):
    _owners(database, tmp_path)
    apply(database.sessions, _file(tmp_path, "精品.xlsx", [
        [None, "2026-11-02", "粤A12345", "精品", "脚垫", "800"]]), PURCHASES)
    refund = write_xlsx(tmp_path / "退货.xlsx", ["日期", "联系电话", "项目", "金额"], [
        ["2026-11-05", "13800138080", "脚垫退货", "-800"]])
    assert apply(database.sessions, refund, PURCHASES).created == 1
    with database.sessions() as s:
        cars = {p.amount: p.vehicle_id for p in s.scalars(select(OtherPurchase))}
    assert cars[D("-800.00")] == cars[D("0.00")] is not None


def test_a_return_written_as_money_is_a_refund_by_its_kind(database, tmp_path):
    """A DMS whose 类型 column says 销售 or 退货 writes every amount positive."""
    _owners(database, tmp_path)
    path = write_xlsx(tmp_path / "精品.xlsx", ["日期", "车牌号", "类型", "项目", "金额"], [
        ["2026-10-01", "粤A12345", "销售", "全车脚垫", "800"],
        ["2026-10-01", "粤A12345", "保险", "商业险", "5,000"],
        ["2026-10-05", "粤A12345", "退货", "全车脚垫", "800"],
        ["2026-10-06", "粤A12345", "退保", "商业险", "1,000"],
        # Sales whose item or remark speaks of refunds stay sales.
        ["2026-10-07", "粤A12345", "精品", "座套（特价不退货）", "600"],
        ["2026-10-08", "粤A12345", "保险", "上年已退保，本次新保", "5,200"]])
    assert apply(database.sessions, path, PURCHASES).created == 6
    assert _stored(database) == [
        ("2026-10-01", "全车脚垫", D("0.00"), D("800.00")),
        ("2026-10-01", "商业险", D("4000.00"), D("1000.00")),
        ("2026-10-05", "退款 全车脚垫", D("-800.00"), D("0.00")),
        ("2026-10-06", "退款 商业险", D("-1000.00"), D("0.00")),
        ("2026-10-07", "座套（特价不退货）", D("600.00"), D("0.00")),
        ("2026-10-08", "上年已退保，本次新保", D("5200.00"), D("0.00"))]


def test_a_refund_listed_before_its_purchase_in_another_chunk_is_netted(database, tmp_path,
                                                                         monkeypatch):
    # A DMS export newest first lists the return before the sale; read a chunk at a time,
    # the return's chunk came before the sale was stored, and the spend was counted whole.
    from services.imports import engine

    monkeypatch.setattr(engine, "CHUNK", 2)
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)  # a commit after every chunk
    _owners(database, tmp_path)
    path = _file(tmp_path, "精品倒序.xlsx", [
        [None, "2026-11-05", "粤A12345", "精品", "脚垫", "-800"],  # chunk 1
        [None, "2026-11-04", "粤A12345", "精品", "遮阳挡", "90"],
        [None, "2026-11-02", "粤A12345", "精品", "行车记录仪", "1,200"],  # chunk 2
        [None, "2026-11-02", "粤A12345", "精品", "脚垫", "800"]])
    planned = plan(database.sessions, path, PURCHASES)  # the dry run says what will be
    assert (planned.created, [w.code for w in planned.warnings]) == (4, [])
    result = apply(database.sessions, path, PURCHASES)
    assert (result.created, result.rejected) == (4, 0)
    assert [w.code for w in result.warnings] == []  # no refund_unmatched
    assert "新退款记录；冲抵消费 2026-11-02 脚垫 800.00 → 0.00" in [
        s.summary for s in result.samples["create"]]
    assert _stored(database) == [
        ("2026-11-02", "行车记录仪", D("1200.00"), D("0.00")),
        ("2026-11-02", "脚垫", D("0.00"), D("800.00")),
        ("2026-11-04", "遮阳挡", D("90.00"), D("0.00")),
        ("2026-11-05", "退款 脚垫", D("-800.00"), D("0.00"))]
    assert _spenders(database, _spend("=", 1290)) == {1}
    # Read again, nothing is netted twice; undone, nothing is left.
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 2.0)
    again = apply(database.sessions, path, PURCHASES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert _stored(database) == []


def _awaiting(database) -> list[tuple]:
    with database.sessions() as s:
        return [(p.purchase_date.isoformat(), p.amount) for p in s.scalars(
            select(OtherPurchase).where(OtherPurchase.awaiting_purchase.is_(True))
            .order_by(OtherPurchase.id))]


def test_a_refund_imported_before_its_purchases_file_is_netted_when_that_file_comes(
        database, tmp_path):
    """A DMS's years imported newest first: 2026's file holds the return of a purchase in
    2025's. The refund is kept unnetted with a note, then netted when 2025's file brings the
    purchase; its row says so. Undo of the later file puts the refund back to waiting."""
    _owners(database, tmp_path)
    newer = apply(database.sessions, _file(tmp_path, "2026.xlsx", [
        [None, "2026-01-06", "粤A12345", "精品", "脚垫退货", "-800"],
        [None, "2026-02-10", "粤A12345", "精品", "遮阳挡", "90"]]), PURCHASES)
    assert [w.code for w in newer.warnings] == ["refund_unmatched"]
    assert _awaiting(database) == [("2026-01-06", D("-800.00"))]
    assert _spenders(database, _spend("=", 90)) == {1}

    older = _file(tmp_path, "2025.xlsx", [
        [None, "2025-12-28", "粤A12345", "精品", "行车记录仪", "1,200"],
        [None, "2025-12-28", "粤A12345", "精品", "全车脚垫", "800"]])
    planned = plan(database.sessions, older, PURCHASES)  # the dry run says the same
    assert "新消费记录；冲抵此前导入的退款（2026-01-06 -800.00）：800.00 → 0.00" in [
        s.summary for s in planned.samples["create"]]
    assert _awaiting(database) == [("2026-01-06", D("-800.00"))]  # nothing written
    result = apply(database.sessions, older, PURCHASES)
    assert (result.created, result.rejected, result.warnings) == (2, 0, ())
    assert "新消费记录；冲抵此前导入的退款（2026-01-06 -800.00）：800.00 → 0.00" in [
        s.summary for s in result.samples["create"]]
    assert _stored(database) == [
        ("2025-12-28", "行车记录仪", D("1200.00"), D("0.00")),
        ("2025-12-28", "全车脚垫", D("0.00"), D("800.00")),
        ("2026-01-06", "脚垫退货", D("-800.00"), D("0.00")),
        ("2026-02-10", "遮阳挡", D("90.00"), D("0.00"))]
    assert _awaiting(database) == []
    assert _spenders(database, _spend("=", 1290, months=24)) == {1}
    with database.sessions() as s:  # the refund is put on its purchase's car
        cars = set(s.scalars(select(OtherPurchase.vehicle_id)))
    assert len(cars) == 1 and None not in cars

    # Read again, the older file nets nothing twice and finds its purchases as they are.
    again = apply(database.sessions, older, PURCHASES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # The first file cannot be undone while the later one holds its refund netted.
    with pytest.raises(RevisitError):
        batches.undo_batch(database.sessions, newer.batch_id)
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert _awaiting(database) == [("2026-01-06", D("-800.00"))]
    assert _stored(database) == [("2026-01-06", "脚垫退货", D("-800.00"), D("0.00")),
                                 ("2026-02-10", "遮阳挡", D("90.00"), D("0.00"))]
    batches.undo_batch(database.sessions, newer.batch_id)
    assert _stored(database) == []


def test_an_earlier_refund_waits_for_its_own_purchase(database, tmp_path):
    """A waiting refund is netted only against what it returns: not a purchase after it, not
    another item, not another car's; a netted refund never again."""
    _owners(database, tmp_path)
    apply(database.sessions, _file(tmp_path, "退货.xlsx", [
        ["A7", "2026-03-01", "粤A12345", "精品", "脚垫退货", "-800"]]), PURCHASES)
    later = apply(database.sessions, _file(tmp_path, "其他.xlsx", [
        ["A8", "2026-03-02", "粤A12345", "精品", "脚垫", "800"],  # after the refund
        ["A6", "2026-02-01", "粤A12345", "精品", "贴膜", "800"],  # another order and item
        ["A9", "2026-02-01", "粤A12345", "保险", "脚垫", "800"]]), PURCHASES)  # another kind
    assert later.warnings == ()
    assert _awaiting(database) == [("2026-03-01", D("-800.00"))]
    assert {s[3] for s in _stored(database)} == {D("0.00")}
    own = apply(database.sessions, _file(tmp_path, "订单A7.xlsx", [
        ["A7", "2026-02-20", "粤A12345", "精品", "脚垫", "800"]]), PURCHASES)
    assert own.warnings == ()
    assert _awaiting(database) == []
    assert [s for s in _stored(database) if s[3]] == [
        ("2026-02-20", "单号 A7；脚垫", D("0.00"), D("800.00"))]
    # Another sale of that order's mats, in a later file: the refund is netted already.
    apply(database.sessions, _file(tmp_path, "订单A7b.xlsx", [
        ["A7", "2026-02-21", "粤A12345", "精品", "脚垫（后排）", "800"]]), PURCHASES)
    assert [s for s in _stored(database) if s[3]] == [
        ("2026-02-20", "单号 A7；脚垫", D("0.00"), D("800.00"))]
