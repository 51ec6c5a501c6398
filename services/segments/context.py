"""The question a segment query answers (an immutable value) and the joins it collects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Table
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

if TYPE_CHECKING:
    # The ORM's customer and vehicle tables, which segment filters and list queries read.
    C: Table
    V: Table


def __getattr__(name: str) -> Table:
    """C and V, loaded with the ORM when first asked for: the replacement matrix reads the
    Core tables of models/tables.py and does without it."""
    if name not in ("C", "V"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from models import Customer, Vehicle

    globals().update(C=Customer.__table__, V=Vehicle.__table__)
    return globals()[name]


def _orm_table(name: str) -> Table:
    return globals()[name] if name in globals() else __getattr__(name)


def _customer_id() -> ColumnElement[int]:
    return _orm_table("C").c.id


def _vehicle() -> Table:
    return _orm_table("V")


@dataclass(frozen=True)
class Question:
    """What is asked: the evaluation date, and for a question about one spend window (the RFM
    template, the RFM summary) that window in months. A filter's window fields carry their
    own window as a parameter."""

    as_of: dt.date
    months: int | None = None


@dataclass(frozen=True, eq=False)
class Ctx:
    """What one compilation needs: the question, how to reach the customer and the vehicle, and
    the database's abilities; and the joins fields asked for, each added once so a latest-value
    subquery is referenced once (SQLite copies a scalar subquery into every CASE branch and both
    sides of a BETWEEN: one shape was 8× slower for that alone)."""

    question: Question
    # Templates that start from the vehicle table correlate on vehicle.customer_id instead.
    customer_key: ColumnElement[int] = field(default_factory=_customer_id)
    # LATERAL joins for latest rows (PostgreSQL); SQLite has none.
    lateral: bool = False
    # The vehicle rows asked about, the caller's own table: a mileage estimate correlates with
    # them (the ORM's unless the query reads models/tables.py).
    vehicle: Table = field(default_factory=_vehicle)
    joins: dict[str, tuple[FromClause, ColumnElement[bool]]] = field(default_factory=dict)

    @property
    def as_of(self) -> dt.date:
        return self.question.as_of

    def join(self, key: str, make: Callable[[], tuple[FromClause, ColumnElement[bool]]]):
        if key not in self.joins:
            self.joins[key] = make()
        return self.joins[key][0]

    def outerjoin_all(self, source: FromClause) -> FromClause:
        """`source` with every join the fields asked for, each once."""
        for target, onclause in self.joins.values():
            source = source.outerjoin(target, onclause)
        return source
