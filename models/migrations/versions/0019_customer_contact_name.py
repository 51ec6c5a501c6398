"""A customer can name the person to ask for: customer.contact_name (联系人), empty for every
customer stored before. A company's car is owned by the company, yet a call, a letter or a
message goes to its 联系人 (王经理). profile_change accepts "contact_name", so a new contact
enters the history as a new mobile does.

On SQLite the CHECK on profile_change.attribute is rewritten in place, the procedure SQLite
documents for changing CHECK constraints (ALTER TABLE, "making other kinds of table schema
changes"): allowed because every stored row meets the new CHECK. Copying the table instead took
16.7 s for the 200,000-customer demo's 1.6 million history rows.

Going down drops the column, and with it every contact person recorded, and deletes their
history rows first, so that every row left meets the narrower CHECK.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PROFILE_ATTRIBUTES = (
    "marital_status", "household", "occupation", "employment", "car_payer", "economic_band",
    "driving_experience", "temperament", "lifecycle_stage",
)
RECORDED_BEFORE = (
    "name", "gender", "birthday", "mobile", "other_phones", "province", "city", "district",
    "street", "postcode", "wechat_id", "employer", "source", "note", "vehicle", "vin", "plate",
    "brand", "model", "purchase_date", "price_paid", "payment_method", "loan_end",
    "insurance_expiry", "warranty_end", "inspection_due",
)
RECORDED_AFTER = ("name", "contact_name", *RECORDED_BEFORE[1:])
CHECK = "ck_profile_change_attribute_code"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_rewrite_check(table: str, old: str, new: str) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if sql is None or sql.count(old) != 1:
        raise RuntimeError(f"the CHECK on {table}.attribute is not the expected one")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(old, new), table))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _attribute_check(before: tuple[str, ...], after: tuple[str, ...]) -> None:
    old, new = (_in("attribute", (*PROFILE_ATTRIBUTES, *r)) for r in (before, after))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rewrite_check("profile_change", old, new)
    else:
        op.execute(f"ALTER TABLE profile_change DROP CONSTRAINT {CHECK}")
        op.execute(f"ALTER TABLE profile_change ADD CONSTRAINT {CHECK} CHECK ({new})")


def upgrade() -> None:
    # Added and dropped in place (never a rebuild of customer, which every table refers to):
    # a nullable column without a default on both databases.
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=64), nullable=True))
    _attribute_check(RECORDED_BEFORE, RECORDED_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM profile_change WHERE attribute = 'contact_name'")
    _attribute_check(RECORDED_AFTER, RECORDED_BEFORE)
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("contact_name")
