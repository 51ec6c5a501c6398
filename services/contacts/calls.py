"""A caller's work: who is due a call today, and recording one call's outcome with everything
learned on the phone (feedback, next follow-up, km, profile changes) in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.sql import ColumnElement

from models import (
    ContactEvent,
    ContactPreference,
    Customer,
    DoNotContact,
    ListRun,
    ListRunMember,
    MileageReading,
    ProfileChange,
    StaffUser,
    Vehicle,
)
from models.codes import OUTCOMES, PURPOSES
from models.profile import PROFILE_ATTRIBUTES
from services.customers.contact_details import check_km
from services.customers.preferences import add_refusal_in
from services.customers.profile import UNSEEN, Change, record_change_in, value_as_of_select
from services.imports.normalise import MAX_KM
from services.imports.phones import number_to_dial
from services.labels import both, text
from services.lists.query import DNC_PURPOSES, DONE, still_waiting
from services.lists.snapshot import member_data
from services.segments.derived import refusal_in_force
from services.segments.sqlx import add_days
from services.staff.permissions import told_apart
from services.store import versions
from services.store.errors import N_, RevisitError, Said, StaleEdit
from services.store.settings import load_settings_in
from services.store.versions import staff_name, stale

# Outcomes that count as a failed attempt: the list member stays open and comes back later.
UNREACHED = frozenset({"no_answer", "phone_off"})
CALL_RECORDED = (
    N_("{who} recorded “{outcome}” for this call at {when} since you opened it; reload the "
       "calls to see it."),
    N_("“{outcome}” was recorded for this call at {when} since you opened it; reload the calls "
       "to see it."),
)
# A profile change typed on a call whose value a colleague changed since the card showed it.
PROFILE_CHANGED = (
    N_("{who} changed this customer's {attribute} to “{value}” at {when} since you opened the "
       "call; nothing was saved: reload to see it (what you typed stays), then save again."),
    N_("This customer's {attribute} was changed to “{value}” at {when} since you opened the "
       "call; nothing was saved: reload to see it (what you typed stays), then save again."),
)
# A call typed on screen after the list's paper was read back with another outcome that day.
ON_PAPER = N_("This call was read back from list #{run}'s paper on {day} as “{outcome}”, not "
              "“{typed}”: nothing was saved; choose “{outcome}” to add what you typed to it.")
CALL_OUTCOMES = ("reached", "no_answer", "phone_off", "wrong_number", "refused", "appointment")
# Where a conversation staff log by hand takes place: a call (made or taken), WeChat, a visit.
CONVERSATION_CHANNELS = ("phone", "wechat", "visit")


# queue's `source`: every call due, or the promised follow-ups alone; a run's id: that
# run's calls alone.
ALL_CALLS, FOLLOW_UPS = "all", "follow_ups"
Source = str | int


@dataclass(frozen=True)
class StaffInfo:
    id: int
    username: str
    display_name: str
    # How a list of staff names them: the display name, with the user name beside it for two
    # of one name (told_apart).
    shown: str = ""


@dataclass(frozen=True)
class DueCall:
    customer_id: int
    name: str
    # The number to dial: their mobile, else the first of their other phones a caller can
    # dial (a landline), as a list run prints it; else what was typed as their mobile.
    mobile: str | None
    vehicle_id: int | None
    vehicle: str
    due: dt.date | None
    purpose: str
    best_time: str
    last_contact: dt.datetime | None
    last_feedback: str | None
    member_id: int | None = None  # set when the call comes from a list run
    row_code: str | None = None
    attempts: int = 0
    # Set when the call is a promised follow-up: the contact that promised it, the customer's
    # latest when the queue was read (record_call's `follow_up_of`).
    follow_up_of: int | None = None
    contact_name: str | None = None  # whom to ask for: a company's 联系人
    # What the list's sheet says to raise on the call (a birthday, a service due), as printed.
    points: str = ""

    @property
    def who(self) -> str:
        """The customer as the caller sees them: "深圳市华盛贸易有限公司（王经理）"."""
        return f"{self.name}（{self.contact_name}）" if self.contact_name else self.name


@dataclass(frozen=True)
class CallResult:
    outcome: str
    feedback: str | None = None
    next_follow_up: dt.date | None = None
    km: int | None = None
    vehicle_id: int | None = None
    profile_changes: tuple[tuple[str, str], ...] = field(default=())  # (attribute, new value)
    # (attribute, value) the card showed as in force for each attribute it changes: a change
    # of one since (a colleague on the customer page) refuses the save (StaleEdit).
    seen_profile: tuple[tuple[str, str | None], ...] = field(default=())
    # With outcome "refused": the customer asked not to be called again for this purpose; a
    # phone do-not-contact is set with the call (refuse_calls), so it sticks.
    no_more_calls: bool = False


def staff_list(sessions: sessionmaker[Session]) -> list[StaffInfo]:
    with sessions() as s:
        rows = s.execute(
            select(StaffUser.id, StaffUser.username, StaffUser.display_name)
            .where(StaffUser.active.is_(True))
            .order_by(StaffUser.display_name, StaffUser.username)
        ).all()
    shown = told_apart([(display or user, user) for _id, user, display in rows])
    return [StaffInfo(*r, name) for r, name in zip(rows, shown, strict=True)]


def _best_time(pref: ContactPreference | None) -> str:
    if pref is None:
        return ""
    if pref.hour_from is not None:
        return f"{pref.hour_from}:00–{pref.hour_to}:00"
    return ",".join(p for p in (pref.preferred_days, pref.time_windows) if p and p != "any")


def _open_members(staff_id: int, today: dt.date, retry_days: int, reached_from,
                  source: Source = ALL_CALLS):
    """This caller's open phone members of finished list runs who are to be called today. Not
    those the run's list was built before something changed (the run re-prints as built, but
    the queue is today's): a phone do-not-contact set since for the run's purpose; a call
    reached on or after `reached_from` (_reached_from: the run's date, or the first day its
    contact fatigue held back), through any run or none (a customer on two runs is called
    once); a call that failed fewer than `retry_days` days ago (the list's retry wait); a
    call the customer has on a later run too."""
    m, run, e = ListRunMember, ListRun, ContactEvent
    refused = _phone_refused(m.customer_id, run.purpose, today)
    # The customer's call on a later run (the week's list of the segment made again) is the
    # one to make: a customer waiting on both was listed twice, to two callers at times.
    later, later_run = aliased(ListRunMember), aliased(ListRun)
    replaced = exists().where(later.customer_id == m.customer_id, later.run_id > m.run_id,
                              later.channel == "phone", later_run.id == later.run_id,
                              still_waiting(later, later_run))
    reached = exists().where(e.customer_id == m.customer_id, e.outcome.in_(DONE),
                             e.contact_at >= reached_from)
    retry_from = dt.datetime.combine(today - dt.timedelta(days=retry_days - 1), dt.time())
    waiting = exists().where(e.customer_id == m.customer_id, e.channel == "phone",
                             e.outcome.in_(UNREACHED), e.contact_at >= retry_from)
    return (
        select(m, run.purpose)
        .join(run, run.id == m.run_id)
        .where(
            m.assigned_staff_id == staff_id,
            m.channel == "phone",
            still_waiting(m, run),
            ~refused, ~reached, ~waiting, ~replaced,
            *((m.run_id == source,) if isinstance(source, int) else ()),
        )
    )


def _reached_from() -> ColumnElement[dt.date]:
    """The day from which a reached call takes a run's member out of the queue (SQL, of the
    ListRun row): the run's date, or, when the run was built holding back customers reached
    within its contact fatigue days, the first of those days. A call of last week's list
    read back after this week's list was made is then one this week's list would have held
    back, and the customer is not called again. The fatigue rule keeps out a contact dated
    after as_of - N days, so the first day held back is as_of - (N - 1)."""
    days = ListRun.contact_fatigue_days
    return add_days(ListRun.as_of, -case((days > 1, days - 1), else_=0))


def _phone_refused(customer_id, purpose, today: dt.date):
    """A phone do-not-contact in force on `today` that refuses calls for `purpose` (a call's
    or a run's purpose column): one of every purpose, or one DNC_PURPOSES says blocks it."""
    d = DoNotContact
    refuses_purpose = or_(
        d.purpose.is_(None),
        *(and_(purpose == code, d.purpose.in_(refused))
          for code, refused in DNC_PURPOSES.items()),
        and_(purpose.not_in(DNC_PURPOSES), d.purpose == purpose))
    return exists().where(
        d.customer_id == customer_id, or_(d.channel.is_(None), d.channel == "phone"),
        *refusal_in_force(today), refuses_purpose)


def _due_follow_ups(staff_id: int, today: dt.date):
    """This caller's contacts that asked for a follow-up on or before `today` and are still
    each customer's latest contact; not those whose customer has refused such calls since
    (a follow-up promised before the refusal is not kept against it)."""
    later = aliased(ContactEvent)
    return select(ContactEvent).where(
        ContactEvent.staff_id == staff_id,
        ContactEvent.next_follow_up <= today,
        ~exists().where(
            and_(
                later.customer_id == ContactEvent.customer_id,
                later.contact_at > ContactEvent.contact_at,
            )
        ),
        ~_phone_refused(ContactEvent.customer_id, ContactEvent.purpose, today),
    )


@dataclass(frozen=True)
class QueuedRun:
    """A list run with calls due to a caller: what the queue can be narrowed to."""

    run_id: int
    segment_name: str
    as_of: dt.date
    calls: int


@dataclass(frozen=True)
class LeftRun:
    """The list a queue was asked for that has no call due any more: withdrawn (`withdrawn`),
    or every call on it made."""

    run_id: int
    segment_name: str
    withdrawn: bool


@dataclass(frozen=True)
class Queue:
    """A caller's queue as 我的跟进 shows it: the calls (at most the limit of each kind), how
    many there are in all, and the runs they come from, each with its count. `left`: the list
    asked for, when it has no calls due any more; the calls are then all of the caller's."""

    calls: list[DueCall]
    total: int
    runs: list[QueuedRun]
    left: LeftRun | None = None


def queue(sessions: sessionmaker[Session], staff_id: int, today: dt.date | None = None,
          limit: int = 500, source: Source = ALL_CALLS) -> Queue:
    """The calls this caller is due by `today`: first their follow-ups (each a call promised to
    someone), the most recently due first, so one asked for today is never behind months-old
    ones; then the open phone members of their finished list runs, the newest run first, each
    run in its sheet's order. At most `limit` of each; the total counts every open member and
    every customer due a follow-up who is not on one of those lists, in the database. `source`
    FOLLOW_UPS: the follow-ups alone; a run's id: that run's calls alone, or, once it has none
    due (withdrawn, or all made), every call with the run in `left` (never an empty queue
    that reads as "no calls left" while others wait).

    One pass over the open members (counted per run) gives the runs and the lists' total;
    the calls are then read run by run, each through its members' (run, position) order and
    stopped at the limit. On a 200,000-customer demo with a 55,816-call run for one caller,
    the whole-queue read with its total took 2.4 s when the calls were sorted across runs and
    counted twice."""
    today = today or dt.date.today()
    with sessions() as s:
        retry_days = load_settings_in(s).no_answer_retry_days
        reached_from = _reached_from()
        runs = _queued_runs(s, staff_id, today, retry_days, reached_from)
        left = None
        if isinstance(source, int) and all(r.run_id != source for r in runs):
            gone = s.get(ListRun, source)
            left = LeftRun(source, gone.segment_name if gone else "",
                           gone is None or gone.withdrawn_at is not None)
            source = ALL_CALLS
        members: list[Any] = []
        if source != FOLLOW_UPS:
            for run in runs:
                if source not in (ALL_CALLS, run.run_id) or len(members) >= limit:
                    continue
                members += s.execute(
                    _open_members(staff_id, today, retry_days, reached_from, run.run_id)
                    .order_by(ListRunMember.position).limit(limit - len(members))).all()
        follow_ups: list[ContactEvent] = []
        promised = 0
        if not isinstance(source, int):
            follow_ups, promised = _follow_ups(s, staff_id, today, retry_days, reached_from,
                                               limit)
        listed = sum(r.calls for r in runs if source in (ALL_CALLS, r.run_id))
        return Queue(_due_calls(s, members, follow_ups), listed + promised, runs, left)


def _queued_runs(s: Session, staff_id: int, today: dt.date, retry_days: int,
                 reached_from) -> list[QueuedRun]:
    """The runs this caller has calls due from, the newest first, each with how many."""
    members = _open_members(staff_id, today, retry_days, reached_from).subquery()
    rows = s.execute(
        select(ListRun.id, ListRun.segment_name, ListRun.as_of, func.count())
        .join(members, members.c.run_id == ListRun.id)
        .group_by(ListRun.id, ListRun.segment_name, ListRun.as_of, ListRun.created_at)
        .order_by(ListRun.created_at.desc(), ListRun.id.desc())).all()
    return [QueuedRun(*r) for r in rows]


def _follow_ups(s: Session, staff_id: int, today: dt.date, retry_days: int, reached_from,
                limit: int) -> tuple[list[ContactEvent], int]:
    """The follow-ups due from this caller to customers on none of their open lists (a list's
    call closes the promise too), the most recently due first: at most `limit` of them, and
    how many customers they are for in all."""
    due = _due_follow_ups(staff_id, today).subquery()
    listed = _open_members(staff_id, today, retry_days, reached_from).where(
        ListRunMember.customer_id == due.c.customer_id).exists()
    rows = s.execute(select(due.c.id, due.c.customer_id).where(~listed)
                     .order_by(due.c.next_follow_up.desc(), due.c.id)).all()
    first = [r.id for r in rows[:limit]]
    events = {e.id: e for e in s.scalars(select(ContactEvent).where(ContactEvent.id.in_(first)))}
    return [events[i] for i in first], len({r.customer_id for r in rows})


def _due_calls(s: Session, members: list[Any], follow_ups: list[ContactEvent]) -> list[DueCall]:
    """The queue's calls: the follow-ups of customers on no list, then the list members (rows
    of _open_members), with each customer's name, number, car and last contact."""
    wanted = {m.customer_id for m, _ in members} | {e.customer_id for e in follow_ups}
    people = {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_(wanted)))}
    prefs = {
        p.customer_id: p
        for p in s.scalars(
            select(ContactPreference).where(ContactPreference.customer_id.in_(wanted))
        )
    }
    last = _last_contacts(s, wanted)
    vehicles = _vehicle_names(s, wanted)
    calls: list[DueCall] = []
    seen: set[int] = set()

    def due_call(customer_id: int, vehicle_id: int | None, due: dt.date | None,
                 purpose: str, last_contact: tuple, **from_list) -> DueCall:
        c = people[customer_id]
        seen.add(c.id)
        vehicle = vehicles.get((c.id, vehicle_id), vehicles.get((c.id, None), ""))
        return DueCall(c.id, c.name, number_to_dial(c.mobile, c.other_phones), vehicle_id,
                       vehicle, due, purpose,
                       _best_time(prefs.get(c.id)), *last_contact,
                       **{**from_list, "contact_name": c.contact_name})

    for event in follow_ups:  # of customers on no open list (_follow_ups)
        if event.customer_id not in seen:
            # The follow-up's own contact is the last one (no later contact exists).
            calls.append(due_call(event.customer_id, event.vehicle_id, event.next_follow_up,
                                  event.purpose, (event.contact_at, event.feedback),
                                  follow_up_of=event.id))
    for member, purpose in members:
        calls.append(due_call(member.customer_id, member.vehicle_id, None, purpose,
                              last.get(member.customer_id, (None, None)),
                              member_id=member.id, row_code=member.row_code,
                              attempts=member.attempts, points=_points(member.snapshot)))
    return calls


