"""Service intervals edited as the Settings window edits them, on SQLite and PostgreSQL: listed
with the cars each governs, added, changed (brand and model too) and removed by a supervisor
only, every change in the audit trail; a row changed, removed or taken by someone else since the
list was loaded refuses the save, naming who — proved with two real processes at once."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest

from models import Customer, Vehicle
from services.customers import reminders
from services.customers.reminders import Interval
from services.staff import accounts, signing
from services.staff.audit import AuditFilter, read_audit
from services.staff.permissions import NotAllowed
from services.store.database import open_database
from services.store.errors import RevisitError, StaleEdit

OTHER_PASSWORD = "li-secret"
TEN = Interval(5000, 6, 10000, 12)


@pytest.fixture
def other(database, supervisor):
    """A second supervisor (李主管, user name li)."""
    accounts.add_account(database.sessions, supervisor, "li", "李主管", "supervisor",
                         OTHER_PASSWORD)
    return signing.sign_in(database.engine, "li", OTHER_PASSWORD).actor


def _cars(database, *specs: tuple[str, str, int, bool]) -> None:
    """Cars of one owner each: (brand, model, how many, still owned)."""
    with database.sessions.begin() as s:
        n = 0
        for brand, model, count, active in specs:
            for _ in range(count):
                n += 1
                c = Customer(code=f"K{n}", name=f"车主{n}")
                s.add(c)
                s.flush()
                s.add(Vehicle(customer_id=c.id, brand=brand, model=model, active=active,
                              purchase_date=dt.date(2024, 1, 1)))


def _row(database, brand: str, model: str = "") -> reminders.IntervalRow:
    table = reminders.interval_table(database.sessions)
    return next(r for r in table.rows if (r.brand, r.model) == (brand, model))


def test_the_table_lists_the_default_first_and_the_cars_each_row_governs(database, supervisor):
    _cars(database, ("丰田", "凯美瑞", 3, True), ("丰田", "卡罗拉", 2, True),
          ("宝马", "3系", 4, True), ("宝马", "5系", 1, True), ("本田", "雅阁", 2, True),
          ("丰田", "凯美瑞", 5, False))  # sold cars are nobody's reminder
    table = reminders.interval_table(database.sessions)
    assert [(r.brand, r.model, r.id, r.interval) for r in table.rows] == [
        ("", "", None, reminders.DEFAULT_INTERVAL)]
    assert table.cars == (12,)
    assert dict(table.models) == {"丰田": ("凯美瑞", "卡罗拉"), "宝马": ("3系", "5系"),
                                  "本田": ("雅阁",)}

    reminders.save_interval(database.sessions, supervisor, TEN, brand="宝马", model="",
                            loaded=None)
    reminders.save_interval(database.sessions, supervisor, Interval(3000, 3, 7500, 6),
                            brand="宝马", model="3系", loaded=None)
    reminders.save_interval(database.sessions, supervisor, Interval(3000, 3, 5000, 6),
                            brand="丰田", model="凯美瑞", loaded=None)
    table = reminders.interval_table(database.sessions)
    got = {(r.brand, r.model): n for r, n in zip(table.rows, table.cars, strict=True)}
    # The model's row its own cars, the brand's row the brand's other cars, the default the rest.
    assert got == {("", ""): 4, ("宝马", ""): 1, ("宝马", "3系"): 4, ("丰田", "凯美瑞"): 3}
    assert sum(table.cars) == 12
    assert table.rows[0].id is None  # still the built-in default: nothing stored for it
    assert all(r.updated_by == "王主管" and r.updated_at for r in table.rows[1:])


def test_add_change_rename_and_remove_are_audited(database, supervisor):
    reminders.save_interval(database.sessions, supervisor, TEN, brand=" 宝马 ", model="",
                            loaded=None)
    row = _row(database, "宝马")
    assert (row.interval, row.updated_by) == (TEN, "王主管")
    # The default of every car, stored for the first time from its built-in row.
    reminders.save_interval(database.sessions, supervisor, Interval(3000, 3, 6000, 6),
                            brand="", model="", loaded=_row(database, ""))
    assert _row(database, "").id is not None
    # Changed, then moved to one model of the brand.
    reminders.save_interval(database.sessions, supervisor, Interval(5000, 6, 15000, 12),
                            brand="宝马", model="", loaded=row)
    reminders.save_interval(database.sessions, supervisor, Interval(5000, 6, 15000, 12),
                            brand="宝马", model="5系", loaded=_row(database, "宝马"))
    assert [(r.brand, r.model) for r in reminders.intervals(database.sessions)] == [
        ("", ""), ("宝马", "5系")]
    reminders.remove_interval(database.sessions, supervisor, _row(database, "宝马", "5系"))
    assert [(r.brand, r.model) for r in reminders.intervals(database.sessions)] == [("", "")]
    entries = [e for e in read_audit(database.sessions, supervisor, AuditFilter()).entries
               if e.entity == "service_interval"]
    actions = [(e.action, e.detail_data()["brand"], e.detail_data()["model"])
               for e in reversed(entries)]
    assert actions == [("set_service_interval", "宝马", ""), ("set_service_interval", "", ""),
                       ("set_service_interval", "宝马", ""),
                       ("set_service_interval", "宝马", "5系"),
                       ("remove_service_interval", "宝马", "5系")]
    assert entries[1].detail_data()["before"] == ["宝马", "", [5000, 6, 15000, 12]]
    with pytest.raises(RevisitError, match="built-in default"):
        reminders.remove_interval(database.sessions, supervisor,
                                  reminders.IntervalRow("", "", reminders.DEFAULT_INTERVAL))


def test_only_a_supervisor_edits_and_values_must_make_sense(database, supervisor, staff):
    with pytest.raises(NotAllowed):
        reminders.save_interval(database.sessions, staff, TEN, brand="宝马", model="",
                                loaded=None)
    reminders.save_interval(database.sessions, supervisor, TEN, brand="宝马", model="",
                            loaded=None)
    with pytest.raises(NotAllowed):
        reminders.remove_interval(database.sessions, staff, _row(database, "宝马"))
    with pytest.raises(RevisitError, match="needs its brand"):
        reminders.save_interval(database.sessions, supervisor, TEN, brand="", model="3系",
                                loaded=None)
    with pytest.raises(RevisitError, match="at least 1 km"):
        reminders.save_interval(database.sessions, supervisor, Interval(5000, 0, 10000, 12),
                                brand="宝马", model="", loaded=_row(database, "宝马"))
    assert _row(database, "宝马").interval == TEN


def test_a_row_changed_removed_or_taken_since_loading_refuses_the_save(database, supervisor,
                                                                       other):
    reminders.save_interval(database.sessions, supervisor, TEN, brand="宝马", model="",
                            loaded=None)
    mine, theirs = _row(database, "宝马"), _row(database, "宝马")
    reminders.save_interval(database.sessions, other, Interval(5000, 6, 12000, 12),
                            brand="宝马", model="", loaded=theirs)
    with pytest.raises(StaleEdit, match="^李主管 changed this service interval at "):
        reminders.save_interval(database.sessions, supervisor, Interval(5000, 6, 8000, 12),
                                brand="宝马", model="", loaded=mine)
    with pytest.raises(StaleEdit, match="李主管 changed"):
        reminders.remove_interval(database.sessions, supervisor, mine)
    assert _row(database, "宝马").interval == Interval(5000, 6, 12000, 12)  # theirs stays
    # Removed meanwhile: an edit of the old row is refused, not turned into a new row.
    fresh = _row(database, "宝马")
    reminders.remove_interval(database.sessions, other, fresh)
    with pytest.raises(StaleEdit, match="was removed since you loaded"):
        reminders.save_interval(database.sessions, supervisor, TEN, brand="宝马", model="",
                                loaded=fresh)
    assert reminders.intervals(database.sessions) == ()
    # Two people adding the same brand: the second is told who did it first.
    reminders.save_interval(database.sessions, other, TEN, brand="奥迪", model="",
                            loaded=None)
    with pytest.raises(StaleEdit, match="^李主管 set a service interval for this brand"):
        reminders.save_interval(database.sessions, supervisor, TEN, brand="奥迪", model="",
                                loaded=None)
    # Renaming onto a brand that has its own row is refused the same way.
    reminders.save_interval(database.sessions, supervisor, TEN, brand="宝马", model="",
                            loaded=None)
    with pytest.raises(StaleEdit, match="for this brand and model"):
        reminders.save_interval(database.sessions, supervisor, TEN, brand="奥迪", model="",
                                loaded=_row(database, "宝马"))
    assert [(r.brand, r.model) for r in reminders.intervals(database.sessions)] == [
        ("奥迪", ""), ("宝马", "")]


def _load_wait_save(url: str, actor, every_km: int, barrier, results) -> None:
    """In its own process: load the brand's row, wait for the other process, then save."""
    database = open_database(url)
    try:
        row = next(r for r in reminders.intervals(database.sessions) if r.brand == "宝马")
        barrier.wait(timeout=120)
        try:
            reminders.save_interval(database.sessions, actor, Interval(5000, 6, every_km, 12),
                                    brand="宝马", model="", loaded=row)
            results.put((actor.username, "saved", ""))
        except RevisitError as exc:
            results.put((actor.username, type(exc).__name__, str(exc)))
    finally:
        database.dispose()


def test_two_processes_save_the_same_row_at_once_and_exactly_one_wins(database, supervisor,
                                                                      other):
    reminders.save_interval(database.sessions, supervisor, TEN, brand="宝马", model="",
                            loaded=None)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_load_wait_save,
                               args=(database.url, actor, km, barrier, results))
               for actor, km in ((supervisor, 8000), (other, 12000))]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=180) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert sorted(kind for _, kind, _ in outcomes) == ["StaleEdit", "saved"], outcomes
    winner = next(user for user, kind, _ in outcomes if kind == "saved")
    refusal = next(text for _, kind, text in outcomes if kind != "saved")
    assert refusal.startswith({"boss": "王主管", "li": "李主管"}[winner] + " changed this ")
    assert _row(database, "宝马").interval.every_km == {"boss": 8000, "li": 12000}[winner]
