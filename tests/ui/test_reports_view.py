"""The reports area shows the week's contacts per caller as the service counts them."""

from __future__ import annotations

from PySide6.QtCore import QDate

from services.reports import activity as reports
from tests.ui.conftest import DEMO_TODAY
from ui.tasks import TaskRunner
from ui.views.reports_view import ReportsView


def test_week_table_matches_the_service_and_moves_by_week(qtbot, demo_db):
    runner = TaskRunner()
    view = ReportsView(demo_db, runner)
    qtbot.addWidget(view)
    monday, _ = reports.week_of(DEMO_TODAY)
    view.start.setDate(QDate(monday.year, monday.month, monday.day).addDays(-7))
    view.end.setDate(QDate(monday.year, monday.month, monday.day).addDays(-1))
    qtbot.waitUntil(lambda: view.table.rowCount() > 0, timeout=5000)
    report = reports.activity(demo_db.sessions, view.start.date().toPython(),
                              view.end.date().toPython())
    qtbot.waitUntil(lambda: view.table.rowCount() == len(report.callers), timeout=5000)
    shown = {view.table.item(r, 0).text(): int(view.table.item(r, 1).text().replace(",", ""))
             for r in range(view.table.rowCount())}
    assert sum(shown.values()) == report.total
    start = view.start.date()
    view._shift(-7)
    assert view.start.date() == start.addDays(-7)
    runner.wait()


def test_figures_follow_calls_saved_elsewhere(qtbot, demo_db):
    """A call saved in another area reaches the report through the runner's data_changed."""
    import datetime as dt

    from sqlalchemy import select

    from models import Customer
    from services.contacts import calls
    from ui.tasks import changed

    runner = TaskRunner()
    view = ReportsView(demo_db, runner)
    qtbot.addWidget(view)
    today = dt.date.today()
    view.start.setDate(QDate(today))
    view.end.setDate(QDate(today))
    before = reports.activity(demo_db.sessions, today, today).total
    qtbot.waitUntil(lambda: view.headline.text().startswith(f"{before} "), timeout=5000)
    with demo_db.sessions() as s:
        customer_id = s.scalars(select(Customer.id).limit(1)).one()
    calls.record_call(demo_db.sessions, customer_id, None, calls.CallResult(outcome="reached"))
    runner.announce(changed("contacts", customer=customer_id))
    qtbot.waitUntil(lambda: view.headline.text().startswith(f"{before + 1} "), timeout=5000)
    runner.wait()
