"""Referrals (老带新): record who introduced a customer — another customer, a member of staff or
an organisation — and read both directions for a customer. Whether an introduction came to
anything is read from the stored rows: a car bought, or a service visit, by the introduced
customer on or after the day of the introduction (up to the day asked about)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from models import Customer, Referral, ReferralByCustomer, ServiceVisit, StaffUser, Vehicle
from services.customers.gone import customer_gone
from services.staff.audit import record
from services.staff.permissions import Actor
from services.store import versions
from services.store.errors import N_, RevisitError

ORG_MAX = 100
NOTE_MAX = 200


@dataclass(frozen=True)
class ReferralInfo:
    """One introduction as a sentence needs it. `referrer_*`: a customer's id, code and name,
    a member of staff's name (code ""), or the organisation's name (id None, code "")."""

    id: int
    referred_on: dt.date
    kind: str  # models/codes.py REFERRER_KINDS
    introduced_id: int
    introduced_code: str
    introduced_name: str
    referrer_id: int | None
    referrer_code: str
    referrer_name: str
    bought_on: dt.date | None  # first car bought on or after the referral day
    came_on: dt.date | None  # first service visit on or after the referral day
    note: str | None


@dataclass(frozen=True)
class Referrals:
    """A customer's referrals on `as_of`: who introduced them, and whom they introduced."""

    as_of: dt.date
    introduced_by: tuple[ReferralInfo, ...]
    introduced: tuple[ReferralInfo, ...]

    @property
    def count(self) -> int:
        """People introduced (one person introduced twice counts once)."""
        return len({r.introduced_id for r in self.introduced})

    @property
    def bought(self) -> int:
        return len({r.introduced_id for r in self.introduced if r.bought_on})

    @property
    def came(self) -> int:
        return len({r.introduced_id for r in self.introduced if r.came_on})


def staff_id_of(sessions: sessionmaker[Session], name: str) -> int:
    """An active staff account by user name or display name (as typed on a command line)."""
    name = name.strip()
    with sessions() as s:
        found = s.scalars(
            select(StaffUser.id).where(
                or_(func.lower(StaffUser.username) == name.lower(),
                    StaffUser.display_name == name))
            .order_by(StaffUser.active.desc(), StaffUser.id)).all()
    if not found:
        raise RevisitError(N_("There is no staff account '{user}'."), user=name)
    return found[0]


def record_referral(
    sessions: sessionmaker[Session],
    actor: Actor | None,
    customer_id: int,
    *,
    referred_on: dt.date,
    by_customer: int | None = None,
    by_staff: int | None = None,
    by_org: str | None = None,
    note: str | None = None,
    today: dt.date | None = None,
) -> ReferralInfo:
    """Record that `customer_id` was introduced on `referred_on` by exactly one of a customer, a
    member of staff or an organisation. Refused: a customer introducing themselves, an unknown
    customer or account, a day in the future, and the same introduction twice."""
    org = (by_org or "").strip() or None
    given = [x for x in (by_customer, by_staff, org) if x is not None]
    if len(given) != 1:
        raise RevisitError(N_("Name exactly one who introduced the customer: a customer, a "
                              "member of staff or an organisation."))
    if org is not None and len(org) > ORG_MAX:
        raise RevisitError(N_("The organisation's name is longer than {n} characters."),
                           n=ORG_MAX)
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise RevisitError(N_("The note is longer than {n} characters."), n=NOTE_MAX)
    if referred_on > (today or dt.date.today()):
        raise RevisitError(N_("The referral date {date} is in the future."),
                           date=referred_on.isoformat())
    if by_customer is not None and by_customer == customer_id:
        raise RevisitError(N_("A customer cannot introduce themselves."))
    kind = "customer" if by_customer is not None else "staff" if by_staff is not None else "org"
    with sessions.begin() as s:
        # The introduced customer's lock: two people recording the same introduction at once
        # cannot both pass the duplicate check.
        if not versions.lock(s, Customer, Customer.id == customer_id):
            raise customer_gone(s, customer_id)
        if by_customer is not None and s.get(Customer, by_customer) is None:
            raise customer_gone(s, by_customer)
        if by_staff is not None and s.get(StaffUser, by_staff) is None:
            raise RevisitError(N_("There is no staff account with id {id}."), id=by_staff)
        if _same_pair(s, customer_id, by_customer, by_staff, org):
            raise RevisitError(N_("This introduction is already recorded."))
        row = Referral(customer_id=customer_id, referred_on=referred_on, referrer_kind=kind,
                       referrer_staff_id=by_staff, referrer_org=org,
                       note=note,
                       recorded_by=actor.id if actor else None)
        s.add(row)
        s.flush()
        if by_customer is not None:
            s.add(ReferralByCustomer(referral_id=row.id, customer_id=by_customer))
        record(s, actor, "add_referral", "customer", customer_id,
               {"referral": row.id, "on": referred_on, "kind": kind,
                "by_customer": by_customer, "by_staff": by_staff, "by_org": org})
        s.flush()
        as_of = max(referred_on, today or dt.date.today())
        return _infos(s, Referral.id == row.id, as_of)[0]


