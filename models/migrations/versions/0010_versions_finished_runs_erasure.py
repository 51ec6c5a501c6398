"""Edits carry a version (a save based on an older one is refused), a list run is finished only
when its files are complete, and a customer can be erased (personal data anonymised).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Tables whose rows staff edit in place: each save raises the version by one.
VERSIONED = ("customer", "contact_preference", "do_not_contact", "saved_segment", "tag_group",
             "tag", "app_setting")


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                          server_default=sa.text("1")))
    with op.batch_alter_table("app_setting", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("updated_by", sa.Integer(), nullable=True))
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("list_run", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
    # Runs made before this revision were stored together with their files' first writing.
    op.execute("UPDATE list_run SET finished_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("list_run", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("finished_at")
    with op.batch_alter_table("customer", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("app_setting", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("updated_by")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("version")
