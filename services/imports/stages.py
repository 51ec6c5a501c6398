"""The lifecycle stage an import gives an owner whose stage is unknown, from the cars on record
as bought from the dealer (a purchase date or price paid, as an owners list 保有客户明细 gives
them): one car is a first purchase (首单), two or more a repeat purchase (复购). Recorded as a
profile change of source "import" that says so in its note, so the history shows where the
stage came from, and undone with the import. It takes effect on the day of the fact it comes
from — the car's purchase date for 首单, the second purchase's for 复购 — so that a segment
evaluated on an earlier date finds the stage the customer was in then; when the file gives no
such date (or one after the import's day), on the import's day. The note says which.

A stage staff set or a file states is never changed; one an import gave this way only rises
(首单 → 复购 when the customer's second car comes in a later file or chunk). An owner whose
two cars come in one file gets both: 首单 on the earlier purchase's day, then 复购."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from services.imports.context import Context, record_history
from services.imports.lookup import PROFILE, Lookup, in_parts
from services.imports.results import RowResult

STAGE = "lifecycle_stage"
# The note of a stage given this way (after the file's name): what tells it from a stage a
# file stated, which an import never raises.
FROM_CARS = "按购车记录推定"


def bought(cars: Iterable[dict[str, Any]]) -> int:
    """How many of the cars are on record as bought from the dealer."""
    return sum(1 for car in cars
               if car.get("purchase_date") is not None or car.get("price_paid") is not None)


def stage_for(cars: int) -> str | None:
    return None if cars == 0 else "first_purchase" if cars == 1 else "repeat"


def from_cars(ctx: Context, lk: Lookup,
              rows: list[tuple[RowResult, dict[str, Any], dict[str, Any]]]) -> None:
    """For the rows of a chunk that stored a car (the row, its values, the car): each of their
    customers whose stage is unknown, or was given this way, gets the stage their cars on
    record say, said on the customer's last row of the chunk."""
    last: dict[int, RowResult] = {}
    stated: set[int] = set()  # customers a row gives a stage of its own
    for result, values, car in rows:
        last[car["customer_id"]] = result
        if values.get(STAGE) is not None:
            stated.add(car["customer_id"])
    latest = _latest(ctx, set(last) - stated)
    for customer_id, result in last.items():
        customer = lk.customers.get(customer_id)
        if customer_id in stated or customer is None:
            continue
        old = customer.get(STAGE)
        owned = lk.vehicles_of_customer(customer_id)
        cars = bought(owned)
        new = stage_for(cars)
        if new is None or new == old or not _ours(old, latest.get(customer_id)):
            continue
        ctx.writer.row = result
        was = old
        first, said = dated(owned, 1, ctx.today)
        if new == "repeat" and old is None and first is not None:
            # Two cars or more, none known before: the first purchase came first, on its own
            # day, as one car and then a second in two imports would record it.
            record_history(ctx, customer_id, STAGE, None, "first_purchase",
                           f"{FROM_CARS}（1 辆车；{said}）", on=first)
            was = "first_purchase"
        day, said = dated(owned, cars, ctx.today)
        record_history(ctx, customer_id, STAGE, was, new, f"{FROM_CARS}（{cars} 辆车；{said}）",
                       on=day)
        # The stamp with it, so that undo puts it back too.
        ctx.writer.amend("customer", customer_id, {STAGE: new, "updated_at": ctx.writer.now},
                         {STAGE: old, "updated_at": customer.get("updated_at")})
        customer.update({STAGE: new, "updated_at": ctx.writer.now})
        result.changes.append((STAGE, old, new))
        if customer_id not in ctx.writer.created["customer"]:
            ctx.changed_fields[STAGE] += 1
        result.settle()


def dated(cars: Iterable[dict[str, Any]], count: int,
          today: dt.date) -> tuple[dt.date | None, str]:
    """The day a stage inferred from `count` cars bought takes effect, and how the note says it:
    the purchase date of the one car (首单), of the second purchase (复购: the second earliest
    date given); None (the import's day) when the cars give no such date on or before it."""
    days = sorted(d for car in cars if (d := car.get("purchase_date")) is not None and d <= today)
    if count == 1 and days:
        return days[0], f"按购车日期 {days[0].isoformat()}"
    if count > 1 and len(days) > 1:
        return days[1], f"按第二次购车日期 {days[1].isoformat()}"
    return None, "购车日期不详，按导入日期"


def _ours(old: str | None, latest: tuple[str, str | None] | None) -> bool:
    """Whether a stage may be given: none is stored and none was ever recorded, or the one in
    force is a first purchase an import gave from the cars."""
    if latest is None:
        return old is None
    source, note = latest
    return old == "first_purchase" and source == "import" and FROM_CARS in (note or "")


def _latest(ctx: Context, customers: set[int]) -> dict[int, tuple[str, str | None]]:
    """The source and note of each customer's latest stage change on record."""
    found: dict[int, tuple[str, str | None]] = {}
    for part in in_parts(customers):
        for customer_id, source, note in ctx.conn.execute(
            select(PROFILE.c.customer_id, PROFILE.c.source, PROFILE.c.note)
            .where(PROFILE.c.customer_id.in_(part), PROFILE.c.attribute == STAGE)
            .order_by(PROFILE.c.effective_date, PROFILE.c.id)
        ):
            found[customer_id] = (source, note)
    return found