def _same_pair(s: Session, customer_id: int, by_customer: int | None, by_staff: int | None,
               org: str | None) -> bool:
    stmt = select(Referral.id).where(Referral.customer_id == customer_id)
    if by_customer is not None:
        stmt = stmt.join(ReferralByCustomer, ReferralByCustomer.referral_id == Referral.id) \
            .where(ReferralByCustomer.customer_id == by_customer)
    elif by_staff is not None:
        stmt = stmt.where(Referral.referrer_staff_id == by_staff)
    else:
        stmt = stmt.where(Referral.referrer_org == org)
    return s.scalar(stmt.limit(1)) is not None


def remove_referral(sessions: sessionmaker[Session], actor: Actor | None,
                    referral_id: int) -> None:
    """Take back a referral recorded by mistake; the audit trail keeps what it said."""
    with sessions.begin() as s:
        row = s.get(Referral, referral_id)
        if row is None:
            raise RevisitError(N_("That referral no longer exists."))
        by = s.scalar(select(ReferralByCustomer.customer_id)
                      .where(ReferralByCustomer.referral_id == referral_id))
        record(s, actor, "remove_referral", "customer", row.customer_id,
               {"referral": referral_id, "on": row.referred_on, "kind": row.referrer_kind,
                "by_customer": by, "by_staff": row.referrer_staff_id,
                "by_org": row.referrer_org})
        s.delete(row)


def _infos(s: Session, where, as_of: dt.date) -> list[ReferralInfo]:
    introduced = aliased(Customer, name="introduced")
    referrer = aliased(Customer, name="referrer")
    bought = (select(func.min(Vehicle.purchase_date))
              .where(Vehicle.customer_id == Referral.customer_id,
                     Vehicle.purchase_date >= Referral.referred_on,
                     Vehicle.purchase_date <= as_of)
              .scalar_subquery())
    came = (select(func.min(ServiceVisit.visit_date))
            .where(ServiceVisit.customer_id == Referral.customer_id,
                   ServiceVisit.visit_date >= Referral.referred_on,
                   ServiceVisit.visit_date <= as_of)
            .scalar_subquery())
    stmt = (
        select(Referral.id, Referral.referred_on, Referral.referrer_kind, Referral.customer_id,
               introduced.code, introduced.name, ReferralByCustomer.customer_id, referrer.code,
               referrer.name, StaffUser.display_name, StaffUser.username, Referral.referrer_org,
               bought, came, Referral.note)
        .join(introduced, introduced.id == Referral.customer_id)
        .outerjoin(ReferralByCustomer, ReferralByCustomer.referral_id == Referral.id)
        .outerjoin(referrer, referrer.id == ReferralByCustomer.customer_id)
        .outerjoin(StaffUser, StaffUser.id == Referral.referrer_staff_id)
        .where(where)
        .order_by(Referral.referred_on.desc(), Referral.id.desc())
    )
    out = []
    for (rid, on, kind, cid, code, name, by_id, by_code, by_name, staff_name, username, org,
         bought_on, came_on, note) in s.execute(stmt):
        who = by_name if kind == "customer" else (staff_name or username) if kind == "staff" \
            else org
        out.append(ReferralInfo(rid, on, kind, cid, code, name, by_id, by_code or "",
                                who or "", bought_on, came_on, note))
    return out


def referrals_of(sessions: sessionmaker[Session], customer_id: int,
                 as_of: dt.date | None = None) -> Referrals:
    """Both directions for one customer, referrals made on or before `as_of` (today). A
    referral between two customers since merged into one is no referral and is left out."""
    day = as_of or dt.date.today()
    with sessions() as s:
        return read_referrals(s, customer_id, day)


def read_referrals(s: Session, customer_id: int, as_of: dt.date) -> Referrals:
    """`referrals_of` in the caller's session (the brief reads everything in one)."""
    not_self = or_(ReferralByCustomer.customer_id.is_(None),
                   ReferralByCustomer.customer_id != Referral.customer_id)
    by = _infos(s, (Referral.customer_id == customer_id) & (Referral.referred_on <= as_of)
                & not_self, as_of)
    made = select(ReferralByCustomer.referral_id).where(
        ReferralByCustomer.customer_id == customer_id)
    introduced = _infos(s, Referral.id.in_(made) & (Referral.referred_on <= as_of)
                        & (Referral.customer_id != customer_id), as_of)
    return Referrals(as_of, tuple(by), tuple(introduced))
