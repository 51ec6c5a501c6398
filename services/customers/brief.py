"""The pre-call brief: what a caller should know in the ten seconds before the phone is answered
— last contact, last spend, last survey and its trend, how family, work and money changed since
the car was bought, the cars with their estimated km and next maintenance, open complaints and
declined repairs, intent, preferences and refusals, who introduced them and whom they
introduced — each with its date; and the suggested next step the supervisor's rules propose
for them now (services/customers/suggest.py), with what staff already decided about it today."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import OtherPurchase
from services.customers.birthdays import age_on
from services.customers.detail import (
    ComplaintInfo,
    ContactInfo,
    CustomerDetail,
    IntentInfo,
    Preferences,
    Refusal,
    SurveyInfo,
    VehicleInfo,
    load,
)
from services.customers.profile import Change
from services.customers.referrals import Referrals, read_referrals
from services.customers.reminders import DeclinedInfo, MaintenanceDue, due_rows, read_declined
from services.customers.suggest import Suggestion, load_rules_in, suggest
from services.customers.suggest_decisions import DecisionInfo, latest_decision_in
from services.imports.phones import number_to_dial
from services.labels import car_name
from services.segments.context import V

# The km estimate is the segments' rule (services/segments/mileage.py) in Python, with its
# constants: the brief's car line, the suggestion's facts and a segment say one figure.
from services.segments.mileage import KM_PAIR_MIN_DAYS as READINGS_APART_DAYS
from services.segments.sqlx import DAYS_PER_YEAR

SURVEY_TREND = 4  # the last surveys shown as a trend, oldest first
# What the brief follows from the car's purchase to today, in the order it shows them.
TRACKED = ("economic_band", "marital_status", "household", "occupation", "employment",
           "car_payer")
KEPT = ("car_payer", "driving_experience", "temperament")


@dataclass(frozen=True)
class CarLine:
    vehicle_id: int
    name: str
    bought: dt.date | None
    years: float | None
    price_paid: Decimal | None
    payment: str | None
    km: int | None
    km_per_year: int | None
    last_reading: dt.date | None
    active: bool
    insurance_expiry: dt.date | None = None
    warranty_end: dt.date | None = None
    # Where km_per_year is counted from, to the last reading: the older of the two readings
    # the km line runs through, or the purchase date (see `km_line`).
    km_since: dt.date | None = None


@dataclass(frozen=True)
class Trend:
    """One profile attribute from the car's purchase (or its first value) to now."""

    attribute: str
    before: str | None
    now: str | None
    since: dt.date  # when it last changed
    direction: str  # "up", "down" (for the economic band), "changed", "same"


@dataclass(frozen=True)
class Spend:
    date: dt.date
    amount: Decimal
    kind: str  # a visit type or a purchase kind


@dataclass(frozen=True)
class Brief:
    customer_id: int
    code: str
    name: str
    mobile: str | None
    gender: str | None
    age: int | None
    stage: str | None
    as_of: dt.date
    last_contact: ContactInfo | None
    days_since_contact: int | None
    last_spend: Spend | None
    last_survey: SurveyInfo | None
    survey_trend: tuple[int, ...]
    trends: tuple[Trend, ...]
    kept: tuple[tuple[str, str, dt.date], ...]  # (attribute, value, since)
    cars: tuple[CarLine, ...]
    open_complaints: tuple[ComplaintInfo, ...]
    resolved_complaints: int
    intent: IntentInfo | None
    preferences: Preferences | None
    refusals: tuple[Refusal, ...]  # in force on the day
    marketing_consent: bool | None
    # Read with the brief from their own tables (`brief_for`); empty when made from a detail
    # alone.
    referrals: Referrals | None = None
    maintenance: tuple[MaintenanceDue, ...] = ()  # cars still owned, next due first
    declined: tuple[DeclinedInfo, ...] = ()  # open on the day, soonest due first
    last_visit: Spend | None = None  # the latest service visit, free ones too
    contact_name: str | None = None  # whom to ask for, when not the customer (联系人)
    note: str | None = None  # the customer's 备注: what staff should know before a call
    # The rules' proposal for the day, and what staff decided about a proposal that day
    # (`brief_for`); None when made from a detail alone.
    suggestion: Suggestion | None = None
    decision: DecisionInfo | None = None


