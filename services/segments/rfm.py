"""RFM in SQL: recency, frequency and money of spends in a window, compared with thresholds
(the population mean by default) using whole numbers so both databases agree exactly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import BigInteger, and_, cast, func, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from services.segments.catalog import RFM_CLASS_KEYS, RFM_CLASSES, RFM_DEFAULT_MONTHS
from services.segments.context import Ctx
from services.segments.derived import spend_agg, spend_window
from services.segments.sqlx import day, days_between

# The classes and the default window are catalog data; this module is their SQL.
DEFAULT_MONTHS = RFM_DEFAULT_MONTHS
CLASSES = RFM_CLASSES
CLASS_KEYS = RFM_CLASS_KEYS
CLASS_BY_KEY = {c[0]: c for c in CLASSES}


@dataclass(frozen=True)
class Thresholds:
    """mean (default): each compared with the mean over customers who have a class; fixed: R in
    days, F in spends, M in yuan as given."""

    mode: str = "mean"
    r_days: float | None = None
    f: float | None = None
    m: float | None = None


def cents(amount: ColumnElement) -> ColumnElement[int]:
    """Money as whole cents, so comparisons are exact on both databases."""
    return cast(func.round(amount * 100), BigInteger)


def rfm_values(agg: FromClause, as_of: dt.date):
    """R (days since the last spend), F (spends) and M (cents) of one aggregated row."""
    return days_between(day(as_of), agg.c.last_day), agg.c.n, cents(agg.c.amount)


def window_values(as_of: dt.date, months: int):
    """customer_id, r, f, m of every customer with a spend in the window, computed live (the
    RFM summary stores these rows)."""
    agg = spend_window(as_of, months).subquery("spend")
    r, f, m = rfm_values(agg, as_of)
    return select(agg.c.customer_id, r.label("r"), f.label("f"), m.label("m"))


def totals(as_of: dt.date, months: int):
    vals = window_values(as_of, months).subquery("rfm_values")
    return select(
        func.count().label("n"),
        func.sum(vals.c.r).label("sum_r"),
        func.sum(vals.c.f).label("sum_f"),
        func.sum(vals.c.m).label("sum_m"),
    ).select_from(vals)


def flags(agg: FromClause, tot: FromClause | None, as_of: dt.date, th: Thresholds):
    """(R up, F up, M up) as SQL conditions. With the mean, x ≥ mean ⇔ x·n ≥ Σx: no division,
    no float rounding to differ between SQLite and PostgreSQL."""
    r, f, m = rfm_values(agg, as_of)
    if th.mode == "mean":
        assert tot is not None
        return r * tot.c.n <= tot.c.sum_r, f * tot.c.n >= tot.c.sum_f, m * tot.c.n >= tot.c.sum_m
    return r <= th.r_days, f >= th.f, m >= round((th.m or 0) * 100)


def joined_flags(ctx: Ctx, months: int, th: Thresholds):
    """Join the customer's spend aggregate (and the totals for means) once; return the row and
    its three flags."""
    agg = spend_agg(ctx, months)
    tot = None
    if th.mode == "mean":
        tot = ctx.join(
            f"rfm_totals_{months}m",
            lambda: (totals(ctx.as_of, months).subquery(f"rfm_totals_{months}m"), true()),
        )
    return agg, flags(agg, tot, ctx.as_of, th)


def class_condition(ctx: Ctx, months: int, th: Thresholds, key: str) -> ColumnElement[bool]:
    agg, (r_up, f_up, m_up) = joined_flags(ctx, months, th)
    _, _, _, want_r, want_f, want_m = CLASS_BY_KEY[key]
    return and_(
        agg.c.customer_id.is_not(None),
        r_up if want_r else ~r_up,
        f_up if want_f else ~f_up,
        m_up if want_m else ~m_up,
    )
