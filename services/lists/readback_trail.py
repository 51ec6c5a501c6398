"""What one read-back of a filled-in list stored, kept in its audit entries so it can be undone
(services/lists/readback_undo.py): the contacts, km readings and profile changes it added, the
rows it changed (a contact corrected, a list member's attempts and state) with their values
before and after, and the km readings it removed, each by its list run. Seen from the session's
flushes, so no path of the read can store something the trail misses."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, ContactEvent, ListRunMember, MileageReading, ProfileChange

# The tables a read-back writes to, by the name its audit entries give them.
TABLES: dict[str, type] = {"contact_event": ContactEvent, "mileage_reading": MileageReading,
                           "profile_change": ProfileChange, "list_run_member": ListRunMember}
# Columns set when a row is stored, never said by a list.
NOT_COMPARED = frozenset({"id", "created_at", "recorded_at"})


def new_read() -> str:
    """The token every audit entry of one read-back carries."""
    return uuid.uuid4().hex[:12]


def plain(value: Any) -> Any:
    """A column's value as the audit trail's JSON keeps it."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def columns(obj: object) -> list[str]:
    return [c.key for c in inspect(type(obj)).column_attrs if c.key not in NOT_COMPARED]


def values_of(obj: object, keys: list[str] | None = None) -> dict[str, Any]:
    return {k: plain(getattr(obj, k)) for k in (keys if keys is not None else columns(obj))}


class Trail:
    """Watches one chunk's session; `run` is the list run of the row being stored."""

    def __init__(self, session: Session) -> None:
        self.run: int | None = None
        self.made: dict[int, list[object]] = {}
        # (table, id) -> (run, object, values before the read's first change of them)
        self.changed: dict[tuple[str, int], tuple[int, object, dict[str, Any]]] = {}
        self.deleted: dict[int, list[dict[str, Any]]] = {}
        event.listen(session, "before_flush", self._before)
        event.listen(session, "after_flush", self._after)

    def _before(self, session: Session, _context, _instances) -> None:
        if self.run is None:
            return
        for obj in session.dirty:
            table = _table(obj)
            if table is None or obj in session.new:
                continue
            state = inspect(obj)
            before: dict[str, Any] = {}
            for key in columns(obj):
                history = state.attrs[key].history
                if history.deleted:
                    before[key] = plain(history.deleted[0])
            if not before:
                continue
            ident = (table, state.identity[0])
            if ident in self.changed:
                run, _obj, first = self.changed[ident]
                self.changed[ident] = (run, obj, {**before, **first})
            else:
                self.changed[ident] = (self.run, obj, before)
        for obj in session.deleted:
            table = _table(obj)
            if table is not None:
                self.deleted.setdefault(self.run, []).append(
                    {"t": table, "values": values_of(obj)})

    def _after(self, session: Session, _context) -> None:
        if self.run is None:
            return
        for obj in session.new:
            if _table(obj) in ("contact_event", "mileage_reading", "profile_change"):
                self.made.setdefault(self.run, []).append(obj)

    def runs(self) -> set[int]:
        """The list runs the chunk stored, changed or removed something of."""
        return ({r for r, objs in self.made.items() if objs}
                | {r for r, _o, _b in self.changed.values()}
                | {r for r, gone in self.deleted.items() if gone})

    def kept(self, run: int) -> str:
        """What the chunk stored for list run `run`, as its audit entry keeps it: JSON text in
        one value, which the audit view counts rather than spells out (ids staff never see)."""
        return json.dumps(self.detail(run), ensure_ascii=False)

    def detail(self, run: int) -> dict[str, Any]:
        """What the chunk stored for list run `run`."""
        made = [{"t": _table(o), "id": inspect(o).identity[0], "values": values_of(o)}
                for o in self.made.get(run, []) if inspect(o).persistent]
        changed = [{"t": t, "id": i, "before": before, "after": values_of(o, list(before))}
                   for (t, i), (r, o, before) in self.changed.items()
                   if r == run and not inspect(o).deleted and not inspect(o).detached]
        return {"made": made, "changed": changed, "deleted": self.deleted.get(run, [])}


def _table(obj: object) -> str | None:
    for name, model in TABLES.items():
        if isinstance(obj, model):
            return name
    return None


def trail_of(detail: dict[str, Any]) -> dict[str, Any]:
    """What a read's audit entry (its detail) keeps for undoing it: made, changed, deleted."""
    kept = detail.get("trail")
    try:
        data = json.loads(kept) if isinstance(kept, str) else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def first_entry(sessions: sessionmaker[Session], read: str) -> int:
    """The number staff name a read-back by (its first audit entry's id), 0 when the read
    stored nothing and so has no entry."""
    with sessions() as s:
        return s.scalar(select(func.min(AuditLog.id)).where(
            AuditLog.action == "read_outcomes",
            AuditLog.detail.contains(f'"read": "{read}"'))) or 0
