"""Customer files (保有客户明细, one row per vehicle): each row is matched to a stored customer (by
the rules the user picked) and vehicle, then creates or updates them; changed values enter the
profile history and a km value becomes a mileage reading.

A row is a stored customer's only when its name can be theirs (services/customers/names.py): the
same name, the same sounds (张叁 for 张三, a pinyin input method's slip) or a form of address with
their surname (张先生). Another name on a stored mobile is another person sharing the phone (a
wife, a son): a customer of their own, never a rename of the one stored.

A car that changed hands (过户: its VIN is stored, but the row's name cannot be its owner's) goes
to the row's person, found by the other rules or created, and leaves its former owner's record,
which keeps its name, phone and other cars."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from models import Base
from models.codes import PROFILE_ATTRIBUTES, RECORDED_FIELDS
from services.customers.birthdays import month_day_key
from services.customers.names import addressed, same_person
from services.customers.pinyin import name_keys, stored_keys
from services.imports import stages
from services.imports.addresses import ADDRESS, address_changes
from services.imports.brands import known_brands, split_brands
from services.imports.consent import record_consent
from services.imports.context import Context, merge, record_history, same
from services.imports.dates import MonthDay
from services.imports.lookup import LINK_KEYS, Lookup, same_dms_code
from services.imports.normalise import WAN, nfkc
from services.imports.phones import (
    OTHER_PHONES_LENGTH,
    OTHER_PHONES_SEPARATOR,
    added_phones,
    is_mobile,
    stored_phones,
)
from services.imports.results import Issue, RowResult

CUSTOMER_COLUMNS = ("name", "contact_name", "gender", "birthday", "mobile", "dms_code", "province",
                    "city", "district", "street", "postcode", "wechat_id", "employer", "source",
                    "note")
VEHICLE_COLUMNS = ("vin", "plate", "brand", "model", "purchase_date", "price_paid",
                   "payment_method", "loan_end", "insurance_expiry", "warranty_end",
                   "inspection_due")
OTHER_PHONES = "other_phones"


def process(ctx: Context, rows: list[tuple[RowResult, dict[str, Any]]]) -> None:
    """Decide and queue the writes of one chunk of rows (already cleaned)."""
    if ctx.brands is None:
        ctx.brands = known_brands(ctx.conn, (v["brand"] for _, v in rows if v.get("brand")))
    split_brands(ctx.brands, (v for _, v in rows))
    for result, values in rows:
        _price_in_wan_said(result, values)
    lookup = Lookup(ctx.conn, ctx.today)
    # Plates find customers when the user asked for that rule, and for a row with neither
    # mobile nor VIN (_by_plate_and_name); every row's plate is looked up so that a plate
    # another customer's car already has is noted (_note_shared_plate).
    lookup.load_rows((v for _, v in rows), ctx.profile_attributes,
                     more_mobiles=(m for _, v in rows for m in _other_mobiles(v)))
    if ctx.consent:
        lookup.load_consent(lookup.customers)
    maintained: list[tuple[RowResult, dict[str, Any], dict[str, Any]]] = []
    carried: list[tuple[RowResult, dict[str, Any], dict[str, Any]]] = []
    for result, values in rows:
        if result.outcome != "reject":
            ctx.writer.row = result
            vehicle = _row(ctx, lookup, result, values)
            if vehicle is not None:
                carried.append((result, values, vehicle))
            if vehicle is not None and values.get("last_service_date") is not None:
                maintained.append((result, vehicle, values))
    if maintained:
        _last_maintenance(ctx, lookup, maintained)
    stages.from_cars(ctx, lookup, carried)


def _price_in_wan_said(result: RowResult, v: dict[str, Any]) -> None:
    """The note of a bare price read in 万 (normalise_price) names the number as typed: the
    price stored, 125,800.00, over 万 is the 12.58 of the cell."""
    price = v.get("price_paid")
    for i, issue in enumerate(result.issues):
        if issue.code == "price_bare_in_wan" and issue.value is None and price is not None:
            typed = format((Decimal(price) / WAN).normalize(), "f")
            result.issues[i] = replace(issue, value=typed)


def _row(ctx: Context, lk: Lookup, result: RowResult, v: dict[str, Any]) -> dict | None:
    """The row's customer and car found or created; the car (None: the row names none, or is
    rejected)."""
    if not any(v.get(k) for k in LINK_KEYS):
        result.reject("no_link_key")
        return None
    customer, sold = _match(ctx, lk, result, v)
    if result.outcome == "reject":
        return None
    vehicle = sold or (_vehicle(lk, customer, v) if customer is not None else None)
    # A car is anything the row names it by: its VIN or plate (a file without brand and model
    # columns: the make stays empty until a file says it), else its brand or model.
    has_vehicle = any(v.get(c) for c in ("vin", "plate", "brand", "model"))
    if vehicle is None and not has_vehicle and any(
            v.get(c) is not None for c in (*VEHICLE_COLUMNS, "km")):
        result.issues.append(Issue("vehicle_unnamed", None, "warning"))
    if customer is None:
        if not v.get("name"):
            result.reject("name_required", "name")
            return None
        customer = _create_customer(ctx, lk, result, v)
    else:
        _update_customer(ctx, lk, result, customer, v)
    _profile(ctx, lk, result, customer, v)
    if ctx.consent:
        record_consent(ctx, lk, result, customer, v)
    if sold is not None:
        _hand_over(ctx, lk, result, sold, customer)
    if has_vehicle:
        if vehicle is None:
            vehicle = _create_vehicle(ctx, lk, result, customer, v)
        else:
            _update_vehicle(ctx, lk, result, customer, vehicle, v)
    if vehicle is not None and v.get("km") is not None:
        _reading(ctx, lk, result, vehicle, v["km"], v.get("km_date") or ctx.km_day or ctx.today)
    ctx.seen["customer"].add(customer["id"])
    if vehicle is not None:
        ctx.seen["vehicle"].add(vehicle["id"])
    result.settle()
    return vehicle


def _last_maintenance(ctx: Context, lk: Lookup,
                      rows: list[tuple[RowResult, dict[str, Any], dict[str, Any]]]) -> None:
    """A maintenance visit of the car on the day the file says it was last maintained, with
    its km as a reading and the next service the file says was told then, unless the car has
    a maintenance visit that day (stored, from a visits file, or from an earlier row: that
    one is told it). A day before the car was bought is left out with a note."""
    # Every car of the rows, those this import made too: an earlier chunk of the file may
    # have stored their last maintenance, which a later row tells its next service.
    cars = list({car["id"] for _, car, _ in rows})
    t = Base.metadata.tables["service_visit"]
    ctx.maintained |= lk.pairs(t.c.vehicle_id, t.c.visit_date, t.c.vehicle_id, cars,
                               t.c.visit_type == "maintenance")
    visits: dict[tuple[int, dt.date], dict[str, Any]] = {}  # the maintenance visits told
    if any(v.get(k) is not None for _, _, v in rows for k in NEXT_SERVICE):
        for row in sorted(lk.rows(t, t.c.vehicle_id, cars, t.c.visit_type == "maintenance"),
                          key=lambda r: r["id"]):
            visits.setdefault((row["vehicle_id"], row["visit_date"]), row)
    for result, car, v in rows:
        ctx.writer.row = result
        day, km = v["last_service_date"], v.get("last_service_km")
        if car.get("purchase_date") is not None and day < car["purchase_date"]:
            result.issues.append(Issue("service_before_purchase", "last_service_date",
                                       "warning"))
            continue
        if (car["id"], day) in ctx.maintained:
            if (visit := visits.get((car["id"], day))) is not None:
                _tell(ctx, result, visit, v)
            continue
        ctx.maintained.add((car["id"], day))
        if km is not None and (problem := lk.reading_out_of_line(car["id"], day, km)):
            # Not the car's odometer that day: not the visit's km either, which the next
            # maintenance falls due from.
            result.issues.append(Issue(problem, "last_service_km", "warning"))
            km = None
        visits[(car["id"], day)] = ctx.writer.insert("service_visit", {
            "customer_id": car["customer_id"], "vehicle_id": car["id"], "visit_date": day,
            "visit_type": "maintenance", "amount": 0, "km": km, "note": f"{ctx.note}：最近保养",
            "work_order": None, "next_service_date": v.get("next_service_date"),
            "next_service_km": v.get("next_service_km")})
        result.created.append("service_visit")
        if km is not None:
            _reading(ctx, lk, result, car, km, day)
        result.settle()


# What the DMS told the owner at a maintenance (services/segments/maintenance.py reads them).
NEXT_SERVICE = ("next_service_date", "next_service_km")


def _tell(ctx: Context, result: RowResult, visit: dict[str, Any], v: dict[str, Any]) -> None:
    """The maintenance visit of the row's day told the next service the row says (a DMS's
    保养提醒 export read after the work orders, or again with a later date)."""
    new = merge(ctx, result, "service_visit", visit, v, NEXT_SERVICE)
    if not new:
        return
    ctx.writer.amend("service_visit", visit["id"], new, {k: visit.get(k) for k in new})
    result.changes += [(k, visit.get(k), x) for k, x in new.items()]
    if visit["id"] not in ctx.writer.created["service_visit"]:
        for k in new:
            ctx.changed_fields[k] += 1
    visit.update(new)
    result.settle()


def _match(ctx: Context, lk: Lookup, result: RowResult,
           v: dict[str, Any]) -> tuple[dict | None, dict | None]:
    """The stored customer this row is about (None: a new one), or the row is rejected; and the
    stored car, found by its VIN, that changed hands to them (None when it did not).

    A customer number of the DMS (dms_code) the row gives finds whoever has it and is this
    person (same_person, or of the same mobile), whatever the rules: another person under the
    number is another DMS's customer (a dealer group's two DMSs). By the rules' mobile or
    plate, nobody stored under another number is this row's person (one phone, two DMS
    customers: a family)."""
    found: dict[str, int] = {}
    mobile, vin, plate, name = v.get("mobile"), v.get("vin"), v.get("plate"), v.get("name")
    code = v.get("dms_code")
    by_vin = lk.vehicle_with_vin(vin) if vin else None
    numbered = _numbered(lk, v) if code else []
    if len(numbered) > 1:
        result.reject("dms_code_ambiguous", "dms_code")
        return None, None
    if numbered:
        found["dms_code"] = numbered[0]["id"]

    def numbered_alike(customer_id: int) -> bool:
        other = lk.customers[customer_id].get("dms_code")
        return not (code and other and not same_dms_code(other, code))

    for rule in ctx.match:
        if rule in ("mobile", "name_mobile") and mobile:
            # The cell's first mobile, else its others (13711112222/15349364254): a customer
            # stored under the second number is this one, not someone new.
            for number in (mobile, *_other_mobiles(v)):
                candidates = lk.customers_with_mobile(number)
                if rule == "name_mobile":
                    candidates = [c for c in candidates if name and c["name"] == name]
                else:
                    candidates = [c for c in candidates
                                  if same_person(name, c["name"], c.get("gender"))]
                candidates = [c for c in candidates if numbered_alike(c["id"])]
                if candidates:
                    break
            if len(candidates) > 1 and by_vin is not None:
                candidates = [c for c in candidates if c["id"] == by_vin["customer_id"]]
            if len(candidates) > 1 and name:
                candidates = [c for c in candidates if c["name"] == name] or candidates
            if len(candidates) > 1:
                result.reject("mobile_ambiguous", "mobile")
                return None, None
            if candidates:
                found.setdefault(rule, candidates[0]["id"])
        elif rule == "vin" and by_vin is not None:
            found["vin"] = by_vin["customer_id"]
        elif rule == "plate" and plate and by_vin is None:
            owners = {x["customer_id"] for x in lk.vehicles_with_plate(plate)
                      if x["active"] and numbered_alike(x["customer_id"])}
            if len(owners) > 1:
                result.reject("plate_ambiguous", "plate")
                return None, None
            if owners:
                found["plate"] = owners.pop()
    if not found and not mobile and by_vin is None and plate and name:
        owner = _by_plate_and_name(lk, plate, name)
        if owner is not None and numbered_alike(owner):
            found["plate"] = owner
    sold = None
    if "vin" in found and by_vin is not None:
        hands = _changed_hands(ctx, lk, by_vin, v, found)
        if hands == "sold":
            sold = by_vin
        elif hands is not None:
            # Another owner of the car, not its latest: the person is imported, the car stays.
            result.issues.append(Issue(hands, "vin", "warning"))
            v.update({c: None for c in VEHICLE_COLUMNS})
            v["km"] = None
        if hands is not None:
            del found["vin"]
            by_vin = None
    ids = set(found.values())
    if len(ids) > 1:
        result.reject("match_conflict")
        return None, None
    customer = lk.customers[ids.pop()] if ids else None
    # A VIN is unique: stored under another customer, it cannot come to this one (unless the
    # car changed hands to them).
    if sold is None and by_vin is not None and (
            customer is None or by_vin["customer_id"] != customer["id"]):
        result.reject("vin_other_customer", "vin")
        return None, None
    return customer, sold


def _numbered(lk: Lookup, v: dict[str, Any]) -> list[dict]:
    """The stored customers under the row's DMS number who can be its person (same_person, or
    of its mobile); of several, those of its mobile, else of its very name."""
    mobile, name = v.get("mobile"), v.get("name")
    found = [c for c in lk.customers_with_dms_code(v["dms_code"])
             if same_person(name, c["name"], c.get("gender"))
             or (mobile and c["mobile"] == mobile)]
    for column, value in (("mobile", mobile), ("name", name)):
        if len(found) > 1 and value:
            found = [c for c in found if c[column] == value] or found
    return found


def _other_mobiles(v: dict[str, Any]) -> list[str]:
    """The row's mobiles besides its mobile (a phone cell of two numbers)."""
    return [p for p in v.get("phones_other", ()) if is_mobile(p)]


