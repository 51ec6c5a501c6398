"""Settings: shared values saved to the database, bad values refused, a change made elsewhere
meanwhile offered for reloading, language remembered; backups made, listed and restored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTime
from PySide6.QtWidgets import QMessageBox

from services.staff import accounts, signing
from services.store.backup import MANUAL, backup_sqlite
from services.store.database import open_database
from services.store.settings import (
    Settings,
    load_settings,
    load_settings_versions,
    save_settings,
)
from tests.conftest import SUPERVISOR_PASSWORD
from ui.tasks import TaskRunner
from ui.views.settings_view import LANGUAGE_KEY, SettingsView


def _view(qtbot, database, actor=None):
    """The view as the database's supervisor sees it (made first when there is none)."""
    if actor is None:
        actor = (accounts.create_first_supervisor(database.sessions, "boss", "王主管",
                                                  SUPERVISOR_PASSWORD)
                 if signing.needs_first_supervisor(database.engine)
                 else signing.sign_in(database.engine, "boss", SUPERVISOR_PASSWORD).actor)
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


def test_a_new_database_shows_no_shop_name_or_signature_only_hints(qtbot, database):
    """No made-up shop: the empty fields say what goes in them; a signature typed is saved in
    its brackets, and one cleared again is saved empty (not set) — on both databases."""
    view, runner = _view(qtbot, database)
    assert (view.shop_name.text(), view.signature.text()) == ("", "")
    assert view.shop_name.placeholderText() == ("The shop's name, as printed on envelopes "
                                                "and in texts")
    assert view.signature.placeholderText() == "【shop name】, as registered with the SMS vendor"
    view.fatigue.setValue(21)  # saving anything else leaves them empty
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save_button.click()
    stored = load_settings(database.sessions)
    assert (stored.shop_name, stored.sms_signature, stored.contact_fatigue_days) == ("", "", 21)

    view.shop_name.setText("广州某某丰田")
    view.signature.setText("某某丰田")
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save_button.click()
    stored = load_settings(database.sessions)
    assert (stored.shop_name, stored.sms_signature) == ("广州某某丰田", "【某某丰田】")
    assert view.signature.text() == "【某某丰田】"

    view.signature.clear()
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save_button.click()
    assert load_settings(database.sessions).sms_signature == ""
    assert view.signature.text() == "" and view.signature.placeholderText()
    runner.wait()


@pytest.mark.parametrize("typed", [
    "广州某某丰田", " [广州某某丰田] ", "［广州某某丰田］", "广州某某丰田】"])
def test_a_signature_typed_without_its_brackets_gets_them(qtbot, sqlite_database, typed):
    view, runner = _view(qtbot, sqlite_database)
    view.signature.setText(typed)
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save_button.click()
    assert load_settings(sqlite_database.sessions).sms_signature == "【广州某某丰田】"
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


