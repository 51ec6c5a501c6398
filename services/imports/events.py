"""Service visits, satisfaction surveys, complaints and contact history: each row is linked to a
stored customer (and vehicle) by VIN, plate or mobile, and creates an event unless the same one
(same customer, date and key fields) is stored already; a visit's km becomes a reading.

A visit is told apart by its work order too: two work orders of one car on one day with the
same type are two visits (a maintenance and a separate warranty repair, say). A file without
work orders still finds a visit stored with one, and a file with them one stored without, as
long as only one visit of that car, day and type can be meant.

A visit's 建议维修项目 become declined repairs of it (declined.py); a later visit of the car
whose work says an open one was done (更换刹车片) closes it as done."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from models import Base
from services.imports import declined as declined_items
from services.imports import reversals
from services.imports.context import Context, merge
from services.imports.customers import replace_list_reading
from services.imports.declined import work_key
from services.imports.linking import link, note_mobile_of_another
from services.imports.lookup import Lookup, in_parts
from services.imports.results import (
    EARLIER_REFUND_NETTED,
    REFUND_NETTED,
    Issue,
    RowResult,
)


@dataclass(frozen=True)
class EventKind:
    table: str
    date: str  # the column with the event's date (or time)
    key: tuple[str, ...]  # what makes two rows the same event, besides the customer
    columns: tuple[str, ...]  # other values a row brings (filled in or updated)
    required: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    # A part of `key` a row or a stored event may lack (NULL): the event is then found by the
    # rest of its key, if that names one event (_stored).
    loose: str | None = None
    # Columns of `key` in which an event found by the rest of what it says must be alike: a
    # purchase's day and kind, when its description names the order number in one file and
    # not in another (_similar).
    similar: tuple[str, ...] = ()
    # For events that repeat (contacts), the part of `key` that says when and how: rows alike
    # in all of the key are each an event of their own when their time is a day alone
    # (_attempt: two 无人接听 of one day in a file without times are two attempts), and a row of
    # the same moment to the minute is the event stored then, its outcome put right
    # (_corrected).
    repeats: tuple[str, ...] = ()

    @property
    def listed(self) -> tuple[str, ...]:
        """The columns by which the lookup lists each customer's events (`Lookup.similar`)."""
        return self.similar or self.repeats


EVENT_KINDS = {
    "visits": EventKind(
        "service_visit", "visit_date", ("vehicle_id", "visit_date", "visit_type", "work_order"),
        ("amount", "km", "note", "work_order", "next_service_date", "next_service_km"),
        ("visit_date",),
        {"visit_type": "repair", "amount": 0}, loose="work_order",
    ),
    "surveys": EventKind(
        "satisfaction_survey", "survey_date", ("vehicle_id", "survey_date"),
        ("overall_score", "repair_quality", "price", "speed", "attitude", "comment"),
        ("survey_date", "overall_score"),
    ),
    "complaints": EventKind(
        "complaint", "opened_date", ("opened_date", "topic"),
        ("vehicle_id", "detail", "resolved", "resolved_date", "resolution"),
        ("opened_date", "topic"), {"resolved": False},
    ),
    # Two purchases of one day are told apart by their kind and description (its order number
    # and item), so the same file read again finds each.
    "purchases": EventKind(
        "other_purchase", "purchase_date", ("purchase_date", "kind", "description"),
        ("vehicle_id", "amount"), ("purchase_date",), {"kind": "other", "amount": 0, "refunded": 0},
        similar=("purchase_date", "kind"),
    ),
    # Two attempts of one day in a file of dates without times (无人接听, then 接通 in the
    # afternoon) are two contacts, told apart by their outcome, or as rows of their own when
    # alike (无人接听 twice); the same file read again finds each.
    "contacts": EventKind(
        "contact_event", "contact_at", ("contact_at", "channel", "outcome"),
        ("vehicle_id", "purpose", "feedback", "next_follow_up", "staff_id"),
        ("contact_at", "outcome"), {"channel": "phone", "purpose": "callback"},
        repeats=("contact_at", "channel"),
    ),
}


