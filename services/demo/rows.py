"""The rows of one demo customer: their cars, visits with rising km, surveys, complaints, contacts,
profile history with trends, preferences, refusals, consent and tags.

Rows are plain tuples in each table's column order (services/bulk.py stores them); dates are
handled as day ordinals and turned into ISO text once per distinct day."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial

from services.customers.birthdays import month_day_key
from services.customers.pinyin import stored_keys
from services.demo import data as ref
from services.segments.maintenance import DEFAULT_INTERVAL

DAY = 1
YEAR = 365.25
# A sales call's follow-up date is kept only for calls of the last four months: older ones a
# department followed up long since, and a demo with hundreds of follow-ups a year overdue
# shows a department that never calls back.
FOLLOWED_UP_WITHIN = 120


@cache
def iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def stamp(ordinal: int, minute_of_day: int) -> str:
    """A timestamp in the storage format on day `ordinal` at `minute_of_day`."""
    return f"{iso(ordinal)} {minute_of_day // 60:02d}:{minute_of_day % 60:02d}:00.000000"


def dms_number(customer_id: int) -> str:
    """A demo customer's number in the DMS the demo dealer exports from (客户编号): its own
    series, not Revisit's C-code, as a real DMS's is."""
    return f"KH{customer_id + 20080000:08d}"


def add_months(ordinal: int, months: int) -> int:
    """The day `months` after, on the same day of the month or the month's last day when it is
    shorter (31 Aug + 6 months = 28 Feb), as a maintenance interval counts."""
    day = dt.date.fromordinal(ordinal)
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1])).toordinal()


def add_years(ordinal: int, years: int) -> int:
    d = dt.date.fromordinal(ordinal)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).toordinal()


class RowSet:
    """Rows of one chunk, per table; ids continue from `next_ids` and plates are unique among
    `plates` (both shared across chunks)."""

    def __init__(self, next_ids: dict[str, int], plates: set[str] | None = None) -> None:
        self.next_ids = next_ids
        self.plates = set() if plates is None else plates
        self.tables: dict[str, list[tuple]] = {}

    def plate(self, make: Callable[[], str]) -> str:
        """A plate from `make` that no other car has: a plate is issued to one car at a time,
        and the ordinary plates of a big city's prefix collide by chance (9,796 of 293,808
        demo cars shared one when drawn freely)."""
        plate = make()
        while plate in self.plates:
            plate = make()
        self.plates.add(plate)
        return plate

    def add(self, table: str, *values) -> int:
        new_id = self.next_ids[table] + 1
        self.next_ids[table] = new_id
        self.tables.setdefault(table, []).append((new_id, *values))
        return new_id

    def add_keyless(self, table: str, *values) -> None:
        self.tables.setdefault(table, []).append(values)


@dataclass
class CustomerRows:
    rng: random.Random
    customer_id: int
    today: dt.date
    staff_ids: list[int]
    tag_ids: list[int]
    today_ord: int = field(init=False)

    def __post_init__(self) -> None:
        self.today_ord = self.today.toordinal()


# Service intervals of their own for a few makes, as (首保 km, months, then every km, months);
# the others keep the built-in default (services/segments/maintenance.py). Most makes sold in
# China want 5,000 km or 6 months, some 10,000 km or 12 months.
INTERVALS: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("宝马", ""): (5000, 6, 10000, 12),
    ("奔驰", ""): (5000, 6, 10000, 12),
    ("特斯拉", ""): (10000, 12, 20000, 12),
}
VISIT_TYPES = ("maintenance", "repair", "accident", "warranty", "inspection")
VISIT_WEIGHTS = (66, 16, 6, 5, 7)
SEGMENT_FACTOR = {"economy": 1.0, "mid": 1.5, "premium": 2.6}
CHANNEL_ORDERS = (
    ("phone,sms,mail", 45),
    ("sms,phone,mail", 22),
    ("wechat,phone,sms", 12),
    ("phone,wechat,sms", 10),
    ("sms,mail", 5),
    ("mail,phone,sms", 3),
    ("phone", 3),
)
WINDOWS = ("morning", "noon", "afternoon", "evening")
OCCUPATIONS = (
    "教师",
    "医生",
    "护士",
    "工程师",
    "销售经理",
    "会计",
    "公务员",
    "程序员",
    "律师",
    "司机",
)


@dataclass(frozen=True)
class Facts:
    """What later rows of the batch need to know of one customer (services/demo/extras.py):
    when they first bought, their visits, where they came from and what they do."""

    customer_id: int
    first_purchase: int  # day ordinal
    visits: list[tuple[int, int, int, str]]  # (visit id, vehicle id, day, kind), per car by day
    source: str
    employer: str | None
    business_owner: bool
    happy: float


def make_customer_rows(c: CustomerRows, out: RowSet) -> Facts:
    rng, today = c.rng, c.today_ord
    gender = "M" if rng.random() < 0.63 else "F"
    name = ref.make_name(rng, gender)
    keys = stored_keys(name)
    age = int(min(75, max(21, rng.gauss(40, 10))))
    birthday = today - int(age * YEAR) - rng.randrange(365)
    address = ref.make_address(rng)
    mobile = ref.make_mobile(rng) if rng.random() < 0.975 else None
    other_phones = None
    if mobile is None or rng.random() < 0.05:
        other_phones = f"0{rng.randint(20, 29)}-{rng.randint(3000_0000, 8999_9999)}"
    street: str | None = address["street"]
    if rng.random() < 0.02:
        street = None  # an address nobody completed: no mail for them
    employed_by = ref.make_employer(rng, address["city"], address["district"])

    first_purchase = today - 30 - int(15.5 * YEAR * rng.betavariate(1.4, 1.6))
    # Nobody bought their first car before 18: an owner is at least as old as that.
    min_age = int((today - first_purchase) / YEAR) + 19
    if age < min_age:
        birthday -= int((min_age - age) * YEAR)
        age = min_age
    vehicles = _vehicles(c, out, address["plate_prefix"], first_purchase)
    happy = min(10.0, max(1.0, rng.gauss(8.4, 1.6)))  # this owner's usual satisfaction
    visits = []
    for vehicle in vehicles:
        visits += _visits_and_surveys(c, out, vehicle, happy)
    _purchases(c, out, vehicles)
    unresolved = _complaints(c, out, vehicles, visits, happy)
    profile = _profile_history(c, out, vehicles, age)
    _contacts(c, out, vehicles, visits, unresolved, first_purchase)
    consent = _preferences_consent_refusals(c, out, first_purchase)
    _intent(c, out, vehicles)
    _tags(c, out, age, profile, vehicles)
    stage = "super" if len(vehicles) >= 3 else "repeat" if len(vehicles) == 2 else "first_purchase"
    created = stamp(first_purchase, 600)
    b = dt.date.fromordinal(birthday)
    # Drawn in the order of the row's columns, as they always were: the same seed gives the
    # same rows.
    wechat = f"wxid_{rng.getrandbits(40):010x}" if rng.random() < 0.55 else None
    employer = employed_by if rng.random() < 0.65 else None
    source = rng.choice(ref.CUSTOMER_SOURCES)
    # One in four company-paid cars is registered to the business: the customer is the company
    # and the owner its contact person (no gender or birthday of its own). Decided from values
    # already drawn, so the same seed still gives every other row as before.
    contact: str | None = None
    sex: str | None = gender
    if profile.get("car_payer") == "company" and employed_by.endswith("公司") \
            and c.customer_id % 4 == 0:
        contact, name, sex = name, employed_by, None
        keys = stored_keys(name)
    out.add_keyless(
        "customer",
        c.customer_id,
        f"C{c.customer_id:07d}",
        dms_number(c.customer_id),
        name,
        contact,
        keys.pinyin,
        keys.initials,
        keys.sort,
        sex,
        None if contact else iso(birthday),
        None if contact else month_day_key(b),
        mobile,
        other_phones,
        address["province"],
        address["city"],
        address["district"],
        street,
        address["postcode"],
        wechat,
        employer,
        source,
        rng.choice(c.staff_ids),
        stage,
        "不接受上门拜访" if consent is False and rng.random() < 0.2 else None,
        created,
        created,
    )
    return Facts(c.customer_id, first_purchase, visits, source, employer,
                 profile.get("employment") == "business_owner", happy)


def _vehicles(c: CustomerRows, out: RowSet, plate_prefix: str, first: int) -> list[dict]:
    rng, today = c.rng, c.today_ord
    count = rng.choices((1, 2, 3), weights=(50, 36, 14))[0]
    dates = [first]
    for _ in range(count - 1):
        nxt = dates[-1] + int(rng.uniform(1.0, 6.0) * YEAR)
        if nxt > today - 7:
            break
        dates.append(nxt)
    vehicles = []
    for purchased in dates:
        year = dt.date.fromordinal(purchased).year
        year = min(max(year, ref.SALES_YEARS[0]), ref.SALES_YEARS[1])
        spec = ref.pick_vehicle(rng, year)
        price = int(spec["price"] * rng.uniform(0.88, 1.0)) // 100 * 100
        payment = rng.choices(("cash", "loan", "lease"), weights=(55, 40, 5))[0]
        loan_end = add_years(purchased, rng.choice((2, 3, 3, 5))) if payment != "cash" else None
        age_years = (today - purchased) / YEAR
        warranty_end = add_years(purchased, 5 if spec["nev"] else 3)
        insurance = purchased
        while insurance < today - 90:
            insurance = add_years(insurance, 1)
        if age_years < 6:
            inspection = add_years(purchased, 6)
        elif age_years < 10:
            inspection = add_years(purchased, 10)
        else:
            inspection = insurance
        km_per_year = min(60000.0, max(2000.0, rng.lognormvariate(math.log(12500), 0.45)))
        active = not (age_years > 8 and rng.random() < 0.15)
        vehicle_id = out.add(
            "vehicle",
            c.customer_id,
            spec["brand"],
            spec["model"],
            ref.make_vin(rng, spec["wmi"], year),
            out.plate(partial(ref.make_plate, rng, plate_prefix, new_energy=bool(spec["nev"]))),
            iso(purchased),
            price,
            payment,
            iso(loan_end) if loan_end else None,
            iso(insurance),
            iso(warranty_end),
            iso(inspection),
            int(active),
            stamp(purchased, 660),
        )
        vehicles.append(
            {
                "id": vehicle_id,
                "purchased": purchased,
                "price": price,
                "segment": spec["segment"],
                "brand": spec["brand"],
                "nev": spec["nev"],
                "kmpy": km_per_year,
                "model": spec["model"],
                "active": active,
                "warranty_end": warranty_end,
            }
        )
    return vehicles


def _visits_and_surveys(c: CustomerRows, out: RowSet, v: dict, happy: float) -> list[tuple]:
    """Service visits every 5–13 months (sooner for high-km drivers) until the owner drifts
    away to an independent garage; each records the odometer, some get a survey."""
    rng, today = c.rng, c.today_ord
    factor = SEGMENT_FACTOR[v["segment"]]
    interval = min(365.0, max(150.0, 10000.0 / v["kmpy"] * YEAR))
    churn = rng.uniform(0.01, 0.09)
    own = INTERVALS.get((v["brand"], ""))
    every_km, every_months = (own[2], own[3]) if own else (DEFAULT_INTERVAL.every_km,
                                                           DEFAULT_INTERVAL.every_months)
    day = v["purchased"] + int(rng.uniform(90, 200))
    km = 0
    visits = []
    while day <= today:
        km = max(km + 50, int(v["kmpy"] * (day - v["purchased"]) / YEAR * rng.uniform(0.93, 1.07)))
        kind = rng.choices(VISIT_TYPES, weights=VISIT_WEIGHTS)[0]
        if kind == "maintenance":
            amount = rng.uniform(350, 1400) * factor
        elif kind == "repair":
            amount = rng.uniform(400, 6000) * factor
        elif kind == "accident":
            amount = rng.uniform(1500, 25000) * factor
        elif kind == "warranty" and day <= v["warranty_end"]:
            amount = 0.0
        else:
            kind = "inspection" if kind == "warranty" else kind
            amount = rng.uniform(150, 450)
        # The next service the advisor tells the owner at a maintenance visit (下次保养日期 and
        # 里程 of the DMS): the make's interval on from this one, so the car falls due as it
        # would by the interval alone. One DMS record in five leaves it out.
        told = (add_months(day, every_months), km + every_km) \
            if kind == "maintenance" and (out.next_ids["service_visit"] + 1) % 5 else (None, None)
        visit_id = out.add(
            "service_visit", c.customer_id, v["id"], iso(day), kind, round(amount, 2), km, None,
            None,  # no work order: the demo has none
            None if told[0] is None else iso(told[0]), told[1],
        )
        out.add("mileage_reading", v["id"], iso(day), km, "visit", stamp(day, 720))
        visits.append((visit_id, v["id"], day, kind))
        if rng.random() < 0.2:
            score = int(min(10, max(0, round(happy + rng.gauss(0, 1.1)))))
            dims = [int(min(10, max(0, round(score + rng.gauss(0, 1.0))))) for _ in range(4)]
            comment = rng.choice(ref.FEEDBACK_BY_TOPIC["negative"]) if score <= 6 else None
            out.add(
                "satisfaction_survey",
                c.customer_id,
                v["id"],
                visit_id,
                iso(min(today, day + rng.randint(1, 5))),
                score,
                *dims,
                comment,
            )
        if rng.random() < churn:
            break
        day += int(interval * rng.uniform(0.7, 1.3))
    return visits


def _purchases(c: CustomerRows, out: RowSet, vehicles: list[dict]) -> None:
    rng, today = c.rng, c.today_ord
    for v in vehicles:
        factor = SEGMENT_FACTOR[v["segment"]]
        if rng.random() < 0.3:
            paid = round(rng.uniform(200, 6000) * factor, 2)
            # One buyer in 101 gives the accessories back a week later: a refund row, and the
            # purchase keeps nothing (chosen by id, so every other row stays as it was).
            back = paid if c.customer_id % 101 == 0 and v["purchased"] + 7 <= today else 0
            out.add("other_purchase", c.customer_id, v["id"], iso(v["purchased"]), "accessory",
                    round(paid - back, 2), "精品加装：脚垫、贴膜、行车记录仪", back)
            if back:
                out.add("other_purchase", c.customer_id, v["id"], iso(v["purchased"] + 7),
                        "accessory", -back, "精品退货", 0)
        renewal = add_years(v["purchased"], 1)
        loyal = rng.random() < 0.45
        while renewal <= today and loyal:
            if rng.random() < 0.75:
                out.add(
                    "other_purchase",
                    c.customer_id,
                    v["id"],
                    iso(renewal),
                    "insurance",
                    round(rng.uniform(2800, 7500) * factor, 2),
                    "商业险续保",
                    0,
                )
            else:
                loyal = rng.random() < 0.3
            renewal = add_years(renewal, 1)
        if rng.random() < 0.08 and v["warranty_end"] - 30 <= today:
            out.add(
                "other_purchase",
                c.customer_id,
                v["id"],
                iso(v["warranty_end"] - 30),
                "extended_warranty",
                round(rng.uniform(2000, 6000) * factor, 2),
                "延保两年",
                0,
            )


def _complaints(c, out, vehicles, visits, happy: float) -> bool:
    """Returns True when the customer has a complaint still open today."""
    rng, today = c.rng, c.today_ord
    if not visits or rng.random() > (0.2 if happy < 6.5 else 0.06):
        return False
    visit_id, vehicle_id, day, _ = rng.choice(visits)
    topic = rng.choice(ref.COMPLAINT_TOPICS)
    opened = min(today, day + rng.randint(0, 7))
    # Most complaints are settled within weeks; a few disputes drag on for months, none for
    # more than a year (an open complaint holds back every sales call to its customer).
    resolved = rng.random() < (0.95 if today - opened > 45 else 0.6)
    resolved_on = min(today, opened + rng.randint(1, 40)) if resolved else None
    if not resolved and today - opened > 365:
        resolved, resolved_on = True, opened + rng.randint(60, 365)
    out.add(
        "complaint",
        c.customer_id,
        vehicle_id,
        iso(opened),
        topic,
        f"客户反映{topic}问题",
        int(resolved),
        iso(resolved_on) if resolved_on else None,
        rng.choice(ref.COMPLAINT_RESOLUTIONS) if resolved else None,
    )
    return not resolved


def _profile_history(c: CustomerRows, out: RowSet, vehicles: list[dict], age: int) -> dict:
    """Values known at first purchase, then life moving on: marriage, children, a business,
    income up or down, retirement. Returns today's values."""
    rng, today = c.rng, c.today_ord
    start = vehicles[0]["purchased"]
    age_then = age - int((today - start) / YEAR)
    price = vehicles[0]["price"]
    band = 1 + sum(price >= p for p in (80_000, 150_000, 250_000, 400_000))
    values = {
        "marital_status": "single" if age_then < 28 and rng.random() < 0.7 else "married",
        "household": None,
        "employment": "retired"
        if age_then >= 60
        else rng.choices(
            ("employee", "business_owner", "civil_servant", "self_employed"),
            weights=(58, 14, 10, 18),
        )[0],
        "economic_band": str(min(5, max(1, band + rng.choice((-1, 0, 0, 1))))),
        "driving_experience": "first_car"
        if age_then < 30 or rng.random() < 0.35
        else "experienced",
        "temperament": rng.choice(("frugal_careful", "car_lover", "impulsive", "steady")),
    }
    values["household"] = (
        "alone"
        if values["marital_status"] == "single"
        else rng.choice(("couple", "one_child", "two_children"))
    )
    values["car_payer"] = (
        "company" if values["employment"] == "business_owner" and rng.random() < 0.45 else "self"
    )
    if rng.random() < 0.15:
        values["occupation"] = rng.choice(OCCUPATIONS)
    staff = rng.choice(c.staff_ids)
    current = {}
    for attribute, value in values.items():
        if rng.random() < 0.85:
            _change(out, c, attribute, None, value, start, "visit", staff)
            current[attribute] = value
    _change(out, c, "lifecycle_stage", None, "first_purchase", start, "visit", staff)
    for n, v in enumerate(vehicles[1:], start=2):
        stage = "repeat" if n == 2 else "super"
        _change(
            out,
            c,
            "lifecycle_stage",
            current.get("lifecycle_stage", "first_purchase"),
            stage,
            v["purchased"],
            "visit",
            staff,
        )
        current["lifecycle_stage"] = stage
    _trends(c, out, current, start, age_then)
    return current


