"""What a customer tells staff outside a call: their name put right, their gender, birthday,
WeChat ID or employer, a new mobile, another phone, a new address, a car bought or sold, a km
reading. Values are read as an import reads them (phones, plates, VINs,
postcodes, prices, km); every change is kept in profile_change with its old value, written to
the audit trail, and refused with StaleEdit when the customer changed since the editor loaded
them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Customer, MileageReading, ProfileChange, Vehicle
from models.codes import RECORDED_FIELDS
from services.customers.birthdays import month_day_key
from services.customers.gone import customer_gone
from services.customers.pinyin import stored_keys
from services.customers.places import full_division_names
from services.customers.profile import _stale_profile
from services.imports.clean import CUSTOMER_NUMBER_LENGTH, normalise_customer_number
from services.imports.normalise import (
    MAX_KM,
    km_rise_implausible,
    normalise_km,
    normalise_name,
    normalise_plate,
    normalise_postcode,
    normalise_price,
    normalise_vin,
    normalise_wechat,
)
from services.imports.phones import OTHER_PHONES_SEPARATOR, normalise_phones
from services.staff.audit import audit
from services.store import versions
from services.store.errors import N_, RevisitError

# Column lengths (models/customer.py, models/vehicle.py).
LENGTHS = {"name": 64, "employer": 100, "wechat_id": 64, "note": 2000, "contact_name": 64,
           "other_phones": 100, "province": 20, "city": 30, "district": 30, "street": 200,
           "brand": 40, "model": 60}
FIELD_NAMES = {
    "name": N_("Name"),
    "employer": N_("Employer"),
    "note": N_("Note"),
    "contact_name": N_("Contact person"),
    "other_phones": N_("Other phones"),
    "province": N_("Province"),
    "city": N_("City"),
    "district": N_("District"),
    "street": N_("Street"),
    "brand": N_("Brand"),
    "model": N_("Model"),
}


@dataclass(frozen=True)
class ContactDetails:
    """A customer's contact person, phones and address as the editor shows them (None or "":
    none)."""

    contact_name: str | None = None
    mobile: str | None = None
    other_phones: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class Person:
    """Who the customer is, as the editor shows them (None or "": not known)."""

    name: str = ""
    gender: str | None = None  # "M", "F" or None
    birthday: dt.date | None = None
    wechat_id: str | None = None
    employer: str | None = None
    note: str | None = None  # 备注: "VIP, never on a weekend", the DMS's remarks
    dms_code: str | None = None  # their number in the dealer's DMS (客户编号), read as imports do


# The oldest birthday taken: older is a year mistyped (1896 for 1986).
MAX_AGE = 110


@dataclass(frozen=True)
class NewVehicle:
    """A car to add to a customer, as typed: price as written ("15.8万", "158000")."""

    brand: str
    model: str
    plate: str | None = None
    vin: str | None = None
    purchase_date: dt.date | None = None
    price: str | None = None


@dataclass(frozen=True)
class Saved:
    """What a save left: the customer's version now (the editor's base for its next save) and
    the values stored, normalised (a vehicle's or reading's id where one was added)."""

    version: int
    details: ContactDetails | None = None
    vehicle_id: int | None = None


def _text(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    return text or None


def _short(key: str, value: str | None) -> str | None:
    text = _text(value)
    if text is not None and len(text) > LENGTHS[key]:
        raise RevisitError(N_("{field} is longer than {n} characters."),
                           field=FIELD_NAMES[key], n=LENGTHS[key])
    return text


def _name(key: str, typed: str | None) -> str | None:
    """A name as an import stores it (no spaces between Chinese characters: "张　三" is 张三,
    as the search and the duplicates list compare it), or RevisitError when too long."""
    text = normalise_name(typed, None).value if _text(typed) else None
    return _short(key, text)


def _mobile(typed: str | None) -> str | None:
    """The 11-digit mainland mobile in `typed` (+86, spaces and dashes allowed), read by the
    import's phone rules; anything else is refused, never stored as the mobile."""
    typed = (typed or "").strip()
    if not typed:
        return None
    result = normalise_phones(typed)
    phones = result.value
    if any(p.code == "mobile_placeholder" for p in result.problems):
        raise RevisitError(N_("“{typed}” is no one's mobile, a placeholder (13800000000, "
                              "13800138000); leave the mobile empty if it is not known."),
                           typed=typed)
    if phones is None or phones.mobile is None or phones.others or phones.unchecked:
        raise RevisitError(N_("“{typed}” is not a mainland mobile number (11 digits starting "
                              "with 1); put a landline under other phones."), typed=typed)
    return phones.mobile