def _by_plate_and_name(lk: Lookup, plate: str, name: str) -> int | None:
    """For a row with neither mobile nor VIN (a masked or missing phone): the one stored
    customer who is this person (same_person) and has an active car of this plate. A plate
    alone is not a person (plates are issued again), but the same person's name on the same
    plate is; without this, every import of such a row made the customer once more."""
    owners = {x["customer_id"] for x in lk.vehicles_with_plate(plate) if x["active"]}
    same = [i for i in owners
            if same_person(name, lk.customers[i]["name"], lk.customers[i].get("gender"))]
    return same[0] if len(same) == 1 else None


def _changed_hands(ctx: Context, lk: Lookup, vehicle: dict, v: dict[str, Any],
                   found: dict[str, int]) -> str | None:
    """Whether the row names another owner of the car: None when it names its stored owner
    (same_person) or another rule found that owner; "sold" when the row is its new owner;
    else the code of the note saying the row's person is imported without the car.

    An owner list (保有客户明细) has one row per car and owner, often a car's whole history, in
    no particular order. So a row with an earlier purchase date than the car's is a former
    owner, whatever the order of rows or files. Another person on a later row of the same file
    (another name and another phone) takes the car only with a later purchase date: without
    one the rows do not say who owns it now, and the car stays where the earlier row left it."""
    owner = lk.customers[vehicle["customer_id"]]
    if same_person(v.get("name"), owner.get("name"), owner.get("gender")):
        return None
    if owner["id"] in {i for rule, i in found.items() if rule != "vin"}:
        return None
    bought, since = v.get("purchase_date"), vehicle.get("purchase_date")
    if vehicle["id"] in ctx.seen["vehicle"]:
        if v.get("mobile") and v.get("mobile") == owner.get("mobile"):
            return None  # the earlier row's person under another name: its values are kept
        if bought and since and bought > since:
            return "sold"
        return "earlier_owner" if bought and since and bought < since else "owner_unclear"
    if bought and since and bought < since:
        return "earlier_owner"
    return "sold"


