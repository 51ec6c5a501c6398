"""No lost edit in the window: a save someone else overtook (another PC, here another session on
the same database) is refused with the sentence naming them, and Reload shows what is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from models import ContactPreference
from services.customers import detail as customer_detail
from services.customers import preferences, profile
from services.segments import service as segments
from tests.ui.conftest import shut_down
from ui.dialogs.profile_change_dialog import ProfileChangeDialog
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView
from ui.views.segments_view import SegmentsView


@pytest.fixture
def answers(monkeypatch) -> list[str]:
    """Every stale-edit message shown, answered with Reload (its text collected)."""
    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text())
        next(b for b in box.buttons() if b.text() == "Reload").click()
        return 0

    monkeypatch.setattr("ui.dialogs.stale_edit.QMessageBox.exec", exec_)
    return shown


@pytest.fixture
def cid(demo_db) -> int:
    """A demo customer who has stated preferences."""
    with demo_db.sessions() as s:
        return s.scalars(select(ContactPreference.customer_id)
                         .order_by(ContactPreference.customer_id)).first()


@pytest.fixture
def view(qtbot, demo_db, demo_staff, cid):
    """The customers view of 陈丽 (staff), showing customer `cid`."""
    runner = TaskRunner()
    widget = CustomersView(demo_db, runner, actor=demo_staff)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 150, timeout=10000)
    widget.show_customer(cid)
    qtbot.waitUntil(lambda: widget.preferences.detail is not None
                    and widget.preferences.detail.id == cid, timeout=5000)
    yield widget
    shut_down(widget, runner)


def _checked(panel) -> list[str]:
    return [panel.channels.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(panel.channels.count())
            if panel.channels.item(i).checkState() == Qt.CheckState.Checked]


def _tick_only(panel, code: str) -> None:
    for i in range(panel.channels.count()):
        item = panel.channels.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) == code
                           else Qt.CheckState.Unchecked)


def test_stale_preferences_save_names_who_and_reload_shows_theirs(
        qtbot, view, demo_db, demo_supervisor, cid, answers):
    panel = view.preferences
    loaded = customer_detail.load(demo_db.sessions, cid).preferences_version
    # 王主管 saves on another PC while the form is open here.
    theirs = preferences.set_preferences(demo_db.sessions, cid, channel_order=["mail"],
                                         staff_id=demo_supervisor.id,
                                         expected_version=loaded)
    _tick_only(panel, "sms")
    panel.save_button.click()
    qtbot.waitUntil(lambda: _checked(panel) == ["mail"], timeout=5000)
    assert len(answers) == 1 and "王主管" in answers[0] and "contact preferences" in answers[0]
    stored = customer_detail.load(demo_db.sessions, cid)
    assert stored.preferences.channel_order == ("mail",)  # theirs stands
    assert stored.preferences_version == theirs == panel._pref_version
    # After the reload a save is based on what is shown, and stands, with who saved it.
    _tick_only(panel, "sms")
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.save_button.click()
    with demo_db.sessions() as s:
        pref = s.get_one(ContactPreference, cid)
        assert (pref.channel_order, pref.updated_by) == ("sms", view.actor.id)
    assert len(answers) == 1


def test_stale_lift_names_who_lifted_it(qtbot, view, demo_db, demo_supervisor, cid, answers,
                                        monkeypatch):
    panel = view.preferences
    refusal = preferences.add_refusal(demo_db.sessions, cid, channel="sms", purpose=None,
                                      reason="不要短信", set_on=dt.date(2026, 1, 1))
    view.show_customer(cid)
    qtbot.waitUntil(lambda: refusal in panel._refusal_ids, timeout=5000)
    preferences.lift_refusal(demo_db.sessions, refusal, lifted_on=dt.date.today(),
                             reason="客户来电要求", staff_id=demo_supervisor.id)
    panel.refusals.selectRow(panel._refusal_ids.index(refusal))
    monkeypatch.setattr("ui.views.preferences_panel.QInputDialog.getText",
                        lambda *a, **k: ("我的理由", True))
    monkeypatch.setattr("ui.views.preferences_panel.QMessageBox.question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.lift_button.click()
    qtbot.waitUntil(lambda: len(answers) == 1, timeout=5000)
    assert "王主管" in answers[0] and "lifted" in answers[0]
    row = next(r for r in customer_detail.load(demo_db.sessions, cid).refusals
               if r.id == refusal)
    assert row.lift_reason == "客户来电要求"  # the first reason stands


def test_stale_profile_change_is_refused_and_reload_reopens_on_theirs(
        qtbot, view, demo_db, demo_supervisor, cid, answers, monkeypatch):
    opened: list[tuple[str, str]] = []

    def exec_(dialog: ProfileChangeDialog) -> int:
        opened.append((dialog.attribute.currentData(), dialog.current.text()))
        if len(opened) > 1:  # reopened after Reload: look, then cancel
            return ProfileChangeDialog.DialogCode.Rejected
        dialog.attribute.setCurrentIndex(dialog.attribute.findData("occupation"))
        dialog.value_text.setText("教师")
        # 王主管 records another occupation while this dialog is open.
        profile.record_change(demo_db.sessions, cid, "occupation", "医生",
                              effective_date=dt.date.today(), source="call",
                              staff_id=demo_supervisor.id)
        return ProfileChangeDialog.DialogCode.Accepted

    monkeypatch.setattr(ProfileChangeDialog, "exec", exec_)
    before = profile.history(demo_db.sessions, cid, "occupation")
    view.page.record_change_requested.emit(cid)
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=5000)
    assert len(answers) == 1 and "王主管" in answers[0]
    assert opened[1] == ("occupation", "医生")  # the same attribute, now as they left it
    after = profile.history(demo_db.sessions, cid, "occupation")
    assert [(c.new_value, c.staff_id) for c in after[len(before):]] == [
        ("医生", demo_supervisor.id)]


def test_profile_change_from_the_window_records_who(qtbot, view, demo_db, cid, monkeypatch):
    def exec_(dialog: ProfileChangeDialog) -> int:
        dialog.attribute.setCurrentIndex(dialog.attribute.findData("occupation"))
        dialog.value_text.setText("工程师")
        return ProfileChangeDialog.DialogCode.Accepted

    monkeypatch.setattr(ProfileChangeDialog, "exec", exec_)
    with qtbot.waitSignal(view.runner.notice, timeout=5000):
        view.page.record_change_requested.emit(cid)
    latest = profile.history(demo_db.sessions, cid, "occupation")[-1]
    assert (latest.new_value, latest.staff_id) == ("工程师", view.actor.id)


@pytest.fixture
def segments_view(qtbot, demo_db, demo_staff):
    runner = TaskRunner()
    widget = SegmentsView(demo_db, runner, actor=demo_staff)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget._clean is not None, timeout=5000)
    yield widget
    shut_down(widget, runner)


def _years(view) -> list[int]:
    """The years in the builder's conditions (it shows a filter as a list of conditions)."""
    return [c["value"] for c in view.editor.data()["where"]["and"]]


