"""Contact preferences, marketing consent and do-not-contact: how a customer wants to be reached
and what they refused. Consent and refusals keep their history; every change is audit-logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from models import ConsentEvent, ContactPreference, Customer, DoNotContact
from models.codes import CHANNELS, DAY_PREFERENCES, DNC_PURPOSES, TIME_WINDOWS
from services.staff.audit import audit  # the one audit writer; merge.py imports it from here
from services.store.errors import N_, RevisitError

CONSENT_SOURCES = ("call", "visit", "form", "manual", "sms_unsubscribe")
LANGUAGES = ("zh", "en")


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise RevisitError(N_("There is no customer with id {id}."), id=customer_id)
    return customer


def _codes(values: Sequence[str], allowed: Sequence[str], template: str) -> str:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise RevisitError(template, codes=", ".join(bad))
    return ",".join(dict.fromkeys(values))


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
) -> None:
    """Replace the customer's contact preferences (one row per customer)."""
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
    with sessions.begin() as s:
        _customer(s, customer_id)
        pref = s.get(ContactPreference, customer_id)
        if pref is None:
            pref = ContactPreference(customer_id=customer_id)
            s.add(pref)
        before = _snapshot(pref)
        pref.channel_order = order
        pref.first_channel = order.split(",")[0]
        pref.preferred_days = preferred_days
        pref.time_windows = windows or None
        pref.hour_from, pref.hour_to = hour_from, hour_to
        pref.language = language
        pref.note = (note or "").strip() or None
        pref.updated_by = staff_id
        audit(s, "set_preferences", "customer", customer_id,
              {"before": before, "after": {"channel_order": order, "preferred_days":
                                            preferred_days, "time_windows": windows,
                                            "hours": (hour_from, hour_to)}}, staff_id)


def clear_preferences(
    sessions: sessionmaker[Session], customer_id: int, *, staff_id: int | None = None
) -> None:
    """Back to "not stated" (undoing a customer's first preferences): the row goes, the audit
    log keeps what it said."""
    with sessions.begin() as s:
        _customer(s, customer_id)
        pref = s.get(ContactPreference, customer_id)
        if pref is None:
            return
        before = _snapshot(pref)
        s.delete(pref)
        audit(s, "clear_preferences", "customer", customer_id, {"before": before}, staff_id)


def _snapshot(pref: ContactPreference) -> dict:
    return {"channel_order": pref.channel_order, "preferred_days": pref.preferred_days,
            "time_windows": pref.time_windows, "hours": (pref.hour_from, pref.hour_to)}


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
) -> None:
    """Marketing consent given or withdrawn on `event_date`; earlier events stay as history."""
    if source not in CONSENT_SOURCES:
        raise RevisitError(N_("Unknown consent source '{source}'."), source=source)
    if event_date > (today or dt.date.today()):
        raise RevisitError(N_("The consent date {date} is in the future."),
                           date=event_date.isoformat())
    with sessions.begin() as s:
        _customer(s, customer_id)
        s.add(ConsentEvent(customer_id=customer_id, kind="marketing", granted=granted,
                           event_date=event_date, source=source, staff_id=staff_id,
                           note=(note or "").strip() or None))
        audit(s, "consent_given" if granted else "consent_withdrawn", "customer", customer_id,
              {"date": event_date, "source": source}, staff_id)


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
    """A do-not-contact for one channel (None: all) and one purpose (None: all)."""
    if channel is not None and channel not in CHANNELS:
        raise RevisitError(N_("Unknown channel '{channel}'."), channel=channel)
    if purpose is not None and purpose not in DNC_PURPOSES:
        raise RevisitError(N_("Unknown purpose '{purpose}'."), purpose=purpose)
    if not reason.strip():
        raise RevisitError(N_("Say why the customer is not to be contacted."))
    if expires_on is not None and expires_on <= set_on:
        raise RevisitError(N_("The refusal must end after the day it starts ({date})."),
                           date=set_on.isoformat())
    with sessions.begin() as s:
        _customer(s, customer_id)
        row = DoNotContact(customer_id=customer_id, channel=channel, purpose=purpose,
                           reason=reason.strip()[:200], source=source, set_on=set_on,
                           set_by=staff_id, expires_on=expires_on)
        s.add(row)
        s.flush()
        audit(s, "add_refusal", "do_not_contact", row.id,
              {"customer": customer_id, "channel": channel, "purpose": purpose,
               "reason": reason, "expires": expires_on}, staff_id)
        return row.id


def lift_refusal(
    sessions: sessionmaker[Session],
    refusal_id: int,
    *,
    lifted_on: dt.date,
    reason: str,
    staff_id: int | None = None,
) -> None:
    """End a refusal from `lifted_on` on; the row stays, so the history shows it."""
    with sessions.begin() as s:
        row = s.get(DoNotContact, refusal_id)
        if row is None:
            raise RevisitError(N_("That do-not-contact entry no longer exists."))
        if row.lifted_on is not None:
            raise RevisitError(N_("That do-not-contact entry was already lifted on {date}."),
                               date=row.lifted_on.isoformat())
        if lifted_on < row.set_on:
            raise RevisitError(N_("A refusal cannot be lifted before it was set ({date})."),
                               date=row.set_on.isoformat())
        if not reason.strip():
            raise RevisitError(N_("Say why the refusal is lifted (e.g. the customer asked)."))
        row.lifted_on, row.lifted_by, row.lift_reason = lifted_on, staff_id, reason.strip()
        audit(s, "lift_refusal", "do_not_contact", refusal_id,
              {"customer": row.customer_id, "reason": reason}, staff_id)
