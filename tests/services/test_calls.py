"""Recording a call: contact event, km reading, profile changes and list state in one go."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import ContactEvent, Customer, MileageReading, StaffUser, Vehicle
from services.contacts import calls
from services.customers import profile
from services.store.errors import RevisitError

NOW = dt.datetime(2026, 11, 23, 10, 30)


@pytest.fixture
def people(database):
    with database.sessions.begin() as s:
        staff = StaffUser(username="chenli", display_name="陈丽")
        other = StaffUser(username="liuyang", display_name="刘洋")
        c = Customer(code="C1", name="张伟", mobile="13800138080")
        s.add_all([staff, other, c])
        s.flush()
        v = Vehicle(
            customer_id=c.id,
            brand="大众",
            model="朗逸",
            plate="粤A12345",
            purchase_date=dt.date(2019, 5, 1),
        )
        s.add(v)
        s.flush()
        s.add(
            MileageReading(
                vehicle_id=v.id, reading_date=dt.date(2025, 5, 1), km=61000, source="visit"
            )
        )
        return staff.id, other.id, c.id, v.id


def _events(database, customer_id):
    with database.sessions() as s:
        return s.scalars(
            select(ContactEvent)
            .where(ContactEvent.customer_id == customer_id)
            .order_by(ContactEvent.contact_at)
        ).all()


def test_call_records_event_km_and_profile_change(database, people):
    staff, _, customer, vehicle = people
    result = calls.CallResult(
        outcome="reached",
        feedback="刚结婚，想换个大点的车",
        next_follow_up=dt.date(2026, 12, 7),
        km=86000,
        vehicle_id=vehicle,
        profile_changes=(("marital_status", "married"),),
    )
    changes = calls.record_call(database.sessions, customer, staff, result, purpose="sales", at=NOW)
    [event] = _events(database, customer)
    assert (event.outcome, event.feedback, event.next_follow_up, event.purpose) == (
        "reached",
        "刚结婚，想换个大点的车",
        dt.date(2026, 12, 7),
        "sales",
    )
    with database.sessions() as s:
        km = s.scalars(select(MileageReading.km).where(MileageReading.source == "call")).all()
    assert km == [86000]
    assert [(c.attribute, c.new_value, c.source) for c in changes] == [
        ("marital_status", "married", "call")
    ]
    assert profile.value_as_of(database.sessions, customer, "marital_status", NOW.date()) == (
        "married"
    )


def test_bad_call_stores_nothing(database, people):
    staff, _, customer, vehicle = people
    for bad in (
        calls.CallResult(outcome="reached", km=50000, vehicle_id=vehicle),  # below 61,000 km
        calls.CallResult(outcome="reached", next_follow_up=dt.date(2020, 1, 1)),
        calls.CallResult(outcome="maybe"),
        calls.CallResult(outcome="reached", profile_changes=(("economic_band", "9"),)),
    ):
        with pytest.raises(RevisitError):
            calls.record_call(database.sessions, customer, staff, bad, at=NOW)
    assert _events(database, customer) == []
    assert profile.history(database.sessions, customer) == []


def test_a_km_that_rose_faster_than_a_car_is_driven_is_refused(database, people):
    """2,000 km a day since the reading before (a same-day one allows one day): a digit too
    many (620,000 for 62,000) is refused with the numbers, the day's limit is not."""
    staff, _, customer, vehicle = people
    with database.sessions.begin() as s:
        s.add(MileageReading(vehicle_id=vehicle, reading_date=dt.date(2026, 11, 20), km=62000,
                             source="visit"))

    def call(km: int) -> None:
        calls.record_call(database.sessions, customer, staff,
                          calls.CallResult(outcome="reached", km=km, vehicle_id=vehicle), at=NOW)

    for typo in (620000, 68001):  # three days: 6,000 km at most
        with pytest.raises(RevisitError, match="more than the 62,000 km read on 2026-11-20") as e:
            call(typo)
        assert f"{typo:,} km is {typo - 62000:,} km more" in str(e.value)
    assert _events(database, customer) == []
    call(68000)
    with pytest.raises(RevisitError, match="more than a car is driven"):
        call(70001)  # the same day as 68,000: 2,000 km at most
    call(70000)
    with database.sessions() as s:
        assert sorted(s.scalars(select(MileageReading.km).where(
            MileageReading.source == "call"))) == [68000, 70000]


