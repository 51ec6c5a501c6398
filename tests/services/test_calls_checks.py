"""What a call's save checks against what others did meanwhile on another PC (a list withdrawn,
a profile value changed on the customer page) and against a mistyped year in its time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from models import ContactEvent, Customer, ListRun, ListRunMember, ProfileChange, StaffUser
from services.contacts import calls
from services.customers import profile
from services.lists import runs
from services.staff.permissions import Actor
from services.store.database import Database, open_database
from services.store.errors import RevisitError, StaleEdit

TODAY = dt.date.today()


@pytest.fixture
def other_pc(database) -> Iterator[Database]:
    """The same database opened by a second connection pool, as a colleague's PC has it."""
    other = open_database(database.engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


@pytest.fixture
def sheet(database):
    """陈丽's list of three calls (as of three days ago) and one promise due today; the
    supervisor who made the list. Returns (chenli, boss, run id, [list customers], promised)."""
    with database.sessions.begin() as s:
        chenli = StaffUser(username="chenli", display_name="陈丽")
        boss = StaffUser(username="wang", display_name="王主管", role="supervisor")
        people = [Customer(code=f"L{i}", name=f"车主{i}", mobile=f"1390013900{i}")
                  for i in range(4)]
        run = ListRun(segment_name="30天内生日", filter_json="{}",
                      as_of=TODAY - dt.timedelta(days=3), purpose="care",
                      finished_at=dt.datetime.now())
        s.add_all([chenli, boss, run, *people])
        s.flush()
        s.add_all([ListRunMember(run_id=run.id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=chenli.id, position=n, row_code=f"{run.id}-{n}")
                   for n, c in enumerate(people[:3], start=1)])
        ids = (chenli.id, boss.id, run.id, [c.id for c in people[:3]], people[3].id)
    calls.record_call(database.sessions, ids[4], ids[0],
                      calls.CallResult("no_answer", next_follow_up=TODAY),
                      at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=5))
    return ids


def _contacts(database) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(ContactEvent))


def test_a_withdrawn_list_asked_for_gives_every_call_and_says_it_left(database, sheet):
    chenli, boss, run, listed, promised = sheet
    assert [c.customer_id for c in calls.queue(database.sessions, chenli, source=run).calls] \
        == listed
    runs.withdraw_run(database.sessions, run, Actor(boss, "wang", "supervisor", "王主管"))
    got = calls.queue(database.sessions, chenli, source=run)
    # Not an empty queue that reads "no calls left": her other calls, and why.
    assert got.left == calls.LeftRun(run, "30天内生日", withdrawn=True)
    assert [c.customer_id for c in got.calls] == [promised] and got.total == 1
    assert got.runs == []


def test_a_list_whose_calls_are_all_made_gives_every_call(database, sheet):
    chenli, _boss, run, listed, promised = sheet
    for n, due in enumerate(calls.queue(database.sessions, chenli, source=run).calls):
        calls.record_call(database.sessions, due.customer_id, chenli,
                          calls.CallResult("reached"), purpose=due.purpose,
                          member_id=due.member_id, seen_attempts=due.attempts)
        assert due.customer_id == listed[n]
    got = calls.queue(database.sessions, chenli, source=run)
    assert got.left == calls.LeftRun(run, "30天内生日", withdrawn=False)
    assert [c.customer_id for c in got.calls] == [promised]


def test_a_call_on_a_list_withdrawn_meanwhile_is_kept_on_it(database, other_pc, sheet):
    """The caller had the list's call open when the supervisor withdrew it on another PC: what
    she heard is stored, on the list, as an outcome read back from its paper is."""
    chenli, boss, run, listed, _promised = sheet
    due = calls.queue(database.sessions, chenli, source=run).calls[0]
    runs.withdraw_run(other_pc.sessions, run, Actor(boss, "wang", "supervisor", "王主管"))
    calls.record_call(database.sessions, due.customer_id, chenli,
                      calls.CallResult("appointment", feedback="约了周四保养"),
                      purpose=due.purpose, member_id=due.member_id,
                      seen_attempts=due.attempts)
    with database.sessions() as s:
        event = s.scalars(select(ContactEvent).where(ContactEvent.customer_id == listed[0])).one()
        assert (event.outcome, event.feedback, event.list_run_id) == (
            "appointment", "约了周四保养", run)
        assert s.get_one(ListRunMember, due.member_id).status == "done"


