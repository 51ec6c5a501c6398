"""A profile change refused because a colleague changed the value meanwhile: the message says
what Reload does with what was typed, and Reload keeps it beside their value. Two real sessions
(this PC's window and another PC's) on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import Customer
from services.customers import profile
from services.demo import generator as demo_generator
from services.store.database import open_database
from tests.ui.conftest import DEMO_TODAY, demo_account, shut_down
from tests.ui.stale_answers import answer_stale
from ui.dialogs.profile_change_dialog import ProfileChangeDialog
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView


@pytest.fixture
def demo(database):
    demo_generator.generate(database, 20, seed=7, today=DEMO_TODAY)
    return database


@pytest.fixture
def other_pc(demo):
    """The same database opened a second time, as a colleague's PC has it."""
    other = open_database(demo.url)
    yield other
    other.dispose()


@pytest.fixture
def cid(demo) -> int:
    with demo.sessions() as s:
        return s.scalars(select(Customer.id).order_by(Customer.id)).first()


@pytest.fixture
def view(qtbot, demo, cid):
    """陈丽's customers view, showing customer `cid`."""
    runner = TaskRunner(database_url=demo.url)
    widget = CustomersView(demo, runner, actor=demo_account(demo, "chenli"))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 20, timeout=10000)
    widget.show_customer(cid)
    qtbot.waitUntil(lambda: widget.page.customer_id == cid, timeout=5000)
    yield widget
    shut_down(widget, runner)


def _type_teacher_while_they_record_doctor(dialog, other_pc, cid) -> None:
    dialog.attribute.setCurrentIndex(dialog.attribute.findData("occupation"))
    dialog.value_text.setText("教师")
    dialog.source.setCurrentIndex(dialog.source.findData("visit"))
    dialog.note.setText("刚调到三中任教")
    # 王主管, on another PC, records another occupation while this dialog is open.
    profile.record_change(other_pc.sessions, cid, "occupation", "医生",
                          effective_date=dt.date.today(), source="call",
                          staff_id=demo_account(other_pc, "supervisor").id)


def test_reload_keeps_what_was_typed_beside_their_value(qtbot, view, demo, other_pc, cid,
                                                        monkeypatch):
    shown = answer_stale(monkeypatch, "Reload")
    opened: list[dict] = []

    def exec_(dialog: ProfileChangeDialog) -> int:
        opened.append({"now": dialog.current.text(), "notice": dialog.notice.text(),
                       "notice_shown": not dialog.notice.isHidden(), **dialog.values()})
        if len(opened) == 1:
            _type_teacher_while_they_record_doctor(dialog, other_pc, cid)
        return ProfileChangeDialog.DialogCode.Accepted  # the second time: saved over theirs

    monkeypatch.setattr(ProfileChangeDialog, "exec", exec_)
    view.page.record_change_requested.emit(cid)
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=10000)
    sentence, what_reload_does = shown[0]
    assert sentence.startswith("王主管 changed this customer's occupation to “医生” at ")
    assert "what you typed kept" in what_reload_does and "Cancel drops" in what_reload_does
    again = opened[1]
    assert again["now"] == "医生"  # theirs, as "Now"
    assert (again["attribute"], again["new_value"], again["source"], again["note"]) == (
        "occupation", "教师", "visit", "刚调到三中任教")  # mine, as typed
    assert again["notice_shown"] and "What you typed is kept" in again["notice"]
    qtbot.waitUntil(lambda: profile.history(other_pc.sessions, cid, "occupation")[-1]
                    .new_value == "教师", timeout=10000)
    mine, theirs = reversed(profile.history(other_pc.sessions, cid, "occupation")[-2:])
    assert (theirs.new_value, mine.old_value, mine.new_value, mine.note) == (
        "医生", "医生", "教师", "刚调到三中任教")
    assert mine.staff_id == view.actor.id
    assert len(shown) == 1


def test_cancel_after_the_refusal_stores_nothing_of_mine(qtbot, view, demo, other_pc, cid,
                                                        monkeypatch):
    shown = answer_stale(monkeypatch, "Cancel")
    opened: list[int] = []

    def exec_(dialog: ProfileChangeDialog) -> int:
        opened.append(1)
        _type_teacher_while_they_record_doctor(dialog, other_pc, cid)
        return ProfileChangeDialog.DialogCode.Accepted

    monkeypatch.setattr(ProfileChangeDialog, "exec", exec_)
    view.page.record_change_requested.emit(cid)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    qtbot.wait(200)
    assert opened == [1]  # not opened again: Cancel was said to drop it
    assert [c.new_value for c in profile.history(other_pc.sessions, cid, "occupation")][-1:] \
        == ["医生"]


def test_the_same_value_typed_as_theirs_leaves_nothing_to_save(qtbot, view, demo, other_pc,
                                                               cid, monkeypatch):
    answer_stale(monkeypatch, "Reload")
    opened: list[tuple[bool, str]] = []

    def exec_(dialog: ProfileChangeDialog) -> int:
        if opened:
            opened.append((dialog.save_button.isEnabled(), dialog.notice.text()))
            return ProfileChangeDialog.DialogCode.Rejected
        opened.append((True, ""))
        dialog.attribute.setCurrentIndex(dialog.attribute.findData("occupation"))
        dialog.value_text.setText("医生")
        profile.record_change(other_pc.sessions, cid, "occupation", "医生",
                              effective_date=dt.date.today(), source="call",
                              staff_id=demo_account(other_pc, "supervisor").id)
        return ProfileChangeDialog.DialogCode.Accepted

    monkeypatch.setattr(ProfileChangeDialog, "exec", exec_)
    view.page.record_change_requested.emit(cid)
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=10000)
    enabled, notice = opened[1]
    assert not enabled and "nothing is left to save" in notice