def process(ctx: Context, kind: str, rows: list[tuple[RowResult, dict[str, Any]]]) -> None:
    spec = EVENT_KINDS[kind]
    lookup = Lookup(ctx.conn)
    lookup.load_rows(v for _, v in rows)
    linked: list[tuple[RowResult, dict[str, Any], dict[str, Any]]] = []
    for result, values in rows:
        if result.outcome == "reject":
            continue
        event = _event(spec, result, values, lookup)
        if event is not None:
            linked.append((result, values, event))
    if spec.table == "service_visit":
        linked = reversals.set_aside(ctx, linked)
    if not linked:
        return
    days = [e[spec.date] for _, _, e in linked]
    lookup.load_events(Base.metadata.tables[spec.table], spec.date, ("customer_id", *spec.key),
                       {e["customer_id"] for _, _, e in linked}, min(days), max(days),
                       spec.loose, {e[spec.loose] for _, _, e in linked
                                    if spec.loose and e.get(spec.loose) is not None},
                       spec.listed)
    if spec.table == "service_visit":
        _sum_lines(ctx, linked)
    declined: list[tuple[RowResult, dict[str, Any], dict[str, Any]]] = []
    worked: list[tuple[RowResult, dict[str, Any], dict[str, Any]]] = []
    refunds: list[tuple[RowResult, dict[str, Any]]] = []
    bought: list[tuple[RowResult, dict[str, Any]]] = []  # purchases this chunk created
    for result, values, event in linked:
        if spec.table == "other_purchase" and event.get("amount", 0) < 0:
            refunds.append((result, event))  # after the purchases they may return
            continue
        ctx.writer.row = result
        stored = _store(ctx, spec, lookup, result, values, event)
        if stored is not None and values.get("declined"):
            declined.append((result, values, stored))
        if stored is not None and spec.table == "service_visit" and values.get("note"):
            worked.append((result, values, stored))
        if stored is not None and values.get("insurance_expiry") and stored["kind"] == "insurance":
            _insured_until(ctx, lookup, result, stored, values["insurance_expiry"])
        if stored is not None and spec.table == "other_purchase" \
                and spec.table in result.created and stored["amount"] > 0:
            bought.append((result, stored))
    added = declined_items.declined(ctx, lookup, declined) if declined else []
    if worked:
        declined_items.declined_done(ctx, lookup, worked, added)
    if bought:
        _earlier_refunds(ctx, spec, bought)
    ctx.refunds.extend(refunds)


def waiting(ctx: Context) -> set[int]:
    """The rows (ids of their results) whose refunds wait for the file's end (finish): not yet
    decided, so not yet counted."""
    return {id(result) for result, _ in ctx.refunds}


def finish(ctx: Context, kind: str) -> list[RowResult]:
    """After the file's last row: its refunds, each netted against the purchase it returns
    wherever in the file that purchase stands, or its visit reversals (冲红) against the visits
    they reverse (reversals.py). Netted chunk by chunk, a refund listed a chunk before its
    purchase (a file newest first) found nothing stored yet and was kept unnetted, the spend
    counted whole. Returns their rows, now decided."""
    if not ctx.refunds:
        return []
    spec = EVENT_KINDS[kind]
    rows, ctx.refunds = ctx.refunds, []
    if spec.table == "service_visit":
        reversals.cancel(ctx, rows)
        return [result for result, _ in rows]
    lookup = Lookup(ctx.conn)
    days = [event[spec.date] for _, event in rows]
    lookup.load_events(Base.metadata.tables[spec.table], spec.date, ("customer_id", *spec.key),
                       {event["customer_id"] for _, event in rows}, min(days), max(days),
                       spec.loose, (), spec.similar)
    _refunds(ctx, spec, lookup, rows)
    return [result for result, _ in rows]


# Set on a work order's line event whose order had lines in an earlier chunk: the visit found
# then takes the new total though this import already touched it (_store).
LINES_GO_ON = "_lines_go_on"


