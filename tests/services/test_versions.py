"""No lost edit, proven with real parallel processes: two members of staff (two processes, each
with its own engine, as two PCs) load the same record, wait at a barrier, then save at the same
moment. Exactly one save stands; the other is refused with a sentence naming the one who saved,
and what is stored (history chains, audit, versions) is what the saves that stood wrote."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import queue

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from models import (
    AuditLog,
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    Customer,
    DoNotContact,
    ListRun,
    ListRunMember,
    StaffUser,
)
from models.db import make_engine
from services.contacts import calls
from services.customers import detail as customer_detail
from services.customers import preferences, profile
from services.segments import service as segments
from services.store.errors import StaleEdit

ROUNDS = 3  # records raced for per case: each round is a fresh record
TIMEOUT = 60
STAFF = ("王芳", "李强")
CHANNELS = (["sms", "phone"], ["mail"])
OCCUPATIONS = ("教师", "医生")
OUTCOMES = ("appointment", "no_answer")
OLD = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}}


def _filter(n: int) -> dict:
    return {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": n}}


# --- what each process does (module level: a spawned process imports it) ---------------------

def _load(sessions, case: str, record):
    """What the editor opened: the version (or value) its save will be based on."""
    if case in ("preferences", "first_preferences"):
        return customer_detail.load(sessions, record).preferences_version
    if case == "profile":
        return profile.current_values(sessions, record).get("occupation")
    if case == "lift":
        refusal = customer_detail.load(sessions, record[0]).refusals[0]
        assert refusal.id == record[1]
        return refusal.version
    if case == "consent":
        return customer_detail.load(sessions, record).consent_marker
    if case in ("segment_save", "segment_rename"):
        info = segments.get_segment(sessions, record[0]).info
        assert info.id == record[1]
        return info.version
    if case == "call":  # the caller's queue: the member's attempts as it was read
        [due] = [c for c in calls.queue(sessions, record[2]).calls if c.member_id == record[1]]
        return due.attempts
    if case == "follow_up":  # the promised call as the owner's queue listed it
        [due] = [c for c in calls.queue(sessions, record[1]).calls if c.customer_id == record[0]]
        return due.follow_up_of
    return None  # profile_batch: a batch shows nothing


def _save(sessions, case: str, record, seen, me: int, staff_id: int):
    if case in ("preferences", "first_preferences"):
        return preferences.set_preferences(sessions, record, channel_order=CHANNELS[me],
                                           staff_id=staff_id, expected_version=seen)
    if case in ("profile", "profile_batch"):
        extra = {"seen_value": seen} if case == "profile" else {}
        change = profile.record_change(sessions, record, "occupation", OCCUPATIONS[me],
                                       effective_date=dt.date.today(), source="call",
                                       staff_id=staff_id, **extra)
        return change.id
    if case == "lift":
        return preferences.lift_refusal(sessions, record[1], lifted_on=dt.date.today(),
                                        reason=f"{STAFF[me]}的理由", staff_id=staff_id,
                                        expected_version=seen)
    if case == "consent":
        return preferences.record_consent(sessions, record, me == 0,
                                          event_date=dt.date.today(), source="call",
                                          staff_id=staff_id, expected_latest=seen)
    if case == "segment_save":
        return segments.save_segment(sessions, record[0], _filter(10 + me), replace=True,
                                     staff_id=staff_id, expected_version=seen,
                                     segment_id=record[1]).version
    if case == "call":
        calls.record_call(sessions, record[0], staff_id,
                          calls.CallResult(OUTCOMES[me], feedback=f"{STAFF[me]}的记录"),
                          purpose="care", member_id=record[1], seen_attempts=seen)
        return me
    if case == "follow_up":
        calls.record_call(sessions, record[0], staff_id,
                          calls.CallResult(OUTCOMES[me], feedback=f"{STAFF[me]}的记录"),
                          purpose="care", follow_up_of=seen)
        return me
    if case == "segment_rename":
        return segments.rename_segment(sessions, record[0], f"{record[0]}-{STAFF[me]}",
                                       staff_id=staff_id, expected_version=seen,
                                       segment_id=record[1]).version
    raise AssertionError(case)


def _worker(url: str, case: str, me: int, staff_id: int, records: list, barrier,
            results) -> None:
    engine = make_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    try:
        for n, record in enumerate(records):
            seen = _load(sessions, case, record)
            barrier.wait(TIMEOUT)
            try:
                outcome = ("ok", _save(sessions, case, record, seen, me, staff_id))
            except StaleEdit as exc:
                outcome = ("stale", str(exc))
            except Exception as exc:  # anything else fails the test, with what it was
                outcome = ("error", f"{type(exc).__name__}: {exc}")
            results.put((n, me, outcome))
    finally:
        engine.dispose()


def _race(database, case: str, records: list, staff_ids: list[int]) -> list[dict[int, tuple]]:
    """Run the two processes over `records`; per round, each one's (status, detail)."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    url = database.engine.url.render_as_string(hide_password=False)
    procs = [ctx.Process(target=_worker, args=(url, case, me, staff_ids[me], records, barrier,
                                               results)) for me in (0, 1)]
    for p in procs:
        p.start()
    rounds: list[dict[int, tuple]] = [{} for _ in records]
    try:
        for _ in range(2 * len(records)):
            n, me, outcome = results.get(timeout=2 * TIMEOUT)
            rounds[n][me] = outcome
    except queue.Empty:
        pytest.fail(f"the processes did not report: {rounds}")
    finally:
        for p in procs:
            p.join(TIMEOUT)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in procs)
    return rounds


