"""Erasure on request (PIPL art. 47): a customer's personal data is removed from every row that
holds it, while the customer row, their cars' models and dates, visits, amounts, contacts and
tags stay, so counts and statistics do not change.

What goes: name and contact person, birthday, phones, street address and postcode, WeChat id,
employer, free-text notes and feedback, plate and VIN, the values of those fields in the change
history, and the same values inside list-run snapshots, audit details and import change records
about the customer. Merge records naming the customer are deleted (their detail is a copy of
the merged row). What stays: the customer code (so the dealer's system exporting the same code
again is recognised and not re-imported), gender, province and city, and every date and amount.

After erasure the customer refuses every channel and purpose (a do-not-contact entry and a
withdrawn marketing consent), so no list can pick them again."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import (
    AuditLog,
    Complaint,
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    Customer,
    CustomerMerge,
    DeclinedItem,
    DoNotContact,
    ListRunExclusion,
    ListRunMember,
    ProfileChange,
    Referral,
    SatisfactionSurvey,
    ServiceVisit,
    SuggestionDecision,
    Vehicle,
)
from models.base import utcnow
from models.imports import ImportChange
from services.staff.accounts import confirm
from services.staff.audit import record
from services.staff.permissions import ERASE_CUSTOMERS, Actor, require
from services.store.backup import ERASE, backed_up
from services.store.errors import N_, RevisitError

ERASED_NAME = "（已擦除）"
MASK = "＊＊"
REASON = "个人信息已按客户要求擦除"
# Customer columns that identify the person; they become NULL (the name becomes ERASED_NAME).
PERSONAL_COLUMNS = ("contact_name", "birthday", "birthday_md", "mobile", "other_phones",
                    "district", "street", "postcode", "wechat_id", "employer", "note",
                    # The DMS's number for them: it finds the person in the DMS.
                    "dms_code")
# profile_change attributes whose old and new values are personal data.
PERSONAL_HISTORY = ("name", "contact_name", "birthday", "mobile", "other_phones", "district",
                    "street", "postcode", "wechat_id", "employer", "note", "vin", "plate")
# Values shorter than this are not masked inside other text: a one-character string would
# hit unrelated words.
MIN_SECRET = 2


@dataclass(frozen=True)
class Erased:
    customer_id: int
    code: str
    erased_at: dt.datetime
    rows_changed: int  # rows outside the customer row that lost personal data
    merges_deleted: int


def _secrets(c: Customer, vehicles: Iterable[Vehicle], history: Iterable[str | None]) -> list[str]:
    values = [c.name, c.contact_name, c.mobile, c.other_phones, c.street, c.wechat_id, c.employer,
              c.postcode, *(v.plate for v in vehicles), *(v.vin for v in vehicles), *history]
    if c.birthday:
        values.append(c.birthday.isoformat())
    if c.other_phones:
        values += [p.strip() for p in c.other_phones.replace("，", ",").split(",")]
    found = {v.strip() for v in values if v and len(v.strip()) >= MIN_SECRET}
    # Longest first, so a full address is masked before a part of it.
    return sorted(found, key=len, reverse=True)


def _preference_notes(s: Session, customer_id: int) -> list[str]:
    """The contact-preference notes the audit trail keeps of the customer (each save's before
    and after): free text, masked there like the customer's other personal values."""
    notes: list[str] = []
    for text in s.scalars(select(AuditLog.detail).where(
            AuditLog.entity == "customer", AuditLog.entity_id == customer_id,
            AuditLog.action.in_(("set_preferences", "clear_preferences")))):
        try:
            detail = json.loads(text or "{}")
        except ValueError:
            continue
        for side in ("before", "after"):
            part = detail.get(side) if isinstance(detail, dict) else None
            if isinstance(part, dict) and isinstance(part.get("note"), str):
                notes.append(part["note"])
    return notes


def mask(text: str | None, secrets: list[str]) -> str | None:
    """`text` with every occurrence of a secret replaced by MASK."""
    if not text:
        return text
    for s in secrets:
        if s in text:
            text = text.replace(s, MASK)
    return text


def _mask_json(text: str | None, secrets: list[str]) -> str | None:
    """Masks inside a JSON document's strings; JSON escapes non-ASCII only when asked to, and
    Revisit writes with ensure_ascii=False, but older rows may be escaped: both are covered by
    masking the decoded values and writing them back."""
    if not text:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return mask(text, secrets)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return mask(value, secrets)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return json.dumps(walk(data), ensure_ascii=False)


def erase_customer(sessions: sessionmaker[Session], actor: Actor | None, customer_id: int, *,
                   reason: str = "") -> Erased:
    """Erase one customer's personal data in one transaction; refused for anyone but a
    supervisor and for a customer already erased."""
    require(actor, ERASE_CUSTOMERS)
    # A copy from just before, for a mistaken erasure; backups age out by the number kept.
    # The erasure is one transaction: refused or failed, it stored nothing, and its copy goes.
    with backed_up(sessions, ERASE, lambda: True):
        return _erase(sessions, actor, customer_id, reason)


