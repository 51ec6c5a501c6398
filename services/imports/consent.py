"""Marketing consent from a customer file (营销同意 是/否): a row's value becomes a consent event
(source "import") only when it changes the consent in force for that customer, so importing
the same file again records nothing twice. The event is dated by the row's consent date, else
the day the file was exported (导出时间 above its header), else the import's day; undoing the
batch deletes it with the other rows the batch created (services/imports/batches.py)."""

from __future__ import annotations

from typing import Any

from services.imports.context import Context
from services.imports.lookup import Lookup
from services.imports.results import Issue, RowResult

FIELD = "marketing_consent"
NOTE_LENGTH = 200  # consent_event.note


def record_consent(ctx: Context, lk: Lookup, result: RowResult, customer: dict,
                   v: dict[str, Any]) -> None:
    granted = v.get(FIELD)
    if granted is None:
        return
    customer_id = customer["id"]
    earlier = ctx.consent_in_file.get(customer_id)
    if earlier is not None:
        # One row per vehicle: the customer's first row of the file says it.
        if earlier != granted:
            result.issues.append(Issue("differs_in_file", FIELD, "warning"))
        return
    ctx.consent_in_file[customer_id] = granted
    # A day's grace lets a date cell be tomorrow (clocks, time zones); consent recorded after
    # today would not be in force today, so it counts from today.
    day = min(v.get("consent_date") or ctx.km_day or ctx.today, ctx.today)
    stored = lk.consent_of(customer_id)
    if stored is not None:
        stored_day, stored_granted = stored
        if stored_granted == granted:
            return
        if stored_day > day:
            # Recorded later than the file knows (a customer who withdrew by phone since the
            # export): the later word stands.
            result.issues.append(Issue("consent_older", FIELD, "warning"))
            return
    ctx.writer.insert("consent_event", {
        "customer_id": customer_id, "kind": "marketing", "granted": granted,
        "event_date": day, "source": "import", "staff_id": ctx.staff_id,
        "note": ctx.note[:NOTE_LENGTH], "recorded_at": ctx.writer.now,
    })
    lk.consent[customer_id] = (day, granted)
    result.changes.append((FIELD, None if stored is None else stored[1], granted))
    if customer_id not in ctx.writer.created["customer"]:
        ctx.changed_fields[FIELD] += 1
