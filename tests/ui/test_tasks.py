"""The task runner: results back on the GUI thread, newest-wins keys, errors and cancel."""

from __future__ import annotations

import threading
import time

from services.store.errors import RevisitError
from ui.tasks import TaskRunner


def test_results_arrive_on_the_gui_thread_and_many_tasks_finish(qtbot):
    runner = TaskRunner()
    got: list[tuple[int, bool]] = []
    gui = threading.get_ident()
    for n in range(200):
        runner.run(lambda _p, _c, n=n: n * n,
                   on_done=lambda r: got.append((r, threading.get_ident() == gui)))
    qtbot.waitUntil(lambda: len(got) == 200, timeout=10000)
    assert sorted(r for r, _ in got) == [n * n for n in range(200)]
    assert all(on_gui for _, on_gui in got)
    assert runner.wait(5000)


def test_only_the_newest_run_with_a_key_is_delivered(qtbot):
    runner = TaskRunner()
    release = threading.Event()
    got = []

    def slow(_p, _c):
        release.wait(5)
        return "old"

    runner.run(slow, on_done=got.append, latest="search")
    runner.run(lambda _p, _c: "new", on_done=got.append, latest="search")
    qtbot.waitUntil(lambda: got == ["new"], timeout=5000)
    release.set()
    assert runner.wait(5000)
    qtbot.wait(50)
    assert got == ["new"]


def test_errors_and_cancel(qtbot):
    runner = TaskRunner()
    failures, cancelled = [], []

    def bad(_p, _c):
        raise RevisitError("The database {where} is read-only.", where="x.sqlite3")

    runner.run(bad, on_failed=failures.append)

    def long(progress, cancel):
        for i in range(1000):
            time.sleep(0.005)
            progress(i, 1000)
        return "finished"

    task = runner.run(long, on_done=failures.append, on_cancelled=lambda: cancelled.append(1))
    task.cancel()
    qtbot.waitUntil(lambda: bool(failures and cancelled), timeout=5000)
    assert isinstance(failures[0], RevisitError) and "read-only" in str(failures[0])
    assert runner.wait(5000) and not runner.busy


def test_a_task_says_what_runs_before_any_step(qtbot):
    """The status bar can name the work at once, as a busy indicator (0 of 0 steps)."""
    runner = TaskRunner()
    said = []
    runner.progress.connect(lambda label, done, total: said.append((label, done, total)))
    gate = threading.Event()
    runner.run(lambda _p, _c: gate.wait(5), label="Preparing")
    assert said == [("Preparing", 0, 0)]
    gate.set()
    assert runner.wait(5000)


def test_a_refusing_database_is_one_sentence_naming_it(qtbot, sqlite_database):
    """A write on a read-only database (here: a connection with query_only on, as a read-only
    file gives) reaches the window as a RevisitError naming the database, not a bug report."""
    from sqlalchemy import create_engine, event, text

    url = sqlite_database.url
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    def write(_p, _c):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO tag_group (name, sort_order) VALUES ('x', 0)"))

    runner = TaskRunner(database_url=url)
    failures = []
    try:
        runner.run(write, on_failed=failures.append, write=True)
        qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    finally:
        assert runner.wait(5000)
        engine.dispose()
    assert isinstance(failures[0], RevisitError)
    assert "read-only" in str(failures[0])
    assert str(sqlite_database.url).split("///")[-1] in str(failures[0])
