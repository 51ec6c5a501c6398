"""Referrals (who introduced whom), maintenance intervals per brand or model, declined repair
items, and two list purposes for referrals ("ref_thanks", "ref_ask").

An index on service_visit (vehicle, type, date) finds each car's last maintenance visit.

The purposes widen the CHECK on contact_event.purpose and list_run.purpose. On SQLite a batch
re-creation of list_run would drop the old table with foreign keys on, and that DROP deletes
every list member (ON DELETE CASCADE); so there the CHECK text is rewritten in place, the
procedure SQLite documents for changing CHECK constraints (ALTER TABLE, "making other kinds of
table schema changes"): allowed because every stored row meets the wider CHECK.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_PURPOSES = ("care", "callback", "sales", "reminder", "survey", "recall", "marketing")
NEW_PURPOSES = OLD_PURPOSES + ("ref_thanks", "ref_ask")
# What the new purposes become when going back to a revision that does not know them.
DOWNGRADED = {"ref_thanks": "care", "ref_ask": "marketing"}
PURPOSE_TABLES = ("contact_event", "list_run")


def _check(values: tuple[str, ...]) -> str:
    return "purpose IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _sqlite_rewrite_check(table: str, old: str, new: str) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if sql is None or sql.count(old) != 1:
        raise RuntimeError(f"the CHECK on {table}.purpose is not the expected one")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(old, new), table))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _purposes(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    for table in PURPOSE_TABLES:
        if op.get_bind().dialect.name == "sqlite":
            _sqlite_rewrite_check(table, _check(old), _check(new))
        else:
            name = f"ck_{table}_purpose_code"
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({_check(new)})")


def upgrade() -> None:
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("referrer_kind", sa.String(length=8), nullable=False),
        sa.Column("referrer_staff_id", sa.Integer(), nullable=True),
        sa.Column("referrer_org", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("referrer_kind IN ('customer', 'staff', 'org')",
                           name=op.f("ck_referral_referrer_kind_code")),
        sa.CheckConstraint("referrer_kind <> 'staff' OR referrer_staff_id IS NOT NULL",
                           name=op.f("ck_referral_staff_named")),
        sa.CheckConstraint("referrer_kind <> 'org' OR referrer_org IS NOT NULL",
                           name=op.f("ck_referral_org_named")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE",
                                name=op.f("fk_referral_customer_id_customer")),
        sa.ForeignKeyConstraint(["referrer_staff_id"], ["staff_user.id"],
                                name=op.f("fk_referral_referrer_staff_id_staff_user")),
        sa.ForeignKeyConstraint(["recorded_by"], ["staff_user.id"],
                                name=op.f("fk_referral_recorded_by_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    op.create_index("ix_referral_customer_date", "referral", ["customer_id", "referred_on"])
    op.create_index("ix_referral_referrer_staff_id", "referral", ["referrer_staff_id"])
    op.create_index("ix_referral_referrer_org", "referral", ["referrer_org"])
    op.create_table(
        "referral_by_customer",
        sa.Column("referral_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], ondelete="CASCADE",
                                name=op.f("fk_referral_by_customer_referral_id_referral")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE",
                                name=op.f("fk_referral_by_customer_customer_id_customer")),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referral_by_customer")),
    )
    op.create_index("ix_referral_by_customer_customer", "referral_by_customer",
                    ["customer_id", "referral_id"])
    op.create_table(
        "service_interval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("first_km", sa.Integer(), nullable=False),
        sa.Column("first_months", sa.Integer(), nullable=False),
        sa.Column("every_km", sa.Integer(), nullable=False),
        sa.Column("every_months", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("model = '' OR brand <> ''",
                           name=op.f("ck_service_interval_model_needs_brand")),
        sa.CheckConstraint("first_km > 0 AND first_months > 0 AND every_km > 0 "
                           "AND every_months > 0",
                           name=op.f("ck_service_interval_intervals_positive")),
        sa.ForeignKeyConstraint(["updated_by"], ["staff_user.id"],
                                name=op.f("fk_service_interval_updated_by_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_interval")),
        sa.UniqueConstraint("brand", "model", name=op.f("uq_service_interval_brand_model")),
    )
    op.create_table(
        "declined_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'done', 'refused')",
                           name=op.f("ck_declined_item_status_code")),
        sa.CheckConstraint("source IN ('visit', 'call')",
                           name=op.f("ck_declined_item_source_code")),
        sa.CheckConstraint("(status = 'open' AND closed_on IS NULL) OR "
                           "(status <> 'open' AND closed_on IS NOT NULL)",
                           name=op.f("ck_declined_item_closed_when_closed")),
        sa.CheckConstraint("closed_on IS NULL OR closed_on >= recorded_on",
                           name=op.f("ck_declined_item_closed_after_recorded")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE",
                                name=op.f("fk_declined_item_customer_id_customer")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicle.id"], ondelete="SET NULL",
                                name=op.f("fk_declined_item_vehicle_id_vehicle")),
        sa.ForeignKeyConstraint(["visit_id"], ["service_visit.id"], ondelete="SET NULL",
                                name=op.f("fk_declined_item_visit_id_service_visit")),
        sa.ForeignKeyConstraint(["recorded_by"], ["staff_user.id"],
                                name=op.f("fk_declined_item_recorded_by_staff_user")),
        sa.ForeignKeyConstraint(["closed_by"], ["staff_user.id"],
                                name=op.f("fk_declined_item_closed_by_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declined_item")),
    )
    op.create_index("ix_declined_item_customer_recorded", "declined_item",
                    ["customer_id", "recorded_on"])
    op.create_index("ix_declined_item_status_due", "declined_item", ["status", "due_on"])
    op.create_index("ix_declined_item_vehicle_id", "declined_item", ["vehicle_id"])
    op.create_index("ix_declined_item_visit_id", "declined_item", ["visit_id"])
    op.create_index("ix_service_visit_vehicle_maintenance", "service_visit",
                    ["vehicle_id", "visit_type", "visit_date", "id"])
    _purposes(OLD_PURPOSES, NEW_PURPOSES)


def downgrade() -> None:
    for table in PURPOSE_TABLES:
        for new, old in DOWNGRADED.items():
            op.execute(f"UPDATE {table} SET purpose = '{old}' WHERE purpose = '{new}'")
    _purposes(NEW_PURPOSES, OLD_PURPOSES)
    op.drop_index("ix_service_visit_vehicle_maintenance", table_name="service_visit")
    op.drop_table("declined_item")
    op.drop_table("service_interval")
    op.drop_table("referral_by_customer")
    op.drop_table("referral")
