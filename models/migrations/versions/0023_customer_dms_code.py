"""The customer's number in the dealer's DMS: customer.dms_code (客户编号 of its exports), with
an index, so that a file naming customers by it finds them. NULL for every customer stored
before this revision; an import of a file with the number fills it in.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place on both databases (never a rebuild of the table): a nullable column.
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("dms_code", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_customer_dms_code", ["dms_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_customer_dms_code")
        batch_op.drop_column("dms_code")
