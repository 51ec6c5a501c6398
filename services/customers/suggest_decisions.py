"""Recording what staff did with a suggested next step — accepted, changed to another purpose,
or dismissed — and reading the latest decision for a customer's brief."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Customer, StaffUser, SuggestionDecision
from models.codes import PURPOSES
from models.suggestion import SUGGESTION_ACTIONS
from services.staff.permissions import Actor
from services.store.errors import N_, RevisitError

ACCEPTED, CHANGED, DISMISSED = SUGGESTION_ACTIONS
NOTE_MAX = 200


@dataclass(frozen=True)
class DecisionInfo:
    id: int
    customer_id: int
    as_of: dt.date
    rule: str
    suggested: str
    chosen: str | None  # None when dismissed
    action: str  # ACCEPTED, CHANGED or DISMISSED
    staff: str  # display name, '' when nobody was signed in
    at: dt.datetime  # naive UTC
    note: str | None


def record_decision(sessions: sessionmaker[Session], actor: Actor | None, customer_id: int,
                    as_of: dt.date, rule: str, suggested: str, action: str,
                    chosen: str | None = None, note: str | None = None) -> DecisionInfo:
    """Store one decision. Accepting takes the suggested purpose; changing needs another
    purpose; dismissing keeps none."""
    if action not in SUGGESTION_ACTIONS:
        raise RevisitError(N_("Unknown decision '{action}' (known: {known})."), action=action,
                           known=", ".join(SUGGESTION_ACTIONS))
    if suggested not in PURPOSES:
        raise RevisitError(N_("Unknown purpose '{purpose}'."), purpose=suggested)
    if action == ACCEPTED:
        chosen = suggested
    elif action == DISMISSED:
        chosen = None
    elif chosen not in PURPOSES:
        raise RevisitError(N_("Choose the purpose to use instead of the suggested one."))
    elif chosen == suggested:
        action = ACCEPTED  # "changed" to what was suggested is taking it as it was
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise RevisitError(N_("A note on a decision is at most {most} characters."),
                           most=NOTE_MAX)
    with sessions.begin() as s:
        if s.get(Customer, customer_id) is None:
            raise RevisitError(N_("There is no customer #{id}."), id=customer_id)
        row = SuggestionDecision(customer_id=customer_id, as_of=as_of, rule_name=rule[:60],
                                 suggested_purpose=suggested, chosen_purpose=chosen,
                                 action=action, staff_id=actor.id if actor else None,
                                 note=note)
        s.add(row)
        s.flush()
        decision_id = row.id
    with sessions() as s:
        found = _read(s, SuggestionDecision.id == decision_id)
    assert found is not None
    return found


def _read(s: Session, *where) -> DecisionInfo | None:
    d = SuggestionDecision
    row = s.execute(
        select(d.id, d.customer_id, d.as_of, d.rule_name, d.suggested_purpose,
               d.chosen_purpose, d.action, StaffUser.display_name, StaffUser.username,
               d.decided_at, d.note)
        .outerjoin(StaffUser, StaffUser.id == d.staff_id)
        .where(*where)
        .order_by(d.decided_at.desc(), d.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    (i, cid, as_of, rule, suggested, chosen, action, display, username, at, note) = row
    return DecisionInfo(i, cid, as_of, rule, suggested, chosen, action,
                        display or username or "", at, note)


def latest_decision_in(s: Session, customer_id: int, as_of: dt.date) -> DecisionInfo | None:
    """The customer's latest decision on a suggestion made for `as_of` (the brief's day): a
    brief of another day suggests afresh."""
    return _read(s, SuggestionDecision.customer_id == customer_id,
                 SuggestionDecision.as_of == as_of)


def decisions_of(sessions: sessionmaker[Session], customer_id: int) -> tuple[DecisionInfo, ...]:
    """Every decision on the customer's suggestions, newest first."""
    d = SuggestionDecision
    with sessions() as s:
        ids = s.scalars(select(d.id).where(d.customer_id == customer_id)
                        .order_by(d.decided_at.desc(), d.id.desc())).all()
        found = [_read(s, d.id == i) for i in ids]
    return tuple(x for x in found if x is not None)
