"""A reminder run's talking points, on SQLite and PostgreSQL: the car's maintenance due date
within 60 days or overdue (首保 without a maintenance visit, counted from the purchase; by
months or by km, per brand), and the customer's open declined repairs due by then (the first
two by due date, how many in all, long text cut); the same as the row-by-row reference and the
brief, printed on the call sheet and the Excel list; no other purpose's run has them, nor pays
for them in its query."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from models import Customer, ListRunMember, MileageReading, ServiceVisit, Vehicle
from models.codes import PURPOSES
from services.customers import reminders
from services.demo import generator as demo
from services.lists import build
from services.lists.query import candidate_query
from services.outputs import excel, pdf_call_sheet
from services.segments import service as segments
from tests.services import lists_reference as reference

D = dt.date
AS_OF = D(2026, 11, 23)  # + 60 days: 2027-01-22
SEGMENT = "保养提醒测试"
# What the reminder points of each customer must say; "" for none.
WANT = {
    "D60": "保养 2027-01-22 到期：提醒预约",
    "TODAY": "保养 2026-11-23 到期：提醒预约",
    "LATE": "保养已逾期 12 天（2026-11-11 到期）：提醒预约",
    "FIRST": "首保 2027-01-01 到期：提醒预约",
    "FIRSTLATE": "首保已逾期 22 天（2026-11-01 到期）：提醒预约",
    "BRAND": "首保 2026-12-01 到期：提醒预约",  # its brand's 首保 is 6 months, not 3
    "KM": "保养 2027-01-09 到期：提醒预约",  # 5,000 km in 100 days, months on 2027-04-01
    "D61": "",
    "ITEMS": "建议维修：更换雨刮片（2026-11-01 到期，已逾期）、节气门清洗（2026-12-05 到期）"
             "等 4 项",
    "TWO": "建议维修：减震器渗油，建议更换前…（2026-12-15 到期）、更换轮胎（2026-12-15 到期）",
    "NOCAR": "建议维修：更换蓄电池（2027-01-22 到期）",
    "BOTH": "保养 2027-01-01 到期：提醒预约；建议维修：更换空调滤芯（2026-12-01 到期）",
    # Overdue up to 180 days (the maintenance template's reach) is a reminder; longer, the car
    # has most likely been serviced elsewhere since: a win-back call, said in months or years.
    "D180": "保养已逾期 180 天（2026-05-27 到期）：提醒预约",
    "D181": "保养已逾期约 6 个月（2026-05-26 到期），久未回店：先问车况，邀请回店检查",
    # Bought in 2018 and never serviced here: not 首保 overdue by 8 years (serviced elsewhere
    # or before the records start) but the regular schedule's next milestone from the purchase,
    # which the caller is told.
    "YEARS": "保养 2027-01-01 到期（无保养记录，按常规间隔）：提醒预约",
    # Its work order's 下次保养日期: the day the owner was told, said so.
    "TOLD": "保养 2026-12-20 到期（上次保养时告知）：提醒预约",
    "TOLDLATE": "保养已逾期 10 天（2026-11-13 到期，上次保养时告知）：提醒预约",
}
REMINDER_WORDS = ("保养 ", "首保", "保养已逾期", "建议维修", "提醒预约")


def _customer(s, code: str, i: int, brand: str = "本田", bought: D | None = D(2024, 1, 1),
              visits=(), readings=()) -> Customer:
    c = Customer(code=code, name=f"车主{code}", mobile=f"1380013{i:04d}")
    s.add(c)
    s.flush()
    if bought is not None:
        v = Vehicle(customer_id=c.id, brand=brand, model="M1", plate=f"粤B{i:05d}",
                    purchase_date=bought)
        s.add(v)
        s.flush()
        s.add_all(ServiceVisit(customer_id=c.id, vehicle_id=v.id, visit_date=d, km=km,
                               visit_type=kind, amount=Decimal("300")) for d, km, kind in visits)
        s.add_all(MileageReading(vehicle_id=v.id, reading_date=d, km=km) for d, km in readings)
    return c


def _declined(db, customer_id: int, item: str, due: D | None, recorded: D = D(2026, 9, 1),
              closed: tuple[str, D] | None = None) -> None:
    row = reminders.record_declined(db.sessions, None, customer_id, item=item,
                                    recorded_on=recorded, due_on=due, today=D(2026, 12, 31))
    if closed is not None:
        reminders.close_declined(db.sessions, None, row.id, closed[0], closed_on=closed[1])


@pytest.fixture
def world(database, supervisor):
    reminders.set_interval(database.sessions, supervisor, reminders.Interval(5000, 6, 10000, 12),
                           brand="丰田")
    with database.sessions.begin() as s:
        made = {
            "D60": _customer(s, "D60", 1, visits=[(D(2026, 7, 22), 10000, "maintenance")]),
            "D61": _customer(s, "D61", 2, visits=[(D(2026, 7, 23), 10000, "maintenance")]),
            "TODAY": _customer(s, "TODAY", 3, visits=[(D(2026, 5, 23), 9000, "maintenance")]),
            "LATE": _customer(s, "LATE", 4, visits=[(D(2026, 5, 11), 9000, "maintenance"),
                                                    # a repair visit is no maintenance
                                                    (D(2026, 8, 1), 9500, "repair")]),
            # No maintenance visit: 首保 (3 months by default) from the purchase; a
            # maintenance visit after the run's date does not count yet.
            "FIRST": _customer(s, "FIRST", 5, bought=D(2026, 10, 1),
                               visits=[(D(2026, 10, 20), 800, "repair"),
                                       (D(2026, 11, 24), 1500, "maintenance")]),
            "FIRSTLATE": _customer(s, "FIRSTLATE", 6, bought=D(2026, 8, 1)),
            "BRAND": _customer(s, "BRAND", 7, brand="丰田", bought=D(2026, 6, 1)),
            "KM": _customer(s, "KM", 8, visits=[(D(2026, 10, 1), 30000, "maintenance")],
                            readings=[(D(2026, 9, 1), 28500), (D(2026, 10, 1), 30000)]),
            "ITEMS": _customer(s, "ITEMS", 9, visits=[(D(2026, 7, 23), 10000, "maintenance")]),
            "TWO": _customer(s, "TWO", 10, visits=[(D(2026, 7, 23), 10000, "maintenance")]),
            "NOCAR": _customer(s, "NOCAR", 11, bought=None),
            "BOTH": _customer(s, "BOTH", 12, visits=[(D(2026, 7, 1), 10000, "maintenance")]),
            "D180": _customer(s, "D180", 13, visits=[(D(2025, 11, 27), 9000, "maintenance")]),
            "D181": _customer(s, "D181", 14, visits=[(D(2025, 11, 26), 9000, "maintenance")]),
            "YEARS": _customer(s, "YEARS", 15, bought=D(2018, 1, 1)),
            "TOLD": _customer(s, "TOLD", 16, visits=[(D(2026, 8, 1), 10000, "maintenance")]),
            "TOLDLATE": _customer(s, "TOLDLATE", 17,
                                  visits=[(D(2026, 8, 1), 10000, "maintenance")]),
        }
        ids = {code: c.id for code, c in made.items()}
        s.flush()
        for code, day in (("TOLD", D(2026, 12, 20)), ("TOLDLATE", D(2026, 11, 13))):
            told = s.scalars(select(ServiceVisit)
                             .where(ServiceVisit.customer_id == ids[code])).one()
            told.next_service_date = day
    items = ids["ITEMS"]
    _declined(database, items, "更换前刹车片", D(2026, 12, 10))
    _declined(database, items, "更换雨刮片", D(2026, 11, 1))  # overdue: still open
    _declined(database, items, "四轮定位", D(2027, 1, 23))  # due in 61 days: not yet
    # No due date: due 30 days after it was noted (2026-12-20), third by due date.
    _declined(database, items, "保养时未做的项目", None, recorded=D(2026, 11, 20))
    _declined(database, items, "更换火花塞", D(2026, 12, 1), closed=("done", D(2026, 11, 20)))
    _declined(database, items, "更换刹车油", D(2026, 12, 1), closed=("refused", D(2026, 11, 22)))
    # Done only after the run's date: open on it.
    _declined(database, items, "节气门清洗", D(2026, 12, 5), closed=("done", D(2026, 11, 30)))
    _declined(database, items, "空调系统清洗", D(2026, 12, 1), recorded=D(2026, 11, 25))
    # Two due the same day: the newest noted first; a long item cut to 12 characters.
    _declined(database, ids["TWO"], "更换轮胎", D(2026, 12, 15), recorded=D(2026, 10, 1))
    _declined(database, ids["TWO"], "减震器渗油，建议更换前后两侧", D(2026, 12, 15),
              recorded=D(2026, 11, 1))
    _declined(database, ids["NOCAR"], "更换蓄电池", D(2027, 1, 22))  # the 60th day
    _declined(database, ids["BOTH"], "更换空调滤芯", D(2026, 12, 1))
    segments.save_segment(database.sessions, SEGMENT, {"version": 1}, purpose="reminder")
    return database


def _points(summary: build.RunSummary) -> dict[str, str]:
    assert summary.document is not None
    return {m.customer_code: m.talking_points for m in summary.document.members}


def _reminder_part(points: str) -> str:
    return "；".join(p for p in points.split("；") if p.startswith(("保养", "首保", "建议维修")))


def test_reminder_points_say_the_due_date_and_the_declined_repairs(world):
    run = build.build_run(world.sessions, SEGMENT,
                          build.RunOptions(as_of=AS_OF, channel="call"), document=True)
    assert run.purpose == "reminder"
    points = _points(run)
    assert set(points) == set(WANT)
    assert {code: _reminder_part(p) for code, p in points.items()} == WANT
    # The reason for the call comes first: the call sheet's column has six lines for all.
    for code, want in WANT.items():
        assert points[code].startswith(want)
    assert points["ITEMS"] == WANT["ITEMS"]  # the car is due in 61 days: no maintenance point


def test_the_reference_and_the_brief_agree(world):
    options = build.RunOptions(as_of=AS_OF, channel="call")
    new = build.build_run(world.sessions, SEGMENT, options, document=True)
    old = reference.build_run(world.sessions, SEGMENT, options)
    from services.lists import runs

    assert _points(new) == {m.customer_code: m.talking_points
                            for m in runs.load_document(world.sessions, old.run_id).members}
    # The date said is the brief's (services/customers/reminders.py), car by car.
    with world.sessions() as s:
        ids = dict(s.query(Customer.code, Customer.id))
    for code in ("D60", "LATE", "FIRST", "FIRSTLATE", "BRAND", "KM"):
        (due,) = reminders.maintenance_due(world.sessions, ids[code], AS_OF)
        assert due.due is not None and due.due.isoformat() in _points(new)[code]
        assert due.first_service == ("首保" in _points(new)[code])


def test_other_purposes_have_none_of_them_nor_their_query(world):
    for purpose in ("care", "callback", "survey"):
        run = build.build_run(world.sessions, SEGMENT, build.RunOptions(
            as_of=AS_OF, channel="call", purpose=purpose), document=True)
        assert run.purpose == purpose and run.members == len(WANT)
        for points in _points(run).values():
            assert not any(word in points for word in REMINDER_WORDS), points
    # Only a reminder run's facts read maintenance visits, intervals or declined items.
    seg, members = build.segment_members(world.sessions, SEGMENT, AS_OF)
    for purpose in PURPOSES:
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            sql = str(candidate_query(members, AS_OF, purpose, lateral=True).compile(
                dialect=dialect))
            for table in ("declined_item", "service_visit", "service_interval"):
                assert (table in sql) == (purpose == "reminder"), (purpose, table)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")
def test_the_call_sheet_and_the_excel_list_print_them(world, tmp_path):
    run = build.build_run(world.sessions, SEGMENT,
                          build.RunOptions(as_of=AS_OF, channel="call"), document=True)
    assert run.document is not None
    pdf = pdf_call_sheet.write_call_sheet(run.document, tmp_path / "sheet.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    for want in (WANT["FIRSTLATE"], WANT["KM"], WANT["TWO"], WANT["YEARS"]):
        assert "".join(want.split()) in flat, want
    xlsx = excel.write_list(run.document, "call", tmp_path / "list.xlsx")
    ws = openpyxl.load_workbook(xlsx).active
    rows = list(ws.iter_rows(values_only=True))
    column = rows[0].index("话术要点")
    printed = {str(r[column] or "") for r in rows[1:]}
    assert WANT["ITEMS"] in printed and WANT["FIRST"] in printed
    assert any(p.startswith(WANT["YEARS"]) for p in printed)


def test_demo_reminder_run_says_the_brief_s_dates(database):
    """On demo data (visits, readings, intervals per make, declined items of every kind):
    every member's maintenance point is their car's due date as the brief gives it."""
    demo.generate(database, 120, seed=5, today=AS_OF)
    segments.save_segment(database.sessions, "全部", {"version": 1}, purpose="reminder")
    run = build.build_run(database.sessions, "全部", build.RunOptions(as_of=AS_OF),
                          document=True)
    assert run.document is not None
    with database.sessions() as s:
        cars = dict(s.execute(select(ListRunMember.row_code, ListRunMember.vehicle_id)
                              .where(ListRunMember.run_id == run.run_id)).all())
        dues = {d.vehicle_id: d for d in reminders.due_rows(
            s, Vehicle.id.in_([v for v in cars.values() if v is not None]), AS_OF)}
    said = no_record = 0
    for m in run.document.members:
        car = dues.get(cars[m.row_code])
        if car is None:  # no car: nothing to say of maintenance
            assert "提醒预约" not in m.talking_points and "回店" not in m.talking_points
            continue
        soon = car.due is not None and (car.due - AS_OF).days <= 60
        said_due = "提醒预约" in m.talking_points or "邀请回店检查" in m.talking_points
        assert said_due == soon, (m.customer_code, car)
        if soon:
            assert car.due is not None
            said += 1
            first = m.talking_points.split("；")[1 if m.talking_points.startswith("电话") else 0]
            assert first.startswith("首保" if car.first_service else "保养"), first
            assert car.due.isoformat() in first
            # A car with no maintenance on record says why its day is the regular schedule's.
            assert ("无保养记录，按常规间隔" in first) == car.no_record, first
            no_record += car.no_record
    assert said > 10 and no_record > 0
    assert any("建议维修：" in m.talking_points for m in run.document.members)


def test_a_list_of_the_service_templates_is_a_reminder(database):
    """`list build service.maintenance_due` (the template saved under its key) makes a
    reminder run, whose points say what is due, without a purpose given; so do the declined
    repairs' template and the referral templates their own purposes."""
    demo.generate(database, 60, seed=3, today=AS_OF)
    run = build.build_run(database.sessions, "service.maintenance_due",
                          build.RunOptions(as_of=AS_OF), document=True)
    assert run.purpose == "reminder" and run.members > 0
    assert run.document is not None
    assert all(m.talking_points.startswith(("保养", "首保", "电话")) for m in
               run.document.members)
    purposes = {key: segments.save_template(database.sessions, key).purpose for key in
                ("service.declined_due", "referral.ask", "referral.thanks", "matrix.7+.high")}
    assert purposes == {"service.declined_due": "reminder", "referral.ask": "ref_ask",
                        "referral.thanks": "ref_thanks", "matrix.7+.high": "sales"}