def _vehicle(lk: Lookup, customer: dict, v: dict[str, Any]) -> dict | None:
    """The customer's stored vehicle this row describes (None: a new one, or no vehicle)."""
    if v.get("vin") and (found := lk.vehicle_with_vin(v["vin"])) is not None:
        return found
    theirs = lk.vehicles_of_customer(customer["id"])
    if v.get("vin"):
        # A car stored without its VIN is the same car when the plate agrees (the VIN is
        # filled in); a car with another VIN is another car, even under the same plate.
        theirs = [x for x in theirs if not x["vin"]]
    if v.get("plate"):
        same_plate = [x for x in theirs if x["plate"] == v["plate"]]
        same_plate.sort(key=lambda x: (not x["active"], -x["id"]))
        return same_plate[0] if same_plate else None
    if not v.get("vin") and (v.get("model") or v.get("brand")):
        # Neither VIN nor plate: the customer's car of that model that has neither either.
        for x in theirs:
            if not x["vin"] and not x["plate"] and same(x["model"], v.get("model") or "") \
                    and same(x["brand"], v.get("brand") or ""):
                return x
    return None


def _name_columns(name: str) -> dict[str, Any]:
    keys = stored_keys(name)
    return {"name": name, "name_pinyin": keys.pinyin, "name_initials": keys.initials,
            "name_sort": keys.sort}


