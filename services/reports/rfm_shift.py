"""RFM class counts on a date near the one the RFM summary holds, from the summary and only the
spends that differ between the two windows.

The summary holds each customer's R, F and M on one date T (the window's start keeps it on
today). A dashboard's end date E (last Sunday) and a month before it have windows that share all
but a few days or weeks with T's: the spends in one window and not the other are a few thousand
a week apart and some 60,000 a month apart, at 200,000 customers, against the 600,000 a live
count groups (0.6–0.9 s). Per customer on E:

  F = F(T) + spends that only E's window holds − spends that only T's holds (M likewise, in
      whole cents: amounts are Numeric(12, 2));
  R = days from the last spend in E's window to E: T's last spend moved to E (R(T) − (T − E)),
      or an added spend's when later, or, when T's last spend lies after E, the last one on or
      before E looked up in the spend indexes (one look-up per such customer).

Then the means and classes exactly as the live query counts them (services/segments/rfm.py:
x·n against Σx in whole numbers). Nothing is answered unless the summary is current, holds the
same window length and lies within SHIFT_DAYS of E; nor when it was rebuilt while being read (its
row count then differs from what its state says). The caller asks live then."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Select,
    case,
    cast,
    func,
    literal,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from models.tables import other_purchase, service_visit, summary_state
from services.segments import rfm as rfm_mod
from services.segments import summaries
from services.segments.derived import months_before, spend_rows
from services.segments.sqlx import day, days_between
from services.segments.summaries import RFM

# Within this many days of the summary's date the shift costs less than the live count: at
# 200,000 customers 0.15–0.3 s a few days away and 0.55–0.65 s at 34 days, against 0.7–0.8 s
# live, on SQLite and PostgreSQL alike; at 41 days PostgreSQL's live count was the quicker.
SHIFT_DAYS = 38
# Longer than any recency in days: stands in for "no such spend" in a minimum.
NEVER_DAYS = 10**7


def summary_date(s: Session, months: int) -> dt.date | None:
    """The date the RFM summary holds for a `months` window, when it is current."""
    built_for = s.scalar(select(summary_state.c.built_for)
                         .where(summary_state.c.name == RFM.name))
    if not built_for:
        return None
    held, _, window = built_for.partition(" ")
    try:
        when = dt.date.fromisoformat(held)
    except ValueError:
        return None
    if window != f"{months}m" or not summaries.is_current(s, RFM, when, months):
        return None
    return when


def _ranges(a: dt.date, b: dt.date, a_start: dt.date, b_start: dt.date
            ) -> list[tuple[dt.date, dt.date]]:
    """The (after, up to] day ranges in window (a_start, a] and not in (b_start, b], for
    windows of the same length in months (so a < b ⇔ a_start ≤ b_start)."""
    if a <= b:  # a's window starts earlier: its part before b's window
        return [(a_start, min(b_start, a))] if a_start < b_start else []
    return [(max(b, a_start), a)]  # a's window ends later: its part after b's


def _minimum(x: ColumnElement, y: ColumnElement) -> ColumnElement:
    return case((x <= y, x), else_=y)


def _key(r: ColumnElement, f: ColumnElement, m: ColumnElement,
         totals: tuple[ColumnElement, ...]) -> ColumnElement[int]:
    """4·R up + 2·F up + M up against the means, as rfm.flags compares: x·n against Σx."""
    n, sum_r, sum_f, sum_m = totals
    return (case((r * n <= sum_r, 4), else_=0) + case((f * n >= sum_f, 2), else_=0)
            + case((m * n >= sum_m, 1), else_=0))


def shifted_counts(s: Session, held: dt.date, as_of: dt.date, months: int
                   ) -> dict[str, int] | None:
    """Customers per RFM class key on `as_of` (mean thresholds) from the summary holding
    `held`, or None when it cannot answer (see the module's docstring).

    Only the changed customers are worked out one by one: those with a spend in one window
    only, or whose last spend lies after as_of (a few thousand a week apart, against every
    customer); the others are the summary's rows with R moved by the days between."""
    gap = (held - as_of).days
    if gap == 0 or abs(gap) > SHIFT_DAYS:
        return None
    start_e, start_t = months_before(as_of, months), months_before(held, months)
    delta_parts = []
    for sign, ranges in ((1, _ranges(as_of, held, start_e, start_t)),
                         (-1, _ranges(held, as_of, start_t, start_e))):
        for after, upto in ranges:
            rows = spend_rows(after, upto).subquery()
            delta_parts.append(select(rows.c.customer_id, rows.c.day,
                                      literal(sign).label("sign"),
                                      rfm_mod.cents(rows.c.amount).label("cents")))
    if not delta_parts:
        return None
    spends = union_all(*delta_parts).subquery("delta_spends")
    delta = (
        select(spends.c.customer_id,
               func.sum(spends.c.sign).label("dn"),
               func.sum(spends.c.sign * spends.c.cents).label("dm"),
               func.max(case((spends.c.sign == 1, spends.c.day))).label("added_last"))
        .group_by(spends.c.customer_id)
        .cte("rfm_delta")
    )
    base = summaries.rfm_values(held, months)
    # Changed: a spend in one window only, or the last spend after as_of (then looked up).
    changed_ids = union(
        select(delta.c.customer_id),
        select(base.c.customer_id).where(base.c.r < gap),
    ).subquery("changed_ids")
    old = aliased(base, name="old")

    def last_spend(table) -> Select:
        date = table.c.visit_date if table is service_visit else table.c.purchase_date
        return (select(func.max(date).label("last"))
                .where(table.c.customer_id == changed_ids.c.customer_id, table.c.amount > 0,
                       date > day(start_e), date <= day(as_of))
                .correlate(changed_ids))

    # The last spend on or before as_of in its window, for a customer whose last spend in the
    # summary lies after as_of: one look-up in each (customer, date, amount) index.
    both = union_all(last_spend(service_visit), last_spend(other_purchase)).subquery("last")
    last_before = select(func.max(both.c.last)).scalar_subquery()
    added_r = func.coalesce(days_between(day(as_of), delta.c.added_last), NEVER_DAYS)
    changed = (
        select(
            changed_ids.c.customer_id,
            old.c.r.label("old_r"), old.c.f.label("old_f"), old.c.m.label("old_m"),
            case((old.c.r < gap, days_between(day(as_of), last_before)),
                 (old.c.r.is_not(None), _minimum(old.c.r - gap, added_r)),
                 else_=added_r).label("r"),
            (func.coalesce(old.c.f, 0) + func.coalesce(delta.c.dn, 0)).label("f"),
            cast(func.coalesce(old.c.m, 0) + func.coalesce(delta.c.dm, 0),
                 BigInteger).label("m"),
        )
        .select_from(changed_ids
                     .outerjoin(old, old.c.customer_id == changed_ids.c.customer_id)
                     .outerjoin(delta, delta.c.customer_id == changed_ids.c.customer_id))
        .cte("rfm_changed")
    )
    c = changed.c
    is_old, is_new = c.old_f.is_not(None), c.f > 0

    def total(cond, col) -> ColumnElement:
        return func.coalesce(func.sum(case((cond, col), else_=0)), 0)

    # One statement, so the changed customers are worked out once and every part reads the
    # same data: the totals on as_of from the summary's and the changed customers' (every
    # summary row's R moves by the gap; the changed ones' old rows go out whole, their new
    # ones come in), then the classes against them. (Fetching the changed rows to count them
    # here instead cost more than the statement: 0.4 s for 42,000 customers.)
    whole = select(func.count().label("n"), func.sum(base.c.r).label("r"),
                   func.sum(base.c.f).label("f"), func.sum(base.c.m).label("m")).subquery()
    part = select(*(total(is_old, col).label(f"old_{i}")
                    for i, col in enumerate((literal(1), c.old_r, c.old_f, c.old_m))),
                  *(total(is_new, col).label(f"new_{i}")
                    for i, col in enumerate((literal(1), c.r, c.f, c.m)))).subquery()
    p = part.c
    totals = select(
        whole.c.n.label("stored"),
        (whole.c.n - p.old_0 + p.new_0).label("n"),
        (whole.c.r - gap * whole.c.n - (p.old_1 - gap * p.old_0) + p.new_1).label("sum_r"),
        (whole.c.f - p.old_2 + p.new_2).label("sum_f"),
        (whole.c.m - p.old_3 + p.new_3).label("sum_m"),
    ).select_from(whole.join(part, true())).cte("rfm_totals")
    t = totals.c
    means = (t.n, t.sum_r, t.sum_f, t.sum_m)
    keyed = union_all(
        select(_key(base.c.r - gap, base.c.f, base.c.m, means).label("k"),
               literal(1).label("sign")).select_from(base.join(totals, true())),
        select(_key(c.old_r - gap, c.old_f, c.old_m, means), literal(-1))
        .select_from(changed.join(totals, true())).where(is_old),
        select(_key(c.r, c.f, c.m, means), literal(1))
        .select_from(changed.join(totals, true())).where(is_new),
    ).subquery("keyed")
    # The summary's rows as read, against the count its state recorded when it was built:
    # a rebuild for another date between the currency check and this statement shows here.
    state_rows = (select(summary_state.c.rows)
                  .where(summary_state.c.name == RFM.name,
                         summary_state.c.built_for == f"{held.isoformat()} {months}m")
                  .scalar_subquery())
    rows = s.execute(
        select(keyed.c.k, func.sum(keyed.c.sign), t.stored, t.n, state_rows)
        .select_from(keyed.join(totals, true()))
        .group_by(keyed.c.k, t.stored, t.n)
    ).all()
    if not rows:  # nobody with a spend in either window
        return {key: 0 for key, *_ in rfm_mod.CLASSES}
    _k, _v, stored, n, recorded = rows[0]
    if recorded is None or int(stored) != int(recorded):
        return None
    got = {int(k): int(v) for k, v, *_ in rows}
    if sum(got.values()) != int(n) or any(v < 0 for v in got.values()):
        return None  # cannot happen on one statement's data; never a wrong count
    return {key: got.get(4 * r_up + 2 * f_up + m_up, 0)
            for key, _zh, _en, r_up, f_up, m_up in rfm_mod.CLASSES}
