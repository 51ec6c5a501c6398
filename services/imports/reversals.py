"""Visit reversals (冲红): a work order whose settlement the DMS reversed, exported as a row of
its own with the amount negated (−560), under the same 工单号 or the same one with a mark
(WO20260701001-冲), often with 冲红 / 红冲 as its type. It is no visit of its own: it cancels the
visit it reverses, which then counts neither as a visit nor as a spend (last visit, visits,
RFM); one that reverses part of the amount takes that part off the visit, which stays a visit.
The km the visit read goes with it (its reading of source "visit"), unless a visit that stands
read the same that day: the car's km estimate, and the km per year the brief, reminders and
segments draw from it, no longer count an odometer reading of a settlement that was undone.

The visit reversed is the customer's one of the same work order (of the same car, when both
name one), else the one of the same car and amount on or before the reversal's day, the nearest.
Reversals are read after the file's last row, as a purchase's refunds are (events.finish): a
file newest first lists a reversal before its visit. A cancelled visit is deleted whole, kept
in the batch's record for undo to put back (writes.REMOVED)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from models import Base
from services import labels
from services.imports.context import Context
from services.imports.lookup import in_parts
from services.imports.results import VISIT_REVERSED, Issue, RowResult, money
from services.imports.writes import REMOVED, REMOVED_NEW, decode

VISIT = Base.metadata.tables["service_visit"]
READING = Base.metadata.tables["mileage_reading"]
# What a visit's type column says of a reversal written with its amount positive.
REVERSAL_WORDS = ("冲红", "红冲", "冲销")
# The values of a visits row that are a visit's own, none a reversal's: left out of it, with
# the notes about them (a type 冲红 not recognised, a km out of line).
VISIT_ONLY = ("visit_type", "km", "next_service_date", "next_service_km", "declined",
              "declined_due")

Linked = list[tuple[RowResult, dict[str, Any], dict[str, Any]]]


def visit_amount(amount: Decimal | None, labor: Decimal | None,
                 parts: Decimal | None) -> Decimal | None:
    """A visits row's amount: its own, else its labour and parts added up (a work order
    exported without a total); None when it has none of them."""
    if amount is not None or (labor is None and parts is None):
        return amount
    return (labor or Decimal(0)) + (parts or Decimal(0))


def says_reversal(amount: Decimal | None, type_typed: str | None) -> bool:
    """Whether a visits row is a reversal: its amount negative, or its type a reversal's."""
    if amount is None or amount == 0:
        return False
    return amount < 0 or (type_typed is not None and any(w in type_typed for w in REVERSAL_WORDS))


def as_reversal(v: dict[str, Any], result: RowResult) -> None:
    """A visits row's values as a reversal's: the amount negative, nothing a visit's own."""
    v["amount"] = -abs(v["amount"])
    for name in VISIT_ONLY:
        v.pop(name, None)
    result.issues[:] = [i for i in result.issues if i.field not in VISIT_ONLY]


def set_aside(ctx: Context, linked: Linked) -> Linked:
    """The linked rows that are visits; the reversals wait in the context for the file's end."""
    visits: Linked = []
    for result, values, event in linked:
        if event.get("amount") is not None and event["amount"] < 0:
            ctx.refunds.append((result, event))
        else:
            visits.append((result, values, event))
    return visits


def cancel(ctx: Context, rows: list[tuple[RowResult, dict[str, Any]]]) -> None:
    """Each reversal against the visit it reverses (earliest reversal first); one that finds
    none is rejected with the reason, unless an earlier import cancelled that visit already."""
    visits = _visits(ctx.conn, {event["customer_id"] for _, event in rows})
    earlier: dict[int, list[dict[str, Any]]] | None = None
    gone: set[int] = set()  # the readings deleted (written at the flush after)
    for result, event in sorted(rows, key=lambda r: (r[1]["visit_date"], r[0].number)):
        ctx.writer.row = result
        of_customer = visits[event["customer_id"]]
        if earlier is None:
            earlier = _cancelled_before(ctx)
        before = earlier.get(event["customer_id"], [])
        # The visit it reversed in full first, standing or cancelled before: a work order
        # settled again after its reversal (a new visit under the same number) is not it.
        visit, done = _reversed(event, of_customer, exact=True), None
        if visit is None:
            done = _reversed(event, before, exact=True)
            if done is None:
                visit = _reversed(event, of_customer)
                done = _reversed(event, before) if visit is None else None
        if visit is not None:
            _net(ctx, result, event, visit, of_customer, gone)
            result.settle()
            continue
        if done is not None:
            earlier[event["customer_id"]].remove(done)
            result.issues.append(Issue("visit_reversal_before", "amount", "warning",
                                       value=said(done, done["amount"])))
            # Cancelled by an import that left its km reading behind: the reading goes now.
            if _drop_reading(ctx, done, of_customer, gone):
                result.changes.append(("km", done["km"], None))
                result.settle()
        else:
            result.reject("visit_reversal_unmatched", "amount")