def _points(snapshot: str | None) -> str:
    """The talking points a list member's row printed (none for a member stored without)."""
    if not snapshot:
        return ""
    return member_data(snapshot).get("talking_points") or ""


def _last_contacts(s: Session, ids: set[int]) -> dict[int, tuple[dt.datetime, str | None]]:
    if not ids:
        return {}
    latest = (
        select(ContactEvent.customer_id, func.max(ContactEvent.contact_at).label("at"))
        .where(ContactEvent.customer_id.in_(ids))
        .group_by(ContactEvent.customer_id)
        .subquery()
    )
    rows = s.execute(
        select(ContactEvent.customer_id, ContactEvent.contact_at, ContactEvent.feedback).join(
            latest,
            and_(
                latest.c.customer_id == ContactEvent.customer_id,
                latest.c.at == ContactEvent.contact_at,
            ),
        )
    ).all()
    return {cid: (at, feedback) for cid, at, feedback in rows}


def _vehicle_names(s: Session, ids: set[int]) -> dict[tuple[int, int | None], str]:
    """(customer, vehicle) -> "model plate"; (customer, None) -> their newest active car."""
    out: dict[tuple[int, int | None], str] = {}
    if not ids:
        return out
    for v in s.scalars(
        select(Vehicle).where(Vehicle.customer_id.in_(ids)).order_by(Vehicle.purchase_date)
    ):
        text = f"{v.model} {v.plate or ''}".strip()
        out[(v.customer_id, v.id)] = text
        if v.active:
            out[(v.customer_id, None)] = text
    return out


