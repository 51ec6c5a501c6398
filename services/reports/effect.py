"""Effect of contact: did the members a list run contacted come back for service, spend or buy
a car within 30 / 90 days more often than a comparison group of similar owners who were not
contacted? Per run, and within a run per staff member who made the contacts.

Definitions (counted by the database, one grouped statement per group):
- a contacted member's window is the N days after their first contact for the run,
  (contact day, contact day + N]: a visit before the call is not the call's effect, and one
  25 days after a call made in the run's second week is within its 30 days. The comparison
  group was never contacted: its window is the N days after the run's evaluation date
  (`as_of`). Calls are made in the days after that date, so the two are near;
- contacted: members of the run with at least one contact event recorded for that run (members
  never contacted are neither contacted nor a comparison, and are counted apart);
- comparison "excluded": customers the run excluded (do-not-contact, no consent, contacted
  recently, complaint hold, no phone…); "left_out": the run's segment re-evaluated on the run's
  day, less every member of the run. Excluded owners differ from the contacted in the reason
  they were excluded, so the difference is a hint, not a proof; the report says so;
- came back: a service visit in the window; spent: a visit or other purchase with an amount
  above zero; bought: a vehicle with a purchase date in the window;
- below MIN_GROUP people in either group the difference cannot be trusted (flagged)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from models import (
    ContactEvent,
    ListRun,
    ListRunExclusion,
    ListRunMember,
    OtherPurchase,
    ServiceVisit,
    StaffUser,
    Vehicle,
)
from services.lists.shown import segment_in
from services.reports.dashboard import check_period
from services.segments import service as segments
from services.segments.sqlx import add_days, date_of, day
from services.staff.permissions import told_apart
from services.store.errors import N_, RevisitError

WINDOWS = (30, 90)
MEASURES = ("came_back", "spent", "bought")
COMPARISONS = ("excluded", "left_out")
# Below this many people in either group a difference of rates is mostly chance: with 30 people
# one customer more or less moves a rate by more than three points.
MIN_GROUP = 30


@dataclass(frozen=True)
class GroupOutcome:
    """How many of a group's `size` people did each measure within each window."""

    size: int
    counts: tuple[tuple[int, str, int], ...]  # (window days, measure, people)

    def count(self, window: int, measure: str) -> int:
        return next(n for w, m, n in self.counts if (w, m) == (window, measure))

    def rate(self, window: int, measure: str) -> float | None:
        return self.count(window, measure) / self.size if self.size else None


@dataclass(frozen=True)
class EffectRow:
    key: str  # "all" or a staff member's display name (with their user name if two share it)
    contacted: GroupOutcome
    comparison: GroupOutcome
    staff_id: int | None = None  # whose contacts ("all" and no one recorded: None)

    def difference(self, window: int, measure: str) -> float | None:
        a, b = self.contacted.rate(window, measure), self.comparison.rate(window, measure)
        return None if a is None or b is None else a - b

    @property
    def too_small(self) -> bool:
        return min(self.contacted.size, self.comparison.size) < MIN_GROUP


@dataclass(frozen=True)
class RunEffect:
    run_id: int
    segment_name: str
    as_of: dt.date
    purpose: str
    comparison: str  # "excluded" | "left_out"
    members: int
    not_contacted: int
    complete_windows: tuple[int, ...]  # windows whose last day is on or before `today`
    rows: tuple[EffectRow, ...]  # "all" first, then per staff member, most contacted first

    @property
    def overall(self) -> EffectRow:
        return self.rows[0]

    def rows_for(self, staff_id: int | None) -> tuple[EffectRow, ...]:
        """The rows a report shows: every row, or with `staff_id` (the report of one person)
        that person's row only."""
        return tuple(row for row in self.rows
                     if staff_id is None or (row.key != "all" and row.staff_id == staff_id))


def _measures(customer: ColumnElement[int], start: ColumnElement[dt.date]) -> list[Any]:
    """The counts of each measure in each window after each person's `start`."""
    cols: list[Any] = []
    for window in WINDOWS:
        after, until = start, add_days(start, window)
        visit = exists().where(ServiceVisit.customer_id == customer,
                               ServiceVisit.visit_date > after, ServiceVisit.visit_date <= until)
        spent = or_(
            exists().where(ServiceVisit.customer_id == customer, ServiceVisit.amount > 0,
                           ServiceVisit.visit_date > after, ServiceVisit.visit_date <= until),
            exists().where(OtherPurchase.customer_id == customer, OtherPurchase.amount > 0,
                           OtherPurchase.purchase_date > after,
                           OtherPurchase.purchase_date <= until),
        )
        bought = exists().where(Vehicle.customer_id == customer, Vehicle.purchase_date > after,
                                Vehicle.purchase_date <= until)
        cols += [func.sum(case((c, 1), else_=0)) for c in (visit, spent, bought)]
    return cols


def _outcome(s: Session, people: Select) -> tuple[GroupOutcome, Any]:
    """The measures over the customers `people` selects, each once: (customer id, the day
    their windows start); and the latest of those days (None for nobody)."""
    group = people.subquery("people")
    row = s.execute(select(func.count(), func.max(group.c.start),
                           *_measures(group.c.customer_id, group.c.start))
                    .select_from(group)).one()
    counts = []
    values = iter(row[2:])
    for window in WINDOWS:
        for measure in MEASURES:
            counts.append((window, measure, int(next(values) or 0)))
    return GroupOutcome(int(row[0]), tuple(counts)), row[1]


