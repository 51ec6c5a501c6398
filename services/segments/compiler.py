"""A visitor compiling a filter tree into one SQLAlchemy Core query: the tree is evaluated on
each (customer, vehicle) row, and a customer is a member when any of their rows matches."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    cast,
    exists,
    false,
    func,
    not_,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from models import CustomerTag, Tag, TagGroup
from services.segments import derived as d
from services.segments import rfm
from services.segments.fields import FIELDS, NEGATIVE_OPS, SATISFACTION_BANDS, Field
from services.segments.spec import Condition, Filter, Group, Node, Not
from services.segments.sqlx import contains_text, day, starts_with

C, V = d.C, d.V


def compile_node(ctx: d.Ctx, node: Node) -> ColumnElement[bool]:
    if isinstance(node, Group):
        parts = [compile_node(ctx, c) for c in node.children]
        if node.kind == "and":
            return and_(true(), *parts) if not parts else and_(*parts)
        return or_(false(), *parts) if not parts else or_(*parts)
    if isinstance(node, Not):
        # Two-valued logic: a condition on a missing value is false, so NOT makes it true.
        return not_(func.coalesce(compile_node(ctx, node.child), false()))
    return compile_condition(ctx, node)


def compile_condition(ctx: d.Ctx, cond: Condition) -> ColumnElement[bool]:
    f = FIELDS[cond.field]
    if f.level == "vehicle":
        ctx.uses_vehicle = True
    params = cond.param_dict
    if f.key == "tags":
        return _tags(cond.op, cond.value)
    if f.key == "satisfaction_band":
        return _satisfaction_band(ctx, cond.op, cond.value)
    if f.key == "rfm_class":
        return _rfm_class(ctx, cond.op, cond.value, params)
    if f.condition is not None:
        return f.condition(ctx, cond.op, cond.value, params)
    assert f.value is not None
    return compare(f, f.value(ctx, params), cond.op, cond.value, ctx.as_of)


def compare(f: Field, col: ColumnElement, op: str, value: Any, as_of: dt.date):
    """A generic comparison; missing values make it false except for the negative operators."""
    if f.type == "bool":
        return func.coalesce(col, false()) if value else col == false()
    if f.type == "date":
        value = _dates(value)
        if op == "due_within":
            return col.between(day(as_of), day(as_of + dt.timedelta(days=value)))
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


def _satisfaction_band(ctx: d.Ctx, op: str, value: Any) -> ColumnElement[bool]:
    """Bands as a list of raw scores (-1 = never surveyed) so the latest-score subquery is
    referenced once: SQLite would copy it into every branch of a CASE or BETWEEN."""
    if op in ("is_null", "not_null"):
        # Every customer has a band ("none" when never surveyed).
        return false() if op == "is_null" else true()
    bands = (value,) if op in ("=", "!=") else value
    scores = sorted(s for b in bands for s in d.BAND_SCORES[b])
    score = func.coalesce(d.latest_score(ctx.as_of, ctx.customer_key), -1)
    return score.not_in(scores) if op in ("!=", "not_in") else score.in_(scores)


def _rfm_class(ctx: d.Ctx, op: str, value: Any, p: dict) -> ColumnElement[bool]:
    th = rfm.Thresholds(p["mode"], p.get("r_days"), p.get("f"), p.get("m"))
    months = p["months"]
    if op in ("is_null", "not_null"):
        agg = d.spend_agg(ctx, months)
        return agg.c.customer_id.is_(None) if op == "is_null" else agg.c.customer_id.is_not(None)
    keys = (value,) if op in ("=", "!=") else value
    hit = or_(*(rfm.class_condition(ctx, months, th, k) for k in keys))
    return not_(func.coalesce(hit, false())) if op in ("!=", "not_in") else hit


def _tag_match(spec: str) -> ColumnElement[bool]:
    group, _, name = spec.partition("/")
    return (
        exists()
        .where(
            CustomerTag.customer_id == C.c.id,
            CustomerTag.tag_id == Tag.id,
            Tag.group_id == TagGroup.id,
            TagGroup.name == group.strip(),
            Tag.name == name.strip(),
        )
    )


def _tags(op: str, value: tuple[str, ...]) -> ColumnElement[bool]:
    matches = [_tag_match(v) for v in value]
    if op == "has_all":
        return and_(*matches)
    hit = or_(*matches)
    return not_(hit) if op == "has_none" else hit


def birthday_due(as_of: dt.date, days: int) -> ColumnElement[bool]:
    """The birthday (MMDD) falls within the next `days` days; string ranges on birthday_md
    use its index. A 29 February birthday is due on 1 March in other years."""
    md = C.c.birthday_md
    if days >= 365:
        return md.is_not(None)
    end = as_of + dt.timedelta(days=days)
    start_md, end_md = as_of.strftime("%m%d"), end.strftime("%m%d")
    if end.year == as_of.year:
        cond = md.between(start_md, end_md)
    else:
        cond = or_(md >= start_md, md <= end_md)
    march_firsts = [dt.date(y, 3, 1) for y in range(as_of.year, end.year + 1)]
    if any(as_of <= m <= end and calendar.isleap(m.year) is False for m in march_firsts):
        cond = or_(cond, md == "0229")
    return cond


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
    ctx = d.Ctx(as_of, lateral=lateral)
    cond = true() if flt.where is None else compile_node(ctx, flt.where)
    source = C
    if ctx.uses_vehicle:
        on = V.c.customer_id == C.c.id
        if flt.vehicles == "active":
            on = and_(on, V.c.active.is_(True))
        if may_match_without_vehicle(flt.where) is False:
            source = source.join(V, on)
        else:
            source = source.outerjoin(V, on)
    source = ctx.outerjoin_all(source)
    vehicle_id = V.c.id if ctx.uses_vehicle else cast(null(), Integer)
    stmt = (
        select(C.c.id.label("customer_id"), vehicle_id.label("vehicle_id"), *columns)
        .select_from(source)
        .where(cond)
    )
    return Compiled(stmt, ctx.uses_vehicle)


__all__ = ["SATISFACTION_BANDS", "Compiled", "compile_filter", "compile_node"]
