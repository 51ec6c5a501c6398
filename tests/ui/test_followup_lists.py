"""My follow-ups with one list chosen while others work on other PCs: the list withdrawn, a
refused save, a profile value changed meanwhile, a mistyped year in the call's time."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDateTime
from sqlalchemy import func, select

from models import ContactEvent, Customer, ListRun, ListRunMember, StaffUser
from services.contacts import calls
from services.customers import profile
from services.lists import runs
from services.staff.permissions import Actor
from services.store.database import open_database
from services.store.errors import StaleEdit
from tests.ui.conftest import shut_down
from ui.news import ELSEWHERE
from ui.tasks import DataChange, TaskRunner
from ui.views.followup_view import FollowUpView

TODAY = dt.date.today()
LISTED = 5


@pytest.fixture
def sheet(database):
    """陈丽's list of five calls and two promises due today; another list of hers; a colleague
    and the supervisor. Returns (chenli, colleague, boss, run id)."""
    with database.sessions.begin() as s:
        chenli = StaffUser(username="chenli", display_name="陈丽")
        liu = StaffUser(username="liuyang", display_name="刘洋")
        boss = StaffUser(username="wang", display_name="王主管", role="supervisor")
        people = [Customer(code=f"L{i}", name=f"车主{i}", mobile=f"1390013900{i}")
                  for i in range(LISTED + 2)]
        run, other = (ListRun(segment_name=name, filter_json="{}",
                              as_of=TODAY - dt.timedelta(days=3), purpose="care",
                              finished_at=dt.datetime.now())
                      for name in ("30天内生日", "保养提醒"))
        s.add_all([chenli, liu, boss, run, other, *people])
        s.flush()
        # The sheet's order is not the customers' order.
        s.add_all([ListRunMember(run_id=run.id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=chenli.id, position=LISTED - n,
                                 row_code=f"{run.id}-{LISTED - n}")
                   for n, c in enumerate(people[:LISTED])])
        s.add(ListRunMember(run_id=other.id, customer_id=people[LISTED].id, channel="phone",
                            assigned_staff_id=chenli.id, position=1, row_code=f"{other.id}-1"))
        ids = chenli.id, liu.id, boss.id, run.id
        promised = people[LISTED + 1].id
    calls.record_call(database.sessions, promised, ids[0],
                      calls.CallResult("no_answer", next_follow_up=TODAY),
                      at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=5))
    return ids


@pytest.fixture
def other_pc(database):
    """The same database through a second connection pool: a colleague's PC."""
    other = open_database(database.engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


def _on_list(qtbot, database, chenli, run):
    runner = TaskRunner()
    view = FollowUpView(database, runner)
    view.resize(1366, 728)
    view.show()
    view.caller.setCurrentIndex(view.caller.findData(chenli))
    qtbot.waitUntil(lambda: view.source.findData(run) >= 0 and not runner.busy, timeout=5000)
    view.source.setCurrentIndex(view.source.findData(run))
    view.source.activated.emit(view.source.currentIndex())
    qtbot.waitUntil(lambda: view.queue.count() == LISTED and not runner.busy, timeout=5000)
    return view, runner


def _contacts(database) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(ContactEvent))


def test_a_list_withdrawn_on_another_pc_moves_the_caller_to_her_other_calls(qtbot, database,
                                                                            other_pc, sheet):
    chenli, _liu, boss, run = sheet
    view, runner = _on_list(qtbot, database, chenli, run)
    try:
        assert view.count.text() == "5 call(s) to make" and view.notice.isHidden()
        runs.withdraw_run(other_pc.sessions, run, Actor(boss, "wang", "supervisor", "王主管"))
        # The half-minute look for news from other PCs.
        runner.announce(DataChange(frozenset({"lists"}), origin=ELSEWHERE))
        qtbot.waitUntil(lambda: not view.notice.isHidden(), timeout=5000)
        qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
        # The built-in segment's name in the window's language, as the choice of lists says it.
        assert view.notice.text() == (f"List #{run} Birthday within 30 days was withdrawn; your "
                                      f"other calls are listed.")
        # Her other list's call and the promised one: never "no calls due".
        assert view.chosen_source() == calls.ALL_CALLS
        assert view.count.text() == "2 call(s) to make" and view.queue.count() == 2
        assert view.current_call() is not None and not view.desk.isHidden()
        view.grab().save("/tmp/followup-list-withdrawn.png")
        # Choosing what to list again puts the sentence away.
        view.source.setCurrentIndex(1)
        view.source.activated.emit(1)
        qtbot.waitUntil(lambda: view.queue.count() == 1 and not runner.busy, timeout=5000)
        assert view.notice.isHidden()
    finally:
        shut_down(view, runner)


