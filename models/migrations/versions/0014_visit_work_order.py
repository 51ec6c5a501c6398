"""A service visit keeps its work order (工单号) in a column of its own: two work orders of one
car on one day with the same type are two visits, and an import tells them apart by it.

Visits imported before kept the work order only in their note, which the import wrote as
"工单号 <number>" first, then "；" and the rest: the number is taken from there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PREFIX = "工单号 "
SEPARATOR = "；"
BATCH = 1000


def work_order_of(note: str | None) -> str | None:
    """The work order an import wrote at the start of a visit's note, None if it wrote none."""
    if not note or not note.startswith(PREFIX):
        return None
    number = note[len(PREFIX):].split(SEPARATOR, 1)[0].strip()
    return number or None


def upgrade() -> None:
    with op.batch_alter_table("service_visit", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("work_order", sa.Text(), nullable=True))
    conn = op.get_bind()
    visits = sa.table("service_visit", sa.column("id", sa.Integer),
                      sa.column("note", sa.Text), sa.column("work_order", sa.Text))
    rows = conn.execute(sa.select(visits.c.id, visits.c.note)
                        .where(visits.c.note.like(PREFIX + "%"))).all()
    numbered = [{"key": vid, "number": number} for vid, note in rows
                if (number := work_order_of(note)) is not None]
    update = (sa.update(visits).where(visits.c.id == sa.bindparam("key"))
              .values(work_order=sa.bindparam("number")))
    for start in range(0, len(numbered), BATCH):
        conn.execute(update, numbered[start:start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("service_visit", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("work_order")
