"""Service reminders: maintenance intervals per brand or model, and declined repair items
(建议维修项目) followed up until done or refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.activity import ServiceVisit
from models.base import Base, one_of, utcnow
from models.codes import DECLINED_SOURCES, DECLINED_STATUSES

# Each car's last maintenance visit, read from the index alone: the maintenance-due template
# takes 1.9 s instead of 3.8 s on 300,000 cars and 2,000,000 visits (SQLite 3.40), where the
# plain vehicle index made it read every visit row of every car. Declared here, beside the
# reminders that need it, on the service_visit table.
Index("ix_service_visit_vehicle_maintenance", ServiceVisit.vehicle_id, ServiceVisit.visit_type,
      ServiceVisit.visit_date, ServiceVisit.id)


class ServiceInterval(Base):
    """Maintenance every `every_km` km or `every_months` months, whichever comes first; the
    first free service (首保) after `first_km` / `first_months` from the purchase. Brand ''
    is every car without a row of its own; model '' is the whole brand. Without any row the
    defaults in services/customers/reminders.py apply."""

    __tablename__ = "service_interval"
    __table_args__ = (
        UniqueConstraint("brand", "model", name="uq_service_interval_brand_model"),
        CheckConstraint("model = '' OR brand <> ''", name="model_needs_brand"),
        CheckConstraint("first_km > 0 AND first_months > 0 AND every_km > 0 "
                        "AND every_months > 0", name="intervals_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(40), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    first_km: Mapped[int]
    first_months: Mapped[int]
    every_km: Mapped[int]
    every_months: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class DeclinedItem(Base):
    """Work an advisor recommended and the owner did not have done, with its due date. Open on
    a day when recorded by then and not closed by then (`closed_on`), so segments give the same
    answer for a past evaluation date."""

    __tablename__ = "declined_item"
    __table_args__ = (
        one_of("status", DECLINED_STATUSES),
        one_of("source", DECLINED_SOURCES),
        CheckConstraint("(status = 'open' AND closed_on IS NULL) OR "
                        "(status <> 'open' AND closed_on IS NOT NULL)", name="closed_when_closed"),
        CheckConstraint("closed_on IS NULL OR closed_on >= recorded_on",
                        name="closed_after_recorded"),
        Index("ix_declined_item_customer_recorded", "customer_id", "recorded_on"),
        Index("ix_declined_item_status_due", "status", "due_on"),
        Index("ix_declined_item_vehicle_id", "vehicle_id"),
        Index("ix_declined_item_visit_id", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id", ondelete="SET NULL"))
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_visit.id", ondelete="SET NULL"))
    item: Mapped[str] = mapped_column(String(200))
    recorded_on: Mapped[dt.date]
    source: Mapped[str] = mapped_column(String(8), default="call")
    due_on: Mapped[dt.date | None]
    status: Mapped[str] = mapped_column(String(8), default="open")
    closed_on: Mapped[dt.date | None]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