def newest_vehicle_id(sessions: sessionmaker[Session], customer_id: int) -> int | None:
    """The customer's most recently bought car still in use: where a km said on the phone goes
    when the call names no car."""
    with sessions() as s:
        return s.scalar(
            select(Vehicle.id)
            .where(Vehicle.customer_id == customer_id, Vehicle.active.is_(True))
            .order_by(Vehicle.purchase_date.desc(), Vehicle.id.desc())
            .limit(1)
        )


def profile_now(sessions: sessionmaker[Session], customer_id: int) -> dict[str, str | None]:
    """Each profile attribute's value in force today (None: none recorded): what the call card
    shows beside a change and sends back as seen (CallResult.seen_profile)."""
    attributes = [a for a in PROFILE_ATTRIBUTES if a != "lifecycle_stage"]
    today = dt.date.today()
    with sessions() as s:
        row = s.execute(select(*(value_as_of_select(a, today, customer_id).label(a)
                                 for a in attributes))).one()
    return dict(zip(attributes, row, strict=True))


def record_call(
    sessions: sessionmaker[Session],
    customer_id: int,
    staff_id: int | None,
    result: CallResult,
    *,
    purpose: str = "callback",
    member_id: int | None = None,
    at: dt.datetime | None = None,
    channel: str = "phone",
    seen_attempts: int | None = None,
    follow_up_of: int | None = None,
) -> list[Change]:
    """Store one call (or a WeChat conversation, or a talk on a visit: `channel`): the contact
    event, a km reading, profile changes and the list member's state, all or nothing. Returns
    the profile changes recorded.

    `seen_attempts`: the list member's attempts when the caller opened the call (every call
    stored on a member counts one). A colleague's call stored on the member since is not
    written over: the save is refused (StaleEdit, naming who and when).

    `follow_up_of`: the contact that promised this call, as the caller's queue listed it. A
    contact with the customer stored since (a colleague worked the same promise) refuses the
    save the same way. A promised call that gets no answer and sets no next date is promised
    again after the list's retry wait, as a list call comes back: it is not dropped.

    A call dated before its list's date, or before the contact that promised it, is refused
    (a mistyped year: stored so, it would close neither). A call on a list withdrawn since is
    stored on it, as an outcome read back from the list's paper is.

    A list call read back from the list's paper (list outcomes) that day is this call, as
    reading the paper back after a call typed on screen finds the screen's: of the same
    outcome, what was typed and the paper lacks (feedback, a next date, a day's km) is added to
    it and no attempt is counted twice; of another outcome, the paper's is kept and nothing is
    saved (ON_PAPER). The member's row is locked first, so a paper read back at the same time
    is either seen here or waits for this call to be stored.

    `result.seen_profile`: the values the card showed for the attributes it changes; one
    changed since is refused (StaleEdit naming who, when and to what)."""
    at = at or dt.datetime.now().replace(microsecond=0)
    today = at.date()
    if result.outcome not in OUTCOMES:
        raise RevisitError(N_("Unknown call outcome '{outcome}'."), outcome=result.outcome)
    if channel not in CONVERSATION_CHANNELS:
        raise RevisitError(N_("Unknown contact channel '{channel}'."), channel=channel)
    if purpose not in PURPOSES:
        raise RevisitError(N_("Unknown contact purpose '{purpose}'."), purpose=purpose)
    if result.next_follow_up is not None and result.next_follow_up < today:
        raise RevisitError(
            N_("The next follow-up date {date} is in the past."),
            date=result.next_follow_up.isoformat(),
        )
    if result.no_more_calls and result.outcome != "refused":
        raise RevisitError(N_("Only a refused call can ask for no more calls."))
    if result.km is not None and not 0 <= result.km <= MAX_KM:
        raise RevisitError(N_("{km} km is not a plausible odometer reading."), km=result.km)
    with sessions.begin() as s:
        next_follow_up = result.next_follow_up
        if follow_up_of is not None:
            _check_follow_up(s, customer_id, follow_up_of, at)
            if result.outcome in UNREACHED and next_follow_up is None:
                next_follow_up = today + dt.timedelta(
                    days=load_settings_in(s).no_answer_retry_days)
        feedback = (result.feedback or "").strip() or None
        paper = None
        if member_id is not None:
            paper = _read_from_paper(s, customer_id, member_id, today)
        if paper is not None:
            if paper.outcome != result.outcome:
                raise RevisitError(ON_PAPER, run=paper.list_run_id,
                                   day=paper.contact_at.date().isoformat(),
                                   outcome=Said(*both("outcome", paper.outcome)),
                                   typed=Said(*both("outcome", result.outcome)))
            if feedback is not None and feedback not in (paper.feedback or ""):
                paper.feedback = f"{paper.feedback}；{feedback}" if paper.feedback else feedback
            if paper.next_follow_up is None:
                paper.next_follow_up = next_follow_up
        else:
            run_id = None
            if member_id is not None:
                run_id = _count_attempt(s, customer_id, member_id, seen_attempts,
                                        "open" if result.outcome in UNREACHED else "done")
                _check_list_date(s, run_id, at)
            s.add(
                ContactEvent(
                    customer_id=customer_id,
                    vehicle_id=result.vehicle_id,
                    contact_at=at,
                    channel=channel,
                    purpose=purpose,
                    staff_id=staff_id,
                    outcome=result.outcome,
                    feedback=feedback,
                    next_follow_up=next_follow_up,
                    list_run_id=run_id,
                )
            )
        if result.no_more_calls:
            _refuse_calls(s, customer_id, purpose, result.feedback, today, staff_id)
        if result.km is not None:
            if result.vehicle_id is None:
                raise RevisitError(N_("Choose the vehicle the km reading belongs to."))
            # A paper read back with a km that day has it already (the paper's is kept).
            if paper is None or not _read_that_day(s, result.vehicle_id, today):
                check_km(s, result.vehicle_id, result.km, today)
                s.add(MileageReading(vehicle_id=result.vehicle_id, reading_date=today,
                                     km=result.km, source="call"))
        changes = []
        seen = dict(result.seen_profile)
        for attribute, value in result.profile_changes:
            try:
                change = record_change_in(
                    s,
                    customer_id,
                    attribute,
                    value,
                    effective_date=today,
                    source="call",
                    staff_id=staff_id,
                    # The seen value is compared with the one in force today, also for a
                    # call typed up days after it was made.
                    today=max(today, dt.date.today()),
                    seen_value=seen[attribute] if attribute in seen else UNSEEN,
                )
            except StaleEdit:
                raise _profile_changed(s, customer_id, attribute) from None
            if change is not None:
                changes.append(change)
    return changes


