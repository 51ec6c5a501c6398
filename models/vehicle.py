"""Vehicles and their odometer readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, one_of, utcnow
from models.codes import PAYMENT_METHODS, READING_SOURCES

if TYPE_CHECKING:
    from models.customer import Customer


class Vehicle(Base):
    """A car a customer owns or owned; the price is what they paid then, not today's."""

    __tablename__ = "vehicle"
    __table_args__ = (
        one_of("payment_method", PAYMENT_METHODS),
        CheckConstraint("price_paid IS NULL OR price_paid >= 0", name="price_not_negative"),
        # Covering index for "vehicles of a customer by age" (replacement matrix).
        Index("ix_vehicle_customer_purchase", "customer_id", "purchase_date"),
        Index("ix_vehicle_purchase_date", "purchase_date"),
        Index("ix_vehicle_plate", "plate"),
        Index("ix_vehicle_insurance_expiry", "insurance_expiry"),
        Index("ix_vehicle_warranty_end", "warranty_end"),
        Index("ix_vehicle_loan_end", "loan_end"),
        Index("ix_vehicle_inspection_due", "inspection_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    brand: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(60))
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    plate: Mapped[str | None] = mapped_column(String(12))
    purchase_date: Mapped[dt.date | None]
    price_paid: Mapped[Decimal | None]
    payment_method: Mapped[str | None] = mapped_column(String(8))
    loan_end: Mapped[dt.date | None]
    insurance_expiry: Mapped[dt.date | None]
    warranty_end: Mapped[dt.date | None]
    inspection_due: Mapped[dt.date | None]
    # False once the customer has sold or scrapped the car; it stays for history.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="vehicles")
    readings: Mapped[list[MileageReading]] = relationship(
        back_populates="vehicle", order_by="MileageReading.reading_date"
    )


class MileageReading(Base):
    """An odometer reading; today's km is estimated from the last readings
    (services/segments/mileage.py)."""

    __tablename__ = "mileage_reading"
    __table_args__ = (
        one_of("source", READING_SOURCES),
        CheckConstraint("km >= 0", name="km_not_negative"),
        Index("ix_mileage_reading_vehicle_date", "vehicle_id", "reading_date", "km"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    reading_date: Mapped[dt.date]
    km: Mapped[int]
    source: Mapped[str] = mapped_column(String(8), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    vehicle: Mapped[Vehicle] = relationship(back_populates="readings")