def test_stale_segment_save_is_refused_and_reload_shows_theirs(
        qtbot, segments_view, demo_db, demo_supervisor, answers):
    view = segments_view
    five = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}}
    segments.save_segment(demo_db.sessions, "老车", five)
    view.reload_list("老车")
    qtbot.waitUntil(lambda: view._current_name == "老车", timeout=5000)
    opened = view._opened
    nine = dict(five, where=dict(five["where"], value=9))
    segments.save_segment(demo_db.sessions, "老车", nine, staff_id=demo_supervisor.id,
                          expected_version=opened.version, segment_id=opened.id)
    view.editor.set_data(dict(five, where=dict(five["where"], value=7)))
    view.save_button.click()
    qtbot.waitUntil(lambda: view._opened is not None and view._opened.version == 2,
                    timeout=5000)
    qtbot.waitUntil(lambda: _years(view) == [9] and not view.is_dirty(), timeout=5000)
    assert len(answers) == 1 and "王主管" in answers[0] and "“老车”" in answers[0]
    assert segments.get_segment(demo_db.sessions, "老车").filter.where.value == 9


def test_stale_segment_save_cancelled_keeps_the_filter_as_changed(
        qtbot, segments_view, demo_db, demo_supervisor, monkeypatch):
    """The refusal says what Reload would drop; Cancel keeps the changed filter in the builder
    (to save it under another name) and stores nothing over the colleague's."""
    from tests.ui.stale_answers import answer_stale

    shown = answer_stale(monkeypatch, "Cancel")
    view = segments_view
    five = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}}
    segments.save_segment(demo_db.sessions, "老车", five)
    view.reload_list("老车")
    qtbot.waitUntil(lambda: view._current_name == "老车", timeout=5000)
    opened = view._opened
    segments.save_segment(demo_db.sessions, "老车", dict(five, where=dict(five["where"], value=9)),
                          staff_id=demo_supervisor.id, expected_version=opened.version,
                          segment_id=opened.id)
    view.editor.set_data(dict(five, where=dict(five["where"], value=7)))
    view.save_button.click()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    assert "王主管" in shown[0][0] and "dropped" in shown[0][1]
    assert _years(view) == [7] and view.is_dirty()
    assert segments.get_segment(demo_db.sessions, "老车").filter.where.value == 9
