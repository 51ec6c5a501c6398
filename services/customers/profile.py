"""Profile attributes with history: record a change (never an overwrite), read the current value,
the value as of a date, and the history of an attribute."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from models import Customer, ProfileChange
from models.codes import CHANGE_SOURCES
from models.profile import PROFILE_ATTRIBUTES
from services.store.errors import N_, RevisitError


@dataclass(frozen=True)
class Change:
    id: int
    customer_id: int
    attribute: str
    old_value: str | None
    new_value: str | None
    effective_date: dt.date
    recorded_at: dt.datetime
    staff_id: int | None
    source: str
    note: str | None


def _to_change(row: ProfileChange) -> Change:
    return Change(
        id=row.id,
        customer_id=row.customer_id,
        attribute=row.attribute,
        old_value=row.old_value,
        new_value=row.new_value,
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        staff_id=row.staff_id,
        source=row.source,
        note=row.note,
    )


def validate(attribute: str, value: str | None) -> str | None:
    """The value normalised for storage, or RevisitError naming what is wrong."""
    if attribute not in PROFILE_ATTRIBUTES:
        raise RevisitError(N_("Unknown profile attribute '{attribute}'."), attribute=attribute)
    if value is None:
        return None
    value = str(value).strip()
    if value == "":
        return None
    allowed = PROFILE_ATTRIBUTES[attribute]
    if allowed is not None and value not in allowed:
        raise RevisitError(
            N_("'{value}' is not a valid value for {attribute} (allowed: {allowed})."),
            value=value,
            attribute=attribute,
            allowed=", ".join(allowed),
        )
    if len(value) > 100:
        raise RevisitError(
            N_("The value for {attribute} is longer than 100 characters."), attribute=attribute
        )
    return value


def value_as_of_select(attribute: str, as_of: dt.date, customer_id_col):
    """A correlated scalar subquery: the value of `attribute` in force on `as_of` for the
    customer in `customer_id_col` (the latest change effective on or before that day)."""
    return (
        select(ProfileChange.new_value)
        .where(
            ProfileChange.customer_id == customer_id_col,
            ProfileChange.attribute == attribute,
            ProfileChange.effective_date <= as_of,
        )
        .order_by(ProfileChange.effective_date.desc(), ProfileChange.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _value_as_of(session: Session, customer_id: int, attribute: str, as_of: dt.date) -> str | None:
    return session.execute(
        select(value_as_of_select(attribute, as_of, customer_id))
    ).scalar_one_or_none()


def record_change_in(
    session: Session,
    customer_id: int,
    attribute: str,
    new_value: str | None,
    *,
    effective_date: dt.date,
    source: str,
    staff_id: int | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> Change | None:
    """Record one change inside an open session. Returns None when the value in force on
    `effective_date` is already `new_value` (nothing to record)."""
    today = today or dt.date.today()
    new_value = validate(attribute, new_value)
    if source not in CHANGE_SOURCES:
        raise RevisitError(N_("Unknown source '{source}' for a profile change."), source=source)
    if effective_date > today:
        raise RevisitError(
            N_("The change date {date} is in the future; record a change once it has happened."),
            date=effective_date.isoformat(),
        )
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise RevisitError(N_("There is no customer with id {id}."), id=customer_id)
    old_value = _value_as_of(session, customer_id, attribute, effective_date)
    if old_value == new_value:
        return None
    row = ProfileChange(
        customer_id=customer_id,
        attribute=attribute,
        old_value=old_value,
        new_value=new_value,
        effective_date=effective_date,
        staff_id=staff_id,
        source=source,
        note=note,
    )
    session.add(row)
    session.flush()
    if attribute == "lifecycle_stage":
        # Keep the mirror column equal to the stage in force today.
        customer.lifecycle_stage = _value_as_of(session, customer_id, attribute, today)
    return _to_change(row)


def record_change(
    sessions: sessionmaker[Session],
    customer_id: int,
    attribute: str,
    new_value: str | None,
    *,
    effective_date: dt.date,
    source: str,
    staff_id: int | None = None,
    note: str | None = None,
) -> Change | None:
    """Record a change of one profile attribute in its own transaction."""
    with sessions.begin() as session:
        return record_change_in(
            session,
            customer_id,
            attribute,
            new_value,
            effective_date=effective_date,
            source=source,
            staff_id=staff_id,
            note=note,
        )


def values_as_of(
    sessions: sessionmaker[Session], customer_id: int, as_of: dt.date | None = None
) -> dict[str, str | None]:
    """Every attribute's value in force on `as_of` (default today); unknown ones are absent."""
    as_of = as_of or dt.date.today()
    latest = (
        select(
            ProfileChange.attribute,
            func.max(ProfileChange.effective_date).label("day"),
        )
        .where(ProfileChange.customer_id == customer_id, ProfileChange.effective_date <= as_of)
        .group_by(ProfileChange.attribute)
        .subquery()
    )
    with sessions() as session:
        rows = session.execute(
            select(ProfileChange.attribute, ProfileChange.new_value, ProfileChange.id)
            .join(
                latest,
                and_(
                    ProfileChange.attribute == latest.c.attribute,
                    ProfileChange.effective_date == latest.c.day,
                ),
            )
            .where(ProfileChange.customer_id == customer_id)
            .order_by(ProfileChange.id)
        ).all()
    # Several changes on the same day: the last recorded wins (rows are ordered by id).
    return {attr: value for attr, value, _ in rows if value is not None}


def current_values(sessions: sessionmaker[Session], customer_id: int) -> dict[str, str | None]:
    return values_as_of(sessions, customer_id, dt.date.today())


def value_as_of(
    sessions: sessionmaker[Session], customer_id: int, attribute: str, as_of: dt.date
) -> str | None:
    validate(attribute, None)
    with sessions() as session:
        return _value_as_of(session, customer_id, attribute, as_of)


def history(
    sessions: sessionmaker[Session], customer_id: int, attribute: str | None = None
) -> list[Change]:
    """Changes in the order they took effect (then in the order recorded)."""
    query = select(ProfileChange).where(ProfileChange.customer_id == customer_id)
    if attribute is not None:
        validate(attribute, None)
        query = query.where(ProfileChange.attribute == attribute)
    query = query.order_by(ProfileChange.effective_date, ProfileChange.id)
    with sessions() as session:
        return [_to_change(r) for r in session.scalars(query)]


__all__ = [
    "Change",
    "current_values",
    "history",
    "record_change",
    "record_change_in",
    "validate",
    "value_as_of",
    "value_as_of_select",
    "values_as_of",
]
