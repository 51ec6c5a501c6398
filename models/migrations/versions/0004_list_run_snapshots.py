"""List runs keep what was printed for each member and excluded customer, so a run re-prints
identically after names, phones, cars or contacts change.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
# 0003 is reserved for the segment work; if it lands, this points at it instead.
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("list_run_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.Text(), nullable=True))
    with op.batch_alter_table("list_run_exclusion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("list_run_exclusion", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
    with op.batch_alter_table("list_run_member", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
