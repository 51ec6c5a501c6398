"""Merging a duplicate customer into the one kept, and undoing it.

Everything of the merged customer moves to the kept one in one transaction: every row of every
table with a customer_id (MOVED_TABLES), and the audit entries about them. A row the kept
customer already has the like of (preferences, a tag, a place on the same list run: a row that
would break a unique key) is removed instead. The kept customer's empty fields are filled from
the merged one, the merged customer's row is deleted, and a CustomerMerge record keeps exactly
what moved, what was removed and what was filled, so the merge can be undone exactly while
nothing that depends on it changed since."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, Base, Customer, CustomerMerge, StaffUser
from models.base import utcnow
from services.customers import merge_rows as rows
from services.customers.gone import REMOVED
from services.customers.preferences import audit
from services.customers.profile import value_as_of_select
from services.imports.phones import OTHER_PHONES_SEPARATOR, added_phones, stored_phones
from services.staff.accounts import confirm
from services.staff.permissions import MERGE_CUSTOMERS, NOT_PASSED, Actor, NotPassed, require
from services.store.errors import N_, RevisitError
from services.store.versions import bumped

DETAIL_VERSION = 1
# Fields filled together: an address is taken whole or not at all, a birthday with its MMDD.
FILL_GROUPS: tuple[tuple[str, ...], ...] = (
    ("contact_name",),
    ("gender",),
    ("birthday", "birthday_md"),
    ("mobile",),
    ("dms_code",),
    ("other_phones",),
    ("province", "city", "district", "street", "postcode"),
    ("wechat_id",),
    ("employer",),
    ("source",),
    ("owner_staff_id",),
    ("lifecycle_stage",),
    ("note",),
)


@dataclass(frozen=True)
class MergeResult:
    """What a merge did (or, from preview_merge, would do)."""

    merge_id: int | None
    kept_id: int
    kept_code: str
    merged_id: int
    merged_code: str
    # Rows moved and rows removed (the kept customer had their like), per table.
    moved: dict[str, int]
    removed: dict[str, int]
    # The kept customer's fields that changed: field -> (before, after). For an undo: the value
    # the merge had set, and the value put back.
    filled: dict[str, tuple[Any, Any]]
    # The merged customer's numbers the kept one's other phones had no room for
    # (OTHER_PHONES_LENGTH characters): written into the kept customer's note instead.
    phones_in_note: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeInfo:
    id: int
    kept_id: int
    kept_code: str | None  # None once the kept customer is gone too
    merged_id: int
    merged_code: str
    merged_name: str
    staff: str | None
    merged_at: dt.datetime
    evidence: tuple[str, ...]
    undone_at: dt.datetime | None


# ---------------------------------------------------------------------------
# finding customers and staff by what people type
# ---------------------------------------------------------------------------


def customer_id_of(sessions: sessionmaker[Session], ref: str) -> int:
    """The customer with code `ref` (e.g. C0001234), or else id `ref`. A customer merged away
    is named as such."""
    ref = ref.strip()
    with sessions() as s:
        found = s.scalar(select(Customer.id).where(Customer.code == ref))
        if found is None and ref.isdigit():
            found = s.scalar(select(Customer.id).where(Customer.id == int(ref)))
        if found is not None:
            return found
        _refuse_if_merged_away(s, ref)
    raise RevisitError(N_("There is no customer with the code or id '{ref}'."), ref=ref)


def _refuse_if_merged_away(s: Session, ref: str | int) -> None:
    """RevisitError if `ref` (a code or an id) names a customer merged into another."""
    code, number = str(ref), int(ref) if str(ref).isdigit() else None
    cond = CustomerMerge.merged_code == code
    if number is not None:
        cond = cond | (CustomerMerge.merged_id == number)
    merge = s.scalars(
        select(CustomerMerge).where(cond, CustomerMerge.undone_at.is_(None))
        .order_by(CustomerMerge.id.desc()).limit(1)
    ).first()
    if merge is not None:
        kept = s.scalar(select(Customer.code).where(Customer.id == merge.kept_id))
        raise RevisitError(
            N_("Customer {merged} was already merged into {kept} (merge #{merge} on {date})."),
            merged=merge.merged_code, kept=kept or f"#{merge.kept_id}", merge=merge.id,
            date=f"{merge.merged_at:%Y-%m-%d}")


def _locked_customer(s: Session, customer_id: int) -> dict[str, Any]:
    row = s.execute(
        select(Customer.__table__).where(Customer.id == customer_id).with_for_update()
    ).mappings().first()
    if row is None:
        # One look-up of the merges: a customer merged away is named as such; one no merge
        # took is gone (removed).
        _refuse_if_merged_away(s, customer_id)
        raise RevisitError(REMOVED)
    return dict(row)


# ---------------------------------------------------------------------------
# merging
# ---------------------------------------------------------------------------


def merge_customers(
    sessions: sessionmaker[Session],
    kept_id: int,
    merged_id: int,
    *,
    staff_id: int | None = None,
    evidence: Sequence[str] = (),
    today: dt.date | None = None,
    actor: Actor | None | NotPassed = NOT_PASSED,
) -> MergeResult:
    """Merge customer `merged_id` into `kept_id` in one transaction, audit-logged; a
    supervisor's action (an `actor` not passed: a caller from before accounts, unchecked)."""
    with sessions.begin() as s:
        if not isinstance(actor, NotPassed):
            staff_id = require(confirm(s, actor), MERGE_CUSTOMERS).id
        return _merge(s, kept_id, merged_id, staff_id, evidence, today or dt.date.today(), True)