def _trends(c: CustomerRows, out: RowSet, current: dict, start: int, age_then: int) -> None:
    rng, today = c.rng, c.today_ord
    span = today - start
    if span < 200:
        return

    def when() -> int:
        return start + rng.randint(150, span)

    staff = rng.choice(c.staff_ids)
    if current.get("marital_status") == "single" and age_then < 36 and rng.random() < 0.55:
        day = when()
        _change(out, c, "marital_status", "single", "married", day, "call", staff)
        current["marital_status"] = "married"
        if "household" in current:
            _change(out, c, "household", current["household"], "couple", day, "call", staff)
            current["household"] = "couple"
        if today - day > 400 and rng.random() < 0.6:
            later = day + rng.randint(300, today - day)
            _change(
                out, c, "household", current.get("household"), "one_child", later, "call", staff
            )
            current["household"] = "one_child"
    elif current.get("household") == "one_child" and rng.random() < 0.2:
        _change(out, c, "household", "one_child", "two_children", when(), "call", staff)
        current["household"] = "two_children"
    if "economic_band" in current and rng.random() < 0.35:
        old = int(current["economic_band"])
        new = min(5, max(1, old + rng.choice((-1, 1, 1))))
        if new != old:
            _change(out, c, "economic_band", str(old), str(new), when(), "survey", staff)
            current["economic_band"] = str(new)
    if current.get("employment") == "employee" and rng.random() < 0.06:
        _change(out, c, "employment", "employee", "business_owner", when(), "call", staff)
        current["employment"] = "business_owner"
    elif age_then + span / YEAR >= 60 and current.get("employment") not in (None, "retired"):
        retired = min(today, start + int((60 - age_then) * YEAR)) if age_then < 60 else when()
        _change(out, c, "employment", current["employment"], "retired", retired, "call", staff)
        current["employment"] = "retired"


