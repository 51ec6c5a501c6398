"""A list run can be withdrawn: list_run.withdrawn_at, empty for every run stored before (none
was withdrawn). A withdrawn run's calls are in nobody's queue; the run and its members stay.
Going down drops the column, and with it which runs were withdrawn: their calls come back.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added and dropped in place (never a rebuild of list_run, whose rows the members' refer
    # to): a nullable column without a default on both databases.
    with op.batch_alter_table("list_run", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("list_run", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("withdrawn_at")