def preview_merge(
    sessions: sessionmaker[Session], kept_id: int, merged_id: int, *, today: dt.date | None = None
) -> MergeResult:
    """What merge_customers would do, without doing it (the merge is run and rolled back)."""
    with sessions() as s:
        try:
            return _merge(s, kept_id, merged_id, None, (), today or dt.date.today(), False)
        finally:
            s.rollback()


def _merge(s: Session, kept_id: int, merged_id: int, staff_id: int | None,
           evidence: Sequence[str], today: dt.date, record: bool) -> MergeResult:
    rows.check_tables_known()
    if kept_id == merged_id:
        raise RevisitError(N_("A customer cannot be merged into itself."))
    # Lock both in id order, so two merges of the same pair wait for each other (PostgreSQL).
    locked = {i: _locked_customer(s, i) for i in sorted((kept_id, merged_id))}
    kept, merged = locked[kept_id], locked[merged_id]
    moved, removed = {}, {}
    for table in rows.moved_tables():
        removed_rows = rows.remove_taken(s, table, kept_id, merged_id)
        keys = rows.move(s, table, merged_id, kept_id)
        if keys:
            moved[table.name] = keys
        if removed_rows:
            removed[table.name] = removed_rows
    audit_ids = list(s.scalars(
        select(AuditLog.id).where(AuditLog.entity == "customer", AuditLog.entity_id == merged_id)
    ))
    rows.update_in(s, AuditLog.__table__, AuditLog.__table__.c.id, audit_ids,
                   {"entity_id": kept_id})
    before, after, in_note = _fill(kept, merged)
    stage = _stage_today(s, kept_id, today)
    if stage is not None and stage != (after.get("lifecycle_stage", kept["lifecycle_stage"])):
        before.setdefault("lifecycle_stage", kept["lifecycle_stage"])
        after["lifecycle_stage"] = stage
    customer = Customer.__table__
    if after:
        s.execute(update(customer).where(customer.c.id == kept_id).values(bumped(customer, after)))
    s.execute(delete(customer).where(customer.c.id == merged_id))
    result = MergeResult(
        merge_id=None, kept_id=kept_id, kept_code=kept["code"], merged_id=merged_id,
        merged_code=merged["code"], moved={t: len(k) for t, k in moved.items()},
        removed={t: len(r) for t, r in removed.items()},
        filled={f: (before[f], after[f]) for f in after}, phones_in_note=tuple(in_note),
    )
    if not record:
        return result
    detail = {
        "version": DETAIL_VERSION,
        "merged_customer": rows.encode(customer, merged),
        "moved": moved,
        "removed": removed,
        "audit_moved": audit_ids,
        "cross_refs": rows.cross_refs(s, kept_id, moved),
        "kept_before": rows.encode_values(customer, before),
        "kept_after": rows.encode_values(customer, after),
        "kept_updated_at": rows.encode_values(customer, {"updated_at": kept["updated_at"]}),
    }
    merge = CustomerMerge(kept_id=kept_id, merged_id=merged_id, merged_code=merged["code"],
                          staff_id=staff_id, evidence=",".join(evidence) or None,
                          detail=json.dumps(detail, ensure_ascii=False))
    s.add(merge)
    s.flush()
    audit(s, "merge_customers", "customer", kept_id,
          {"merge": merge.id, "merged": {"id": merged_id, "code": merged["code"],
                                         "name": merged["name"]},
           "filled": {f: after[f] for f in after}, "moved": result.moved,
           "removed": result.removed, "evidence": list(evidence)}, staff_id)
    return dataclasses.replace(result, merge_id=merge.id)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill(kept: dict[str, Any], merged: dict[str, Any]) -> tuple[dict, dict, list[str]]:
    """The kept customer's fields to change: (values before, values after, the merged
    customer's numbers written into the note for want of room among the other phones)."""
    after: dict[str, Any] = {}
    for group in FILL_GROUPS:
        if all(_empty(kept[f]) for f in group) and not all(_empty(merged[f]) for f in group):
            after.update({f: merged[f] for f in group if kept[f] != merged[f]})
    if kept["birthday"] is None and merged["birthday"] is not None \
            and kept["birthday_md"] == merged["birthday_md"]:
        after["birthday"] = merged["birthday"]  # the year of a day known without it
    phones, left_out = _other_phones_after(kept, merged, after)
    if phones is not None:
        after["other_phones"] = phones
    if left_out:
        line = (f"其他电话（合并 {merged['code']} 时其他电话栏已满，记于此）："
                f"{'、'.join(left_out)}")
        after["note"] = "\n".join(p for p in (after.get("note", kept["note"]), line) if p)
    return {f: kept[f] for f in after}, after, left_out


