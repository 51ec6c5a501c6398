"""A plain-Python reference evaluator for segment filters, written from the fields' definitions
independently of the SQL compiler, and a loader putting the same small world into a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from models import (
    Complaint,
    ConsentEvent,
    ContactEvent,
    Customer,
    CustomerTag,
    MileageReading,
    OtherPurchase,
    ProfileChange,
    SatisfactionSurvey,
    ServiceVisit,
    Tag,
    TagGroup,
    Vehicle,
)

TAGS = ("客群/老年", "客群/宝妈", "行业/IT")
BANDS = ("1", "2", "3", "4", "5")
STAGES = ("stranger", "potential", "intent", "first_purchase", "repeat", "super")


@dataclass
class V:
    id: int
    brand: str
    purchase_date: dt.date | None
    active: bool
    insurance_expiry: dt.date | None
    price_paid: int | None
    readings: list[tuple[dt.date, int]] = field(default_factory=list)


@dataclass
class C:
    id: int
    city: str | None
    birthday_md: str | None
    stage: str | None
    vehicles: list[V] = field(default_factory=list)
    surveys: list[tuple[dt.date, int]] = field(default_factory=list)
    visits: list[tuple[dt.date, int]] = field(default_factory=list)
    purchases: list[tuple[dt.date, int]] = field(default_factory=list)
    contacts: list[dt.datetime] = field(default_factory=list)
    complaints: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    bands: list[tuple[dt.date, str]] = field(default_factory=list)
    stages: list[tuple[dt.date, str]] = field(default_factory=list)
    consents: list[tuple[dt.date, bool]] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)


def load(session, world: list[C]) -> None:
    """Insert the world; rows go in list order so ids rise in that order (the tie-break)."""
    tag_ids = {}
    for spec in TAGS:
        g, t = spec.split("/")
        group = session.query(TagGroup).filter_by(name=g).one_or_none()
        if group is None:
            group = TagGroup(name=g)
            session.add(group)
            session.flush()
        tag = Tag(group_id=group.id, name=t)
        session.add(tag)
        session.flush()
        tag_ids[spec] = tag.id
    for c in world:
        session.add(Customer(id=c.id, code=f"C{c.id}", name=f"客户{c.id}", city=c.city,
                             birthday_md=c.birthday_md, lifecycle_stage=c.stage))
    session.flush()
    rows: list = []
    for c in world:
        for v in c.vehicles:
            rows.append(Vehicle(id=v.id, customer_id=c.id, brand=v.brand, model="M",
                                purchase_date=v.purchase_date, active=v.active,
                                insurance_expiry=v.insurance_expiry,
                                price_paid=None if v.price_paid is None else Decimal(v.price_paid)))
    session.add_all(rows)
    session.flush()
    for c in world:
        for v in c.vehicles:
            for day, km in v.readings:
                session.add(MileageReading(vehicle_id=v.id, reading_date=day, km=km))
                session.flush()
        for day, score in c.surveys:
            session.add(SatisfactionSurvey(customer_id=c.id, survey_date=day, overall_score=score))
            session.flush()
        for day, amount in c.visits:
            session.add(ServiceVisit(customer_id=c.id, visit_date=day, visit_type="repair",
                                     amount=Decimal(amount)))
        for day, amount in c.purchases:
            session.add(OtherPurchase(customer_id=c.id, purchase_date=day, kind="accessory",
                                      amount=Decimal(amount)))
        for at in c.contacts:
            session.add(ContactEvent(customer_id=c.id, contact_at=at, channel="phone",
                                     purpose="care", outcome="reached"))
        for opened, resolved in c.complaints:
            session.add(Complaint(customer_id=c.id, opened_date=opened, topic="t",
                                  resolved=resolved is not None, resolved_date=resolved))
        for attr, changes in (("economic_band", c.bands), ("lifecycle_stage", c.stages)):
            for day, value in changes:
                session.add(ProfileChange(customer_id=c.id, attribute=attr, new_value=value,
                                          effective_date=day, source="call"))
                session.flush()
        for day, granted in c.consents:
            session.add(ConsentEvent(customer_id=c.id, granted=granted, event_date=day,
                                     source="call"))
            session.flush()
        for spec in sorted(c.tags):
            session.add(CustomerTag(customer_id=c.id, tag_id=tag_ids[spec]))
    session.flush()


# --- reference values -------------------------------------------------------------------------

def months_before(when: dt.date, months: int) -> dt.date:
    y, m = divmod(when.year * 12 + when.month - 1 - months, 12)
    m += 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][m - 1]
    return dt.date(y, m, min(when.day, last))


def latest(items, as_of):
    """The last of (date, value) items on or before as_of; later list position wins ties."""
    best = None
    for i, (day, value) in enumerate(items):
        if day <= as_of and (best is None or (day, i) >= best[0]):
            best = ((day, i), value)
    return None if best is None else best[1]


def est_km(v: V, as_of: dt.date):
    # Latest date last; on the same day the higher km counts as the later reading.
    readings = sorted((d, km) for d, km in v.readings if d <= as_of)
    if not readings:
        return None, None
    d1, k1 = readings[-1]
    older = [r for r in readings if r[0] <= d1 - dt.timedelta(days=30)]
    if older:
        d0, k0 = older[-1]
        db = (d1 - d0).days
        return k1 + float(k1 - k0) * (as_of - d1).days / db, float(k1 - k0) / db * 365.25
    p = v.purchase_date
    if p is not None and d1 > p:
        span = (d1 - p).days
        return float(k1) * (as_of - p).days / span, float(k1) / span * 365.25
    return float(k1), None


def spends(c: C, start_after: dt.date | None, as_of: dt.date):
    return [(d, a) for d, a in c.visits + c.purchases
            if a > 0 and d <= as_of and (start_after is None or d > start_after)]


def rfm_classes(world: list[C], as_of: dt.date) -> dict[int, str]:
    start = months_before(as_of, 24)
    stats = {}
    for c in world:
        s = spends(c, start, as_of)
        if s:
            stats[c.id] = ((as_of - max(d for d, _ in s)).days, len(s),
                           round(sum(a for _, a in s) * 100))
    n = len(stats)
    sums = [sum(x[i] for x in stats.values()) for i in range(3)]
    names = {(True, True, True): "important_value", (True, False, True): "important_develop",
             (False, True, True): "important_keep", (False, False, True): "important_retain",
             (True, True, False): "general_value", (True, False, False): "general_develop",
             (False, True, False): "general_keep", (False, False, False): "general_retain"}
    return {cid: names[(r * n <= sums[0], f * n >= sums[1], m * n >= sums[2])]
            for cid, (r, f, m) in stats.items()}


def band(score):
    if score is None:
        return "none"
    return "low" if score <= 6 else "middle" if score <= 8 else "high"


def stage_as_of(c: C, as_of):
    if not c.stages:
        return c.stage
    return latest(c.stages, as_of)


def birthday_due(md: str | None, as_of: dt.date, n: int) -> bool:
    if md is None:
        return False
    if n >= 365:
        return True
    days = {as_of + dt.timedelta(days=i) for i in range(n + 1)}
    mds = {d.strftime("%m%d") for d in days}
    if md == "0229":  # due on 1 March when the year has no 29 February
        return "0229" in mds or any(
            d.month == 3 and d.day == 1 and (d.year % 4 != 0 or d.year % 100 == 0 and d.year % 400)
            for d in days)
    return md in mds
