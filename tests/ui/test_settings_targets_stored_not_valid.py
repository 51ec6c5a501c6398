"""KPI targets written around the app (an SQL UPDATE of their stored JSON, an older copy) that
a save would refuse — -500 calls a week, a reach rate of 150% — are read as no target: the
report counts no gap against them, and the Targets tab shows none and says so in one sentence
naming the target and whose it is, in the window's language. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from services.reports import kpi
from services.reports.kpi import Target
from ui.views.report_targets import COL_CALLS_T, COL_REACH_T, TargetsTab

TODAY = dt.date.today()


def _store(database, data: dict) -> None:
    """The targets' row as SQL would write it, with no check at all."""
    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO app_setting (key, value, version, updated_at) "
                          "VALUES (:k, :v, 1, CURRENT_TIMESTAMP)"),
                     {"k": kpi.KEY, "v": json.dumps(data)})


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_stored_targets_out_of_range_are_no_target_and_said(qtbot, database, staff,
                                                            translated):
    _store(database, {"default": {"calls_per_week": -500, "appointments_per_week": 10},
                      "staff": {str(staff.id): {"reach_rate": 1.5, "calls_per_week": 40}}})
    targets = kpi.load_targets(database.sessions)
    # The valid ones beside them are used as stored.
    assert targets.default == Target(appointments_per_week=10)
    assert targets.for_staff(staff.id) == Target(calls_per_week=40)
    assert [(w.staff_id, w.measure, w.stored) for w in targets.not_valid] == [
        (None, "calls_per_week", -500), (staff.id, "reach_rate", 1.5)]
    rows = kpi.kpi(database.sessions, TODAY - dt.timedelta(days=6), TODAY)
    callers = {r.staff_id: r for r in rows}
    assert callers[staff.id].target.reach_rate is None

    tab = TargetsTab(can_edit=True)
    qtbot.addWidget(tab)
    tab.show_kpi(targets, rows)
    assert tab.table.cellWidget(0, COL_CALLS_T).value() == 0  # shown as no target
    at = 1 + [r.staff_id for r in rows].index(staff.id)
    assert tab.table.cellWidget(at, COL_REACH_T).value() == 0
    assert tab.table.cellWidget(at, COL_CALLS_T).value() == 40
    assert tab.not_valid.isVisibleTo(tab)
    said = tab.not_valid.text().splitlines()
    if translated == "zh_CN":
        assert said == [
            "已存储的默认（回访员）的每周电话数目标为 -500，不是有效值；现按无目标处理。",
            "已存储的陈丽的接通率目标为 150%，不是有效值；现按无目标处理。"]
    else:
        assert said == [
            "The stored calls per week target of the callers' default is -500, which is not "
            "valid; no target is used instead.",
            "The stored reach rate target of 陈丽 is 150%, which is not valid; no target is "
            "used instead."]
    # Targets as stored by a save say nothing.
    tab.show_kpi(kpi.Targets(Target(25), (), 1), rows)
    assert not tab.not_valid.isVisibleTo(tab)
