"""The audit trail: the one way services record who did what (`audit`, `record`), and reading it
back by person, customer, action and date for a supervisor (`read_audit`).

An entry is about one thing (`entity`, `entity_id`): a customer, a do-not-contact entry, a
staff account, a saved segment, a list run, the shared settings, an import. Entries about a
customer's do-not-contact rows count as that customer's. Reading names what each entry is about
(the customer, staff member, segment, list, tag or import file) in the page's one query;
services/staff/audit_words.py says the rest in words."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from models import (
    AuditLog,
    Customer,
    DoNotContact,
    ImportBatch,
    ListRun,
    SavedSegment,
    StaffUser,
    Tag,
    TagGroup,
)
from services.staff.permissions import VIEW_AUDIT, Actor, require, staff_id
from services.store.errors import N_, RevisitError

DEFAULT_LIMIT = 1000


def audit(session: Session, action: str, entity: str, entity_id: int | None, detail: dict,
          staff_id: int | None) -> None:
    """Add one entry in the caller's transaction, so it is kept exactly when the change is."""
    session.add(AuditLog(action=action, entity=entity, entity_id=entity_id, staff_id=staff_id,
                         detail=json.dumps(detail, ensure_ascii=False, default=str)))


def record(session: Session, actor: Actor | None, action: str, entity: str,
           entity_id: int | None, detail: dict) -> None:
    """`audit` for a signed-in person (None: nobody signed in, e.g. a script before the first
    supervisor existed)."""
    audit(session, action, entity, entity_id, detail, staff_id(actor))


@dataclass(frozen=True)
class AuditFilter:
    """What to show; None or "" means any. Dates are local calendar days, both included."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    username: str = ""
    customer_code: str = ""
    action: str = ""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime  # naive UTC, as stored; `local_time` for showing it
    username: str  # "" when nobody was signed in
    staff_name: str
    action: str
    entity: str
    entity_id: int | None
    customer_code: str  # the customer the entry is about, "" when none
    customer_name: str
    detail: str  # JSON text
    # The name of what the entry is about when it is not a customer and still exists: a staff
    # member's, a segment's, a list's segment, a tag's or tag group's, an import's file; "".
    entity_name: str = ""
    # A saved segment that is a template saved under its key (due.birthday, as a list made
    # from the template saves it): that key, for its name as staff read it (30天内生日); "".
    entity_template: str = ""

    def detail_data(self) -> Any:
        try:
            return json.loads(self.detail) if self.detail else None
        except ValueError:
            return self.detail


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]  # newest first
    total: int  # entries matching the filter; more than shown when the limit cut them


def local_time(at: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in this PC's time zone, naive."""
    return at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def _utc_start(day: dt.date) -> dt.datetime:
    """The UTC moment this PC's local `day` starts, naive as stored."""
    return dt.datetime.combine(day, dt.time.min).astimezone(dt.UTC).replace(tzinfo=None)


def _customer_id_of():
    """The customer an entry is about, as an SQL expression (NULL when none)."""
    refusal = select(DoNotContact.customer_id).where(
        DoNotContact.id == AuditLog.entity_id).scalar_subquery()
    return case(
        (AuditLog.entity == "customer", AuditLog.entity_id),
        (AuditLog.entity == "do_not_contact", refusal),
        else_=None,
    )


def _conditions(s: Session, flt: AuditFilter) -> list:
    where: list = []
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise RevisitError(N_("The first day ({start}) is after the last ({end})."),
                           start=flt.date_from.isoformat(), end=flt.date_to.isoformat())
    if flt.date_from:
        where.append(AuditLog.at >= _utc_start(flt.date_from))
    if flt.date_to:
        where.append(AuditLog.at < _utc_start(flt.date_to + dt.timedelta(days=1)))
    if flt.username.strip():
        who = s.scalar(select(StaffUser.id).where(
            func.lower(StaffUser.username) == flt.username.strip().lower()))
        if who is None:
            raise RevisitError(N_("There is no staff account '{user}'."),
                               user=flt.username.strip())
        where.append(AuditLog.staff_id == who)
    if flt.customer_code.strip():
        customer = s.scalar(select(Customer.id).where(Customer.code == flt.customer_code.strip()))
        if customer is None:
            raise RevisitError(N_("There is no customer with the code {code}."),
                               code=flt.customer_code.strip())
        where.append(or_(
            and_(AuditLog.entity == "customer", AuditLog.entity_id == customer),
            and_(AuditLog.entity == "do_not_contact", AuditLog.entity_id.in_(
                select(DoNotContact.id).where(DoNotContact.customer_id == customer))),
        ))
    if flt.action.strip():
        where.append(AuditLog.action == flt.action.strip())
    return where


def read_audit(sessions: sessionmaker[Session], actor: Actor | None, flt: AuditFilter,
               limit: int | None = DEFAULT_LIMIT) -> AuditPage:
    """The entries matching `flt`, newest first, at most `limit` (None: all). Supervisors only:
    the trail shows what everyone did."""
    require(actor, VIEW_AUDIT)
    with sessions() as s:
        where = _conditions(s, flt)
        total = s.scalar(select(func.count()).select_from(AuditLog).where(*where)) or 0
        customer_id = _customer_id_of().label("customer_id")
        inner = (select(AuditLog, customer_id).where(*where)
                 .order_by(AuditLog.at.desc(), AuditLog.id.desc()))
        if limit is not None:
            inner = inner.limit(limit)
        page = inner.subquery()
        # Outer joins on primary keys, within the page's one query: a name per entry for
        # the at most `limit` entries shown, never a query per row.
        who = aliased(StaffUser)
        named = (("staff_user", who, who.display_name),
                 ("saved_segment", SavedSegment, SavedSegment.name),
                 ("list_run", ListRun, ListRun.segment_name),
                 ("tag", Tag, Tag.name),
                 ("tag_group", TagGroup, TagGroup.name),
                 ("import_batch", ImportBatch, ImportBatch.file_name))
        entity_name = case(*((page.c.entity == kind, name) for kind, _, name in named),
                           else_=None).label("entity_name")
        entity_template = case((and_(page.c.entity == "saved_segment",
                                     SavedSegment.template == SavedSegment.name),
                                SavedSegment.template), else_=None).label("entity_template")
        query = (select(page, StaffUser.username, StaffUser.display_name, Customer.code,
                        Customer.name, entity_name, entity_template)
                 .outerjoin(StaffUser, StaffUser.id == page.c.staff_id)
                 .outerjoin(Customer, Customer.id == page.c.customer_id))
        for kind, table, _ in named:
            query = query.outerjoin(table, and_(page.c.entity == kind,
                                                table.id == page.c.entity_id))
        rows = s.execute(query.order_by(page.c.at.desc(), page.c.id.desc())).all()
    entries = tuple(
        AuditEntry(id=r.id, at=r.at, username=r.username or "", staff_name=r.display_name or "",
                   action=r.action, entity=r.entity, entity_id=r.entity_id,
                   customer_code=r.code or "", customer_name=r.name or "",
                   detail=r.detail or "", entity_name=r.entity_name or "",
                   entity_template=r.entity_template or "")
        for r in rows
    )
    return AuditPage(entries, total)


def audit_actions(sessions: sessionmaker[Session]) -> tuple[str, ...]:
    """The actions the trail holds, for a filter's choices."""
    with sessions() as s:
        return tuple(s.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)))
