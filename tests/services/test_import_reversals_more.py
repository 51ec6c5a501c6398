"""What a reversed work order (冲红) leaves behind, and the date of a stage an import infers, on
SQLite and PostgreSQL: the km of a cancelled visit no longer counts in the car's km estimate
(unless a visit that stands read the same); a later export that still lists the work order
does not make the visit again, and says so; an inferred 首单 / 复购 is dated by the purchase it
is inferred from, else by the import day, and its note says which."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import MileageReading, ServiceVisit, Vehicle
from services.customers import profile
from services.customers.brief import load_brief
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.segments import service
from tests.services.import_files import DMS_HEADERS, dms_export, snapshot, write_csv, write_xlsx

TODAY = dt.date(2026, 11, 30)
VISITS = ImportOptions("visits", today=TODAY)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["工单号", "进厂日期", "车牌号", "进厂里程", "维修类别", "结算金额"]


def _owner(n: int, name: str, plate: str, mobile: str, bought: str | None) -> list:
    return [n, plate, name, mobile, "大众", "朗逸", None, bought, "15万", None, None, None, None]


def _owners(database, tmp_path) -> None:
    apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", DMS_HEADERS, [
        _owner(1, "周一", "粤A50001", "13600000011", "2022-01-10"),
        _owner(2, "周二", "粤A50002", "13600000012", "2022-03-10"),
        _owner(3, "周三", "粤A50003", "13600000013", "2022-05-10")]), CUSTOMERS)


def _car(database, plate: str) -> tuple[int, int]:
    with database.sessions() as s:
        found = s.execute(select(Vehicle.customer_id, Vehicle.id)
                          .where(Vehicle.plate == plate)).one()
        return found[0], found[1]


def _km(database, plate: str) -> tuple[int | None, int | None]:
    """The car's estimated km and km per year as the brief shows them today."""
    customer, car = _car(database, plate)
    [line] = [c for c in load_brief(database.sessions, customer, TODAY).cars
              if c.vehicle_id == car]
    return line.km, line.km_per_year


def _per_year(database, plate: str) -> set[str]:
    """Whether a segment of km per year over 10,000 finds the car."""
    flt = {"version": 1, "vehicles": "active",
           "where": {"field": "km_per_year", "op": ">", "value": 10000}}
    ids = {m.customer_id for m in service.members(database.sessions, flt, TODAY,
                                                  limit=None).rows}
    return {plate} if _car(database, plate)[0] in ids else set()


def _readings(database, plate: str) -> set[tuple[dt.date, int]]:
    car = _car(database, plate)[1]
    with database.sessions() as s:
        return {(r.reading_date, r.km) for r in s.execute(
            select(MileageReading.reading_date, MileageReading.km)
            .where(MileageReading.vehicle_id == car))}


def test_a_cancelled_visits_km_no_longer_counts(database, tmp_path):
    _owners(database, tmp_path)
    # 粤A50001: a visit of 2024 stands; its visit of 2026 (20,000 km more in a year) is reversed.
    apply(database.sessions, write_csv(tmp_path / "2024.csv", HEADERS, [
        ["WO201", "2024-03-01", "粤A50001", "20000", "保养", "500"]]), VISITS)
    standing = _km(database, "粤A50001")
    assert _per_year(database, "粤A50001") == set()
    apply(database.sessions, write_csv(tmp_path / "2026.csv", HEADERS, [
        ["WO202", "2025-06-01", "粤A50001", "45000", "保养", "600"],
        # 粤A50002: two work orders of one day read the same km; one of them is reversed.
        ["WO301", "2026-06-01", "粤A50002", "45000", "保养", "700"],
        ["WO302", "2026-06-01", "粤A50002", "45000", "一般维修", "300"],
        # 粤A50003: a visit and its reversal in one file.
        ["WO401", "2026-07-01", "粤A50003", "30000", "保养", "800"],
        ["WO401-冲", "2026-07-02", "粤A50003", None, "冲红", "-800"]]), VISITS)
    assert _km(database, "粤A50001") != standing
    assert _per_year(database, "粤A50001") == {"粤A50001"}
    assert _readings(database, "粤A50003") == set()  # made and cancelled in one file
    two = _km(database, "粤A50002")
    before = snapshot(database)
    path = write_csv(tmp_path / "冲红.csv", HEADERS, [
        ["WO202-冲", "2026-11-03", "粤A50001", None, "冲红", "-600"],
        ["WO301-冲", "2026-11-03", "粤A50002", None, "冲红", "-700"]])
    result = apply(database.sessions, path, VISITS)
    assert result.updated == 2
    assert _readings(database, "粤A50001") == {(dt.date(2024, 3, 1), 20000)}
    assert _km(database, "粤A50001") == standing
    assert _per_year(database, "粤A50001") == set()
    # WO302 stands and read 45,000 km that day: the reading stays.
    assert _readings(database, "粤A50002") == {(dt.date(2026, 6, 1), 45000)}
    assert _km(database, "粤A50002") == two

    after = snapshot(database)
    again = apply(database.sessions, path, VISITS)
    assert (again.created, again.updated) == (0, 0)
    assert snapshot(database) == after
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database) == before  # the reading back with its visit


