"""Pinyin keys longer than their columns are cut to them. Imports before this revision stored a
long company name's keys whole, which SQLite accepts and PostgreSQL refuses (深圳市南山区某某电子
信息科技有限公司 has 18 initials, the column holds 16): such a file could not be copied to a
server. A key is only sorted on and searched by its start, and a cut one still does both; the
import and search cut them the same way from now on. PostgreSQL never held one, and going down
has nothing to put back.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 10:00:00
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = (("name_pinyin", 128), ("name_initials", 16), ("name_sort", 160))


def upgrade() -> None:
    for column, length in COLUMNS:
        # length() and substr() count characters on both databases, as the columns do.
        op.execute(f"UPDATE customer SET {column} = substr({column}, 1, {length}) "
                   f"WHERE length({column}) > {length}")


def downgrade() -> None:
    pass
