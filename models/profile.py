"""Profile attributes with full history: every change is a row, nothing is overwritten.

The lifecycle stage (陌生 → 超级) is one of these attributes, so its history is kept the
same way; Customer.lifecycle_stage mirrors its current value for fast filtering."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.codes import CHANGE_SOURCES, PROFILE_ATTRIBUTES, RECORDED_FIELDS


class ProfileChange(Base):
    """One change of one attribute: old and new value, when it took effect, when and by whom it
    was recorded, and where it came from."""

    __tablename__ = "profile_change"
    __table_args__ = (
        # Customer and vehicle values (RECORDED_FIELDS) keep their history here too.
        one_of("attribute", (*PROFILE_ATTRIBUTES, *RECORDED_FIELDS)),
        one_of("source", CHANGE_SOURCES),
        # "value of A as of D" = the row with the greatest (effective_date, id) <= D.
        Index("ix_profile_change_lookup", "customer_id", "attribute", "effective_date", "id"),
        Index("ix_profile_change_attr_value", "attribute", "new_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    attribute: Mapped[str] = mapped_column(String(24))
    old_value: Mapped[str | None] = mapped_column(String(100))
    new_value: Mapped[str | None] = mapped_column(String(100))
    effective_date: Mapped[dt.date]
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    source: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