def _other_phones(typed: str | None, mobile: str | None) -> str | None:
    """Every number in `typed` as imports store them (landlines as 022-72587682), joined by ", ";
    a part that is no phone number is refused with what it says."""
    typed = (typed or "").strip()
    if not typed:
        return None
    result = normalise_phones(typed, mobile_column=False, keep_invalid=True)
    phones = result.value
    if phones is None or phones.unchecked or any(
            p.code in ("phone_invalid", "mobile_placeholder") for p in result.problems):
        bad = phones.unchecked[0] if phones is not None and phones.unchecked else typed
        raise RevisitError(N_("“{typed}” in other phones is not a phone number; separate "
                              "numbers with a comma."), typed=bad)
    numbers = [n for n in dict.fromkeys(phones.others) if n != mobile]
    return _short("other_phones", OTHER_PHONES_SEPARATOR.join(numbers))


def _postcode(typed: str | None) -> str | None:
    typed = (typed or "").strip()
    if not typed:
        return None
    result = normalise_postcode(typed)
    if result.value is None:
        raise RevisitError(N_("The postcode “{typed}” is not 6 digits."), typed=typed)
    return result.value


def clean_details(details: ContactDetails) -> ContactDetails:
    """The details as they would be stored, or RevisitError naming the first wrong field."""
    mobile = _mobile(details.mobile)
    # 广东 / 深圳 typed as 广东省 / 深圳市 are stored so, as an import stores them.
    place = {"province": _short("province", details.province),
             "city": _short("city", details.city)}
    full_division_names([place])
    return ContactDetails(
        contact_name=_name("contact_name", details.contact_name),
        mobile=mobile,
        other_phones=_other_phones(details.other_phones, mobile),
        province=place["province"],
        city=place["city"],
        district=_short("district", details.district),
        street=_short("street", details.street),
        postcode=_postcode(details.postcode),
    )


def clean_person(person: Person, today: dt.date) -> Person:
    """The person as they would be stored, or RevisitError naming the first wrong value."""
    name = _name("name", person.name)
    if name is None:
        raise RevisitError(N_("Write the customer's name."))
    if person.gender not in (None, "M", "F"):
        raise RevisitError(N_("The gender is M, F or not known, not '{gender}'."),
                           gender=person.gender)
    born = person.birthday
    if born is not None and born > today:
        raise RevisitError(N_("The birthday {date} is in the future."), date=born.isoformat())
    if born is not None and today.year - born.year > MAX_AGE:
        raise RevisitError(N_("The birthday {date} is more than {n} years ago; check the "
                              "year."), date=born.isoformat(), n=MAX_AGE)
    wechat = None
    if _text(person.wechat_id):
        read = normalise_wechat(person.wechat_id)
        if read.value is None:
            raise RevisitError(N_("“{typed}” is not a WeChat ID (letters, digits, _ and -); a "
                                  "nickname cannot be searched for in WeChat."),
                               typed=_text(person.wechat_id))
        wechat = read.value
    number = normalise_customer_number(person.dms_code)
    if any(p.code == "phone_digits_lost" for p in number.problems):
        raise RevisitError(N_("The DMS customer number “{typed}” is as Excel shows a long "
                              "number, its digits lost; type it in full."),
                           typed=_text(person.dms_code))
    if number.value is None and number.problems:
        raise RevisitError(N_("The DMS customer number is longer than {n} characters."),
                           n=CUSTOMER_NUMBER_LENGTH)
    return Person(name=name, gender=person.gender, birthday=born, wechat_id=wechat,
                  employer=_short("employer", person.employer), note=_note(person.note),
                  dms_code=number.value)


def _note(typed: str | None) -> str | None:
    """A note as typed, its lines kept (each trimmed, blank ones at either end dropped)."""
    lines = [" ".join(line.split()) for line in (typed or "").splitlines()]
    text = "\n".join(lines).strip("\n")
    if len(text) > LENGTHS["note"]:
        raise RevisitError(N_("{field} is longer than {n} characters."),
                           field=FIELD_NAMES["note"], n=LENGTHS["note"])
    return text or None


def _lock(s: Session, customer_id: int, expected_version: int | None) -> Customer:
    """The customer, locked (services/store/versions.py); StaleEdit naming who changed them
    when their version is no longer `expected_version` (None: a caller that showed nothing)."""
    if not versions.lock(s, Customer, Customer.id == customer_id):
        raise customer_gone(s, customer_id)
    customer = s.get(Customer, customer_id, populate_existing=True)
    assert customer is not None
    if customer.erased_at is not None:
        raise RevisitError(N_("This customer's personal data was erased; nothing can be added "
                              "to it."))
    if expected_version is not None and customer.version != expected_version:
        raise _stale_profile(s, customer_id, None)
    return customer


