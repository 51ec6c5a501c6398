"""Customer merges: one record per duplicate merged into another, with what moved, for undo.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("merged_code", sa.String(length=20), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("evidence", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_customer_merge_staff_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"], ["staff_user.id"], name=op.f("fk_customer_merge_undone_by_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merge")),
    )
    op.create_index("ix_customer_merge_kept_id", "customer_merge", ["kept_id"])
    op.create_index("ix_customer_merge_merged_id", "customer_merge", ["merged_id"])
    op.create_index("ix_customer_merge_merged_code", "customer_merge", ["merged_code"])


def downgrade() -> None:
    op.drop_index("ix_customer_merge_merged_code", table_name="customer_merge")
    op.drop_index("ix_customer_merge_merged_id", table_name="customer_merge")
    op.drop_index("ix_customer_merge_kept_id", table_name="customer_merge")
    op.drop_table("customer_merge")
