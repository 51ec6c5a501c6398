"""The read-backs of filled-in lists done (file, list runs, who, when, how many contacts stored),
and undoing one read by mistake (the wrong caller's file, rows filled in against the wrong
lines): every contact, next date, km reading and profile change it stored is removed, every
contact it corrected and every list member it counted put back as they were, in one
transaction with an audit entry. Reading the file again afterwards stores it again.

What a later read or a call typed on screen changed since on the same contacts, readings or
profile values is never overwritten: the undo is refused, naming those customers, so staff
can look at them first. A contact recorded on screen since on a customer the read stored a
contact for is kept, and the member's state stays the one it gave. Only reads done since
their audit entries record what they stored (services/lists/readback_trail.py) can be undone."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, Customer, ListRunMember, MileageReading, ProfileChange, StaffUser
from services.customers.profile import value_as_of_select
from services.lists.readback_trail import TABLES, plain, trail_of
from services.staff.audit import record
from services.staff.permissions import NOBODY, Actor
from services.store.errors import N_, RevisitError

Sessions = sessionmaker[Session]
READ = "read_outcomes"
UNDONE = "undo_read_outcomes"
# Customers named when an undo is refused; the rest are counted.
NAMED = 5


@dataclass(frozen=True)
class ReadBack:
    number: int  # the id of its first audit entry: how staff name it (list readbacks --undo N)
    file: str
    runs: tuple[int, ...]
    at: dt.datetime  # naive UTC, as stored
    staff_id: int | None
    staff_name: str  # "" when nobody was signed in
    stored: int  # contacts stored
    corrected: int  # rows read before that it corrected
    km_readings: int
    profile_changes: int
    undoable: bool  # False for a read done before reads recorded what they stored
    undone_at: dt.datetime | None = None
    undone_by: str = ""


@dataclass(frozen=True)
class UndoReport:
    number: int
    file: str
    contacts: int  # contacts removed
    km_readings: int
    profile_changes: int
    restored: int  # contacts or readings put back as they were before the read


def _detail(entry: AuditLog) -> dict[str, Any]:
    """The entry's detail, with what its read kept for undoing it (made, changed, deleted)
    unfolded beside it."""
    try:
        data = json.loads(entry.detail or "{}")
    except ValueError:
        return {}
    return {**data, **trail_of(data)} if isinstance(data, dict) else {}


def read_backs(sessions: Sessions, *, run_id: int | None = None, limit: int = 500
               ) -> list[ReadBack]:
    """The read-backs done, newest first (of the last `limit` audit entries of reads); only
    those of list run `run_id` when given."""
    with sessions() as s:
        names = {i: d or u for i, d, u in s.execute(
            select(StaffUser.id, StaffUser.display_name, StaffUser.username))}
        query = select(AuditLog).where(AuditLog.action == READ)
        if run_id is not None:
            query = query.where(AuditLog.entity_id == run_id)
        entries = list(s.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))
        undone: dict[str, AuditLog] = {}
        for entry in s.scalars(select(AuditLog).where(AuditLog.action == UNDONE)):
            undone[str(_detail(entry).get("read"))] = entry
    reads: dict[str, list[tuple[AuditLog, dict]]] = {}
    for entry in entries:
        detail = _detail(entry)
        token = str(detail.get("read") or f"entry{entry.id}")
        reads.setdefault(token, []).append((entry, detail))
    found = []
    for token, parts in reads.items():
        first = min(parts, key=lambda p: p[0].id)[0]
        made = [m for _, d in parts for m in d.get("made", ())]
        done = undone.get(token)
        found.append(ReadBack(
            first.id, str(parts[0][1].get("file", "")),
            tuple(sorted({e.entity_id for e, _ in parts if e.entity_id is not None})),
            first.at, first.staff_id, names.get(first.staff_id, "") if first.staff_id else "",
            sum(int(d.get("stored", 0)) for _, d in parts),
            sum(len(d.get("corrected", ())) for _, d in parts),
            sum(1 for m in made if m["t"] == "mileage_reading"),
            sum(1 for m in made if m["t"] == "profile_change"),
            "read" in parts[0][1],
            None if done is None else done.at,
            "" if done is None or done.staff_id is None else names.get(done.staff_id, "")))
    return sorted(found, key=lambda r: r.number, reverse=True)


def _parts(s: Session, number: int) -> tuple[str, list[tuple[AuditLog, dict]]]:
    """The read's token and its audit entries with their details, oldest first; the first
    entry locked for the undo's transaction."""
    # Locked (PostgreSQL): a second undo of the same read at once waits, then sees this
    # one's entry and is refused; SQLite has one writer at a time anyway.
    first = s.scalar(select(AuditLog).where(AuditLog.id == number).with_for_update())
    if first is None or first.action != READ:
        raise RevisitError(N_("There is no read-back #{number}; `revisit list readbacks` "
                              "lists them."), number=number)
    token = _detail(first).get("read")
    if not token:
        raise RevisitError(N_("Read-back #{number} was done before Revisit kept what a read "
                              "stored, so it cannot be undone here; correct its contacts on "
                              "the customers' pages."), number=number)
    entries = s.scalars(select(AuditLog).where(
        AuditLog.action == READ, AuditLog.detail.contains(f'"read": "{token}"'))
        .order_by(AuditLog.id))
    return str(token), [(e, _detail(e)) for e in entries]


