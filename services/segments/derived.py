"""Derived segment values (age, km, latest survey, spend, RFM, trends…) as SQL against an
evaluation date. Date rules become cut-offs computed here in Python once, never julianday() on
every row: with the cut-offs and covering indexes the replacement matrix on 200,000 customers
takes 0.14 s on SQLite 3.40, against 0.6–1.1 s for every formulation on plain indexes."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import (
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from models import (
    Complaint,
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    OtherPurchase,
    ProfileChange,
    PurchaseIntent,
    SatisfactionSurvey,
    ServiceVisit,
)
from services.segments.catalog import YEARLY_DATES
from services.segments.context import C, Ctx
from services.segments.sqlx import DAYS_PER_YEAR as DAYS_PER_YEAR
from services.segments.sqlx import NEVER, day, later_of, moment, month_day


def months_before(when: dt.date, months: int) -> dt.date:
    """The same calendar day `months` earlier (the month's last day when it has fewer days)."""
    total = when.year * 12 + when.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(when.day, calendar.monthrange(year, month)[1]))


def years_before(when: dt.date, years: int) -> dt.date:
    return months_before(when, 12 * years)


# --- elapsed time turned into cut-offs -------------------------------------------------------

def _day_bounds(as_of: dt.date, op: str, value: float, scale: float) -> tuple[str, dt.date] | None:
    """For "elapsed days / scale  OP  value" give (relation, date) on the start date itself:
    elapsed = (as_of - start).days, so a lower bound on elapsed is an upper bound on start."""
    scaled = value * scale
    if op == ">=":
        return "<=", as_of - dt.timedelta(days=math.ceil(scaled))
    if op == ">":
        return "<=", as_of - dt.timedelta(days=math.floor(scaled) + 1)
    if op == "<=":
        return ">=", as_of - dt.timedelta(days=math.floor(scaled))
    if op == "<":
        return ">=", as_of - dt.timedelta(days=math.ceil(scaled) - 1)
    if op == "=":
        return ("=", as_of - dt.timedelta(days=int(scaled))) if scaled == int(scaled) else None
    raise ValueError(op)


@dataclass(frozen=True)
class DayCol:
    """A date (or timestamp) column compared by calendar day; `never_is_long_ago` makes a
    missing date count as infinitely long ago (never contacted = not contacted for N days)."""

    col: ColumnElement
    is_timestamp: bool = False
    never_is_long_ago: bool = False

    def rel(self, relation: str, when: dt.date) -> ColumnElement[bool]:
        col = self.col
        if self.is_timestamp:
            start = dt.datetime.combine(when, dt.time())
            nxt = start + dt.timedelta(days=1)
            if relation == "<=":
                cond = col < nxt
            elif relation == ">=":
                cond = col >= start
            else:
                cond = and_(col >= start, col < nxt)
            if relation == "<=" and self.never_is_long_ago:
                # coalesce rather than "IS NULL OR": SQLite would run the subquery twice.
                return func.coalesce(col, moment(dt.datetime(1, 1, 1))) < nxt
            return cond
        if relation == "<=":
            if self.never_is_long_ago:
                return func.coalesce(col, day(NEVER)) <= day(when)
            return col <= day(when)
        if relation == ">=":
            return col >= day(when)
        return col == day(when)


def elapsed_condition(
    target: DayCol, as_of: dt.date, op: str, value, scale: float
) -> ColumnElement[bool]:
    """A condition on (as_of - date) / scale without date arithmetic per row."""
    if op == "between":
        low, high = value
        return and_(
            elapsed_condition(target, as_of, ">=", low, scale),
            elapsed_condition(target, as_of, "<=", high, scale),
        )
    if op == "!=":
        return func.coalesce(~elapsed_condition(target, as_of, "=", value, scale), true())
    if op == "is_null":
        return target.col.is_(None)
    if op == "not_null":
        return target.col.is_not(None)
    bounds = _day_bounds(as_of, op, float(value), scale)
    if bounds is None:
        return false()
    return target.rel(*bounds)


# --- latest rows, joined once -----------------------------------------------------------------

