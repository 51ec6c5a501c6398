"""Contact preferences, marketing consent and do-not-contact: how a customer wants to be reached
and what they refused. Consent and refusals keep their history; every change is audit-logged.
An edit names what its editor loaded (a version, or the latest consent event) and is refused
with StaleEdit when someone changed it since (services/store/versions.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, ConsentEvent, ContactPreference, Customer, DoNotContact
from models.codes import CHANNELS, DAY_PREFERENCES, DNC_PURPOSES, TIME_WINDOWS
from services.customers.gone import customer_gone
from services.staff.audit import audit  # the one audit writer; merge.py imports it from here
from services.store import versions
from services.store.errors import N_, RevisitError, StaleEdit

CONSENT_SOURCES = ("call", "visit", "form", "manual", "sms_unsubscribe")
LANGUAGES = ("zh", "en")
# do_not_contact.reason and lift_reason, consent_event.note
REASON_MAX = 200
NOTE_MAX = 200


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise customer_gone(session, customer_id)
    return customer


def _reason(reason: str, missing: str) -> str:
    """A typed reason, trimmed; refused when empty (`missing` says what to write) or longer than
    its column: cut, the end of what was said would be lost unseen."""
    text = reason.strip()
    if not text:
        raise RevisitError(missing)
    if len(text) > REASON_MAX:
        raise RevisitError(N_("The reason is longer than {n} characters."), n=REASON_MAX)
    return text


def _codes(values: Sequence[str], allowed: Sequence[str], template: str) -> str:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise RevisitError(template, codes=", ".join(bad))
    return ",".join(dict.fromkeys(values))


def _lock_customer(s: Session, customer_id: int) -> None:
    """Every change of a customer's preferences or consent first takes the customer's lock
    (services/store/versions.py), so what it checks is what is stored when it writes."""
    if not versions.lock(s, Customer, Customer.id == customer_id):
        raise customer_gone(s, customer_id)


def _stale_preferences(s: Session, customer_id: int) -> StaleEdit:
    pref = s.get(ContactPreference, customer_id, populate_existing=True)
    if pref is not None:
        return versions.stale(versions.PREFERENCES, versions.staff_name(s, pref.updated_by),
                              pref.updated_at)
    cleared = s.execute(
        select(AuditLog.staff_id, AuditLog.at)
        .where(AuditLog.entity == "customer", AuditLog.entity_id == customer_id,
               AuditLog.action == "clear_preferences")
        .order_by(AuditLog.id.desc()).limit(1)).first()
    return versions.stale(versions.PREFERENCES,
                          versions.staff_name(s, cleared.staff_id) if cleared else None,
                          cleared.at if cleared else None)


def _check_preferences(s: Session, customer_id: int, expected_version: int | None
                       ) -> ContactPreference | None:
    """The stored preferences, with the customer locked; StaleEdit when `expected_version` (0:
    the editor saw none stated) is not what is stored."""
    _lock_customer(s, customer_id)
    pref = s.get(ContactPreference, customer_id, populate_existing=True)
    if expected_version is not None and (pref.version if pref else 0) != expected_version:
        raise _stale_preferences(s, customer_id)
    return pref


def _first_version(s: Session, customer_id: int) -> int:
    """The version of a customer's new preferences row: above any version an earlier row (since
    cleared) had, so an editor who loaded that row cannot save over the new one. Every save or
    clear writes one audit entry and raises the version by at most one."""
    saves = s.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity == "customer", AuditLog.entity_id == customer_id,
        AuditLog.action.in_(("set_preferences", "clear_preferences")))) or 0
    return saves + 1


def set_preferences(
    sessions: sessionmaker[Session],
    customer_id: int,
    *,
    channel_order: Sequence[str],
    preferred_days: str = "any",
    time_windows: Sequence[str] = (),
    hour_from: int | None = None,
    hour_to: int | None = None,
    language: str = "zh",
    note: str | None = None,
    staff_id: int | None = None,
    expected_version: int | None = None,
) -> int:
    """Replace the customer's contact preferences (one row per customer); returns the stored
    version. `expected_version`: the version the editor loaded (0: none were stated); a save
    based on another is refused with StaleEdit. None (a caller that showed nothing, e.g. a
    script) replaces whatever is stored."""
    if not channel_order:
        raise RevisitError(N_("Choose at least one channel the customer accepts."))
    order = _codes(channel_order, CHANNELS, N_("Unknown channel(s): {codes}."))
    windows = _codes(time_windows, TIME_WINDOWS, N_("Unknown time window(s): {codes}."))
    if preferred_days not in DAY_PREFERENCES:
        raise RevisitError(N_("Unknown preferred days '{days}'."), days=preferred_days)
    if (hour_from is None) != (hour_to is None) or (
        hour_from is not None and hour_to is not None and not 0 <= hour_from < hour_to <= 24
    ):
        raise RevisitError(N_("A preferred hour range needs a start before its end, within 0–24."))
    if language not in LANGUAGES:
        raise RevisitError(N_("Unknown language '{language}'."), language=language)
    inserting = False
    try:
        with sessions.begin() as s:
            pref = _check_preferences(s, customer_id, expected_version)
            before = _snapshot(pref)
            inserting = pref is None
            if pref is None:
                pref = ContactPreference(customer_id=customer_id,
                                         version=_first_version(s, customer_id))
                s.add(pref)
            else:
                pref.version = pref.version + 1
            pref.channel_order = order
            pref.first_channel = order.split(",")[0]
            pref.preferred_days = preferred_days
            pref.time_windows = windows or None
            pref.hour_from, pref.hour_to = hour_from, hour_to
            pref.language = language
            pref.note = (note or "").strip() or None
            pref.updated_by = staff_id
            audit(s, "set_preferences", "customer", customer_id,
                  {"before": before,
                   "after": _snapshot(pref),
                   "version": pref.version}, staff_id)
            s.flush()
            return pref.version
    except IntegrityError as exc:
        # Only a writer that skips the customer's lock (an import, a merge) can insert the row
        # between our check and our insert: theirs stands, ours is refused like any stale save.
        with sessions() as s:
            if not inserting or s.get(ContactPreference, customer_id) is None:
                raise
            raise _stale_preferences(s, customer_id) from exc


def clear_preferences(
    sessions: sessionmaker[Session], customer_id: int, *, staff_id: int | None = None,
    expected_version: int | None = None,
) -> None:
    """Back to "not stated" (undoing a customer's first preferences): the row goes, the audit
    log keeps what it said. `expected_version` as for `set_preferences`."""
    with sessions.begin() as s:
        pref = _check_preferences(s, customer_id, expected_version)
        if pref is None:
            return
        before = _snapshot(pref)
        s.delete(pref)
        audit(s, "clear_preferences", "customer", customer_id,
              {"before": before, "version": pref.version}, staff_id)


def _snapshot(pref: ContactPreference | None) -> dict:
    """What the audit entry keeps of the preferences, before and after a change: every field
    the editor saves, so a change of the note or language alone shows in it."""
    if pref is None:  # nothing was stated: the audit entry says so in the same shape
        return {"channel_order": None, "preferred_days": None, "time_windows": None,
                "hours": (None, None), "language": None, "note": None}
    return {"channel_order": pref.channel_order, "preferred_days": pref.preferred_days,
            "time_windows": pref.time_windows, "hours": (pref.hour_from, pref.hour_to),
            "language": pref.language, "note": pref.note}


def consent_marker(s: Session, customer_id: int) -> int:
    """What an editor of consent loads: the id of the customer's latest consent event (0: none).
    Events are only ever added, so any new one changes it."""
    return s.scalar(select(func.max(ConsentEvent.id))
                    .where(ConsentEvent.customer_id == customer_id)) or 0


def record_consent(
    sessions: sessionmaker[Session],
    customer_id: int,
    granted: bool,
    *,
    event_date: dt.date,
    source: str,
    note: str | None = None,
    staff_id: int | None = None,
    today: dt.date | None = None,
    expected_latest: int | None = None,
) -> int:
    """Marketing consent given or withdrawn on `event_date`; earlier events stay as history.
    Returns the new event's id. `expected_latest`: the `consent_marker` the editor loaded; when
    someone recorded consent since, StaleEdit. None: recorded whatever came before."""
    if source not in CONSENT_SOURCES:
        raise RevisitError(N_("Unknown consent source '{source}'."), source=source)
    if event_date > (today or dt.date.today()):
        raise RevisitError(N_("The consent date {date} is in the future."),
                           date=event_date.isoformat())
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise RevisitError(N_("The note is longer than {n} characters."), n=NOTE_MAX)
    with sessions.begin() as s:
        _lock_customer(s, customer_id)
        if expected_latest is not None and consent_marker(s, customer_id) != expected_latest:
            latest = s.get_one(ConsentEvent, consent_marker(s, customer_id))
            raise versions.stale(versions.CONSENT, versions.staff_name(s, latest.staff_id),
                                 latest.recorded_at)
        event = ConsentEvent(customer_id=customer_id, kind="marketing", granted=granted,
                             event_date=event_date, source=source, staff_id=staff_id,
                             note=note)
        s.add(event)
        s.flush()
        audit(s, "consent_given" if granted else "consent_withdrawn", "customer", customer_id,
              {"date": event_date, "source": source}, staff_id)
        return event.id


def add_refusal(
    sessions: sessionmaker[Session],
    customer_id: int,
    *,
    channel: str | None,
    purpose: str | None,
    reason: str,
    set_on: dt.date,
    expires_on: dt.date | None = None,
    source: str = "customer",
    staff_id: int | None = None,
) -> int:
    """A do-not-contact for one channel (None: all) and one purpose (None: all). A new entry is
    never based on what an editor saw, so it needs no version."""
    if channel is not None and channel not in CHANNELS:
        raise RevisitError(N_("Unknown channel '{channel}'."), channel=channel)
    if purpose is not None and purpose not in DNC_PURPOSES:
        raise RevisitError(N_("Unknown purpose '{purpose}'."), purpose=purpose)
    reason = _reason(reason, N_("Say why the customer is not to be contacted."))
    if expires_on is not None and expires_on <= set_on:
        raise RevisitError(N_("The refusal must end after the day it starts ({date})."),
                           date=set_on.isoformat())
    with sessions.begin() as s:
        _customer(s, customer_id)
        return add_refusal_in(s, customer_id, channel=channel, purpose=purpose, reason=reason,
                              set_on=set_on, expires_on=expires_on, source=source,
                              staff_id=staff_id)


def add_refusal_in(s: Session, customer_id: int, *, channel: str | None, purpose: str | None,
                   reason: str, set_on: dt.date, expires_on: dt.date | None = None,
                   source: str = "customer", staff_id: int | None = None) -> int:
    """The do-not-contact row and its audit entry, in the caller's transaction (values
    already checked)."""
    row = DoNotContact(customer_id=customer_id, channel=channel, purpose=purpose,
                       reason=reason, source=source, set_on=set_on,
                       set_by=staff_id, expires_on=expires_on)
    s.add(row)
    s.flush()
    audit(s, "add_refusal", "do_not_contact", row.id,
          {"customer": customer_id, "channel": channel, "purpose": purpose,
           "reason": reason, "expires": expires_on}, staff_id)
    return row.id


def _stale_refusal(s: Session, row: DoNotContact) -> StaleEdit:
    """Who lifted (or last changed) the entry, and when, from its latest audit entry."""
    last = s.execute(
        select(AuditLog.staff_id, AuditLog.at)
        .where(AuditLog.entity == "do_not_contact", AuditLog.entity_id == row.id)
        .order_by(AuditLog.id.desc()).limit(1)).first()
    if row.lifted_on is not None:
        who = row.lifted_by if row.lifted_by is not None else (last.staff_id if last else None)
        return versions.stale(versions.REFUSAL_LIFTED, versions.staff_name(s, who),
                              last.at if last else None)
    return versions.stale(versions.REFUSAL_CHANGED,
                          versions.staff_name(s, last.staff_id) if last else None,
                          last.at if last else row.created_at)


def lift_refusal(
    sessions: sessionmaker[Session],
    refusal_id: int,
    *,
    lifted_on: dt.date,
    reason: str,
    staff_id: int | None = None,
    expected_version: int | None = None,
) -> int:
    """End a refusal from `lifted_on` on; the row stays, so the history shows it. Returns the
    entry's new version. `expected_version`: the version the editor loaded; when the entry
    was lifted or changed since, StaleEdit naming who. None: refused only when already lifted."""
    with sessions.begin() as s:
        if not versions.lock(s, DoNotContact, DoNotContact.id == refusal_id):
            raise RevisitError(N_("That do-not-contact entry no longer exists."))
        row = s.get_one(DoNotContact, refusal_id, populate_existing=True)
        if expected_version is not None and row.version != expected_version:
            raise _stale_refusal(s, row)
        if row.lifted_on is not None:
            raise RevisitError(N_("That do-not-contact entry was already lifted on {date}."),
                               date=row.lifted_on.isoformat())
        if lifted_on < row.set_on:
            raise RevisitError(N_("A refusal cannot be lifted before it was set ({date})."),
                               date=row.set_on.isoformat())
        text = _reason(reason, N_("Say why the refusal is lifted (e.g. the customer asked)."))
        row.lifted_on, row.lifted_by, row.lift_reason = lifted_on, staff_id, text
        row.version = row.version + 1
        audit(s, "lift_refusal", "do_not_contact", refusal_id,
              {"customer": row.customer_id, "reason": reason, "version": row.version}, staff_id)
        return row.version
