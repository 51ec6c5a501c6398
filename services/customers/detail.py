"""Everything the customer page shows about one customer, read in one session as plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Complaint,
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    Customer,
    CustomerTag,
    DoNotContact,
    MileageReading,
    OtherPurchase,
    PurchaseIntent,
    SatisfactionSurvey,
    ServiceVisit,
    Tag,
    TagGroup,
    Vehicle,
)
from services.customers.gone import customer_gone
from services.customers.places import address_text
from services.customers.profile import Change, history
from services.staff import accounts

RECENT = 200  # visits / contacts shown on the page; older ones stay in the database


@dataclass(frozen=True)
class VehicleInfo:
    id: int
    brand: str
    model: str
    plate: str | None
    vin: str | None
    purchase_date: dt.date | None
    price_paid: Decimal | None
    payment_method: str | None
    loan_end: dt.date | None
    insurance_expiry: dt.date | None
    warranty_end: dt.date | None
    inspection_due: dt.date | None
    active: bool
    readings: tuple[tuple[dt.date, int, str], ...]


@dataclass(frozen=True)
class VisitInfo:
    date: dt.date
    vehicle_id: int | None
    type: str
    amount: Decimal
    km: int | None
    note: str | None = None  # the work order, the advisor, the work done
    # What the advisor told the owner (下次保养日期, 下次保养里程), when the DMS said.
    next_service_date: dt.date | None = None
    next_service_km: int | None = None


@dataclass(frozen=True)
class PurchaseInfo:
    """Insurance, accessories, an extended warranty bought from the dealer: the amount the
    customer kept of it and what was given back (`refunded`); a refund itself is negative."""

    date: dt.date
    vehicle_id: int | None
    kind: str
    amount: Decimal
    description: str | None
    refunded: Decimal = Decimal(0)
    awaiting: bool = False  # a refund whose purchase is not stored (yet): nothing netted


@dataclass(frozen=True)
class SurveyInfo:
    date: dt.date
    overall: int
    repair_quality: int | None
    price: int | None
    speed: int | None
    attitude: int | None
    comment: str | None


@dataclass(frozen=True)
class ComplaintInfo:
    opened: dt.date
    topic: str
    resolved: bool
    resolved_date: dt.date | None
    resolution: str | None


@dataclass(frozen=True)
class ContactInfo:
    at: dt.datetime
    channel: str
    purpose: str
    staff: str | None
    outcome: str
    feedback: str | None
    next_follow_up: dt.date | None


@dataclass(frozen=True)
class IntentInfo:
    date: dt.date
    strength: str
    necessity: str | None
    window: str | None
    expected_price: Decimal | None
    models: str | None


@dataclass(frozen=True)
class Preferences:
    channel_order: tuple[str, ...]
    preferred_days: str
    time_windows: tuple[str, ...]
    hour_from: int | None
    hour_to: int | None
    language: str
    note: str | None


@dataclass(frozen=True)
class Refusal:
    id: int
    channel: str | None
    purpose: str | None
    reason: str
    source: str
    set_on: dt.date
    expires_on: dt.date | None
    lifted_on: dt.date | None
    lift_reason: str | None
    # What a lift is based on (services/customers/preferences.py lift_refusal); not part of
    # what the entry says, so two reads of the same entry compare equal.
    version: int = field(default=1, compare=False)
    set_by: str | None = None  # the staff member who entered it (None: an import, a script)
    lifted_by: str | None = None

    def active_on(self, day: dt.date) -> bool:
        if self.lifted_on is not None and self.lifted_on <= day:
            return False
        return self.expires_on is None or self.expires_on > day


@dataclass(frozen=True)
class ConsentInfo:
    granted: bool
    date: dt.date
    source: str
    note: str | None


@dataclass(frozen=True)
class CustomerDetail:
    id: int
    code: str
    name: str
    contact_name: str | None
    gender: str | None
    birthday: dt.date | None
    birthday_md: str | None  # "MMDD", also of a birthday known without its year
    mobile: str | None
    other_phones: str | None
    address: str
    postcode: str | None
    wechat_id: str | None
    employer: str | None
    source: str | None
    owner: str | None
    lifecycle_stage: str | None
    note: str | None
    tags: tuple[tuple[str, str], ...]  # (group, tag)
    vehicles: tuple[VehicleInfo, ...]
    visits: tuple[VisitInfo, ...]
    purchases: tuple[PurchaseInfo, ...]
    surveys: tuple[SurveyInfo, ...]
    complaints: tuple[ComplaintInfo, ...]
    contacts: tuple[ContactInfo, ...]
    intents: tuple[IntentInfo, ...]
    preferences: Preferences | None
    refusals: tuple[Refusal, ...]
    consents: tuple[ConsentInfo, ...]
    profile_history: tuple[Change, ...]
    # What an edit on the page is based on (a save based on older ones is refused): the
    # customer's version, its preferences' version (0: none stated) and the id of its latest
    # consent event (0: none).
    version: int = 1
    preferences_version: int = 0
    consent_marker: int = 0
    dms_code: str | None = None  # the customer's number in the dealer's DMS (客户编号)

    @property
    def marketing_consent(self) -> bool | None:
        return self.consents[-1].granted if self.consents else None


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p for p in (text or "").split(",") if p)


def load(sessions: sessionmaker[Session], customer_id: int) -> CustomerDetail:
    with sessions() as s:
        c = s.get(Customer, customer_id)
        if c is None:
            raise customer_gone(s, customer_id)
        # Two of one name told apart by user name. Keyed by int | None so a row without a
        # member of staff looks up None.
        staff_names: dict[int | None, str] = {
            staff_id: name for staff_id, name in accounts.staff_names(s).items()}
        owner = staff_names.get(c.owner_staff_id) if c.owner_staff_id else None
        vehicles = []
        owned = select(Vehicle).where(Vehicle.customer_id == customer_id)
        for v in s.scalars(owned.order_by(Vehicle.purchase_date, Vehicle.id)):
            readings = s.execute(
                select(MileageReading.reading_date, MileageReading.km, MileageReading.source)
                .where(MileageReading.vehicle_id == v.id)
                .order_by(MileageReading.reading_date, MileageReading.id)
            ).all()
            vehicles.append(
                VehicleInfo(
                    v.id,
                    v.brand,
                    v.model,
                    v.plate,
                    v.vin,
                    v.purchase_date,
                    v.price_paid,
                    v.payment_method,
                    v.loan_end,
                    v.insurance_expiry,
                    v.warranty_end,
                    v.inspection_due,
                    v.active,
                    tuple((r[0], r[1], r[2]) for r in readings),
                )
            )
        visits = [
            VisitInfo(r.visit_date, r.vehicle_id, r.visit_type, r.amount, r.km, r.note,
                      r.next_service_date, r.next_service_km)
            for r in s.scalars(
                select(ServiceVisit)
                .where(ServiceVisit.customer_id == customer_id)
                .order_by(ServiceVisit.visit_date.desc(), ServiceVisit.id.desc())
                .limit(RECENT)
            )
        ]
        purchases = [
            PurchaseInfo(r.purchase_date, r.vehicle_id, r.kind, r.amount, r.description,
                         r.refunded, bool(r.awaiting_purchase))
            for r in s.scalars(
                select(OtherPurchase)
                .where(OtherPurchase.customer_id == customer_id)
                .order_by(OtherPurchase.purchase_date.desc(), OtherPurchase.id.desc())
                .limit(RECENT)
            )
        ]
        surveys = [
            SurveyInfo(
                r.survey_date,
                r.overall_score,
                r.repair_quality,
                r.price,
                r.speed,
                r.attitude,
                r.comment,
            )
            for r in s.scalars(
                select(SatisfactionSurvey)
                .where(SatisfactionSurvey.customer_id == customer_id)
                .order_by(SatisfactionSurvey.survey_date.desc(), SatisfactionSurvey.id.desc())
            )
        ]
        complaints = [
            ComplaintInfo(r.opened_date, r.topic, r.resolved, r.resolved_date, r.resolution)
            for r in s.scalars(
                select(Complaint)
                .where(Complaint.customer_id == customer_id)
                .order_by(Complaint.opened_date.desc())
            )
        ]
        contacts = [
            ContactInfo(
                r.contact_at,
                r.channel,
                r.purpose,
                staff_names.get(r.staff_id),
                r.outcome,
                r.feedback,
                r.next_follow_up,
            )
            for r in s.scalars(
                select(ContactEvent)
                .where(ContactEvent.customer_id == customer_id)
                .order_by(ContactEvent.contact_at.desc(), ContactEvent.id.desc())
                .limit(RECENT)
            )
        ]
        intents = [
            IntentInfo(
                r.recorded_date,
                r.strength,
                r.necessity,
                r.time_window,
                r.expected_price,
                r.models_of_interest,
            )
            for r in s.scalars(
                select(PurchaseIntent)
                .where(PurchaseIntent.customer_id == customer_id)
                .order_by(PurchaseIntent.recorded_date.desc(), PurchaseIntent.id.desc())
            )
        ]
        pref = s.get(ContactPreference, customer_id)
        preferences = (
            Preferences(
                _split(pref.channel_order),
                pref.preferred_days,
                _split(pref.time_windows),
                pref.hour_from,
                pref.hour_to,
                pref.language,
                pref.note,
            )
            if pref
            else None
        )
        refusals = [
            Refusal(
                r.id,
                r.channel,
                r.purpose,
                r.reason,
                r.source,
                r.set_on,
                r.expires_on,
                r.lifted_on,
                r.lift_reason,
                r.version,
                staff_names.get(r.set_by) if r.set_by else None,
                staff_names.get(r.lifted_by) if r.lifted_by else None,
            )
            for r in s.scalars(
                select(DoNotContact)
                .where(DoNotContact.customer_id == customer_id)
                .order_by(DoNotContact.set_on, DoNotContact.id)
            )
        ]
        consent_rows = s.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.customer_id == customer_id)
            .order_by(ConsentEvent.event_date, ConsentEvent.id)
        ).all()
        consents = [ConsentInfo(r.granted, r.event_date, r.source, r.note) for r in consent_rows]
        tags = s.execute(
            select(TagGroup.name, Tag.name)
            .join(Tag, Tag.group_id == TagGroup.id)
            .join(CustomerTag, CustomerTag.tag_id == Tag.id)
            .where(CustomerTag.customer_id == customer_id)
            .order_by(TagGroup.sort_order, Tag.name)
        ).all()
        address = address_text(c.province, c.city, c.district, c.street)
        detail: dict[str, Any] = dict(
            id=c.id,
            code=c.code,
            dms_code=c.dms_code,
            name=c.name,
            contact_name=c.contact_name,
            gender=c.gender,
            birthday=c.birthday,
            birthday_md=c.birthday_md,
            mobile=c.mobile,
            other_phones=c.other_phones,
            address=address,
            postcode=c.postcode,
            wechat_id=c.wechat_id,
            employer=c.employer,
            source=c.source,
            owner=owner,
            lifecycle_stage=c.lifecycle_stage,
            note=c.note,
            version=c.version,
            preferences_version=pref.version if pref else 0,
            # From the events shown, so it is exactly what the page shows.
            consent_marker=max((r.id for r in consent_rows), default=0),
        )
    return CustomerDetail(
        **detail,
        tags=tuple((g, t) for g, t in tags),
        vehicles=tuple(vehicles),
        visits=tuple(visits),
        purchases=tuple(purchases),
        surveys=tuple(surveys),
        complaints=tuple(complaints),
        contacts=tuple(contacts),
        intents=tuple(intents),
        preferences=preferences,
        refusals=tuple(refusals),
        consents=tuple(consents),
        profile_history=tuple(history(sessions, customer_id)),
    )