def _one_stands(rounds: list[dict[int, tuple]]) -> list[int]:
    """Each round: one save stood, the other was refused naming the one who saved (never a
    database error). The winner of each round."""
    winners = []
    for outcomes in rounds:
        assert sorted(o[0] for o in outcomes.values()) == ["ok", "stale"], outcomes
        winner = next(me for me, o in outcomes.items() if o[0] == "ok")
        refused = outcomes[1 - winner][1]
        assert STAFF[winner] in refused and "reload" in refused, refused
        winners.append(winner)
    return winners


# --- the cases ---------------------------------------------------------------------------------

@pytest.fixture
def staff_ids(database) -> list[int]:
    with database.sessions.begin() as s:
        people = [StaffUser(username=f"u{i}", display_name=n) for i, n in enumerate(STAFF)]
        s.add_all(people)
        s.flush()
        return [p.id for p in people]


def _customers(database, n: int = ROUNDS) -> list[int]:
    with database.sessions.begin() as s:
        rows = [Customer(code=f"C{i:04}", name=f"客户{i}") for i in range(n)]
        s.add_all(rows)
        s.flush()
        return [c.id for c in rows]


def _audits(database, customer_id: int, action: str) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity_id == customer_id, AuditLog.action == action)) or 0


def test_preferences_saved_at_once_keep_one_and_refuse_the_other(database, staff_ids):
    ids = _customers(database)
    for cid in ids:
        preferences.set_preferences(database.sessions, cid, channel_order=["phone"])
    winners = _one_stands(_race(database, "preferences", ids, staff_ids))
    with database.sessions() as s:
        for cid, winner in zip(ids, winners, strict=True):
            pref = s.get_one(ContactPreference, cid)
            # The refused save did not reset the winner's channel order.
            assert pref.channel_order == ",".join(CHANNELS[winner])
            assert (pref.version, pref.updated_by) == (2, staff_ids[winner])
    assert all(_audits(database, cid, "set_preferences") == 2 for cid in ids)


def test_first_preferences_saved_at_once_never_give_a_database_error(database, staff_ids):
    ids = _customers(database)
    winners = _one_stands(_race(database, "first_preferences", ids, staff_ids))
    with database.sessions() as s:
        for cid, winner in zip(ids, winners, strict=True):
            pref = s.get_one(ContactPreference, cid)
            assert pref.channel_order == ",".join(CHANNELS[winner])
    assert all(_audits(database, cid, "set_preferences") == 1 for cid in ids)


def test_profile_changes_saved_at_once_record_the_value_stored_before(database, staff_ids):
    ids = _customers(database)
    for cid in ids:
        profile.record_change(database.sessions, cid, "occupation", "司机",
                              effective_date=dt.date(2020, 1, 1), source="visit")
    winners = _one_stands(_race(database, "profile", ids, staff_ids))
    for cid, winner in zip(ids, winners, strict=True):
        chain = [(c.old_value, c.new_value, c.staff_id)
                 for c in profile.history(database.sessions, cid, "occupation")]
        assert chain == [(None, "司机", None), ("司机", OCCUPATIONS[winner], staff_ids[winner])]
        assert profile.customer_version(database.sessions, cid) == 3


def test_batch_profile_changes_at_once_both_stand_in_one_chain(database, staff_ids):
    """Callers that showed no value (calls, list outcomes) both record; the second's old value
    is the first's new one, never the value both started from."""
    ids = _customers(database)
    for outcomes in _race(database, "profile_batch", ids, staff_ids):
        assert [o[0] for o in outcomes.values()] == ["ok", "ok"], outcomes
    for cid in ids:
        chain = [(c.old_value, c.new_value)
                 for c in profile.history(database.sessions, cid, "occupation")]
        assert len(chain) == 2 and chain[0][0] is None
        assert chain[1][0] == chain[0][1] and {chain[0][1], chain[1][1]} == set(OCCUPATIONS)


