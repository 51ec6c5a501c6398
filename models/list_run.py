"""List runs (名单): who was picked from a segment, on which channel, for which caller, and who was
excluded and why. A run is kept so it can be re-printed identically and compared with the last."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.codes import CHANNELS, PURPOSES


class ListRun(Base):
    __tablename__ = "list_run"
    __table_args__ = (
        one_of("purpose", PURPOSES),
        Index("ix_list_run_segment_created", "segment_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_segment.id", ondelete="SET NULL")
    )
    segment_name: Mapped[str] = mapped_column(String(100))
    # The filter as it was when the run was made.
    filter_json: Mapped[str] = mapped_column(Text)
    as_of: Mapped[dt.date]
    purpose: Mapped[str] = mapped_column(String(10))
    channel_mode: Mapped[str] = mapped_column(String(8), default="auto")
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    # The contact fatigue days it was built with (its settings say the same), kept where a
    # caller's queue reads them in its own query: a customer reached within them before the
    # run's date is not called from it. 0: built without fatigue.
    contact_fatigue_days: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    previous_run_id: Mapped[int | None] = mapped_column(ForeignKey("list_run.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # Set once every file of the run is complete; an unfinished run (its process was killed
    # while writing) puts nobody in a follow-up queue until a re-print finishes it.
    finished_at: Mapped[dt.datetime | None]
    # Set when a supervisor (or whoever made it) withdraws the run, a list made by mistake: its
    # calls leave the callers' queues, what was already called stays recorded, and the run
    # stays on record to be re-printed or put back (who did it: the audit trail).
    withdrawn_at: Mapped[dt.datetime | None]


class ListRunMember(Base):
    __tablename__ = "list_run_member"
    __table_args__ = (
        one_of("channel", CHANNELS),
        UniqueConstraint("run_id", "customer_id", name="uq_list_run_member_run_customer"),
        UniqueConstraint("run_id", "row_code", name="uq_list_run_member_run_row_code"),
        Index("ix_list_run_member_customer_id", "customer_id"),
        Index("ix_list_run_member_staff", "run_id", "assigned_staff_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("list_run.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(8))
    assigned_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    position: Mapped[int] = mapped_column(default=0)
    # Short id printed on the sheet so outcomes can be typed back fast.
    row_code: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="open")
    # What was printed for this member (JSON), so the run re-prints identically later.
    snapshot: Mapped[str | None] = mapped_column(Text)


class ListRunExclusion(Base):
    __tablename__ = "list_run_exclusion"
    __table_args__ = (Index("ix_list_run_exclusion_run_customer", "run_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("list_run.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(200))
    # Name and phone as they were when the run was made (JSON), for identical re-prints.
    snapshot: Mapped[str | None] = mapped_column(Text)
