"""What a DMS told the owner at a visit: service_visit.next_service_date and next_service_km
(下次保养日期, 下次保养里程 of a work order). A car whose last maintenance visit has them falls
due on that date or at that km instead of at its model's usual interval. NULL on every visit
stored before this revision, and on visits of files that do not say them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place on both databases (never a rebuild of the table): nullable columns.
    with op.batch_alter_table("service_visit", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("next_service_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_service_km", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_visit", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("next_service_km")
        batch_op.drop_column("next_service_date")