def test_a_call_being_typed_when_its_list_is_withdrawn_stays_and_is_stored(qtbot, database,
                                                                          other_pc, sheet):
    """On the phone with the list's customer when the supervisor withdraws it: the card stays
    with what she typed, and saved, the outcome is stored on the list."""
    chenli, _liu, boss, run = sheet
    view, runner = _on_list(qtbot, database, chenli, run)
    try:
        call = view.current_call()
        view.outcomes.button(5).setChecked(True)  # appointment
        view.feedback.setPlainText("生日问候，顺便约了保养")
        runs.withdraw_run(other_pc.sessions, run, Actor(boss, "wang", "supervisor", "王主管"))
        runner.announce(DataChange(frozenset({"lists"}), origin=ELSEWHERE))
        qtbot.waitUntil(lambda: not view.notice.isHidden() and not runner.busy, timeout=5000)
        assert view.current_call() is call and view.queue.currentRow() == -1
        assert view.feedback.toPlainText() == "生日问候，顺便约了保养"
        assert view.hint.text().startswith("No longer in your queue")
        assert view.count.text() == "2 call(s) to make"
        view.grab().save("/tmp/followup-withdrawn-typing.png")
        with qtbot.waitSignal(view.call_saved, timeout=5000):
            view.save_current()
        with database.sessions() as s:
            event = s.scalars(select(ContactEvent).where(
                ContactEvent.customer_id == call.customer_id)).one()
        assert (event.outcome, event.list_run_id) == ("appointment", run)
        # The next card is her first remaining call.
        assert view.current_call() is view._calls[0] and view.queue.count() == 2
    finally:
        shut_down(view, runner)


def test_choosing_other_calls_leaves_a_card_typed_on(qtbot, database, sheet):
    """Typed on but not saved, the list's call is not kept on the card when she chooses to list
    the promised calls: it is still in her queue, under its list."""
    chenli, _liu, _boss, run = sheet
    view, runner = _on_list(qtbot, database, chenli, run)
    try:
        view.outcomes.button(0).setChecked(True)
        view.source.setCurrentIndex(view.source.findData(calls.FOLLOW_UPS))
        view.source.activated.emit(view.source.currentIndex())
        qtbot.waitUntil(lambda: view.queue.count() == 1 and not runner.busy, timeout=5000)
        assert view.current_call().follow_up_of is not None and view.queue.currentRow() == 0
        assert view.outcomes.checkedButton() is None and view.hint.isHidden()
    finally:
        shut_down(view, runner)


@pytest.mark.parametrize("reload", [False, True])
def test_a_refused_save_keeps_the_list_its_order_and_the_call(qtbot, database, other_pc,
                                                              sheet, monkeypatch, reload):
    """A colleague stored the call on the second row meanwhile: Cancel keeps her on the list,
    in the sheet's order, on that call as typed; Reload keeps the list and opens the row after
    it."""
    chenli, liu, _boss, run = sheet
    asked: list[StaleEdit] = []
    monkeypatch.setattr("ui.views.followup_view.ask_reload",
                        lambda _parent, exc: asked.append(exc) or reload)
    view, runner = _on_list(qtbot, database, chenli, run)
    try:
        order = [c.customer_id for c in view._calls]
        view.queue.setCurrentRow(1)
        opened = view.current_call()
        calls.record_call(other_pc.sessions, opened.customer_id, liu,
                          calls.CallResult("appointment"), purpose=opened.purpose,
                          member_id=opened.member_id, seen_attempts=opened.attempts)
        view.outcomes.button(0).setChecked(True)
        view.feedback.setPlainText("下周再打")
        view.save_current()
        qtbot.waitUntil(lambda: bool(asked) and not view._saving and not runner.busy,
                        timeout=5000)
        assert "刘洋" in str(asked[0])
        assert view.chosen_source() == run
        if reload:
            assert [c.customer_id for c in view._calls] == [
                c for c in order if c != opened.customer_id]
            assert view.current_call().customer_id == order[2]
        else:
            assert [c.customer_id for c in view._calls] == order
            assert view.current_call() is opened and view.queue.currentRow() == 1
            assert view.feedback.toPlainText() == "下周再打"
    finally:
        shut_down(view, runner)


