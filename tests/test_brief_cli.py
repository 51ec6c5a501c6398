"""`customer brief / refer / declined / declined-done` as staff type them, on SQLite and
PostgreSQL: what they print matches the stored rows; every refusal is one line, exit code 2."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

import main
from models import Customer, MileageReading, ServiceVisit, Vehicle
from services.customers import referrals, reminders
from tests.conftest import STAFF_PASSWORD, SUPERVISOR_PASSWORD

TODAY = dt.date.today()


@pytest.fixture
def db(database, supervisor, monkeypatch):
    """Three customers; the first has a car with a maintenance visit and two readings."""
    monkeypatch.setenv("REVISIT_USER", "boss")
    monkeypatch.setenv("REVISIT_PASSWORD", SUPERVISOR_PASSWORD)
    with database.sessions.begin() as s:
        people = [Customer(code=f"C{i}", name=name)
                  for i, name in enumerate(("李敏英", "张伟", "王芳"), start=1)]
        s.add_all(people)
        s.flush()
        car = Vehicle(customer_id=people[0].id, brand="丰田", model="凯美瑞", plate="粤A22222",
                      vin="LVGBE40K58G123456", purchase_date=dt.date(2024, 1, 10))
        s.add(car)
        s.flush()
        s.add_all([
            MileageReading(vehicle_id=car.id, reading_date=dt.date(2025, 1, 10), km=10000),
            ServiceVisit(customer_id=people[0].id, vehicle_id=car.id, amount=Decimal("600"),
                         visit_date=dt.date(2025, 1, 10), visit_type="maintenance", km=10000),
        ])
    return database


def cli(capsys, database, *args: str) -> tuple[int, str, str]:
    try:
        code = main.main(["--db", database.url, "customer", *args])
    except SystemExit as exc:  # the parser refused the command line
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def refused(capsys, database, *args: str) -> str:
    code, out, err = cli(capsys, database, *args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and out == "", err
    assert lines[0].startswith("revisit: error: ")
    return lines[0]


def test_referrals_recorded_three_ways_and_shown_in_the_brief(capsys, db, supervisor):
    code, out, _ = cli(capsys, db, "refer", "C2", "--by", "C1", "--on", "2026-03-01")
    assert code == 0 and "C2 张伟 introduced by 李敏英 (C1) on 2026-03-01" in out
    assert cli(capsys, db, "refer", "C3", "--by-staff", "boss")[0] == 0
    assert cli(capsys, db, "refer", "C1", "--by-org", "温州商会", "--on", "2023-05-05")[0] == 0
    ids = {c: referrals.referrals_of(db.sessions, i) for c, i in (("C1", 1), ("C2", 2))}
    assert [r.referrer_name for r in ids["C1"].introduced_by] == ["温州商会"]
    assert [r.introduced_code for r in ids["C1"].introduced] == ["C2"]
    code, out, _ = cli(capsys, db, "brief", "C1")
    line = next(x for x in out.splitlines() if x.startswith("referrals:"))
    assert "introduced by 协会/单位 温州商会 on 2023-05-05" in line
    assert "introduced 1, 0 bought, 0 came for service: 张伟 (C2, introduced 2026-03-01)" in line
    code, out, _ = cli(capsys, db, "brief", "C1", "--format", "json")
    data = json.loads(out)
    assert (data["referrals"]["count"], data["referrals"]["bought"]) == (1, 0)
    assert data["referrals"]["introduced"][0]["introduced_code"] == "C2"
    # Serviced on 2025-01-10, due half a year on and not back since: a win-back call.
    assert data["suggestion"]["purpose"] == "care"
    assert "久未回店" in json.dumps(data["suggestion"], ensure_ascii=False)
    # On an earlier day only what was recorded by then.
    code, out, _ = cli(capsys, db, "brief", "C1", "--as-of", "2024-01-01", "--format", "json")
    data = json.loads(out)
    assert data["referrals"]["introduced"] == [] and data["as_of"] == "2024-01-01"
    assert len(data["referrals"]["introduced_by"]) == 1


def test_maintenance_and_declined_repairs_in_the_brief(capsys, db):
    code, out, _ = cli(capsys, db, "declined", "C1", "--item", "更换刹车片", "--due",
                       "2099-01-01", "--vin", "粤A22222")
    assert code == 0 and "declined repair #1 for customer C1: 更换刹车片, due 2099-01-01" in out
    (item,) = reminders.declined_items(db.sessions, 1)
    assert (item.vehicle, item.status, item.recorded_by) == ("丰田 凯美瑞 粤A22222", "open",
                                                             "王主管")
    code, out, _ = cli(capsys, db, "brief", "C1", "--as-of", "2025-03-01")
    # Maintenance on 10 January 2025 at 10,000 km: six months on is 10 July (the km line,
    # 10,000 km a year, reaches 15,000 km only on 11 July).
    assert "due:           丰田 凯美瑞 粤A22222: maintenance 2025-07-10 (in 131 days)" in out
    assert "declined" not in out  # noted later than that day
    code, out, _ = cli(capsys, db, "brief", "C1")
    assert "declined:      #1 更换刹车片 due 2099-01-01" in out
    code, out, _ = cli(capsys, db, "declined-done", "1", "--status", "done")
    assert code == 0 and f"marked done on {TODAY}" in out
    assert "declined" not in cli(capsys, db, "brief", "C1")[1]
    # No due date given: a month after it was advised, and said to be worked out.
    assert cli(capsys, db, "declined", "C1", "--item", "轮胎老化", "--on", "2026-11-02")[0] == 0
    out = cli(capsys, db, "brief", "C1")[1]
    assert "#2 轮胎老化 due about 2026-12-02 (a month after it was advised)" in out


def test_refusals_are_one_line_and_exit_2(capsys, db):
    assert cli(capsys, db, "refer", "C2", "--by", "C1")[0] == 0
    assert "already recorded" in refused(capsys, db, "refer", "C2", "--by", "C1")
    assert "cannot introduce themselves" in refused(capsys, db, "refer", "C2", "--by", "C2")
    assert "no customer with the code or id 'C9'" in refused(capsys, db, "refer", "C9",
                                                              "--by-org", "商会")
    assert "no staff account 'nobody'" in refused(capsys, db, "refer", "C3", "--by-staff",
                                                  "nobody")
    assert "not allowed with argument" in refused(capsys, db, "refer", "C3", "--by", "C1",
                                                  "--by-org", "商会")
    assert "in the future" in refused(capsys, db, "refer", "C3", "--by-org", "商会", "--on",
                                      "2199-01-01")
    assert "--on" in refused(capsys, db, "refer", "C3", "--by-org", "商会", "--on", "yesterday")
    assert "no car with the VIN or plate" in refused(capsys, db, "declined", "C1", "--item",
                                                     "x", "--vin", "NOPE")
    assert "Say which repair" in refused(capsys, db, "declined", "C1", "--item", " ")
    assert "no declined repair item 5" in refused(capsys, db, "declined-done", "5",
                                                  "--status", "done")
    assert "--status" in refused(capsys, db, "declined-done", "5", "--status", "open")
    assert "no customer" in refused(capsys, db, "brief", "C9")


def test_a_write_needs_a_user(capsys, db, monkeypatch):
    monkeypatch.delenv("REVISIT_USER")
    assert "must say who runs it" in refused(capsys, db, "refer", "C2", "--by", "C1")
    assert referrals.referrals_of(db.sessions, 2).introduced_by == ()


def test_intervals_are_listed_and_set_by_a_supervisor(capsys, db, staff, monkeypatch):
    code, out, _ = cli(capsys, db, "intervals")
    assert out.startswith("(every car)\t首保 3,000 km / 3 months, then every 5,000 km / 6 "
                          "months (default)")
    code, out, _ = cli(capsys, db, "intervals", "--brand", "丰田", "--first-km", "5000",
                       "--first-months", "6", "--every-km", "10000", "--every-months", "12")
    assert code == 0 and "丰田\t首保 5,000 km / 6 months, then every 10,000 km / 12 months" in out
    # The Camry's maintenance on 10 January 2025 is now due twelve months on.
    code, out, _ = cli(capsys, db, "brief", "C1", "--as-of", "2025-03-01")
    assert "maintenance 2026-01-10" in out
    assert "all four" in refused(capsys, db, "intervals", "--every-km", "1")
    monkeypatch.setenv("REVISIT_USER", "chenli")
    monkeypatch.setenv("REVISIT_PASSWORD", STAFF_PASSWORD)
    assert "not a supervisor" in refused(capsys, db, "intervals", "--first-km", "1",
                                         "--first-months", "1", "--every-km", "1",
                                         "--every-months", "1")


def test_the_mobile_is_masked_unless_someone_signed_in(capsys, db, staff, monkeypatch):
    """Whoever signs in calls from the brief and sees the number, as in the window; a read
    nobody signed in to gets it masked, in the text and in the JSON."""
    with db.sessions.begin() as s:
        s.query(Customer).filter_by(code="C1").one().mobile = "13812345678"
    monkeypatch.setenv("REVISIT_USER", staff.username)
    monkeypatch.setenv("REVISIT_PASSWORD", STAFF_PASSWORD)
    assert "13812345678" in cli(capsys, db, "brief", "C1")[1].splitlines()[0]
    monkeypatch.delenv("REVISIT_USER")
    monkeypatch.delenv("REVISIT_PASSWORD")
    code, out, _ = cli(capsys, db, "brief", "C1")
    assert code == 0 and "138****5678" in out.splitlines()[0] and "13812345678" not in out
    code, out, _ = cli(capsys, db, "brief", "C1", "--format", "json")
    assert json.loads(out)["mobile"] == "138****5678" and "13812345678" not in out
