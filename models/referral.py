"""Referrals (老带新): who introduced which customer, and when.

The introduced customer is `referral.customer_id`. A referrer who is a customer is kept in a
row of its own (`referral_by_customer`), so each table has one customer column: a customer
merge moves every table's rows by that one column, whichever side of a referral the merged
customer was on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.codes import REFERRER_KINDS


class Referral(Base):
    """One introduction. Whether it came to anything is not stored: the introduced customer's
    cars bought and service visits on or after `referred_on` say it (services/customers/
    referrals.py), so nobody has to keep a flag up to date."""

    __tablename__ = "referral"
    __table_args__ = (
        one_of("referrer_kind", REFERRER_KINDS),
        CheckConstraint("referrer_kind <> 'staff' OR referrer_staff_id IS NOT NULL",
                        name="staff_named"),
        CheckConstraint("referrer_kind <> 'org' OR referrer_org IS NOT NULL", name="org_named"),
        Index("ix_referral_customer_date", "customer_id", "referred_on"),
        Index("ix_referral_referrer_staff_id", "referrer_staff_id"),
        Index("ix_referral_referrer_org", "referrer_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    referred_on: Mapped[dt.date]
    referrer_kind: Mapped[str] = mapped_column(String(8))
    referrer_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    referrer_org: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReferralByCustomer(Base):
    """The customer who made a referral of kind "customer"."""

    __tablename__ = "referral_by_customer"
    __table_args__ = (Index("ix_referral_by_customer_customer", "customer_id", "referral_id"),)

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
