"""Estimated current km and km per year, extrapolated in SQL from a vehicle's mileage readings to
the evaluation date: a straight line through the last two readings at least 30 days apart, else
from 0 km at purchase through the one reading; no reading, no estimate.

The readings come from the Core table (models/tables.py), the vehicle rows from the
caller's query (ctx.vehicle)."""

from __future__ import annotations

from sqlalchemy import Float, Select, and_, case, cast, select, true
from sqlalchemy.sql.elements import ColumnElement

from models.tables import mileage_reading as R
from services.segments.context import Ctx
from services.segments.sqlx import DAYS_PER_YEAR, add_days, day, days_between

# The earlier of the two readings a km rate is drawn through is at least this many days older.
KM_PAIR_MIN_DAYS = 30
# Latest first; on the same day the higher km is the later reading (an odometer only goes up).
# This order is the (vehicle_id, reading_date, km) index's own, so no sort per vehicle.
_READING_ORDER = (R.c.reading_date.desc(), R.c.km.desc())


def _join_latest(ctx: Ctx, latest: Select, name: str):
    """Join the one latest reading row. PostgreSQL gets a LATERAL subquery (with "id =
    (subquery)" its planner hashes all 2M readings: 3.7 s for the km-floor matrix); SQLite,
    which has no LATERAL, looks the row up by rowid from the correlated subquery."""
    if ctx.lateral:
        sub = latest.lateral(name)
        return sub, true()
    row = R.alias(name)
    return row, and_(row.c.vehicle_id == ctx.vehicle.c.id,
                     row.c.id == latest.with_only_columns(R.c.id).scalar_subquery())


def _readings(ctx: Ctx):
    """The last reading on or before the evaluation date (r1) and the last one at least 30 days
    before it (r0), joined to the vehicle row."""
    V = ctx.vehicle

    def make_r1():
        latest = (
            select(R.c.id, R.c.reading_date, R.c.km)
            .where(R.c.vehicle_id == V.c.id, R.c.reading_date <= day(ctx.as_of))
            .order_by(*_READING_ORDER)
            .limit(1)
        )
        return _join_latest(ctx, latest, "km_r1")
    r1 = ctx.join("km_r1", make_r1)

    def make_r0():
        earlier = (
            select(R.c.id, R.c.reading_date, R.c.km)
            .where(
                R.c.vehicle_id == V.c.id,
                R.c.reading_date <= add_days(r1.c.reading_date, -KM_PAIR_MIN_DAYS),
            )
            .order_by(*_READING_ORDER)
            .limit(1)
        )
        return _join_latest(ctx, earlier, "km_r0")
    return r1, ctx.join("km_r0", make_r0)


def estimated_km(ctx: Ctx) -> ColumnElement[float]:
    r1, r0 = _readings(ctx)
    V = ctx.vehicle
    d = day(ctx.as_of)
    return case(
        (
            r0.c.id.is_not(None),
            r1.c.km + cast(r1.c.km - r0.c.km, Float) * days_between(d, r1.c.reading_date)
            / days_between(r1.c.reading_date, r0.c.reading_date),
        ),
        (
            r1.c.reading_date > V.c.purchase_date,
            cast(r1.c.km, Float) * days_between(d, V.c.purchase_date)
            / days_between(r1.c.reading_date, V.c.purchase_date),
        ),
        # One reading on the purchase day or no purchase date: the reading is all we know.
        (r1.c.id.is_not(None), cast(r1.c.km, Float)),
    )


def km_per_year(ctx: Ctx) -> ColumnElement[float]:
    r1, r0 = _readings(ctx)
    V = ctx.vehicle
    return case(
        (
            r0.c.id.is_not(None),
            cast(r1.c.km - r0.c.km, Float)
            / days_between(r1.c.reading_date, r0.c.reading_date) * DAYS_PER_YEAR,
        ),
        (
            r1.c.reading_date > V.c.purchase_date,
            cast(r1.c.km, Float) / days_between(r1.c.reading_date, V.c.purchase_date)
            * DAYS_PER_YEAR,
        ),
    )
