"""Stored answers that are slow to compute live at dealer-group scale, and the stamps that say
whether they are still current. Nothing here is ever the only copy of anything: every row is
rebuilt from the tables it summarises (services/segments/summaries.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

# data_stamp names. Database triggers (migration 0006) raise them, whoever writes the rows:
# "spend" on every delete, or change of customer, date or amount, in service_visit and
# other_purchase; "mileage" on every delete, or change of vehicle, date or km, in
# mileage_reading and on a change of a vehicle's purchase date. On PostgreSQL (one trigger call
# per statement) inserts raise them too; on SQLite, where a row trigger would cost every
# inserted row a statement journal (+50 % on a 200,000-customer demo load), an insert is seen
# as a change of the table's row count (summary_state.seen_rows). Alembic batch operations on
# SQLite re-create a table without its triggers: a migration that rebuilds one of those tables
# must create them again (tests/services/test_summaries.py notices if it does not).
SPEND_STAMP = "spend"
MILEAGE_STAMP = "mileage"

# Kept by the database and the services themselves, never the dealer's data: left out of row
# counts and of "nothing was changed" checks.
DERIVED_TABLES = frozenset({"data_stamp", "summary_state", "rfm_summary", "km_summary"})


class DataStamp(Base):
    """A counter per kind of data, raised by triggers on every change to it."""

    __tablename__ = "data_stamp"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class SummaryState(Base):
    """What one summary table holds: what it was built for (evaluation date and parameters, as
    text) and its stamp (and row count) at that moment. Current only while all still match."""

    __tablename__ = "summary_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    built_for: Mapped[str] = mapped_column(String(40))
    stamp: Mapped[int] = mapped_column(BigInteger)
    # SQLite: the summarised tables' total row count at build time (0 on PostgreSQL).
    seen_rows: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int]
    built_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RfmSummary(Base):
    """Per customer with a spend in the window: R (days since the last spend), F (spends) and M
    (amount in cents), as the live query computes them. No foreign key: a deleted customer's
    spends go with them, which raises the stamp, so the row is never read again."""

    __tablename__ = "rfm_summary"

    customer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    recency_days: Mapped[int]
    spends: Mapped[int]
    cents: Mapped[int] = mapped_column(BigInteger)


class KmSummary(Base):
    """Per vehicle: the estimated km on the evaluation date (NULL without a reading)."""

    __tablename__ = "km_summary"

    vehicle_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    estimated_km: Mapped[float | None] = mapped_column(Float)
