"""Preferences, consent and do-not-contact edited in place on the customer page."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import select

from models import ContactPreference
from services.customers import detail as customer_detail
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.preferences_panel import PreferencesPanel, RefusalDialog


@pytest.fixture
def cid(demo_db) -> int:
    """A demo customer who has stated preferences (most have)."""
    with demo_db.sessions() as s:
        return s.scalars(select(ContactPreference.customer_id)
                         .order_by(ContactPreference.customer_id)).first()


@pytest.fixture
def panel(qtbot, demo_db, demo_staff, cid):
    runner = TaskRunner()
    widget = PreferencesPanel(demo_db, runner, actor=demo_staff)  # 陈丽 makes the edits
    qtbot.addWidget(widget)
    detail = customer_detail.load(demo_db.sessions, cid)
    widget.show_detail(detail)
    widget.changed.connect(
        lambda cid: widget.show_detail(customer_detail.load(demo_db.sessions, cid)))
    yield widget
    shut_down(widget, runner)


def _checked(panel) -> list[str]:
    return [panel.channels.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(panel.channels.count())
            if panel.channels.item(i).checkState() == Qt.CheckState.Checked]


def test_save_and_undo_preferences(qtbot, panel, demo_db, cid):
    before = customer_detail.load(demo_db.sessions, cid).preferences
    for i in range(panel.channels.count()):
        item = panel.channels.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) == "sms"
                           else Qt.CheckState.Unchecked)
    panel.use_hours.setChecked(True)
    panel.hour_from.setValue(18)
    panel.hour_to.setValue(20)
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.save_button.click()
    saved = customer_detail.load(demo_db.sessions, cid).preferences
    assert (saved.channel_order, saved.hour_from, saved.hour_to) == (("sms",), 18, 20)
    assert _checked(panel) == ["sms"]
    assert before is not None and panel.undo_button.isEnabled()
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.undo_button.click()
    assert customer_detail.load(demo_db.sessions, cid).preferences == before
    assert not panel.undo_button.isEnabled()


def test_consent_withdrawn_in_place(qtbot, panel, demo_db, cid):
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.withdraw.click()
    detail = customer_detail.load(demo_db.sessions, cid)
    assert detail.marketing_consent is False
    assert detail.consents[-1].date == dt.date.today()
    assert dt.date.today().isoformat() in panel.consent_state.text()


def test_add_and_lift_refusal(qtbot, panel, demo_db, cid, monkeypatch):
    count = len(customer_detail.load(demo_db.sessions, cid).refusals)

    def fill(dialog: RefusalDialog):
        dialog.channel.setCurrentIndex(dialog.channel.findData("phone"))
        dialog.purpose.setCurrentIndex(dialog.purpose.findData("sales"))
        dialog.reason.setText("客户明确表示不接受销售电话")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RefusalDialog, "exec", fill)
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.add_refusal_button.click()
    refusals = customer_detail.load(demo_db.sessions, cid).refusals
    assert len(refusals) == count + 1 and panel.refusals.rowCount() == count + 1
    row = [r.reason for r in refusals].index("客户明确表示不接受销售电话")
    assert panel.refusals.item(row, 3).text().endswith(" 陈丽")  # set by
    panel.refusals.selectRow(row)
    monkeypatch.setattr("ui.views.preferences_panel.QInputDialog.getText",
                        lambda *a, **k: ("客户主动来电", True))
    monkeypatch.setattr("ui.views.preferences_panel.QMessageBox.question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.lift_button.click()
    lifted = customer_detail.load(demo_db.sessions, cid).refusals[row]
    assert lifted.lifted_on == dt.date.today() and lifted.lift_reason == "客户主动来电"
    said = panel.refusals.item(row, 5).text()  # lifted: when, by whom and why
    assert " 陈丽" in said and said.endswith("客户主动来电")


def _prefer_sms(panel) -> None:
    for i in range(panel.channels.count()):
        item = panel.channels.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) == "sms"
                           else Qt.CheckState.Unchecked)


def test_save_is_confirmed_and_undo_is_offered_at_once(qtbot, panel, demo_db, cid):
    changes = []
    panel.runner.data_changed.connect(changes.append)
    _prefer_sms(panel)
    with qtbot.waitSignal(panel.runner.notice, timeout=5000) as notice:
        panel.save_button.click()
    assert notice.args[0].text == "Preferences saved"
    assert panel.undo_button.isEnabled()
    assert changes[-1].touches("preferences") and changes[-1].about(cid)
    with qtbot.waitSignal(panel.runner.notice, timeout=5000) as notice:
        panel.undo_button.click()
    assert notice.args[0].text == "Preferences put back as before the last save"
    assert not panel.undo_button.isEnabled()


@pytest.fixture
def panel_without_preferences(qtbot, demo_db):
    """The panel on a demo customer who never stated preferences."""
    from models import Customer

    with demo_db.sessions() as s:
        cid = s.scalars(select(Customer.id).where(
            Customer.id.not_in(select(ContactPreference.customer_id)))).first()
    runner = TaskRunner()
    widget = PreferencesPanel(demo_db, runner)
    qtbot.addWidget(widget)
    widget.show_detail(customer_detail.load(demo_db.sessions, cid))
    yield widget
    shut_down(widget, runner)


def test_undo_of_first_preferences_goes_back_to_not_stated(
    qtbot, panel_without_preferences, demo_db
):
    panel = panel_without_preferences
    customer_id = panel.detail.id
    assert panel.detail.preferences is None
    _prefer_sms(panel)
    with qtbot.waitSignal(panel.runner.notice, timeout=5000) as notice:
        panel.save_button.click()
    assert notice.args[0].text == "Preferences saved"
    assert panel.undo_button.isEnabled()
    with demo_db.sessions() as s:
        assert s.get(ContactPreference, customer_id) is not None
    with qtbot.waitSignal(panel.runner.notice, timeout=5000):
        panel.undo_button.click()
    with demo_db.sessions() as s:
        assert s.get(ContactPreference, customer_id) is None
    assert not panel.undo_button.isEnabled()


def test_consent_and_do_not_contact_are_confirmed(qtbot, panel, demo_db, cid, monkeypatch):
    with qtbot.waitSignal(panel.runner.notice, timeout=5000) as notice:
        panel.give.click()
    assert notice.args[0].text == f"Marketing consent recorded as given on {dt.date.today()}"

    def fill(dialog: RefusalDialog):
        dialog.purpose.setCurrentIndex(dialog.purpose.findData("marketing"))
        dialog.reason.setText("不要活动短信")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RefusalDialog, "exec", fill)
    with qtbot.waitSignal(panel.runner.notice, timeout=5000) as notice:
        panel.add_refusal_button.click()
    assert notice.args[0].text == "Do-not-contact added"
    qtbot.waitUntil(lambda: panel.refusals.rowCount() > 0, timeout=5000)
    row = [panel.refusals.item(r, 2).text() for r in range(panel.refusals.rowCount())].index(
        "不要活动短信")
    panel.refusals.selectRow(row)
    monkeypatch.setattr("ui.views.preferences_panel.QInputDialog.getText",
                        lambda *a, **k: ("客户要求", True))
    monkeypatch.setattr("ui.views.preferences_panel.QMessageBox.question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(panel.runner.notice, timeout=5000) as notice:
        panel.lift_button.click()
    assert notice.args[0].text == "Do-not-contact lifted"


def test_refusal_dialog_explains_each_purpose(qtbot):
    dialog = RefusalDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    tips = [dialog.purpose.itemData(i, Qt.ItemDataRole.ToolTipRole)
            for i in range(dialog.purpose.count())]
    assert all(tips) and len(set(tips)) == len(tips)
    for code in ("marketing", "sales"):
        dialog.purpose.setCurrentIndex(dialog.purpose.findData(code))
        assert dialog.purpose_hint.text() == tips[dialog.purpose.currentIndex()]
    assert "personal offer" in dialog.purpose_hint.text()


def test_a_refusal_without_a_reason_is_asked_for_in_the_dialog(qtbot, monkeypatch):
    warned: list[str] = []
    monkeypatch.setattr("ui.dialogs.refusal_dialog.QMessageBox.warning",
                        lambda _parent, _title, text: warned.append(text))
    dialog = RefusalDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.channel.setCurrentIndex(dialog.channel.findData("mail"))
    dialog.accept()  # Save with no reason: asked for, the dialog and its choices stay
    assert warned == ["Say why the customer is not to be contacted."]
    assert dialog.isVisible() and dialog.channel.currentData() == "mail"
    dialog.reason.setText("不要寄广告")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
