"""How and when a customer wants to be reached, what they refused, and their consent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.codes import (
    CHANGE_SOURCES,
    CHANNELS,
    CONSENT_KINDS,
    DAY_PREFERENCES,
    DNC_PURPOSES,
)


class ContactPreference(Base):
    """One row per customer. Lists are comma-separated codes in order of preference,
    e.g. channel_order "phone,sms,mail" and time_windows "morning,evening"."""

    __tablename__ = "contact_preference"
    __table_args__ = (
        one_of("preferred_days", DAY_PREFERENCES),
        CheckConstraint(
            "hour_from IS NULL OR (hour_from >= 0 AND hour_from < 24)", name="hour_from_range"
        ),
        CheckConstraint("hour_to IS NULL OR (hour_to > 0 AND hour_to <= 24)", name="hour_to_range"),
        Index("ix_contact_preference_first_channel", "first_channel"),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    channel_order: Mapped[str] = mapped_column(String(60), default="phone,sms,mail")
    # The first of channel_order, kept by the service so "prefers SMS" is an indexed equality.
    first_channel: Mapped[str | None] = mapped_column(String(8))
    preferred_days: Mapped[str] = mapped_column(String(8), default="any")
    time_windows: Mapped[str | None] = mapped_column(String(60))
    hour_from: Mapped[int | None]
    hour_to: Mapped[int | None]
    language: Mapped[str] = mapped_column(String(8), default="zh")
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Raised by one on every save; a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))


class DoNotContact(Base):
    """A refusal. channel NULL = every channel; purpose NULL = every purpose. Rows are never
    deleted: lifting one sets lifted_on, so the history stays."""

    __tablename__ = "do_not_contact"
    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("purpose", DNC_PURPOSES),
        CheckConstraint("expires_on IS NULL OR expires_on >= set_on", name="expires_after_set"),
        Index("ix_do_not_contact_customer", "customer_id", "channel", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    channel: Mapped[str | None] = mapped_column(String(8))
    purpose: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(30), default="customer")
    set_on: Mapped[dt.date]
    set_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    expires_on: Mapped[dt.date | None]
    lifted_on: Mapped[dt.date | None]
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    lift_reason: Mapped[str | None] = mapped_column(String(200))
    # Raised by one on every save; a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConsentEvent(Base):
    """Marketing consent given or withdrawn (PIPL); the latest event on or before a date is the
    consent in force then."""

    __tablename__ = "consent_event"
    __table_args__ = (
        one_of("kind", CONSENT_KINDS),
        one_of("source", CHANGE_SOURCES + ("sms_unsubscribe", "form")),
        Index("ix_consent_event_lookup", "customer_id", "kind", "event_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default="marketing")
    granted: Mapped[bool]
    event_date: Mapped[dt.date]
    source: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
