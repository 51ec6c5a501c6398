"""What every row of one import shares while it is worked out: the writer, the day changes take
effect, the note history rows carry, and the records earlier rows of the file touched."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from services.imports.results import Issue, RowResult
from services.imports.writes import Writer

HISTORY_TEXT = 100  # profile_change.old_value / new_value length


@dataclass
class Context:
    conn: Connection
    writer: Writer
    today: dt.date
    note: str  # "导入 保有客户.xlsx": in every history row the import writes
    staff_id: int | None
    match: tuple[str, ...]
    profile_attributes: tuple[str, ...] = ()  # profile attributes the file's mapping carries
    # The day a km without its own date was read: the export's date when its title says it
    # (导出时间：…), else the import's.
    km_day: dt.date | None = None
    # Records (per table) an earlier row of this file created or compared. A later row about
    # the same record only fills values still empty: two rows of one file never overwrite each
    # other, so reading the same file again finds nothing to change.
    seen: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    changed_fields: Counter[str] = field(default_factory=Counter)
    staff_by_name: dict[str, int] = field(default_factory=dict)
    # Whether the mapping carries marketing consent, and the consent each customer's first row
    # of the file gave (a later row of the same customer saying otherwise is only noted).
    consent: bool = False
    consent_in_file: dict[int, bool] = field(default_factory=dict)
    # The kind of purchase a purchases file's headers or title name (保费, 精品名称), for rows
    # that say none themselves.
    purchase_kind: str | None = None
    # (vehicle id, day) of the maintenance visits the cars of the file have, stored or added.
    maintained: set[tuple[int, dt.date]] = field(default_factory=set)
    # (visit id, item) of the declined repairs the visits of the file have, stored or added.
    declined: set[tuple[int, str]] = field(default_factory=set)
    # Per work order of a visits file (customer, car, day, type, work order): the total of its
    # lines read so far and each line's cells (events._sum_lines), across chunks.
    order_totals: dict[tuple[Any, ...], Decimal] = field(default_factory=dict)
    order_lines: dict[tuple[Any, ...], set[tuple[Any, ...]]] = field(
        default_factory=lambda: defaultdict(set))
    # The brands a model cell may start with (services/imports/brands.py), read once.
    brands: tuple[str, ...] | None = None
    # The dealer's own (province, city), from the shop's address in the settings: where an
    # address that starts with a district several cities have (南山区) is placed.
    home: tuple[str, str] | None = None
    # A purchases file's refunds, or a visits file's reversals (冲红), each with its linked
    # event, read after the file's last row (events.finish): a file newest first lists a
    # refund before what it returns.
    refunds: list[tuple[RowResult, dict[str, Any]]] = field(default_factory=list)
    # The work orders a visits file reverses anywhere in it, read before its first row
    # (columns.ReversedOrders).
    reversed_orders: frozenset[str] = frozenset()
    # The visits earlier imports cancelled by their reversals, per customer (reversals.py),
    # read when a visit row first needs them.
    cancelled: dict[int, list[dict[str, Any]]] | None = None


def same(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is new
    numbers = (Decimal, int, float)
    if isinstance(old, bool) or isinstance(new, bool):
        return bool(old == new)
    if isinstance(old, numbers) and isinstance(new, numbers):
        return Decimal(str(old)) == Decimal(str(new))
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return bool(old == new)


def as_text(value: Any) -> str | None:
    """A value as the profile history shows it (cut to the column's length)."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    else:
        text = str(value)
    return text if len(text) <= HISTORY_TEXT else text[: HISTORY_TEXT - 1] + "…"


def merge(ctx: Context, result: RowResult, table: str, current: dict[str, Any],
          incoming: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """The values of `incoming` that change `current`. Blank cells never clear a value; a record
    an earlier row of the file already touched only gets its empty values filled (a differing
    value is a warning on the row)."""
    seen = current["id"] in ctx.seen[table]
    changes: dict[str, Any] = {}
    for column in columns:
        new = incoming.get(column)
        if new is None:
            continue
        old = current.get(column)
        if same(old, new):
            continue
        if seen and old not in (None, ""):
            result.issues.append(Issue("differs_in_file", column, "warning"))
            continue
        changes[column] = new
    return changes


def record_history(ctx: Context, customer_id: int, attribute: str, old: Any, new: Any,
                   about: str | None = None, on: dt.date | None = None) -> None:
    """A profile_change row for a changed value (source "import", the file in the note),
    effective `on` that day (default: the import's)."""
    note = ctx.note if about is None else f"{ctx.note}；{about}"
    ctx.writer.insert(
        "profile_change",
        {
            "customer_id": customer_id,
            "attribute": attribute,
            "old_value": as_text(old),
            "new_value": as_text(new),
            "effective_date": on or ctx.today,
            "recorded_at": ctx.writer.now,
            "staff_id": ctx.staff_id,
            "source": "import",
            "note": note,
        },
    )