def _create_customer(ctx: Context, lk: Lookup, result: RowResult, v: dict[str, Any]) -> dict:
    row: dict[str, Any] = {c: v.get(c) for c in CUSTOMER_COLUMNS}
    row.update(_name_columns(v["name"]))
    birthday = v.get("birthday")
    if isinstance(birthday, MonthDay):
        row["birthday"] = None
    row["birthday_md"] = month_day_key(birthday) if birthday else None
    row[OTHER_PHONES] = _joined_phones(result, None, v.get("phones_other", ()))
    row.update(owner_staff_id=None, lifecycle_stage=None, created_at=ctx.writer.now,
               updated_at=ctx.writer.now)
    row["id"] = ctx.writer.new_id("customer")
    row["code"] = f"C{row['id']:07d}"
    ctx.writer.insert("customer", row)
    lk.add_customer(row)
    result.created.append("customer")
    return row


def _joined_phones(result: RowResult, current: str | None, extra: Any) -> str | None:
    """Other phones with the file's numbers added, none twice. A number is kept whole or not
    at all: those the column has no room for are named on the row, never dropped unsaid."""
    have, left_out = added_phones(stored_phones(current), extra or ())
    if left_out:
        result.issues.append(Issue("phones_not_kept", "other_phone", "warning",
                                   "、".join(left_out), OTHER_PHONES_LENGTH))
    return OTHER_PHONES_SEPARATOR.join(have) or None


