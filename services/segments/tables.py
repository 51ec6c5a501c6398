"""The tables the replacement matrix and the summaries read, as plain SQLAlchemy Core: the same
names, columns and types as the ORM's (tests/services/test_segment_tables.py compares them),
without the ORM, which costs 0.15 s to import with the models, where the matrix's query takes
0.2 s on 200,000 customers.

Two table objects of one name never meet in a statement: SQLAlchemy tells tables apart by
object, so a subquery on this `vehicle` inside a statement on the ORM's `vehicle` would not
correlate with it but add a second vehicle to its FROM (wrong counts, no error). The matrix and
the km summary read these tables alone; the mileage estimate reads its readings here and
correlates with the vehicle rows its caller names (Ctx.vehicle: the ORM's in segment filters and
list queries). The test checks both.

Constraints, indexes and defaults stay with the models and their migrations; the summaries,
the only writes through these tables, give every value."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

metadata = MetaData()

# data_stamp names, as models/summary.py defines them for the triggers (the test compares).
SPEND_STAMP = "spend"
MILEAGE_STAMP = "mileage"


def _money(name: str, nullable: bool) -> Column:
    return Column(name, Numeric(12, 2), nullable=nullable)


vehicle = Table(
    "vehicle", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False),
    Column("brand", String(40), nullable=False),
    Column("model", String(60), nullable=False),
    Column("vin", String(17)),
    Column("plate", String(12)),
    Column("purchase_date", Date),
    _money("price_paid", True),
    Column("payment_method", String(8)),
    Column("loan_end", Date),
    Column("insurance_expiry", Date),
    Column("warranty_end", Date),
    Column("inspection_due", Date),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

mileage_reading = Table(
    "mileage_reading", metadata,
    Column("id", Integer, primary_key=True),
    Column("vehicle_id", Integer, nullable=False),
    Column("reading_date", Date, nullable=False),
    Column("km", Integer, nullable=False),
    Column("source", String(8), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

satisfaction_survey = Table(
    "satisfaction_survey", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False),
    Column("vehicle_id", Integer),
    Column("visit_id", Integer),
    Column("survey_date", Date, nullable=False),
    Column("overall_score", Integer, nullable=False),
    Column("repair_quality", Integer),
    Column("price", Integer),
    Column("speed", Integer),
    Column("attitude", Integer),
    Column("comment", Text),
)

# The spends, whose inserts the RFM summary notices on SQLite by their row count.
service_visit = Table(
    "service_visit", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False),
    Column("vehicle_id", Integer),
    Column("visit_date", Date, nullable=False),
    Column("visit_type", String(12), nullable=False),
    _money("amount", False),
    Column("km", Integer),
    Column("note", Text),
)

other_purchase = Table(
    "other_purchase", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False),
    Column("vehicle_id", Integer),
    Column("purchase_date", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    _money("amount", False),
    Column("description", String(200)),
)

# --- the summaries (models/summary.py) --------------------------------------------------------

data_stamp = Table(
    "data_stamp", metadata,
    Column("name", String(20), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

summary_state = Table(
    "summary_state", metadata,
    Column("name", String(20), primary_key=True),
    Column("built_for", String(40), nullable=False),
    Column("stamp", BigInteger, nullable=False),
    Column("seen_rows", BigInteger, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("built_at", DateTime, nullable=False),
)

rfm_summary = Table(
    "rfm_summary", metadata,
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    Column("recency_days", Integer, nullable=False),
    Column("spends", Integer, nullable=False),
    Column("cents", BigInteger, nullable=False),
)

km_summary = Table(
    "km_summary", metadata,
    Column("vehicle_id", Integer, primary_key=True, autoincrement=False),
    Column("estimated_km", Float),
)