def test_due_follow_ups_are_the_latest_contact_per_customer(database, people):
    staff, other, customer, vehicle = people
    ask_back = calls.CallResult(outcome="no_answer", next_follow_up=dt.date(2026, 11, 25))
    calls.record_call(database.sessions, customer, staff, ask_back, at=NOW)
    assert calls.queue(database.sessions, staff, dt.date(2026, 11, 24)).calls == []
    [due] = calls.queue(database.sessions, staff, dt.date(2026, 11, 25)).calls
    assert (due.customer_id, due.due, due.vehicle) == (
        customer,
        dt.date(2026, 11, 25),
        "朗逸 粤A12345",
    )
    assert calls.queue(database.sessions, other, dt.date(2026, 11, 25)).calls == []
    # Reached on the follow-up without a new date: nothing is due any more.
    calls.record_call(
        database.sessions,
        customer,
        staff,
        calls.CallResult(outcome="reached"),
        at=NOW + dt.timedelta(days=2),
    )
    assert calls.queue(database.sessions, staff, dt.date(2026, 12, 31)).calls == []
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ContactEvent)) == 2


@pytest.mark.parametrize(("mobile", "other_phones", "shown"), [
    ("13800138080", "020-81234567", "13800138080"),
    ("+86 138 0013 8080", None, "13800138080"),
    (None, "1380013800, 020-81234567-12", "020-81234567-12"),  # the first is no number
    (None, "+85221234567", "+85221234567"),  # nothing to dial here: shown as typed
    ("12345", None, "12345"),  # no number to dial: shown as typed, for staff to put right
])
def test_a_due_call_shows_the_number_to_dial(database, people, mobile, other_phones, shown):
    staff, _, customer, _ = people
    with database.sessions.begin() as s:
        c = s.get(Customer, customer)
        c.mobile, c.other_phones = mobile, other_phones
    ask_back = calls.CallResult(outcome="no_answer", next_follow_up=dt.date(2026, 11, 25))
    calls.record_call(database.sessions, customer, staff, ask_back, at=NOW)
    [due] = calls.queue(database.sessions, staff, dt.date(2026, 11, 25)).calls
    assert due.mobile == shown


def test_a_call_logged_by_hand_keeps_its_channel_and_purpose(database, people):
    staff, _, customer, _ = people
    reached = calls.CallResult(outcome="reached")
    calls.record_call(database.sessions, customer, staff, reached, purpose="reminder",
                      channel="wechat", at=NOW)
    for channel, purpose in (("sms", "reminder"), ("wechat", "lottery")):  # no conversation
        with pytest.raises(RevisitError):
            calls.record_call(database.sessions, customer, staff, reached, purpose=purpose,
                              channel=channel, at=NOW)
    assert [(e.channel, e.purpose) for e in _events(database, customer)] == [
        ("wechat", "reminder")]


