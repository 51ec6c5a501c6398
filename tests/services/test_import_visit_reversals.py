"""Reversed work orders (冲红) in a visits file, on SQLite and PostgreSQL: a row with the amount
negated cancels the visit it reverses — found by its work order (the same, or with a mark such
as -冲), else by its customer, car and amount on or before its day — so that visit counts
neither as a visit nor as a spend; part of the amount reversed takes that part off. Each row
says which visit it reversed; one that finds none is refused with the reason; the same file
again cancels nothing twice; undo puts the visit back with what referred to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import insert, select

from models import DeclinedItem, ServiceVisit, Vehicle
from services.imports import batches, engine
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.segments import service
from services.store.errors import RevisitError
from tests.services.import_files import dms_export, snapshot, write_csv

TODAY = dt.date(2026, 11, 30)
VISITS = ImportOptions("visits", today=TODAY)
HEADERS = ["工单号", "进厂日期", "车牌号", "进厂里程", "维修类别", "结算金额", "建议维修项目"]
MONTH = [
    ["WO101", "2026-07-01", "粤A·12345", "40,000", "保养", "560", None],
    ["WO102", "2026-08-10", "粤A 67890", "9000", "一般维修", "1,280", "刹车片磨损"],
    ["WO103", "2026-09-05", "粤B11111", "52000", "保养", "650", None],
    ["WO104", "2026-10-01", "粤C22222", "61000", "保养", "900", None],
]
D = Decimal


def _owners(database, tmp_path) -> None:
    apply(database.sessions, dms_export(tmp_path / "owners.xlsx"),
          ImportOptions("customers", today=TODAY))


def _visits(database) -> dict[str, Decimal]:
    with database.sessions() as s:
        return dict(s.execute(select(ServiceVisit.work_order, ServiceVisit.amount)).all())


def _members(database, where: dict) -> set[str]:
    """The plates of the active cars of the customers a filter finds."""
    flt = {"version": 1, "vehicles": "active", "where": where}
    ids = {m.customer_id for m in service.members(database.sessions, flt, TODAY,
                                                  limit=None).rows}
    with database.sessions() as s:
        return set(s.scalars(select(Vehicle.plate).where(Vehicle.customer_id.in_(ids))))


def _spend(op: str, value) -> dict:
    return {"field": "spend_amount", "op": op, "value": value, "params": {"months": 12}}


def test_a_reversal_in_the_same_file_cancels_its_visit(database, tmp_path):
    _owners(database, tmp_path)
    before = snapshot(database)
    path = write_csv(tmp_path / "维修工单.csv", HEADERS, [
        *MONTH,
        # The Kingdee export: the reversal under the work order with a mark, typed 冲红.
        ["WO101-冲", "2026-07-02", "粤A12345", "40,000", "冲红", "-560", None]])
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, path, VISITS, errors_path=errors)
    assert (result.created, result.updated, result.rejected) == (4, 1, 0)
    assert "WO101" not in _visits(database)
    assert result.records["service_visit"] == 3  # WO101 made and cancelled
    [sample] = result.samples["update"]
    assert sample.summary == "撤销进厂记录 2026-07-01 保养 WO101（560.00元）"
    # No note about a type 冲红 not recognised: it is no visit's type.
    assert [w.zh for w in result.warnings if w.field in ("amount", "visit_type")] == [
        "金额：冲红，所冲的进厂记录已撤销，不再计入进厂次数和消费"]
    noted = openpyxl.load_workbook(errors).worksheets[-1]
    said = [str(c.value) for row in noted.iter_rows() for c in row if c.value]
    assert any("2026-07-01 保养 560.00元 工单号 WO101" in s for s in said)

    after = snapshot(database)
    again = apply(database.sessions, path, VISITS)  # the same file again: nothing made
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert snapshot(database) == after
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database) == before


def test_a_later_files_reversals_cancel_visits_and_undo_puts_them_back(database, tmp_path):
    _owners(database, tmp_path)
    apply(database.sessions, write_csv(tmp_path / "7-10月.csv", HEADERS, MONTH), VISITS)
    # Spends and the last visit before: the 粤B11111 owner spent 650 on 2026-09-05.
    assert "粤B11111" in _members(database, _spend("=", 650))
    recent = {"field": "days_since_last_visit", "op": "<=", "value": 90}
    assert "粤B11111" in _members(database, recent)
    before = snapshot(database)
    path = write_csv(tmp_path / "11月.csv", HEADERS, [
        ["WO101", "2026-11-03", "粤A12345", None, "红冲", "-560.00", None],  # its work order
        [None, "2026-11-05", "粤B11111", None, "冲红", "-650", None],  # no work order: amount
        ["WO104", "2026-11-06", "粤C22222", None, "冲红", "-300", None],  # a part of it
        ["WO999", "2026-11-07", "粤C22222", None, "冲红", "-99", None],  # nothing it reverses
    ])
    result = apply(database.sessions, path, VISITS)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 3, 0, 1)
    assert _visits(database) == {"WO102": D("1280.00"), "WO104": D("600.00")}
    assert [r.zh for r in result.reasons] == [
        "金额：冲红找不到所冲的进厂记录（同一工单号，或同一客户、车辆和金额、日期不晚于冲红），"
        "未导入；请先导入原工单，再导入此行"]
    assert {s.summary for s in result.samples["update"]} == {
        "撤销进厂记录 2026-07-01 保养 WO101（560.00元）",
        "撤销进厂记录 2026-09-05 保养 WO103（650.00元）",
        "冲减进厂记录 2026-10-01 保养 WO104 金额 900.00 → 600.00"}
    # Neither a spend nor a visit now.
    assert "粤B11111" not in _members(database, _spend(">", 0))
    assert "粤B11111" not in _members(database, recent)
    assert "粤C22222" in _members(database, _spend("=", 600))

    after = snapshot(database)
    again = apply(database.sessions, path, VISITS)  # nothing cancelled twice
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 1)
    assert {w.code for w in again.warnings} == {"visit_reversal_before"}
    assert snapshot(database) == after
    # The visits' own file again: the visits cancelled are not made again, and WO104 keeps
    # what the reversal left of it.
    visits_again = apply(database.sessions, tmp_path / "7-10月.csv", VISITS)
    assert (visits_again.created, visits_again.updated) == (0, 0)
    assert [(w.code, w.rows) for w in visits_again.warnings if w.field == "amount"] == [
        ("visit_cancelled_before", 2)]
    assert snapshot(database) == after
    for batch in (visits_again, again):
        batches.undo_batch(database.sessions, batch.batch_id)

    with pytest.raises(RevisitError, match="Undo batch #"):
        batches.undo_batch(database.sessions, result.batch_id - 1)  # the visits' own file
    undone = batches.undo_batch(database.sessions, result.batch_id)
    assert undone.restored == 4  # two visits put back, the third's amount and note
    assert snapshot(database) == before


def test_undo_puts_a_cancelled_visit_back_with_its_declined_repairs(database, tmp_path):
    # The visit's 建议维修项目 let go of it when it is cancelled, and refer to it again after
    # undo. On SQLite a visit added since may have taken the cancelled visit's id (the highest
    # plus one): the visit comes back under another, its declined repairs with it.
    _owners(database, tmp_path)
    apply(database.sessions, write_csv(tmp_path / "7-10月.csv", HEADERS, MONTH), VISITS)
    with database.sessions() as s:
        last = s.scalar(select(ServiceVisit).where(ServiceVisit.work_order == "WO104"))
        assert last is not None
        s.execute(insert(DeclinedItem).values(
            customer_id=last.customer_id, vehicle_id=last.vehicle_id, visit_id=last.id,
            item="轮胎老化", recorded_on=last.visit_date, source="visit", status="open"))
        s.commit()
    before = snapshot(database)
    result = apply(database.sessions, write_csv(tmp_path / "11月.csv", HEADERS, [
        ["WO104", "2026-11-06", "粤C22222", None, "冲红", "-900", None]]), VISITS)
    assert _visits(database).get("WO104") is None
    with database.sessions() as s:
        assert s.scalar(select(DeclinedItem.visit_id).where(DeclinedItem.item == "轮胎老化")) \
            is None
        customer, car, cancelled = last.customer_id, last.vehicle_id, last.id
        s.execute(insert(ServiceVisit).values(customer_id=customer, vehicle_id=car,
                                              visit_date=dt.date(2026, 11, 20),
                                              visit_type="repair", amount=D("120")))
        s.commit()
    batches.undo_batch(database.sessions, result.batch_id)
    with database.sessions() as s:
        back = s.scalar(select(ServiceVisit).where(ServiceVisit.work_order == "WO104"))
        assert back is not None and back.amount == D("900.00")
        assert s.scalar(select(DeclinedItem.visit_id).where(DeclinedItem.item == "轮胎老化")) \
            == back.id
        since = s.scalar(select(ServiceVisit.id)
                         .where(ServiceVisit.visit_date == dt.date(2026, 11, 20)))
    if database.engine.dialect.name == "sqlite":
        assert since == cancelled != back.id  # the id was taken: the visit came back under another
    else:
        assert back.id == cancelled  # PostgreSQL never hands an id out twice
    after = snapshot(database)
    assert len(after["service_visit"]) == len(before["service_visit"]) + 1


def test_undo_spares_a_visit_added_since_under_the_id_of_one_made_and_cancelled(
        database, tmp_path, monkeypatch):
    # A visit the import made in a chunk committed before its reversal's: its id is no longer
    # the batch's to delete. On SQLite a visit added since gets that id (the highest plus
    # one), and undo deleted it as one the import made.
    monkeypatch.setattr(engine, "CHUNK", 2)
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)
    _owners(database, tmp_path)
    result = apply(database.sessions, write_csv(tmp_path / "工单.csv", HEADERS, [
        *MONTH, ["WO104-冲", "2026-10-02", "粤C22222", None, "冲红", "-900", None]]), VISITS)
    assert sorted(_visits(database)) == ["WO101", "WO102", "WO103"]
    with database.sessions() as s:
        owner = s.scalar(select(Vehicle.customer_id).where(Vehicle.plate == "粤C22222"))
        s.execute(insert(ServiceVisit).values(customer_id=owner, visit_date=TODAY,
                                              visit_type="repair", amount=D("120"),
                                              work_order="BY-HAND"))
        s.commit()
    batches.undo_batch(database.sessions, result.batch_id)
    assert _visits(database) == {"BY-HAND": D("120.00")}


def test_a_reversal_more_than_its_visit_names_both_amounts(database, tmp_path):
    _owners(database, tmp_path)
    apply(database.sessions, write_csv(tmp_path / "7-10月.csv", HEADERS, MONTH), VISITS)
    errors = tmp_path / "问题.xlsx"
    one = write_csv(tmp_path / "11月.csv", HEADERS, [
        ["WO104", "2026-11-06", "粤C22222", None, "冲红", "-1,200", None]])  # WO104 is 900
    result = apply(database.sessions, one, VISITS, errors_path=errors)
    assert "WO104" not in _visits(database)  # cancelled whole
    zh = "冲红金额 ¥1,200.00 多于所冲进厂记录的金额 ¥900.00，已按整单撤销，请核对"
    en = "the reversal (¥1,200.00) is more than the visit's amount (¥900.00)"
    [sample] = result.samples["update"]
    assert f"金额：{zh}" in sample.reasons
    assert any(en in r for r in sample.said("en")[1])
    [counted] = [w for w in result.warnings if w.code == "visit_reversal_exceeds"]
    assert (counted.zh, counted.rows) == (f"金额：{zh}", 1)
    assert en in counted.en
    noted = openpyxl.load_workbook(errors).worksheets[-1]
    assert any(zh in str(c.value) for row in noted.iter_rows() for c in row)

    # Two reversals of different amounts: each row's note names its own, the count of both
    # says the sentence without amounts.
    two = write_csv(tmp_path / "12月.csv", HEADERS, [
        ["WO101", "2026-11-20", "粤A12345", None, "冲红", "-600", None],  # WO101 is 560
        ["WO103", "2026-11-21", "粤B11111", None, "冲红", "-700", None]])  # WO103 is 650
    result = apply(database.sessions, two, VISITS)
    assert {r for s in result.samples["update"] for r in s.reasons
            if "冲红金额" in r} == {
        "金额：冲红金额 ¥600.00 多于所冲进厂记录的金额 ¥560.00，已按整单撤销，请核对",
        "金额：冲红金额 ¥700.00 多于所冲进厂记录的金额 ¥650.00，已按整单撤销，请核对"}
    [counted] = [w for w in result.warnings if w.code == "visit_reversal_exceeds"]
    assert (counted.zh, counted.rows) == (
        "金额：冲红金额多于所冲进厂记录的金额，已按整单撤销，请核对", 2)
