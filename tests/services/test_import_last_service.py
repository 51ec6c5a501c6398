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
from services.imports import batches, engine
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
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
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40,000"],
        # The same car again on a second row: still one visit.
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40000"],
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
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", None]]),
        CUSTOMERS)
    visits = write_csv(tmp_path / "工单.csv", VISIT_HEADERS,
                       [["W9", "粤A12345", "2026-08-01", "保养", "480"]])
    result = apply(database.sessions, visits, ImportOptions("visits", today=TODAY))
    assert (result.created, result.updated) == (0, 1)
    assert _visits(database) == [
        (dt.date(2026, 8, 1), "maintenance", Decimal("480.00"), None, "W9")]


def test_a_maintenance_already_stored_that_day_is_not_added_again(database, tmp_path):
    apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", HEADERS[:6], [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15"]]), CUSTOMERS)
    apply(database.sessions, write_csv(
        tmp_path / "工单.csv", VISIT_HEADERS, [["W9", "粤A12345", "2026-08-01", "保养", "480"]]),
        ImportOptions("visits", today=TODAY))
    before = counts(database)
    result = apply(database.sessions, write_xlsx(tmp_path / "保有客户2.xlsx", HEADERS, [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", None]]),
        CUSTOMERS)
    assert (result.created, result.updated) == (0, 0)
    assert counts(database) == before


def test_undo_takes_the_visit_back(database, tmp_path):
    before = counts(database)
    result = apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01",
         "40000"]]), CUSTOMERS)
    assert len(_visits(database)) == 1
    batches.undo_batch(database.sessions, result.batch_id)
    assert counts(database) == before


def test_a_work_orders_next_service_date_and_km_make_the_car_due_then(database, tmp_path):
    """The 下次保养日期 and 下次保养里程 a DMS writes on a work order are what the advisor told
    the owner: the car falls due then, not at the usual interval (6 months, 2027-02-01 here).
    Before, the columns were not read. One that cannot be (not after the visit, not above its
    km) is left out with a note; undo takes them back with the visit."""
    apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", HEADERS[:6], [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15"],
        ["王芳", "13920001111", "粤B8H88Y", "丰田", "RAV4", "2018-07-01"]]), CUSTOMERS)
    headers = [*VISIT_HEADERS, "进厂里程", "下次保养日期", "下次保养里程"]
    path = write_xlsx(tmp_path / "工单.xlsx", headers, [
        ["W1", "粤A12345", "2026-08-01", "保养", "480", "40000", "2026-12-01", "45000"],
        ["W2", "粤B8H88Y", "2026-08-02", "保养", "520", "30000", "2026-07-01", "29000"]])
    result = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert result.mapping.column("next_service_date") == 6
    assert result.mapping.column("next_service_km") == 7
    assert result.mapping.column("km") == 5
    assert sorted((w.code, w.rows) for w in result.warnings) == [
        ("next_service_km_not_above", 1), ("next_service_not_after_visit", 1)]
    with database.sessions() as s:
        told = sorted((v.work_order, v.next_service_date, v.next_service_km)
                      for v in s.scalars(select(ServiceVisit)))
    assert told == [("W1", dt.date(2026, 12, 1), 45000), ("W2", None, None)]
    (due,) = reminders.maintenance_due(database.sessions, _customer_id(database, "张伟"),
                                       as_of=TODAY)
    assert due.due == dt.date(2026, 12, 1)
    (plain,) = reminders.maintenance_due(database.sessions, _customer_id(database, "王芳"),
                                         as_of=TODAY)
    assert plain.due == dt.date(2027, 2, 2)  # the interval's 6 months

    batches.undo_batch(database.sessions, result.batch_id)
    assert _visits(database) == []


def test_a_dms_reminder_export_tells_the_last_maintenance_its_next_service(database, tmp_path):
    """A DMS's 保养提醒 export (owners with 上次保养 and 下次保养): the maintenance visit of the
    last service day is told the next date and km, whether the row makes it or the work
    orders made it before; read again with a later date, the visit takes it (undo gives the
    earlier back). A next service without a last maintenance day has nothing to be given to,
    and is said."""
    headers = [*HEADERS, "下次保养日期", "下次保养里程"]
    first = write_xlsx(tmp_path / "保养提醒.xlsx", headers, [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40000",
         "2026-12-01", "45000"],
        ["王芳", "13920001111", "粤B8H88Y", "丰田", "RAV4", "2018-07-01", None, None,
         "2027-01-01", None]])
    result = apply(database.sessions, first, CUSTOMERS)
    assert [(w.code, w.rows) for w in result.warnings] == [("next_service_without_last", 1)]
    with database.sessions() as s:
        told = [(v.visit_date, v.next_service_date, v.next_service_km)
                for v in s.scalars(select(ServiceVisit))]
    assert told == [(dt.date(2026, 8, 1), dt.date(2026, 12, 1), 45000)]
    zhang = _customer_id(database, "张伟")
    assert reminders.maintenance_due(database.sessions, zhang, as_of=TODAY)[0].due == \
        dt.date(2026, 12, 1)

    later = write_xlsx(tmp_path / "保养提醒2.xlsx", headers, [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40000",
         "2027-01-10", None]])
    dry = plan(database.sessions, later, CUSTOMERS)
    assert dry.samples["update"][0].summary == "下次保养日期 2026-12-01 → 2027-01-10"
    again = apply(database.sessions, later, CUSTOMERS)
    assert (again.created, again.updated) == (0, 1)
    assert reminders.maintenance_due(database.sessions, zhang, as_of=TODAY)[0].due == \
        dt.date(2027, 1, 10)
    batches.undo_batch(database.sessions, again.batch_id)
    assert reminders.maintenance_due(database.sessions, zhang, as_of=TODAY)[0].due == \
        dt.date(2026, 12, 1)


