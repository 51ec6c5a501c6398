"""An owners file's 最近保养日期 and 上次保养里程, on SQLite and PostgreSQL: the car's last
maintenance recorded as a maintenance visit of that day (no amount), which its next maintenance
falls due from; once however often a file says it, and the same visit when the work order comes
later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from models import Customer, MileageReading, ServiceVisit
from services.customers import reminders
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import counts, write_csv, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["客户名称", "手机号码", "车牌号", "品牌", "车系", "购车日期", "最近保养日期",
           "上次保养里程"]
VISIT_HEADERS = ["工单号", "车牌号码", "进厂日期", "维修类型", "结算金额"]


def _visits(database) -> list[tuple]:
    with database.sessions() as s:
        return sorted((v.visit_date, v.visit_type, v.amount, v.km, v.work_order)
                      for v in s.scalars(select(ServiceVisit)))


def _customer_id(database, name: str) -> int:
    with database.sessions() as s:
        return s.scalars(select(Customer.id).where(Customer.name == name)).one()


def test_the_last_maintenance_is_a_visit_the_next_one_falls_due_from(database, tmp_path):
    path = write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, [
        ["张伟", "13800138000", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40,000"],
        # The same car again on a second row: still one visit.
        ["张伟", "13800138000", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40000"],
        # Dated before the car was bought: left out, and said.
        ["王芳", "13920001111", "粤B8H88Y", "丰田", "RAV4", "2018-07-01", "2018-01-01", None]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert result.rejected == 0
    assert result.records["service_visit"] == 1
    assert [(w.code, w.field, w.rows) for w in result.warnings] == [
        ("service_before_purchase", "last_service_date", 1)]
    assert _visits(database) == [
        (dt.date(2026, 8, 1), "maintenance", Decimal("0.00"), 40000, None)]
    with database.sessions() as s:
        assert [(r.reading_date, r.km) for r in s.scalars(select(MileageReading))] == [
            (dt.date(2026, 8, 1), 40000)]
    # Due 6 months after it (the default: 5,000 km or 6 months): the line from 0 km at the
    # purchase through 40,000 km (about 5,400 km a year) reaches 45,000 km only in 2027-07.
    (due,) = reminders.maintenance_due(database.sessions, _customer_id(database, "张伟"),
                                       as_of=TODAY)
    assert (due.last_visit, due.last_km, due.first_service) == (dt.date(2026, 8, 1), 40000,
                                                                False)
    assert due.due == dt.date(2027, 2, 1)
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated) == (0, 0)
    assert len(_visits(database)) == 1


def test_the_work_order_of_that_day_fills_the_same_visit(database, tmp_path):
    apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, [
        ["张伟", "13800138000", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", None]]),
        CUSTOMERS)
    visits = write_csv(tmp_path / "工单.csv", VISIT_HEADERS,
                       [["W9", "粤A12345", "2026-08-01", "保养", "480"]])
    result = apply(database.sessions, visits, ImportOptions("visits", today=TODAY))
    assert (result.created, result.updated) == (0, 1)
    assert _visits(database) == [
        (dt.date(2026, 8, 1), "maintenance", Decimal("480.00"), None, "W9")]


def test_a_maintenance_already_stored_that_day_is_not_added_again(database, tmp_path):
    apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", HEADERS[:6], [
        ["张伟", "13800138000", "粤A12345", "丰田", "凯美瑞", "2019-03-15"]]), CUSTOMERS)
    apply(database.sessions, write_csv(
        tmp_path / "工单.csv", VISIT_HEADERS, [["W9", "粤A12345", "2026-08-01", "保养", "480"]]),
        ImportOptions("visits", today=TODAY))
    before = counts(database)
    result = apply(database.sessions, write_xlsx(tmp_path / "保有客户2.xlsx", HEADERS, [
        ["张伟", "13800138000", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", None]]),
        CUSTOMERS)
    assert (result.created, result.updated) == (0, 0)
    assert counts(database) == before


def test_undo_takes_the_visit_back(database, tmp_path):
    before = counts(database)
    result = apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, [
        ["张伟", "13800138000", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01",
         "40000"]]), CUSTOMERS)
    assert len(_visits(database)) == 1
    batches.undo_batch(database.sessions, result.batch_id)
    assert counts(database) == before
