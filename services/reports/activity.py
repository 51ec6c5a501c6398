"""Reports for the supervisor: the week's contact work per caller and outcome, the follow-ups
due in it and the complaints open at its end (as the dashboard counts them: week_state.py) —
counted in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from models import ContactEvent
from models.codes import OUTCOMES
from services.reports import week_state
from services.segments.contact_fields import ONE_WAY, REACHED
from services.staff.accounts import staff_names
from services.store.errors import N_, RevisitError


@dataclass(frozen=True)
class CallerActivity:
    staff: str
    total: int
    by_outcome: dict[str, int]

    @property
    def attempts(self) -> int:
        """Contacts that tried to reach someone: not one-way messages (an SMS sent or failed),
        as the dashboard counts them."""
        return self.total - sum(self.by_outcome.get(o, 0) for o in ONE_WAY)

    @property
    def reached(self) -> int:
        return sum(self.by_outcome.get(o, 0) for o in REACHED)

    @property
    def reach_rate(self) -> float | None:
        """Reached / attempts, as the dashboard and the KPIs count it; None: no attempt (only
        messages sent), which is no rate at all rather than 0 %."""
        return self.reached / self.attempts if self.attempts else None


@dataclass(frozen=True)
class ActivityReport:
    start: dt.date
    end: dt.date
    callers: tuple[CallerActivity, ...]
    by_channel: dict[str, int]
    follow_ups_due: int  # follow-ups that fell due in the period (week_state.follow_ups_due)
    open_complaints: int  # complaints open at the end of `end`
    open_complaint_customers: int  # the customers with one

    @property
    def total(self) -> int:
        return sum(c.total for c in self.callers)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def last_week(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Last week, Monday to Sunday: what the Monday report is about, and the Reports area's
    period when it opens."""
    return week_of((today or dt.date.today()) - dt.timedelta(days=7))


def activity(sessions: sessionmaker[Session], start: dt.date, end: dt.date) -> ActivityReport:
    """Contacts made from `start` to `end` (both included), per caller and outcome."""
    if end < start:
        raise RevisitError(
            N_("The report ends ({end}) before it starts ({start})."),
            start=start.isoformat(),
            end=end.isoformat(),
        )
    since = dt.datetime.combine(start, dt.time())
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    in_range = (ContactEvent.contact_at >= since, ContactEvent.contact_at < until)
    with sessions() as s:
        rows = s.execute(
            select(
                ContactEvent.staff_id,
                *(func.sum(case((ContactEvent.outcome == o, 1), else_=0)) for o in OUTCOMES),
                func.count(),
            )
            .where(*in_range)
            .group_by(ContactEvent.staff_id)
            .order_by(func.count().desc(), ContactEvent.staff_id)
        ).all()
        channels = dict(
            s.execute(
                select(ContactEvent.channel, func.count())
                .where(*in_range)
                .group_by(ContactEvent.channel)
            ).all()
        )
        follow_ups = sum(week_state.follow_ups_due(s, start, end).values())
        complaints, complaint_customers = week_state.open_complaints(s, end)
        names = staff_names(s)  # two of one name told apart: each their own row
    callers = tuple(
        CallerActivity(
            staff=names.get(row[0], ""),  # no caller (an SMS sent): ""
            total=row[-1],
            by_outcome={o: int(n or 0) for o, n in zip(OUTCOMES, row[1:-1], strict=True) if n},
        )
        for row in rows
    )
    return ActivityReport(start, end, callers, channels, follow_ups, complaints,
                          complaint_customers)
