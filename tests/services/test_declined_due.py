"""A declined repair with no due date of its own (most of a DMS work order's 建议维修项目) is due
DECLINED_DUE_DAYS after the day it was noted, on SQLite and PostgreSQL: in the
service.declined_due template and its field, a reminder run's talking points (and the
reference run), the brief, and the suggestion facts of the full and the condensed brief."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from models import Customer
from services.customers import brief_batch, reminders
from services.customers.brief import load_brief
from services.customers.suggest import load_rules_in
from services.customers.suggest_facts import facts_of, merge_values
from services.lists import build, runs
from services.segments import service as segments
from services.segments.catalog import FIELDS
from services.segments.maintenance import DECLINED_DUE_DAYS
from services.store.database import Database
from tests.services import lists_reference as reference

D = dt.date
T = D(2026, 11, 23)
DAY = dt.timedelta(days=1)
SEGMENT = "建议维修回访测试"


def _add(db, cid: int, item: str, recorded: D, due: D | None = None,
         closed: D | None = None) -> reminders.DeclinedInfo:
    row = reminders.record_declined(db.sessions, None, cid, item=item, recorded_on=recorded,
                                    due_on=due, today=T)
    if closed is not None:
        reminders.close_declined(db.sessions, None, row.id, "done", closed_on=closed)
    return row


@dataclass(frozen=True)
class World:
    db: Database
    ids: dict[str, int]

    @property
    def sessions(self):
        return self.db.sessions


@pytest.fixture
def world(database) -> World:
    with database.sessions.begin() as s:
        made = [Customer(code=code, name=f"车主{code}", mobile=f"1390013{i:04d}")
                for i, code in enumerate(("AGO20", "TODAY", "CLOSED", "OWN", "BOTH"))]
        s.add_all(made)
        s.flush()
        ids = {c.code: c.id for c in made}
    _add(database, ids["AGO20"], "刹车片", T - 20 * DAY)  # due in 10 days
    _add(database, ids["TODAY"], "更换轮胎", T)  # due in 30 days: the template's last day
    _add(database, ids["CLOSED"], "更换雨刮片", T - 20 * DAY, closed=T - DAY)
    # Its own date stands: due in 45 days, not 10.
    _add(database, ids["OWN"], "四轮定位", T - 20 * DAY, due=T + 45 * DAY)
    _add(database, ids["BOTH"], "空调清洗", T - 5 * DAY, due=T + 40 * DAY)
    _add(database, ids["BOTH"], "更换蓄电池", T - 10 * DAY)  # due in 20 days: sooner
    return World(database, ids)


def _members(db, where: dict, as_of: D = T) -> set[str]:
    names = {v: k for k, v in db.ids.items()}
    return {names[m.customer_id] for m in segments.members(
        db.sessions, {"version": 1, "where": where}, as_of).rows}


def _field(days: int) -> dict:
    return {"field": "open_declined_items", "op": "=", "value": True,
            "params": {"days": days}}


def test_the_template_counts_items_without_a_due_date_from_the_day_they_were_noted(world):
    assert DECLINED_DUE_DAYS == 30
    template = segments.find_template("service.declined_due", due_days=30)
    assert _members(world, template.filter["where"]) == {"AGO20", "TODAY", "BOTH"}
    # The day before, TODAY's item was not noted yet; OWN's own date is still 46 days off.
    assert _members(world, template.filter["where"], T - DAY) == {"AGO20", "BOTH"}


def test_the_boundary_day_and_an_item_s_own_due_date(world):
    assert _members(world, _field(30)) == {"AGO20", "TODAY", "BOTH"}
    assert _members(world, _field(29)) == {"AGO20", "BOTH"}  # TODAY's is due on day 30
    assert _members(world, _field(9)) == set()  # AGO20's is due on day 10
    assert _members(world, _field(10)) == {"AGO20"}
    assert _members(world, _field(44)) == {"AGO20", "TODAY", "BOTH"}
    assert _members(world, _field(45)) == {"AGO20", "TODAY", "BOTH", "OWN"}
    # Overdue stays due; the closed one never is.
    assert _members(world, _field(0), T + 31 * DAY) == {"AGO20", "TODAY", "BOTH"}
    field = {"field": "open_declined_items", "op": "=", "value": True}
    assert _members(world, field) == {"AGO20", "TODAY", "OWN", "BOTH"}


def test_a_reminder_run_says_the_due_date_of_each(world):
    segments.save_segment(world.sessions, SEGMENT, {"version": 1}, purpose="reminder")
    options = build.RunOptions(as_of=T, channel="call")
    run = build.build_run(world.sessions, SEGMENT, options, document=True)
    assert run.document is not None
    points = {m.customer_code: m.talking_points for m in run.document.members}
    assert points["AGO20"].startswith("建议维修：刹车片（2026-12-03 到期）")
    assert points["TODAY"].startswith("建议维修：更换轮胎（2026-12-23 到期）")
    assert points["OWN"].startswith("建议维修：四轮定位（2027-01-07 到期）")
    # Soonest due first, whichever has a date of its own.
    assert points["BOTH"].startswith(
        "建议维修：更换蓄电池（2026-12-13 到期）、空调清洗（2027-01-02 到期）")
    assert "建议维修" not in points["CLOSED"]
    # Past the 30 days an undated item is said overdue.
    late = build.build_run(world.sessions, SEGMENT, build.RunOptions(
        as_of=T + 15 * DAY, channel="call"), document=True)
    assert late.document is not None
    said = {m.customer_code: m.talking_points for m in late.document.members}
    assert said["AGO20"].startswith("建议维修：刹车片（2026-12-03 到期，已逾期）")
    # The reference run (tests/services/lists_reference.py) reads them alike.
    old = reference.build_run(world.sessions, SEGMENT, options)
    assert points == {m.customer_code: m.talking_points
                      for m in runs.load_document(world.sessions, old.run_id).members}


def test_the_brief_and_its_facts_give_the_same_due_dates(world):
    ids = world.ids
    b = load_brief(world.sessions, ids["BOTH"], T)
    assert [(d.item, d.due_on, d.due_given) for d in b.declined] == [
        ("更换蓄电池", D(2026, 12, 13), False), ("空调清洗", D(2027, 1, 2), True)]
    facts = facts_of(b)
    assert (facts["open_declined"], facts["declined_due_days"]) == (2, 20)
    values = merge_values(b, facts)
    assert (values["declined_item"], values["declined_due"]) == ("更换蓄电池", "2026-12-13")
    ago = load_brief(world.sessions, ids["AGO20"], T)
    assert facts_of(ago)["declined_due_days"] == 10
    own = load_brief(world.sessions, ids["OWN"], T)
    assert [(d.due_on, d.due_given) for d in own.declined] == [(D(2027, 1, 7), True)]
    assert facts_of(load_brief(world.sessions, ids["CLOSED"], T))["declined_due_days"] is None
    # The condensed brief of a call sheet reads the same facts.
    with world.sessions() as s:
        batch = dict(brief_batch._briefs_of_chunk(s, sorted(ids.values()), T, load_rules_in(s)))
    for code, cid in ids.items():
        full = load_brief(world.sessions, cid, T)
        assert facts_of(batch[cid]) == facts_of(full), code
        assert sorted((d.item, d.due_on, d.due_given) for d in batch[cid].declined) == sorted(
            (d.item, d.due_on, d.due_given) for d in full.declined), code


def test_the_catalog_says_the_rule():
    assert f"due {DECLINED_DUE_DAYS} days after" in FIELDS["open_declined_items"].note
