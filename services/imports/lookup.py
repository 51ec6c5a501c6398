"""What one chunk of an import needs from the database, read in a few bulk queries: customers by
mobile, vehicles by VIN and plate, every vehicle and km reading of the customers found, their
profile values, and the events already stored for them. Rows the chunk itself creates are added
here too, so a later row of the same chunk finds them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from models import Base
from services.imports.normalise import km_rise_implausible

PARAMS_PER_QUERY = 900  # well under SQLite's and psycopg's limits on bound parameters

CUSTOMER = Base.metadata.tables["customer"]
VEHICLE = Base.metadata.tables["vehicle"]
READING = Base.metadata.tables["mileage_reading"]
PROFILE = Base.metadata.tables["profile_change"]
CONSENT = Base.metadata.tables["consent_event"]

Row = dict[str, Any]


def in_parts(values: Iterable[Any], size: int = PARAMS_PER_QUERY) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for i in range(0, len(items), size):
        yield items[i : i + size]


# What a row may find its customer by, in the order a file's columns are asked for.
LINK_KEYS = ("mobile", "vin", "plate", "dms_code")
# The longest all-digit DMS number looked for with its leading zeros put back (customer numbers
# of DMSs run to 8–12 digits).
DMS_DIGITS_WIDTH = 16


def dms_digits(code: str) -> str | None:
    """An all-digit DMS customer number without its leading zeros (00000001 -> 1), as a
    spreadsheet that turned the column into numbers writes it; None for any other code."""
    return (code.lstrip("0") or "0") if code.isascii() and code.isdigit() else None


def same_dms_code(a: str | None, b: str | None) -> bool:
    """Whether two DMS customer numbers are one: the same text, or the same digits once their
    leading zeros are taken off (00000022 and 22)."""
    return a == b or (a is not None and b is not None and dms_digits(a) is not None
                      and dms_digits(a) == dms_digits(b))


class Lookup:
    def __init__(self, conn: Connection, today: dt.date | None = None) -> None:
        self.conn = conn
        self.today = today or dt.date.today()  # profile values in force on this day
        self.customers: dict[int, Row] = {}
        self.by_mobile: dict[str, list[int]] = defaultdict(list)
        self.by_dms_code: dict[str, list[int]] = defaultdict(list)
        self.by_dms_digits: dict[str, list[int]] = defaultdict(list)  # dms_digits
        self.vehicles: dict[int, Row] = {}
        self.by_vin: dict[str, int] = {}
        self.by_plate: dict[str, list[int]] = defaultdict(list)
        self.vehicles_of: dict[int, list[int]] = defaultdict(list)
        self.readings: dict[int, set[tuple[dt.date, int]]] = defaultdict(set)
        self.profile: dict[tuple[int, str], str | None] = {}
        self._profile_loaded: set[int] = set()
        self.events: dict[tuple[Any, ...], Row] = {}
        # The events again by their key without the one part a row may lack (a visit's work
        # order): events.py looks there when the whole key finds nothing.
        self.loose_events: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
        # And by customer and that part alone: a visit found by its work order, whatever its
        # date or type (a corrected date in the DMS).
        self.by_loose: dict[tuple[int, Any], list[Row]] = defaultdict(list)
        # Events by customer and their `similar` columns (a purchase's day and kind): those a
        # row whose key differs in how its description was written may be (events._similar).
        self.similar: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
        # Marketing consent in force per customer: (its date, granted); None when none is.
        self.consent: dict[int, tuple[dt.date, bool] | None] = {}

    # -- loading ---------------------------------------------------------------------------

    def pairs(self, first, second, column, values: Iterable[Any], *where) -> set[tuple[Any, Any]]:
        """(first, second) of the rows whose `column` is one of `values` and that meet
        `where`: the columns of one table."""
        found: set[tuple[Any, Any]] = set()
        for part in in_parts(values):
            found.update((a, b) for a, b in self.conn.execute(
                select(first, second).where(column.in_(part), *where)))
        return found

    def rows(self, table: Table, column, values: Iterable[Any], *where) -> list[Row]:
        """The rows of `table` whose `column` is one of `values` and that meet `where`."""
        found: list[Row] = []
        for part in in_parts(values):
            found += [dict(r) for r in self.conn.execute(
                select(table).where(column.in_(part), *where)).mappings()]
        return found

    def _owners_by_plate(self, plates: Iterable[str]) -> set[int]:
        """The customers with a car of one of `plates`: only their ids are read here (their
        cars come with them), through the plate's index. On PostgreSQL the index is used
        whatever the planner guesses: inside an import that has just inserted 100,000
        vehicles the table has no statistics for their plates, and the planner scanned the
        whole table for every chunk's `plate IN (…)` (a 100,000-row customer file: 62 s
        instead of 22.6 s)."""
        owners: set[int] = set()
        forced = self.conn.dialect.name == "postgresql"
        if forced:
            self.conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        try:
            for part in in_parts(plates):
                owners.update(self.conn.execute(select(VEHICLE.c.customer_id).distinct()
                                                .where(VEHICLE.c.plate.in_(part))).scalars())
        finally:
            if forced:  # only for this look-up: the rest of the transaction plans as usual
                self.conn.exec_driver_sql("SET LOCAL enable_seqscan TO DEFAULT")
        return owners

    def load(self, mobiles: Iterable[str], vins: Iterable[str], plates: Iterable[str],
             profile_attributes: Sequence[str] = (), dms_codes: Iterable[str] = ()) -> None:
        """Customers and vehicles the chunk's keys point at, with all of those customers'
        vehicles and readings (and current profile values when the file carries any)."""
        for row in self.rows(CUSTOMER, CUSTOMER.c.mobile, mobiles):
            self._add_customer(row)
        dms_codes = set(dms_codes)
        for row in self.rows(CUSTOMER, CUSTOMER.c.dms_code, dms_codes):
            if row["id"] not in self.customers:
                self._add_customer(row)
        # A number not stored as written may be stored with its leading zeros (a file whose
        # column Excel made numbers writes 1 for 00000001), or without them: each other width
        # of its digits, looked up through the index.
        padded = {digits.zfill(width) for code in dms_codes
                  if code not in self.by_dms_code and (digits := dms_digits(code)) is not None
                  for width in range(len(digits), DMS_DIGITS_WIDTH + 1)} - dms_codes
        for row in self.rows(CUSTOMER, CUSTOMER.c.dms_code, padded):
            if row["id"] not in self.customers:
                self._add_customer(row)
        owners = {v["customer_id"] for v in self.rows(VEHICLE, VEHICLE.c.vin, vins)}
        owners |= self._owners_by_plate(plates)
        owners -= set(self.customers)
        for row in self.rows(CUSTOMER, CUSTOMER.c.id, owners):
            self._add_customer(row)
        self._load_customer_details(set(self.customers), profile_attributes)

    def load_rows(self, rows: Iterable[dict[str, Any]], profile_attributes: Sequence[str] = (),
                  more_mobiles: Iterable[str] = ()) -> None:
        """`load` for the keys of cleaned rows: their mobiles (and `more_mobiles`), VINs,
        plates and DMS customer numbers."""
        keys: dict[str, set[str]] = {column: set() for column in LINK_KEYS}
        keys["mobile"].update(more_mobiles)
        for v in rows:
            for column, found in keys.items():
                if v.get(column):
                    found.add(v[column])
        self.load(keys["mobile"], keys["vin"], keys["plate"], profile_attributes,
                  keys["dms_code"])

    def load_customers(self, ids: Iterable[int], profile_attributes: Sequence[str] = ()) -> None:
        missing = set(ids) - set(self.customers)
        for row in self.rows(CUSTOMER, CUSTOMER.c.id, missing):
            self._add_customer(row)
        self._load_customer_details(missing, profile_attributes)

    def _load_customer_details(self, ids: set[int], profile_attributes: Sequence[str]) -> None:
        ids = ids - self._profile_loaded
        self._profile_loaded |= ids
        for row in self.rows(VEHICLE, VEHICLE.c.customer_id, ids):
            if row["id"] not in self.vehicles:
                self._add_vehicle(row)
        vehicle_ids = [v for c in ids for v in self.vehicles_of.get(c, ())]
        for part in in_parts(vehicle_ids):
            for vid, day, km in self.conn.execute(
                select(READING.c.vehicle_id, READING.c.reading_date, READING.c.km).where(
                    READING.c.vehicle_id.in_(part))
            ):
                self.readings[vid].add((day, km))
        if profile_attributes:
            self._load_profile(ids, profile_attributes)

    def _load_profile(self, ids: set[int], attributes: Sequence[str]) -> None:
        today = self.today
        for part in in_parts(ids):
            rows = self.conn.execute(
                select(PROFILE.c.customer_id, PROFILE.c.attribute, PROFILE.c.new_value)
                .where(PROFILE.c.customer_id.in_(part), PROFILE.c.attribute.in_(attributes),
                       PROFILE.c.effective_date <= today)
                .order_by(PROFILE.c.effective_date, PROFILE.c.id)
            )
            for customer_id, attribute, value in rows:  # the last one in force wins
                self.profile[(customer_id, attribute)] = value

    def load_consent(self, ids: Iterable[int]) -> None:
        """The marketing consent in force on `today` of each customer (ordered as the lists
        order it, services/lists/query.py: the latest date, then the latest id)."""
        missing = set(ids) - set(self.consent)
        for customer_id in missing:
            self.consent[customer_id] = None
        for part in in_parts(missing):
            rows = self.conn.execute(
                select(CONSENT.c.customer_id, CONSENT.c.event_date, CONSENT.c.granted)
                .where(CONSENT.c.customer_id.in_(part), CONSENT.c.kind == "marketing",
                       CONSENT.c.event_date <= self.today)
                .order_by(CONSENT.c.event_date, CONSENT.c.id)
            )
            for customer_id, day, granted in rows:  # the last one in force wins
                self.consent[customer_id] = (day, bool(granted))

    def consent_of(self, customer_id: int) -> tuple[dt.date, bool] | None:
        if customer_id not in self.consent:
            self.load_consent((customer_id,))
        return self.consent[customer_id]

    def reading_out_of_line(self, vehicle_id: int, day: dt.date, km: int) -> str | None:
        """Why `km` on `day` cannot be the car's odometer beside its other readings (stored,
        or from this import), as a problem code; None when it fits. The reading before it
        (the latest on or before `day`) must not be higher, nor lower by more than a car is
        driven since (km_rise_implausible); the one after it must not be lower. Either way one
        of them is mistyped, most often with a digit too many."""
        readings = self.readings[vehicle_id]
        before = max(((d, k) for d, k in readings if d <= day), default=None)
        after = min(((d, -k) for d, k in readings if d > day), default=None)
        if before is not None and (
                km < before[1] or km_rise_implausible(before[1], before[0], km, day)):
            return "km_out_of_line"
        if after is not None and km > -after[1]:
            return "km_out_of_line"
        return None

    def load_events(self, table: Table, date_column: str, key: Sequence[str],
                    customer_ids: Iterable[int], first: dt.date | dt.datetime,
                    last: dt.date | dt.datetime, loose: str | None = None,
                    loose_values: Iterable[Any] = (), similar: Sequence[str] = ()) -> None:
        """Events of the chunk's customers between the chunk's first and last date, indexed by
        their identity (`key` columns), and without `loose` (add_event); and, whatever their
        date, those whose `loose` value (a visit's work order) is one of `loose_values`."""
        column = table.c[date_column]
        customer_ids = sorted(set(customer_ids))
        for part in in_parts(customer_ids):
            for row in self.conn.execute(
                select(table).where(table.c.customer_id.in_(part), column >= first,
                                    column <= last)
            ).mappings():
                self.add_event(dict(row), key, loose, similar)
        if loose is None:
            return
        # Half the parameters each for customers and values keeps a query under the limit.
        for values in in_parts(loose_values, PARAMS_PER_QUERY // 2):
            for part in in_parts(customer_ids, PARAMS_PER_QUERY // 2):
                for row in self.conn.execute(
                    select(table).where(table.c.customer_id.in_(part),
                                        table.c[loose].in_(values),
                                        (column < first) | (column > last))
                ).mappings():
                    self.add_event(dict(row), key, loose, similar)

    # -- registering rows ------------------------------------------------------------------

    def _add_customer(self, row: Row) -> None:
        self.customers[row["id"]] = row
        if row.get("mobile"):
            self.by_mobile[row["mobile"]].append(row["id"])
        if row.get("dms_code"):
            self.by_dms_code[row["dms_code"]].append(row["id"])
            if (digits := dms_digits(row["dms_code"])) is not None:
                self.by_dms_digits[digits].append(row["id"])

    def _add_vehicle(self, row: Row) -> None:
        self.vehicles[row["id"]] = row
        self.vehicles_of[row["customer_id"]].append(row["id"])
        if row.get("vin"):
            self.by_vin[row["vin"]] = row["id"]
        if row.get("plate"):
            self.by_plate[row["plate"]].append(row["id"])

    def add_customer(self, row: Row) -> None:
        """A customer created by this chunk (it has no vehicles, readings or profile yet)."""
        self._add_customer(row)
        self._profile_loaded.add(row["id"])
        self.consent[row["id"]] = None

    def add_vehicle(self, row: Row) -> None:
        self._add_vehicle(row)

    def set_customer(self, customer_id: int, column: str, value: Any) -> None:
        row = self.customers[customer_id]
        index = {"mobile": self.by_mobile, "dms_code": self.by_dms_code}.get(column)
        if index is not None:
            if row.get(column) and customer_id in index.get(row[column], []):
                index[row[column]].remove(customer_id)
            if value:
                index[value].append(customer_id)
        if column == "dms_code":
            old = dms_digits(row[column]) if row.get(column) else None
            if old is not None and customer_id in self.by_dms_digits.get(old, []):
                self.by_dms_digits[old].remove(customer_id)
            if value and (new := dms_digits(value)) is not None:
                self.by_dms_digits[new].append(customer_id)
        row[column] = value

    def set_vehicle(self, vehicle_id: int, column: str, value: Any) -> None:
        row = self.vehicles[vehicle_id]
        if column == "vin":
            if row.get("vin"):
                self.by_vin.pop(row["vin"], None)
            if value:
                self.by_vin[value] = vehicle_id
        elif column == "plate":
            if row.get("plate") and vehicle_id in self.by_plate.get(row["plate"], []):
                self.by_plate[row["plate"]].remove(vehicle_id)
            if value:
                self.by_plate[value].append(vehicle_id)
        elif column == "customer_id":
            if vehicle_id in self.vehicles_of.get(row["customer_id"], []):
                self.vehicles_of[row["customer_id"]].remove(vehicle_id)
            self.vehicles_of[value].append(vehicle_id)
        row[column] = value

    def add_event(self, row: Row, key: Sequence[str], loose: str | None = None,
                  similar: Sequence[str] = ()) -> None:
        """`row` under its `key`; with `loose`, also among the events whose key without that
        column is the same; with `similar`, among the customer's events alike in those."""
        self.events[tuple(row[k] for k in key)] = row
        if similar:
            alike = self.similar[(row["customer_id"], *(row[k] for k in similar))]
            if all(r is not row for r in alike):
                alike.append(row)
        if loose is not None:
            self.loose_events[tuple(row[k] for k in key if k != loose)].append(row)
            same = self.by_loose[(row["customer_id"], row.get(loose))]
            if row.get(loose) is not None and all(r is not row for r in same):
                same.append(row)

    # -- questions -------------------------------------------------------------------------

    def customers_with_mobile(self, mobile: str) -> list[Row]:
        return [self.customers[i] for i in self.by_mobile.get(mobile, ())]

    def mobile_of_another(self, mobile: str, customer_id: int) -> bool:
        """Whether a customer other than `customer_id` has `mobile` as their mobile: one this
        look-up holds as it is now (the chunk's changes made), else one stored."""
        if any(i != customer_id for i in self.by_mobile.get(mobile, ())):
            return True
        return any(i != customer_id and i not in self.customers for i in self.conn.execute(
            select(CUSTOMER.c.id).where(CUSTOMER.c.mobile == mobile)).scalars())

    def customers_with_dms_code(self, code: str) -> list[Row]:
        """Those stored under `code`; none being, those under its digits (same_dms_code)."""
        ids = self.by_dms_code.get(code)
        if not ids and (digits := dms_digits(code)) is not None:
            ids = self.by_dms_digits.get(digits)
        return [self.customers[i] for i in ids or ()]

    def vehicle_with_vin(self, vin: str) -> Row | None:
        vid = self.by_vin.get(vin)
        return None if vid is None else self.vehicles[vid]

    def vehicles_with_plate(self, plate: str) -> list[Row]:
        return [self.vehicles[i] for i in self.by_plate.get(plate, ())]

    def vehicles_of_customer(self, customer_id: int) -> list[Row]:
        return [self.vehicles[i] for i in self.vehicles_of.get(customer_id, ())]
