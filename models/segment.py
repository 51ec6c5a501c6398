"""Saved segments: a named filter stored as data (JSON), re-evaluated each time it runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class SavedSegment(Base):
    __tablename__ = "saved_segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    # The filter tree as JSON text (docs/segments.md); never SQL.
    filter_json: Mapped[str] = mapped_column(Text)
    schema_version: Mapped[int] = mapped_column(default=1)
    purpose: Mapped[str | None] = mapped_column(String(10))
    template: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Raised by one on every save; a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
