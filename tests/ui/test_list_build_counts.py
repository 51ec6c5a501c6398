"""The list wizard says how many the segment has before it builds, stores no run of nobody,
and leaves a service reminder's SMS sending time where staff put it."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QDate, QDateTime, QTime

from services.lists import runs
from services.segments import service as segments
from services.store.settings import load_settings
from tests.ui.conftest import DEMO_TODAY
from tests.ui.test_list_files import _run
from tests.ui.test_lists_view import asked, view  # noqa: F401  (fixtures)
from ui.tasks import TaskRunner
from ui.views.list_outputs import ListOutputs

OLD_CARS = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}}


def _on(view, day: QDate) -> None:  # noqa: F811  (the fixture's name)
    view.as_of.setDate(day)


def test_the_question_says_how_many_the_segment_has(qtbot, view, demo_db, asked):  # noqa: F811
    _on(view, QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day))
    with qtbot.waitSignal(view.run_built, timeout=30000):
        view.build_button.click()
    customers = segments.count(demo_db.sessions, OLD_CARS, DEMO_TODAY).customers
    assert customers > 0
    assert len(asked) == 1 and f"The segment has {customers} customer(s) that day" in asked[0]


def test_a_segment_with_nobody_stores_no_run_and_says_so_in_one_sentence(
        qtbot, view, demo_db, asked, monkeypatch):  # noqa: F811
    told: list[str] = []
    monkeypatch.setattr("ui.views.lists_view.QMessageBox.information",
                        lambda _parent, _title, text, *_a, **_k: told.append(text))
    _on(view, QDate(2001, 1, 1))  # nobody had owned a car five years by then
    view.build_button.click()
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    assert asked == [] and runs.list_runs(demo_db.sessions) == ()
    [said] = told
    assert "2001-01-01" in said and "5年以上车主" in said
    qtbot.waitUntil(view.build_button.isEnabled)


def test_a_reminders_sending_time_stays_where_it_was_put(qtbot, demo_db):
    run_id = _run(demo_db, "sms")
    settings = load_settings(demo_db.sessions)
    doc = runs.load_document(demo_db.sessions, run_id)
    late = QDateTime(QDate(2026, 11, 24), QTime(21, 30))
    for purpose, moved in (("reminder", False), ("care", True)):
        panel = ListOutputs(TaskRunner(), sessions=demo_db.sessions)
        qtbot.addWidget(panel)
        # The time proposed when the panel opens (an hour from now) is not moved before the
        # list it is for is known.
        proposed = panel.send_at.dateTime()
        assert abs(proposed.secsTo(QDateTime.currentDateTime().addSecs(3600))) < 60
        panel.send_at.setDateTime(late)
        panel.set_document(dataclasses.replace(doc, purpose=purpose), settings)
        assert (panel.send_at.dateTime() != late) == moved, purpose