def test_the_reminder_export_tells_a_work_order_imported_before(database, tmp_path):
    apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", HEADERS[:6], [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15"]]), CUSTOMERS)
    apply(database.sessions, write_csv(tmp_path / "工单.csv", VISIT_HEADERS,
                                       [["W9", "粤A12345", "2026-08-01", "保养", "480"]]),
          ImportOptions("visits", today=TODAY))
    result = apply(database.sessions, write_xlsx(
        tmp_path / "保养提醒.xlsx", [*HEADERS, "下次保养日期"],
        [["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", None,
          "2027-02-15"]]), CUSTOMERS)
    assert (result.created, result.updated) == (0, 1)
    with database.sessions() as s:
        assert [(v.work_order, v.next_service_date) for v in s.scalars(select(ServiceVisit))] \
            == [("W9", dt.date(2027, 2, 15))]


def test_a_next_service_km_the_car_has_passed_is_the_interval_not_a_mark(database, tmp_path):
    """A DMS that writes the interval (5000) as 下次保养里程, on a work order without its km:
    taken as the odometer's mark, the car was years overdue. The car's readings say it has
    passed that: the km is left out and said; the date stands."""
    owners = write_xlsx(tmp_path / "保有客户.xlsx", HEADERS, [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-02-01", "35000"]])
    apply(database.sessions, owners, CUSTOMERS)
    headers = [*VISIT_HEADERS, "下次保养日期", "下次保养里程"]
    path = write_xlsx(tmp_path / "工单.xlsx", headers, [
        ["W1", "粤A12345", "2026-08-01", "保养", "480", "2027-02-01", "5000"]])
    result = apply(database.sessions, path, ImportOptions("visits", today=TODAY))
    assert [(w.code, w.rows) for w in result.warnings] == [("next_service_km_not_above", 1)]
    with database.sessions() as s:
        told = [(v.work_order, v.next_service_date, v.next_service_km)
                for v in s.scalars(select(ServiceVisit)) if v.work_order]
    assert told == [("W1", dt.date(2027, 2, 1), None)]


def test_a_reminder_exports_next_km_below_the_cars_km_now_is_left_out(database, tmp_path):
    # 当前里程 40,000 and 下次保养里程 5000 (the interval): the mark would be long passed.
    path = write_xlsx(tmp_path / "保养提醒.xlsx", [*HEADERS[:7], "当前里程", "下次保养里程"], [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40000",
         "5000"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert result.mapping.column("km") == 7
    assert [(w.code, w.rows) for w in result.warnings] == [("next_service_km_not_above", 1)]
    with database.sessions() as s:
        assert [v.next_service_km for v in s.scalars(select(ServiceVisit))] == [None]


def test_a_later_chunks_row_tells_the_visit_an_earlier_chunk_made_for_a_new_car(
        database, tmp_path, monkeypatch):
    """A file read a row at a time (as a big file is read a chunk at a time): the first row
    makes the car and its last maintenance with no next service; a later row of the car says
    the next service told then, and the visit takes it."""
    monkeypatch.setattr(engine, "CHUNK", 1)
    headers = [*HEADERS, "下次保养日期"]
    path = write_xlsx(tmp_path / "保养提醒.xlsx", headers, [
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40000",
         None],
        ["王芳", "13920001111", "粤B8H88Y", "丰田", "RAV4", "2018-07-01", None, None, None],
        ["张伟", "13800138080", "粤A12345", "丰田", "凯美瑞", "2019-03-15", "2026-08-01", "40000",
         "2027-01-20"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (2, 0)
    with database.sessions() as s:
        told = [(v.visit_date, v.next_service_date) for v in s.scalars(select(ServiceVisit))]
    assert told == [(dt.date(2026, 8, 1), dt.date(2027, 1, 20))]
    assert reminders.maintenance_due(database.sessions, _customer_id(database, "张伟"),
                                     as_of=TODAY)[0].due == dt.date(2027, 1, 20)