def km_line(readings: tuple[tuple[dt.date, int, str], ...], bought: dt.date | None,
            as_of: dt.date) -> tuple[float | None, float | None, dt.date | None]:
    """(estimated km, km per year, the day the line starts) on `as_of`: a straight line through
    the last two readings at least 30 days apart; with one reading, from 0 km on the purchase
    date through it. Both figures are that one line's, and the km per year is counted from the
    day it starts (the older reading's, or the purchase date) to the last reading: a car driven
    13,000 km a year for 7 years and 6,000 in its last year read is about 6,000 a year since
    that reading, not since it was bought. The one place in Python either is worked out:
    whatever shows or tests a car's km reads its `car_line`."""
    known = sorted((d, km) for d, km, _ in readings if d <= as_of)
    if not known:
        return None, None, None
    d1, k1 = known[-1]
    older = [r for r in known if r[0] <= d1 - dt.timedelta(days=READINGS_APART_DAYS)]
    if older:
        d0, k0 = older[-1]
        span = (d1 - d0).days
        per_day = (k1 - k0) / span
        return k1 + per_day * (as_of - d1).days, per_day * DAYS_PER_YEAR, d0
    if bought is not None and d1 > bought:
        span = (d1 - bought).days
        return k1 * (as_of - bought).days / span, k1 / span * DAYS_PER_YEAR, bought
    return float(k1), None, None


def estimate_km(readings: tuple[tuple[dt.date, int, str], ...], bought: dt.date | None,
                as_of: dt.date) -> tuple[float | None, float | None]:
    """(estimated km, km per year) on `as_of`, of `km_line`."""
    return km_line(readings, bought, as_of)[:2]


def car_line(v: VehicleInfo, as_of: dt.date) -> CarLine:
    """A car as the brief shows it on `as_of`: years owned and the km estimate."""
    km, per_year, since = km_line(v.readings, v.purchase_date, as_of)
    years = None if v.purchase_date is None else (as_of - v.purchase_date).days / DAYS_PER_YEAR
    dated = [d for d, _, _ in v.readings if d <= as_of]
    return CarLine(v.id, f"{car_name(v.brand, v.model)} {v.plate or ''}".strip(), v.purchase_date,
                   years, v.price_paid, v.payment_method,
                   None if km is None else round(km),
                   None if per_year is None else round(per_year),
                   max(dated) if dated else None, v.active, v.insurance_expiry,
                   v.warranty_end, None if per_year is None else since)


def car_order(c: CarLine) -> tuple[bool, int]:
    """Cars still owned first, the newest bought first (a stable sort keeps the stored order
    of equals): the first is the car a suggestion is about."""
    return not c.active, -(c.bought.toordinal() if c.bought else 0)


def _value_on(changes: list[tuple[dt.date, str | None]], day: dt.date) -> str | None:
    value = None
    for effective, new_value in changes:
        if effective <= day:
            value = new_value
    return value


def profile_trends(history: tuple[Change, ...], since: dt.date | None,
                   as_of: dt.date) -> tuple[list[Trend], list[tuple[str, str, dt.date]]]:
    """TRACKED attributes from `since` (the newest car's purchase) to `as_of`, and the KEPT
    ones' latest values."""
    by_attribute: dict[str, list[tuple[dt.date, str | None]]] = {}
    for change in sorted(history, key=lambda c: (c.effective_date, c.recorded_at, c.id)):
        if change.effective_date <= as_of:
            by_attribute.setdefault(change.attribute, []).append(
                (change.effective_date, change.new_value))
    return trends_of(by_attribute, since)


def trends_of(by_attribute: dict[str, list[tuple[dt.date, str | None]]],
              since: dt.date | None) -> tuple[list[Trend], list[tuple[str, str, dt.date]]]:
    """`profile_trends` from each attribute's (effective date, new value) pairs up to the day,
    in the order they took effect (then were recorded)."""
    trends = []
    for attribute in TRACKED:
        changes = by_attribute.get(attribute)
        if not changes:
            continue
        now = changes[-1][1]
        before = _value_on(changes, since) if since is not None else None
        if before is None:
            before = changes[0][1]
        direction = "same" if before == now else "changed"
        if attribute == "economic_band" and before and now and before != now:
            direction = "up" if int(now) > int(before) else "down"
        trends.append(Trend(attribute, before, now, changes[-1][0], direction))
    kept = [(a, by_attribute[a][-1][1] or "", by_attribute[a][-1][0])
            for a in KEPT if a in by_attribute and by_attribute[a][-1][1]]
    return trends, kept


