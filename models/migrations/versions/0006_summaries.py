"""Spends read by date; stamps that change with every spend and every mileage reading; stored
RFM values and km estimates for the templates (services/segments/summaries.py).

- Covering indexes by date on service_visit and other_purchase, so the spends of an RFM window
  are read as one range instead of every customer's whole history (the plain visit_date index
  is replaced by the covering one).
- data_stamp: counters raised by triggers, whoever writes the rows (the application, an import,
  SQL by hand) — "spend" for service_visit / other_purchase (delete, or a change of customer,
  date or amount), "mileage" for mileage_reading (delete, or a change of vehicle, date or km)
  and for a change of a vehicle's purchase date. On PostgreSQL inserts (and TRUNCATE) raise
  them too, once per statement. SQLite has only row triggers, and any trigger on a table gives
  every INSERT a statement journal (+50 % on a 200,000-customer demo load), so there an insert
  is noticed as a change of the table's row count instead (summary_state.seen_rows). A new
  vehicle has no reading and so no estimate; a deleted one takes its readings along.
- summary_state, rfm_summary, km_summary: the stored answers and what they were built for.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (stamp, table, columns whose change matters, whether deletes (and inserts) matter)
WATCHED = (
    ("spend", "service_visit", "customer_id, visit_date, amount", True),
    ("spend", "other_purchase", "customer_id, purchase_date, amount", True),
    ("mileage", "mileage_reading", "vehicle_id, reading_date, km", True),
    ("mileage", "vehicle", "purchase_date", False),
)

# A stamp row is made by the first change (or the first summary built) and starts at "now" in
# milliseconds; one re-created after a DELETE or TRUNCATE is far above any count reached before,
# so a summary built before the row went missing can never look current again.
SQLITE_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
PG_NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"


def _sqlite_events(columns: str, rows: bool) -> list[tuple[str, str]]:
    """(trigger suffix, event) pairs; no INSERT trigger on SQLite (see above)."""
    events = [("update", f"UPDATE OF {columns}")]
    if rows:
        events.append(("delete", "DELETE"))
    return events


def _sqlite_triggers() -> None:
    for stamp, table, columns, rows in WATCHED:
        bump = (f"INSERT INTO data_stamp (name, value) VALUES ('{stamp}', {SQLITE_NOW_MS}) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1;")
        for suffix, event in _sqlite_events(columns, rows):
            op.execute(f"CREATE TRIGGER trg_{table}_stamp_{suffix} AFTER {event} ON {table} "
                       f"BEGIN {bump} END")


def _pg_triggers() -> None:
    # The stamp's name comes as the trigger's argument.
    op.execute(f"""
        CREATE FUNCTION revisit_bump_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO data_stamp (name, value) VALUES (TG_ARGV[0], {PG_NOW_MS})
            ON CONFLICT (name) DO UPDATE SET value = data_stamp.value + 1;
            RETURN NULL;
        END $$""")
    for stamp, table, columns, rows in WATCHED:
        events = f"UPDATE OF {columns}"
        if rows:
            events = f"INSERT OR DELETE OR TRUNCATE OR {events}"
        # Once per statement: a COPY of 100,000 visits raises the stamp once.
        op.execute(f"CREATE TRIGGER trg_{table}_stamp AFTER {events} ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION revisit_bump_stamp('{stamp}')")


def upgrade() -> None:
    op.drop_index("ix_service_visit_visit_date", table_name="service_visit")
    op.create_index("ix_service_visit_date_customer_amount", "service_visit",
                    ["visit_date", "customer_id", "amount"])
    op.create_index("ix_other_purchase_date_customer_amount", "other_purchase",
                    ["purchase_date", "customer_id", "amount"])

    op.create_table(
        "data_stamp",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_stamp")),
    )
    op.create_table(
        "summary_state",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("built_for", sa.String(length=40), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("seen_rows", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_summary_state")),
    )
    op.create_table(
        "rfm_summary",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=False),
        sa.Column("spends", sa.Integer(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_rfm_summary")),
    )
    op.create_table(
        "km_summary",
        sa.Column("vehicle_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("estimated_km", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("vehicle_id", name=op.f("pk_km_summary")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _pg_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for _stamp, table, _columns, _rows in WATCHED:
            op.execute(f"DROP TRIGGER trg_{table}_stamp ON {table}")
        op.execute("DROP FUNCTION revisit_bump_stamp()")
    else:
        for _stamp, table, columns, rows in WATCHED:
            for suffix, _event in _sqlite_events(columns, rows):
                op.execute(f"DROP TRIGGER trg_{table}_stamp_{suffix}")
    for table in ("km_summary", "rfm_summary", "summary_state", "data_stamp"):
        op.drop_table(table)
    op.drop_index("ix_other_purchase_date_customer_amount", table_name="other_purchase")
    op.drop_index("ix_service_visit_date_customer_amount", table_name="service_visit")
    op.create_index("ix_service_visit_visit_date", "service_visit", ["visit_date"])