def test_lifting_one_refusal_at_once_keeps_the_first_reason(database, staff_ids):
    ids = _customers(database)
    records = [[cid, preferences.add_refusal(database.sessions, cid, channel="phone",
                                             purpose="sales", reason="不要销售电话",
                                             set_on=dt.date(2026, 1, 1))] for cid in ids]
    winners = _one_stands(_race(database, "lift", records, staff_ids))
    with database.sessions() as s:
        for (_cid, rid), winner in zip(records, winners, strict=True):
            row = s.get_one(DoNotContact, rid)
            assert (row.lifted_by, row.lift_reason, row.version) == (
                staff_ids[winner], f"{STAFF[winner]}的理由", 2)
            assert s.scalar(select(func.count()).select_from(AuditLog).where(
                AuditLog.entity_id == rid, AuditLog.action == "lift_refusal")) == 1


def test_consent_recorded_at_once_on_the_same_view_keeps_one(database, staff_ids):
    ids = _customers(database)
    for cid in ids[1:]:  # the first has never been asked: its editors saw no event at all
        preferences.record_consent(database.sessions, cid, True, event_date=dt.date(2025, 1, 1),
                                   source="visit")
    winners = _one_stands(_race(database, "consent", ids, staff_ids))
    with database.sessions() as s:
        for n, (cid, winner) in enumerate(zip(ids, winners, strict=True)):
            events = s.scalars(select(ConsentEvent).where(ConsentEvent.customer_id == cid)
                               .order_by(ConsentEvent.id)).all()
            assert len(events) == (1 if n == 0 else 2)
            assert events[-1].staff_id == staff_ids[winner]


@pytest.mark.parametrize("case", ["segment_save", "segment_rename"])
def test_segment_saved_or_renamed_at_once_keeps_one(database, staff_ids, case):
    names = [f"老车{i}" for i in range(ROUNDS)]
    records = [[name, segments.save_segment(database.sessions, name, OLD).id] for name in names]
    winners = _one_stands(_race(database, case, records, staff_ids))
    stored = {i.name: i for i in segments.list_segments(database.sessions)}
    assert len(stored) == ROUNDS
    for name, winner in zip(names, winners, strict=True):
        if case == "segment_save":
            seg = segments.get_segment(database.sessions, name)
            assert seg.filter.where.value == 10 + winner and stored[name].version == 2
        else:
            assert stored[f"{name}-{STAFF[winner]}"].version == 2


def test_two_callers_saving_one_list_call_at_once_keep_one_and_refuse_the_other(database,
                                                                               staff_ids):
    # One member in both callers' hands (a supervisor working a colleague's queue, or a second
    # PC left open): before, the later save set an appointment back to "no answer", unsaid.
    ids = _customers(database)
    with database.sessions.begin() as s:
        run = ListRun(segment_name="关怀", filter_json="{}", as_of=dt.date.today(),
                      purpose="care", finished_at=dt.datetime.now())
        s.add(run)
        s.flush()
        members = [ListRunMember(run_id=run.id, customer_id=cid, channel="phone",
                                 assigned_staff_id=staff_ids[0], position=n + 1,
                                 row_code=f"{run.id}-{n + 1}") for n, cid in enumerate(ids)]
        s.add_all(members)
        s.flush()
        records = [(cid, m.id, staff_ids[0]) for cid, m in zip(ids, members, strict=True)]
    winners = _one_stands(_race(database, "call", records, staff_ids))
    with database.sessions() as s:
        for (cid, member_id, _), winner in zip(records, winners, strict=True):
            member = s.get_one(ListRunMember, member_id)
            assert (member.attempts, member.status) == (
                1, "done" if OUTCOMES[winner] == "appointment" else "open")
            events = s.execute(select(ContactEvent.outcome, ContactEvent.feedback)
                               .where(ContactEvent.customer_id == cid)).all()
            assert events == [(OUTCOMES[winner], f"{STAFF[winner]}的记录")]


def test_two_callers_working_one_promised_call_at_once_keep_one_and_refuse_the_other(
        database, staff_ids):
    # A call a customer was promised, in two hands at once (a supervisor working a colleague's
    # queue, or a second PC left open): before, both calls were stored, unsaid.
    ids = _customers(database)
    with database.sessions.begin() as s:
        s.add_all([ContactEvent(customer_id=cid, contact_at=dt.datetime.now().replace(
            microsecond=0) - dt.timedelta(days=7), channel="phone", purpose="care",
            staff_id=staff_ids[0], outcome="reached", next_follow_up=dt.date.today())
            for cid in ids])
    records = [(cid, staff_ids[0]) for cid in ids]
    winners = _one_stands(_race(database, "follow_up", records, staff_ids))
    with database.sessions() as s:
        for cid, winner in zip(ids, winners, strict=True):
            events = s.execute(select(ContactEvent.outcome, ContactEvent.feedback)
                               .where(ContactEvent.customer_id == cid)
                               .order_by(ContactEvent.id)).all()
            assert events == [("reached", None), (OUTCOMES[winner], f"{STAFF[winner]}的记录")]
