"""A customer can name the person to ask for: customer.contact_name (联系人), empty for every
customer stored before. A company's car is owned by the company, yet a call, a letter or a
message goes to its 联系人 (王经理). profile_change accepts "contact_name", so a new contact
enters the history as a new mobile does.

Going down drops the column, and with it every contact person recorded, and deletes their
history rows (the CHECK of the revision before does not allow them).

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


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _attribute_check(recorded: tuple[str, ...]) -> None:
    # On SQLite a CHECK is changed by copying the table; no table refers to profile_change, so
    # nothing else goes with the copy.
    with op.batch_alter_table("profile_change", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_profile_change_attribute_code"), type_="check")
        batch_op.create_check_constraint(op.f("ck_profile_change_attribute_code"),
                                         _in("attribute", (*PROFILE_ATTRIBUTES, *recorded)))


def upgrade() -> None:
    # Added and dropped in place (never a rebuild of customer, which every table refers to):
    # a nullable column without a default on both databases.
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=64), nullable=True))
    _attribute_check(RECORDED_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM profile_change WHERE attribute = 'contact_name'")
    _attribute_check(RECORDED_BEFORE)
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("contact_name")
