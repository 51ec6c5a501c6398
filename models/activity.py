"""What happens between the dealer and a customer: visits, purchases, surveys, complaints,
contacts and stated purchase intent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.codes import (
    CHANNELS,
    INTENT_STRENGTHS,
    INTENT_WINDOWS,
    OUTCOMES,
    PURCHASE_KINDS,
    PURPOSES,
    VISIT_TYPES,
)

CUSTOMER_FK = "customer.id"
VEHICLE_FK = "vehicle.id"


class ServiceVisit(Base):
    __tablename__ = "service_visit"
    __table_args__ = (
        one_of("visit_type", VISIT_TYPES),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("km IS NULL OR km >= 0", name="km_not_negative"),
        # Covering indexes (each replaces the plain foreign-key index; measured on SQLite 3.40 at
        # 2,000,000 visits): per customer for last visit / spend, by date for the
        # spends of an RFM window (read in one range instead of the whole history).
        Index("ix_service_visit_customer_date_amount", "customer_id", "visit_date", "amount"),
        Index("ix_service_visit_date_customer_amount", "visit_date", "customer_id", "amount"),
        Index("ix_service_visit_vehicle_id", "vehicle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMER_FK, ondelete="CASCADE"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey(VEHICLE_FK, ondelete="SET NULL"))
    visit_date: Mapped[dt.date]
    visit_type: Mapped[str] = mapped_column(String(12))
    amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    km: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    # The DMS's work order (工单号): what tells two visits of one car on one day apart when
    # their type is the same. NULL when the file had none.
    work_order: Mapped[str | None] = mapped_column(Text)
    # What the DMS told the owner at this visit (下次保养日期, 下次保养里程): after a maintenance
    # visit, the car falls due then rather than at its model's interval. NULL when not said.
    next_service_date: Mapped[dt.date | None]
    next_service_km: Mapped[int | None]


class OtherPurchase(Base):
    """Insurance, accessories (精品), extended warranty bought from the dealer, and the money it
    gave back. A refund (退货, 退保) is a row of its own with a negative amount, as the DMS
    writes it; the purchase it returns keeps in `amount` what the customer paid and kept, and
    in `refunded` what was given back. So every reader of spends (amount > 0) counts a
    returned purchase as the money kept, and one returned whole as no spend."""

    __tablename__ = "other_purchase"
    __table_args__ = (
        one_of("kind", PURCHASE_KINDS),
        # Only a refund is negative, and a refund is itself never refunded.
        CheckConstraint("amount >= 0 OR refunded = 0", name="refund_only_negative"),
        CheckConstraint("refunded >= 0", name="refunded_not_negative"),
        Index("ix_other_purchase_customer_date_amount", "customer_id", "purchase_date", "amount"),
        Index("ix_other_purchase_date_customer_amount", "purchase_date", "customer_id", "amount"),
        Index("ix_other_purchase_vehicle_id", "vehicle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMER_FK, ondelete="CASCADE"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey(VEHICLE_FK, ondelete="SET NULL"))
    purchase_date: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    description: Mapped[str | None] = mapped_column(String(200))
    refunded: Mapped[Decimal] = mapped_column(default=Decimal("0"), server_default=text("0"))
    # True on a refund stored without the purchase it returns (imported before it, from
    # another file): that purchase is netted when an import brings it. NULL otherwise.
    awaiting_purchase: Mapped[bool | None]


SCORE_COLUMNS = ("overall_score", "repair_quality", "price", "speed", "attitude")


class SatisfactionSurvey(Base):
    """Scores 0–10: overall and per dimension (repair quality, price, speed, attitude)."""

    __tablename__ = "satisfaction_survey"
    __table_args__ = (
        *(
            CheckConstraint(f"{c} IS NULL OR ({c} >= 0 AND {c} <= 10)", name=f"{c}_0_10")
            for c in SCORE_COLUMNS
        ),
        # Covering index for "latest survey on or before D". Keep id in it: without id the
        # lookup becomes a sort (0.46 s at 400,000 surveys on SQLite 3.40).
        Index("ix_satisfaction_survey_latest", "customer_id", "survey_date", "id", "overall_score"),
        Index("ix_satisfaction_survey_vehicle_id", "vehicle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMER_FK, ondelete="CASCADE"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey(VEHICLE_FK, ondelete="SET NULL"))
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_visit.id", ondelete="SET NULL")
    )
    survey_date: Mapped[dt.date]
    overall_score: Mapped[int]
    repair_quality: Mapped[int | None]
    price: Mapped[int | None]
    speed: Mapped[int | None]
    attitude: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)


class Complaint(Base):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(
            "resolved_date IS NULL OR resolved_date >= opened_date", name="resolved_after_opened"
        ),
        Index("ix_complaint_customer_resolved", "customer_id", "resolved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMER_FK, ondelete="CASCADE"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey(VEHICLE_FK, ondelete="SET NULL"))
    opened_date: Mapped[dt.date]
    topic: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(default=False)
    resolved_date: Mapped[dt.date | None]
    resolution: Mapped[str | None] = mapped_column(Text)


class ContactEvent(Base):
    """One contact attempt or conversation, with what was said and the next follow-up."""

    __tablename__ = "contact_event"
    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("purpose", PURPOSES),
        one_of("outcome", OUTCOMES),
        Index("ix_contact_event_customer_at", "customer_id", "contact_at"),
        # Both covering (migration 0016): the reports' questions read a period's contacts
        # and the follow-ups still waiting from the index alone.
        Index("ix_contact_event_at", "contact_at", "staff_id", "channel", "outcome",
              "customer_id"),
        Index("ix_contact_event_follow_up", "next_follow_up", "customer_id", "contact_at",
              "staff_id"),
        Index("ix_contact_event_staff_at", "staff_id", "contact_at"),
        # A caller's follow-ups due by a day (migration 0024).
        Index("ix_contact_event_staff_follow_up", "staff_id", "next_follow_up"),
        Index("ix_contact_event_list_run_id", "list_run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMER_FK, ondelete="CASCADE"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey(VEHICLE_FK, ondelete="SET NULL"))
    contact_at: Mapped[dt.datetime]
    channel: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    outcome: Mapped[str] = mapped_column(String(14))
    feedback: Mapped[str | None] = mapped_column(Text)
    next_follow_up: Mapped[dt.date | None]
    list_run_id: Mapped[int | None] = mapped_column(ForeignKey("list_run.id", ondelete="SET NULL"))
    # A stable key for events read from files, so reading the same file twice adds nothing.
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PurchaseIntent(Base):
    """A stated intent to buy (强/中/弱), its expected window, price and models of interest.
    The latest record for a customer is the current one."""

    __tablename__ = "purchase_intent"
    __table_args__ = (
        one_of("strength", INTENT_STRENGTHS),
        one_of("time_window", INTENT_WINDOWS),
        Index("ix_purchase_intent_customer_date", "customer_id", "recorded_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMER_FK, ondelete="CASCADE"))
    recorded_date: Mapped[dt.date]
    strength: Mapped[str] = mapped_column(String(8))
    necessity: Mapped[str | None] = mapped_column(String(200))
    time_window: Mapped[str | None] = mapped_column(String(6))
    expected_price: Mapped[Decimal | None]
    models_of_interest: Mapped[str | None] = mapped_column(String(200))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