def test_a_profile_change_made_on_another_pc_meanwhile_is_refused_keeping_the_card(
        qtbot, database, other_pc, sheet, monkeypatch):
    chenli, _liu, boss, run = sheet
    view, runner = _on_list(qtbot, database, chenli, run)
    asked: list[StaleEdit] = []
    monkeypatch.setattr("ui.views.followup_view.ask_reload",
                        lambda _parent, exc: asked.append(exc) or True)
    try:
        call = view.current_call()
        profile.record_change(database.sessions, call.customer_id, "marital_status", "married",
                              effective_date=TODAY - dt.timedelta(days=30), source="visit")
        view._show_call(call)  # opened once it was married
        view.attribute.setCurrentIndex(view.attribute.findData("marital_status"))
        qtbot.waitUntil(lambda: view.value_now.text() == "now: Married", timeout=5000)
        view.value.setCurrentIndex(view.value.findData("single"))
        view.outcomes.button(0).setChecked(True)
        view.feedback.setPlainText("说自己单身")
        # The colleague on the customer page, seconds earlier.
        profile.record_change(other_pc.sessions, call.customer_id, "marital_status", "divorced",
                              effective_date=TODAY, source="visit", staff_id=boss,
                              seen_value="married")
        before = _contacts(database)
        view.save_current()
        qtbot.waitUntil(lambda: bool(asked) and not view._saving and not runner.busy,
                        timeout=5000)
        assert str(asked[0]).startswith(
            "王主管 changed this customer's marital status to “Divorced” at ")
        assert _contacts(database) == before
        # Everything typed is still there, beside the colleague's value.
        assert view.current_call().customer_id == call.customer_id
        assert view.feedback.toPlainText() == "说自己单身"
        assert view.attribute.currentData() == "marital_status"
        assert view.value.currentData() == "single"
        qtbot.waitUntil(lambda: view.value_now.text() == "now: Divorced", timeout=5000)
        view.grab().save("/tmp/followup-profile-stale.png")
        with qtbot.waitSignal(view.call_saved, timeout=5000):
            view.save_current()
        assert calls.profile_now(database.sessions, call.customer_id)["marital_status"] == \
            "single"
        assert len(asked) == 1
    finally:
        shut_down(view, runner)


def test_a_mistyped_year_in_the_calls_time_is_refused_with_the_card_kept(qtbot, database,
                                                                         sheet, monkeypatch):
    chenli, _liu, _boss, run = sheet
    said: list[str] = []
    monkeypatch.setattr("ui.views.followup_view.show_error",
                        lambda _parent, exc: said.append(str(exc)))
    view, runner = _on_list(qtbot, database, chenli, run)
    try:
        call = view.current_call()
        view.outcomes.button(0).setChecked(True)
        view.feedback.setPlainText("约了周四")
        view.when.setDateTime(QDateTime.fromString("2019-01-01 10:00", "yyyy-MM-dd HH:mm"))
        before = _contacts(database)
        view.save_current()
        qtbot.waitUntil(lambda: bool(said) and not view._saving and not runner.busy,
                        timeout=5000)
        as_of = (TODAY - dt.timedelta(days=3)).isoformat()
        assert said == [f"The call's time 2019-01-01 10:00 is before the date of list #{run} "
                        f"({as_of}); check the year."]
        assert _contacts(database) == before
        assert view.chosen_source() == run and view.current_call() is call
        assert view.feedback.toPlainText() == "约了周四"
        assert view.when.moment() == dt.datetime(2019, 1, 1, 10, 0)  # to put the year right
    finally:
        shut_down(view, runner)