def _other_phones_after(kept: dict, merged: dict, after: dict) -> tuple[str | None, list[str]]:
    """The merged customer's phones the kept one does not have yet go to its other phones:
    a second number must not be lost to the call centre. Each is kept whole; those the column
    has no room for are returned apart (the note takes them). The other phones to store are
    None when nothing is added."""
    mobile = after.get("mobile", kept["mobile"])
    phones = stored_phones(after.get("other_phones", kept["other_phones"]))
    added, left_out = added_phones(
        phones, (merged["mobile"], *stored_phones(merged["other_phones"])), known=(mobile,))
    return (OTHER_PHONES_SEPARATOR.join(added) if len(added) > len(phones) else None), left_out


def _stage_today(s: Session, customer_id: int, today: dt.date) -> str | None:
    """The lifecycle stage in force today by the (now joined) profile history, if it has one."""
    return s.scalar(select(value_as_of_select("lifecycle_stage", today, customer_id)))


# ---------------------------------------------------------------------------
# undoing
# ---------------------------------------------------------------------------


def undo_merge(
    sessions: sessionmaker[Session], merge_id: int, *, staff_id: int | None = None,
    actor: Actor | None | NotPassed = NOT_PASSED,
) -> MergeResult:
    """Put back exactly what merge `merge_id` changed: the merged customer, the rows moved and
    removed, the kept customer's filled fields. Refused when later changes make that unsafe.
    A supervisor's action, as merging is."""
    with sessions.begin() as s:
        if not isinstance(actor, NotPassed):
            staff_id = require(confirm(s, actor), MERGE_CUSTOMERS).id
        merge = s.get(CustomerMerge, merge_id, with_for_update=True)
        if merge is None:
            raise RevisitError(N_("There is no customer merge #{merge}."), merge=merge_id)
        if merge.undone_at is not None:
            raise RevisitError(N_("Merge #{merge} was already undone on {date}."),
                               merge=merge_id, date=f"{merge.undone_at:%Y-%m-%d}")
        detail = json.loads(merge.detail)
        customer = Customer.__table__
        kept = _kept_for_undo(s, merge)
        merged = rows.decode(customer, detail["merged_customer"])
        _check_undo(s, merge, kept, merged, detail)
        s.execute(insert(customer).values(**merged))
        kept_id, merged_id = merge.kept_id, merge.merged_id
        for name, keys in detail["moved"].items():
            table = Base.metadata.tables[name]
            changed = rows.move_back(s, table, keys, kept_id, merged_id)
            if changed != len(keys):
                raise _unsafe(merge, N_("Cannot undo merge #{merge}: rows it moved changed "
                                        "while it was being undone; try again."))
        rows.update_in(s, AuditLog.__table__, AuditLog.__table__.c.id, detail["audit_moved"],
                       {"entity_id": merged_id})
        for name, removed in detail["removed"].items():
            table = Base.metadata.tables[name]
            s.execute(insert(table), [rows.decode(table, r) for r in removed])
        restore = rows.decode_values(customer, detail["kept_before"])
        if restore:
            restore.update(rows.decode_values(customer, detail["kept_updated_at"]))
            s.execute(update(customer).where(customer.c.id == kept_id)
                      .values(bumped(customer, restore)))
        merge.undone_at, merge.undone_by = utcnow(), staff_id
        moved = {t: len(k) for t, k in detail["moved"].items()}
        audit(s, "unmerge_customers", "customer", kept_id,
              {"merge": merge.id, "merged": {"id": merged_id, "code": merge.merged_code},
               "restored": {f: v for f, v in detail["kept_before"].items()}, "moved_back": moved},
              staff_id)
        return MergeResult(
            merge_id=merge.id, kept_id=kept_id, kept_code=kept["code"], merged_id=merged_id,
            merged_code=merge.merged_code, moved=moved,
            removed={t: len(r) for t, r in detail["removed"].items()},
            filled={f: (detail["kept_after"][f], v) for f, v in detail["kept_before"].items()},
        )