def make_brief(detail: CustomerDetail, last_purchase: Spend | None, as_of: dt.date) -> Brief:
    """The brief from what the customer page already loaded, on `as_of`."""
    contacts = [c for c in detail.contacts if c.at.date() <= as_of]
    last_contact = max(contacts, key=lambda c: c.at) if contacts else None
    visits = [Spend(v.date, v.amount, v.type) for v in detail.visits if v.date <= as_of]
    spends = [v for v in visits if v.amount > 0]
    if last_purchase is not None and last_purchase.date <= as_of:
        spends.append(last_purchase)
    surveys = sorted((s for s in detail.surveys if s.date <= as_of), key=lambda s: s.date)
    cars = sorted((car_line(v, as_of) for v in detail.vehicles), key=car_order)
    newest_bought = next((c.bought for c in cars if c.active and c.bought), None)
    trends, kept = profile_trends(detail.profile_history, newest_bought, as_of)
    age = age_on(detail.birthday, as_of)
    complaints = [c for c in detail.complaints if c.opened <= as_of]
    intents = [i for i in detail.intents if i.date <= as_of]
    return Brief(
        customer_id=detail.id, code=detail.code, name=detail.name,
        mobile=number_to_dial(detail.mobile, detail.other_phones),
        gender=detail.gender, age=age, stage=detail.lifecycle_stage, as_of=as_of,
        last_contact=last_contact,
        days_since_contact=None if last_contact is None else (as_of - last_contact.at.date()).days,
        last_spend=max(spends, key=lambda s: s.date) if spends else None,
        last_survey=surveys[-1] if surveys else None,
        survey_trend=tuple(s.overall for s in surveys[-SURVEY_TREND:]),
        trends=tuple(trends), kept=tuple(kept), cars=tuple(cars),
        open_complaints=tuple(c for c in complaints
                              if not c.resolved or (c.resolved_date or as_of) > as_of),
        resolved_complaints=sum(1 for c in complaints
                                if c.resolved and (c.resolved_date or as_of) <= as_of),
        intent=max(intents, key=lambda i: i.date) if intents else None,
        preferences=detail.preferences,
        refusals=tuple(r for r in detail.refusals if r.set_on <= as_of and r.active_on(as_of)),
        marketing_consent=detail.marketing_consent,
        last_visit=max(visits, key=lambda v: v.date) if visits else None,
        contact_name=detail.contact_name,
        note=detail.note,
    )


def _last_purchase(session: Session, customer_id: int, as_of: dt.date) -> Spend | None:
    row = session.execute(
        select(OtherPurchase.purchase_date, OtherPurchase.amount, OtherPurchase.kind)
        .where(OtherPurchase.customer_id == customer_id, OtherPurchase.amount > 0,
               OtherPurchase.purchase_date <= as_of)
        .order_by(OtherPurchase.purchase_date.desc(), OtherPurchase.id.desc())
        .limit(1)
    ).first()
    return None if row is None else Spend(row[0], row[1], row[2])


def brief_for(sessions: sessionmaker[Session], detail: CustomerDetail,
              as_of: dt.date | None = None) -> Brief:
    """The brief of a customer whose detail is already loaded (the customer page)."""
    day = as_of or dt.date.today()
    with sessions() as s:
        purchase = _last_purchase(s, detail.id, day)
        referrals = read_referrals(s, detail.id, day)
        due = due_rows(s, V.c.customer_id == detail.id, day)
        declined = read_declined(s, detail.id, day)
        rules = load_rules_in(s)
        decision = latest_decision_in(s, detail.id, day)
    due.sort(key=lambda m: (m.due is None, m.due or day))
    brief = dataclasses.replace(make_brief(detail, purchase, day), referrals=referrals,
                                maintenance=tuple(due), declined=tuple(declined))
    return dataclasses.replace(brief, suggestion=suggest(brief, rules), decision=decision)


def load_brief(sessions: sessionmaker[Session], customer_id: int,
               as_of: dt.date | None = None) -> Brief:
    return brief_for(sessions, load(sessions, customer_id), as_of)
