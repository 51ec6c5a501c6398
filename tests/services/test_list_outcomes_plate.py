"""A km typed on a list read back goes to the car whose plate the row's 车牌 shows: the printed
car's as printed (in any spelling), another of the customer's cars when the caller typed its
plate over 车牌 (a note says so), and no car when the plate is none of theirs (the contact is
stored, the km left out with the reason). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import openpyxl
from sqlalchemy import select

from models import Customer, ListRunMember, MileageReading, Vehicle
from services.lists import outcomes, readback_undo, runs
from services.outputs import excel
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _events, _fill
from tests.services.test_lists_runs import _run, setup

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _readings(database) -> dict[str, list[int]]:
    """Each car's km readings by its plate, in order."""
    with database.sessions() as s:
        found: dict[str, list[int]] = {}
        for plate, km in s.execute(select(Vehicle.plate, MileageReading.km)
                                   .join(Vehicle, Vehicle.id == MileageReading.vehicle_id)
                                   .order_by(Vehicle.plate, MileageReading.id)):
            found.setdefault(plate, []).append(km)
        return found


def test_a_km_goes_to_the_car_whose_plate_the_caller_typed(listed):
    database, path, col = listed
    printed = _cell(path, col, 2, "车牌")
    with database.sessions.begin() as s:
        member = s.scalar(select(ListRunMember).where(
            ListRunMember.row_code == _cell(path, col, 2, "编号")))
        other = Vehicle(customer_id=member.customer_id, brand="本田", model="雅阁",
                        plate="粤B88888", purchase_date=dt.date(2024, 3, 1))
        s.add(other)
        s.flush()
        # The printed car was read at 60,000 km: 45,000 would clash with it, not with 粤B88888.
        s.add_all([MileageReading(vehicle_id=member.vehicle_id, km=60000, source="visit",
                                  reading_date=dt.date(2026, 10, 1)),
                   MileageReading(vehicle_id=other.id, km=40000, source="visit",
                                  reading_date=dt.date(2026, 10, 1))])
        owner = s.get_one(Customer, member.customer_id).code
    third, fourth = _cell(path, col, 3, "车牌"), _cell(path, col, 4, "车牌")
    _fill(path, col, {(2, "结果"): "接通", (2, "车牌"): "粤b 88888", (2, "当前里程(公里)"): 45000,
                      (3, "结果"): "接通", (3, "车牌"): "粤A99999", (3, "当前里程(公里)"): 30000,
                      (4, "结果"): "接通", (4, "车牌"): f" {fourth.lower()} ",
                      (4, "当前里程(公里)"): 31000,
                      (5, "结果"): "接通", (5, "车牌"): "粤C12345"})  # no km: nothing to place
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == 4 and len(_events(database)) == 4
    assert report.km_readings == 2
    assert _readings(database) == {printed: [60000], "粤B88888": [40000, 45000],
                                   fourth: [31000]}
    code = _cell(path, col, 2, "编号")
    assert [(n.en, n.zh) for n in report.notes if "车牌" in n.en] == [
        (f"row 2 ({code}): the km is stored for 粤B88888, the plate typed over 车牌, not for "
         f"the car printed ({printed})",
         f"第 2 行（{code}）：当前里程记在改填的车牌 粤B88888 名下，而不是打印的车辆（{printed}）")]
    assert report.problems == (
        (3, "the contact is stored, but not its 当前里程 (km): 车牌 粤A99999 typed on the row is "
            "none of this customer's cars, so whose odometer it is cannot be told; put the "
            "reading in by hand on the customer's page"),)
    assert third != "粤A99999" and owner
    assert (report.km_no_car, report.km_unread, report.km_clashes) == (
        report.km_left_out, (), ())


def test_a_km_read_again_after_its_plate_is_typed_moves_to_that_car(listed, supervisor):
    """Read, then the caller types the other car's plate over 车牌 and the file is read
    again: the row's reading is the other car's, not a second one beside the printed car's;
    undoing that read puts it back on the printed car."""
    database, path, col = listed
    with database.sessions.begin() as s:
        member = s.scalar(select(ListRunMember).where(
            ListRunMember.row_code == _cell(path, col, 2, "编号")))
        s.add(Vehicle(customer_id=member.customer_id, brand="本田", model="雅阁",
                      plate="粤B88888", purchase_date=dt.date(2024, 3, 1)))
    printed, code = _cell(path, col, 2, "车牌"), _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): "接通", (2, "当前里程(公里)"): 45000})
    first = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (first.stored, first.km_readings) == (1, 1)
    _fill(path, col, {(2, "车牌"): "粤B88888"})
    again = outcomes.read_outcomes(database.sessions, path, actor=supervisor, today=TODAY)
    assert (again.stored, again.already, again.corrected) == (0, 1, 1)
    assert _readings(database) == {"粤B88888": [45000]}
    # What was typed over is the plate, not the km: the correction says so, and the note
    # says whose the km now is.
    [corrected] = again.corrections
    assert "read before: 车牌 (plate) typed over since, corrected as this row says" \
        in corrected.en and "之前已读入：车牌此后有改动，已按本行更正" in corrected.zh
    assert [n.zh for n in again.notes] == [
        f"第 2 行（{code}）：当前里程记在改填的车牌 粤B88888 名下，而不是打印的车辆（{printed}）"]
    readback_undo.undo_read_back(database.sessions, again.read_back, actor=supervisor,
                                 today=TODAY)
    assert _readings(database) == {printed: [45000]}


def test_a_plate_typed_for_a_car_printed_without_one_keeps_its_km(database, tmp_path):
    """A new car printed without a plate (not registered yet): the caller writes down its
    plate with the km, and the km is that car's."""
    setup(database)
    with database.sessions.begin() as s:
        car = s.scalar(select(Vehicle).join(Customer, Customer.id == Vehicle.customer_id)
                       .where(Customer.code == "C001"))
        car.plate, car_id = None, car.id
    summary = _run(database)
    doc = runs.load_document(database.sessions, summary.run_id)
    path = excel.write_list(doc, "call", tmp_path / "calls.xlsx")
    col = {c.value: c.column for c in openpyxl.load_workbook(path).active[1]}
    [row] = [r for r in range(2, 20) if _cell(path, col, r, "客户编号") == "C001"]
    assert _cell(path, col, row, "车牌") is None
    _fill(path, col, {(row, "结果"): "接通", (row, "车牌"): "粤B12345",
                      (row, "当前里程(公里)"): 12000})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.km_readings, report.km_left_out) == (1, ())
    with database.sessions() as s:
        assert s.scalars(select(MileageReading.km).where(
            MileageReading.vehicle_id == car_id)).all() == [12000]
