"""Pinyin keys compare byte by byte on PostgreSQL too (collation "C"), so names sort syllable by
syllable there as they do on SQLite. Nothing changes on SQLite.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:10:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (("name_pinyin", 128), ("name_initials", 16), ("name_sort", 160))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, length in COLUMNS:
        op.execute(f'ALTER TABLE customer ALTER COLUMN {column} TYPE VARCHAR({length}) COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, length in COLUMNS:
        op.execute(
            f'ALTER TABLE customer ALTER COLUMN {column} TYPE VARCHAR({length}) COLLATE "default"'
        )
