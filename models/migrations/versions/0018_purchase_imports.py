"""A sixth kind of import: other purchases (insurance, accessories, extended warranty), so
import_batch.kind and import_mapping.kind may say "purchases". Going down forgets the purchases
imports and their saved mappings: the purchases stay, no longer undoable as a batch.

On SQLite a CHECK is changed by copying the table, and dropping import_batch with foreign keys
on deletes what its batches created and changed (ON DELETE CASCADE): those rows are kept aside
and put back.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 21:40:00
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BEFORE = ("customers", "visits", "surveys", "complaints", "contacts")
AFTER = (*BEFORE, "purchases")
# The tables whose rows belong to a batch, by import_batch.id, deleted with it.
CHILDREN = ("import_created", "import_change")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _kinds(values: tuple[str, ...]) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for child in CHILDREN:
            op.execute(f"CREATE TEMPORARY TABLE kept_{child} AS SELECT * FROM {child}")
    for table in ("import_batch", "import_mapping"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind_code"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind_code"), _in("kind", values))
    if sqlite:
        for child in CHILDREN:
            op.execute(f"DELETE FROM {child}")
            op.execute(f"INSERT INTO {child} SELECT * FROM temp.kept_{child}")
            op.execute(f"DROP TABLE temp.kept_{child}")


def upgrade() -> None:
    _kinds(AFTER)


def downgrade() -> None:
    # Their batches' records go with them (ON DELETE CASCADE).
    op.execute("DELETE FROM import_batch WHERE kind = 'purchases'")
    op.execute("DELETE FROM import_mapping WHERE kind = 'purchases'")
    _kinds(BEFORE)
