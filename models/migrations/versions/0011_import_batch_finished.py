"""An import commits a chunk of rows at a time, so colleagues' edits never wait for a whole file;
its batch is finished only when the last chunk is in. A batch left unfinished (its process was
killed) is shown as such and can be undone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
    # Batches before this revision were written in one transaction: stored means finished.
    op.execute("UPDATE import_batch SET finished_at = imported_at")


def downgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("finished_at")
