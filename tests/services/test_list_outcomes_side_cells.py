"""A call read back from a filled-in list is never lost for a side cell: a next date that is
no day, a km that clashes with the car's history, a 回访员 who is nobody leave that cell out
(said by its row) and store the contact; the summary counts the rows not stored. On SQLite
and PostgreSQL, through the service and `main.py list outcomes`."""

from __future__ import annotations

from sqlalchemy import select

import main
from models import ContactEvent, ListRunMember, MileageReading
from services.lists import outcomes
from services.staff import accounts
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill, _visit_reading

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def test_an_appointment_with_no_such_next_day_is_stored_without_it(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    _fill(path, col, {(2, "结果"): "已预约", (2, "联系日期"): "2026-11-24",
                      (2, "下次跟进"): "2026-02-30"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.not_stored, report.found) == (1, 0, ())
    assert [p.row for p in report.cells_left_out] == [2]
    assert "follow-up date '2026-02-30' is not a date" in report.cells_left_out[0].en
    with database.sessions() as s:
        event = s.scalars(select(ContactEvent).where(
            ContactEvent.list_run_id.is_not(None))).one()
        status = s.scalar(select(ListRunMember.status).where(ListRunMember.row_code == code))
    assert (event.outcome, event.next_follow_up) == ("appointment", None)
    assert status == "appointment"


def test_a_km_below_the_cars_last_keeps_the_call(listed):
    database, path, col = listed
    vehicle = _visit_reading(database, path, col, 2, 86278)
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24",
                      (2, "当前里程(公里)"): "约8万"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.km_readings, report.not_stored) == (1, 0, 0)
    assert [p.row for p in report.km_left_out] == [2]
    assert "km 80,000 is less than the 86,278 km read on 2026-10-01" in \
        report.km_left_out[0].en
    with database.sessions() as s:
        assert list(s.scalars(select(MileageReading.km).where(
            MileageReading.vehicle_id == vehicle))) == [86278]


def test_the_summary_counts_the_rows_not_stored(listed, monkeypatch, capsys):
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "接通", (3, "联系日期"): "2026-11-20",
                      (4, "客户反馈"): "回头再说", (5, "结果"): "接通",
                      (5, "回访员"): "小王"})
    monkeypatch.setenv("REVISIT_USER", "boss")
    monkeypatch.setenv("REVISIT_PASSWORD", SUPERVISOR_PASSWORD)
    capsys.readouterr()
    code = main.main(["--db", database.url, "list", "outcomes", str(path)])
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    # Row 3 is dated before its list, row 4 has feedback and no outcome; row 5's caller is
    # nobody: stored under the list's caller, and warned of.
    assert out.splitlines()[0].startswith("2 contacts stored, ")
    assert out.splitlines()[0].endswith(", 2 rows not stored")
    assert ("revisit: warning: 1 row(s) stored without a date or 回访员 cell that could not be "
            "read or could not be right (row 5)") in err