def _former_mobile(lk: Lookup, customer: dict) -> list[str]:
    """The mobile a file replaces, to keep among the customer's other phones: the call centre
    may still reach them there, and staff find them by it. Not when it is another customer's
    mobile now (a number handed on to a relative): there it would be theirs twice, and the
    two taken for duplicates."""
    former = (customer.get("mobile") or "").strip()
    if not former or lk.mobile_of_another(former, customer["id"]):
        return []
    return [former]


def _without(phones: str | None, mobile: str) -> str | None:
    """Other phones without the new mobile: a second number a file makes the mobile is not
    another phone as well."""
    return OTHER_PHONES_SEPARATOR.join(p for p in stored_phones(phones) if p != mobile) or None


def _update_customer(ctx: Context, lk: Lookup, result: RowResult, customer: dict,
                     v: dict[str, Any]) -> None:
    others = tuple(c for c in CUSTOMER_COLUMNS if c not in ADDRESS and c != "note")
    stored_code = customer.get("dms_code")
    if v.get("dms_code") and stored_code and same_dms_code(v["dms_code"], stored_code):
        v = {**v, "dms_code": stored_code}  # 22 for 00000022: the number as stored
    born = v.get("birthday")
    if isinstance(born, MonthDay):
        v = {**v, "birthday": None}  # decided by _month_day_change
    changes = merge(ctx, result, "customer", customer, v, others)
    if isinstance(born, MonthDay) and _month_day_change(ctx, result, customer, born):
        changes["birthday"] = born
    changes.update(address_changes(customer, v, customer["id"] in ctx.seen["customer"],
                                   result.issues))
    if "name" in changes and addressed(changes["name"]) and not addressed(customer["name"]):
        del changes["name"]  # 张先生 says less than the 张三 stored
    if "name" in changes and _corrected_by_staff(ctx, customer, changes["name"]):
        del changes["name"]
    if remark := v.get("note"):
        # Staff type notes on the customer's page ("VIP, never on a weekend"): the file's
        # remark is added under what is stored, never in its place; one already there is not.
        # A second row of the owner (their second car) adds its own remark the same way.
        stored = customer.get("note")
        if not stored:
            changes["note"] = remark
        elif not same(stored, remark) and remark not in stored.splitlines():
            changes["note"] = f"{stored}\n{remark}"
    current, extra = customer.get(OTHER_PHONES), v.get("phones_other", ())
    if "mobile" in changes:
        current = _without(current, changes["mobile"])
        extra = [*extra, *_former_mobile(lk, customer)]
    phones = _joined_phones(result, current, extra)
    if not same(phones, customer.get(OTHER_PHONES)):
        changes[OTHER_PHONES] = phones
    if not changes:
        return
    created = customer["id"] in ctx.writer.created["customer"]
    new = dict(changes)
    if "name" in changes:
        new.update(_name_columns(changes["name"]))
    if "birthday" in changes:
        new["birthday_md"] = month_day_key(changes["birthday"])
        if isinstance(changes["birthday"], MonthDay):  # the stored birthday is none
            del new["birthday"]
    new["updated_at"] = ctx.writer.now
    old = {c: customer.get(c) for c in new}
    for column, value in changes.items():
        result.changes.append((column, customer.get(column), value))
        if not created:
            ctx.changed_fields[column] += 1
            if column in RECORDED_FIELDS:
                record_history(ctx, customer["id"], column, customer.get(column), value)
    ctx.writer.amend("customer", customer["id"], new, old)
    for column, value in new.items():
        lk.set_customer(customer["id"], column, value)


