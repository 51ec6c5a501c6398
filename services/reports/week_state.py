"""Follow-ups due in a period and complaints open at its end: one definition of each, read by the
dashboard, the weekly activity tab, the Monday report and the command line, so they agree for
any period, a past one too (its state then, not today's)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from models import Complaint, ContactEvent
from services.segments.derived import complaint_open_on
from services.segments.sqlx import day, moment


def follow_ups_due(s: Session, start: dt.date, end: dt.date,
                   mine: list[ColumnElement[bool]] | None = None) -> dict[int | None, int]:
    """Follow-ups that fell due from `start` to `end` (both included), per staff member who
    asked for them: a contact asked for a follow-up on a day of the period, and no later
    contact with that customer came before that day (one that did replaced or answered it; a
    contact on the day itself is the follow-up). Done or not, each counts once: the period's
    follow-up work. Counted from the follow-up date index, each probing the customer's
    contacts."""
    ce, later = ContactEvent, aliased(ContactEvent)
    # On SQLite a date is ISO text and a contact time ISO text with the hour: a contact before
    # the follow-up day sorts before it; on PostgreSQL the date reads as its midnight.
    answered = (select(later.id)
                .where(later.customer_id == ce.customer_id,
                       later.contact_at >= ce.contact_at,
                       # a later moment, or the same one recorded later
                       or_(later.contact_at > ce.contact_at, later.id > ce.id),
                       later.contact_at < ce.next_follow_up)
                .exists())
    rows = s.execute(
        select(ce.staff_id, func.count())
        .where(ce.next_follow_up >= day(start), ce.next_follow_up <= day(end),
               # asked for by then: a contact made after the period set no work in it
               ce.contact_at < moment(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())),
               *(mine or ()), ~answered)
        .group_by(ce.staff_id)
    ).all()
    return {sid: n for sid, n in rows}


def open_complaints(s: Session, end: dt.date) -> tuple[int, int]:
    """(complaints, customers) open at the end of `end`: opened by then and not resolved by
    then (the segment field unresolved_complaint's rule)."""
    n, customers = s.execute(
        select(func.count(), func.count(Complaint.customer_id.distinct()))
        .where(complaint_open_on(end))
    ).one()
    return int(n or 0), int(customers or 0)


def overdue_by(end: dt.date, today: dt.date | None = None) -> dt.date:
    """The day follow-ups are counted overdue by for a period ending `end`: its end, or today
    in a period not over yet (a call-back due on Friday is not overdue on Wednesday)."""
    return min(end, today or dt.date.today())
