"""The declarative base shared by every table, with a constraint naming convention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import CheckConstraint, DateTime, MetaData, Numeric, Table
from sqlalchemy.orm import DeclarativeBase

from models.columns import utcnow as utcnow  # where the models' modules take it from

# Named constraints let Alembic batch migrations on SQLite and plain ones on
# PostgreSQL refer to the same objects by the same names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # Every class here maps a Table; DeclarativeBase types __table__ as any FromClause, and
    # SQLAlchemy's maintainers advise narrowing it this way when that holds.
    __table__: ClassVar[Table]
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Money is exact: yuan with two decimals. Timestamps are naive UTC.
    type_annotation_map = {Decimal: Numeric(12, 2), dt.datetime: DateTime()}


def one_of(column: str, values: Iterable[str], name: str | None = None) -> CheckConstraint:
    """A named CHECK that a code column holds one of the known codes (or NULL)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_code")