def _first_contacts(contacts: Select) -> Select:
    """(customer id, the day of their first contact) of the contacts `contacts` selects."""
    events = contacts.add_columns(date_of(ContactEvent.contact_at).label("day")).subquery("ev")
    return select(events.c.customer_id, func.min(events.c.day).label("start")) \
        .group_by(events.c.customer_id)


def _as_date(value: Any) -> dt.date:
    """A day as the database returns a computed one (SQLite: ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def run_effect(sessions: sessionmaker[Session], run_id: int, comparison: str = "excluded",
               today: dt.date | None = None) -> RunEffect:
    if comparison not in COMPARISONS:
        raise RevisitError(N_("Unknown comparison group '{name}' (known: {known})."),
                           name=comparison, known=", ".join(COMPARISONS))
    today = today or dt.date.today()
    with sessions() as s:
        run = s.get(ListRun, run_id)
        if run is None:
            raise RevisitError(N_("There is no list run {id}."), id=run_id)
        as_of = run.as_of
        member = select(ListRunMember.customer_id).where(ListRunMember.run_id == run_id)
        members = s.scalar(select(func.count()).select_from(member.distinct().subquery())) or 0
        contact = select(ContactEvent.customer_id).where(
            ContactEvent.list_run_id == run_id,
            ContactEvent.customer_id.in_(member.scalar_subquery()))
        if comparison == "excluded":
            others = select(ListRunExclusion.customer_id).where(
                ListRunExclusion.run_id == run_id,
                ListRunExclusion.customer_id.not_in(member.scalar_subquery()))
        else:
            seg = segments.member_select(run.filter_json, as_of).subquery("segment")
            others = select(seg.c.customer_id).where(
                seg.c.customer_id.not_in(member.scalar_subquery()))
        base, _ = _outcome(s, select(others.subquery("o").c.customer_id,
                                     day(as_of).label("start")).distinct())
        everyone, last = _outcome(s, _first_contacts(contact))
        rows = [EffectRow("all", everyone, base)]
        staff = s.execute(
            select(ContactEvent.staff_id, StaffUser.display_name, StaffUser.username)
            .outerjoin(StaffUser, StaffUser.id == ContactEvent.staff_id)
            .where(ContactEvent.list_run_id == run_id)
            .group_by(ContactEvent.staff_id, StaffUser.display_name, StaffUser.username)
        ).all()
        # Two callers of one name are told apart, not shown as two rows of the same label.
        names = told_apart([(name or "", username) for _id, name, username in staff])
        for (staff_id, _name, _user), shown in zip(staff, names, strict=True):
            mine = contact.where(ContactEvent.staff_id == staff_id if staff_id is not None
                                 else ContactEvent.staff_id.is_(None))
            rows.append(EffectRow(shown, _outcome(s, _first_contacts(mine))[0], base, staff_id))
        segment_name, purpose = segment_in(run.segment_name, "zh"), run.purpose
    rows[1:] = sorted(rows[1:], key=lambda r: (-r.contacted.size, r.key))
    # A window is over once it is over for the last person contacted (from their first call).
    last_start = max(as_of, _as_date(last) if last is not None else as_of)
    complete = tuple(w for w in WINDOWS if last_start + dt.timedelta(days=w) <= today)
    return RunEffect(run_id, segment_name, as_of, purpose, comparison, members,
                     members - everyone.size, complete, tuple(rows))


def runs_between(sessions: sessionmaker[Session], start: dt.date,
                 end: dt.date) -> tuple[tuple[int, str, dt.date], ...]:
    """The finished list runs whose evaluation date is in `start`–`end`, not those withdrawn
    (made by mistake, never the department's work): (id, segment, date), newest first."""
    check_period(start, end)
    with sessions() as s:
        rows = s.execute(
            select(ListRun.id, ListRun.segment_name, ListRun.as_of)
            .where(ListRun.as_of >= start, ListRun.as_of <= end, ListRun.finished_at.is_not(None),
                   ListRun.withdrawn_at.is_(None))
            .order_by(ListRun.as_of.desc(), ListRun.id.desc())
        ).all()
    return tuple((i, segment_in(n, "zh"), d) for i, n, d in rows)


def latest_run_day(sessions: sessionmaker[Session]) -> dt.date | None:
    """The evaluation date of the latest run `runs_between` would show in some period: where
    to look when a period has none."""
    with sessions() as s:
        return s.scalar(select(func.max(ListRun.as_of))
                        .where(ListRun.finished_at.is_not(None), ListRun.withdrawn_at.is_(None)))


def effect_between(sessions: sessionmaker[Session], start: dt.date, end: dt.date,
                   comparison: str = "excluded", staff_id: int | None = None,
                   today: dt.date | None = None, progress=None, cancel=None
                   ) -> tuple[RunEffect, ...]:
    """`run_effect` of every run in `runs_between`; with `staff_id` only runs where that
    person made contacts. `progress(done, total)` after each run; `cancel()` True
    stops early with the runs done so far."""
    runs = runs_between(sessions, start, end)
    out = []
    for done, (run_id, _name, _day) in enumerate(runs):
        if cancel is not None and cancel():
            break
        effect = run_effect(sessions, run_id, comparison, today)
        if staff_id is None or effect.rows_for(staff_id):
            out.append(effect)
        if progress is not None:
            progress(done + 1, len(runs))
    return tuple(out)
