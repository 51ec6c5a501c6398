"""When each car is due for maintenance, and which customers have open declined repair items, as
SQL against an evaluation date (segment fields, templates and the brief all use these).

A car is due on the earlier of: its last maintenance visit's date + M months, and the first day
its estimated km (services/segments/mileage.py: the same line as the km estimate) reaches that
visit's km + N km; or on the date and km the DMS told the owner at that visit (下次保养日期,
下次保养里程), each when it did. Without a maintenance visit the first free service (首保)
interval counts from the purchase date and 0 km, unless it fell due more than a year ago
(no_record: the regular schedule from the purchase then). M and N come from the car's model's row in
service_interval, else its brand's, else the row for every car (brand ''), else
DEFAULT_INTERVAL. A declined repair item is due on its own date, else DECLINED_DUE_DAYS after the
visit (or call) that recorded it (declined_due_on)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

from models import DeclinedItem, ServiceInterval, ServiceVisit
from services.segments import mileage
from services.segments.context import C, Ctx, V
from services.segments.sqlx import add_days, day, days_between


@dataclass(frozen=True)
class Interval:
    first_km: int
    first_months: int
    every_km: int
    every_months: int


# 首保 3,000 km or 3 months, then every 5,000 km or 6 months: the most common schedule of the
# makes sold in China; a make or model with another one gets its row in service_interval.
DEFAULT_INTERVAL = Interval(3000, 3, 5000, 6)
# A car with no maintenance visit on record whose 首保 fell due more than this long ago
# (a car bought 7 years ago, imported with no service history) was almost surely serviced
# elsewhere or before the records start: "首保 overdue by 7 years" would be wrong. It follows
# the regular schedule from the purchase and 0 km (the next of purchase + k·M months and
# k·N km), so its reminder comes round once an interval, never "overdue".
NO_RECORD_MONTHS = 12
# A km-based due date further than this from the last reading is no date (a car that hardly
# moves would otherwise be "due" in the year 30,000, beyond what a date column holds).
MAX_DAYS = 36500
# Advised work (建议维修项目) with no due date of its own is due this many days after the visit
# or call that recorded it: the usual one-month call-back for advised work (the brief's dialog
# for a declined repair proposes a month on, too). A DMS work order seldom gives a date; without
# this rule such items were never due, and a dealer's first declined-repairs list was empty.
DECLINED_DUE_DAYS = 30


class add_months(FunctionElement):
    """A date plus a whole number of months, on the same day of the month or the month's last
    day when it is shorter (31 Aug + 6 months = 28 Feb): PostgreSQL's own rule; SQLite's
    date() would roll over into March, so there the month's last day caps it."""

    type = Date()
    inherit_cache = True
    name = "add_months"


@compiles(add_months)
def _add_months_default(element, compiler, **kw) -> str:
    col, n = (compiler.process(x, **kw) for x in element.clauses)
    return f"CAST({col} + make_interval(months => CAST({n} AS INTEGER)) AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw) -> str:
    col, n = (compiler.process(x, **kw) for x in element.clauses)
    return (f"min(date({col}, '+' || ({n}) || ' months'), "
            f"date({col}, 'start of month', '+' || (({n}) + 1) || ' months', '-1 day'))")


class earlier_of(FunctionElement):  # the earlier of two dates, ignoring a missing one
    type = Date()
    inherit_cache = True
    name = "earlier_of"


@compiles(earlier_of)
def _earlier_default(element, compiler, **kw) -> str:
    a, b = (compiler.process(x, **kw) for x in element.clauses)
    return f"LEAST({a}, {b})"  # PostgreSQL's LEAST skips NULLs


@compiles(earlier_of, "sqlite")
def _earlier_sqlite(element, compiler, **kw) -> str:
    a, b = (compiler.process(x, **kw) for x in element.clauses)
    return f"min(coalesce({a}, {b}), coalesce({b}, {a}))"


