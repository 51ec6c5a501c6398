"""A visitor compiling a filter tree into one SQLAlchemy Core query: the tree is evaluated on
each (customer, vehicle) row, and a customer is a member when any of their rows matches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    cast,
    false,
    func,
    not_,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from services.customers.places import names_of
from services.segments import derived as d
from services.segments.catalog import FIELDS, NEGATIVE_OPS, PLACE_COLUMNS
from services.segments.context import C, Ctx, Question, V
from services.segments.field_sql import FIELD_SQL
from services.segments.spec import Condition, Filter, Group, Node, Not
from services.segments.sqlx import contains_text, day, starts_with


def compile_node(ctx: Ctx, node: Node) -> ColumnElement[bool]:
    if isinstance(node, Group):
        parts = [compile_node(ctx, c) for c in node.children]
        if node.kind == "and":
            return and_(true(), *parts) if not parts else and_(*parts)
        return or_(false(), *parts) if not parts else or_(*parts)
    if isinstance(node, Not):
        # Two-valued logic: a condition on a missing value is false, so NOT makes it true.
        return not_(func.coalesce(compile_node(ctx, node.child), false()))
    return compile_condition(ctx, node)


def compile_condition(ctx: Ctx, cond: Condition) -> ColumnElement[bool]:
    """The field's own condition when it has one, else its value compared as its type says."""
    sql = FIELD_SQL[cond.field]
    params = cond.param_dict
    if sql.condition is not None:
        return sql.condition(ctx, cond.op, cond.value, params)
    assert sql.value is not None
    col = sql.value(ctx, params)
    if cond.op == "due_within":  # a date's: no other type has the operator
        return d.falls_due(cond.field, col, ctx.as_of, int(cond.value))
    if cond.field in PLACE_COLUMNS and cond.op in ("=", "!=", "in", "not_in"):
        # 深圳 or 深圳市: the customers stored under either name of the place.
        typed = cond.value if cond.op in ("in", "not_in") else (cond.value,)
        names = [n for t in typed for n in names_of(cond.field, t)]
        return compare("text", col, "in" if cond.op in ("=", "in") else "not_in", names,
                       ctx.as_of)
    return compare(FIELDS[cond.field].type, col, cond.op, cond.value, ctx.as_of)


def compare(type_: str, col: ColumnElement, op: str, value: Any, as_of: dt.date):
    """A generic comparison; missing values make it false except for the negative operators."""
    if type_ == "bool":
        return func.coalesce(col, false()) if value else col == false()
    if type_ == "date":
        value = _dates(value)
        if op == "within_last":
            return col.between(day(as_of - dt.timedelta(days=value)), day(as_of))
    match op:
        case "=":
            return col == value
        case "!=":
            return func.coalesce(col != value, true())
        case "<":
            return col < value
        case "<=":
            return col <= value
        case ">":
            return col > value
        case ">=":
            return col >= value
        case "between":
            return col.between(*value)
        case "in":
            return col.in_(value)
        case "not_in":
            return func.coalesce(col.not_in(value), true())
        case "is_null":
            return col.is_(None)
        case "not_null":
            return col.is_not(None)
        case "contains":
            return contains_text(col, value)
        case "starts_with":
            return starts_with(col, value)
    raise ValueError(op)


def _dates(value: Any) -> Any:
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, tuple):
        return tuple(_dates(v) for v in value)
    return value


def uses_vehicle(node: Node | None) -> bool:
    """The tree has a per-vehicle condition, so it is evaluated on (customer, vehicle) rows."""
    if node is None:
        return False
    if isinstance(node, Group):
        return any(uses_vehicle(c) for c in node.children)
    if isinstance(node, Not):
        return uses_vehicle(node.child)
    return FIELDS[node.field].level == "vehicle"


def may_match_without_vehicle(node: Node | None) -> bool | None:
    """Kleene evaluation of the tree on a row with no vehicle: False means no such row can
    match, so the query may use an inner join (faster) instead of an outer join."""
    if node is None:
        return None
    if isinstance(node, Group):
        vals = [may_match_without_vehicle(c) for c in node.children]
        if node.kind == "and":
            return False if False in vals else (True if all(vals) else None)
        return True if True in vals else (False if vals and all(v is False for v in vals)
                                          else None)
    if isinstance(node, Not):
        inner = may_match_without_vehicle(node.child)
        return None if inner is None else not inner
    if FIELDS[node.field].level == "vehicle":
        return node.op in NEGATIVE_OPS
    return None


@dataclass(frozen=True)
class Compiled:
    """The member query: one row per matching (customer, vehicle); vehicle is NULL when the
    filter has no per-vehicle condition (or the customer has no vehicle)."""

    select: Select
    per_vehicle: bool


def compile_filter(flt: Filter, as_of: dt.date, columns: tuple = (), *,
                   lateral: bool = False) -> Compiled:
    """`lateral`: the database has LATERAL joins (PostgreSQL) and should use them."""
    ctx = Ctx(Question(as_of), lateral=lateral)
    per_vehicle = uses_vehicle(flt.where)
    cond = true() if flt.where is None else compile_node(ctx, flt.where)
    source: FromClause = C
    if per_vehicle:
        on = V.c.customer_id == C.c.id
        if flt.vehicles == "active":
            on = and_(on, V.c.active.is_(True))
        if may_match_without_vehicle(flt.where) is False:
            source = source.join(V, on)
        else:
            source = source.outerjoin(V, on)
    source = ctx.outerjoin_all(source)
    vehicle_id = V.c.id if per_vehicle else cast(null(), Integer)
    stmt = (
        select(C.c.id.label("customer_id"), vehicle_id.label("vehicle_id"), *columns)
        .select_from(source)
        .where(cond)
    )
    return Compiled(stmt, per_vehicle)