def _changed_since(s: Session, parts: list[tuple[AuditLog, dict]], made_ids: set) -> set[int]:
    """The customers whose contacts, readings or profile values this read stored or corrected
    were changed since by someone else (a later read, a call typed on screen, an edit)."""
    customers: set[int] = set()
    for _entry, detail in parts:
        for item in detail.get("made", ()):
            model = TABLES[item["t"]]
            row = s.get(model, item["id"])
            if row is None:
                continue
            if item["t"] == "profile_change":
                later = s.scalar(select(ProfileChange.id).where(
                    ProfileChange.customer_id == row.customer_id,
                    ProfileChange.attribute == row.attribute, ProfileChange.id > row.id,
                    ProfileChange.id.not_in([i for t, i in made_ids
                                             if t == "profile_change"])).limit(1))
                if later is not None:
                    customers.add(row.customer_id)
            elif any(plain(getattr(row, k)) != v for k, v in item["values"].items()):
                customers.add(_customer_of(s, row))
        for item in detail.get("changed", ()):
            if item["t"] == "list_run_member" or (item["t"], item["id"]) in made_ids:
                continue
            row = s.get(TABLES[item["t"]], item["id"])
            if row is not None and any(plain(getattr(row, k)) != v
                                       for k, v in item["after"].items()):
                customers.add(_customer_of(s, row))
    return customers


def _customer_of(s: Session, row: Any) -> int:
    if isinstance(row, MileageReading):
        from models import Vehicle

        return s.get_one(Vehicle, row.vehicle_id).customer_id
    return row.customer_id


def _value(model: type, key: str, value: Any) -> Any:
    """A value as the audit trail keeps it, as its column takes it."""
    if value is None:
        return None
    kind = getattr(model, key).type.python_type
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    return value


def undo_read_back(sessions: Sessions, number: int, *, actor: Actor | None,
                   today: dt.date | None = None) -> UndoReport:
    """Take back read-back `number` (ReadBack.number) whole, or refuse saying why."""
    today = today or dt.date.today()
    with sessions.begin() as s:
        token, parts = _parts(s, number)
        first = parts[0][0]
        if actor is None:
            raise RevisitError(NOBODY)
        if not (actor.is_supervisor or actor.id == first.staff_id):
            raise RevisitError(N_("Only a supervisor or the person who read a file back may "
                                  "undo the read; {user} is neither."), user=actor.name)
        if s.scalar(select(AuditLog.id).where(AuditLog.action == UNDONE,
                                              AuditLog.detail.contains(f'"read": "{token}"'))):
            raise RevisitError(N_("Read-back #{number} was undone already; reading the file "
                                  "again stores it again."), number=number)
        file = str(parts[0][1].get("file", ""))
        made_ids = {(m["t"], m["id"]) for _, d in parts for m in d.get("made", ())}
        changed = _changed_since(s, parts, made_ids)
        if changed:
            names = list(s.scalars(select(Customer.name).where(Customer.id.in_(changed))
                                   .order_by(Customer.code)))
            shown = "、".join(names[:NAMED]) + ("…" if len(names) > NAMED else "")
            raise RevisitError(N_("Read-back #{number} ({file}) was not undone: what it stored "
                                  "for {count} customer(s) was changed since by a later read "
                                  "or on screen ({names}); look at them on their pages first."),
                               number=number, file=file, count=len(names), names=shown)
        counts: dict[str, int] = defaultdict(int)
        restored = 0
        touched: set[tuple[int, str]] = set()
        for _entry, detail in reversed(parts):
            for item in reversed(detail.get("made", ())):
                row = s.get(TABLES[item["t"]], item["id"])
                if row is None:
                    continue
                if isinstance(row, ProfileChange):
                    touched.add((row.customer_id, row.attribute))
                s.delete(row)
                counts[item["t"]] += 1
            s.flush()
            for item in detail.get("changed", ()):
                if (item["t"], item["id"]) in made_ids:
                    continue
                model = TABLES[item["t"]]
                row = s.get(model, item["id"])
                if row is None:
                    continue
                if isinstance(row, ListRunMember):
                    _put_member_back(row, item)
                    continue
                for key, value in item["before"].items():
                    setattr(row, key, _value(model, key, value))
                restored += 1
            for item in detail.get("deleted", ()):
                model = TABLES[item["t"]]
                s.add(model(**{k: _value(model, k, v) for k, v in item["values"].items()}))
                restored += 1
        for customer_id, attribute in sorted(touched):
            values: dict = {"version": Customer.version + 1}
            if attribute == "lifecycle_stage":  # the mirror column: the stage in force today
                values["lifecycle_stage"] = value_as_of_select(attribute, today, customer_id)
            s.execute(update(Customer).where(Customer.id == customer_id).values(**values))
        report = UndoReport(number, file, counts["contact_event"], counts["mileage_reading"],
                            counts["profile_change"], restored)
        record(s, actor, "undo_read_outcomes", "list_run", first.entity_id,
               {"read": token, "readback": number, "file": file, "contacts": report.contacts,
                "km": report.km_readings, "profile_changes": report.profile_changes,
                "restored": restored})
    return report


def _put_member_back(member: ListRunMember, item: dict) -> None:
    """A list member the read counted a call of: its attempts less the read's, and its state
    as before unless a call since gave it another."""
    before, after = item["before"], item["after"]
    if "attempts" in before:
        member.attempts = max(0, member.attempts - (after["attempts"] - before["attempts"]))
    if "status" in before and member.status == after.get("status"):
        member.status = before["status"]