def _latest_row(ctx: Ctx, name: str, table, latest) -> object:
    """Join the one row `latest` (a correlated, ordered SELECT ... LIMIT 1 of `table`'s id and
    the columns used) picks. PostgreSQL gets a LATERAL subquery: with "id = (subquery)" its
    planner hashed all 2,000,000 visits (5.6 s for the maintenance template on the demo).
    SQLite, which has no LATERAL, looks the row up by rowid."""
    def make():
        if ctx.lateral:
            return latest.lateral(name), true()
        row = table.alias(name)
        return row, row.c.id == latest.with_only_columns(table.c.id).scalar_subquery()
    return ctx.join(name, make)


def _interval(ctx: Ctx):
    """The service_interval row for the car: its model's, else its brand's, else every car's."""
    si = ServiceInterval.__table__
    latest = (
        select(si.c.id, si.c.first_km, si.c.first_months, si.c.every_km, si.c.every_months)
        .where(or_(and_(si.c.brand == V.c.brand,
                        or_(si.c.model == V.c.model, si.c.model == "")),
                   and_(si.c.brand == "", si.c.model == "")))
        # A brand or model sorts after '': descending puts the most specific row first.
        .order_by(si.c.brand.desc(), si.c.model.desc())
        .limit(1)
    )
    return _latest_row(ctx, "svc_interval", si, latest)


def _last_maintenance(ctx: Ctx):
    """The car's last maintenance visit on or before the evaluation date."""
    sv = ServiceVisit.__table__
    latest = (
        select(sv.c.id, sv.c.visit_date, sv.c.km, sv.c.next_service_date, sv.c.next_service_km)
        .where(sv.c.vehicle_id == V.c.id, sv.c.visit_type == "maintenance",
               sv.c.visit_date <= day(ctx.as_of))
        .order_by(sv.c.visit_date.desc(), sv.c.id.desc())
        .limit(1)
    )
    return _latest_row(ctx, "last_maintenance", sv, latest)