def _month_day_change(ctx: Context, result: RowResult, customer: dict, born: MonthDay) -> bool:
    """Whether a birthday without its year changes the customer's: only where no full
    birthday is stored. One stored on another day is kept, and the row says so: the file's
    says less (no year) and may be the mistyped one."""
    if customer.get("birthday") is not None:
        if customer["birthday_md"] != month_day_key(born):
            result.issues.append(Issue("birthday_yearless_differs", "birthday", "warning"))
        return False
    stored = customer.get("birthday_md")
    if stored == month_day_key(born):
        return False
    if stored is not None and customer["id"] in ctx.seen["customer"]:
        result.issues.append(Issue("differs_in_file", "birthday", "warning"))
        return False
    return True


def _corrected_by_staff(ctx: Context, customer: dict, name: str) -> bool:
    """Whether the stored name is one staff put right on the customer's page and the file's
    only sounds like it (张叁 for the 张三 typed): the DMS still has the slip, and an import
    must not undo the correction each week. A name that sounds otherwise is read as always
    (another person sharing the phone, a car sold on)."""
    if name_keys(name).pinyin != name_keys(customer["name"]).pinyin:
        return False
    history = Base.metadata.tables["profile_change"]
    last = ctx.conn.execute(
        select(history.c.source)
        .where(history.c.customer_id == customer["id"], history.c.attribute == "name")
        .order_by(history.c.recorded_at.desc(), history.c.id.desc()).limit(1)).scalar()
    return last == "manual"