def _read_from_paper(s: Session, customer_id: int, member_id: int,
                     day: dt.date) -> ContactEvent | None:
    """The contact of list member `member_id` read back from the list's paper (its source key
    names the member's row code) on `day`, the latest; None: none. The member's row is locked
    first (a write that changes nothing: PostgreSQL's row lock, SQLite's write lock), so a read
    back storing that member's row at the same time is waited for and then seen."""
    m = ListRunMember
    s.execute(update(m).where(m.id == member_id).values(attempts=m.attempts))
    member = s.get(m, member_id)
    if member is None or member.customer_id != customer_id:
        return None  # refused by _count_attempt
    start = dt.datetime.combine(day, dt.time())
    return s.scalar(select(ContactEvent).where(
        ContactEvent.list_run_id == member.run_id, ContactEvent.customer_id == customer_id,
        ContactEvent.source_key.startswith(f"list:{member.row_code}:", autoescape=True),
        ContactEvent.contact_at >= start, ContactEvent.contact_at < start + dt.timedelta(days=1))
        .order_by(ContactEvent.contact_at.desc(), ContactEvent.id.desc()).limit(1))


def _read_that_day(s: Session, vehicle_id: int, day: dt.date) -> bool:
    return s.scalar(select(MileageReading.id).where(
        MileageReading.vehicle_id == vehicle_id, MileageReading.reading_date == day)
        .limit(1)) is not None