def _unsafe(merge: CustomerMerge, template: str, **params: Any) -> RevisitError:
    return RevisitError(template, merge=merge.id, **params)


def _kept_for_undo(s: Session, merge: CustomerMerge) -> dict[str, Any]:
    row = s.execute(
        select(Customer.__table__).where(Customer.id == merge.kept_id).with_for_update()
    ).mappings().first()
    if row is not None:
        return dict(row)
    later = s.scalars(
        select(CustomerMerge).where(CustomerMerge.merged_id == merge.kept_id,
                                    CustomerMerge.undone_at.is_(None), CustomerMerge.id > merge.id)
        .order_by(CustomerMerge.id.desc()).limit(1)
    ).first()
    if later is not None:
        raise _unsafe(merge, N_("Cannot undo merge #{merge}: the customer it kept was merged "
                                "into another by merge #{later} since; undo that one first."),
                      later=later.id)
    raise _unsafe(merge, N_("Cannot undo merge #{merge}: the customer it kept no longer exists."))


def _check_undo(s: Session, merge: CustomerMerge, kept: dict[str, Any], merged: dict[str, Any],
                detail: dict) -> None:
    customer = Customer.__table__
    taken = s.execute(
        select(customer.c.code).where((customer.c.id == merged["id"])
                                      | (customer.c.code == merged["code"]))
    ).first()
    if taken is not None:
        raise _unsafe(merge, N_("Cannot undo merge #{merge}: the merged customer's id or code "
                                "{code} is now used by another customer."), code=merged["code"])
    changed_fields = [
        f for f, v in detail["kept_after"].items()
        if rows.encode_values(customer, {f: kept[f]})[f] != v
    ]
    if changed_fields:
        raise _unsafe(merge, N_("Cannot undo merge #{merge}: {fields} of customer {code} changed "
                                "after the merge; change them back first or keep the merge."),
                      fields=", ".join(changed_fields), code=kept["code"])
    gone = [
        name for name, keys in detail["moved"].items()
        if rows.count_owned(s, Base.metadata.tables[name], keys, merge.kept_id) != len(keys)
    ]
    if gone:
        raise _unsafe(merge, N_("Cannot undo merge #{merge}: some of the rows it moved ({tables}) "
                                "were deleted or given to another customer since."),
                      tables=", ".join(rows.table_label(t) for t in gone))
    refs = rows.cross_refs(s, merge.kept_id, detail["moved"])
    known = {k: {json.dumps(i) for i in ids} for k, ids in detail["cross_refs"].items()}
    new_refs = sorted(k for k, ids in refs.items()
                      if {json.dumps(i) for i in ids} - known.get(k, set()))
    if new_refs:
        raise _unsafe(merge, N_("Cannot undo merge #{merge}: records added to customer {code} "
                                "since the merge use what it moved ({tables})."),
                      code=kept["code"],
                      tables=", ".join(dict.fromkeys(rows.table_label(k.split(".")[0])
                                                     for k in new_refs)))
    missing = [
        name for name, removed in detail["removed"].items()
        if not rows.can_insert(s, Base.metadata.tables[name], removed)
    ]
    if missing:
        raise _unsafe(merge, N_("Cannot undo merge #{merge}: what the removed {tables} rows refer "
                                "to was deleted since, or their ids are used again."),
                      tables=", ".join(rows.table_label(t) for t in missing))


# ---------------------------------------------------------------------------
# history
# ---------------------------------------------------------------------------


def list_merges(
    sessions: sessionmaker[Session], *, customer_id: int | None = None, limit: int = 100
) -> list[MergeInfo]:
    """Recent merges, newest first (of one customer, kept or merged, when given)."""
    query = select(CustomerMerge, StaffUser.display_name, Customer.code).outerjoin(
        StaffUser, StaffUser.id == CustomerMerge.staff_id
    ).outerjoin(Customer, Customer.id == CustomerMerge.kept_id)
    if customer_id is not None:
        query = query.where((CustomerMerge.kept_id == customer_id)
                            | (CustomerMerge.merged_id == customer_id))
    query = query.order_by(CustomerMerge.id.desc()).limit(limit)
    with sessions() as s:
        return [
            MergeInfo(
                id=m.id, kept_id=m.kept_id, kept_code=code, merged_id=m.merged_id,
                merged_code=m.merged_code,
                merged_name=json.loads(m.detail)["merged_customer"]["name"], staff=staff,
                merged_at=m.merged_at, evidence=tuple(filter(None, (m.evidence or "").split(","))),
                undone_at=m.undone_at,
            )
            for m, staff, code in s.execute(query)
        ]


__all__ = [
    "FILL_GROUPS",
    "MergeInfo",
    "MergeResult",
    "customer_id_of",
    "list_merges",
    "merge_customers",
    "preview_merge",
    "undo_merge",
]