def _sum_lines(ctx: Context, linked: list[tuple[RowResult, dict[str, Any], dict[str, Any]]]
               ) -> None:
    """A work order's lines (a 维修项目明细 export: one row per labour or part, each with its
    amount) as its visit: every line carries the amount of them all so far, so the visit is
    made with the total, the next lines find it unchanged and add their work to its note, and
    the same file read again finds it as it left it. A row repeated cell for cell is the same
    line again, counted once. Lines a chunk boundary parts are added up across it."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    earlier = set(ctx.order_totals)  # work orders with lines in the chunks before
    for result, _, event in linked:
        if event.get("work_order") is None or event.get("amount") is None:
            continue
        key = (event["customer_id"], event.get("vehicle_id"), event["visit_date"],
               event.get("visit_type"), event["work_order"])
        groups[key].append(event)
        if result.values not in ctx.order_lines[key]:  # else the same line again
            ctx.order_lines[key].add(result.values)
            ctx.order_totals[key] = ctx.order_totals.get(key, 0) + event["amount"]
    for key, events in groups.items():
        for event in events:
            event["amount"] = ctx.order_totals[key]
            event[LINES_GO_ON] = key in earlier


def _event(spec: EventKind, result: RowResult, v: dict[str, Any], lk: Lookup) -> dict | None:
    """The event the row describes, linked to its customer (None: the row is rejected)."""
    for name in spec.required:
        if v.get(name) is None:
            result.reject("required_missing", name)
    if result.outcome == "reject":
        return None
    customer, vehicle = link(result, v, lk)
    if customer is None:
        return None
    event = {k: v[k] for k in (*spec.key, *spec.columns) if v.get(k) is not None}
    # A default stands in for a part of the key the row lacks; other defaults only fill a new
    # event (_complete), never a stored one's value the file does not give.
    for name in spec.key:
        if name in spec.defaults:
            event.setdefault(name, spec.defaults[name])
    event["customer_id"] = customer["id"]
    event["vehicle_id"] = vehicle["id"] if vehicle is not None else None
    if vehicle is None and (v.get("vin") or v.get("plate")):
        # Found by mobile: the car the row names is none of the customer's.
        warn(result, "car_not_stored", "vin" if v.get("vin") else "plate")
    elif vehicle is not None:
        note_mobile_of_another(result, v, lk, customer)
    if spec.table == "complaint":
        _closed(result, v, event)
    return event


def _closed(result: RowResult, v: dict[str, Any], event: dict[str, Any]) -> None:
    """Whether a complaint is resolved, and when. A close date makes it resolved, unless the
    status says it is not (未解决, 处理中): DMS exports fill 处理日期 for a step that did not
    close it, so the complaint stays open and the date goes into the resolution text. A close
    date before the complaint was opened is left out; the status alone then says whether it
    is resolved."""
    closed = event.get("resolved_date")
    if closed is None:
        return
    if closed < event["opened_date"]:
        del event["resolved_date"]
        warn(result, "resolved_before_opened", "resolved_date")
    elif v.get("resolved") is False:
        del event["resolved_date"]
        event["resolution"] = "；".join(
            p for p in (f"处理日期 {closed.isoformat()}", event.get("resolution")) if p)
        warn(result, "resolved_date_but_open", "resolved_date")
    else:
        event["resolved"] = True


def _stored(spec: EventKind, lk: Lookup, result: RowResult, v: dict[str, Any],
            event: dict[str, Any], seen: set[int]) -> dict[str, Any] | None:
    """The stored event (or one an earlier row created) that the row's event is, None if it is
    new. By its whole key; else, for a kind with a loose part (a visit's work order), by the
    rest of it: a row naming a work order is the one such event stored without any; a row
    naming none is the one stored with one, and when there are several the row is rejected
    (nothing says which)."""
    keys = ("customer_id", *spec.key)
    stored = _of_car(spec, lk, event, lk.events.get(tuple(event.get(k) for k in keys)))
    if stored is None and event.get("vehicle_id") is not None and "vehicle_id" in spec.key:
        # Stored before its car was (a second car's visit found by mobile, its car made since):
        # this one, its car filled in (_car_found), not a second visit beside it.
        carless = lk.events.get(tuple(None if k == "vehicle_id" else event.get(k) for k in keys))
        if carless is not None and carless["id"] not in seen:
            return carless
    if spec.repeats:
        return _attempt(spec, lk, event, seen, stored) if stored is not None \
            else _corrected(spec, lk, event, seen)
    if stored is not None and spec.similar and stored["id"] in seen:
        return _another(spec, lk, event, seen)
    if stored is None and spec.similar:
        return _similar(spec, lk, event, seen)
    if stored is not None or spec.loose is None:
        return stored
    if (moved := _same_order(spec, lk, v, event)) is not None:
        return moved
    others = lk.loose_events.get(tuple(event.get(k) for k in keys if k != spec.loose), [])
    if event.get(spec.loose) is not None:
        return next((e for e in others if e.get(spec.loose) is None), None)
    if len(others) > 1:
        result.reject("work_order_needed", spec.loose)
    return others[0] if len(others) == 1 else None


def _same_key(spec: EventKind, lk: Lookup, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer's purchases (stored, or made by earlier rows) with the row's whole key, of
    any car: the events dict keeps one a key, the `similar` index each."""
    return [e for e in lk.similar.get((event["customer_id"], *(event[k] for k in spec.similar)),
                                      ())
            if all(e.get(k) == event.get(k) for k in spec.key)]


def _of_car(spec: EventKind, lk: Lookup, event: dict[str, Any],
            stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """Of the purchases with the row's key (customer, day, kind, description), the one of the
    row's car: two cars' 商业险续保 renewed on one day without policy numbers are two
    purchases (the second row was taken for the first, and its car's renewal and money lost).
    One stored without a car is the one found by the key; a row naming no car finds the one
    of its amount, else the one found by the key."""
    car = event.get("vehicle_id")
    if not spec.similar or stored is None or stored.get("vehicle_id") == car:
        return stored
    alike = _same_key(spec, lk, event)
    if car is None:
        return next((e for e in alike if _paid(e) == event.get("amount")), stored)
    mine = next((e for e in alike if e.get("vehicle_id") == car), None)
    return mine if mine is not None or stored.get("vehicle_id") is not None else stored


def _another(spec: EventKind, lk: Lookup, event: dict[str, Any],
             seen: set[int]) -> dict[str, Any] | None:
    """For a purchase row just like an earlier row of this import (two 脚垫 of 300 on one day,
    one line each): a stored purchase of the same key and car that no earlier row took, or
    None, a purchase of its own. A file read again finds each of its lines again, one stored
    purchase a line; the second line was taken for the first, and its money lost."""
    alike = [e for e in _same_key(spec, lk, event)
             if e["id"] not in seen and e.get("vehicle_id") == event.get("vehicle_id")]
    return next((e for e in alike if _paid(e) == event.get("amount")),
                alike[0] if alike else None)


def _attempt(spec: EventKind, lk: Lookup, event: dict[str, Any], seen: set[int],
             stored: dict[str, Any]) -> dict[str, Any] | None:
    """Of the stored contacts just like the row's, in a file of days without times: one no
    earlier row of this import took, of the row's car, and best alike in all else the row says
    or leaves unsaid (its feedback); None when earlier rows took each (the row is an attempt
    of its own: two 无人接听 of one day were kept as one, and the K unanswered calls that move a
    customer to another channel came late). A row with its time is the one contact of that
    time, as before."""
    if _timed(event[spec.date]):
        return stored
    free = [e for e in _repeated(spec, lk, event, seen)
            if all(e[k] == event[k] for k in spec.key) and e.get("vehicle_id") == event.get(
                "vehicle_id")]
    said = [c for c in spec.columns if event.get(c) is not None]
    alike = [e for e in free if all(e.get(c) == event[c] for c in said)] or free
    if alike:  # the one that also leaves unsaid most of what the row does
        return max(alike, key=lambda e: sum(e.get(c) == event.get(c) for c in spec.columns))
    return None if stored["id"] in seen else stored


def _corrected(spec: EventKind, lk: Lookup, event: dict[str, Any],
               seen: set[int]) -> dict[str, Any] | None:
    """The one contact stored at the row's moment (to the minute or second) and channel with
    another outcome, when the row has its time: a call centre's export read again after the
    outcome was put right (未接通, then 接通) is that contact, not a second one beside it. None
    for a day alone (two attempts of one day are told apart by their outcome), when none or
    several are, or when an earlier row of this import took it (two attempts of one minute)."""
    if not _timed(event[spec.date]):
        return None
    others = _repeated(spec, lk, event, seen)
    return others[0] if len(others) == 1 else None


def _repeated(spec: EventKind, lk: Lookup, event: dict[str, Any],
              seen: set[int]) -> list[dict[str, Any]]:
    """The customer's events of the row's moment and channel (`repeats`) no earlier row of this
    import took."""
    return [e for e in lk.similar.get((event["customer_id"], *(event[k] for k in spec.repeats)),
                                      ()) if e["id"] not in seen]


def _timed(when: dt.date) -> bool:
    """Whether a contact's moment has its time (midnight is a day typed alone)."""
    return isinstance(when, dt.datetime) and when.time() != dt.time()


ORDER_SAID = "单号 "  # how a purchase's description begins with its order number


def _order_and_rest(description: str | None) -> tuple[str | None, str]:
    """A purchase's order number (None: the description names none) and the rest of its
    description (item and remarks), as _internal in engine.py joins them."""
    text = description or ""
    if not text.startswith(ORDER_SAID):
        return None, text
    order, _, rest = text[len(ORDER_SAID):].partition("；")
    return order, rest


def _similar(spec: EventKind, lk: Lookup, event: dict[str, Any],
             seen: set[int]) -> dict[str, Any] | None:
    """The one stored purchase that the row's is, though their descriptions differ: of the
    same customer, day and kind, and either of the same order number, or with an order number
    on one side only and the same item and amount (an insurer's file without 保单号 and the
    dealer's with it). None when none is, or several. Never one an earlier row of this import
    made or found (`seen`): two rows of one file with one order number and two items are two
    lines of the order (座套 800, 脚垫 600), each a purchase."""
    order, rest = _order_and_rest(event.get("description"))
    car, amount = event.get("vehicle_id"), event.get("amount")
    found = []
    for other in lk.similar.get((event["customer_id"], *(event[k] for k in spec.similar)), ()):
        if car is not None and other.get("vehicle_id") not in (None, car) or _refund(other) \
                or other["id"] in seen:
            continue
        theirs, their_rest = _order_and_rest(other.get("description"))
        if order is not None and theirs is not None:
            alike = order == theirs
        else:
            alike = (order is None) != (theirs is None) and rest == their_rest and (
                amount is None or other.get("amount") is None or _paid(other) == amount)
        if alike:
            found.append(other)
    return found[0] if len(found) == 1 else None


def _refund(purchase: dict[str, Any]) -> bool:
    return purchase.get("amount") is not None and purchase["amount"] < 0


def _paid(purchase: dict[str, Any]) -> Any:
    """What the customer paid for a purchase: what they kept of it and what was given back."""
    return purchase["amount"] + (purchase.get("refunded") or 0)


# Words that say a purchase row gives money back (退货 an accessory, 退保 a policy, 冲红 an
# invoice reversed).
REFUND_WORDS = ("退货", "退款", "退保", "退费", "退回", "退还", "冲红", "红冲", "冲销", "撤销",
                "取消", "退")
REFUND_SAID = "退款"
# Of those, the words that make a row a refund though its amount is written positive (a DMS
# with a 类型 column of 销售 and 退货 and the money always positive).
REFUND_FOR_SURE = ("退货", "退款", "退保", "退费", "冲红", "红冲")
REFUND = "refund"  # what a refund row creates, as the import report names it (a purchase row)
AWAITING = "awaiting_purchase"  # a refund's column: stored before what it returns


def says_refund(kind: str | None) -> bool:
    """Whether a purchase's kind as typed says it gives money back (退货, 退保)."""
    return kind is not None and any(w in kind for w in REFUND_FOR_SURE)


def refund_item(item: str | None, remarks: str | None) -> str:
    """A refund's item as stored: said to be a refund when neither it nor its remarks say so
    (a DMS writes "脚垫, -800"), so that it reads as one and is never the purchase's twin."""
    if any(w in f"{item or ''}{remarks or ''}" for w in REFUND_WORDS):
        return item or ""
    return f"{REFUND_SAID} {item}" if item else REFUND_SAID


def _what_returned(description: str | None) -> str:
    """The item a refund gives back: its description without order number, refund words,
    spaces and punctuation ("单号 A1；脚垫退货" -> "脚垫")."""
    rest = _order_and_rest(description)[1]
    for word in REFUND_WORDS:
        rest = rest.replace(word, "")
    return work_key(rest)


def _refunds(ctx: Context, spec: EventKind, lk: Lookup,
             rows: list[tuple[RowResult, dict[str, Any]]]) -> None:
    """Each refund stored as a row of its own, and netted against the purchase it returns: that
    purchase keeps in its amount what the customer kept, and says what was given back. A refund
    read before (the same file again) is not netted twice. A refund that names no purchase
    found is kept with a note: spends are then as they were."""
    keys = ("customer_id", *spec.key)
    bought = _bought(ctx, lk, {e["customer_id"] for _, e in rows},
                     max(e["purchase_date"] for _, e in rows))
    for result, event in rows:
        ctx.writer.row = result
        stored = _of_car(spec, lk, event, lk.events.get(tuple(event.get(k) for k in keys)))
        if stored is None:
            purchase = _returned(event, bought.get(event["customer_id"], []))
            if purchase is not None and event.get("vehicle_id") is None:
                event = {**event, "vehicle_id": purchase.get("vehicle_id")}  # its car's
            row = _complete(spec, ctx, event)
            # Kept to be netted when an import brings what it returns (_earlier_refunds).
            row[AWAITING] = True if purchase is None else None
            ctx.writer.insert(spec.table, row)
            lk.add_event(row, keys, spec.loose, spec.similar)
            result.created.append(REFUND)
            _net(ctx, spec, result, event, purchase)
            stored = row
        elif stored.get("amount") != event["amount"]:
            # What it was taken off is not recorded, so a new amount cannot be netted again.
            warn(result, "refund_amount_differs", "amount")
        ctx.seen[spec.table].add(stored["id"])
        result.settle()


def _bought(ctx: Context, lk: Lookup, customers: set[int],
            last: dt.date) -> dict[int, list[dict[str, Any]]]:
    """The customers' purchases on or before `last` that kept some money: stored ones, and
    those this chunk made or changed as it left them."""
    table = Base.metadata.tables["other_purchase"]
    by_id = {e["id"]: e for e in lk.events.values() if e["customer_id"] in customers}
    for part in in_parts(customers):
        for row in ctx.conn.execute(select(table).where(
                table.c.customer_id.in_(part), table.c.purchase_date <= last,
                table.c.amount > 0)).mappings():
            by_id.setdefault(row["id"], dict(row))
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for purchase in by_id.values():
        if purchase["amount"] > 0:  # a purchase row always has its amount (NOT NULL, default 0)
            found[purchase["customer_id"]].append(purchase)
    return found


def _earlier_refunds(ctx: Context, spec: EventKind,
                     bought: list[tuple[RowResult, dict[str, Any]]]) -> None:
    """Refunds stored before the purchases they return (a file of 2026 imported before the
    file of 2025, or the refunds before the sales), netted against the purchases this chunk
    created: each waiting refund of their customers that one of them is what it returns
    (_returned), the row that brought the purchase saying so."""
    table = Base.metadata.tables[spec.table]
    of_customer: dict[int, list[dict[str, Any]]] = defaultdict(list)
    row_of: dict[int, RowResult] = {}
    for result, made in bought:
        of_customer[made["customer_id"]].append(made)
        row_of[made["id"]] = result
    for part in in_parts(sorted(of_customer)):
        waiting = ctx.conn.execute(
            select(table).where(table.c.customer_id.in_(part), table.c[AWAITING].is_(True))
            .order_by(table.c[spec.date], table.c.id)).mappings().all()
        for stored in waiting:
            refund = dict(stored)
            purchase = _returned(refund, of_customer[refund["customer_id"]])
            if purchase is None:
                continue
            result = row_of[purchase["id"]]
            ctx.writer.row = result
            changes: dict[str, Any] = {AWAITING: None}
            if refund.get("vehicle_id") is None and purchase.get("vehicle_id") is not None:
                changes["vehicle_id"] = purchase["vehicle_id"]  # its car's
            ctx.writer.amend(spec.table, refund["id"], changes,
                             {c: refund.get(c) for c in changes})
            _net(ctx, spec, result, refund, purchase, earlier=True)
            result.settle()


def _net(ctx: Context, spec: EventKind, result: RowResult, refund: dict[str, Any],
         purchase: dict[str, Any] | None, earlier: bool = False) -> None:
    """Take the refund off the purchase it returns (_returned), never below nothing kept.
    `earlier`: the refund was stored before, and `result` is the row of the purchase."""
    if purchase is None:
        warn(result, "refund_unmatched", "amount")
        return
    back = -refund["amount"]
    if back > purchase["amount"]:
        warn(result, "refund_exceeds", "amount")
        back = purchase["amount"]
    old = {"amount": purchase["amount"], "refunded": purchase.get("refunded") or 0}
    new = {"amount": old["amount"] - back, "refunded": old["refunded"] + back}
    ctx.writer.amend(spec.table, purchase["id"], new, old)
    purchase.update(new)
    if earlier:
        result.changes.append((EARLIER_REFUND_NETTED,
                               f"{refund['purchase_date'].isoformat()} {-back:.2f}",
                               f"{old['amount']:.2f} → {new['amount']:.2f}"))
        return
    item = _order_and_rest(purchase.get("description"))[1] or REFUND_SAID
    result.changes.append((REFUND_NETTED, None, (
        f"{purchase['purchase_date'].isoformat()} {item} {old['amount']:.2f} → "
        f"{new['amount']:.2f}")))


def _returned(refund: dict[str, Any], bought: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The purchase a refund gives money back for: of its customer, on or before its day, of
    its kind (any, when the refund says none), of its car when both name one; of its order
    number when both name one, else of the item it names; when it names neither, of its amount.
    Of several, the one whose amount it is, else one that still holds it, else the latest."""
    order, _ = _order_and_rest(refund.get("description"))
    item = _what_returned(refund.get("description"))
    car, back = refund.get("vehicle_id"), -refund["amount"]
    found = [p for p in bought
             if p["purchase_date"] <= refund["purchase_date"] and p["amount"] > 0
             and refund.get("kind") in (None, "other", p["kind"])
             and (car is None or p.get("vehicle_id") in (None, car))]
    named = [p for p in found if order is not None
             and _order_and_rest(p.get("description"))[0] == order]
    if named:
        found = named
    elif item:
        found = [p for p in found
                 if _alike(item, work_key(_order_and_rest(p.get("description"))[1]))]
    else:
        found = [p for p in found if p["amount"] == back]
    return max(found, key=lambda p: (p["amount"] == back, p["amount"] >= back,
                                     p["purchase_date"], p["id"]), default=None)


def _alike(returned: str, bought: str) -> bool:
    """One item names the other (脚垫 returned of 全车脚垫, 商业险 of 商业险续保)."""
    return bool(returned and bought) and (returned in bought or bought in returned)


def _named_order(spec: EventKind, stored: dict[str, Any],
                 event: dict[str, Any]) -> tuple[str, ...]:
    """The description, when the row found a purchase stored without an order number and
    names one: the stored one then says it too, and is found by it next time."""
    if not spec.similar or _order_and_rest(stored.get("description"))[0] is not None:
        return ()
    return ("description",) if _order_and_rest(event.get("description"))[0] is not None else ()


def _same_order(spec: EventKind, lk: Lookup, v: dict[str, Any],
                event: dict[str, Any]) -> dict[str, Any] | None:
    """The stored event of the customer's car with the row's work order (and its type, when
    the row gives one), whatever its date: a work order number names one visit, so another
    date is the DMS's correction. The type still tells two lines of one work order apart;
    of several such events, the one nearest in date."""
    order = event.get(spec.loose) if spec.loose else None
    if order is None:
        return None
    car = event.get("vehicle_id")
    found = [e for e in lk.by_loose.get((event["customer_id"], order), ())
             if (car is None or e.get("vehicle_id") in (None, car))
             and all(e.get(k) == event.get(k) for k in spec.key
                     if k not in ("vehicle_id", spec.date, spec.loose) and v.get(k) is not None)]
    day = event[spec.date]
    return min(found, key=lambda e: abs((e[spec.date] - day).days), default=None)


def _car_found(spec: EventKind, stored: dict[str, Any],
               event: dict[str, Any]) -> tuple[str, ...]:
    """The car, when the row found an event stored without one and names it."""
    if "vehicle_id" not in spec.key or stored.get("vehicle_id") is not None:
        return ()
    return ("vehicle_id",) if event.get("vehicle_id") is not None else ()


def _moved(spec: EventKind, stored: dict[str, Any], event: dict[str, Any]) -> tuple[str, ...]:
    """The date, when the row found the event by its work order (it may correct the date); the
    rest of the key, when the row found it by its moment (_corrected: an outcome put right)."""
    if spec.repeats:
        return tuple(k for k in spec.key if k not in spec.repeats)
    if spec.loose is None or event.get(spec.loose) is None \
            or stored.get(spec.loose) != event[spec.loose]:
        return ()
    return (spec.date,)


def _store(ctx: Context, spec: EventKind, lk: Lookup, result: RowResult, v: dict[str, Any],
           event: dict[str, Any]) -> dict[str, Any] | None:
    """The event stored for the row, or created by it (None: the row is rejected)."""
    keys = ("customer_id", *spec.key)
    go_on = event.pop(LINES_GO_ON, False)
    stored = _stored(spec, lk, result, v, event, ctx.seen[spec.table])
    if result.outcome == "reject":
        return None
    stored, gone = reversals.resettled(ctx, event, stored) if spec.table == "service_visit" \
        else (stored, None)
    if gone is not None:
        # Its file again, or a later export still listing it: not made again (nor its km).
        result.issues.append(Issue("visit_cancelled_before", "amount", "warning",
                                   value=reversals.said(gone, gone["amount"])))
        return None
    km = v.get("km") if spec.table == "service_visit" and event.get("vehicle_id") else None
    if km is not None and (
            problem := _km_problem(lk, event["vehicle_id"], event["visit_date"], km)):
        if replace_list_reading(ctx, lk, event["vehicle_id"], event["visit_date"], km):
            # Only an owners list's km, read on a day it does not give, was in the way.
            warn(result, "km_replaces_list_reading", "km")
        else:
            # Not the car's odometer: not the visit's km either, which the maintenance due
            # date counts from (a maintenance visit typed 13,600 for 136,000 km made a car
            # serviced last week seven years overdue). The problems file shows the km as typed.
            warn(result, problem, "km")
            event = {**event, "km": None}
            km = None
    if event.get("next_service_km") is not None \
            and _passed(lk, event, event["next_service_km"]):
        # The interval (5000), not the odometer's mark: the car would be years overdue.
        warn(result, "next_service_km_not_above", "next_service_km")
        event = {**event, "next_service_km": None}
    if stored is None:
        row = _complete(spec, ctx, event)
        ctx.writer.insert(spec.table, row)
        lk.add_event(row, keys, spec.loose, spec.listed)
        result.created.append(spec.table)
        stored = row
    else:
        if stored.get("refunded") and event.get("amount") is not None:
            # The file says what was paid; what is stored is what was kept of it.
            event = {**event, "amount": max(event["amount"] - stored["refunded"], 0)}
        if spec.table == "service_visit" and event.get("amount") is not None \
                and (back := reversals.taken_off(stored.get("note"))):
            # The same: what a part reversal (冲红) left of the visit.
            event = {**event, "amount": max(event["amount"] - back, 0)}
        note = None
        if spec.table == "service_visit" and event.get("note") and stored.get("note"):
            note = _note_added(stored["note"], event["note"])
            event = {k: x for k, x in event.items() if k != "note"}
        changes = merge(ctx, result, spec.table, stored, event,
                        (*_moved(spec, stored, event), *_named_order(spec, stored, event),
                         *_car_found(spec, stored, event),
                         *(c for c in spec.columns if not (go_on and c == "amount"))))
        if go_on and stored.get("amount") != event["amount"]:
            changes["amount"] = event["amount"]  # the order's lines of the chunk before, and these
        if note is not None:
            changes["note"] = note
        if changes:
            old = {c: stored.get(c) for c in changes}
            ctx.writer.amend(spec.table, stored["id"], changes, old)
            for column, value in changes.items():
                if column == "vehicle_id":  # the car by its plate or VIN, as staff know it
                    car = lk.vehicles.get(value) or {}
                    value = car.get("plate") or car.get("vin") or value
                result.changes.append((column, stored.get(column), value))
                if stored["id"] not in ctx.writer.created[spec.table]:
                    ctx.changed_fields[column] += 1
            stored.update(changes)
            if set(changes) & set(spec.key):  # now found by its new key too
                lk.add_event(stored, keys, spec.loose, spec.listed)
    ctx.seen[spec.table].add(stored["id"])
    if km is not None:
        _reading(ctx, lk, result, event["vehicle_id"], event["visit_date"], km)
    result.settle()
    return stored


def _insured_until(ctx: Context, lk: Lookup, result: RowResult, purchase: dict[str, Any],
                   expiry: dt.date) -> None:
    """A policy's expiry as its car's insurance expiry, when it is later than the stored one
    (an older policy's file read after a newer one changes nothing); a purchase of no known
    car changes none."""
    car = lk.vehicles.get(purchase["vehicle_id"]) if purchase.get("vehicle_id") else None
    if car is None:
        return
    old = car.get("insurance_expiry")
    if old is not None and old >= expiry:
        return
    ctx.writer.amend("vehicle", car["id"], {"insurance_expiry": expiry},
                     {"insurance_expiry": old})
    car["insurance_expiry"] = expiry
    result.changes.append(("insurance_expiry", old, expiry))
    ctx.changed_fields["insurance_expiry"] += 1
    result.settle()


def _note_added(stored: str, new: str) -> str | None:
    """A stored visit's note with the parts of the row's note it lacks added (its work order,
    advisor, work done, each parted by ；), or None when it lacks none. Nothing is taken away:
    a later export without the advisor column keeps the advisor, and a DMS that writes each
    line of a work order as a row of its own gives the visit every line's work."""
    parts = stored.split("；")
    added = [p for p in new.split("；") if p not in parts]
    return "；".join((*parts, *added)) if added else None


def _complete(spec: EventKind, ctx: Context, event: dict[str, Any]) -> dict[str, Any]:
    """Every column of a new event's row (executemany wants the same keys in every row)."""
    table = Base.metadata.tables[spec.table]
    row = {c.name: event[c.name] if event.get(c.name) is not None
           else spec.defaults.get(c.name) for c in table.columns if c.name != "id"}
    if "created_at" in row:
        row["created_at"] = ctx.writer.now
    if spec.table == "service_visit" and row["amount"] is None:
        row["amount"] = 0
    if spec.table == "complaint" and row["resolved"] is None:
        row["resolved"] = False
    return row


def _km_problem(lk: Lookup, vehicle_id: int, day: dt.date, km: int) -> str | None:
    """Why a visit's km cannot be the car's odometer that day (a problem code), else None."""
    if (day, km) in lk.readings[vehicle_id]:
        return None
    return lk.reading_out_of_line(vehicle_id, day, km)


def _passed(lk: Lookup, visit: dict[str, Any], km: int) -> bool:
    """Whether the visit's car had reached `km` by then: the visit's own km (one its readings
    did not refuse), or a reading of the car on or before the visit's day."""
    if visit.get("km") is not None and km <= visit["km"]:
        return True
    car = visit.get("vehicle_id")
    return car is not None and any(d <= visit["visit_date"] and k >= km
                                   for d, k in lk.readings[car])


def _reading(ctx: Context, lk: Lookup, result: RowResult, vehicle_id: int, day: dt.date,
             km: int) -> None:
    """The visit's km, checked (_km_problem) already, as a reading of the car's."""
    readings = lk.readings[vehicle_id]
    if (day, km) in readings:
        return
    ctx.writer.insert("mileage_reading", {
        "vehicle_id": vehicle_id, "reading_date": day, "km": km, "source": "visit",
        "created_at": ctx.writer.now})
    readings.add((day, km))
    if not result.created:
        result.changes.append(("km", None, km))


def warn(result: RowResult, code: str, field_key: str | None) -> None:
    result.issues.append(Issue(code, field_key, "warning"))
