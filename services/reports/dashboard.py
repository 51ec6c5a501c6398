"""The supervisor's dashboard: owners by replacement-matrix cell and RFM class (with the change
since a month earlier), contacts per week by channel and by staff, reach rate and outcome mix,
appointments made and kept, follow-ups due and overdue, open complaints by age, owners drifting
away and consent / do-not-contact coverage. Every figure is counted by the database (grouped
queries); the matrix and RFM come from the segment service's rules (the RFM classes through
rfm_history.py), so they equal the Segments area."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    event,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from models import ContactEvent, Customer
from services.labels import both
from services.reports import behind, owners, rfm_history, week_state
from services.reports.figures import (
    ONE_WAY,
    REACHED,
    Count,
    Dashboard,
    Figure,
    Reach,
    StaffWork,
    segment,
)
from services.segments import rfm as rfm_mod
from services.segments import service as segments
from services.segments import templates as tpl
from services.segments.contact_fields import kept
from services.segments.derived import months_before
from services.segments.sqlx import day, no_index
from services.staff.accounts import staff_names
from services.store.errors import N_, Cancelled, RevisitError

WEEKS = 8
# Questions asked at once: two cores are common on office PCs, and a third question keeps
# them busy while one waits for the disk.
WORKERS = 3
SLOWEST = ("drift", "follow", "rfm_then", "rfm", "matrix", "behind_months", "matrix_then",
           "contacts", "coverage", "behind")
MONTHS = 12


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise RevisitError(N_("The report ends ({end}) before it starts ({start})."),
                           start=start.isoformat(), end=end.isoformat())


def _moment(day_: dt.date) -> dt.datetime:
    return dt.datetime.combine(day_, dt.time())


def _bucket(col: Any, bounds: Sequence[dt.datetime]) -> ColumnElement[int]:
    """The index i of the half-open range [bounds[i], bounds[i+1]) holding `col` (rows outside
    all ranges are filtered out by the caller)."""
    return case(*((col < b, i) for i, b in enumerate(bounds[1:])), else_=-1)


def _week_starts(end: dt.date) -> tuple[dt.date, ...]:
    monday = end - dt.timedelta(days=end.weekday())
    return tuple(monday - dt.timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS))


def _month_starts(end: dt.date) -> tuple[dt.date, ...]:
    first = end.replace(day=1)
    return tuple(months_before(first, MONTHS - 1 - i) for i in range(MONTHS))


def month_so_far(end: dt.date) -> int | None:
    """The days of the monthly trend's last month a dashboard ending on `end` counts, when it
    ends before that month does (the month so far); None when `end` is the month's last day."""
    days = calendar.monthrange(end.year, end.month)[1]
    return None if end.day == days else end.day


def _attempt() -> ColumnElement[int]:
    return case((ContactEvent.outcome.not_in(ONE_WAY), 1), else_=0)


def _reached() -> ColumnElement[int]:
    return case((ContactEvent.outcome.in_(REACHED), 1), else_=0)


def _appointment() -> ColumnElement[int]:
    return case((ContactEvent.outcome == "appointment", 1), else_=0)


def kept_column() -> ColumnElement[int]:
    """1 for an appointment followed by a service visit within KEPT_WITHIN_DAYS days."""
    return case((kept(), 1), else_=0)


Cancel = Callable[[], bool]


