"""UI fixtures: a small demo database and a clean QSettings per test."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from PySide6.QtCore import (
    QCoreApplication,
    QLocale,
    QMimeData,
    QPointF,
    QSettings,
    Qt,
    QTimer,
    QTranslator,
    QUrl,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from services.demo import generator as demo

DEMO_TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def main_thread_collector(qapp):
    """As in the window (ui/app.py): garbage collected on the GUI thread only, never in a
    background job's thread where a collected widget takes the process down."""
    from ui import qt_fixes

    collector = qt_fixes.MainThreadCollector(parent=qapp)
    yield collector
    collector.timer.stop()
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_between_tests(main_thread_collector):
    gc.disable()  # a test that runs the window's start (end_of_start) turns it on again
    yield
    main_thread_collector.check()


@pytest.fixture
def demo_db(sqlite_database):
    demo.generate(sqlite_database, 150, seed=7, today=DEMO_TODAY)
    return sqlite_database


def demo_account(database, username: str):
    """A demo account of `database` as signed in (the demo gives each the same password)."""
    from services.staff import signing

    return signing.sign_in(database.engine, username, demo.DEMO_PASSWORD,
                            record_it=False).actor


@pytest.fixture
def demo_supervisor(demo_db):
    """The demo's supervisor (王主管, user name supervisor), signed in."""
    return demo_account(demo_db, "supervisor")


@pytest.fixture
def demo_staff(demo_db):
    """A demo staff member (陈丽, user name chenli), signed in."""
    return demo_account(demo_db, "chenli")


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


@pytest.fixture
def translated(request, qapp):
    """The window's language (the test's parameter, "zh_CN" or "en"), installed before the
    widgets are made, as at start; Qt's default again afterwards."""
    from ui.app import install_translators

    install_translators(qapp, request.param)
    yield request.param
    for translator in qapp.findChildren(QTranslator):
        QCoreApplication.removeTranslator(translator)
        translator.deleteLater()
    QLocale.setDefault(QLocale("C"))


def drag_files(widget, *paths, drop: bool = False) -> bool:
    """Drag `paths` onto `widget` as a file manager does (and drop them, as one would: only
    where the drag was taken): whether it took them."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = QPointF(widget.rect().center())
    enter = QDragEnterEvent(where, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    enter.setAccepted(False)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted() or not drop:
        return enter.isAccepted()
    dropped = QDropEvent(where, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
    dropped.setAccepted(False)
    QApplication.sendEvent(widget, dropped)
    return dropped.isAccepted()


def answer_when_asked(button_text: str) -> None:
    """Click `button_text` in the question the window asks next, once it is shown (a modal
    question blocks the test until it is answered)."""
    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        [button] = [b for b in box.buttons() if b.text() == button_text]
        button.click()

    QTimer.singleShot(0, click)