def _change(out, c, attribute, old, new, day: int, source: str, staff: int) -> None:
    recorded = min(c.today_ord, day + c.rng.randint(0, 10))
    out.add(
        "profile_change",
        c.customer_id,
        attribute,
        old,
        new,
        iso(day),
        stamp(recorded, 540 + c.rng.randrange(540)),
        staff,
        source,
        None,
    )


def _contacts(c: CustomerRows, out: RowSet, vehicles, visits, unresolved: bool,
              since: int) -> None:
    """Satisfaction call-backs after visits, SMS reminders, yearly birthday care, and sales
    calls for older cars; the latest sales call may leave a follow-up date. None before the
    day after `since`, the first purchase, when the customer was first stored."""
    rng, today = c.rng, c.today_ord
    add = partial(_contact, since=since)
    staff = rng.choice(c.staff_ids)
    for _visit_id, vehicle_id, day, _ in visits:
        roll = rng.random()
        if roll < 0.26:
            add(c, out, vehicle_id, day + rng.randint(1, 4), "phone", "callback", staff)
        elif roll < 0.42:
            add(c, out, vehicle_id, day - rng.randint(3, 10), "sms", "reminder", None)
    for years_back in range(3):
        if rng.random() < 0.3:
            add(
                c,
                out,
                None,
                today - 30 - years_back * 365 - rng.randrange(300),
                "sms",
                "care",
                None,
            )
    oldest = vehicles[0]
    if (today - oldest["purchased"]) > 4 * YEAR and not unresolved:
        last = None
        for _ in range(rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0]):
            day = today - rng.randrange(2, 700)
            last = add(c, out, oldest["id"], day, "phone", "sales", staff, follow_up=True)
        del last


