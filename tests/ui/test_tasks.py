"""The task runner: results back on the GUI thread, newest-wins keys, errors and cancel."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import shiboken6

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


def _python_owned_qobjects(obj) -> list:
    from PySide6.QtCore import QObject

    return [value for value in vars(obj).values()
            if isinstance(value, QObject) and shiboken6.isValid(value)
            and shiboken6.ownedByPython(value)]


def test_a_task_finishing_while_the_runner_is_torn_down_raises_nothing(qtbot, monkeypatch):
    """At exit PySide deletes every QObject that Python owns, in no set order, while the pool
    may still run a task (main.py --quit-after, the window closed as work finishes). Here the
    worst order: what the task holds first, then the runner, the task finishing meanwhile. Its
    news has nobody left to go to and must not raise in the worker (it did: "Signal source has
    been deleted", printed as a traceback); a result while the runner lives still arrives."""
    raised: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, exc, _tb: raised.append(exc))
    runner = TaskRunner()
    got: list[str] = []
    runner.run(lambda _p, _c: "while alive", on_done=got.append)
    qtbot.waitUntil(lambda: got == ["while alive"], timeout=5000)

    gate = threading.Event()
    task = runner.run(lambda _p, _c: gate.wait(5) and "too late", on_done=got.append)
    for owned in _python_owned_qobjects(task):
        shiboken6.delete(owned)
    release = threading.Timer(0.2, gate.set)  # the task ends while the runner is being deleted
    release.start()
    shiboken6.delete(runner)  # its pool waits for the task first
    release.join()
    qtbot.wait(100)  # anything still queued is delivered now
    assert gate.is_set()
    assert raised == []
    assert got == ["while alive"]


EXIT_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui.tasks import TaskRunner
runner = TaskRunner()
def work(_p, _c, n):
    time.sleep(0.05)
    with open({log!r}, "a") as log:
        log.write(str(n) + " ")
for n in range(16):
    runner.run(lambda p, c, n=n: work(p, c, n))
sys.exit(0)
"""


def test_quitting_while_tasks_run_prints_no_traceback(tmp_path):
    """The real exit: 16 tasks still running or queued when the program quits. Each finishes
    (the pool is waited for) and none raises; before, 10 to 16 of them printed "RuntimeError:
    Signal source has been deleted"."""
    script = tmp_path / "quit_while_busy.py"
    log = tmp_path / "finished.txt"
    script.write_text(EXIT_SCRIPT.format(root=str(Path(__file__).resolve().parents[2]),
                                         log=str(log)))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    assert sorted(int(n) for n in log.read_text().split()) == list(range(16))


def test_a_word_said_in_both_languages_reads_in_the_windows():
    from PySide6.QtCore import QLocale

    from services.store.errors import RevisitError, Said
    from ui.i18n import translate_error

    error = RevisitError("“{outcome}” was recorded.", outcome=Said("已预约", "Appointment made"))
    before = QLocale()
    try:
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        assert translate_error(error) == "“已预约” was recorded."  # no translation loaded here
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        assert translate_error(error) == str(error) == "“Appointment made” was recorded."
    finally:
        QLocale.setDefault(before)