def _ceil_div(a: ColumnElement[int], b: ColumnElement[int]) -> ColumnElement[int]:
    """ceil(a / b) for b > 0 in integers (both databases truncate integer division)."""
    return case((a >= 0, (a + b - 1) // b), else_=-((-a) // b))


def _next_milestone_day(ctx: Ctx, every: ColumnElement[int]) -> ColumnElement[dt.date]:
    """The first day on or after the evaluation date that is the purchase date + a whole
    number of `every` months (the regular schedule counted from the purchase)."""
    as_of = ctx.as_of
    bought = V.c.purchase_date
    elapsed = (as_of.year * 12 + as_of.month) - (
        cast(extract("year", bought), Integer) * 12 + cast(extract("month", bought), Integer))
    steps = elapsed // every  # the last milestone in or before the evaluation date's month
    this_month = add_months(bought, steps * every)
    return case((this_month >= day(as_of), this_month),
                else_=add_months(bought, (steps + 1) * every))


def due_date(ctx: Ctx) -> ColumnElement[dt.date]:
    iv = _interval(ctx)
    last = _last_maintenance(ctx)
    r1, r0 = mileage._readings(ctx)
    visited = last.c.id.is_not(None)
    lapsed = no_record(ctx)
    d = DEFAULT_INTERVAL
    every_months = func.coalesce(iv.c.every_months, d.every_months)
    every_km = func.coalesce(iv.c.every_km, d.every_km)
    base_day = case((visited, last.c.visit_date), else_=V.c.purchase_date)
    # The line of the km estimate: the last two readings at least 30 days apart, else 0 km on
    # the purchase day and the one reading.
    has_pair = r0.c.id.is_not(None)
    from_purchase = r1.c.reading_date > V.c.purchase_date
    k0 = case((has_pair, r0.c.km), (from_purchase, 0))
    d0 = case((has_pair, r0.c.reading_date), (from_purchase, V.c.purchase_date))
    rise = cast(r1.c.km - k0, BigInteger)
    span = cast(days_between(r1.c.reading_date, d0), BigInteger)
    # The estimate on the evaluation date × span, in whole numbers: k1·span + rise·(t − d1).
    km_now = (cast(r1.c.km, BigInteger) * span
              + rise * cast(days_between(day(ctx.as_of), r1.c.reading_date), BigInteger))
    # What the DMS told the owner at that visit (下次保养日期, 下次保养里程), when it did;
    # else the interval from that visit; for a car with no record for long (no_record), the
    # next milestone of the regular schedule from the purchase and 0 km; else the 首保's.
    by_months = case(
        (visited, func.coalesce(last.c.next_service_date,
                                add_months(last.c.visit_date, every_months))),
        (lapsed, _next_milestone_day(ctx, every_months)),
        else_=add_months(V.c.purchase_date,
                         func.coalesce(iv.c.first_months, d.first_months)))
    target_km = case(
        (visited, func.coalesce(last.c.next_service_km, last.c.km + every_km)),
        # The next whole multiple of the interval above today's estimate.
        (lapsed, (km_now // (span * every_km) + 1) * every_km),
        else_=func.coalesce(iv.c.first_km, d.first_km))
    # First day the estimate k1 + rise·(t − d1)/span reaches the target: t − d1 ≥ ceil(a/rise).
    a = cast(target_km - r1.c.km, BigInteger) * span
    days = _ceil_div(a, rise)
    by_km = case(
        (and_(base_day.is_not(None), rise > 0, a <= rise * MAX_DAYS, a >= -rise * MAX_DAYS),
         add_days(r1.c.reading_date, cast(days, Integer))),
    )
    return earlier_of(by_months, by_km)


def told(ctx: Ctx) -> ColumnElement[dt.date]:
    """The day the owner was told at the last maintenance (下次保养日期), NULL when none was."""
    return _last_maintenance(ctx).c.next_service_date


def first_service(ctx: Ctx) -> ColumnElement[bool]:
    """The car has no maintenance visit on or before the evaluation date and was bought
    recently enough (not no_record), so its due date is the first free service's (首保),
    counted from the purchase."""
    return and_(_last_maintenance(ctx).c.id.is_(None), ~no_record(ctx))


def no_record(ctx: Ctx) -> ColumnElement[bool]:
    """The car has no maintenance visit on or before the evaluation date and its 首保
    (purchase + its months) fell due more than NO_RECORD_MONTHS before it (保养记录缺失):
    serviced elsewhere, or before the records start, so its due date follows the regular
    schedule, not the 首保. Never NULL."""
    iv = _interval(ctx)
    months = func.coalesce(iv.c.first_months, DEFAULT_INTERVAL.first_months) + NO_RECORD_MONTHS
    return and_(_last_maintenance(ctx).c.id.is_(None), V.c.purchase_date.is_not(None),
                add_months(V.c.purchase_date, months) < day(ctx.as_of))


def days_to_due(ctx: Ctx) -> ColumnElement[int]:
    """Days from the evaluation date to the due date; below zero when overdue."""
    return days_between(due_date(ctx), day(ctx.as_of))


def declined_due_on() -> ColumnElement[dt.date]:
    """When a declined item is due: its own due date, else DECLINED_DUE_DAYS after the day it
    was recorded (never NULL)."""
    di = DeclinedItem.__table__
    # The number inline: PostgreSQL has no date + bigint, the type a bound int may get.
    return func.coalesce(di.c.due_on, add_days(
        di.c.recorded_on, literal_column(str(DECLINED_DUE_DAYS), Integer)))


def open_declined_where(as_of: dt.date, due_days: int | None,
                        customer_key: ColumnElement[int] = C.c.id) -> list[ColumnElement[bool]]:
    """What makes a declined item open on `as_of` for the customer `customer_key` (recorded by
    then, not closed by then); with `due_days`, due (declined_due_on) on or before `as_of` + that
    many days, overdue included."""
    di = DeclinedItem
    conds = [di.customer_id == customer_key, di.recorded_on <= day(as_of),
             or_(di.closed_on.is_(None), di.closed_on > day(as_of))]
    if due_days is not None:
        conds.append(declined_due_on() <= day(as_of + dt.timedelta(days=due_days)))
    return conds


def open_declined(as_of: dt.date, due_days: int | None,
                  customer_key: ColumnElement[int] = C.c.id) -> ColumnElement[bool]:
    """The customer has a declined item open on `as_of` (open_declined_where)."""
    return exists().where(*open_declined_where(as_of, due_days, customer_key))