def _contact(c, out, vehicle_id, day, channel, purpose, staff, follow_up=False, *,
             since: int):
    """A contact on `day`; none when that is not after `since` (the customer was stored on
    that day), its values drawn all the same so the rows after it stay as they were."""
    rng, today = c.rng, c.today_ord
    day = min(day, today)
    if channel == "sms":
        outcome = "sent" if rng.random() < 0.97 else "failed"
    else:
        outcome = rng.choices(
            ("reached", "no_answer", "phone_off", "wrong_number", "refused", "appointment"),
            weights=(58, 22, 6, 2, 5, 7),
        )[0]
    feedback = None
    if outcome in ("reached", "appointment") and rng.random() < 0.45:
        feedback = rng.choice(ref.FEEDBACK_SNIPPETS)
    next_date = None
    if follow_up and outcome in ("reached", "no_answer"):
        next_date = iso(day + rng.randint(3, 60))
        if today - day > FOLLOWED_UP_WITHIN:
            next_date = None  # followed up long ago (drawn all the same: the rows after stay)
    minute = rng.randint(9 * 60, 19 * 60)
    if day <= since:
        return None
    return out.add(
        "contact_event",
        c.customer_id,
        vehicle_id,
        stamp(day, minute),
        channel,
        purpose,
        staff,
        outcome,
        feedback,
        next_date,
        None,
        None,
        stamp(day, minute + 1),
    )


