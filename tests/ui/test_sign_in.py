"""Signing in before the window opens: the first supervisor on a new database, a wrong password
said in the dialog, the user name (never the password) remembered on this PC, a disabled
account refused, and a password a supervisor set (a reset, or a new account's) replaced by the
person's own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from services.demo import DEMO_PASSWORD
from services.staff import accounts, signing
from ui.dialogs import sign_in_dialog
from ui.dialogs.password_dialog import PasswordDialog
from ui.dialogs.sign_in_dialog import USERNAME_KEY, FirstSupervisorDialog, SignInDialog


def _ok(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def _settled(qtbot, dialog) -> None:
    """Until the dialog closed, or said why not."""
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted
                    or dialog.message.isVisibleTo(dialog), timeout=10000)


def test_the_first_run_creates_the_first_supervisor(qtbot, sqlite_database):
    dialog = FirstSupervisorDialog(sqlite_database)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "wangli")
    dialog.display_name.setText("王丽")  # keyClicks types ASCII only
    qtbot.keyClicks(dialog.password, "first-pass")
    qtbot.keyClicks(dialog.repeat, "first-pasS")
    _ok(dialog)
    assert "differ" in dialog.message.text() and dialog.result() == 0
    assert signing.needs_first_supervisor(sqlite_database.engine)
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, "first-pass")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        _ok(dialog)
    assert (dialog.actor.username, dialog.actor.display_name, dialog.actor.role) == (
        "wangli", "王丽", "supervisor")
    assert QSettings().value(USERNAME_KEY) == "wangli"
    assert not signing.needs_first_supervisor(sqlite_database.engine)


def test_a_wrong_password_is_said_in_the_dialog_and_the_name_is_remembered(qtbot, demo_db):
    dialog = SignInDialog(demo_db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.username.text() == ""
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    qtbot.keyClicks(dialog.username, "supervisor")
    qtbot.keyClicks(dialog.password, "not-it")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    _settled(qtbot, dialog)
    assert "user name or password is wrong" in dialog.message.text()
    assert dialog.result() == 0 and dialog.password.selectedText() == "not-it"
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.signed_in.actor.display_name == "王主管"
    assert QSettings().value(USERNAME_KEY) == "supervisor"
    assert DEMO_PASSWORD not in str([QSettings().value(k) for k in QSettings().allKeys()])

    again = SignInDialog(demo_db)  # the next start on this PC
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is again.password, timeout=2000)
    assert again.username.text() == "supervisor"


def test_a_disabled_account_is_refused(qtbot, demo_db, demo_supervisor):
    accounts.set_active(demo_db.sessions, demo_supervisor, "chenli", False)
    dialog = SignInDialog(demo_db, "chenli")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    _ok(dialog)
    _settled(qtbot, dialog)
    assert "chenli is disabled" in dialog.message.text() and dialog.result() == 0


@pytest.mark.parametrize("given", ["reset", "new account"])
def test_a_password_a_supervisor_set_is_replaced_by_the_persons_own(
        qtbot, demo_db, demo_supervisor, monkeypatch, given):
    if given == "reset":
        accounts.reset_password(demo_db.sessions, demo_supervisor, "chenli", "told-by-boss")
    else:
        accounts.add_account(demo_db.sessions, demo_supervisor, "chenli2", "陈丽", "clerk",
                             "told-by-boss")
    user = "chenli" if given == "reset" else "chenli2"
    asked = []

    def sign_in_as_chenli(dialog: SignInDialog):
        qtbot.keyClicks(dialog.password, "told-by-boss")
        _ok(dialog)
        _settled(qtbot, dialog)
        return dialog.result()

    def choose(dialog: PasswordDialog):
        asked.append(dialog.windowTitle())
        assert not dialog.current.isVisibleTo(dialog)  # typed at the sign-in already
        qtbot.keyClicks(dialog.new, "only-mine-1")
        qtbot.keyClicks(dialog.repeat, "only-mine-1")
        _ok(dialog)
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
        return dialog.result()

    monkeypatch.setattr(SignInDialog, "exec", sign_in_as_chenli)
    monkeypatch.setattr(PasswordDialog, "exec", choose)
    actor = sign_in_dialog.sign_in(demo_db, user)
    assert actor is not None and actor.username == user
    assert asked == ["Choose your own password"]
    signed = signing.sign_in(demo_db.engine, user, "only-mine-1")
    assert not signed.must_change_password


def test_a_new_database_starts_with_the_first_run(qtbot, sqlite_database, monkeypatch):
    shown = []

    def cancel(dialog):
        shown.append(type(dialog).__name__)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(FirstSupervisorDialog, "exec", cancel)
    monkeypatch.setattr(SignInDialog, "exec", cancel)
    assert sign_in_dialog.sign_in(sqlite_database) is None
    assert shown == ["FirstSupervisorDialog"]


def test_why_the_sign_in_from_the_environment_did_not_do_is_said_first(qtbot, demo_db):
    from services.store.database import translate_db_error

    busy = translate_db_error(Exception("database is locked"), demo_db.url)
    dialog = SignInDialog(demo_db, "supervisor", refused=busy)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "is busy with another person's or program's work" in dialog.message.text()
    assert dialog.message.isVisible()
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)  # signing in here tries again
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        _ok(dialog)
    assert dialog.signed_in.actor.username == "supervisor"
