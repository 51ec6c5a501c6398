"""The rows a customer merge moves, removes and puts back, table by table, read from the
tables' own keys and foreign keys; and rows as JSON for the merge record."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Table,
    UniqueConstraint,
    and_,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from models import Base

CUSTOMER_TABLE = "customer"
# Every table with a foreign key to customer.id, in the order a merge moves them. A merge
# moves all of a table's rows unless a unique key (one holding the customer id) says the kept
# customer already has that row's like. A new table with a customer id must be added here
# after deciding that this is right for it; tests/services/test_duplicates.py checks the list
# against the models, and check_tables_known() refuses to merge while it is out of date.
MOVED_TABLES = (
    "vehicle",
    "service_visit",
    "other_purchase",
    "satisfaction_survey",
    "complaint",
    "contact_event",
    "purchase_intent",
    "profile_change",
    "contact_preference",
    "consent_event",
    "do_not_contact",
    "customer_tag",
    "list_run_member",
    "list_run_exclusion",
    "referral",
    "referral_by_customer",
    "declined_item",
    "suggestion_decision",
)
# What each table's rows are, in Chinese and English, for saying what a merge moved.
TABLE_LABELS = {
    "vehicle": ("车辆", "vehicles"),
    "service_visit": ("到店记录", "service visits"),
    "other_purchase": ("其他消费", "other purchases"),
    "satisfaction_survey": ("满意度调查", "surveys"),
    "complaint": ("投诉", "complaints"),
    "contact_event": ("联系记录", "contacts"),
    "purchase_intent": ("购车意向", "purchase intents"),
    "profile_change": ("画像变更", "profile changes"),
    "contact_preference": ("联系偏好", "contact preferences"),
    "consent_event": ("营销同意记录", "consent events"),
    "do_not_contact": ("勿扰记录", "do-not-contact entries"),
    "customer_tag": ("标签", "tags"),
    "list_run_member": ("名单位置", "list places"),
    "list_run_exclusion": ("名单排除", "list exclusions"),
    "referral": ("转介绍", "referrals"),
    "referral_by_customer": ("介绍他人", "referrals made"),
    "declined_item": ("建议维修项目", "declined repairs"),
    "suggestion_decision": ("建议处理记录", "suggestion decisions"),
}
CHUNK = 500

Key = Any  # one value, or a list of values for a key of several columns


def table_label(name: str, lang: str = "zh") -> str:
    return TABLE_LABELS.get(name, (name, name))[lang == "en"]


def tables_referencing_customers() -> set[str]:
    return {
        table.name
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == CUSTOMER_TABLE
    }


def check_tables_known() -> None:
    unknown = tables_referencing_customers() - set(MOVED_TABLES)
    if unknown:
        raise RuntimeError(f"merge does not know how to move rows of {sorted(unknown)}")


def moved_tables() -> list[Table]:
    return [Base.metadata.tables[name] for name in MOVED_TABLES]


def customer_column(table: Table) -> Column:
    (col,) = [fk.parent for fk in table.foreign_keys if fk.column.table.name == CUSTOMER_TABLE]
    return col


def key_columns(table: Table) -> list[Column]:
    """The primary key without the customer id: what names a row among one customer's."""
    own = customer_column(table)
    return [c for c in table.primary_key.columns if c is not own]


def _key(row: Mapping[Any, Any], cols: Sequence[Column]) -> Key:
    values = [row[c.name] for c in cols]
    return values[0] if len(values) == 1 else values


def _key_filter(table: Table, keys: Sequence[Key]) -> ColumnElement[bool]:
    cols = key_columns(table)
    if not keys:
        return false()
    if not cols:  # one row per customer: the key is empty
        return true()
    if len(cols) == 1:
        return cols[0].in_(keys)
    return tuple_(*cols).in_([tuple(k) for k in keys])


def _chunks(keys: Sequence[Key]) -> list[Sequence[Key]]:
    return [keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK)] or [[]]