def test_a_reading_left_by_a_visit_cancelled_before_goes_when_its_reversal_comes_again(
        database, tmp_path):
    # A visit cancelled while cancelling left its km reading behind: its reversal read again
    # takes the reading away, the row saying so; read once more, it changes nothing.
    _owners(database, tmp_path)
    apply(database.sessions, write_csv(tmp_path / "工单.csv", HEADERS, [
        ["WO601", "2026-06-01", "粤A50001", "30000", "保养", "560"]]), VISITS)
    path = write_csv(tmp_path / "冲红.csv", HEADERS, [
        ["WO601-冲", "2026-06-03", "粤A50001", None, "冲红", "-560"]])
    apply(database.sessions, path, VISITS)
    assert _readings(database, "粤A50001") == set()
    with database.sessions() as s:
        s.add(MileageReading(vehicle_id=_car(database, "粤A50001")[1],
                             reading_date=dt.date(2026, 6, 1), km=30000, source="visit"))
        s.commit()
    left = snapshot(database)
    again = apply(database.sessions, path, VISITS)
    assert (again.created, again.updated) == (0, 1)
    assert {w.code for w in again.warnings} == {"visit_reversal_before"}
    assert _readings(database, "粤A50001") == set()
    once_more = apply(database.sessions, path, VISITS)
    assert (once_more.created, once_more.updated, once_more.unchanged) == (0, 0, 1)
    batches.undo_batch(database.sessions, once_more.batch_id)
    batches.undo_batch(database.sessions, again.batch_id)
    assert {k: v for k, v in snapshot(database).items() if k != "import_change"} == \
        {k: v for k, v in left.items() if k != "import_change"}


def _visit_orders(database) -> set[str]:
    with database.sessions() as s:
        return set(s.scalars(select(ServiceVisit.work_order)))


