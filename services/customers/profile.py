"""Profile attributes with history: record a change (never an overwrite), read the current value,
the value as of a date, and the history of an attribute."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Customer, ProfileChange
from models.codes import CHANGE_SOURCES
from models.profile import PROFILE_ATTRIBUTES
from services.customers.gone import customer_gone
from services.labels import both
from services.staff.audit import audit
from services.store import versions
from services.store.errors import N_, RevisitError, Said


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


def _in_force(session: Session, customer_id: int, attribute: str, day: dt.date) -> str | None:
    """The value in force on `day`: from the history; for the lifecycle stage, whose value is
    also kept on the customer, that stored stage when the history has none of it at all (one
    written around the app, by SQL or an older copy), so a first change keeps it as the old
    value instead of losing it."""
    value = _value_as_of(session, customer_id, attribute, day)
    if value is None and attribute == "lifecycle_stage" and session.scalar(
            select(func.count()).select_from(ProfileChange).where(
                ProfileChange.customer_id == customer_id,
                ProfileChange.attribute == attribute)) == 0:
        return session.scalar(select(Customer.lifecycle_stage).where(Customer.id == customer_id))
    return value


class _Unseen:
    """`seen_value` not given: the caller did not show the value it changes (a batch)."""


UNSEEN = _Unseen()


def _stale_profile(session: Session, customer_id: int, attribute: str | None,
                   today: dt.date | None = None):
    """The StaleEdit naming who recorded the latest change (of `attribute`, or of any), and
    for `attribute` its value in force `today`."""
    query = select(ProfileChange.staff_id, ProfileChange.recorded_at).where(
        ProfileChange.customer_id == customer_id)
    if attribute is not None:
        query = query.where(ProfileChange.attribute == attribute)
    latest = session.execute(query.order_by(ProfileChange.id.desc()).limit(1)).first()
    if attribute is None:
        if latest is None:  # changed by an import or a merge, which record no profile change
            at = session.scalar(select(Customer.updated_at).where(Customer.id == customer_id))
            return versions.stale(versions.CUSTOMER, None, at)
        return versions.stale(versions.CUSTOMER, versions.staff_name(session, latest.staff_id),
                              latest.recorded_at)
    who = versions.staff_name(session, latest.staff_id) if latest else None
    # The value in force, the one the refused save was checked against: the latest change
    # recorded may have taken effect on an earlier day than another's.
    value = _in_force(session, customer_id, attribute, today or dt.date.today())
    return versions.stale(versions.PROFILE, who, latest.recorded_at if latest else None,
                          attribute=Said.inside(*both("attribute", attribute)),
                          value=Said(*both(attribute, value)))


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
    seen_value: str | None | _Unseen = UNSEEN,
    expected_version: int | None = None,
) -> Change | None:
    """Record one change inside an open session. Returns None when the value in force on
    `effective_date` is already `new_value` (nothing to record).

    The customer's row is locked first, so the old value stored is the one in force once every
    other change of this customer was committed (two changes at once never both record the same
    old value). `seen_value`: the value the editor showed as current; a save is refused with
    StaleEdit when the value in force today is another. `expected_version`: the customer version
    the editor loaded; refused when the customer changed since. The customer's version rises
    with every change recorded."""
    today = today or dt.date.today()
    new_value = validate(attribute, new_value)
    if source not in CHANGE_SOURCES:
        raise RevisitError(N_("Unknown source '{source}' for a profile change."), source=source)
    if effective_date > today:
        raise RevisitError(
            N_("The change date {date} is in the future; record a change once it has happened."),
            date=effective_date.isoformat(),
        )
    if not versions.lock(session, Customer, Customer.id == customer_id):
        raise customer_gone(session, customer_id)
    if expected_version is not None and session.scalar(
            select(Customer.version).where(Customer.id == customer_id)) != expected_version:
        raise _stale_profile(session, customer_id, None)
    if not isinstance(seen_value, _Unseen):
        seen = validate(attribute, seen_value)
        if _in_force(session, customer_id, attribute, today) != seen:
            raise _stale_profile(session, customer_id, attribute, today)
    old_value = _in_force(session, customer_id, attribute, effective_date)
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
    values: dict = {"version": Customer.version + 1}
    if attribute == "lifecycle_stage":
        # Keep the mirror column equal to the stage in force today.
        values["lifecycle_stage"] = _value_as_of(session, customer_id, attribute, today)
    session.execute(update(Customer).where(Customer.id == customer_id).values(**values))
    audit(session, "record_change", "customer", customer_id,
          {"attribute": attribute, "before": old_value, "after": new_value,
           "effective": effective_date.isoformat(), "source": source}, staff_id)
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
    seen_value: str | None | _Unseen = UNSEEN,
    expected_version: int | None = None,
) -> Change | None:
    """Record a change of one profile attribute in its own transaction (see `record_change_in`
    for `seen_value` and `expected_version`)."""
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
            seen_value=seen_value,
            expected_version=expected_version,
        )


def customer_version(sessions: sessionmaker[Session], customer_id: int) -> int:
    """The customer's version now (what an editor loads along with the values it shows)."""
    with sessions() as session:
        version = session.scalar(select(Customer.version).where(Customer.id == customer_id))
        if version is None:
            raise customer_gone(session, customer_id)
    return version


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
        # Several changes on the same day: the last recorded wins (rows are ordered by id),
        # a value cleared after being set that day included; cleared values are then absent.
        last = {attr: value for attr, value, _ in rows}
        values: dict[str, str | None] = {a: v for a, v in last.items() if v is not None}
        if "lifecycle_stage" not in values:
            stage = _in_force(session, customer_id, "lifecycle_stage", as_of)
            if stage is not None:
                values["lifecycle_stage"] = stage
    return values


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
    "UNSEEN",
    "Change",
    "customer_version",
    "current_values",
    "history",
    "record_change",
    "record_change_in",
    "validate",
    "value_as_of",
    "value_as_of_select",
    "values_as_of",
]
