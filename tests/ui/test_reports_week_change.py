"""Changing the dashboard's week: the figures are counted on the task runner's threads while the
window goes on answering, and a week asked for while an earlier one is still being counted is
what stays on screen: the earlier one's late result is dropped and its remaining questions are
not asked."""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtCore import QDate, QTimer

from services.reports import dashboard
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.tasks import TaskRunner
from ui.views.reports_view import ReportsView

OLD_END = DEMO_TODAY - dt.timedelta(days=8)  # the Sunday of the week before the demo's last
NEW_END = OLD_END + dt.timedelta(days=7)


class Held:
    """dashboard.dashboard as it is, but a call for `end` waits until released, noting the
    thread it ran on and whether it was cancelled by the time it went on."""

    def __init__(self, monkeypatch, end: dt.date) -> None:
        self.end, self.gate = end, threading.Event()
        self.threads: list[threading.Thread] = []
        self.asked: list[dt.date] = []
        self.cancelled: list[bool] = []
        self.completed_for: list[dt.date] = []
        real, real_completed = dashboard.dashboard, dashboard.completed

        def held(sessions, start, end, *args, **kw):
            self.threads.append(threading.current_thread())
            self.asked.append(end)
            if end == self.end:
                assert self.gate.wait(30)
                cancel = kw.get("cancel")
                self.cancelled.append(bool(cancel and cancel()))
            return real(sessions, start, end, *args, **kw)

        def completed(sessions, d, *args, **kw):
            self.completed_for.append(d.end)
            return real_completed(sessions, d, *args, **kw)

        monkeypatch.setattr(dashboard, "dashboard", held)
        monkeypatch.setattr(dashboard, "completed", completed)


def _view(demo_db) -> tuple[ReportsView, TaskRunner]:
    runner = TaskRunner()
    view = ReportsView(demo_db, runner)
    view.resize(1200, 800)
    return view, runner


def _ask_week(view: ReportsView, end: dt.date) -> None:
    view.end.setDate(QDate(end))
    view.start.setDate(QDate(end - dt.timedelta(days=6)))


def test_the_dashboard_is_counted_off_the_gui_thread(qtbot, demo_db, monkeypatch):
    held = Held(monkeypatch, OLD_END)
    view, runner = _view(demo_db)
    _ask_week(view, OLD_END)
    qtbot.waitUntil(lambda: OLD_END in held.asked, timeout=10000)
    # The question for OLD_END waits on a worker; the GUI thread meanwhile runs its timers.
    ticks: list[int] = []
    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1], timeout=2000)
    assert view.dashboard.data is None or view.dashboard.data.end != OLD_END
    held.gate.set()
    qtbot.waitUntil(lambda: view.dashboard.data is not None and view.dashboard.data.complete
                    and view.dashboard.data.end == OLD_END, timeout=30000)
    assert threading.main_thread() not in held.threads
    shut_down(view, runner)


def test_a_later_week_is_never_overwritten_by_an_earlier_one(qtbot, demo_db, monkeypatch):
    held = Held(monkeypatch, OLD_END)
    view, runner = _view(demo_db)
    _ask_week(view, OLD_END)
    qtbot.waitUntil(lambda: OLD_END in held.asked, timeout=10000)
    view._shift(7)  # ▶ while the earlier week is still being counted
    assert view.period() == (NEW_END - dt.timedelta(days=6), NEW_END)
    qtbot.waitUntil(lambda: view.dashboard.data is not None and view.dashboard.data.complete
                    and bool(view.dashboard.data.behind), timeout=30000)
    assert view.dashboard.data.end == NEW_END
    held.gate.set()  # the earlier week's question comes back late
    qtbot.waitUntil(lambda: held.cancelled != [], timeout=10000)
    assert held.cancelled == [True]  # its step was stopped: no question of it was asked
    assert runner.wait(30000)
    qtbot.wait(50)  # any late result delivered by now
    shown = view.dashboard.data
    assert shown.end == NEW_END and shown.complete and shown.behind
    assert OLD_END not in held.completed_for  # the earlier week went no further
    want = dashboard.dashboard(demo_db.sessions, NEW_END - dt.timedelta(days=6), NEW_END)
    assert shown.contacts == want.contacts
    assert [f.value for f in shown.matrix] == [f.value for f in want.matrix]
    shut_down(view, runner)
