"""Referral segment values as SQL against an evaluation date: how many people a customer
introduced (in a window), how many of them bought a car or came for service on or after the day
they were introduced, and how the customer themselves was introduced."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, func, select
from sqlalchemy.sql.elements import ColumnElement

from models import Referral, ReferralByCustomer, ServiceVisit, Vehicle
from services.segments.context import C, Ctx
from services.segments.derived import months_before
from services.segments.sqlx import day

OUTCOMES = ("bought", "came")


def _came_to(outcome: str, as_of: dt.date) -> ColumnElement[bool]:
    """The introduced customer bought a car / came for service from the referral day on."""
    if outcome == "bought":
        return exists().where(Vehicle.customer_id == Referral.customer_id,
                              Vehicle.purchase_date >= Referral.referred_on,
                              Vehicle.purchase_date <= day(as_of))
    return exists().where(ServiceVisit.customer_id == Referral.customer_id,
                          ServiceVisit.visit_date >= Referral.referred_on,
                          ServiceVisit.visit_date <= day(as_of))


def introduced(ctx: Ctx, months: int | None = None,
               outcome: str | None = None) -> ColumnElement[int]:
    """People the customer introduced on or before the evaluation date (in the last `months`
    months when given), each counted once; with `outcome`, only those who bought / came since.
    Counted for every referrer in one grouped subquery joined once: a count per customer was
    fast only while PostgreSQL had statistics for the referral tables (91 s without)."""
    as_of = ctx.as_of
    key = f"referrals_{months or 'all'}_{outcome or 'any'}"

    def make():
        by = ReferralByCustomer.customer_id
        conds = [Referral.referred_on <= day(as_of),
                 # Two customers since merged into one: no referral.
                 Referral.customer_id != by]
        if months is not None:
            conds.append(Referral.referred_on > day(months_before(as_of, months)))
        if outcome is not None:
            conds.append(_came_to(outcome, as_of))
        agg = (
            select(by.label("customer_id"),
                   func.count(Referral.customer_id.distinct()).label("n"))
            .select_from(ReferralByCustomer)
            .join(Referral, Referral.id == ReferralByCustomer.referral_id)
            .where(*conds)
            .group_by(by)
            .subquery(key)
        )
        return agg, agg.c.customer_id == ctx.customer_key
    return func.coalesce(ctx.join(key, make).c.n, 0)


def referred_by(as_of: dt.date) -> ColumnElement[str]:
    """How the customer was introduced (customer / staff / org): their first referral, the one
    that brought them, on or before `as_of`; NULL when nobody introduced them."""
    self_made = exists().where(ReferralByCustomer.referral_id == Referral.id,
                               ReferralByCustomer.customer_id == Referral.customer_id)
    return (
        select(Referral.referrer_kind)
        .where(Referral.customer_id == C.c.id, Referral.referred_on <= day(as_of), ~self_made)
        .order_by(Referral.referred_on, Referral.id)
        .limit(1)
        .scalar_subquery()
    )
