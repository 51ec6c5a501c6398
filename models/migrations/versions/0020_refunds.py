"""A purchase can be given back: other_purchase.refunded, and refunds stored as rows of their
own with a negative amount (退货, 退保, as the DMS writes them). The purchase a refund returns
keeps in `amount` what the customer kept, so every spend (amount > 0) stays what it was
before for everything stored: refunded is 0 for every row there is.

The CHECK that amount is not negative becomes "only a refund is negative, and a refund is
never refunded", and refunded is not negative. On SQLite the CHECK is rewritten in place, the
procedure SQLite documents for changing CHECK constraints (ALTER TABLE, "making other kinds of
table schema changes"): allowed because every stored row meets the new CHECKs. The
200,000-customer demo holds 448,400 purchases; copying the table is what this avoids.

Going down deletes the refunds and gives each purchase back what was refunded of it, so that
every row left meets the narrower CHECK and counts as it did before the refunds were read.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLE = "other_purchase"
OLD = ("ck_other_purchase_amount_not_negative", "amount >= 0")
NEW = (("ck_other_purchase_refund_only_negative", "amount >= 0 OR refunded = 0"),
       ("ck_other_purchase_refunded_not_negative", "refunded >= 0"))


def _clause(name: str, check: str) -> str:
    return f"CONSTRAINT {name} CHECK ({check})"


def _sqlite_rewrite(old: str, new: str) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).scalar()
    if sql is None or sql.count(old) != 1:
        raise RuntimeError(f"the CHECK on {TABLE}.amount is not the expected one")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql.replace(old, new), TABLE))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _checks(before: tuple[tuple[str, str], ...], after: tuple[tuple[str, str], ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rewrite(", ".join(_clause(*c) for c in before),
                        ", ".join(_clause(*c) for c in after))
        return
    for name, _ in before:
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {name}")
    for name, check in after:
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} CHECK ({check})")


def upgrade() -> None:
    # Added in place on both databases (never a rebuild of the table): a column with a
    # constant default.
    with op.batch_alter_table(TABLE, schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("refunded", sa.Numeric(12, 2), nullable=False,
                                      server_default=sa.text("0")))
    _checks((OLD,), NEW)


def downgrade() -> None:
    op.execute(f"DELETE FROM {TABLE} WHERE amount < 0")
    op.execute(f"UPDATE {TABLE} SET amount = amount + refunded WHERE refunded > 0")
    _checks(NEW, (OLD,))
    with op.batch_alter_table(TABLE, schema=None, recreate="never") as batch_op:
        batch_op.drop_column("refunded")