def _profile_changed(s: Session, customer_id: int, attribute: str) -> StaleEdit:
    """The refusal of a call's change of `attribute` changed since the card showed it: who
    recorded the latest change of it, when, and to what."""
    latest = s.execute(select(ProfileChange.staff_id, ProfileChange.recorded_at,
                              ProfileChange.new_value)
                       .where(ProfileChange.customer_id == customer_id,
                              ProfileChange.attribute == attribute)
                       .order_by(ProfileChange.id.desc()).limit(1)).first()
    staff_id, at, value = latest if latest is not None else (None, None, None)
    return stale(PROFILE_CHANGED, staff_name(s, staff_id), at,
                 attribute=Said.inside(*both("attribute", attribute)),
                 value=Said(*both(attribute, value)))


def _check_list_date(s: Session, run_id: int, at: dt.datetime) -> None:
    """Refuse a call dated before its list's date, as reading the list back does."""
    as_of = s.scalar(select(ListRun.as_of).where(ListRun.id == run_id))
    if as_of is not None and at.date() < as_of:
        raise RevisitError(N_("The call's time {when} is before the date of list #{run} "
                              "({as_of}); check the year."),
                           when=f"{at:%Y-%m-%d %H:%M}", run=run_id, as_of=as_of.isoformat())


def _count_attempt(s: Session, customer_id: int, member_id: int, seen: int | None,
                   status: str) -> int:
    """The list member's attempt counted and its state set, in one statement (two callers'
    saves cannot both read the same count); its run's id. Refused when the member is gone, or
    when `seen` is given and a call was stored on it since."""
    m = ListRunMember
    where = [m.id == member_id, m.customer_id == customer_id]
    if seen is not None:
        where.append(m.attempts == seen)
    run_id = s.scalar(update(m).where(*where)
                      .values(attempts=m.attempts + 1, status=status).returning(m.run_id))
    if run_id is not None:
        return run_id
    member = s.get(m, member_id)
    if member is None or member.customer_id != customer_id:
        raise RevisitError(N_("That list entry no longer exists."))
    last = s.execute(select(ContactEvent.staff_id, ContactEvent.outcome, ContactEvent.created_at)
                     .where(ContactEvent.customer_id == customer_id,
                            ContactEvent.list_run_id == member.run_id)
                     .order_by(ContactEvent.id.desc()).limit(1)).first()
    outcome = text("outcome", last.outcome) if last is not None else "?"
    raise stale(CALL_RECORDED, staff_name(s, last.staff_id) if last is not None else None,
                last.created_at if last is not None else None, outcome=outcome)