def _profile(ctx: Context, lk: Lookup, result: RowResult, customer: dict,
             v: dict[str, Any]) -> None:
    """Profile attributes (occupation, marital status…) live only as history rows."""
    seen = customer["id"] in ctx.seen["customer"]
    for attribute in ctx.profile_attributes:
        new = v.get(attribute)
        if new is None or attribute not in PROFILE_ATTRIBUTES:
            continue
        old = lk.profile.get((customer["id"], attribute))
        if old is None and attribute == "lifecycle_stage":
            # A stage stored without its history (written around the app) is the old value.
            old = customer.get("lifecycle_stage")
        if same(old, new):
            continue
        if seen and old is not None:
            result.issues.append(Issue("differs_in_file", attribute, "warning"))
            continue
        record_history(ctx, customer["id"], attribute, old, new)
        lk.profile[(customer["id"], attribute)] = new
        result.changes.append((attribute, old, new))
        if customer["id"] not in ctx.writer.created["customer"]:
            ctx.changed_fields[attribute] += 1
        if attribute == "lifecycle_stage":
            ctx.writer.amend("customer", customer["id"], {"lifecycle_stage": new},
                             {"lifecycle_stage": customer.get("lifecycle_stage")})
            customer["lifecycle_stage"] = new


def _vehicle_label(row: dict) -> str:
    return " ".join(str(x) for x in (row.get("brand"), row.get("model"),
                                     row.get("vin") or row.get("plate")) if x)


def _create_vehicle(ctx: Context, lk: Lookup, result: RowResult, customer: dict,
                    v: dict[str, Any]) -> dict:
    row: dict[str, Any] = {c: v.get(c) for c in VEHICLE_COLUMNS}
    row.update(customer_id=customer["id"], brand=v.get("brand") or "", model=v.get("model") or "",
               active=True, created_at=ctx.writer.now)
    ctx.writer.insert("vehicle", row)
    lk.add_vehicle(row)
    result.created.append("vehicle")
    _note_shared_plate(lk, result, row)
    if customer["id"] not in ctx.writer.created["customer"]:
        # A car added to a stored customer is part of that customer's history.
        record_history(ctx, customer["id"], "vehicle", None, _vehicle_label(row))
    return row


def less_precise(model: str | None, stored: str | None) -> bool:
    """Whether `model` names the stored model less precisely: its start (凯美瑞 for 凯美瑞 2.0G,
    RAV4 for RAV4荣放), spaces and case aside. One DMS exports the series, another the series
    with its configuration; the vaguer one is the same car, not a change (taken as one, each
    file turned the car's model back and recorded it in the profile history). A digit is not
    cut from a number (X1 is not X10)."""
    if not model or not stored:
        return False
    short, long = (re.sub(r"\s", "", nfkc(x)).lower() for x in (model, stored))
    return (len(short) < len(long) and long.startswith(short)
            and not (short[-1].isdigit() and long[len(short)].isdigit()))


def _update_vehicle(ctx: Context, lk: Lookup, result: RowResult, customer: dict, vehicle: dict,
                    v: dict[str, Any]) -> None:
    if less_precise(v.get("model"), vehicle.get("model")):
        v = {**v, "model": None}  # the stored, more precise model stays
    changes = merge(ctx, result, "vehicle", vehicle, v, VEHICLE_COLUMNS)
    if not changes:
        return
    created = vehicle["id"] in ctx.writer.created["vehicle"]
    old = {c: vehicle.get(c) for c in changes}
    about = f"车辆 {_vehicle_label(vehicle)}"
    for column, value in changes.items():
        result.changes.append((column, vehicle.get(column), value))
        if not created:
            ctx.changed_fields[column] += 1
            record_history(ctx, customer["id"], column, vehicle.get(column), value, about)
    ctx.writer.amend("vehicle", vehicle["id"], changes, old)
    for column, value in changes.items():
        lk.set_vehicle(vehicle["id"], column, value)
    if "plate" in changes:
        _note_shared_plate(lk, result, vehicle)