def cancelled(ctx: Context, event: dict[str, Any]) -> dict[str, Any] | None:
    """The visit an earlier import's reversal cancelled that the row is, if any: of its
    customer (and of its car when both name one), of its work order when both name one, and
    of its day and amount (before any part reversal) — a later export of the same period lists
    the reversed row still; one listing it at 0 (what the reversal left) is it too, whatever
    its day. Made again, it would count as a visit and a spend. A row of the work order with
    another day or amount, more than 0, is the DMS settling it again after the reversal (a
    corrected settlement): a visit of its own."""
    if ctx.cancelled is None:
        ctx.cancelled = _cancelled_before(ctx)
    car, order = event.get("vehicle_id"), event.get("work_order")
    for v in ctx.cancelled.get(event["customer_id"], ()):
        if car is not None and v.get("vehicle_id") not in (None, car):
            continue
        if order and v.get("work_order"):
            if v["work_order"] != order:
                continue
            if not event.get("amount"):
                return v
        if v["visit_date"] == event["visit_date"] \
                and v["amount"] + taken_off(v.get("note")) == event.get("amount", 0):
            return v
    return None


def resettled(ctx: Context, event: dict[str, Any], stored: dict[str, Any] | None
              ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The visit a visits row is (None: a new one), and the visit cancelled before that it is
    (None: none), from the one found for it (`stored`). One found by its work order on another
    day may be a visit its reversal cancels, the row settling it again: when the row is a
    cancelled visit, it is that; when the file reverses the work order (anywhere in it), the
    row is a visit of its own, settled again after it."""
    order = event.get("work_order")
    moved = stored is not None and order is not None and stored.get("work_order") == order \
        and stored["visit_date"] != event["visit_date"]
    if stored is not None and not moved:
        return stored, None
    if (gone := cancelled(ctx, event)) is not None:
        return None, gone
    if moved and order and event.get("amount") and any(
            same_order(reversal, order) for reversal in ctx.reversed_orders):
        return None, None
    return stored, None


def _visits(conn: Connection, customers: set[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for part in in_parts(customers):
        for row in conn.execute(select(VISIT).where(VISIT.c.customer_id.in_(part))).mappings():
            found[row["customer_id"]].append(dict(row))
    return found


def _cancelled_before(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """The visits earlier imports (not undone) cancelled, as they were, per customer."""
    change = Base.metadata.tables["import_change"]
    batch = Base.metadata.tables["import_batch"]
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (old,) in ctx.conn.execute(
        select(change.c.old_value).join(batch, batch.c.id == change.c.batch_id)
        .where(change.c.table_name == VISIT.name,
               change.c.column_name.in_((REMOVED, REMOVED_NEW)),
               change.c.batch_id != ctx.writer.batch_id, batch.c.undone_at.is_(None))
    ):
        visit = {c: decode(VISIT.name, c, v) for c, v in json.loads(old).items() if c in VISIT.c}
        found[visit["customer_id"]].append(visit)
    return found


def same_order(reversal: str, visit: str) -> bool:
    """Whether a reversal's work order names the visit's: the same, or the same with a mark
    that holds no digit (WO20260701001-冲, HC-WO20260701001; not WO20260701001 of WO2026070100)."""
    at = reversal.find(visit)
    return at >= 0 and not any(c.isdigit() for c in reversal[:at] + reversal[at + len(visit):])


def _reversed(event: dict[str, Any], visits: list[dict[str, Any]],
              exact: bool = False) -> dict[str, Any] | None:
    """The visit a reversal reverses: of its car when both name one; of its work order (the
    nearest in date; `exact`: only one of its amount on or before its day), else of its
    amount on or before its day (the latest)."""
    car, day = event.get("vehicle_id"), event["visit_date"]
    mine = [v for v in visits if car is None or v.get("vehicle_id") in (None, car)]
    order = event.get("work_order")
    named = [v for v in mine
             if order and v.get("work_order") and same_order(order, v["work_order"])]
    if named and exact:
        named = [v for v in named if v["visit_date"] <= day and v["amount"] == -event["amount"]]
        if not named:
            return None
    if named:
        return min(named, key=lambda v: (abs((v["visit_date"] - day).days), -v["id"]))
    back = -event["amount"]
    alike = [v for v in mine if v["visit_date"] <= day and v["amount"] == back]
    return max(alike, key=lambda v: (v["visit_date"], v["id"]), default=None)


# How a visit's note says what a part reversal took off it: 冲红 -300.00（2026-11-06）.
_MARK = re.compile(r"冲红 -(\d+\.\d{2})（\d{4}-\d{2}-\d{2}）")


def _mark(event: dict[str, Any]) -> str:
    return f"冲红 {event['amount']:.2f}（{event['visit_date'].isoformat()}）"


def taken_off(note: str | None) -> Decimal:
    """What part reversals took off a visit, as its note says (0: none): its own file read
    again gives the amount before them."""
    return sum((Decimal(m) for m in _MARK.findall(note or "")), Decimal(0))


def said(visit: dict[str, Any], amount: Any, after: Any = None) -> str:
    """The visit as the row's note names it: 2026-07-01 保养 560.00元 工单号 WO20260701001."""
    money = f"{amount:.2f}元" if after is None else f"{amount:.2f}元 → {after:.2f}元"
    order = f"工单号 {visit['work_order']}" if visit.get("work_order") else None
    return " ".join(p for p in (visit["visit_date"].isoformat(),
                                labels.text("visit_type", visit["visit_type"], "zh"), money,
                                order) if p)


def _net(ctx: Context, result: RowResult, event: dict[str, Any], visit: dict[str, Any],
         visits: list[dict[str, Any]], gone: set[int]) -> None:
    """Take the reversal off its visit: the whole amount (or more) cancels the visit, less
    leaves it a visit of what remains."""
    back, amount = -event["amount"], visit["amount"]
    told = (visit["visit_date"].isoformat(), visit["visit_type"], visit.get("work_order"))
    if back < amount:
        mark = _mark(event)
        if mark in (visit.get("note") or "").split("；"):  # this reversal, read before
            result.issues.append(Issue("visit_reversal_before", "amount", "warning",
                                       value=said(visit, amount)))
            return
        left = amount - back
        note = "；".join(p for p in (visit.get("note"), mark) if p)
        ctx.writer.update(VISIT.name, visit["id"], {"amount": left, "note": note},
                          {"amount": amount, "note": visit.get("note")})
        visit["note"] = note
        if visit["id"] not in ctx.writer.created[VISIT.name]:
            ctx.changed_fields["amount"] += 1
        visit["amount"] = left
        result.issues.append(Issue("visit_reversal_partial", "amount", "warning",
                                   value=said(visit, amount, left)))
        result.changes.append((VISIT_REVERSED, told, (amount, left)))
        return
    if back > amount:
        result.issues.append(Issue("visit_reversal_exceeds", "amount", "warning",
                                   fills=(("reversal", money(back)), ("visit", money(amount)))))
    _cancel_visit(ctx, visit)
    visits.remove(visit)
    _drop_reading(ctx, visit, visits, gone)
    result.issues.append(Issue("visit_reversal", "amount", "warning",
                               value=said(visit, amount)))
    result.changes.append((VISIT_REVERSED, told, (amount, None)))


def _cancel_visit(ctx: Context, visit: dict[str, Any]) -> None:
    """Delete the visit, the rows that refer to it (declined repairs, reminders) first let go
    of it, each change kept for undo."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not any(fk.column.table is VISIT for fk in column.foreign_keys):
                continue
            for (row_id,) in ctx.conn.execute(select(table.c.id)
                                              .where(column == visit["id"])):
                ctx.writer.update(table.name, row_id, {column.name: None},
                                  {column.name: visit["id"]})
    ctx.writer.remove(VISIT.name, visit)


def _drop_reading(ctx: Context, visit: dict[str, Any], standing: list[dict[str, Any]],
                  gone: set[int]) -> bool:
    """Delete the km reading a cancelled visit made (of its car, day and km, source "visit"),
    kept for undo, unless one of the visits that stand (`standing`, its customer's) read the
    same that day; whether it did. `gone`: the readings deleted already, added to."""
    dropped = False
    car, day, km = visit.get("vehicle_id"), visit["visit_date"], visit.get("km")
    if car is None or km is None or any(
            v.get("vehicle_id") == car and v["visit_date"] == day and v.get("km") == km
            for v in standing):
        return False
    for row in ctx.conn.execute(select(READING).where(
            READING.c.vehicle_id == car, READING.c.reading_date == day, READING.c.km == km,
            READING.c.source == "visit")).mappings().all():
        if row["id"] not in gone:
            gone.add(row["id"])
            ctx.writer.remove(READING.name, dict(row))
            dropped = True
    return dropped