def _history(s: Session, customer_id: int, attribute: str, old: str | None, new: str | None,
             staff_id: int | None, today: dt.date, note: str | None = None) -> None:
    s.add(ProfileChange(customer_id=customer_id, attribute=attribute,
                        old_value=None if old is None else old[:100],
                        new_value=None if new is None else new[:100],
                        effective_date=today, staff_id=staff_id, source="manual", note=note))


def _bump(s: Session, customer_id: int) -> int:
    s.execute(update(Customer).where(Customer.id == customer_id)
              .values(version=Customer.version + 1))
    return s.scalar(select(Customer.version).where(Customer.id == customer_id)) or 0


# The editor's two sets of a customer's columns.
T = TypeVar("T", ContactDetails, Person)


def _stored(s: Session, customer_id: int) -> Customer:
    c = s.get(Customer, customer_id)
    if c is None:
        raise customer_gone(s, customer_id)
    return c


def _values(kind: type[T], c: Customer) -> T:
    """The customer's stored values of the fields of `kind` (ContactDetails, Person)."""
    return kind(**{f.name: getattr(c, f.name) for f in fields(kind)})


def load_details(sessions: sessionmaker[Session], customer_id: int) -> tuple[ContactDetails, int]:
    """The customer's phones and address now, with the version an editor bases its save on."""
    with sessions() as s:
        c = _stored(s, customer_id)
        return _values(ContactDetails, c), c.version


@dataclass(frozen=True)
class Car:
    """One of the customer's cars as the editor lists it."""

    id: int
    brand: str
    model: str
    plate: str | None
    vin: str | None
    purchase_date: dt.date | None
    active: bool
    last_km: int | None


@dataclass(frozen=True)
class Editor:
    """What the editor opens with: the details, the version its saves are based on, the cars,
    who the customer is."""

    details: ContactDetails
    version: int
    cars: tuple[Car, ...]
    person: Person
    # "MMDD" of a birthday known without its year (an import's 3月15日): no date to show.
    birthday_md: str | None = None

    @property
    def name(self) -> str:
        return self.person.name


def load_editor(sessions: sessionmaker[Session], customer_id: int) -> Editor:
    with sessions() as s:
        c = _stored(s, customer_id)
        details, version, person = _values(ContactDetails, c), c.version, _values(Person, c)
        last = (select(MileageReading.km).where(MileageReading.vehicle_id == Vehicle.id)
                .order_by(MileageReading.reading_date.desc(), MileageReading.id.desc())
                .limit(1).scalar_subquery())
        rows = s.execute(select(Vehicle, last).where(Vehicle.customer_id == customer_id)
                         .order_by(Vehicle.active.desc(), Vehicle.purchase_date, Vehicle.id))
        cars = tuple(Car(v.id, v.brand, v.model, v.plate, v.vin, v.purchase_date, v.active, km)
                     for v, km in rows)
        day_only = c.birthday_md if c.birthday is None else None
    return Editor(details, version, cars, person, day_only)


def save_contact_details(sessions: sessionmaker[Session], customer_id: int,
                         details: ContactDetails, *, expected_version: int | None,
                         staff_id: int | None = None, today: dt.date | None = None) -> Saved:
    """Store the customer's contact person, mobile, other phones and address. Refused (nothing
    stored) when a value is wrong, when another customer has the mobile (imports link rows to
    customers by it), or with StaleEdit when the customer changed since `expected_version` was
    loaded."""
    today = today or dt.date.today()
    clean = clean_details(details)
    with sessions.begin() as s:
        customer = _lock(s, customer_id, expected_version)
        if clean.mobile is not None and clean.mobile != customer.mobile:
            other = s.execute(
                select(Customer.code, Customer.name)
                .where(Customer.mobile == clean.mobile, Customer.id != customer_id)
                .order_by(Customer.id).limit(1)).first()
            if other is not None:
                raise RevisitError(
                    N_("The mobile {mobile} is already customer {code}'s ({name}); if they are "
                       "the same person, merge the two customers instead."),
                    mobile=clean.mobile, code=other.code, name=other.name)
        before, after = _set_fields(s, customer, clean, staff_id, today)
        if not after:
            return Saved(customer.version, clean)
        s.flush()
        audit(s, "save_contact_details", "customer", customer_id,
              {"before": before, "after": after}, staff_id)
        return Saved(_bump(s, customer_id), clean)