def _preferences_consent_refusals(c: CustomerRows, out: RowSet, first: int) -> bool | None:
    """Returns today's marketing consent (None: never asked)."""
    rng, today = c.rng, c.today_ord
    if rng.random() < 0.85:
        order = rng.choices([o for o, _ in CHANNEL_ORDERS], weights=[w for _, w in CHANNEL_ORDERS])
        windows = ",".join(sorted(rng.sample(WINDOWS, rng.choice((1, 1, 2)))))
        ranged = rng.random() < 0.08
        hour_from = rng.choice((9, 10, 12, 13, 14, 18)) if ranged else None
        out.add_keyless(
            "contact_preference",
            c.customer_id,
            order[0],
            order[0].split(",")[0],
            rng.choices(("any", "weekday", "weekend"), weights=(50, 30, 20))[0],
            None if ranged else windows,
            hour_from,
            hour_from + 1 if hour_from is not None else None,
            "en" if rng.random() < 0.01 else "zh",
            None,
            stamp(first, 600),
            None,
        )
    consent: bool | None = None
    if rng.random() < 0.9:
        consent = rng.random() < 0.88
        out.add(
            "consent_event",
            c.customer_id,
            "marketing",
            int(consent),
            iso(first),
            "visit",
            None,
            "购车时签署" if consent else "购车时拒绝营销信息",
            stamp(first, 610),
        )
    roll = rng.random()
    if roll < 0.03:
        day = max(today - rng.randrange(10, 900), first + 1)  # not before they were stored
        out.add(
            "do_not_contact",
            c.customer_id,
            "sms",
            "marketing",
            "回T退订",
            "vendor_unsubscribe",
            iso(day),
            None,
            None,
            None,
            None,
            None,
            stamp(day, 700),
        )
        if consent:
            out.add(
                "consent_event",
                c.customer_id,
                "marketing",
                0,
                iso(day),
                "sms_unsubscribe",
                None,
                "短信退订",
                stamp(day, 700),
            )
            consent = False
    elif roll < 0.06:
        day = max(today - rng.randrange(10, 900), first + 1)  # not before they were stored
        expires = iso(day + 365) if rng.random() < 0.3 else None
        staff = rng.choice(c.staff_ids)
        out.add(
            "do_not_contact",
            c.customer_id,
            "phone",
            "sales",
            "客户明确表示不接受销售电话",
            "customer",
            iso(day),
            staff,
            expires,
            None,
            None,
            None,
            stamp(day, 700),
        )
    elif roll < 0.07:
        day = max(today - rng.randrange(400, 1500), first + 1)
        lifted = min(day + rng.randint(60, 300), today)
        staff = rng.choice(c.staff_ids)
        out.add(
            "do_not_contact",
            c.customer_id,
            None,
            None,
            "投诉期间暂停联系",
            "staff",
            iso(day),
            staff,
            None,
            iso(lifted),
            staff,
            "投诉已解决，客户同意恢复联系",
            stamp(day, 700),
        )
    return consent


