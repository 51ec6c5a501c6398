"""The follow-up workspace worked with the keyboard alone: outcome, feedback, next date, save."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QRadioButton
from sqlalchemy import select

from models import ContactEvent, Customer, StaffUser
from services.contacts import calls
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.followup_view import FollowUpView


def _make_due(database, names):
    """Customers whose follow-up with 陈丽 is due today, one per name; returns their ids."""
    with database.sessions.begin() as s:
        staff = StaffUser(username="chenli", display_name="陈丽")
        s.add(staff)
        customers = [
            Customer(code=f"C{i}", name=n, mobile=f"138001{i:05d}") for i, n in enumerate(names)
        ]
        s.add_all(customers)
        s.flush()
        staff_id = staff.id
        ids = [c.id for c in customers]
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    for cid in ids:
        calls.record_call(
            database.sessions,
            cid,
            staff_id,
            calls.CallResult(outcome="no_answer", next_follow_up=dt.date.today()),
            at=yesterday,
        )
    return ids


def _open_view(qtbot, database):
    runner = TaskRunner()
    widget = FollowUpView(database, runner)  # the test ends it with shut_down()
    widget.show()
    widget.windowHandle().requestActivate()  # shortcuts need the active window
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    return widget, runner


def _latest_call(database, customer_id):
    with database.sessions() as s:
        return s.scalars(
            select(ContactEvent)
            .where(ContactEvent.customer_id == customer_id)
            .order_by(ContactEvent.id.desc())
        ).first()


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
    # Promised a week ago for today: a call typed up later is dated after the promise.
    week_ago = dt.datetime.now() - dt.timedelta(days=7)
    for cid in ids:
        calls.record_call(
            sqlite_database.sessions,
            cid,
            staff_id,
            calls.CallResult(outcome="no_answer", next_follow_up=dt.date.today()),
            at=week_ago,
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


def test_a_call_typed_up_later_keeps_the_day_it_was_made(qtbot, view, due_db):
    """Calls typed from the paper sheet on Friday were Monday's: the card's time is changed
    to when it was; left alone, it is now. It cannot be set after now."""
    first = view.current_call()
    assert view.when.moment() is None
    monday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=4), dt.time(10, 20))
    view.when.setDateTime(monday)
    view.when.setDateTime(dt.datetime.now() + dt.timedelta(days=1))  # refused: clamped
    assert view.when.moment() <= dt.datetime.now()
    view.when.setDateTime(monday)
    view.outcomes.button(1).setChecked(True)  # no answer
    with qtbot.waitSignal(view.call_saved, timeout=5000):
        view.save_current()
    assert _latest_call(due_db, first.customer_id).contact_at == monday
    # The next call on the card starts at now again.
    qtbot.waitUntil(lambda: view.current_call() is not None
                    and view.current_call().customer_id != first.customer_id, timeout=5000)
    assert view.when.moment() is None


def test_saving_without_outcome_asks_for_one(qtbot, view, due_db):
    shown = view.title.text()
    view.save_current()
    assert "1" in view.hint.text()
    assert view.title.text() == shown  # the card still names the customer
    assert view.queue.count() == 2
    with due_db.sessions() as s:
        assert len(s.scalars(select(ContactEvent)).all()) == 2


def test_profile_change_typed_on_the_call_is_recorded(qtbot, view, due_db):
    from services.customers import profile
    customer_id = view.current_call().customer_id
    view.outcomes.button(0).setChecked(True)
    view.attribute.setCurrentIndex(view.attribute.findData("employment"))
    view.value.setCurrentIndex(view.value.findData("business_owner"))
    # Saved once the card shows the value recorded now beside the change.
    qtbot.waitUntil(lambda: view.value_now.text() != "", timeout=5000)
    with qtbot.waitSignal(view.call_saved, timeout=5000):
        view.save_button.click()
    assert profile.value_as_of(due_db.sessions, customer_id, "employment", dt.date.today()) == (
        "business_owner"
    )


NAMES = ("李敏英", "沈海亮", "王洁淑", "张伟", "李娜", "何琳", "赵强", "孙丽", "周杰", "吴芳")


def test_ctrl_enter_through_ten_calls_saves_each_on_the_card_shown(qtbot, sqlite_database):
    """Saves run in the background while the caller goes on: every outcome must land on the
    customer whose card was on screen when Ctrl+Enter was pressed, however fast they type."""
    _make_due(sqlite_database, NAMES)
    view, runner = _open_view(qtbot, sqlite_database)
    try:
        qtbot.waitUntil(lambda: view.queue.count() == 10, timeout=5000)
        shown: list[tuple[int, str, str, str]] = []
        for i in range(10):
            call = view.current_call()
            # The highlighted row and the card are one and the same customer.
            assert view.queue.currentItem().text().split()[0] == call.name
            assert view.title.text().startswith(call.name)
            outcome_key = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_6)[i % 3]
            qtbot.keyClick(QApplication.focusWidget(), outcome_key)
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is view.feedback
            qtbot.keyClicks(view.feedback, f"note {i}")
            code = view.outcomes.checkedButton().property("code")
            shown.append((call.customer_id, view.title.text(), code, f"note {i}"))
            qtbot.keyClick(view.feedback, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert runner.wait(10000)
        qtbot.waitUntil(lambda: not view._saving, timeout=5000)
        assert view.queue.count() == 0
        assert len({customer for customer, *_ in shown}) == 10
        for customer_id, title, code, note in shown:
            latest = _latest_call(sqlite_database, customer_id)
            assert (latest.outcome, latest.feedback) == (code, note), title
    finally:
        shut_down(view, runner)


def test_three_calls_worked_with_the_keyboard_only(qtbot, sqlite_database):
    ids = _make_due(sqlite_database, NAMES[:3])
    view, runner = _open_view(qtbot, sqlite_database)
    try:
        qtbot.waitUntil(lambda: view.queue.count() == 3, timeout=5000)
        view.focus_first()
        worked = []

        def key(k, modifier=Qt.KeyboardModifier.NoModifier):
            qtbot.keyClick(QApplication.focusWidget(), k, modifier)

        for n in range(3):
            customer_id = view.current_call().customer_id
            assert isinstance(QApplication.focusWidget(), QRadioButton)
            key(Qt.Key.Key_2)  # 2 = no answer, from the outcome buttons
            key(Qt.Key.Key_Tab)
            assert isinstance(QApplication.focusWidget(), QPlainTextEdit)
            qtbot.keyClicks(QApplication.focusWidget(), "busy, call later")
            key(Qt.Key.Key_3)  # typed into the feedback, not an outcome
            assert view.outcomes.checkedButton().property("code") == "no_answer"
            key(Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is view.has_next
            key(Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is view.next_date
            key(Qt.Key.Key_Tab)  # leaves the date field, whatever part has the cursor
            assert QApplication.focusWidget() is view.quick_days[0]
            for _ in range(n):  # +3, +7 or +14 days
                key(Qt.Key.Key_Tab)
            key(Qt.Key.Key_Space)
            assert view.has_next.isChecked()
            key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            worked.append((customer_id, (3, 7, 14)[n]))
            assert runner.wait(5000)
        qtbot.waitUntil(lambda: view.queue.count() == 0 and not view._saving, timeout=5000)
        assert sorted(c for c, _ in worked) == sorted(ids)
        for customer_id, days in worked:
            latest = _latest_call(sqlite_database, customer_id)
            assert latest.outcome == "no_answer"
            assert latest.feedback == "busy, call later3"
            assert latest.next_follow_up == dt.date.today() + dt.timedelta(days=days)
    finally:
        shut_down(view, runner)


def test_digits_in_the_km_box_type_a_number_not_an_outcome(qtbot, view):
    view.km.setFocus()
    view.km.lineEdit().selectAll()
    qtbot.keyClicks(view.km.lineEdit(), "86000")
    assert view.outcomes.checkedButton() is None
    assert view.km.text().replace(",", "").startswith("86000")


def test_a_failed_save_keeps_the_call_and_what_was_typed(qtbot, view, due_db, monkeypatch):
    from services.store.errors import RevisitError

    def locked(*_a, **_k):
        raise RevisitError("The database is locked.")

    monkeypatch.setattr(calls, "record_call", locked)
    monkeypatch.setattr("ui.views.followup_view.show_error", lambda *_a: None)
    first = view.current_call()
    view.outcomes.button(5).setChecked(True)
    view.feedback.setPlainText("明天下午来店")
    view.save_current()
    qtbot.waitUntil(lambda: view.current_call() == first and not view._saving, timeout=5000)
    assert view.queue.count() == 2
    assert view.outcomes.checkedButton().property("code") == "appointment"
    assert view.feedback.toPlainText() == "明天下午来店"


def test_the_brief_beside_each_call_is_that_customers(qtbot, view, due_db):
    # Each queued call says the day it was promised for, not a bare date.
    call = view.current_call()
    assert call.due is not None
    assert view.queue.item(0).text().endswith(f"follow up on {call.due.isoformat()}")
    for _ in range(2):
        call = view.current_call()
        qtbot.waitUntil(lambda c=call: view.brief.brief is not None
                        and view.brief.brief.customer_id == c.customer_id, timeout=5000)
        assert "no answer" in view.brief.text_of("contact").lower() or \
            "无人接听" in view.brief.text_of("contact")
        view.outcomes.button(1).setChecked(True)
        with qtbot.waitSignal(view.call_saved, timeout=5000):
            view.save_current()
    assert view.brief.brief is None  # no call left, no brief


def test_a_queue_longer_than_is_listed_says_how_many_are_due(qtbot, due_db, monkeypatch):
    whole = calls.queue
    monkeypatch.setattr(calls, "queue",
                        lambda *a, **k: whole(*a, **{**k, "limit": 1}))  # one listed of each
    widget, runner = _open_view(qtbot, due_db)
    try:
        widget.caller.setCurrentIndex(widget.caller.findText("陈丽", Qt.MatchFlag.MatchContains))
        widget.refresh()
        qtbot.waitUntil(lambda: widget.queue.count() == 1, timeout=5000)
        assert widget.count.text() == "2 call(s) to make; the first 1 are listed"
        # The one listed saved, the next due is listed.
        first = widget.current_call()
        widget.feedback.setFocus()
        qtbot.keyClick(widget.feedback, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
        with qtbot.waitSignal(widget.call_saved, timeout=5000):
            qtbot.keyClick(widget.feedback, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: widget.queue.count() == 1
                        and widget.current_call().customer_id != first.customer_id, timeout=5000)
        assert widget.count.text() == "1 call(s) to make"
    finally:
        shut_down(widget, runner)


def test_a_list_call_a_colleague_saved_meanwhile_is_refused_and_reloaded(qtbot,
                                                                         sqlite_database,
                                                                         monkeypatch):
    """Both had 张伟's list call open; the colleague's appointment stands, this save is refused
    naming them, and Reload shows the queue without the call they made."""
    from models import ListRun, ListRunMember
    from services.store.errors import StaleEdit

    with sqlite_database.sessions.begin() as s:
        mine, theirs = StaffUser(username="chenli", display_name="陈丽"), StaffUser(
            username="liuyang", display_name="刘洋")
        people = [Customer(code=f"C{i}", name=n, mobile=f"1380013800{i}")
                  for i, n in enumerate(("张伟", "李娜"))]
        run = ListRun(segment_name="关怀", filter_json="{}", as_of=dt.date.today(),
                      purpose="care", finished_at=dt.datetime.now())
        s.add_all([mine, theirs, run, *people])
        s.flush()
        s.add_all([ListRunMember(run_id=run.id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=mine.id, position=n + 1,
                                 row_code=f"{run.id}-{n + 1}") for n, c in enumerate(people)])
        mine_id, theirs_id = mine.id, theirs.id
    asked = []
    monkeypatch.setattr("ui.views.followup_view.ask_reload",
                        lambda _parent, exc: asked.append(exc) or True)
    widget, runner = _open_view(qtbot, sqlite_database)
    try:
        widget.caller.setCurrentIndex(widget.caller.findData(mine_id))
        qtbot.waitUntil(lambda: widget.queue.count() == 2, timeout=5000)
        opened = widget.current_call()
        calls.record_call(sqlite_database.sessions, opened.customer_id, theirs_id,
                          calls.CallResult("appointment", feedback="约了周五保养"),
                          purpose="care", member_id=opened.member_id,
                          seen_attempts=opened.attempts)
        widget.outcomes.button(2).setChecked(True)  # no answer
        widget.save_current()
        qtbot.waitUntil(lambda: bool(asked), timeout=5000)
        assert isinstance(asked[0], StaleEdit)
        assert "刘洋" in str(asked[0]) and "reload" in str(asked[0])
        qtbot.waitUntil(lambda: widget.queue.count() == 1 and not widget._saving,
                        timeout=5000)
        assert widget.current_call().customer_id != opened.customer_id
        latest = _latest_call(sqlite_database, opened.customer_id)
        assert (latest.outcome, latest.staff_id) == ("appointment", theirs_id)
    finally:
        shut_down(widget, runner)


def test_a_refusal_can_stop_further_calls_and_one_set_elsewhere_empties_the_queue(qtbot, view,
                                                                                  due_db):
    from models import DoNotContact
    from services.customers import preferences
    from ui.tasks import changed

    first = view.current_call()
    assert view.no_more_calls.isHidden()  # only with "refused"
    qtbot.keyClick(view.queue, Qt.Key.Key_5)  # 5 = refused
    assert view.outcomes.checkedButton().property("code") == "refused"
    assert not view.no_more_calls.isHidden()
    view.no_more_calls.setChecked(True)
    view.grab().save("/tmp/followup-refused.png")
    with qtbot.waitSignal(view.call_saved, timeout=5000):
        view.save_button.click()
    with due_db.sessions() as s:
        row = s.scalars(select(DoNotContact)).one()
    assert (row.customer_id, row.channel, row.source) == (first.customer_id, "phone", "call")
    # The next card starts without it.
    assert view.current_call().customer_id != first.customer_id
    assert view.no_more_calls.isHidden() and not view.no_more_calls.isChecked()
    # A refusal set on the customer's page (another area) takes the other call off the queue.
    second = view.current_call()
    preferences.add_refusal(due_db.sessions, second.customer_id, channel="phone",
                            purpose=None, reason="客户要求", set_on=dt.date.today())
    assert not view.desk.isHidden()
    view.runner.announce(changed("preferences", customer=second.customer_id))
    qtbot.waitUntil(lambda: view.queue.count() == 0, timeout=5000)
    # Nothing left to call: the sentence alone, no form of empty fields to type into.
    assert view.current_call() is None and view.desk.isHidden()
    assert view.title.text() == "No calls due. Well done."


def test_a_km_goes_to_the_car_chosen_beside_it(qtbot, sqlite_database):
    from models import MileageReading, Vehicle

    [cid] = _make_due(sqlite_database, ["徐婷悦"])
    with sqlite_database.sessions.begin() as s:
        old = Vehicle(customer_id=cid, brand="大众", model="迈腾", plate="粤A11111",
                      purchase_date=dt.date(2019, 3, 1))
        new = Vehicle(customer_id=cid, brand="别克", model="君越", plate="粤A22222",
                      purchase_date=dt.date(2022, 6, 1))
        s.add_all([old, new])
        s.flush()
        s.add_all([MileageReading(vehicle_id=old.id, reading_date=dt.date(2026, 1, 1),
                                  km=70000, source="visit"),
                   MileageReading(vehicle_id=new.id, reading_date=dt.date(2026, 1, 1),
                                  km=130000, source="visit")])
        old_id, new_id = old.id, new.id
    view, runner = _open_view(qtbot, sqlite_database)
    try:
        qtbot.waitUntil(lambda: view.km_car.count() == 2, timeout=5000)
        # The newest car first, as before; the other one a click away.
        assert view.km_car.currentData() == new_id and "君越" in view.km_car.currentText()
        view.grab().save("/tmp/followup-km-car.png")
        qtbot.keyClick(view.queue, Qt.Key.Key_1)
        view.km.setValue(86000)
        view.km_car.setCurrentIndex(view.km_car.findData(old_id))
        with qtbot.waitSignal(view.call_saved, timeout=5000):
            view.save_button.click()
        with sqlite_database.sessions() as s:
            saved = s.execute(select(MileageReading.vehicle_id, MileageReading.km)
                              .where(MileageReading.source == "call")).all()
        assert saved == [(old_id, 86000)]
    finally:
        shut_down(view, runner)


def test_a_caller_lists_one_runs_calls_or_the_follow_ups_alone(qtbot, due_db):
    """Monday's reminder list behind this week's other calls: chosen, its calls alone, in the
    sheet's order, each with what its sheet says to raise; the choice says how many each list
    has and stays over a refresh."""
    from models import ListRun, ListRunMember

    today = dt.date.today()
    with due_db.sessions.begin() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.username == "chenli"))
        run = ListRun(segment_name="保养提醒", filter_json="{}", as_of=today, purpose="reminder",
                      finished_at=dt.datetime.now())
        s.add(run)
        s.add_all([Customer(code=f"R{i}", name=f"车主{i}", mobile=f"1390013900{i}")
                   for i in range(3)])
        s.flush()
        listed = s.scalars(select(Customer.id).where(Customer.code.like("R%"))
                           .order_by(Customer.id)).all()
        s.add_all([ListRunMember(run_id=run.id, customer_id=cid, channel="phone",
                                 assigned_staff_id=staff_id, position=3 - n,
                                 row_code=f"{run.id}-{3 - n}",
                                 snapshot='{"talking_points": "12月13日生日：送上祝福"}')
                   for n, cid in enumerate(listed)])
        run_id = run.id
    widget, runner = _open_view(qtbot, due_db)
    try:
        qtbot.waitUntil(lambda: widget.queue.count() == 5, timeout=5000)
        names = [widget.source.itemText(i) for i in range(widget.source.count())]
        assert names == ["All calls", "Promised follow-ups", f"List #{run_id} 保养提醒 (3)"]
        widget.source.setCurrentIndex(2)
        widget.source.activated.emit(2)
        qtbot.waitUntil(lambda: widget.queue.count() == 3, timeout=5000)
        assert [c.name for c in widget._calls] == ["车主2", "车主1", "车主0"]  # sheet order
        assert widget.count.text() == "3 call(s) to make"
        # What the sheet says to raise is on the card, as on the caller's paper.
        assert "To raise: 12月13日生日：送上祝福" in widget.summary.text()
        widget.refresh()
        qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
        assert widget.chosen_source() == run_id and widget.queue.count() == 3
        widget.source.setCurrentIndex(1)
        widget.source.activated.emit(1)
        qtbot.waitUntil(lambda: widget.queue.count() == 2, timeout=5000)
        assert {c.name for c in widget._calls} == {"张伟", "李娜"}
    finally:
        shut_down(widget, runner)
