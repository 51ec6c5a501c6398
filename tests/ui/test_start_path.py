"""What the window's start hands over or leaves for later (ui/app.py): the first search read
while the password was checked, and the day's backup taken once the window shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QApplication, QMessageBox

from services.customers.search import find_ids
from services.store import backup
from services.store.backup import DAILY, list_backups, stored_place
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView


def _dailies(path) -> list:
    return [b for b in list_backups(stored_place(path)) if b.reason == DAILY]


def test_the_list_shows_the_first_search_it_is_given_without_searching_again(
        qtbot, demo_db, monkeypatch):
    ids = find_ids(demo_db.engine.connect)
    searched = []
    monkeypatch.setattr("services.customers.search.find_ids",
                        lambda *a, **k: searched.append(a) or ids[:3])
    runner = TaskRunner()
    view = CustomersView(demo_db, runner, first_ids=ids)
    try:
        with qtbot.waitSignal(view.search_finished, timeout=5000) as found:
            view.show()
        assert found.args == [150] and view.model.rowCount() == 150 and searched == []
        assert view.model.customer_id(0) == ids[0]
        # What the user types next is searched as usual.
        with qtbot.waitSignal(view.search_finished, timeout=5000):
            view.search.setText("x")
        assert view.model.rowCount() == 3 and len(searched) == 1
    finally:
        shut_down(view, runner)


def test_the_customers_page_is_built_right_after_the_first_rows_show(qtbot, demo_db):
    runner = TaskRunner()
    view = CustomersView(demo_db, runner, first_ids=find_ids(demo_db.engine.connect))
    try:
        page_at_rows = []
        view.search_finished.connect(lambda _n: page_at_rows.append(view._page))
        view.show()
        qtbot.waitUntil(lambda: view._page is not None, timeout=5000)
        assert page_at_rows == [None]
        assert view.splitter.widget(1) is view.page
        assert view.page.customer_id is None and view.preferences is view.page.preferences_panel
        sizes = view.splitter.sizes()
        assert sizes[1] > 0 and sizes[0] > sizes[1] / 2  # the default split, page included
    finally:
        shut_down(view, runner)


def test_a_search_started_first_wins_over_the_ids_handed_over(qtbot, demo_db):
    runner = TaskRunner()
    view = CustomersView(demo_db, runner, first_ids=[1, 2])
    try:
        with qtbot.waitSignal(view.search_finished, timeout=5000):
            view._run_search()  # before the event loop delivered the ids
        QApplication.processEvents()
        assert view.model.rowCount() == 150
    finally:
        shut_down(view, runner)


def _window(demo_db, actor):
    from ui.main_window import MainWindow

    return MainWindow(demo_db, actor)


def test_the_window_takes_the_days_backup_once(qtbot, demo_db, demo_supervisor):
    path = Path(demo_db.engine.url.database)
    assert _dailies(path) == []
    window = _window(demo_db, demo_supervisor)
    notices = []
    window.runner.notice.connect(notices.append)
    window.start_daily_backup()
    window.wait_for_daily_backup()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=15000)
    daily = _dailies(path)
    assert len(daily) == 1 and daily[0].ok and daily[0].time.date() == dt.date.today()
    assert [str(daily[0].path) in n.text for n in notices] == [True]
    window.start_daily_backup()  # a second opening the same day: nothing more
    window.wait_for_daily_backup()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=15000)
    assert len(_dailies(path)) == 1
    window.close()  # waits for a backup under way (none now)
    shiboken6.delete(window)


def test_a_daily_backup_that_fails_is_a_warning_after_the_window_shows(
        qtbot, demo_db, demo_supervisor, monkeypatch):
    from services.store.errors import RevisitError

    def refuse(_path):
        raise RevisitError("The disk is full.")

    monkeypatch.setattr(backup, "daily_backup", refuse)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    window = _window(demo_db, demo_supervisor)
    window.start_daily_backup()
    qtbot.waitUntil(lambda: warned != [], timeout=15000)
    assert "disk is full" in warned[0]
    window.runner.cancel_all()
    assert window.runner.wait(30000)
    QApplication.processEvents()
    window.close()
    shiboken6.delete(window)


def _hold_write_lock(database):
    """Another program's write lock on the audit trail: the whole file on SQLite, the table on
    PostgreSQL. What lets it go."""
    from sqlalchemy import create_engine

    if database.is_sqlite:
        import sqlite3

        holder = sqlite3.connect(database.engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        return holder.close
    engine = create_engine(database.engine.url)
    conn = engine.connect()
    conn.exec_driver_sql("BEGIN")
    conn.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")

    def release() -> None:
        conn.close()
        engine.dispose()

    return release


def test_a_sign_in_from_the_environment_behind_a_write_lock_asks_in_the_dialog_saying_why(
        qapp, database, supervisor, monkeypatch):
    """Recording the sign-in waits for the other program, then the dialog opens saying the
    database is busy (it was a traceback and no window): signing in there tries again."""
    import argparse

    from models import db as db_urls
    from services.store.database import open_database
    from tests.conftest import SUPERVISOR_PASSWORD
    from ui import app

    monkeypatch.setattr(db_urls, "SQLITE_BUSY_MS", 300)  # the program waits 8 s
    monkeypatch.setattr(db_urls, "PG_LOCK_TIMEOUT", "300ms")
    monkeypatch.setenv("REVISIT_USER", "boss")
    monkeypatch.setenv("REVISIT_PASSWORD", SUPERVISOR_PASSWORD)
    asked = []
    monkeypatch.setattr("ui.dialogs.sign_in_dialog.sign_in",
                        lambda _db, user, refused=None: asked.append((user, refused)))
    mine = open_database(database.url, upgrade=False)
    release = _hold_write_lock(database)
    try:
        early = app._start_sign_in(mine, argparse.Namespace(user=None))
        assert early is not None
        actor, first_ids = app._sign_in(mine, argparse.Namespace(user=None), early)
    finally:
        release()
        mine.dispose()
    assert actor is None and first_ids is None
    [(user, refused)] = asked
    assert user == "boss"
    assert "is busy with another person's or program's work" in str(refused)
