"""Tables read (and a few written) without the ORM, as plain SQLAlchemy Core: the same names,
columns and types as the models' (tests/test_core_tables.py compares them). The ORM with the
models costs 0.15 s to import, where the replacement matrix's query takes 0.2 s on 200,000
customers and the window's start to its customer list 0.45 s in all: the matrix and the
summaries, signing in and the customer list read these.

Two table objects of one name never meet in a statement: SQLAlchemy tells tables apart by
object, so a subquery on this `vehicle` inside a statement on the ORM's `vehicle` would not
correlate with it but add a second vehicle to its FROM (wrong counts, no error). The matrix,
the km summary, the sign-in and the customer search read these tables alone; the mileage
estimate reads its readings here and correlates with the vehicle rows its caller names
(Ctx.vehicle: the ORM's in segment filters and list queries). The test checks both.

Constraints, indexes and defaults stay with the models and their migrations; whoever writes
through these tables gives every value (the summaries, a sign-in's audit entry)."""

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

from models.columns import (
    NAME_INITIALS_LENGTH,
    NAME_PINYIN_LENGTH,
    NAME_SORT_LENGTH,
    ascii_key,
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
    Column("work_order", Text),
    Column("next_service_date", Date),
    Column("next_service_km", Integer),
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
    _money("refunded", False),
    Column("awaiting_purchase", Boolean),
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


# --- signing in and the customer list (models/customer.py, activity.py, audit.py) ------------

staff_user = Table(
    "staff_user", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("display_name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("password_hash", String(255)),
    Column("password_changed_at", DateTime),
    Column("password_reset_at", DateTime),
)

customer = Table(
    "customer", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(20), nullable=False),
    Column("dms_code", String(40)),
    Column("name", String(64), nullable=False),
    Column("contact_name", String(64)),
    Column("name_pinyin", ascii_key(NAME_PINYIN_LENGTH), nullable=False),
    Column("name_initials", ascii_key(NAME_INITIALS_LENGTH), nullable=False),
    Column("name_sort", ascii_key(NAME_SORT_LENGTH), nullable=False),
    Column("gender", String(1)),
    Column("birthday", Date),
    Column("birthday_md", String(4)),
    Column("mobile", String(20)),
    Column("other_phones", String(100)),
    Column("province", String(20)),
    Column("city", String(30)),
    Column("district", String(30)),
    Column("street", String(200)),
    Column("postcode", String(6)),
    Column("wechat_id", String(64)),
    Column("employer", String(100)),
    Column("source", String(30)),
    Column("owner_staff_id", Integer),
    Column("lifecycle_stage", String(16)),
    Column("note", Text),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("erased_at", DateTime),
)

contact_event = Table(
    "contact_event", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False),
    Column("vehicle_id", Integer),
    Column("contact_at", DateTime, nullable=False),
    Column("channel", String(8), nullable=False),
    Column("purpose", String(10), nullable=False),
    Column("staff_id", Integer),
    Column("outcome", String(14), nullable=False),
    Column("feedback", Text),
    Column("next_follow_up", Date),
    Column("list_run_id", Integer),
    Column("source_key", String(80)),
    Column("created_at", DateTime, nullable=False),
)

# A list row's code printed on a call sheet (12-0034) leads the search to its customer.
list_run_member = Table(
    "list_run_member", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, nullable=False),
    Column("customer_id", Integer, nullable=False),
    Column("vehicle_id", Integer),
    Column("channel", String(8), nullable=False),
    Column("assigned_staff_id", Integer),
    Column("position", Integer, nullable=False),
    Column("row_code", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("snapshot", Text),
)

# A merged customer's code leads the search to whom they were merged into.
customer_merge = Table(
    "customer_merge", metadata,
    Column("id", Integer, primary_key=True),
    Column("kept_id", Integer, nullable=False),
    Column("merged_id", Integer, nullable=False),
    Column("merged_code", String(20), nullable=False),
    Column("staff_id", Integer),
    Column("merged_at", DateTime, nullable=False),
    Column("evidence", String(100)),
    Column("detail", Text, nullable=False),
    Column("undone_at", DateTime),
    Column("undone_by", Integer),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("staff_id", Integer),
    Column("action", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", Integer),
    Column("detail", Text),
)