def _note_shared_plate(lk: Lookup, result: RowResult, vehicle: dict) -> None:
    """Note a plate given to `vehicle` that another customer's car in use already has: the
    same plate on two owners' cars is most often a car sold or scrapped without being marked
    so, or a typing slip, and a service-visit file keyed by plate cannot tell them apart."""
    if not vehicle.get("plate"):
        return
    others = sorted({lk.customers[x["customer_id"]]["code"]
                     for x in lk.vehicles_with_plate(vehicle["plate"])
                     if x["active"] and x["id"] != vehicle["id"]
                     and x["customer_id"] != vehicle["customer_id"]})
    if others:
        result.issues.append(Issue("plate_shared", "plate", "warning", "、".join(others[:3])))


def _hand_over(ctx: Context, lk: Lookup, result: RowResult, vehicle: dict,
               owner: dict) -> None:
    """The car is `owner`'s from now on; both records' histories say so. Its visits stay with
    the customer who made them (what they spent is theirs)."""
    before = lk.customers[vehicle["customer_id"]]
    label = _vehicle_label(vehicle)
    ctx.writer.amend("vehicle", vehicle["id"], {"customer_id": owner["id"]},
                     {"customer_id": before["id"]})
    lk.set_vehicle(vehicle["id"], "customer_id", owner["id"])
    # Handed on by a later row of the file: the new owner's plate and dates are the car's.
    ctx.seen["vehicle"].discard(vehicle["id"])
    record_history(ctx, before["id"], "vehicle", label, None, f"过户给 {owner['name']}")
    if owner["id"] not in ctx.writer.created["customer"]:
        record_history(ctx, owner["id"], "vehicle", None, label, f"由 {before['name']} 过户")
    result.changes.append(("owner", before["name"], owner["name"]))
    ctx.changed_fields["owner"] += 1


def _reading(ctx: Context, lk: Lookup, result: RowResult, vehicle: dict, km: int,
             day: dt.date) -> None:
    """A km value from a customer file: a reading dated by the file's km date column, else
    the import day, unless the vehicle already has a reading of that km (the same file read
    again, perhaps on another day)."""
    readings = lk.readings[vehicle["id"]]
    if any(k == km for _, k in readings):
        return
    if (problem := lk.reading_out_of_line(vehicle["id"], day, km)) is not None:
        result.issues.append(Issue(problem, "km", "warning"))
        return
    ctx.writer.insert("mileage_reading", {
        "vehicle_id": vehicle["id"], "reading_date": day, "km": km, "source": "import",
        "created_at": ctx.writer.now})
    readings.add((day, km))
    result.changes.append(("km", None, km))
    if "vehicle" not in result.created:
        ctx.changed_fields["km"] += 1



def replace_list_reading(ctx: Context, lk: Lookup, vehicle_id: int, day: dt.date,
                         km: int) -> bool:
    """Whether a dated reading (a work order's `km` on `day`) that the car's other readings
    refuse only because an owners list's reading dated after it is lower has replaced that
    reading (amended to `day` and `km`, which undo puts back).

    An owners list (保有客户明细) gives the car's km with no date of its own: a DMS keeps on the
    car the km of its last work order (or of its sale), so the list says what the car had on
    some day before its export. That reading is dated by the export day (导出时间) or the
    import's, the latest it can have been read; a work order of an earlier day with more km
    shows it was read before then, and the work order's dated km says more than it. One such
    reading only: two of them lower than the work order are not one list's slip."""
    table = Base.metadata.tables["mileage_reading"]
    readings = lk.readings[vehicle_id]
    later = [(rid, d, k) for rid, d, k in ctx.conn.execute(
        select(table.c.id, table.c.reading_date, table.c.km).where(
            table.c.vehicle_id == vehicle_id, table.c.source == "import",
            table.c.reading_date > day, table.c.km < km)) if (d, k) in readings]
    if len(later) != 1:
        return False
    rid, listed_day, listed_km = later[0]
    readings.discard((listed_day, listed_km))
    if lk.reading_out_of_line(vehicle_id, day, km) is not None:
        readings.add((listed_day, listed_km))
        return False
    ctx.writer.amend("mileage_reading", rid, {"reading_date": day, "km": km},
                     {"reading_date": listed_day, "km": listed_km})
    readings.add((day, km))
    return True