def save_person(sessions: sessionmaker[Session], customer_id: int, person: Person, *,
                expected_version: int | None, staff_id: int | None = None,
                today: dt.date | None = None) -> Saved:
    """Store who the customer is: their name put right (its pinyin keys with it, so search and
    sorting find the new one), gender, birthday (its MMDD with it, for birthday greetings),
    WeChat ID, employer and note. Refused as save_contact_details refuses."""
    today = today or dt.date.today()
    clean = clean_person(person, today)
    with sessions.begin() as s:
        customer = _lock(s, customer_id, expected_version)
        before, after = _set_fields(s, customer, clean, staff_id, today)
        if not after:
            return Saved(customer.version)
        if "name" in after:
            keys = stored_keys(clean.name)
            customer.name_pinyin, customer.name_initials, customer.name_sort = (
                keys.pinyin, keys.initials, keys.sort)
        if "birthday" in after:
            born = clean.birthday
            customer.birthday_md = None if born is None else month_day_key(born)
        s.flush()
        audit(s, "save_person", "customer", customer_id, {"before": before, "after": after},
              staff_id)
        return Saved(_bump(s, customer_id))


def _set_fields(s: Session, customer: Customer, values: ContactDetails | Person,
                staff_id: int | None, today: dt.date) -> tuple[dict, dict]:
    """The customer's columns set to `values` (ContactDetails or Person), each changed one in
    the history (of those it keeps: RECORDED_FIELDS; the DMS's number is a key, not a fact of
    the person): the (before, after) of those that changed, for the audit trail."""
    before, after = {}, {}
    for f in fields(values):
        old, new = getattr(customer, f.name), getattr(values, f.name)
        if old != new:
            before[f.name], after[f.name] = old, new
            if f.name in RECORDED_FIELDS:
                _history(s, customer.id, f.name, _said(old), _said(new), staff_id, today)
            setattr(customer, f.name, new)
    return before, after