def test_the_queue_is_todays_whatever_changed_since_the_list_was_built(database):
    """A run re-prints as built, but a caller's queue leaves out who is not to be called
    today: a phone do-not-contact for the run's purpose set since, a call reached since the
    run's date through another run, a failed call within the retry wait (3 days)."""
    from models import DoNotContact, ListRun, ListRunMember

    today = dt.date.today()
    with database.sessions.begin() as s:
        amy, bob = StaffUser(username="amy", display_name="Amy"), StaffUser(
            username="bob", display_name="Bob")
        people = [Customer(code=f"C{i}", name=f"客户{i}") for i in range(6)]
        runs = [ListRun(segment_name="保养", filter_json="{}", as_of=today, purpose=p,
                        finished_at=dt.datetime.now()) for p in ("care", "care")]
        s.add_all([amy, bob, *people, *runs])
        s.flush()
        members = [ListRunMember(run_id=runs[0].id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=amy.id, position=n + 1,
                                 row_code=f"1-{n + 1}") for n, c in enumerate(people)]
        # 客户1 is on the second run too, in Bob's hands.
        theirs = ListRunMember(run_id=runs[1].id, customer_id=people[1].id, channel="phone",
                               assigned_staff_id=bob.id, position=1, row_code="2-1")
        s.add_all([*members, theirs])
        s.flush()
        ids, member_ids = [c.id for c in people], [m.id for m in members]
        amy_id, bob_id, theirs_id = amy.id, bob.id, theirs.id
        s.add_all([
            # 客户0: no phone calls at all, for any purpose.
            DoNotContact(customer_id=ids[0], channel="phone", purpose=None, reason="不接电话",
                         set_on=today),
            # 客户2: no sales calls: a care call still goes.
            DoNotContact(customer_id=ids[2], channel=None, purpose="sales", reason="不要推销",
                         set_on=today),
            # 客户3: a refusal already lifted.
            DoNotContact(customer_id=ids[3], channel=None, purpose=None, reason="曾经",
                         set_on=today - dt.timedelta(days=9),
                         lifted_on=today - dt.timedelta(days=1)),
        ])

    def queue(staff_id: int, day: dt.date = today) -> list[str]:
        return [c.name for c in calls.queue(database.sessions, staff_id, day).calls]

    assert queue(bob_id) == ["客户1"]
    calls.record_call(database.sessions, ids[1], bob_id, calls.CallResult("reached"),
                      purpose="care", member_id=theirs_id, seen_attempts=0)
    calls.record_call(database.sessions, ids[4], amy_id, calls.CallResult("no_answer"),
                      purpose="care", member_id=member_ids[4], seen_attempts=0)
    assert queue(amy_id) == ["客户2", "客户3", "客户5"]
    assert calls.queue(database.sessions, amy_id, today).total == 3
    # The retry wait is 3 days: 客户4 is called again on the third day after the failed call.
    assert queue(amy_id, today + dt.timedelta(days=2)) == ["客户2", "客户3", "客户5"]
    assert queue(amy_id, today + dt.timedelta(days=3)) == ["客户2", "客户3", "客户4", "客户5"]
    assert calls.queue(database.sessions, amy_id, today + dt.timedelta(days=3)).total == 4


def test_a_queue_narrows_to_one_run_or_the_follow_ups_and_lists_a_customer_once(database):
    """A caller working through one list sees its calls alone, in the sheet's order; the runs
    say how many each has. A customer waiting on two runs is called from the later one (the
    week's list made again), whoever it was handed to."""
    from models import ListRunMember

    today = dt.date(2026, 11, 25)
    with database.sessions.begin() as s:
        amy, bob = StaffUser(username="amy", display_name="Amy"), StaffUser(
            username="bob", display_name="Bob")
        people = [Customer(code=f"C{i}", name=f"客户{i}") for i in range(6)]
        older, newer = _two_runs(today)
        s.add_all([amy, bob, *people, older, newer])
        s.flush()
        s.add_all([ListRunMember(run_id=older.id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=amy.id, position=n, row_code=f"1-{n}")
                   for n, c in enumerate(people[:3], start=1)])
        # 客户2 is on the later run too: in Amy's hands, then in Bob's.
        s.add_all([ListRunMember(run_id=newer.id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=amy.id, position=n, row_code=f"2-{n}")
                   for n, c in enumerate(people[3:5], start=1)])
        later = ListRunMember(run_id=newer.id, customer_id=people[2].id, channel="phone",
                              assigned_staff_id=amy.id, position=3, row_code="2-3")
        s.add(later)
        s.flush()
        ids, older_id, newer_id, later_id = [c.id for c in people], older.id, newer.id, later.id
        amy_id, bob_id = amy.id, bob.id
    _promise(database, amy_id, ids[5], due=today)  # 客户5 asked to be called back today

    def queue(source=calls.ALL_CALLS, staff=amy_id) -> list[str]:
        return [c.name for c in calls.queue(database.sessions, staff, today, source=source).calls]

    assert queue() == ["客户5", "客户3", "客户4", "客户2", "客户0", "客户1"]
    assert calls.queue(database.sessions, amy_id, today).total == 6
    assert queue(older_id) == ["客户0", "客户1"]
    assert queue(newer_id) == ["客户3", "客户4", "客户2"]
    assert calls.queue(database.sessions, amy_id, today, source=older_id).total == 2
    assert [(r.run_id, r.segment_name, r.calls)
            for r in calls.queue(database.sessions, amy_id, today).runs] == [
        (newer_id, "生日关怀", 3), (older_id, "保养提醒", 2)]
    assert queue(calls.FOLLOW_UPS) == ["客户5"]
    assert calls.queue(database.sessions, amy_id, today, source=calls.FOLLOW_UPS).total == 1
    with database.sessions.begin() as s:
        s.get(ListRunMember, later_id).assigned_staff_id = bob_id
    assert queue(older_id) == ["客户0", "客户1"] and queue(staff=bob_id) == ["客户2"]


