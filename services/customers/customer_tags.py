"""Tagging customers (any signed-in staff): a customer's tags with who gave each and when, and
adding or removing one tag. Both are deltas, so two people tagging the same customer at once
both succeed: adding a tag the customer has, or removing one they no longer have, changes
nothing and is no error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import Customer, CustomerTag, StaffUser, Tag, TagGroup
from models.base import utcnow
from services.customers.gone import customer_gone
from services.customers.tags import TAG_GONE, tag_info
from services.staff.audit import record
from services.staff.permissions import Actor, staff_id
from services.store.errors import N_, RevisitError, StaleEdit

Sessions = sessionmaker[Session]


@dataclass(frozen=True)
class CustomerTagInfo:
    tag_id: int
    group: str
    name: str
    active: bool  # False: the tag was retired since; the customer keeps it
    tagged_at: dt.datetime  # naive UTC, as stored
    tagged_by: str  # display name (user name) of who gave it; "" when not known

    @property
    def path(self) -> str:
        return f"{self.group}/{self.name}"


def customer_tags(sessions: Sessions, customer_id: int) -> tuple[CustomerTagInfo, ...]:
    """The customer's tags in vocabulary order (group, then the order tags were added)."""
    with sessions() as s:
        _customer(s, customer_id)
        rows = s.execute(
            select(Tag.id, TagGroup.name, Tag.name, Tag.active, CustomerTag.tagged_at,
                   StaffUser.username, StaffUser.display_name)
            .join(Tag, Tag.id == CustomerTag.tag_id)
            .join(TagGroup, TagGroup.id == Tag.group_id)
            .outerjoin(StaffUser, StaffUser.id == CustomerTag.tagged_by)
            .where(CustomerTag.customer_id == customer_id)
            .order_by(TagGroup.sort_order, TagGroup.id, Tag.id)).all()
    return tuple(
        CustomerTagInfo(r[0], r[1], r[2], bool(r[3]), r[4],
                        Actor(0, r[5], "", r[6] or "").name if r[5] else "")
        for r in rows)


def _customer(s: Session, customer_id: int) -> tuple[str, str]:
    row = s.execute(select(Customer.code, Customer.name)
                    .where(Customer.id == customer_id)).first()
    if row is None:
        raise customer_gone(s, customer_id)
    return row[0], row[1]


def _insert_if_missing(s: Session, values: dict) -> bool:
    """Whether the row was inserted. ON CONFLICT DO NOTHING: a second person adding the same
    tag at the same moment waits for the first and then inserts nothing, instead of failing on
    the primary key. RETURNING says whether it inserted (psycopg reports no rowcount here)."""
    # The dialect's own insert, imported here: the PostgreSQL dialect costs 30 ms to import and
    # a SQLite user never needs it.
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
    stmt = (dialect.insert(CustomerTag).values(**values)
            .on_conflict_do_nothing(index_elements=["customer_id", "tag_id"])
            .returning(CustomerTag.tag_id))
    return s.execute(stmt).first() is not None


def add_customer_tag(sessions: Sessions, actor: Actor | None, customer_id: int,
                     tag_id: int) -> bool:
    """Give the customer the tag; False when they had it already (nothing changes). A retired
    tag is given to nobody new."""
    try:
        with sessions.begin() as s:
            code, name = _customer(s, customer_id)
            tag = s.execute(select(Tag.active, TagGroup.name, Tag.name)
                            .join(TagGroup, TagGroup.id == Tag.group_id)
                            .where(Tag.id == tag_id)).first()
            if tag is None:
                raise _gone()
            path = f"{tag[1]}/{tag[2]}"
            if not tag[0]:
                raise RevisitError(N_("The tag “{tag}” is retired: customers who have it keep "
                                      "it, but it is given to nobody new."), tag=path)
            if not _insert_if_missing(s, {"customer_id": customer_id, "tag_id": tag_id,
                                          "tagged_at": utcnow(), "tagged_by": staff_id(actor)}):
                return False
            record(s, actor, "customer_tag_add", "customer", customer_id,
                   {"customer": code, "tag": path, "tag_id": tag_id})
            return True
    except IntegrityError as exc:
        # The tag was deleted, or the customer erased, between reading and writing.
        _explain(sessions, customer_id, tag_id)
        raise _gone() from exc


def remove_customer_tag(sessions: Sessions, actor: Actor | None, customer_id: int,
                        tag_id: int) -> bool:
    """Take the tag off the customer; False when they no longer had it (nothing changes)."""
    with sessions.begin() as s:
        code, _name = _customer(s, customer_id)
        tag = s.execute(select(TagGroup.name, Tag.name)
                        .join(TagGroup, TagGroup.id == Tag.group_id)
                        .where(Tag.id == tag_id)).first()
        done = s.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer_id,
                                                   CustomerTag.tag_id == tag_id)
                         .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return False
        path = f"{tag[0]}/{tag[1]}" if tag is not None else str(tag_id)
        record(s, actor, "customer_tag_remove", "customer", customer_id,
               {"customer": code, "tag": path, "tag_id": tag_id})
        return True


def _gone() -> RevisitError:
    return StaleEdit(TAG_GONE)


def _explain(sessions: Sessions, customer_id: int, tag_id: int) -> None:
    """Raise the sentence for whichever of the two disappeared."""
    with sessions() as s:
        _customer(s, customer_id)
    tag_info(sessions, tag_id)
