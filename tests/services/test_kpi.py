"""KPI targets: stored in one shared setting by a supervisor only, refused on a stale version,
and shown against each person's actuals with the gap."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import select

from models import AppSetting, AuditLog, StaffUser
from services.reports import kpi
from services.reports.kpi import Target
from services.staff.permissions import NotAllowed
from services.store.errors import RevisitError, StaleEdit
from services.store.settings import load_settings
from tests.services import report_data
from tests.services.report_data import END, START


def test_supervisor_saves_targets_and_a_stale_save_is_refused(database, supervisor, staff):
    assert kpi.load_targets(database.sessions).version == 0
    saved = kpi.save_targets(database.sessions, supervisor, Target(50, 0.6, 5),
                             {staff.id: Target(80, None, 8, 4)}, version=0)
    assert saved.version == 1
    assert saved.for_staff(staff.id) == Target(80, None, 8, 4)
    assert saved.for_staff(supervisor.id) == Target(50, 0.6, 5)
    with database.sessions() as s:
        stored = json.loads(s.scalar(select(AppSetting.value).where(AppSetting.key == kpi.KEY)))
        assert stored["staff"] == {str(staff.id): {"calls_per_week": 80,
                                                   "appointments_per_week": 8,
                                                   "kept_per_week": 4}}
        assert s.scalar(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(1)) == (
            "save_kpi_targets")
    # The shared settings still load: the targets row is not one of them.
    assert load_settings(database.sessions).contact_fatigue_days >= 0
    with pytest.raises(StaleEdit, match="KPI targets"):
        kpi.save_targets(database.sessions, supervisor, Target(60), {}, version=0)
    assert kpi.save_targets(database.sessions, supervisor, Target(60), {}, version=1).version == 2
    with pytest.raises(NotAllowed):
        kpi.save_targets(database.sessions, staff, Target(1), {}, version=2)
    with pytest.raises(RevisitError, match="weekly target"):
        kpi.save_targets(database.sessions, supervisor, Target(kept_per_week=-1), {}, version=2)
    with pytest.raises(RevisitError, match="reach-rate"):
        kpi.save_targets(database.sessions, supervisor, Target(reach_rate=1.5), {}, version=2)
    assert kpi.load_targets(database.sessions).default == Target(60)


def test_actuals_against_targets_by_hand(database):
    from services.staff import accounts

    boss = accounts.create_first_supervisor(database.sessions, "boss", "王主管", "boss-secret")
    ids = report_data.build(database)
    kpi.save_targets(database.sessions, boss, Target(4, 0.75, 2, 2), {ids["b"]: Target(1)},
                     version=0)
    rows = {r.staff: r for r in kpi.kpi(database.sessions, START, END)}
    a, b = rows["陈丽"], rows["刘洋"]
    assert a.weeks == 1
    # 陈丽: 3 attempts, 2 reached (67%), 1 appointment, kept; targets 4, 75%, 2, 2 kept.
    assert (a.attempts, a.reached, a.appointments, a.kept) == (3, 2, 1, 1)
    assert (a.calls_gap, a.appointments_gap, a.kept_gap) == (-1, -1, -1)
    assert a.reach_gap == pytest.approx(2 / 3 - 0.75)
    # 刘洋 has a calls target of their own and no other: 2 attempts against 1.
    assert (b.calls_gap, b.reach_gap, b.appointments_gap, b.kept_gap) == (1, None, None, None)
    assert rows["王主管"].attempts == 0 and rows["王主管"].reach_rate is None
    two_weeks = {r.staff: r for r in kpi.kpi(database.sessions, START.replace(day=9), END)}
    assert two_weeks["陈丽"].calls_target == 8 and two_weeks["陈丽"].attempts == 4
    assert [r.staff for r in kpi.kpi(database.sessions, START, END, only_staff=ids["b"])] == [
        "刘洋"]


def test_a_person_disabled_since_keeps_the_contacts_they_made(database):
    """Their rows dropped out of the targets sheet, so it no longer added up to the week."""
    ids = report_data.build(database)
    with database.sessions.begin() as s:
        s.get_one(StaffUser, ids["b"]).active = False
    rows = {r.staff: r for r in kpi.kpi(database.sessions, START, END)}
    assert rows["刘洋"].attempts == 2
    # One disabled before the week, with nothing in it, is not listed.
    assert [r.staff for r in kpi.kpi(database.sessions, START.replace(year=START.year - 1),
                                     END.replace(year=END.year - 1))] == ["陈丽"]


def test_actuals_against_pandas_on_demo_data(database):
    import datetime as dt

    from services.demo import generator as demo

    demo.generate(database, 150, seed=7, today=dt.date(2026, 11, 23))
    start, end = dt.date(2026, 9, 1), dt.date(2026, 11, 22)
    rows = {r.staff_id: r for r in kpi.kpi(database.sessions, start, end)}
    with database.engine.connect() as conn:
        ev = pd.read_sql_table("contact_event", conn)
    ev = ev[(ev.contact_at >= pd.Timestamp(start))
            & (ev.contact_at < pd.Timestamp(end) + pd.Timedelta(days=1))
            & ev.staff_id.notna()]
    assert len(ev) > 20
    for sid, g in ev.groupby("staff_id"):
        r = rows[int(sid)]
        assert r.attempts == int((~g.outcome.isin(["sent", "failed"])).sum())
        assert r.reached == int(g.outcome.isin(["reached", "appointment", "bought",
                                                "refused"]).sum())
        assert r.appointments == int((g.outcome == "appointment").sum())


def test_a_supervisor_has_no_default_targets(database):
    """The default targets are the callers'; a supervisor, listed with their actuals, has
    targets only when given their own."""
    from services.staff import accounts

    boss = accounts.create_first_supervisor(database.sessions, "boss", "王主管", "boss-secret")
    ids = report_data.build(database)
    saved = kpi.save_targets(database.sessions, boss, Target(250, 0.6, 20), {}, version=0)
    assert saved.for_staff(boss.id, "supervisor") == Target()
    assert saved.for_staff(boss.id) == saved.for_staff(ids["a"], "clerk") == Target(250, 0.6, 20)
    rows = {r.staff: r for r in kpi.kpi(database.sessions, START, END)}
    assert rows["王主管"].target == Target() and rows["王主管"].calls_target is None
    assert (rows["王主管"].calls_gap, rows["王主管"].reach_gap) == (None, None)
    assert rows["陈丽"].calls_target == 250 and rows["陈丽"].calls_gap == 3 - 250
    kpi.save_targets(database.sessions, boss, Target(250, 0.6, 20), {boss.id: Target(10)},
                     version=1)
    rows = {r.staff: r for r in kpi.kpi(database.sessions, START, END)}
    assert rows["王主管"].target == Target(10) and rows["王主管"].calls_gap == -10