def _erase(sessions: sessionmaker[Session], actor: Actor | None, customer_id: int,
           reason: str) -> Erased:
    with sessions.begin() as s:
        # The account is read again: a supervisor disabled since signing in is refused.
        actor = require(confirm(s, actor), ERASE_CUSTOMERS)
        c = s.get(Customer, customer_id)
        if c is None:
            raise RevisitError(N_("There is no customer #{id}."), id=customer_id)
        if c.erased_at is not None:
            raise RevisitError(N_("Customer {code}'s personal data was already erased on "
                                  "{date}."), code=c.code, date=c.erased_at.date().isoformat())
        vehicles = list(s.scalars(select(Vehicle).where(Vehicle.customer_id == customer_id)))
        history = s.execute(select(ProfileChange.old_value, ProfileChange.new_value).where(
            ProfileChange.customer_id == customer_id,
            ProfileChange.attribute.in_(PERSONAL_HISTORY))).all()
        secrets = _secrets(c, vehicles, [*(v for row in history for v in row),
                                         *_preference_notes(s, customer_id)])
        changed = _erase_rows(s, c, vehicles, secrets)
        merges = s.execute(CustomerMerge.__table__.delete().where(or_(
            CustomerMerge.kept_id == customer_id, CustomerMerge.merged_id == customer_id)))
        merges_deleted = merges.rowcount or 0  # type: ignore[attr-defined]
        now = utcnow()
        c.name, c.name_pinyin, c.name_initials, c.name_sort = ERASED_NAME, "", "", ""
        for column in PERSONAL_COLUMNS:
            setattr(c, column, None)
        c.erased_at = now
        c.version = (c.version or 1) + 1
        today = now.date()
        s.add(DoNotContact(customer_id=customer_id, channel=None, purpose=None, reason=REASON,
                           source="customer", set_on=today, set_by=actor.id))
        s.add(ConsentEvent(customer_id=customer_id, kind="marketing", granted=False,
                           event_date=today, source="manual",
                           staff_id=actor.id, note=REASON))
        # The entry names the customer by code only: the trail must not keep what was erased.
        record(s, actor, "erase_customer", "customer", customer_id,
               {"code": c.code, "reason": mask(reason.strip(), secrets) or "",
                "rows_changed": changed, "merges_deleted": merges_deleted})
        return Erased(customer_id, c.code, now, changed, merges_deleted)


def _erase_rows(s: Session, c: Customer, vehicles: list[Vehicle], secrets: list[str]) -> int:
    cid = c.id
    changed = 0
    for v in vehicles:
        if v.vin or v.plate:
            v.vin, v.plate = None, None
            changed += 1
    free_text = ((ContactEvent, ("feedback",)), (ServiceVisit, ("note",)),
                 (SatisfactionSurvey, ("comment",)), (Complaint, ("detail", "resolution")),
                 (ContactPreference, ("note",)), (ConsentEvent, ("note",)),
                 (Referral, ("note",)), (DeclinedItem, ("note",)),
                 (SuggestionDecision, ("note",)))
    for model, columns in free_text:
        table = model.__table__
        result = s.execute(update(table).where(table.c.customer_id == cid)
                           .values({name: None for name in columns}))
        changed += result.rowcount or 0  # type: ignore[attr-defined]
    result = s.execute(update(ProfileChange).where(
        ProfileChange.customer_id == cid, ProfileChange.attribute.in_(PERSONAL_HISTORY))
        .values(old_value=None, new_value=None))
    changed += result.rowcount or 0  # type: ignore[attr-defined]
    result = s.execute(update(ProfileChange).where(ProfileChange.customer_id == cid,
                                                   ProfileChange.note.is_not(None))
                       .values(note=None))
    changed += result.rowcount or 0  # type: ignore[attr-defined]
    for dnc in s.scalars(select(DoNotContact).where(DoNotContact.customer_id == cid)):
        dnc.reason = mask(dnc.reason, secrets) or REASON
        dnc.lift_reason = mask(dnc.lift_reason, secrets)
    changed += _mask_column(s, ListRunMember.__table__, "snapshot",
                            ListRunMember.customer_id == cid, secrets)
    changed += _mask_column(s, ListRunExclusion.__table__, "snapshot",
                            ListRunExclusion.customer_id == cid, secrets)
    changed += _mask_column(s, ListRunExclusion.__table__, "detail",
                            ListRunExclusion.customer_id == cid, secrets, as_json=False)
    changed += _mask_column(s, AuditLog.__table__, "detail", (AuditLog.entity == "customer")
                            & (AuditLog.entity_id == cid), secrets)
    vehicle_ids = [v.id for v in vehicles]
    about = ((ImportChange.table_name == "customer") & (ImportChange.row_id == cid))
    if vehicle_ids:
        about = about | ((ImportChange.table_name == "vehicle")
                         & ImportChange.row_id.in_(vehicle_ids))
    for column in ("old_value", "new_value"):
        changed += _mask_column(s, ImportChange.__table__, column, about, secrets, as_json=False)
    return changed


def _mask_column(s: Session, table, column: str, where, secrets: list[str], *,
                 as_json: bool = True) -> int:
    """Rewrites `column` of the rows matching `where` that hold any secret; returns how many."""
    if not secrets:
        return 0
    col = table.c[column]
    # Only rows that contain a secret are read back; JSON written with ensure_ascii=True
    # would hide Chinese as \\u escapes, so such rows are matched by their escaped form too.
    needles = set(secrets) | {json.dumps(x)[1:-1] for x in secrets}
    rows = s.execute(select(table.c.id, col).where(where, or_(
        *(col.contains(n, autoescape=True) for n in needles)))).all()
    fix = _mask_json if as_json else mask
    for row_id, value in rows:
        s.execute(update(table).where(table.c.id == row_id).values({column: fix(value, secrets)}))
    return len(rows)