def _said(value: object) -> str | None:
    """A value as the history keeps it: text, a day as 2026-12-05."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _vehicle_label(brand: str, model: str, vin: str | None, plate: str | None) -> str:
    return " ".join(x for x in (brand, model, vin or plate) if x)


def add_vehicle(sessions: sessionmaker[Session], customer_id: int, car: NewVehicle, *,
                expected_version: int | None, staff_id: int | None = None,
                today: dt.date | None = None) -> Saved:
    """Add a car the customer owns now (bought here or elsewhere). Plate, VIN and price are read
    as an import reads them; a VIN already on another car is refused naming its owner."""
    today = today or dt.date.today()
    brand, model = _short("brand", car.brand), _short("model", car.model)
    if brand is None or model is None:
        raise RevisitError(N_("Write the car's brand and model."))
    plate = normalise_plate(car.plate).value if _text(car.plate) else None
    vin = None
    if _text(car.vin):
        read = normalise_vin(car.vin)
        if read.value is None:
            raise RevisitError(N_("The VIN “{typed}” is not 17 letters and digits (no I, O or "
                                  "Q)."), typed=_text(car.vin))
        vin = read.value
    if car.purchase_date is not None and car.purchase_date > today:
        raise RevisitError(N_("The purchase date {date} is in the future."),
                           date=car.purchase_date.isoformat())
    price = None
    if _text(car.price):
        read_price = normalise_price(car.price)
        if read_price.value is None:
            raise RevisitError(N_("“{typed}” is not a price (write 158000 or 15.8万)."),
                               typed=_text(car.price))
        price = read_price.value
    with sessions.begin() as s:
        _lock(s, customer_id, expected_version)
        if vin is not None:
            owner = s.execute(
                select(Customer.code, Customer.name).join(Vehicle)
                .where(Vehicle.vin == vin)).first()
            if owner is not None:
                raise RevisitError(N_("The VIN {vin} is already on a car of customer {code} "
                                      "({name})."), vin=vin, code=owner.code, name=owner.name)
        vehicle = Vehicle(customer_id=customer_id, brand=brand, model=model, plate=plate,
                          vin=vin, purchase_date=car.purchase_date, price_paid=price,
                          active=True)
        s.add(vehicle)
        s.flush()
        label = _vehicle_label(brand, model, vin, plate)
        _history(s, customer_id, "vehicle", None, label, staff_id, today)
        audit(s, "add_vehicle", "customer", customer_id,
              {"vehicle": vehicle.id, "after": label}, staff_id)
        return Saved(_bump(s, customer_id), vehicle_id=vehicle.id)


def _vehicle(s: Session, customer_id: int, vehicle_id: int) -> Vehicle:
    vehicle = s.get(Vehicle, vehicle_id, populate_existing=True)
    if vehicle is None or vehicle.customer_id != customer_id:
        raise RevisitError(N_("This car is no longer this customer's (moved or removed since "
                              "you opened them); reload to see their cars."))
    return vehicle


def mark_vehicle_sold(sessions: sessionmaker[Session], customer_id: int, vehicle_id: int, *,
                      expected_version: int | None, staff_id: int | None = None,
                      today: dt.date | None = None) -> Saved:
    """The customer no longer has this car (sold, scrapped): it stays, for history, inactive."""
    today = today or dt.date.today()
    with sessions.begin() as s:
        _lock(s, customer_id, expected_version)
        vehicle = _vehicle(s, customer_id, vehicle_id)
        if not vehicle.active:
            raise RevisitError(N_("This car is already marked as no longer the customer's."))
        vehicle.active = False
        label = _vehicle_label(vehicle.brand, vehicle.model, vehicle.vin, vehicle.plate)
        _history(s, customer_id, "vehicle", label, None, staff_id, today,
                 note="sold or no longer theirs")
        audit(s, "vehicle_sold", "customer", customer_id,
              {"vehicle": vehicle.id, "before": label}, staff_id)
        return Saved(_bump(s, customer_id), vehicle_id=vehicle.id)


def check_km(s: Session, vehicle_id: int, km: int, day: dt.date) -> None:
    """Refuse a reading below the one before it, or risen faster than a car is driven since
    (the rules a call's km reading is checked by)."""
    previous = s.execute(
        select(MileageReading.km, MileageReading.reading_date)
        .where(MileageReading.vehicle_id == vehicle_id, MileageReading.reading_date <= day)
        .order_by(MileageReading.reading_date.desc(), MileageReading.id.desc())
        .limit(1)
    ).first()
    if previous is not None and km < previous.km:
        raise RevisitError(
            N_("{km} km is less than the {previous} km read on {date}; check the number."),
            km=km, previous=previous.km, date=previous.reading_date.isoformat())
    if previous is not None and km_rise_implausible(previous.km, previous.reading_date, km, day):
        raise RevisitError(
            N_("{km} km is {rise} km more than the {previous} km read on {date}, more than a "
               "car is driven in that time; check the number."),
            km=f"{km:,}", rise=f"{km - previous.km:,}", previous=f"{previous.km:,}",
            date=previous.reading_date.isoformat())
    later = s.execute(
        select(MileageReading.km, MileageReading.reading_date)
        .where(MileageReading.vehicle_id == vehicle_id, MileageReading.reading_date > day)
        .order_by(MileageReading.reading_date, MileageReading.id).limit(1)).first()
    if later is not None and km > later.km:
        raise RevisitError(
            N_("{km} km is more than the {later} km read later, on {date}; check the number."),
            km=km, later=later.km, date=later.reading_date.isoformat())


def record_km(sessions: sessionmaker[Session], customer_id: int, vehicle_id: int, typed: str,
              *, day: dt.date | None = None, staff_id: int | None = None,
              today: dt.date | None = None) -> int:
    """Store a km reading of one of the customer's cars (source "manual"); returns its id.
    `typed` as an import reads km ("86000", "8.6万公里"). A reading needs no version: it
    overwrites nothing, and is checked against the readings stored once the car is locked."""
    today = today or dt.date.today()
    day = day or today
    read = normalise_km(typed)
    if read.value is None:
        raise RevisitError(N_("“{typed}” is not a km reading (a whole number up to {max})."),
                           typed=_text(typed) or "", max=f"{MAX_KM:,}")
    if day > today:
        raise RevisitError(N_("The reading date {date} is in the future."), date=day.isoformat())
    with sessions.begin() as s:
        if not versions.lock(s, Customer, Customer.id == customer_id):
            raise customer_gone(s, customer_id)
        vehicle = _vehicle(s, customer_id, vehicle_id)
        check_km(s, vehicle.id, read.value, day)
        reading = MileageReading(vehicle_id=vehicle.id, reading_date=day, km=read.value,
                                 source="manual")
        s.add(reading)
        s.flush()
        audit(s, "add_reading", "customer", customer_id,
              {"vehicle": vehicle.id, "km": read.value, "date": day.isoformat()}, staff_id)
        return reading.id


__all__ = [
    "Car",
    "Editor",
    "ContactDetails",
    "NewVehicle",
    "Person",
    "Saved",
    "add_vehicle",
    "check_km",
    "clean_details",
    "clean_person",
    "load_details",
    "load_editor",
    "mark_vehicle_sold",
    "record_km",
    "save_contact_details",
    "save_person",
]
