"""UI fixtures: a small demo database and a clean QSettings per test."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from services.demo import generator as demo

DEMO_TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def demo_db(sqlite_database):
    demo.generate(sqlite_database, 150, seed=7, today=DEMO_TODAY)
    return sqlite_database


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    QCoreApplication.setOrganizationName("RevisitTests")
    QCoreApplication.setApplicationName("RevisitTests")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings().clear()
    yield


def shut_down(widget, runner) -> None:
    """End a view before its database goes: delete it now (its timers cannot start new work
    later), cancel what runs and wait for the workers. Disposing an engine under a running
    query crashes the SQLite driver."""
    import shiboken6

    if shiboken6.isValid(widget):
        widget.close()
        shiboken6.delete(widget)
    runner.cancel_all()
    assert runner.wait(30000), "background work did not finish"