# Said as the refusal's reason when the caller wrote no feedback.
NO_MORE_CALLS_REASON = "通话中拒绝，要求不再来电"


def refused_purpose(purpose: str) -> str | None:
    """The do-not-contact purpose that stops calls for a call's `purpose` (the first that
    DNC_PURPOSES says blocks it), None (every purpose) for a purpose no refusal names."""
    blocked_by = DNC_PURPOSES.get(purpose)
    return blocked_by[0] if blocked_by else None


def _refuse_calls(s: Session, customer_id: int, purpose: str, feedback: str | None,
                  today: dt.date, staff_id: int | None) -> None:
    add_refusal_in(s, customer_id, channel="phone", purpose=refused_purpose(purpose),
                   reason=((feedback or "").strip() or NO_MORE_CALLS_REASON)[:200],
                   set_on=today, source="call", staff_id=staff_id)


def _check_follow_up(s: Session, customer_id: int, promised_by: int, at: dt.datetime) -> None:
    """Refuse a promised call dated before the contact that promised it (a mistyped year: it
    would not close the promise, which would stay due for ever). Refuse it when it is no
    longer the customer's latest contact: one made
    later has been stored (by a colleague, since the queue was read). Later by when it was
    made, as the queue lists promises (_due_follow_ups): an older contact stored afterwards
    (history brought in by an import) makes no promise stale. The customer's row is locked
    first (SQLite's write lock, or PostgreSQL's lock on the row, held until the call is
    stored), so two callers working the same promise at once cannot both pass this check."""
    versions.lock(s, Customer, Customer.id == customer_id)
    promised = s.scalar(select(ContactEvent.contact_at).where(ContactEvent.id == promised_by))
    if promised is None:  # the promise is gone: nothing stored since to refuse it for
        return
    if at < promised:
        raise RevisitError(N_("The call's time {when} is before the contact that asked for it "
                              "({promised}); check the year."),
                           when=f"{at:%Y-%m-%d %H:%M}", promised=f"{promised:%Y-%m-%d %H:%M}")
    since = s.execute(select(ContactEvent.staff_id, ContactEvent.outcome,
                             ContactEvent.created_at)
                      .where(ContactEvent.customer_id == customer_id,
                             ContactEvent.contact_at > promised)
                      .order_by(ContactEvent.contact_at.desc(), ContactEvent.id.desc())
                      .limit(1)).first()
    if since is not None:
        raise stale(CALL_RECORDED, staff_name(s, since.staff_id), since.created_at,
                    outcome=Said(*both("outcome", since.outcome)))
