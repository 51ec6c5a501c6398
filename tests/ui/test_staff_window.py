"""The window per role: who is signed in in the status bar, the follow-up queue theirs first;
a supervisor's staff accounts (add, disable, reset a password) and audit trail; staff see the
shared settings read-only, and the services refuse them whatever the window shows."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox

from services.demo import DEMO_PASSWORD
from services.staff import accounts, signing
from services.staff.audit import AuditFilter, read_audit
from services.store.settings import load_settings
from ui.dialogs.password_dialog import PasswordDialog
from ui.dialogs.user_dialog import AddUserDialog
from ui.tasks import TaskRunner
from ui.views.audit_view import AuditView
from ui.views.settings_view import SettingsView
from ui.views.users_panel import UsersPanel


def _ok(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def _accepted(qtbot, dialog) -> int:
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted
                    or dialog.message.isVisibleTo(dialog), timeout=10000)
    return dialog.result()


@pytest.fixture
def open_window(qtbot, demo_db):
    from ui.main_window import MainWindow

    made = []

    def make(actor):
        win = MainWindow(demo_db, actor)
        win.resize(1366, 728)
        win.show()
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)
        made.append(win)
        return win

    yield make
    for win in made:
        win.runner.cancel_all()
        assert win.runner.wait(30000)
        QApplication.processEvents()
        win.close()
        shiboken6.delete(win)


def test_a_supervisors_window(open_window, demo_supervisor):
    win = open_window(demo_supervisor)
    assert win.signed_in.text() == "王主管 (Supervisor)"
    assert win.area_titles()[-1] == "Audit trail" and win.audit is not None
    assert win.followups.caller.currentData() == demo_supervisor.id
    assert win.settings.users is not None and win.settings.backups is not None
    # General, Staff accounts, Backups, Tags, Service intervals, Suggestion rules
    assert win.settings.tabs.count() == 6
    assert win.settings.save_button.isEnabled()
    assert not win.segments.delete_button.isHidden()
    assert not win.lists.outputs.save_sms.isHidden()


def test_a_staff_members_window(open_window, demo_staff):
    win = open_window(demo_staff)
    assert win.signed_in.text() == "陈丽 (Staff)"
    assert "Audit trail" not in win.area_titles() and win.audit is None
    assert win.followups.caller.currentData() == demo_staff.id  # their own calls
    # General, Tags, Service intervals, Suggestion rules
    assert win.settings.users is None and win.settings.tabs.count() == 4
    assert not win.settings.save_button.isEnabled() and not win.settings.shop_name.isEnabled()
    assert "Only a supervisor" in win.settings.status.text()
    assert win.settings.change_password.isEnabled()
    # The views tell their services who acts; the services refuse or mask for staff (their
    # own tests), so the window hides nothing a supervisor would see.
    assert win.segments.actor == demo_staff and win.lists.outputs.actor == demo_staff
    assert win.followups.actor == demo_staff
    outputs = win.lists.outputs
    assert not win.segments.delete_button.isHidden()
    assert not any(b.isHidden() for b in (outputs.save_pdf, outputs.save_call_xlsx,
                                          outputs.save_mail_xlsx, outputs.save_sms,
                                          outputs.print_button, outputs.save_labels))


def test_staff_saving_shared_settings_is_refused_by_the_service(qtbot, demo_db, demo_staff,
                                                                monkeypatch):
    shown = []
    monkeypatch.setattr("ui.tasks.show_error", lambda _parent, exc: shown.append(str(exc)))
    before = load_settings(demo_db.sessions)
    runner = TaskRunner()
    view = SettingsView(demo_db, runner, demo_staff)
    qtbot.addWidget(view)
    view.shop_name.setText("陈丽的店")
    view.save()  # what a button enabled by mistake would do
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "Only a supervisor may change the settings every PC shares" in shown[0]
    assert load_settings(demo_db.sessions) == before and before.shop_name != "陈丽的店"
    runner.wait()


def test_changing_ones_own_password_in_settings(qtbot, demo_db, demo_staff, monkeypatch):
    def change(dialog: PasswordDialog):
        qtbot.keyClicks(dialog.current, "wrong-pass")
        qtbot.keyClicks(dialog.new, "chen-new-1")
        qtbot.keyClicks(dialog.repeat, "chen-new-1")
        _ok(dialog)
        assert _accepted(qtbot, dialog) == 0 and "current password is wrong" in (
            dialog.message.text())
        dialog.current.clear()
        qtbot.keyClicks(dialog.current, DEMO_PASSWORD)
        _ok(dialog)
        return _accepted(qtbot, dialog)

    monkeypatch.setattr(PasswordDialog, "exec", change)
    runner = TaskRunner()
    view = SettingsView(demo_db, runner, demo_staff)
    qtbot.addWidget(view)
    view.change_password.click()
    assert signing.sign_in(demo_db.engine, "chenli", "chen-new-1").actor == demo_staff
    runner.wait()


@pytest.fixture
def users(qtbot, demo_db, demo_supervisor):
    runner = TaskRunner()
    panel = UsersPanel(demo_db, runner, demo_supervisor)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 8, timeout=5000)
    yield panel
    runner.wait()


def test_the_users_panel_passes_the_model_tester(qtmodeltester, users):
    qtmodeltester.check(users.model)


def test_a_supervisor_adds_an_account(qtbot, users, demo_db, monkeypatch):
    def fill(dialog: AddUserDialog):
        # The length a first password needs is said before it is typed, not only refused.
        assert dialog.password.placeholderText() == "at least 6 characters"
        qtbot.keyClicks(dialog.username, "xiaoli")
        dialog.display_name.setText("小李")
        dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
        qtbot.keyClicks(dialog.password, "xiaoli-1")
        qtbot.keyClicks(dialog.repeat, "xiaoli-1")
        _ok(dialog)
        return _accepted(qtbot, dialog)

    monkeypatch.setattr(AddUserDialog, "exec", fill)
    with qtbot.waitSignal(users.loaded, timeout=10000):
        users.add_button.click()
    assert users.selected().username == "xiaoli" and users.selected().display_name == "小李"
    assert signing.sign_in(demo_db.engine, "xiaoli", "xiaoli-1").actor.role == "clerk"


def test_a_supervisor_disables_and_enables_an_account(qtbot, users, demo_db, monkeypatch):
    asked = []

    def yes(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr("ui.views.users_panel.QMessageBox.question", yes)
    users.table.selectRow(users.model.row_of("chenli"))
    assert users.toggle_button.text() == "D&isable"
    with qtbot.waitSignal(users.loaded, timeout=10000):
        users.toggle_button.click()
    assert "陈丽" in asked[0] and not users.selected().active
    assert users.model.data(users.model.index(users.model.row_of("chenli"), 3)) == "Disabled"
    assert users.toggle_button.text() == "E&nable"
    with qtbot.waitSignal(users.loaded, timeout=10000):
        users.toggle_button.click()
    assert users.selected().active and len(asked) == 1
    # Nobody disables themselves.
    users.table.selectRow(users.model.row_of("supervisor"))
    assert not users.toggle_button.isEnabled()


def test_a_supervisor_resets_a_password(qtbot, users, demo_db, monkeypatch):
    def reset(dialog: PasswordDialog):
        assert "陈丽" in dialog.windowTitle()
        qtbot.keyClicks(dialog.new, "told-by-boss")
        qtbot.keyClicks(dialog.repeat, "told-by-boss")
        _ok(dialog)
        return _accepted(qtbot, dialog)

    monkeypatch.setattr(PasswordDialog, "exec", reset)
    users.table.selectRow(users.model.row_of("chenli"))
    with qtbot.waitSignal(users.loaded, timeout=10000):
        users.reset_button.click()
    assert signing.sign_in(demo_db.engine, "chenli", "told-by-boss").must_change_password
    assert users.selected().reset_pending


def _shown_audit(qtbot, database, supervisor):
    """The audit trail as `supervisor` opens it, its first page loaded: (view, runner)."""
    runner = TaskRunner()
    view = AuditView(database, runner, supervisor)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show()
    return view, runner


def test_the_audit_trail_filters_by_person_action_and_customer(qtbot, demo_db, demo_supervisor,
                                                               demo_staff, qtmodeltester):
    from services.customers import preferences

    with demo_db.sessions() as s:
        from sqlalchemy import select

        from models import Customer

        first = s.execute(select(Customer.id, Customer.code, Customer.name)
                          .order_by(Customer.id)).first()
    preferences.set_preferences(demo_db.sessions, first.id, channel_order=["sms"],
                                staff_id=demo_staff.id)
    accounts.reset_password(demo_db.sessions, demo_supervisor, "liuyang", "liu-pass-1")
    view, runner = _shown_audit(qtbot, demo_db, demo_supervisor)
    qtmodeltester.check(view.model)
    assert view.model.rowCount() == 2 and view.count.text() == "Entries: 2"
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.person.setCurrentIndex(view.person.findData("chenli"))
    assert view.model.rowCount() == 1
    assert view.model.data(view.model.index(0, 1)) == "陈丽"
    assert view.model.data(view.model.index(0, 2)) == "Contact preferences set"
    assert view.model.data(view.model.index(0, 3)) == f"Customer {first.code} {first.name}"
    # The short text names what changed; the whole entry is in the tooltip.
    assert view.model.data(view.model.index(0, 4)).startswith(
        "Before: (Channel order: WeChat, Phone, SMS, Time windows: Morning); "
        "After: (Channel order: SMS, ")
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.person.setCurrentIndex(0)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.action.setCurrentIndex(view.action.findData("reset_password"))
    assert view.model.data(view.model.index(0, 1)) == "王主管"
    assert view.model.data(view.model.index(0, 3)) == "Staff 刘洋"
    assert view.model.data(view.model.index(0, 4)) == "User name: liuyang"
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.action.setCurrentIndex(0)
    view.customer.setText(first.code)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        qtbot.keyClick(view.customer, Qt.Key.Key_Return)
    assert view.model.rowCount() == 1
    assert read_audit(demo_db.sessions, demo_supervisor, AuditFilter()).total == 2
    runner.wait()


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_the_audit_trail_reads_in_chinese_words_not_codes(qtbot, translated, demo_db,
                                                          demo_supervisor, demo_staff):
    from services.segments import service as segments

    flt = {"version": 1, "where": {"and": [
        {"field": "years_since_purchase", "op": ">=", "value": 7},
        {"field": "satisfaction_band", "op": "=", "value": "high"}]}}
    segments.save_segment(demo_db.sessions, "7年以上 高满意度 换车", flt,
                          staff_id=demo_staff.id)
    accounts.reset_password(demo_db.sessions, demo_supervisor, "liuyang", "liu-pass-1")
    view, runner = _shown_audit(qtbot, demo_db, demo_supervisor)
    rows = {view.model.data(view.model.index(r, 2)): r for r in range(view.model.rowCount())}
    assert set(rows) == {"保存分群", "重置密码"}
    assert view.action.itemText(view.action.findData("save_segment")) == "保存分群"
    saved = rows["保存分群"]
    assert view.model.data(view.model.index(saved, 3)) == "客户分群“7年以上 高满意度 换车”"
    detail = view.model.data(view.model.index(saved, 4))
    assert detail == "名称：7年以上 高满意度 换车；筛选：2个条件；版本：1；新建：是"
    assert view.model.data(view.model.index(saved, 4), Qt.ItemDataRole.ToolTipRole) == (
        "名称：7年以上 高满意度 换车\n筛选：2个条件\n版本：1\n新建：是")
    assert view.model.data(view.model.index(rows["重置密码"], 3)) == "员工 刘洋"
    # The selected entry whole below the table: in words, then as recorded, the filter unfolded.
    assert view.detail.toPlainText() == ""
    view.table.selectRow(saved)
    shown = view.detail.toPlainText()
    assert shown.startswith("名称：7年以上 高满意度 换车\n筛选：2个条件\n")
    assert '"field": "satisfaction_band"' in shown and "\\" not in shown
    assert "As recorded" not in shown
    runner.wait()


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_vendor_file_read_is_in_words_below_the_table_without_json(
        qtbot, translated, demo_db, demo_supervisor, tmp_path):
    from sqlalchemy import select

    from models import Customer
    from services.lists import unsubscribe

    with demo_db.sessions() as s:
        one, two = s.scalars(select(Customer.mobile).where(Customer.mobile.is_not(None))
                             .order_by(Customer.id).limit(2))
    replies = tmp_path / "replies.csv"
    replies.write_text(f"手机号码,回复内容\n{one},T\n{two},好的\n", encoding="utf-8")
    unsubscribe.read_unsubscribes(demo_db.sessions, replies, staff_id=demo_supervisor.id)
    view, runner = _shown_audit(qtbot, demo_db, demo_supervisor)
    view.table.selectRow(0)
    shown = view.detail.toPlainText()
    if translated == "zh_CN":
        assert view.model.data(view.model.index(0, 2)) == "读入短信退订文件"
        assert view.model.data(view.model.index(0, 4)).endswith("未加勿扰：1；已送达：0")
        assert shown.endswith("未知号码：0\n未加勿扰：1\n已送达：0")
    else:
        assert view.model.data(view.model.index(0, 4)).endswith("Not blocked: 1; Delivered: 0")
        assert shown.endswith("Unknown numbers: 0\nNot blocked: 1\nDelivered: 0")
    # Every value is in the words whole: no block of JSON with its keys in code below them.
    assert "not_blocked" not in shown and "{" not in shown
    runner.wait()


def test_a_supervisor_changes_a_role(qtbot, users, demo_db, monkeypatch):
    users.table.selectRow(users.model.row_of("chenli"))
    assert users.role_button.text() == "Make &supervisor"
    # Making someone a supervisor says what they may then do, and can be called off.
    asked: list[str] = []
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr("ui.views.users_panel.QMessageBox.question",
                        lambda _parent, _title, text: asked.append(text) or answer)
    users.role_button.click()
    assert "full phone numbers" in asked[0] and "陈丽" in asked[0]
    users.runner.wait()
    assert users.selected().role == "clerk"
    answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(users.loaded, timeout=10000):
        users.role_button.click()
    assert users.selected().role == "supervisor"
    assert users.role_button.text() == "Make &staff"
    with qtbot.waitSignal(users.loaded, timeout=10000):
        users.role_button.click()  # back to staff: asked nothing
    assert len(asked) == 2
    assert signing.sign_in(demo_db.engine, "chenli", "demo123").actor.role == "clerk"
    # Nobody changes their own role.
    users.table.selectRow(users.model.row_of("supervisor"))
    assert not users.role_button.isEnabled()
