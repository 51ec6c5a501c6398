"""How a row of an activity file (visits, surveys, complaints, contacts, purchases) finds the
stored customer and car it is about, and which rows of a visits file name an owner or a car
not stored (a car bought elsewhere, serviced here), to be made before their visits."""

from __future__ import annotations

from typing import Any

from services.customers.names import same_person
from services.imports.context import Context
from services.imports.lookup import LINK_KEYS, Lookup
from services.imports.results import Issue, RowResult


def link(result: RowResult, v: dict[str, Any], lk: Lookup) -> tuple[dict | None, dict | None]:
    """(customer, vehicle) the row is about: by VIN, else plate, else the customer's number in
    the DMS, else mobile."""
    if v.get("vin") and (vehicle := lk.vehicle_with_vin(v["vin"])) is not None:
        return lk.customers[vehicle["customer_id"]], vehicle
    if v.get("plate"):
        vehicles = lk.vehicles_with_plate(v["plate"])
        owners = {x["customer_id"] for x in vehicles}
        if len(owners) > 1 and v.get("mobile"):
            owners = {c for c in owners if lk.customers[c]["mobile"] == v["mobile"]} or owners
        if len(owners) > 1:
            active = {x["customer_id"] for x in vehicles if x["active"]}
            owners = active if len(active) == 1 else owners
        if len(owners) > 1:
            result.reject("plate_ambiguous", "plate")
            return None, None
        if owners:
            owner = owners.pop()
            theirs = [x for x in vehicles if x["customer_id"] == owner]
            theirs.sort(key=lambda x: (not x["active"], -x["id"]))
            return lk.customers[owner], theirs[0]
    if v.get("dms_code"):
        found = lk.customers_with_dms_code(v["dms_code"])
        if len(found) > 1 and v.get("mobile"):  # two DMSs' series: the one of this mobile
            found = [c for c in found if c["mobile"] == v["mobile"]] or found
        if len(found) > 1:
            result.reject("dms_code_ambiguous", "dms_code")
            return None, None
        if found:
            return found[0], None
    if v.get("mobile"):
        candidates = lk.customers_with_mobile(v["mobile"])
        if len(candidates) > 1 and v.get("name"):
            # Family members sharing a phone: the one of that name, else of a name that can
            # be theirs (张叁 for 张三, 张先生).
            candidates = ([c for c in candidates if c["name"] == v["name"]]
                          or [c for c in candidates
                              if same_person(v["name"], c["name"], c.get("gender"))]
                          or candidates)
        if len(candidates) > 1:
            result.reject("mobile_ambiguous", "mobile")
            return None, None
        if candidates:
            return candidates[0], None
    result.reject("customer_not_found" if any(v.get(k) for k in LINK_KEYS) else "no_link_key")
    return None, None


def note_mobile_of_another(result: RowResult, v: dict[str, Any], lk: Lookup,
                           owner: dict[str, Any]) -> None:
    """A note when the car's owner (found by VIN or plate) is not whom the row's mobile is
    stored for: the record stays with the car, and whoever reads the note sees both names
    (the wife's phone on the husband's car, or a car that changed hands)."""
    mobile = v.get("mobile")
    if not mobile or owner.get("mobile") == mobile:
        return
    others = [c for c in lk.customers_with_mobile(mobile) if c["id"] != owner["id"]]
    if others:
        result.issues.append(Issue("mobile_other_customer", "mobile", "warning", fills=(
            ("other", _who(others[0])), ("owner", _who(owner)))))


def _who(customer: dict[str, Any]) -> str:
    return f"{customer.get('name') or ''}（{customer.get('code') or customer['id']}）"


# What a visit row gives a customer it makes: its owner and car, nothing of the visit itself
# (its km is the visit's reading, its note the visit's).
OWNER_VALUES = ("name", "mobile", "vin", "plate", "dms_code", "brand", "model")


def unknown_owners(ctx: Context, rows: list[tuple[RowResult, dict[str, Any]]]
                   ) -> list[tuple[RowResult, dict[str, Any]]]:
    """The rows of a visits file whose car is not stored, though the row names its owner (a
    car bought elsewhere and serviced here, as a DMS's work orders list it), each with the
    values that make the customer and car (services/imports/customers.py process): rows whose
    owner no stored customer is, and rows of a stored customer (found by mobile, by a name that
    can be theirs) naming a plate or VIN none of their cars has: their second car. A row the
    link rejects for another reason (a plate on two customers' cars) is not among them, nor one
    whose name is not the mobile's customer's (a relative's phone: whose car it is is not
    known)."""
    named = [(r, v) for r, v in rows if r.outcome != "reject" and v.get("name")
             and any(v.get(k) for k in LINK_KEYS)]
    if not named:
        return []
    lookup = Lookup(ctx.conn)
    lookup.load_rows(v for _, v in named)
    unknown: list[tuple[RowResult, dict[str, Any]]] = []
    for result, v in named:
        probe = RowResult(result.number, result.values)
        customer, vehicle = link(probe, v, lookup)
        new_car = (customer is not None and vehicle is None and (v.get("vin") or v.get("plate"))
                   and same_person(v["name"], customer["name"], customer.get("gender")))
        if new_car or [i.code for i in probe.issues] == ["customer_not_found"]:
            unknown.append((result, {**{k: v.get(k) for k in OWNER_VALUES},
                                     "phones_other": []}))
    return unknown
