"""Settings: shared values saved to the database, bad values refused, language remembered."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSettings, QTime

from services.staff import accounts
from services.store.settings import Settings, load_settings
from tests.conftest import SUPERVISOR_PASSWORD
from ui.tasks import TaskRunner
from ui.views.settings_view import LANGUAGE_KEY, SettingsView


def _view(qtbot, database, actor=None):
    """The view as the database's supervisor sees it (made first when there is none)."""
    if actor is None:
        actor = (accounts.create_first_supervisor(database.sessions, "boss", "王主管",
                                                  SUPERVISOR_PASSWORD)
                 if accounts.needs_first_supervisor(database.sessions)
                 else accounts.sign_in(database.sessions, "boss", SUPERVISOR_PASSWORD).actor)
    runner = TaskRunner()
    view = SettingsView(database, runner, actor)
    qtbot.addWidget(view)
    return view, runner


def test_shared_settings_are_saved_for_every_pc(qtbot, sqlite_database):
    view, runner = _view(qtbot, sqlite_database)
    view.signature.setText("【广州某某丰田】")
    view.window_end.setTime(QTime(21, 0))
    view.fatigue.setValue(30)
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save_button.click()
    stored = load_settings(sqlite_database.sessions)
    assert (stored.sms_signature, stored.sms_window_end, stored.contact_fatigue_days) == (
        "【广州某某丰田】",
        dt.time(21, 0),
        30,
    )
    fresh, _ = _view(qtbot, sqlite_database)
    assert fresh.signature.text() == "【广州某某丰田】"
    runner.wait()


def test_bad_settings_show_a_message_and_store_nothing(qtbot, sqlite_database, monkeypatch):
    shown = []
    monkeypatch.setattr("ui.tasks.show_error", lambda parent, exc: shown.append(str(exc)))
    view, runner = _view(qtbot, sqlite_database)
    view.window_start.setTime(QTime(21, 0))
    view.window_end.setTime(QTime(8, 0))
    view.save_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "window" in shown[0]
    assert load_settings(sqlite_database.sessions) == Settings()
    runner.wait()


def test_language_choice_is_remembered(qtbot, sqlite_database):
    view, _ = _view(qtbot, sqlite_database)
    view.language.setCurrentIndex(view.language.findData("en"))
    assert QSettings().value(LANGUAGE_KEY) == "en"
    assert view.language_note.text()
