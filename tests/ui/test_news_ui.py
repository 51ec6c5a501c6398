"""News from other PCs reaches the window (ui/news.py): another process stores a call or a
change in the same database, the window's next look announces it, and the areas show it — the
caller's queue refreshed, the customer page told (not reloaded under its reader) and reloaded
on the click."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Customer, StaffUser
from services.customers import profile
from tests.ui import test_followup_view as followups
from tests.ui.conftest import shut_down
from ui.news import NewsWatcher
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView
from ui.views.followup_view import FollowUpView

due_db = followups.due_db  # two follow-ups of 陈丽 due today (a fixture)
ROOT = Path(__file__).resolve().parents[2]
# Run in a process of its own, as another PC would: argv 1 the database URL, 2 the customer,
# 3 the staff member.
CALL = """
import datetime as dt, sys
from services.contacts import calls
from services.store.database import open_database
db = open_database(sys.argv[1], upgrade=False)
calls.record_call(db.sessions, int(sys.argv[2]), int(sys.argv[3]),
                  calls.CallResult(outcome="reached", next_follow_up=dt.date.today()),
                  purpose="care")
db.dispose()
"""
CHANGE = """
import datetime as dt, sys
from services.customers import profile
from services.store.database import open_database
db = open_database(sys.argv[1], upgrade=False)
profile.record_change(db.sessions, int(sys.argv[2]), "occupation", "律师",
                      effective_date=dt.date.today(), source="manual",
                      staff_id=int(sys.argv[3]))
db.dispose()
"""


def _elsewhere(script: str, database, customer_id: int, staff_id: int) -> None:
    subprocess.run([sys.executable, "-c", script, database.url, str(customer_id),
                    str(staff_id)], cwd=ROOT, check=True, timeout=60)


@pytest.fixture
def watching(qtbot):
    """Start a watcher on a view's runner; it looks only when told (look)."""
    started = []

    def start(runner, database, me=None) -> NewsWatcher:
        watcher = NewsWatcher(runner, database, me, interval_ms=3_600_000)
        watcher.start()
        qtbot.waitUntil(lambda: watcher.mark is not None, timeout=5000)
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.stop()


def test_a_call_promised_on_another_pc_joins_the_callers_queue(qtbot, due_db, watching):
    with due_db.sessions.begin() as s:
        extra = Customer(code="C9", name="王芳", mobile="13800138009")
        s.add(extra)
        s.flush()
        extra_id = extra.id
        chenli = s.scalar(select(StaffUser.id).where(StaffUser.username == "chenli"))
    runner = TaskRunner()
    view = FollowUpView(due_db, runner)
    try:
        view.show()
        qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=5000)
        watcher = watching(runner, due_db)
        _elsewhere(CALL, due_db, extra_id, chenli)
        assert view.queue.count() == 2  # nothing reads the database until the look
        watcher.look()
        qtbot.waitUntil(lambda: view.queue.count() == 3, timeout=5000)
        assert any("王芳" in view.queue.item(i).text() for i in range(3))
    finally:
        shut_down(view, runner)


def test_a_customer_changed_elsewhere_is_told_then_shown_on_the_click(qtbot, demo_db,
                                                                      watching):
    runner = TaskRunner()
    view = CustomersView(demo_db, runner)
    try:
        view.resize(1300, 800)
        view.show()
        qtbot.waitUntil(lambda: view.model.rowCount() == 150, timeout=10000)
        view.table.selectRow(0)
        qtbot.waitUntil(lambda: view.page.customer_id is not None, timeout=5000)
        shown = view.page.customer_id
        qtbot.waitUntil(lambda: view.page._detail is not None
                        and view.page._detail.id == shown, timeout=5000)
        with demo_db.sessions() as s:
            colleague = s.scalar(select(StaffUser.id).where(StaffUser.username == "liuyang"))
        watcher = watching(runner, demo_db, me=None)
        _elsewhere(CHANGE, demo_db, shown, colleague)
        watcher.look()
        qtbot.waitUntil(view.page.elsewhere.isVisible, timeout=5000)
        assert "another PC" in view.page.elsewhere.text()
        # Not reloaded under the reader: the page still shows what it showed.
        assert all(c.new_value != "律师" for c in view.page._detail.profile_history)
        view.page.elsewhere.linkActivated.emit("reload")
        qtbot.waitUntil(lambda: not view.page.elsewhere.isVisible(), timeout=5000)
        assert profile.history(demo_db.sessions, shown, "occupation")[-1].new_value == "律师"
        assert any(c.new_value == "律师" for c in view.page._detail.profile_history)
    finally:
        shut_down(view, runner)
