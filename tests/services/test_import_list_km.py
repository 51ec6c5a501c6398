"""An owners list's km is dated the day it was exported (导出时间), the latest it can have been
read: a DMS keeps on the car the km of its last work order. A work order of an earlier day with
more km was refused as "里程与该车其他读数不符", and its visit kept no km. The work order's dated
km now takes the list's place, and undoing the work orders puts the list's reading back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import MileageReading, ServiceVisit, Vehicle
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import write_csv, write_xlsx

TODAY = dt.date(2026, 12, 6)
EXPORTED = dt.date(2026, 12, 1)


def _readings(database) -> dict[str, list[tuple[dt.date, int]]]:
    with database.sessions() as s:
        rows = s.execute(select(Vehicle.plate, MileageReading.reading_date, MileageReading.km)
                         .join(Vehicle, Vehicle.id == MileageReading.vehicle_id)
                         .order_by(Vehicle.plate, MileageReading.reading_date)).all()
    found: dict[str, list[tuple[dt.date, int]]] = {}
    for plate, day, km in rows:
        found.setdefault(plate, []).append((day, km))
    return found


def test_a_work_orders_km_replaces_an_owners_lists_later_lower_one(database, tmp_path):
    owners = write_xlsx(tmp_path / "保有客户明细.xlsx", ["车主名称", "联系电话", "车牌号码",
                                                      "车型", "行驶里程"], [
        ["张伟", "13800138001", "粤A5B678", "RAV4荣放", "35,200公里"],
        ["孙丽", "13566667777", "粤A1Q2W3", "威兰达", "45000km"],
        ["刘洋", "13711112222", "粤A6K2M8", "汉兰达", 68000]],
        title=("保有客户明细", "导出时间：2026-12-01 09:12:33    导出人：系统管理员"))
    orders = write_csv(tmp_path / "维修工单.csv", ["进厂日期", "车牌号", "进厂里程", "维修类别",
                                                  "结算金额"], [
        ["2026.11.1", "粤A5B678", "41000", "保养", "890"],
        ["2026年9月5日", "粤A1Q2W3", "5.2万", "保养", "650"],
        # Fewer km than the list, earlier: it fits as it always did.
        ["2026/03/01", "粤A6K2M8", "6.5万", "保养", "1050"],
        # Less than an earlier dated reading of the car: still refused.
        ["2026/03/02", "粤A6K2M8", "6000", "保养", "100"]])
    apply(database.sessions, owners, ImportOptions("customers", today=TODAY))
    assert _readings(database) == {"粤A1Q2W3": [(EXPORTED, 45000)],
                                   "粤A5B678": [(EXPORTED, 35200)],
                                   "粤A6K2M8": [(EXPORTED, 68000)]}
    visits = ImportOptions("visits", today=TODAY)
    dry = plan(database.sessions, orders, visits)
    done = apply(database.sessions, orders, visits)
    for result in (dry, done):
        assert result.created == 4
        assert [(w.code, w.rows) for w in result.warnings] == [
            ("km_replaces_list_reading", 2), ("km_out_of_line", 1)]
    assert _readings(database) == {
        "粤A1Q2W3": [(dt.date(2026, 9, 5), 52000)],
        "粤A5B678": [(dt.date(2026, 11, 1), 41000)],
        "粤A6K2M8": [(dt.date(2026, 3, 1), 65000), (EXPORTED, 68000)]}
    with database.sessions() as s:
        kms = dict(s.execute(select(ServiceVisit.visit_date, ServiceVisit.km)).all())
    assert kms == {dt.date(2026, 11, 1): 41000, dt.date(2026, 9, 5): 52000,
                   dt.date(2026, 3, 1): 65000, dt.date(2026, 3, 2): None}
    batches.undo_batch(database.sessions, done.batch_id)
    assert _readings(database) == {"粤A1Q2W3": [(EXPORTED, 45000)],
                                   "粤A5B678": [(EXPORTED, 35200)],
                                   "粤A6K2M8": [(EXPORTED, 68000)]}
