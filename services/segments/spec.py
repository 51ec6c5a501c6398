"""The segment filter as data: a JSON tree with a schema version, parsed and validated into
small immutable nodes. Every error names the offending part (e.g. "where.and[2].value")."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from services.segments.catalog import FIELDS, Field
from services.store.errors import N_, RevisitError, Said

SCHEMA_VERSION = 1
VEHICLE_SCOPES = ("active", "all")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def param_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class Group:
    kind: str  # "and" | "or"
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Condition | Group | Not


@dataclass(frozen=True)
class Filter:
    """A whole segment filter. `where` None matches every customer. `vehicles`: per-vehicle
    conditions look at vehicles still owned ("active", the default) or at all of them."""

    where: Node | None = None
    vehicles: str = "active"
    version: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


# Deeper than any filter a person builds; a deeper file is refused, not recursed into until
# Python's own limit (a traceback).
MAX_DEPTH = 40


def too_deep() -> RevisitError:
    return RevisitError(N_("The filter's conditions are nested more than {depth} levels deep."),
                        depth=MAX_DEPTH)


def _fail(template: str, **params: object) -> RevisitError:
    return RevisitError(template, **params)


def parse_json(text: str, where: str = "filter") -> Filter:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(N_("The {where} is not valid JSON: {detail} (line {line}, column {col})."),
                    where=where, detail=exc.msg, line=exc.lineno, col=exc.colno) from exc
    except RecursionError as exc:
        raise too_deep() from exc
    return parse(data)


def parse(data: Any) -> Filter:
    """Validate a filter given as plain data (as read from JSON)."""
    if not isinstance(data, dict):
        raise _fail(N_("A segment filter must be a JSON object with \"version\" and \"where\"."))
    unknown = set(data) - {"version", "where", "vehicles"}
    if unknown:
        raise _fail(N_("Unknown key(s) in the filter: {keys}."), keys=", ".join(sorted(unknown)))
    version = data.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise _fail(N_("Filter schema version {version} is not supported (this version of "
                       "Revisit reads version {supported})."),
                    version=version, supported=SCHEMA_VERSION)
    vehicles = data.get("vehicles", "active")
    if vehicles not in VEHICLE_SCOPES:
        raise _fail(N_("vehicles: '{value}' must be one of {allowed}."), value=vehicles,
                    allowed=", ".join(VEHICLE_SCOPES))
    where = data.get("where")
    node = None if where is None else _node(where, "where")
    return Filter(where=node, vehicles=vehicles)


def _node(data: Any, path: str, depth: int = 0) -> Node:
    if depth > MAX_DEPTH:
        raise too_deep()
    if not isinstance(data, dict):
        raise _fail(N_("{path}: expected an object (a condition or an and/or/not group)."),
                    path=path)
    for kind in ("and", "or"):
        if kind in data:
            if set(data) != {kind}:
                raise _fail(N_("{path}: a group has only the key \"{kind}\"."), path=path,
                            kind=kind)
            items = data[kind]
            if not isinstance(items, list):
                raise _fail(N_("{path}.{kind}: expected a list of conditions."), path=path,
                            kind=kind)
            return Group(kind, tuple(_node(x, f"{path}.{kind}[{i}]", depth + 1)
                                     for i, x in enumerate(items)))
    if "not" in data:
        if set(data) != {"not"}:
            raise _fail(N_("{path}: \"not\" takes exactly one condition or group."), path=path)
        return Not(_node(data["not"], f"{path}.not", depth + 1))
    return _condition(data, path)


def _condition(data: dict, path: str) -> Condition:
    unknown = set(data) - {"field", "op", "value", "params"}
    if unknown:
        raise _fail(N_("{path}: unknown key(s) {keys}."), path=path,
                    keys=", ".join(sorted(unknown)))
    key = data.get("field")
    if not isinstance(key, str) or key not in FIELDS:
        raise _fail(N_("{path}.field: unknown field '{field}'."), path=path, field=key)
    f = FIELDS[key]
    op = data.get("op")
    if op not in f.operators:
        raise _fail(N_("{path}.op: '{op}' cannot be used with the field {field} (allowed: "
                       "{allowed})."), path=path, op=op, field=key,
                    allowed=", ".join(f.operators))
    params = _params(f, data.get("params") or {}, f"{path}.params")
    value = _value(f, op, data.get("value"), f"{path}.value")
    return Condition(key, op, value, tuple(sorted(params.items())))


def _params(f: Field, given: Any, path: str) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise _fail(N_("{path}: expected an object."), path=path)
    known = {p.key: p for p in f.params}
    unknown = set(given) - set(known)
    if unknown:
        raise _fail(N_("{path}: the field {field} has no parameter {keys}."), path=path,
                    field=f.key, keys=", ".join(sorted(unknown)))
    out: dict[str, Any] = {}
    for p in f.params:
        v = given.get(p.key, p.default)
        where = f"{path}.{p.key}"
        if v is None:
            out[p.key] = None
            continue
        if p.type == "code":
            if v not in (p.choices or ()):
                raise _fail(N_("{path}: '{value}' is not one of {allowed}."), path=where, value=v,
                            allowed=", ".join(p.choices or ()))
        else:
            v = _number(v, where, integer=p.type == "int")
            if p.minimum is not None and v < p.minimum:
                raise _fail(N_("{path}: must be at least {minimum}."), path=where,
                            minimum=p.minimum)
            if p.maximum is not None and v > p.maximum:
                raise _fail(N_("{path}: must be at most {maximum}."), path=where,
                            maximum=p.maximum)
        out[p.key] = v
    if f.key == "rfm_class" and out.get("mode") == "fixed":
        missing = [k for k in ("r_days", "f", "m") if out.get(k) is None]
        if missing:
            raise _fail(N_("{path}: fixed RFM thresholds need {keys}."), path=path,
                        keys=", ".join(missing))
    return out


def _number(v: Any, path: str, integer: bool = False) -> float | int:
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if not ok or (integer and v != int(v)):
        if integer:
            raise _fail(N_("{path}: '{value}' is not a whole number."), path=path, value=v)
        raise _fail(N_("{path}: '{value}' is not a number."), path=path, value=v)
    return int(v) if integer or v == int(v) else v


def _date(v: Any, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 else _bad()
    except ValueError as exc:
        raise _fail(N_("{path}: '{value}' is not a date (YYYY-MM-DD)."), path=path,
                    value=v) from exc


def _bad():
    raise ValueError


def _scalar(f: Field, v: Any, path: str) -> Any:
    if f.type == "number":
        return _number(v, path)
    if f.type == "date":
        return _date(v, path)
    if f.type == "bool":
        if not isinstance(v, bool):
            raise _fail(N_("{path}: expected true or false."), path=path)
        return v
    if not isinstance(v, str) or v == "":
        raise _fail(N_("{path}: expected a non-empty text."), path=path)
    if f.type == "code" and f.choices is not None and v not in f.choices:
        raise _fail(N_("{path}: '{value}' is not a value of {field} (allowed: {allowed})."),
                    path=path, value=v, field=f.key, allowed=", ".join(f.choices))
    if f.type == "tags" and "/" not in v:
        raise _fail(N_("{path}: tag '{value}' must be written \"group/tag\"."), path=path,
                    value=v)
    return v


def _value(f: Field, op: str, v: Any, path: str) -> Any:
    if op in ("is_null", "not_null"):
        return None
    if op in ("due_within", "within_last"):
        n = _number(v, path, integer=True)
        if n < 0:
            raise _fail(N_("{path}: the number of days cannot be negative."), path=path)
        return n
    if op == "between":
        if not isinstance(v, list) or len(v) != 2:
            raise _fail(N_("{path}: \"between\" takes a list of two values [low, high]."),
                        path=path)
        low, high = (_scalar(f, x, f"{path}[{i}]") for i, x in enumerate(v))
        if low > high:
            raise _fail(N_("{path}: the low end is above the high end."), path=path)
        return (low, high)
    if op in ("in", "not_in", "has_any", "has_all", "has_none"):
        if not isinstance(v, list) or not v:
            # Said as staff meet it: a condition whose values are not chosen yet.
            raise _fail(N_("{path}: choose at least one value."), path=path)
        return tuple(_scalar(f, x, f"{path}[{i}]") for i, x in enumerate(v))
    if op in ("contains", "starts_with") and (not isinstance(v, str) or v == ""):
        raise _fail(N_("{path}: expected a non-empty text."), path=path)
    return _scalar(f, v, path)


# --- back to JSON ---------------------------------------------------------------------------

def to_data(flt: Filter) -> dict[str, Any]:
    out: dict[str, Any] = {"version": flt.version}
    if flt.vehicles != "active":
        out["vehicles"] = flt.vehicles
    out["where"] = None if flt.where is None else _node_data(flt.where)
    return out


def _json_value(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, tuple):
        return [_json_value(x) for x in v]
    return v


def _node_data(node: Node) -> dict[str, Any]:
    if isinstance(node, Group):
        return {node.kind: [_node_data(c) for c in node.children]}
    if isinstance(node, Not):
        return {"not": _node_data(node.child)}
    out: dict[str, Any] = {"field": node.field, "op": node.op}
    if node.value is not None:
        out["value"] = _json_value(node.value)
    defaults = {p.key: p.default for p in FIELDS[node.field].params}
    params = {k: v for k, v in node.params if v != defaults.get(k)}
    if params:
        out["params"] = params
    return out


def to_json(flt: Filter, indent: int | None = 2) -> str:
    return json.dumps(to_data(flt), ensure_ascii=False, indent=indent)


# What a condition's part is called, for spoken_path: (Chinese, English).
_PARTS = {"value": ("的值", "value"), "op": ("的比较方式", "operator"),
          "field": ("的字段", "field")}


def spoken_path(data: Any, path: str) -> Said:
    """The part of a filter an error's `path` points at ("where.and[0].value"), as staff see
    it in the builder: 条件“最近满意度”的值 / the value of the condition “Latest
    satisfaction”; the filter as a whole when the path is not in `data` (the builder's
    filters are the data itself, so it always is)."""
    node, condition, rest = data, None, []
    for key, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        if condition is not None:  # a part of the condition: value, op, params.months
            rest.append(key)
            continue
        node = node.get(key) if isinstance(node, dict) else None
        if index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        elif index:
            node = None
        if isinstance(node, dict) and isinstance(node.get("field"), str):
            condition = node
    if condition is None:
        return Said("筛选条件", "The filter")
    part = ".".join(rest[:2])
    f = FIELDS.get(condition["field"])
    name = (f.zh, f.en) if f is not None else (condition["field"], condition["field"])
    if part.startswith("params.") and f is not None:
        param = next((p for p in f.params if p.key == part[7:]), None)
        said = (f"的{param.zh}", param.en.lower()) if param is not None else ("的参数", "setting")
    else:
        said = _PARTS.get(part, ("", ""))
    zh = f"条件“{name[0]}”{said[0]}"
    en = f"The {said[1]} of the condition “{name[1]}”" if said[1] else (
        f"The condition “{name[1]}”")
    return Said(zh, en)