def test_a_call_dated_before_its_list_is_refused(database, sheet):
    chenli, _boss, run, _listed, _promised = sheet
    due = calls.queue(database.sessions, chenli, source=run).calls[0]
    before = _contacts(database)
    with pytest.raises(RevisitError) as refused:
        calls.record_call(database.sessions, due.customer_id, chenli,
                          calls.CallResult("reached"), purpose=due.purpose,
                          member_id=due.member_id, seen_attempts=due.attempts,
                          at=dt.datetime(2019, 1, 1, 10, 0))
    as_of = (TODAY - dt.timedelta(days=3)).isoformat()
    assert str(refused.value) == (f"The call's time 2019-01-01 10:00 is before the date of "
                                  f"list #{run} ({as_of}); check the year.")
    assert _contacts(database) == before
    with database.sessions() as s:  # the member is still to be called
        member = s.get_one(ListRunMember, due.member_id)
        assert (member.status, member.attempts) == ("open", 0)


def test_a_promised_call_dated_before_its_promise_is_refused(database, sheet):
    """Stored in 2019 it would not be the customer's latest contact: the promise would stay
    due for ever."""
    chenli, _boss, _run, _listed, promised = sheet
    [due] = calls.queue(database.sessions, chenli, source=calls.FOLLOW_UPS).calls
    before = _contacts(database)
    with pytest.raises(RevisitError) as refused:
        calls.record_call(database.sessions, promised, chenli, calls.CallResult("reached"),
                          purpose=due.purpose, follow_up_of=due.follow_up_of,
                          at=dt.datetime(2019, 1, 1, 10, 0))
    assert str(refused.value).startswith(
        "The call's time 2019-01-01 10:00 is before the contact that asked for it (")
    assert _contacts(database) == before
    assert [c.customer_id for c in calls.queue(database.sessions, chenli).calls
            if c.follow_up_of] == [promised]
    # Dated after the promise, the same call closes it.
    calls.record_call(database.sessions, promised, chenli, calls.CallResult("reached"),
                      purpose=due.purpose, follow_up_of=due.follow_up_of,
                      at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=1))
    assert [c for c in calls.queue(database.sessions, chenli).calls if c.follow_up_of] == []


def test_a_profile_change_on_a_call_made_stale_on_another_pc_is_refused(database, other_pc,
                                                                       sheet):
    """The card showed 已婚; a colleague set 离异 on the customer page meanwhile. The call's 单身
    is refused naming them, when and what they set; nothing of the call is stored. Saved again
    with what the card shows now, it is recorded."""
    chenli, boss, run, listed, _promised = sheet
    customer = listed[0]
    profile.record_change(database.sessions, customer, "marital_status", "married",
                          effective_date=TODAY - dt.timedelta(days=30), source="visit")
    due = calls.queue(database.sessions, chenli, source=run).calls[0]
    shown = calls.profile_now(database.sessions, customer)
    assert shown["marital_status"] == "married" and shown["occupation"] is None
    # The customer page on the colleague's PC passes what it showed, as it does.
    profile.record_change(other_pc.sessions, customer, "marital_status", "divorced",
                          effective_date=TODAY, source="visit", staff_id=boss,
                          seen_value="married")
    result = calls.CallResult("reached", feedback="说自己单身",
                              profile_changes=(("marital_status", "single"),),
                              seen_profile=(("marital_status", shown["marital_status"]),))
    before = _contacts(database)
    with pytest.raises(StaleEdit) as refused:
        calls.record_call(database.sessions, customer, chenli, result, purpose=due.purpose,
                          member_id=due.member_id, seen_attempts=due.attempts)
    said = str(refused.value)
    assert said.startswith("王主管 changed this customer's marital status to “Divorced” at ")
    assert "nothing was saved" in said
    assert refused.value.params["value"].zh == "离异"
    assert _contacts(database) == before
    with database.sessions() as s:
        assert s.scalars(select(ProfileChange.new_value).where(
            ProfileChange.customer_id == customer).order_by(ProfileChange.id)).all() == [
            "married", "divorced"]
    # Seen now: the caller's change is recorded over the colleague's, knowingly.
    again = calls.profile_now(database.sessions, customer)
    calls.record_call(database.sessions, customer, chenli,
                      calls.CallResult("reached", feedback="说自己单身",
                                       profile_changes=(("marital_status", "single"),),
                                       seen_profile=(("marital_status",
                                                      again["marital_status"]),)),
                      purpose=due.purpose, member_id=due.member_id, seen_attempts=due.attempts)
    assert calls.profile_now(database.sessions, customer)["marital_status"] == "single"