def _unique_sets(table: Table) -> list[list[Column]]:
    """The other columns of every unique key that holds the customer id."""
    own = customer_column(table)
    sets = [list(table.primary_key.columns)]
    sets += [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    sets += [list(i.columns) for i in table.indexes if i.unique]
    return [[c for c in cols if c is not own] for cols in sets if any(c is own for c in cols)]


def remove_taken(s: Session, table: Table, kept: int, merged: int) -> list[dict]:
    """Delete the merged customer's rows whose like the kept customer has; returns them."""
    own = customer_column(table)
    other = table.alias("kept_rows")
    taken = []
    for cols in _unique_sets(table):
        same = and_(true(), *(other.c[c.name] == c for c in cols))
        taken.append(exists().where(other.c[own.name] == kept, same))
    if not taken:
        return []
    found = [dict(r) for r in s.execute(
        select(table).where(own == merged, or_(*taken))
        .order_by(*table.primary_key.columns)
    ).mappings()]
    pk = list(table.primary_key.columns)
    for row in found:
        s.execute(delete(table).where(*(c == row[c.name] for c in pk)))
    return [encode(table, row) for row in found]


def move(s: Session, table: Table, source: int, target: int) -> list[Key]:
    """Give every row of customer `source` to `target`; returns the keys of the rows moved."""
    own = customer_column(table)
    cols = key_columns(table)
    keys = [_key(r, cols) for r in s.execute(
        select(*cols, own).where(own == source).order_by(*cols)).mappings()]
    if keys:
        s.execute(update(table).where(own == source).values({own.name: target}))
    return keys


def move_back(s: Session, table: Table, keys: Sequence[Key], owner: int, target: int) -> int:
    own = customer_column(table)
    changed = 0
    for chunk in _chunks(keys):
        result = s.execute(update(table).where(own == owner, _key_filter(table, chunk))
                           .values({own.name: target}))
        changed += result.rowcount  # type: ignore[attr-defined]
    return changed


def count_owned(s: Session, table: Table, keys: Sequence[Key], owner: int) -> int:
    own = customer_column(table)
    return sum(
        s.scalar(select(func.count()).select_from(table)
                 .where(own == owner, _key_filter(table, chunk))) or 0
        for chunk in _chunks(keys)
    )


def cross_refs(s: Session, owner: int, moved: Mapping[str, Sequence[Key]]) -> dict[str, list]:
    """Rows of `owner` not among those moved that refer to a moved row (a visit of the kept
    customer on a car that came with the merge), as "table.column" -> their keys. Such rows
    known at merge time are fine to leave; new ones make an undo unsafe."""
    out: dict[str, list] = {}
    for table in moved_tables():
        own = customer_column(table)
        cols = key_columns(table)
        mine = {json.dumps(k) for k in moved.get(table.name, [])}
        for fk in table.foreign_keys:
            target = fk.column.table.name
            if fk.parent is own or target not in moved or len(key_columns(fk.column.table)) != 1:
                continue
            found = []
            for chunk in _chunks(moved[target]):
                found += [_key(r, cols) for r in s.execute(
                    select(*cols).where(own == owner, fk.parent.in_(chunk))).mappings()]
            found = [k for k in found if json.dumps(k) not in mine]
            if found:
                out[f"{table.name}.{fk.parent.name}"] = sorted(found)
    return out


def can_insert(s: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether rows removed by a merge can go back: their key unused, what they refer to
    (other than the customer) still there."""
    own = customer_column(table)
    pk = list(table.primary_key.columns)
    for data in rows:
        row = decode(table, data)
        if s.scalar(select(func.count()).select_from(table)
                    .where(*(c == row[c.name] for c in pk if c is not own))
                    .where(own == row[own.name])):
            return False
        for fk in table.foreign_keys:
            value = row[fk.parent.name]
            if fk.parent is own or value is None:
                continue
            if not s.scalar(select(func.count()).select_from(fk.column.table)
                            .where(fk.column == value)):
                return False
    return True


def update_in(s: Session, table: Table, column: Column, ids: Sequence[int],
              values: dict[str, Any]) -> None:
    for start in range(0, len(ids), CHUNK):
        s.execute(update(table).where(column.in_(ids[start:start + CHUNK])).values(values))


# ---------------------------------------------------------------------------
# rows as JSON and back, exactly
# ---------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _python_type(column: Column) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _from_json(column: Column, value: Any) -> Any:
    if value is None:
        return None
    kind = _python_type(column)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value


def encode(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    return {c.name: _to_json(row[c.name]) for c in table.columns}


def decode(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    return {c.name: _from_json(c, data[c.name]) for c in table.columns if c.name in data}


def encode_values(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _to_json(value) for name, value in values.items()}


def decode_values(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _from_json(table.c[name], value) for name, value in data.items()}