def _intent(c: CustomerRows, out: RowSet, vehicles: list[dict]) -> None:
    rng, today = c.rng, c.today_ord
    newest = vehicles[-1]
    if (today - newest["purchased"]) < 4 * YEAR or rng.random() > 0.18:
        return
    spec = ref.pick_vehicle(rng, min(c.today.year, ref.SALES_YEARS[1]))
    day = today - rng.randrange(1, 240)
    out.add(
        "purchase_intent",
        c.customer_id,
        iso(day),
        rng.choices(("strong", "medium", "weak"), weights=(20, 45, 35))[0],
        rng.choice(("家庭人口增加", "旧车故障多", "想换新能源", "单位用车", "改善型换购")),
        rng.choices(("1w", "2w", "1m", "2m", "later"), weights=(5, 10, 20, 25, 40))[0],
        int(newest["price"] * rng.uniform(1.0, 1.6)) // 1000 * 1000,
        spec["model"],
        rng.choice(c.staff_ids),
        stamp(day, 800),
    )


def _tags(c: CustomerRows, out: RowSet, age: int, profile: dict, vehicles) -> None:
    rng = c.rng
    picks = set(rng.sample(c.tag_ids, rng.choice((0, 1, 1, 2, 3))))
    # Tag ids follow demo.TAG_GROUPS order; the last group (客群) starts at -6.
    groups = c.tag_ids[-6:]
    if age >= 60:
        picks.add(groups[0])
    if profile.get("household") in ("one_child", "two_children"):
        picks.add(groups[1])
    if profile.get("employment") == "business_owner":
        picks.add(groups[2])
    stamp_ = stamp(vehicles[0]["purchased"], 900)
    for tag_id in sorted(picks):
        out.add_keyless("customer_tag", c.customer_id, tag_id, stamp_, None)
