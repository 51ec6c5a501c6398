"""One controlled tag vocabulary: tag groups (industry, channel, interest, 客群…) and their tags."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class TagGroup(Base):
    __tablename__ = "tag_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    # Raised by one on every save; a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))


class Tag(Base):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("group_id", "name", name="uq_tag_group_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("tag_group.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Raised by one on every save; a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))


class CustomerTag(Base):
    __tablename__ = "customer_tag"
    __table_args__ = (Index("ix_customer_tag_tag_customer", "tag_id", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)
    tagged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    tagged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