def test_a_short_queue_takes_the_newest_runs_calls_first_and_counts_everything(database):
    """At most `limit` calls of each kind: the follow-ups, then the lists' calls, the newest
    run in its sheet's order before the older. A follow-up promised before a list was made to
    a customer on it is called from the list: listed once, counted once."""
    from models import ListRunMember

    today = dt.date(2026, 11, 25)
    with database.sessions.begin() as s:
        amy = StaffUser(username="amy", display_name="Amy")
        people = [Customer(code=f"C{i}", name=f"客户{i}") for i in range(6)]
        older, newer = _two_runs(today)
        s.add_all([amy, *people, older, newer])
        s.flush()
        for run, group in ((older, people[:2]), (newer, people[2:4])):
            s.add_all([ListRunMember(run_id=run.id, customer_id=c.id, channel="phone",
                                     assigned_staff_id=amy.id, position=n,
                                     row_code=f"{run.id}-{n}")
                       for n, c in enumerate(reversed(group), start=1)])
        # 客户0 asked, before the older list was made, to be called back today.
        s.add(ContactEvent(customer_id=people[0].id, staff_id=amy.id, channel="phone",
                           purpose="care", outcome="reached", next_follow_up=today,
                           contact_at=dt.datetime(2026, 11, 10, 15)))
        s.flush()
        amy_id, ids = amy.id, [c.id for c in people]
    _promise(database, amy_id, ids[5], due=today)
    _promise(database, amy_id, ids[4], due=today - dt.timedelta(days=1))

    def names(limit: int, source=calls.ALL_CALLS) -> tuple[list[str], int]:
        got = calls.queue(database.sessions, amy_id, today, limit, source)
        return [c.name for c in got.calls], got.total

    assert names(500) == (["客户5", "客户4", "客户3", "客户2", "客户1", "客户0"], 6)
    assert names(1) == (["客户5", "客户3"], 6)
    assert names(3) == (["客户5", "客户4", "客户3", "客户2", "客户1"], 6)
    assert names(500, calls.FOLLOW_UPS) == (["客户5", "客户4"], 2)
    assert [(r.segment_name, r.calls) for r in calls.queue(
        database.sessions, amy_id, today).runs] == [("生日关怀", 2), ("保养提醒", 2)]


def _two_runs(today: dt.date) -> tuple:
    """Two finished care runs handed out: 保养提醒 of 8 days before `today`, 生日关怀 of the
    day before."""
    from models import ListRun

    return tuple(ListRun(segment_name=name, filter_json="{}", as_of=day, purpose="care",
                         finished_at=dt.datetime(2026, 11, 24),
                         created_at=dt.datetime.combine(day, dt.time(9)))
                 for name, day in (("保养提醒", today - dt.timedelta(days=8)),
                                   ("生日关怀", today - dt.timedelta(days=1))))


def _promise(database, staff, customer, purpose="sales", due=dt.date(2026, 11, 25)):
    calls.record_call(database.sessions, customer, staff,
                      calls.CallResult(outcome="reached", next_follow_up=due), purpose=purpose,
                      at=NOW)


def test_a_refusal_since_takes_a_promised_call_out_of_the_queue(database, people):
    from models import DoNotContact

    staff, _, customer, _ = people
    day = dt.date(2026, 11, 25)
    _promise(database, staff, customer)
    with database.sessions.begin() as s:
        # Neither refuses a sales call: another purpose, and another channel.
        s.add_all([DoNotContact(customer_id=customer, channel="phone", purpose="recall",
                                reason="不要召回电话", set_on=day),
                   DoNotContact(customer_id=customer, channel="sms", reason="退订",
                                set_on=day)])
    assert [c.customer_id for c in calls.queue(database.sessions, staff, day).calls] == [customer]
    with database.sessions.begin() as s:
        s.add(DoNotContact(customer_id=customer, channel="phone", purpose="marketing",
                           reason="不要推销", set_on=day))  # marketing refuses sales too
    assert calls.queue(database.sessions, staff, day).calls == []
    assert calls.queue(database.sessions, staff, day).total == 0
    # Once it expires the promise is due again.
    with database.sessions.begin() as s:
        s.execute(DoNotContact.__table__.update().where(DoNotContact.purpose == "marketing")
                  .values(expires_on=day + dt.timedelta(days=3)))
    later = day + dt.timedelta(days=3)
    assert [c.customer_id for c in calls.queue(database.sessions, staff, later).calls] == [
        customer]


