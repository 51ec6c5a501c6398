"""Preferences, consent and do-not-contact edited in place on the customer page."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import select

from models import ContactPreference
from services import customer_detail
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
def panel(qtbot, demo_db, cid):
    runner = TaskRunner()
    widget = PreferencesPanel(demo_db, runner)
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
    panel.refusals.selectRow(row)
    monkeypatch.setattr("ui.views.preferences_panel.QInputDialog.getText",
                        lambda *a, **k: ("客户主动来电", True))
    monkeypatch.setattr("ui.views.preferences_panel.QMessageBox.question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.lift_button.click()
    lifted = customer_detail.load(demo_db.sessions, cid).refusals[row]
    assert lifted.lifted_on == dt.date.today() and lifted.lift_reason == "客户主动来电"
