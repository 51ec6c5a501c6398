"""Withdrawing a list made by mistake in the window, and putting it back: the button for a
supervisor or the list's maker only, the question first, the run marked so on screen and under
Past runs, its calls out of the queue and back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from models import ListRunMember
from services.contacts import calls
from services.lists import runs
from services.segments import service as segments
from tests.ui import test_lists_view
from tests.ui.conftest import DEMO_TODAY, demo_account, shut_down
from ui.tasks import TaskRunner
from ui.views.lists_view import ListsView

asked = test_lists_view.asked  # every question answered Yes, its text kept (a fixture)
_build = test_lists_view._build


@pytest.fixture
def saved(demo_db) -> None:
    segments.save_segment(demo_db.sessions, "5年以上车主", {"version": 1, "where": {
        "field": "years_since_purchase", "op": ">=", "value": 5}}, purpose="sales")


def _view(qtbot, database, actor) -> tuple[ListsView, TaskRunner]:
    runner = TaskRunner()
    widget = ListsView(database, runner, actor=actor)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.segment.count() > 0 and widget.callers.count() > 0,
                    timeout=5000)
    return widget, runner


def test_a_supervisor_withdraws_a_list_and_puts_it_back(qtbot, demo_db, asked, saved):
    view, runner = _view(qtbot, demo_db, demo_account(demo_db, "supervisor"))
    try:
        run_id = _build(qtbot, view)

        with demo_db.sessions() as s:
            callers = s.scalars(select(ListRunMember.assigned_staff_id).distinct().where(
                ListRunMember.run_id == run_id, ListRunMember.channel == "phone")).all()

        def queued() -> int:
            """The run's calls in its callers' queues."""
            return sum(1 for staff in callers
                       for d in calls.queue(demo_db.sessions, staff, DEMO_TODAY,
                                                limit=10_000).calls
                       if d.row_code and d.row_code.startswith(f"{run_id}-"))

        before = queued()
        assert before > 0
        assert view.withdraw_button.isVisible()
        assert view.withdraw_button.text() == "&Withdraw this list…"
        with qtbot.waitSignal(view.run_built, timeout=10000):
            qtbot.mouseClick(view.withdraw_button, Qt.MouseButton.LeftButton)
        assert asked[-1].startswith(f"Withdraw list #{run_id}?")
        assert runs.run_info(demo_db.sessions, run_id).withdrawn and queued() == 0
        assert "This list was withdrawn" in view.summary.text()
        assert view.withdraw_button.text() == "Put this list &back…"
        assert not view.finish_button.isVisible()
        view.tabs.setCurrentIndex(1)
        qtbot.waitUntil(lambda: view.history.rowCount() == 1, timeout=5000)
        assert view.history.item(0, 7).text() == "withdrawn"
        view.tabs.setCurrentIndex(0)
        with qtbot.waitSignal(view.run_built, timeout=10000):
            qtbot.mouseClick(view.withdraw_button, Qt.MouseButton.LeftButton)
        assert asked[-1].startswith(f"Put list #{run_id} back?")
        assert not runs.run_info(demo_db.sessions, run_id).withdrawn and queued() == before
        assert "withdrawn" not in view.summary.text()
    finally:
        shut_down(view, runner)


def test_staff_see_no_withdraw_button_on_a_list_someone_else_made(qtbot, demo_db, asked,
                                                                   saved):
    view, runner = _view(qtbot, demo_db, demo_account(demo_db, "supervisor"))
    try:
        run_id = _build(qtbot, view)
    finally:
        shut_down(view, runner)
    view, runner = _view(qtbot, demo_db, demo_account(demo_db, "chenli"))
    try:
        with qtbot.waitSignal(view.run_built, timeout=10000):
            view.open_run(run_id)
        assert not view.withdraw_button.isVisible()
    finally:
        shut_down(view, runner)


def test_withdrawing_a_list_without_callers_says_no_queue_held_its_calls(qtbot, demo_db, asked,
                                                                         saved):
    view, runner = _view(qtbot, demo_db, demo_account(demo_db, "supervisor"))
    notices: list[str] = []
    runner.notice.connect(lambda notice: notices.append(notice.text))
    try:
        run_id = _build(qtbot, view, callers=0)
        with qtbot.waitSignal(view.run_built, timeout=10000):
            qtbot.mouseClick(view.withdraw_button, Qt.MouseButton.LeftButton)
        assert notices[-1] == (f"List #{run_id} withdrawn; none of its calls was in a "
                               "caller's queue.")
    finally:
        shut_down(view, runner)