def test_a_later_export_listing_a_reversed_work_order_does_not_make_it_again(
        database, tmp_path):
    _owners(database, tmp_path)
    apply(database.sessions, write_csv(tmp_path / "7月.csv", HEADERS, [
        ["WO501", "2026-07-01", "粤A50001", "30000", "保养", "560"],
        ["WO501-冲", "2026-07-03", "粤A50001", None, "冲红", "-560"],
        ["WO502", "2026-07-05", "粤A50002", "31000", "保养", "620"]]), VISITS)
    apply(database.sessions, write_csv(tmp_path / "冲红.csv", HEADERS, [
        ["WO502-冲", "2026-08-01", "粤A50002", None, "冲红", "-620"]]), VISITS)
    assert _visit_orders(database) == set()
    after = snapshot(database)
    # A later export of July: the DMS keeps the original rows (WO501 as settled, WO502 at what
    # its reversal left), an advisor column more, and without the reversals. (A row of the
    # work order on another day or at another amount is it settled again: a visit.)
    corrected = write_csv(tmp_path / "7月（更正）.csv", [*HEADERS, "服务顾问"], [
        ["WO501", "2026-07-01", "粤A50001", "30000", "保养", "560", "李明"],
        ["WO502", "2026-07-05", "粤A50002", "31000", "保养", "0", "王芳"],
        ["WO503", "2026-07-20", "粤A50003", "12000", "保养", "450", "王芳"]])
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, corrected, VISITS, errors_path=errors)
    assert (result.created, result.updated) == (1, 0)
    assert _visit_orders(database) == {"WO503"}
    assert [(w.code, w.rows) for w in result.warnings if w.field == "amount"] == [
        ("visit_cancelled_before", 2)]
    said = [r for s in result.samples["unchanged"] for r in s.reasons]
    assert any("WO501" in r and "未重新导入" in r for r in said)
    assert _readings(database, "粤A50001") == set()
    # The same files again change nothing.
    made = snapshot(database)
    agains = [apply(database.sessions, path, VISITS)
              for path in (corrected, tmp_path / "7月.csv", tmp_path / "冲红.csv")]
    assert [(a.created, a.updated) for a in agains] == [(0, 0)] * 3
    assert snapshot(database) == made
    for batch in (*reversed(agains), result):
        batches.undo_batch(database.sessions, batch.batch_id)
    assert {k: v for k, v in snapshot(database).items() if k != "import_change"} == \
        {k: v for k, v in after.items() if k != "import_change"}


def _stage_changes(database, name_plate: str) -> list[tuple]:
    customer = _car(database, name_plate)[0]
    return [(c.new_value, c.effective_date, c.note)
            for c in profile.history(database.sessions, customer, "lifecycle_stage")]


def test_an_inferred_stage_is_dated_by_the_purchase_it_comes_from(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "保有客户.xlsx"), CUSTOMERS)
    # 张三 bought on 2021-03-05 and 2023-06-01: a first purchase since the first, a repeat
    # purchase since the second.
    assert _stage_changes(database, "粤A67890") == [
        ("first_purchase", dt.date(2021, 3, 5),
         "导入 保有客户.xlsx；按购车记录推定（1 辆车；按购车日期 2021-03-05）"),
        ("repeat", dt.date(2023, 6, 1),
         "导入 保有客户.xlsx；按购车记录推定（2 辆车；按第二次购车日期 2023-06-01）")]
    # 王五's one car, bought 2019-07-01; 李四's date never was (2020-02-30): the import's day.
    assert _stage_changes(database, "粤C22222") == [
        ("first_purchase", dt.date(2019, 7, 1),
         "导入 保有客户.xlsx；按购车记录推定（1 辆车；按购车日期 2019-07-01）")]
    assert _stage_changes(database, "粤B11111") == [
        ("first_purchase", TODAY,
         "导入 保有客户.xlsx；按购车记录推定（1 辆车；购车日期不详，按导入日期）")]
    # In force on the day it is dated, not before.
    wang = _car(database, "粤C22222")[0]
    assert profile.value_as_of(database.sessions, wang, "lifecycle_stage",
                               dt.date(2019, 7, 1)) == "first_purchase"
    assert profile.value_as_of(database.sessions, wang, "lifecycle_stage",
                               dt.date(2019, 6, 30)) is None


def test_a_second_car_in_a_later_file_dates_the_repeat_purchase(database, tmp_path):
    _owners(database, tmp_path)
    apply(database.sessions, write_xlsx(tmp_path / "b.xlsx", DMS_HEADERS, [
        _owner(1, "周一", "粤B60001", "13600000011", "2026-02-05"),
        # 周二's second car has a price paid and no date: the import's day.
        _owner(2, "周二", "粤B60002", "13600000012", None)]), CUSTOMERS)
    assert [(v, d) for v, d, _ in _stage_changes(database, "粤A50001")] == [
        ("first_purchase", dt.date(2022, 1, 10)), ("repeat", dt.date(2026, 2, 5))]
    second = _stage_changes(database, "粤A50002")
    assert [(v, d, n.endswith("按导入日期）")) for v, d, n in second] == [
        ("first_purchase", dt.date(2022, 3, 10), False), ("repeat", TODAY, True)]
