"""The follow-up workspace worked with the keyboard alone: outcome, feedback, next date, save."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from models import ContactEvent, Customer, StaffUser
from services import calls
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.followup_view import FollowUpView


@pytest.fixture
def due_db(sqlite_database):
    """Two customers whose follow-up with 陈丽 is due today."""
    with sqlite_database.sessions.begin() as s:
        staff = StaffUser(username="chenli", display_name="陈丽")
        s.add(staff)
        s.add_all(
            [
                Customer(code=f"C{i}", name=n, mobile=f"1380013800{i}")
                for i, n in enumerate(("张伟", "李娜"))
            ]
        )
        s.flush()
        staff_id = staff.id
        ids = s.scalars(select(Customer.id).order_by(Customer.id)).all()
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    for cid in ids:
        calls.record_call(
            sqlite_database.sessions,
            cid,
            staff_id,
            calls.CallResult(outcome="no_answer", next_follow_up=dt.date.today()),
            at=yesterday,
        )
    return sqlite_database


@pytest.fixture
def view(qtbot, due_db):
    runner = TaskRunner()
    widget = FollowUpView(due_db, runner)
    qtbot.addWidget(widget)
    widget.show()
    widget.windowHandle().requestActivate()  # shortcuts (Alt+1…) need the active window
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    qtbot.waitUntil(lambda: widget.queue.count() == 2, timeout=5000)
    yield widget
    shut_down(widget, runner)


def test_keyboard_only_call_is_saved_and_next_opens(qtbot, view, due_db):
    first = view.current_call()
    assert first.name in view.title.text()
    view.feedback.setFocus()
    qtbot.keyClick(view.feedback, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # 1 = reached
    assert view.outcomes.checkedButton().property("code") == "reached"
    view.feedback.setFocus()
    view.feedback.setPlainText("最近跑了很多长途，下个月再联系")  # QTest types ASCII only
    view.has_next.setChecked(True)
    view.next_date.setDate(QDate.currentDate().addDays(30))
    with qtbot.waitSignal(view.call_saved, timeout=5000):
        qtbot.keyClick(view.feedback, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.queue.count() == 1, timeout=5000)
    assert view.current_call().customer_id != first.customer_id
    with due_db.sessions() as s:
        latest = s.scalars(
            select(ContactEvent)
            .where(ContactEvent.customer_id == first.customer_id)
            .order_by(ContactEvent.id.desc())
        ).first()
    assert (latest.outcome, latest.feedback, latest.next_follow_up) == (
        "reached",
        "最近跑了很多长途，下个月再联系",
        dt.date.today() + dt.timedelta(days=30),
    )


def test_saving_without_outcome_asks_for_one(qtbot, view, due_db):
    view.save_current()
    assert "Alt+1" in view.title.text()
    assert view.queue.count() == 2
    with due_db.sessions() as s:
        assert len(s.scalars(select(ContactEvent)).all()) == 2


def test_profile_change_typed_on_the_call_is_recorded(qtbot, view, due_db):
    from services import profile

    customer_id = view.current_call().customer_id
    view.outcomes.button(0).setChecked(True)
    view.attribute.setCurrentIndex(view.attribute.findData("employment"))
    view.value.setCurrentIndex(view.value.findData("business_owner"))
    with qtbot.waitSignal(view.call_saved, timeout=5000):
        view.save_button.click()
    assert profile.value_as_of(due_db.sessions, customer_id, "employment", dt.date.today()) == (
        "business_owner"
    )