def _parallel(jobs: dict[str, Callable[[], Any]], cancel: Cancel | None = None
              ) -> dict[str, Any]:
    """Run independent read-only questions at once, each on its own connection: the database
    (SQLite too, in WAL mode) answers several readers at a time, and the GIL is released while
    it works. The first failure is raised. Once `cancel()` is true (the window asked for
    another week meanwhile) no further question starts, and Cancelled is raised."""
    # The slowest first (at 200,000 customers), so no long question starts last.
    order = sorted(jobs, key=lambda k: SLOWEST.index(k) if k in SLOWEST else len(SLOWEST))

    def unless_cancelled(job: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            if cancel is not None and cancel():
                raise Cancelled()
            return job()
        return run

    with ThreadPoolExecutor(min(WORKERS, len(jobs))) as pool:
        futures = {key: pool.submit(unless_cancelled(jobs[key])) for key in order}
        return {key: f.result() for key, f in futures.items()}


# A session made for the dashboard's questions carries this in its info; on PostgreSQL each of
# its transactions then runs without JIT and without parallel workers (_tuned).
QUESTIONS = "revisit_dashboard_question"


@event.listens_for(Session, "after_begin")
def _tuned(session: Session, _transaction: Any, connection: Connection) -> None:
    if session.info.get(QUESTIONS) and connection.dialect.name == "postgresql":
        # JIT compiles these grouped questions for longer than they run: 0.9 s of compiling for
        # the drift question's 0.6 s of work, 1.4 s for the contacts pass's 0.65 s, on the
        # 200,000-customer demo (docs/benchmarks.md).
        connection.exec_driver_sql("SET LOCAL jit = off")
        # The dashboard asks WORKERS questions at once already; each with PostgreSQL's two
        # parallel helpers is nine processes on an office server's two cores, and every
        # question takes twice as long: the quick part for a new end date 1.2 s against
        # 0.8 s, the rest 1.3 s against 0.9 s (bench/reports.py, 200,000 customers).
        connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


def _questions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """`sessions` for the dashboard's questions, whose transactions are tuned (_tuned); the
    segment service's and rfm_history's included, which are handed these."""
    info = sessions.kw.get("info") or {}
    if info.get(QUESTIONS):
        return sessions
    return sessionmaker(class_=sessions.class_, **{**sessions.kw,
                                                   "info": {**info, QUESTIONS: True}})


def _reading(sessions: sessionmaker[Session], question: Callable[[Session], Any]):
    tuned = _questions(sessions)

    def job():
        with tuned() as s:
            return question(s)
    return job


def dashboard(sessions: sessionmaker[Session], start: dt.date, end: dt.date,
              staff_id: int | None = None, *, complete: bool = True,
              clickable: bool = True, cancel: Cancel | None = None) -> Dashboard:
    """The dashboard for the period `start`–`end` (both included) and as of `end`; with
    `staff_id` the contact, appointment and follow-up figures cover that person only.

    `complete=False` answers the quick questions only (everything but the month-earlier
    comparison, owners drifting away and follow-ups), for a window that shows those first and
    then asks `completed()` for the rest and `with_customers()` for the customers behind the
    contact figures (what hovering and clicking need). `clickable=False` leaves those out of a
    complete dashboard (the printed report opens nothing). `cancel`: see _parallel."""
    check_period(start, end)
    with sessions() as s:
        names = staff_names(s)
        customers = s.scalar(select(func.count()).select_from(Customer)) or 0
    staff_name = names.get(staff_id) if staff_id is not None else None
    if staff_id is not None and staff_name is None:
        raise RevisitError(N_("There is no staff member with id {id}."), id=staff_id)
    mine = _mine(staff_id)
    weeks, months = _week_starts(end), _month_starts(end)
    sessions = _questions(sessions)
    jobs = {
        "matrix": lambda: segments.matrix(sessions, end),
        # Kept, or the RFM summary when it holds the end date, or live (rfm_history.py): never
        # a rebuild of the summary for a new end date (1.3 s at 200,000 customers on PG).
        "rfm": lambda: rfm_history.class_counts(sessions, end),
        "contacts": _reading(sessions, lambda s: _contacts(s, start, end, weeks, months, mine,
                                                           names)),
        "complaints": _reading(sessions, lambda s: owners.complaints(s, end)),
        "coverage": _reading(sessions, lambda s: owners.coverage(s, end)),
    }
    if complete:  # one batch, so the slow questions overlap the quick ones
        jobs |= _rest_jobs(sessions, start, end, mine)
        if clickable:
            jobs |= _behind_jobs(sessions, start, end, weeks, months, mine)
    got = _parallel(jobs, cancel)
    matrix = tuple(
        Figure(f"{c.years_band}/{c.satisfaction_band}", c.label_zh, c.label_en, c.vehicles,
               None, c.filter)
        for c in got["matrix"].cells
    )
    rfm_now: dict[str, int] = got["rfm"]
    # As segments.rfm names and filters the classes (mean thresholds, the default window).
    rfm = tuple(Figure(key, zh, en, rfm_now.get(key, 0), None, tpl.rfm_class_filter(key))
                for key, zh, en, *_up in rfm_mod.CLASSES)
    no_class = Figure("none", *both("report", "rfm_none"), customers - sum(rfm_now.values()),
                      None, segment({"field": "rfm_class", "op": "is_null"}))
    per_week_channel, per_week_staff, per_month, outcomes, reach, work = got["contacts"]
    staff_work = _staff_work(work, (), names)
    complaints, oldest = got["complaints"]
    quick = Dashboard(
        start, end, months_before(end, 1), staff_name, matrix, rfm + (no_class,), weeks,
        per_week_channel, per_week_staff, months, per_month, outcomes, reach, staff_work,
        sum(w.appointments for w in staff_work), sum(w.kept for w in staff_work),
        complaints, oldest, (), got["coverage"], complete=False, staff_id=staff_id,
    )
    return _with_rest(quick, got, names) if complete else quick


def completed(sessions: sessionmaker[Session], d: Dashboard,
              cancel: Cancel | None = None) -> Dashboard:
    """`d` with the slower figures added: each matrix cell's and RFM class's count a month
    earlier, owners drifting away and follow-ups due and overdue per person."""
    if d.complete:
        return d
    sessions = _questions(sessions)
    jobs = _rest_jobs(sessions, d.start, d.end, _mine(d.staff_id))
    jobs["names"] = _reading(sessions, staff_names)
    got = _parallel(jobs, cancel)
    return _with_rest(d, got, got["names"])


def with_customers(sessions: sessionmaker[Session], d: Dashboard,
                   cancel: Cancel | None = None) -> Dashboard:
    """`d` with the customers behind each contact figure counted (`Dashboard.behind`)."""
    got = _parallel(_behind_jobs(sessions, d.start, d.end, d.weeks, d.months,
                                 _mine(d.staff_id)), cancel)
    return dataclasses.replace(d, behind=got["behind"] | got["behind_months"])


def _behind_jobs(sessions: sessionmaker[Session], start: dt.date, end: dt.date,
                 weeks: tuple[dt.date, ...], months: tuple[dt.date, ...], mine: list
                 ) -> dict[str, Callable[[], Any]]:
    return {
        "behind": _reading(sessions, lambda s: behind.count(s, start, end, weeks, mine)),
        "behind_months": _reading(sessions,
                                  lambda s: behind.count_months(s, end, months, mine)),
    }


def keep_rfm_ready(sessions: sessionmaker[Session], end: dt.date) -> None:
    """Count and keep (services/reports/rfm_history.py) the RFM classes a dashboard ending on
    `end` asks for, that day's and a month earlier's, so the first dashboard of a new week does
    not ask them live: 0.6 s each at 200,000 customers."""
    for day_ in (end, months_before(end, 1)):
        rfm_history.class_counts(sessions, day_)


def _rest_jobs(sessions: sessionmaker[Session], start: dt.date, end: dt.date, mine: list
               ) -> dict[str, Callable[[], Any]]:
    month_ago = months_before(end, 1)
    return {
        # Kept between questions while no spend changes, else shifted from the RFM summary
        # when it holds a date near (rfm_history.py, rfm_shift.py): the live query for another
        # date is the slowest question here.
        "rfm_then": lambda: rfm_history.class_counts(sessions, month_ago),
        "matrix_then": lambda: segments.matrix(sessions, month_ago, use_summary=False),
        "follow": _reading(sessions, lambda s: _follow_ups(s, start, end, mine)),
        "drift": _reading(sessions, lambda s: owners.drift(s, end)),
    }


def _with_rest(d: Dashboard, got: dict[str, Any], names: dict[int, str]) -> Dashboard:
    then_matrix = {f"{c.years_band}/{c.satisfaction_band}": c.vehicles
                   for c in got["matrix_then"].cells}
    then_rfm = dict(got["rfm_then"])
    # Customers with no class a month earlier: today's customers less those with a class then,
    # as the "no class" segment counts them on that date (customers added since included).
    customers = sum(f.value for f in d.rfm)  # the classes and "no class": every customer
    then_rfm["none"] = customers - sum(then_rfm.values())
    work = {w.staff_id: [w.contacts, w.attempts, w.reached, w.appointments, w.kept, 0, 0]
            for w in d.staff_work}
    return dataclasses.replace(
        d,
        matrix=tuple(dataclasses.replace(f, previous=then_matrix[f.key]) for f in d.matrix),
        rfm=tuple(dataclasses.replace(f, previous=then_rfm[f.key]) if f.key in then_rfm else f
                  for f in d.rfm),
        staff_work=_staff_work(work, got["follow"], names), drift=got["drift"], complete=True,
        behind=d.behind | got.get("behind", {}) | got.get("behind_months", {}),
    )


def _mine(staff_id: int | None) -> list[ColumnElement[bool]]:
    return [ContactEvent.staff_id == staff_id] if staff_id is not None else []


def _contacts(s: Session, start: dt.date, end: dt.date, weeks: tuple[dt.date, ...],
              months: tuple[dt.date, ...], mine: list, names: dict[int, str]):
    """Every contact figure from two reads of the contact time index (ix_contact_event_at,
    which holds every column asked here): the weeks and the period grouped by week,
    in-the-period, channel, staff and outcome (a few thousand rows, folded here); the twelve
    months as one range each, summed without grouping. One grouped pass over the twelve months
    sorted all their contacts (250,000 at 200,000 customers) for 0.4 s; the two take 0.15 s."""
    until = _moment(end + dt.timedelta(days=1))
    week_bounds = [_moment(w) for w in weeks] + [until]
    at = ContactEvent.contact_at
    week = case((at < week_bounds[0], -1), else_=_bucket(at, week_bounds)).label("week")
    period = case((at >= _moment(start), 1), else_=0).label("period")
    kept = case((and_(ContactEvent.outcome == "appointment", at >= _moment(start)),
                 kept_column()), else_=0)
    keys = (week, period, ContactEvent.channel, ContactEvent.staff_id, ContactEvent.outcome)
    rows = s.execute(
        select(*keys, func.count(), func.sum(kept))
        .where(at >= min(_moment(start), week_bounds[0]), at < until, *mine)
        .group_by(*keys)
    ).all()
    per_week_channel: dict[tuple[str, str], int] = {}
    per_week_staff: dict[tuple[str, int | None], int] = {}
    outcomes: dict[tuple[str, str], int] = {}
    reach: dict[str, list[int]] = {}
    work: dict[int | None, list[int]] = {}
    for w, in_period, channel, sid, outcome, n, kept_n in rows:
        attempt, reached = outcome not in ONE_WAY, outcome in REACHED
        appointment = outcome == "appointment"
        if w >= 0:
            wk = weeks[w].isoformat()
            per_week_channel[(wk, channel)] = per_week_channel.get((wk, channel), 0) + n
            per_week_staff[(wk, sid)] = per_week_staff.get((wk, sid), 0) + n
        if in_period:
            outcomes[(outcome, channel)] = outcomes.get((outcome, channel), 0) + n
            r = reach.setdefault(channel, [0, 0])
            r[0] += n * attempt
            r[1] += n * reached
            totals = work.setdefault(sid, [0] * 7)
            for i, add in enumerate((n, n * attempt, n * reached, n * appointment,
                                     int(kept_n or 0))):
                totals[i] += add
    per_month = _per_month(s, months, until, mine)
    return (
        tuple(Count(k, ch, n) for (k, ch), n in sorted(per_week_channel.items())),
        tuple(Count(k, names.get(sid, "") if sid is not None else "", n, sid)
              for (k, sid), n in sorted(per_week_staff.items(),
                                        key=lambda kv: (kv[0][0], kv[0][1] or 0))),
        tuple(Count(first_day.isoformat(), name, per_month.get((i, name), 0))
              for i, first_day in enumerate(months)
              for name in MONTH_SUMS),
        tuple(Count(o, ch, n) for (o, ch), n in sorted(outcomes.items())),
        tuple(Reach(ch, a, r) for ch, (a, r) in sorted(reach.items())),
        work,
    )


MONTH_SUMS = ("contacts", "attempts", "reached", "appointments")


def _per_month(s: Session, months: tuple[dt.date, ...], until: dt.datetime, mine: list
               ) -> dict[tuple[int, str], int]:
    """Contacts, attempts, reached and appointments per month of the trend (the last month up
    to `until`): one range of the contact time index per month, each summed in one row."""
    bounds = [_moment(m) for m in months] + [until]
    at = ContactEvent.contact_at
    parts = [
        select(literal(i).label("month"), func.count(), func.sum(_attempt()),
               func.sum(_reached()), func.sum(_appointment()))
        .where(at >= lo, at < hi, *mine)
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]
    out: dict[tuple[int, str], int] = {}
    for i, *sums in s.execute(union_all(*parts)):
        for name, n in zip(MONTH_SUMS, sums, strict=True):
            out[(i, name)] = int(n or 0)
    return out


def in_period(start: dt.date, end: dt.date) -> list[ColumnElement[bool]]:
    return [ContactEvent.contact_at >= _moment(start),
            ContactEvent.contact_at < _moment(end + dt.timedelta(days=1))]


def _follow_ups(s: Session, start: dt.date, end: dt.date, mine: list
                ) -> list[tuple[int | None, str, int]]:
    """Follow-ups per staff member: "due", those that fell due in the period
    (week_state.follow_ups_due, as the weekly activity tab counts them); "overdue", per
    customer, those still waiting at the end of `end` and dated before it: the customer's
    latest contact up to then (of two at the same moment, the later recorded) asked for one, as
    the segment field follow_up_date reads them."""
    later = aliased(ContactEvent)
    by = week_state.overdue_by(end)
    until = _moment(by + dt.timedelta(days=1))
    # Grouped by the staff id with its index hidden: SQLite would otherwise read all
    # contacts in (staff, time) order to skip sorting the few thousand rows that qualify,
    # 3.1 s at 200,000 customers against 0.2 s from the follow-up index (docs/benchmarks.md).
    staff = no_index(ContactEvent.staff_id)
    rows = s.execute(
        select(staff, func.count())
        .where(
            ContactEvent.next_follow_up < day(by),
            ContactEvent.contact_at < until,
            *mine,
            # Selecting the id (not "*") keeps the probe inside the (customer, time) index.
            ~select(later.id).where(later.customer_id == ContactEvent.customer_id,
                                    later.contact_at >= ContactEvent.contact_at,
                                    # a later moment, or the same one recorded later; the
                                    # ">=" above keeps the index range for the probe
                                    or_(later.contact_at > ContactEvent.contact_at,
                                        later.id > ContactEvent.id),
                                    later.contact_at < until).exists(),
        )
        .group_by(staff)
    ).all()
    due = week_state.follow_ups_due(s, start, end, mine)
    return ([(sid, "due", n) for sid, n in due.items()]
            + [(sid, "overdue", n) for sid, n in rows])


def _staff_work(work: dict[int | None, list[int]], follow, names: dict[int, str]
                ) -> tuple[StaffWork, ...]:
    """Per person: the period's contact counts (`work`: contacts, attempts, reached,
    appointments, kept, due, overdue) with the follow-ups added."""
    work = {sid: list(w) for sid, w in work.items()}
    for sid, kind, n in follow:
        w = work.setdefault(sid, [0] * 7)
        w[5 if kind == "due" else 6] += n
    out = [StaffWork(names.get(sid, "") if sid is not None else "", w[0], w[1], w[2], w[3],
                     w[4], w[5], w[6], staff_id=sid)
           for sid, w in work.items()]
    return tuple(sorted(out, key=lambda w: (-w.contacts, w.staff)))
