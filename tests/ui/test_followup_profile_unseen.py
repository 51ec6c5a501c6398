"""A profile change saved on a call before the card has shown the value recorded now is not
stored unchecked over a colleague's change: the caller is asked to wait for it, then sees the
colleague's value beside what they typed, and the save is checked against it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from services.contacts import calls
from services.customers import profile
from tests.ui.conftest import shut_down
from tests.ui.test_followup_view import due_db  # noqa: F401 - the fixture
from ui.labels import label
from ui.tasks import TaskRunner
from ui.views.followup_view import FollowUpView


@pytest.fixture
def slow_profile(monkeypatch):
    """The card's read of the profile held until the event is set."""
    loaded = threading.Event()
    real = calls.profile_now

    def held(sessions, customer_id):
        loaded.wait(30)
        return real(sessions, customer_id)

    monkeypatch.setattr(calls, "profile_now", held)
    yield loaded
    loaded.set()


def test_a_profile_change_saved_before_the_card_loaded_is_not_stored_unchecked(
        qtbot, due_db, slow_profile):  # noqa: F811 - the fixture
    runner = TaskRunner()
    view = FollowUpView(due_db, runner)
    view.show()
    try:
        qtbot.waitUntil(lambda: view.queue.count() == 2, timeout=5000)
        customer_id = view.current_call().customer_id
        # A colleague on the customer page records the customer's job meanwhile.
        profile.record_change(due_db.sessions, customer_id, "employment", "retired",
                              effective_date=dt.date.today(), source="manual")
        view.outcomes.button(0).setChecked(True)
        view.attribute.setCurrentIndex(view.attribute.findData("employment"))
        view.value.setCurrentIndex(view.value.findData("business_owner"))
        assert view.value_now.text() == ""  # nothing shown beside it yet
        view.save_button.click()
        assert "still loading" in view.hint.text()
        assert view.current_call().customer_id == customer_id and view.queue.count() == 2
        assert profile.value_as_of(due_db.sessions, customer_id, "employment",
                                   dt.date.today()) == "retired"
        slow_profile.set()
        qtbot.waitUntil(lambda: view.value_now.text() != "", timeout=5000)
        assert label("employment", "retired") in view.value_now.text()  # the colleague's
        assert view.hint.text() == ""  # no longer asked to wait
        assert view.value.currentData() == "business_owner"  # what was typed stays
        with qtbot.waitSignal(view.call_saved, timeout=5000):
            view.save_button.click()
        assert profile.value_as_of(due_db.sessions, customer_id, "employment",
                                   dt.date.today()) == "business_owner"
    finally:
        slow_profile.set()
        shut_down(view, runner)
