"""A refund stored before the purchase it returns: other_purchase.awaiting_purchase, true on a
refund an import kept without finding what it gives money back for, so that the purchase, read
later from another file (a DMS's years imported newest first, or a file of refunds before the
file of sales), is netted then. NULL on every other row.

Refunds stored before this revision are left NULL: which of them were netted is not recorded,
and netting one again would count its money back twice.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 15:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place on both databases (never a rebuild of the table): a nullable column.
    with op.batch_alter_table("other_purchase", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("awaiting_purchase", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("other_purchase", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("awaiting_purchase")