def _latest(model, key_col, outer_key, date_col, as_of, extra=()) -> ColumnElement[int]:
    return (
        select(model.id)
        .where(key_col == outer_key, date_col <= day(as_of), *extra)
        .order_by(date_col.desc(), model.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def latest_survey(ctx: Ctx) -> FromClause:
    def make():
        s = SatisfactionSurvey.__table__.alias("latest_survey")
        sid = _latest(SatisfactionSurvey, SatisfactionSurvey.customer_id, ctx.customer_key,
                      SatisfactionSurvey.survey_date, ctx.as_of)
        return s, and_(s.c.customer_id == ctx.customer_key, s.c.id == sid)
    return ctx.join("latest_survey", make)


def latest_intent(ctx: Ctx) -> FromClause:
    def make():
        t = PurchaseIntent.__table__.alias("latest_intent")
        tid = _latest(PurchaseIntent, PurchaseIntent.customer_id, C.c.id,
                      PurchaseIntent.recorded_date, ctx.as_of)
        return t, and_(t.c.customer_id == C.c.id, t.c.id == tid)
    return ctx.join("latest_intent", make)


def latest_consent(ctx: Ctx) -> FromClause:
    def make():
        t = ConsentEvent.__table__.alias("latest_consent")
        tid = _latest(ConsentEvent, ConsentEvent.customer_id, C.c.id, ConsentEvent.event_date,
                      ctx.as_of, (ConsentEvent.kind == "marketing",))
        return t, and_(t.c.customer_id == C.c.id, t.c.id == tid)
    return ctx.join("latest_consent", make)


def preference(ctx: Ctx) -> FromClause:
    def make():
        t = ContactPreference.__table__.alias("pref")
        return t, t.c.customer_id == C.c.id
    return ctx.join("pref", make)


# Raw overall scores in each band; -1 stands for "no survey on or before the date".
BAND_SCORES = {"none": (-1,), "low": tuple(range(7)), "middle": (7, 8), "high": (9, 10)}


# --- activity -------------------------------------------------------------------------------

def last_visit_day(as_of: dt.date) -> ColumnElement[dt.date]:
    return (
        select(func.max(ServiceVisit.visit_date))
        .where(ServiceVisit.customer_id == C.c.id, ServiceVisit.visit_date <= day(as_of))
        .scalar_subquery()
    )


def last_contact_moment(as_of: dt.date) -> ColumnElement[dt.datetime]:
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    return (
        select(func.max(ContactEvent.contact_at))
        .where(ContactEvent.customer_id == C.c.id, ContactEvent.contact_at < end)
        .scalar_subquery()
    )


def spend_rows(start_after: dt.date | None, as_of: dt.date):
    """Spends (amount > 0) from visits and other purchases in (start_after, as_of], read as one
    date range of the covering (date, customer, amount) indexes."""
    def part(model, date_col):
        conds = [model.amount > 0, date_col <= day(as_of)]
        if start_after is not None:
            conds.append(date_col > day(start_after))
        return select(
            model.customer_id.label("customer_id"),
            date_col.label("day"),
            model.amount.label("amount"),
        ).where(*conds)
    return union_all(
        part(ServiceVisit, ServiceVisit.visit_date),
        part(OtherPurchase, OtherPurchase.purchase_date),
    )


def last_spend_day(as_of: dt.date) -> ColumnElement[dt.date]:
    """The last spend on or before the date: the later of the last paid visit and the last
    other purchase (two index look-ups per customer)."""
    def last(model, date_col):
        return (
            select(func.max(date_col))
            .where(model.customer_id == C.c.id, model.amount > 0, date_col <= day(as_of))
            .scalar_subquery()
        )
    return later_of(last(ServiceVisit, ServiceVisit.visit_date),
                    last(OtherPurchase, OtherPurchase.purchase_date))


def last_purchase_day(as_of: dt.date, kind: str) -> ColumnElement[dt.date]:
    """The customer's last other purchase of `kind` on or before the date: a refund is none,
    nor is a purchase given back whole (a policy cancelled, 退保); a free one is."""
    p = OtherPurchase
    kept = or_(p.amount > 0, and_(p.amount == 0, p.refunded == 0))
    return (select(func.max(p.purchase_date))
            .where(p.customer_id == C.c.id, p.kind == kind, p.purchase_date <= day(as_of), kept)
            .scalar_subquery())


def spend_window(as_of: dt.date, months: int):
    """Per customer with a spend in the window: last day, number of spends, amount."""
    rows = spend_rows(months_before(as_of, months), as_of).subquery("spend_rows")
    return select(
        rows.c.customer_id,
        func.max(rows.c.day).label("last_day"),
        func.count().label("n"),
        func.sum(rows.c.amount).label("amount"),
    ).group_by(rows.c.customer_id)


def spend_agg(ctx: Ctx, months: int) -> FromClause:
    def make():
        agg = spend_window(ctx.as_of, months).subquery(f"spend_{months}m")
        return agg, agg.c.customer_id == C.c.id
    return ctx.join(f"spend_{months}m", make)


def complaint_open_on(as_of: dt.date) -> ColumnElement[bool]:
    """A complaint open on the date: opened on or before it and not resolved by then."""
    return and_(
        Complaint.opened_date <= day(as_of),
        or_(
            Complaint.resolved.is_(False),
            and_(Complaint.resolved_date.is_not(None), Complaint.resolved_date > day(as_of)),
        ),
    )


def unresolved_complaint(as_of: dt.date) -> ColumnElement[bool]:
    """The customer has a complaint open on the date."""
    return exists().where(Complaint.customer_id == C.c.id, complaint_open_on(as_of))


def refusal_in_force(as_of: dt.date) -> list[ColumnElement[bool]]:
    """A do-not-contact row in force on `as_of`: set by then, neither lifted nor expired."""
    from models import DoNotContact as D

    return [
        D.set_on <= day(as_of),
        or_(D.lifted_on.is_(None), D.lifted_on > day(as_of)),
        # expires_on is the first day the refusal no longer applies (as lists and the page read it).
        or_(D.expires_on.is_(None), D.expires_on > day(as_of)),
    ]


def do_not_contact(as_of: dt.date, channel: str | None, purpose: str | None):
    from models import DoNotContact as D

    conds = [D.customer_id == C.c.id, *refusal_in_force(as_of)]
    if channel:
        conds.append(or_(D.channel.is_(None), D.channel == channel))
    if purpose:
        conds.append(or_(D.purpose.is_(None), D.purpose == purpose))
    return exists().where(*conds)


def profile_value(attribute: str, as_of) -> ColumnElement[str]:
    """The attribute's value in force on `as_of` (a date or a date column)."""
    when = day(as_of) if isinstance(as_of, dt.date) else as_of
    return (
        select(ProfileChange.new_value)
        .where(
            ProfileChange.customer_id == C.c.id,
            ProfileChange.attribute == attribute,
            ProfileChange.effective_date <= when,
        )
        .order_by(ProfileChange.effective_date.desc(), ProfileChange.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def lifecycle_stage(as_of: dt.date) -> ColumnElement[str]:
    """The stage on the date from its history; a customer with no recorded history at all has
    only the stored stage, which is then taken as theirs."""
    no_history = ~exists().where(
        ProfileChange.customer_id == C.c.id, ProfileChange.attribute == "lifecycle_stage"
    )
    return func.coalesce(
        profile_value("lifecycle_stage", as_of), case((no_history, C.c.lifecycle_stage))
    )


def birthday_due(as_of: dt.date, days: int) -> ColumnElement[bool]:
    """The birthday (MMDD) falls within the next `days` days; string ranges on birthday_md
    use its index. A 29 February birthday is due on 1 March in other years."""
    return month_day_due(C.c.birthday_md, as_of, days)


def falls_due(field: str, col: ColumnElement[dt.date], as_of: dt.date,
              days: int) -> ColumnElement[bool]:
    """The date field `field` (its value `col`) falls due within the next `days` days: the
    date itself, or for a yearly date (catalog YEARLY_DATES) already past, its anniversary (an
    insurance policy renewed without the dealer keeps its day, so last year's expiry is this
    year's renewal)."""
    ahead = col.between(day(as_of), day(as_of + dt.timedelta(days=days)))
    if field not in YEARLY_DATES:
        return ahead
    return or_(ahead, and_(col < day(as_of), month_day_due(month_day(col), as_of, days)))


def month_day_due(md: ColumnElement[str], as_of: dt.date, days: int) -> ColumnElement[bool]:
    """A month and day (MMDD) falls within the next `days` days, in whatever year; 29
    February is due on 1 March in other years."""
    if days >= 365:
        return md.is_not(None)
    end = as_of + dt.timedelta(days=days)
    start_md, end_md = as_of.strftime("%m%d"), end.strftime("%m%d")
    if end.year == as_of.year:
        cond: ColumnElement[bool] = md.between(start_md, end_md)
    else:
        cond = or_(md >= start_md, md <= end_md)
    march_firsts = [dt.date(y, 3, 1) for y in range(as_of.year, end.year + 1)]
    if any(as_of <= m <= end and calendar.isleap(m.year) is False for m in march_firsts):
        cond = or_(cond, md == "0229")
    return cond


def rank(value: ColumnElement[str], order: tuple[str, ...]) -> ColumnElement[int]:
    return case({v: i for i, v in enumerate(order)}, value=value)


def trend(now: ColumnElement[str], then: ColumnElement[str], order: tuple[str, ...] | None):
    """up / down / same for ordered attributes, changed / same for the others; unknown when
    either value is missing."""
    if order is None:
        return case(
            (or_(now.is_(None), then.is_(None)), None), (now == then, "same"), else_="changed"
        )
    a, b = rank(now, order), rank(then, order)
    return case(
        (or_(a.is_(None), b.is_(None)), None), (a > b, "up"), (a < b, "down"), else_="same"
    )