def test_a_promised_call_not_answered_comes_back_after_the_retry_wait(database, people):
    from services.store.settings import load_settings

    staff, _, customer, _ = people
    day = dt.date(2026, 11, 25)
    _promise(database, staff, customer)
    [due] = calls.queue(database.sessions, staff, day).calls
    assert due.follow_up_of is not None and due.member_id is None
    calls.record_call(database.sessions, customer, staff, calls.CallResult(outcome="no_answer"),
                      purpose=due.purpose, at=NOW + dt.timedelta(days=2),
                      follow_up_of=due.follow_up_of)
    wait = load_settings(database.sessions).no_answer_retry_days
    back = day + dt.timedelta(days=wait)
    assert calls.queue(database.sessions, staff, back - dt.timedelta(days=1)).calls == []
    [again] = calls.queue(database.sessions, staff, back).calls
    assert (again.customer_id, again.due) == (customer, back)
    # A date the caller chose stands; an answered call ends the promise.
    calls.record_call(database.sessions, customer, staff, calls.CallResult(outcome="reached"),
                      purpose=again.purpose, at=NOW + dt.timedelta(days=2 + wait),
                      follow_up_of=again.follow_up_of)
    assert calls.queue(database.sessions, staff, dt.date(2026, 12, 31)).calls == []


def test_a_promised_call_stored_by_a_colleague_since_is_refused(database, people):
    from services.store.errors import StaleEdit

    staff, other, customer, _ = people
    _promise(database, staff, customer)
    [mine] = calls.queue(database.sessions, staff, dt.date(2026, 11, 25)).calls
    calls.record_call(database.sessions, customer, other,
                      calls.CallResult(outcome="appointment"), purpose=mine.purpose,
                      at=NOW + dt.timedelta(days=2), follow_up_of=mine.follow_up_of)
    with pytest.raises(StaleEdit) as refused:
        calls.record_call(database.sessions, customer, staff,
                          calls.CallResult(outcome="no_answer"), purpose=mine.purpose,
                          at=NOW + dt.timedelta(days=2), follow_up_of=mine.follow_up_of)
    assert "刘洋" in str(refused.value)
    # The English sentence names the outcome in English; the window's Chinese one in Chinese.
    assert "“Appointment made”" in str(refused.value)
    assert refused.value.params["outcome"].zh == "已预约"
    assert [e.outcome for e in _events(database, customer)] == ["reached", "appointment"]
    with database.sessions() as s:  # the lock changed nothing on the customer
        assert s.get_one(Customer, customer).version == 1


def test_an_older_contact_stored_later_makes_no_promise_stale(database, people):
    """History brought in after the promise (an import of last year's calls) is older than
    the promise: the queue still lists it, and the call is saved."""
    staff, _other, customer, _ = people
    _promise(database, staff, customer)
    with database.sessions.begin() as s:
        s.add(ContactEvent(customer_id=customer, contact_at=NOW - dt.timedelta(days=400),
                           channel="phone", purpose="care", outcome="appointment"))
    [mine] = calls.queue(database.sessions, staff, dt.date(2026, 11, 25)).calls
    calls.record_call(database.sessions, customer, staff, calls.CallResult(outcome="reached"),
                      purpose=mine.purpose, at=NOW + dt.timedelta(days=2),
                      follow_up_of=mine.follow_up_of)
    assert [e.outcome for e in _events(database, customer)] == [
        "appointment", "reached", "reached"]


@pytest.mark.parametrize(("purpose", "refused_for"), [
    ("sales", "sales"), ("ref_ask", "marketing"), ("care", "reminder"), ("recall", "recall"),
    ("ref_thanks", None)])
