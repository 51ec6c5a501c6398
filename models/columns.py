"""Column types and defaults shared by the ORM's models and the Core tables of
models/tables.py, in a module that does not import the ORM."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import String

# The customer's pinyin keys (services/customers/pinyin.py): a key longer than its column (a
# long company name's) is stored cut to it.
NAME_PINYIN_LENGTH = 128
NAME_INITIALS_LENGTH = 16
NAME_SORT_LENGTH = 160


# A list row's code as printed: the run's number and the row's (12-0034). A run's number never
# starts with 0; a landline's area code always does (020-87654321).
ROW_CODE = re.compile(r"[1-9]\d{0,8}-\d{4,}")


def ascii_key(length: int):
    """A pinyin key compared byte by byte on both databases: "li an" (李安) before "lian" (连)
    as syllable order wants. SQLite compares bytes already; PostgreSQL's default collation
    would skip the space, so there the column is "C"."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def utcnow() -> dt.datetime:
    """Naive UTC timestamp, stored the same way on SQLite and PostgreSQL."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
