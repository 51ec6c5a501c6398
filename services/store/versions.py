"""No lost edit: taking a record's lock before reading what a save is based on, and the one
sentence that refuses a save based on a stale view (who changed the record, and when).

Every save that checks a version first takes the record's lock with `lock`, a write that changes
nothing: on PostgreSQL (READ COMMITTED) it waits for the row lock of any other saver and the
statements after it see what that saver committed; on SQLite it is the transaction's first write,
so it waits for the one writer (busy_timeout) and reads the newest data once it has the lock. Only
then is the version compared and the save written, so two saves can never both pass the check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from models import StaffUser
from services.store.errors import N_, StaleEdit

# Each stale sentence with who changed the record, and without (a row written by an import, a
# script or a program that named nobody).
PREFERENCES = (
    N_("{who} changed this customer's contact preferences at {when} since you opened them; "
       "reload to see their change."),
    N_("This customer's contact preferences were changed at {when} since you opened them; "
       "reload to see the change."),
)
CONSENT = (
    N_("{who} recorded this customer's marketing consent at {when} since you opened it; "
       "reload to see their change."),
    N_("This customer's marketing consent was recorded at {when} since you opened it; reload "
       "to see the change."),
)
REFUSAL_LIFTED = (
    N_("{who} lifted this do-not-contact entry at {when} since you opened it; reload to see "
       "their change."),
    N_("This do-not-contact entry was lifted at {when} since you opened it; reload to see the "
       "change."),
)
REFUSAL_CHANGED = (
    N_("{who} changed this do-not-contact entry at {when} since you opened it; reload to see "
       "their change."),
    N_("This do-not-contact entry was changed at {when} since you opened it; reload to see "
       "the change."),
)
PROFILE = (
    N_("{who} changed this customer's {attribute} to “{value}” at {when} since you opened it; "
       "reload to see their change."),
    N_("This customer's {attribute} was changed to “{value}” at {when} since you opened it; "
       "reload to see the change."),
)
CUSTOMER = (
    N_("{who} changed this customer at {when} since you opened them; reload to see their "
       "change."),
    N_("This customer was changed at {when} since you opened them; reload to see the change."),
)
SEGMENT = (
    N_("{who} changed the segment “{name}” at {when} since you opened it; reload to see their "
       "change."),
    N_("The segment “{name}” was changed at {when} since you opened it; reload to see the "
       "change."),
)
SEGMENT_RENAMED = (
    N_("{who} renamed the segment “{name}” to “{new_name}” at {when} since you opened it; "
       "reload to see their change."),
    N_("The segment “{name}” was renamed to “{new_name}” at {when} since you opened it; reload "
       "to see the change."),
)
SEGMENT_DELETED = (
    N_("{who} deleted the segment “{name}” at {when} since you opened it; reload to see the "
       "segments as they are now."),
    N_("The segment “{name}” was deleted at {when} since you opened it; reload to see the "
       "segments as they are now."),
)
SEGMENT_GONE = N_("The segment “{name}” was renamed or deleted since you opened it; reload to "
                  "see the segments as they are now.")


def bumped(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the record's version raised by one, for a table whose records carry one:
    a write outside the edit forms (an import, a merge, an undo) then makes an edit opened
    before it stale, refused like any other instead of silently writing over it."""
    if "version" in table.c and "version" not in values:
        return {**values, "version": table.c.version + 1}
    return values


def lock(session: Session, model: type, *where) -> bool:
    """Take the lock of the rows of `model` matching `where` with a write that changes nothing
    (`updated_at` is named so its on-update default does not fire); False when no row matched.
    Call it before any read the save depends on."""
    table = model.__table__  # type: ignore[attr-defined]
    values = {"version": table.c.version}
    if "updated_at" in table.c:
        values["updated_at"] = table.c.updated_at
    result = session.execute(update(table).where(*where).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def staff_name(session: Session, staff_id: int | None) -> str | None:
    """How a sentence names a member of staff (None when nobody or unknown)."""
    if staff_id is None:
        return None
    row = session.execute(select(StaffUser.display_name, StaffUser.username)
                          .where(StaffUser.id == staff_id)).first()
    if row is None:
        return None
    return row.display_name or row.username


def when_text(at: dt.datetime | None, today: dt.date | None = None) -> str:
    """A stored (naive UTC) time as this PC reads it: "14:32" today, else "2026-11-23 14:32"."""
    if at is None:
        return "?"
    local = at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    if local.date() == (today or dt.date.today()):
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def stale(templates: tuple[str, str], who: str | None, at: dt.datetime | None,
          **params: object) -> StaleEdit:
    """The StaleEdit for one kind of record: the sentence naming `who`, or the one without."""
    with_who, without = templates
    if who:
        return StaleEdit(with_who, who=who, when=when_text(at), **params)
    return StaleEdit(without, when=when_text(at), **params)