def test_a_refused_call_can_ask_for_no_more_calls_and_it_sticks(database, people, purpose,
                                                              refused_for):
    from models import AuditLog, DoNotContact

    staff, other, customer, _ = people
    # A colleague's promise of a call for the same purpose, made before.
    _promise(database, other, customer, purpose, due=dt.date(2026, 12, 1))
    calls.record_call(database.sessions, customer, staff,
                      calls.CallResult(outcome="refused", feedback="别再打了",
                                       no_more_calls=True), purpose=purpose,
                      at=NOW - dt.timedelta(days=1))
    with database.sessions() as s:
        row = s.scalars(select(DoNotContact)).one()
        assert (row.channel, row.purpose, row.reason, row.set_on, row.set_by) == (
            "phone", refused_for, "别再打了", NOW.date() - dt.timedelta(days=1), staff)
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "add_refusal", AuditLog.entity_id == row.id)) == 1
    # The promise is not kept against the refusal.
    assert calls.queue(database.sessions, other, dt.date(2026, 12, 1)).calls == []


def test_no_more_calls_goes_only_with_a_refused_call(database, people):
    staff, _, customer, _ = people
    with pytest.raises(RevisitError):
        calls.record_call(database.sessions, customer, staff,
                          calls.CallResult(outcome="reached", no_more_calls=True), at=NOW)
    assert _events(database, customer) == []


def test_a_call_read_back_late_from_last_weeks_list_takes_the_customer_out_of_this_weeks(
        database):
    """This week's list holds back whoever was reached within its contact fatigue days (14
    here); a call made from last week's list but read back only after this week's was built
    is such a call, and the customer leaves this week's queue. A call on the 14th day before
    (which the list would not have held back) leaves them in, as does any call before the
    date of a run built without fatigue (a care list of the day)."""
    import json

    from models import ListRun, ListRunMember

    today = dt.date(2026, 12, 7)
    with database.sessions.begin() as s:
        amy = StaffUser(username="amy", display_name="Amy")
        people = [Customer(code=f"C{i}", name=f"客户{i}") for i in range(5)]
        last_week = ListRun(segment_name="保养提醒", filter_json="{}", purpose="care",
                            as_of=today - dt.timedelta(days=7), finished_at=NOW,
                            settings_json=json.dumps({"contact_fatigue_days": 14}),
                            contact_fatigue_days=14)
        this_week = ListRun(segment_name="生日关怀", filter_json="{}", purpose="care",
                            as_of=today, finished_at=NOW,
                            settings_json=json.dumps({"contact_fatigue_days": 14}),
                            contact_fatigue_days=14)
        unheld = ListRun(segment_name="首保", filter_json="{}", purpose="care",
                         as_of=today, finished_at=NOW,
                         settings_json=json.dumps({"contact_fatigue_days": 0}),
                         contact_fatigue_days=0)
        s.add_all([amy, *people, last_week, this_week, unheld])
        s.flush()
        old = ListRunMember(run_id=last_week.id, customer_id=people[0].id, channel="phone",
                            assigned_staff_id=amy.id, position=1, row_code="1-1")
        s.add(old)
        s.add_all([ListRunMember(run_id=this_week.id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=amy.id, position=n, row_code=f"2-{n}")
                   for n, c in enumerate(people[:3], start=1)])
        s.add_all([ListRunMember(run_id=unheld.id, customer_id=c.id, channel="phone",
                                 assigned_staff_id=amy.id, position=n, row_code=f"3-{n}")
                   for n, c in enumerate(people[3:], start=1)])
        s.flush()
        ids, amy_id, old_id = [c.id for c in people], amy.id, old.id

    def reached(customer: int, days_before: int, **on_list) -> None:
        at = dt.datetime.combine(today - dt.timedelta(days=days_before), dt.time(10))
        calls.record_call(database.sessions, customer, amy_id, calls.CallResult("reached"),
                          purpose="care", at=at, **on_list)

    def queue() -> list[str]:
        return sorted(c.name for c in calls.queue(database.sessions, amy_id, today).calls)

    assert queue() == ["客户0", "客户1", "客户2", "客户3", "客户4"]
    # Last week's sheet read back today: 客户0 was reached on its 5th day (2 days ago).
    reached(ids[0], 2, member_id=old_id, seen_attempts=0)
    reached(ids[1], 13)  # the 13th day before: held back by 14 fatigue days
    reached(ids[2], 14)  # the 14th day before: the list would not have held it back
    reached(ids[3], 1)  # before the date of a run without fatigue
    assert queue() == ["客户2", "客户3", "客户4"]
    assert calls.queue(database.sessions, amy_id, today).total == 3
    reached(ids[4], 0)  # on the run's date itself, as before
    assert queue() == ["客户2", "客户3"]
