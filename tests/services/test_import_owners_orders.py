"""Importing on SQLite and PostgreSQL what a row layout must not change: a car sold on within one
owner list, a work order whose date the DMS corrected, and a customer file that names cars by
plate or VIN without brand or model."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Customer, ProfileChange, ServiceVisit, Vehicle
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import dms_export, snapshot, vin, write_csv

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
VISITS = ImportOptions("visits", today=TODAY)
CAR = vin("LSVAB4180E220000")
HEADERS = ["车主", "手机", "品牌", "车型", "车架号", "车牌", "购车日期"]
FIRST = ["钱一", "13902847701", "大众", "帕萨特", CAR, "浙A20001", "2019-01-01"]
SECOND = ["赵二", "13902847702", "大众", "帕萨特", CAR, "浙A20009", "2024-06-01"]


def _owner(database) -> tuple[str, str | None, dt.date | None]:
    with database.sessions() as s:
        name, plate, bought = s.execute(
            select(Customer.name, Vehicle.plate, Vehicle.purchase_date)
            .join(Vehicle, Vehicle.customer_id == Customer.id).where(Vehicle.vin == CAR)).one()
    return name, plate, bought


def _names(database) -> set[str]:
    with database.sessions() as s:
        return set(s.scalars(select(Customer.name)))


def test_a_car_sold_on_within_one_file_goes_to_the_later_owner_in_any_order(database,
                                                                             tmp_path):
    # Before, 赵二's row was merged into 钱一 as "differs from an earlier row": 赵二 vanished.
    path = write_csv(tmp_path / "保有客户.csv", HEADERS, [FIRST, SECOND])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (2, 0)
    assert _names(database) == {"钱一", "赵二"}
    assert _owner(database) == ("赵二", "浙A20009", dt.date(2024, 6, 1))
    with database.sessions() as s:
        history = {(c.attribute, c.old_value, c.new_value, c.note.split("；")[-1])
                   for c in s.scalars(select(ProfileChange).join(
                       Customer, Customer.id == ProfileChange.customer_id)
                       .where(Customer.name == "钱一"))}
    assert history == {("vehicle", f"大众 帕萨特 {CAR}", None, "过户给 赵二")}
    before = snapshot(database, versions=False)
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # The newer owner first: the former owner's row does not take the car back.
    reversed_order = write_csv(tmp_path / "倒序.csv", HEADERS, [SECOND, FIRST])
    other = apply(database.sessions, reversed_order, CUSTOMERS)
    assert (other.created, other.updated, other.unchanged) == (0, 0, 2)
    assert [w.code for w in other.warnings if w.code != "vin_check_digit"] == ["earlier_owner"]
    assert snapshot(database, versions=False) == before


def test_the_later_owner_first_in_a_file_keeps_the_car_and_both_are_imported(database,
                                                                             tmp_path):
    path = write_csv(tmp_path / "保有客户.csv", HEADERS, [SECOND, FIRST])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (2, 0)
    assert _names(database) == {"钱一", "赵二"}
    assert _owner(database) == ("赵二", "浙A20009", dt.date(2024, 6, 1))
    assert "earlier_owner" in {w.code for w in result.warnings}


def test_another_owner_with_no_later_date_is_imported_without_the_car(database, tmp_path):
    path = write_csv(tmp_path / "保有客户.csv", HEADERS, [FIRST, [*SECOND[:6], None]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (2, 0)
    assert _names(database) == {"钱一", "赵二"}
    assert _owner(database) == ("钱一", "浙A20001", dt.date(2019, 1, 1))
    assert [(w.zh, w.rows) for w in result.warnings if w.code == "owner_unclear"] == [
        ("车架号（VIN）：文件中前面一行把此车给了另一位车主，本行没有更晚的购车日期，"
         "无法确定现车主：本行的人已导入，车辆留在前一行车主名下", 1)]
    with database.sessions() as s:
        zhao = s.scalar(select(Customer).where(Customer.name == "赵二"))
        assert zhao.mobile == "13902847702"
        assert not s.scalars(select(Vehicle).where(Vehicle.customer_id == zhao.id)).all()


ORDERS = ["工单号", "进厂日期", "车牌号", "维修类型", "结算金额"]


def _visits(database) -> list[tuple]:
    with database.sessions() as s:
        return sorted(s.execute(select(ServiceVisit.work_order, ServiceVisit.visit_date,
                                       ServiceVisit.visit_type, ServiceVisit.amount)).all())


def test_a_work_order_with_a_corrected_date_is_the_same_visit(database, tmp_path):
    # Before, the corrected date made a second visit of the same work order (spend doubled).
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    first = write_csv(tmp_path / "工单1.csv", ORDERS, [
        ["W101", "2024-05-01", "粤A12345", "机修", "300"],
        ["W101", "2024-05-01", "粤A12345", "钣喷", "900"],  # a second line of one order
        ["W102", "2024-05-02", "粤A12345", "机修", "1200"]])
    apply(database.sessions, first, VISITS)
    before = snapshot(database, versions=False)
    # The corrected file holds only the later date: the stored visit lies outside its range.
    corrected = write_csv(tmp_path / "工单2.csv", ORDERS, [
        ["W101", "2024-05-06", "粤A12345", "机修", "300"],
        ["W101", "2024-05-06", "粤A12345", "钣喷", "900"]])
    result = apply(database.sessions, corrected, VISITS)
    assert (result.created, result.updated, result.rejected) == (0, 2, 0)
    assert result.changed_fields == {"visit_date": 2}
    day = dt.date(2024, 5, 6)
    assert [v[:3] for v in _visits(database)] == [
        ("W101", day, "accident"), ("W101", day, "repair"),
        ("W102", dt.date(2024, 5, 2), "repair")]
    assert apply(database.sessions, corrected, VISITS).unchanged == 2
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database, versions=False) == before


NO_MAKE = ["客户姓名", "手机", "车牌", "购车日期"]


def test_a_customer_file_without_brand_or_model_imports_customers_and_named_cars(database,
                                                                                 tmp_path):
    # Before, every row was refused: 新车辆缺少品牌和车型.
    path = write_csv(tmp_path / "客户.csv", NO_MAKE, [
        ["孙悦", "13902847561", "粤B55555", "2022-03-01"],
        ["周全", "13902847562", None, "2023-04-01"]])  # nothing says which car
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (2, 0)
    assert [(w.code, w.rows) for w in result.warnings] == [("vehicle_unnamed", 1)]
    with database.sessions() as s:
        cars = s.execute(select(Customer.name, Vehicle.brand, Vehicle.model, Vehicle.plate,
                                Vehicle.purchase_date)
                         .join(Vehicle, Vehicle.customer_id == Customer.id)).all()
        assert {c.name for c in s.scalars(select(Customer))} == {"孙悦", "周全"}
    assert [tuple(c) for c in cars] == [("孙悦", "", "", "粤B55555", dt.date(2022, 3, 1))]
    before = snapshot(database, versions=False)
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(database, versions=False) == before