def test_a_setting_changed_elsewhere_is_refused_and_the_view_offers_to_reload(
        qtbot, sqlite_database, monkeypatch):
    view, runner = _view(qtbot, sqlite_database)
    boss = view.actor
    accounts.add_account(sqlite_database.sessions, boss, "li", "李主管", "supervisor",
                         "li-secret")
    li = signing.sign_in(sqlite_database.engine, "li", "li-secret").actor
    theirs = load_settings_versions(sqlite_database.sessions)
    save_settings(sqlite_database.sessions,
                  dataclasses.replace(theirs.settings, shop_name="李的店"), li, theirs)
    asked = []

    def answer(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    view.shop_name.setText("王的店")
    view.fatigue.setValue(21)
    view.save_button.click()
    qtbot.waitUntil(lambda: view.shop_name.text() == "李的店", timeout=5000)
    assert "李主管 changed the setting 门店名称" in asked[0]  # its name in the Settings area
    stored = load_settings(sqlite_database.sessions)
    assert (stored.shop_name, stored.contact_fatigue_days) == ("李的店", 14)
    # Reloaded, the view saves on top of the other change.
    view.fatigue.setValue(21)
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save_button.click()
    stored = load_settings(sqlite_database.sessions)
    assert (stored.shop_name, stored.contact_fatigue_days) == ("李的店", 21)
    runner.wait()


def test_staff_see_no_backups(qtbot, database, staff):
    view, runner = _view(qtbot, database, staff)
    # General, Tags and Service intervals: the last two to look at only.
    assert view.backups is None and view.tabs.count() == 4
    assert view.tabs.widget(2) is view.intervals and not view.intervals.may_edit
    runner.wait()


def test_the_sms_price_is_saved_as_an_exact_decimal(qtbot, sqlite_database):
    view, runner = _view(qtbot, sqlite_database)
    assert view.sms_price.value() == 0.045
    assert view.values() == load_settings_versions(sqlite_database.sessions).settings
    view.sms_price.clear()
    qtbot.keyClicks(view.sms_price, "0.038")
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save_button.click()
    stored = load_settings(sqlite_database.sessions)
    assert stored.sms_price_per_part == Decimal("0.038")  # not 0.0379999… from a float
    assert view.sms_price.value() == 0.038
    runner.wait()


def test_the_service_intervals_are_a_tab_of_settings(qtbot, sqlite_database):
    view, runner = _view(qtbot, sqlite_database)
    assert view.tabs.tabText(view.tabs.indexOf(view.intervals)) == "Service intervals"
    qtbot.waitUntil(lambda: view.intervals.text_of("") is not None, timeout=5000)
    assert view.intervals.may_edit and not view.intervals.add_button.isHidden()
    runner.wait()


def test_back_up_now_lists_the_new_backup(qtbot, sqlite_database, tmp_path):
    view, runner = _view(qtbot, sqlite_database)
    panel = view.backups
    assert panel is not None
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert panel.table.rowCount() == 0
    with qtbot.waitSignal(panel.backed_up, timeout=10000) as made:
        panel.backup_button.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    path = made.args[0]
    assert path.parent == tmp_path / "backups" and path.is_file()
    assert panel.table.item(0, 1).text() == "Backed up by hand"
    # Its size as Explorer writes sizes (KB, MB), never MiB or KiB.
    assert re.fullmatch(r"[\d.,]+ (bytes|kB|MB|GB)", panel.table.item(0, 2).text())
    # The folder and the count are shared settings, saved from this tab.
    elsewhere = tmp_path / "elsewhere"
    panel.folder.setText(str(elsewhere))
    panel.kept.setValue(5)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: load_settings(sqlite_database.sessions).backups_kept == 5,
                    timeout=5000)
    assert load_settings(sqlite_database.sessions).backup_folder == str(elsewhere)
    qtbot.waitUntil(lambda: not runner.busy and panel.table.rowCount() == 0, timeout=5000)
    runner.wait()


def test_restore_from_the_window_then_revisit_closes(qtbot, sqlite_database, monkeypatch):
    view, runner = _view(qtbot, sqlite_database)
    panel = view.backups
    path = Path(sqlite_database.engine.url.database)
    saved = backup_sqlite(path, MANUAL)
    boss = view.actor
    loaded = load_settings_versions(sqlite_database.sessions)
    save_settings(sqlite_database.sessions,
                  dataclasses.replace(loaded.settings, shop_name="备份之后"), boss, loaded)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1 and not runner.busy, timeout=5000)
    told = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    view.show()
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.restored, timeout=15000) as done:
        panel.restore_button.click()
    assert done.args[0].backup == saved
    kept = done.args[0].replaced_copy
    assert kept is not None and kept.is_file()
    assert "closes now" in told[0] and kept.name in told[0]
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5000)
    runner.wait()
    reopened = open_database(f"sqlite:///{path}")
    try:
        assert load_settings(reopened.sessions).shop_name == Settings().shop_name
    finally:
        reopened.dispose()
