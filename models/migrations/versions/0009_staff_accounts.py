"""Staff accounts sign in: a password hash per staff member, when it was last set and whether a
supervisor reset it; indexes for reading the audit trail by person and by action.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("password_reset_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_staff_id", ["staff_id", "at"], unique=False)
        batch_op.create_index("ix_audit_log_action", ["action", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_action")
        batch_op.drop_index("ix_audit_log_staff_id")
    # Nearly every table refers to staff_user, so SQLite cannot drop and re-create it here
    # (foreign keys are on); SQLite 3.35+ drops a plain column in place.
    with op.batch_alter_table("staff_user", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("password_reset_at")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("password_hash")
