"""What other PCs (and scheduled commands) stored since a moment: the window asks every half
minute, so a caller's queue shows the list a supervisor just handed out, and a customer page
says when a colleague changed its customer.

Every write staff make is either a contact (contact_event) or enters the audit trail in its own
transaction (services/staff/audit.py), so the newest id of each is the moment's mark, and the
rows after it are the news: what kind of data they touched, and which customers. Both reads
go by primary key. On PostgreSQL a transaction given an id before a later one may commit after
it was read past; its news is then missed, and the next save or 刷新 shows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, ContactEvent

# More rows than this since the last look (an import, a list of thousands read back) are news
# about everything, not read row by row.
MOST_ROWS = 500

# Every kind of data the window's areas listen for (ui/tasks.py DataChange).
EVERYTHING = frozenset({"customers", "contacts", "profile", "readings", "preferences",
                        "complaints", "lists", "imports", "segments", "settings", "staff",
                        "tags", "intervals", "merges"})
CUSTOMER = frozenset({"customers", "profile", "readings", "preferences", "tags", "contacts"})
# What an audit entry about each kind of thing tells the window (its entity column).
BY_ENTITY: dict[str, frozenset[str]] = {
    "customer": CUSTOMER | {"merges"},
    "do_not_contact": frozenset({"preferences"}),
    "file": frozenset({"preferences"}),  # a vendor's unsubscribe file read
    "saved_segment": frozenset({"segments"}),
    "list_run": frozenset({"lists", "contacts", "profile"}),
    "import_batch": EVERYTHING,
    "staff_user": frozenset({"staff"}),
    "app_setting": frozenset({"settings"}),
    "service_interval": frozenset({"intervals"}),
    "tag": frozenset({"tags"}),
    "tag_group": frozenset({"tags"}),
}
CONTACT = frozenset({"contacts", "lists"})


@dataclass(frozen=True)
class Mark:
    """The newest audit entry and contact when last looked."""

    audit_id: int
    contact_id: int


@dataclass(frozen=True)
class News:
    """What changed since a mark: `kinds` as DataChange names them, `customer_ids` the customers
    touched (empty: any customer, as when too many rows or a refusal came in), and the new
    mark to look from next."""

    kinds: frozenset[str]
    customer_ids: frozenset[int]
    mark: Mark


def mark_now(sessions: sessionmaker[Session]) -> Mark:
    with sessions() as s:
        return _mark(s)


def _mark(s: Session) -> Mark:
    return Mark(s.scalar(select(func.coalesce(func.max(AuditLog.id), 0))) or 0,
                s.scalar(select(func.coalesce(func.max(ContactEvent.id), 0))) or 0)


def news_since(sessions: sessionmaker[Session], mark: Mark, me: int | None) -> News | None:
    """What others stored after `mark`: entries and contacts not by `me` (the staff id signed
    in here; this window announced its own writes already). None when nothing was stored;
    news of no kinds, with the mark moved on, when only sign-ins and `me`'s work were."""
    with sessions() as s:
        now = _mark(s)
        if now == mark:
            return None
        audit = s.execute(
            select(AuditLog.entity, AuditLog.entity_id, AuditLog.action, AuditLog.staff_id)
            .where(AuditLog.id > mark.audit_id, AuditLog.id <= now.audit_id)
            .order_by(AuditLog.id).limit(MOST_ROWS + 1)).all()
        contacts = s.execute(
            select(ContactEvent.customer_id, ContactEvent.staff_id)
            .where(ContactEvent.id > mark.contact_id, ContactEvent.id <= now.contact_id)
            .order_by(ContactEvent.id).limit(MOST_ROWS + 1)).all()
    if len(audit) > MOST_ROWS or len(contacts) > MOST_ROWS:
        return News(EVERYTHING, frozenset(), now)
    kinds: set[str] = set()
    customers: set[int] = set()
    anyone = False
    for entity, entity_id, action, staff in audit:
        if (me is not None and staff == me) or action == "sign_in":
            continue
        told = BY_ENTITY.get(entity, frozenset())
        kinds |= told
        if entity == "customer" and entity_id is not None:
            customers.add(entity_id)
        elif told:
            anyone = True
    for customer_id, staff in contacts:
        if me is None or staff != me:
            kinds |= CONTACT
            customers.add(customer_id)
    return News(frozenset(kinds), frozenset() if anyone else frozenset(customers), now)
