"""Finding customers: the search staff type all day (name, contact person, pinyin, initials,
mobile, plate, VIN), sorted in the database, returning ids first and rows by the page.

It reads the Core tables of models/tables.py over a plain connection: the customer list is the
window's first view, and the ORM with the models (0.15 s to import) need not load before it
shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Select, Subquery, and_, case, func, or_, select, union

from models.columns import NAME_INITIALS_LENGTH, NAME_PINYIN_LENGTH, ROW_CODE
from models.tables import (
    contact_event,
    customer,
    customer_merge,
    list_run_member,
    service_visit,
    vehicle,
)

# A new connection for each question: Database.engine.connect.
Connect = Callable[[], Connection]
C, V = customer.c, vehicle.c

# Sort keys the browser offers; each is a column list ending in id so the order is total.
SORTS = {
    "name": (C.name_sort,),
    "code": (C.code,),
    "mobile": (C.mobile,),
    "city": (C.province, C.city, C.district),
    "stage": (C.lifecycle_stage,),
    "created": (C.created_at,),
}
_LATIN = re.compile(r"^[a-zA-Z]+$")
_DIGITS = re.compile(r"^\d+$")
# A phone typed with its dashes, brackets or +86: 020-87654321, (0755)2666-1234, +8613800138000.
_PHONE = re.compile(r"^\+?[\d\-()（）]+$")
_PLATE_OR_VIN = re.compile(r"^[\w·]+$")


@dataclass(frozen=True)
class CustomerRow:
    id: int
    code: str
    name: str
    gender: str | None
    mobile: str | None
    city: str | None
    district: str | None
    lifecycle_stage: str | None
    vehicles: int  # the cars the customer still owns
    first_plate: str | None  # of the car they drive now, else of the last one they sold
    first_model: str | None
    last_visit: dt.date | None
    last_contact: dt.datetime | None
    contact_name: str | None = None  # a company's 联系人

    @property
    def only_sold(self) -> bool:
        """first_plate is of a car sold: the customer owns none now (every car has a model)."""
        return self.vehicles == 0 and self.first_model is not None


def _prefix_range(column, prefix: str):
    """column starts with prefix, as a range both SQLite and PostgreSQL answer from an index."""
    return and_(column >= prefix, column < prefix + "\uffff")


def _vehicle_owners(condition) -> Select:
    return select(V.customer_id).where(condition)


def _customers(condition) -> Select:
    return select(C.id).where(condition)


def _merged_into(code: str) -> Select:
    """The customer one with `code` was merged into (the merge not undone)."""
    m = customer_merge.c
    return select(m.kept_id).where(m.merged_code == code, m.undone_at.is_(None))


def _landline_forms(digits: str) -> list[str]:
    """`digits` as other phones may hold them: as typed, and with a dash after an area code
    of 3 or 4 digits (010, 0755) when they start with one (022-4943 finds 022-49436406)."""
    forms = [digits]
    if digits.startswith("0") and len(digits) > 4:
        forms += [f"{digits[:3]}-{digits[3:]}", f"{digits[:4]}-{digits[4:]}"]
    return forms


def _phone_digits(typed: str) -> str:
    """A phone as typed, as its digits alone (a mainland mobile without its +86)."""
    digits = re.sub(r"\D", "", typed)
    return digits[2:] if typed.startswith("+86") and len(digits) == 13 else digits


def search_condition(text: str):
    """The WHERE clause for what a user typed in the search box (None: everyone).

    Each alternative is its own SELECT so each can use its index (or one cheap scan); an OR
    across customer and vehicle columns would make the database probe vehicles per customer."""
    q = "".join(text.split())
    if not q:
        return None
    # A row id from a call sheet (2-0160): that row's customer, found through the run's own
    # (run, row id) index; the digits may still be part of a phone (8765-4321).
    row: Select | None = None
    if ROW_CODE.fullmatch(q):
        m = list_run_member.c
        row = select(m.customer_id).where(m.run_id == int(q.split("-")[0]), m.row_code == q)
    if not _DIGITS.match(q) and _PHONE.match(q) and sum(ch.isdigit() for ch in q) >= 3:
        q = _phone_digits(q)
    parts: list[Select | None]
    if _LATIN.match(q):
        low, up = q.lower(), q.upper()
        # Letters alone are a name in pinyin or initials ("zw" finds 张伟); only a long run of
        # letters is worth reading as the start of a VIN. The keys are stored cut to their
        # columns (pinyin.stored_keys) and what is typed is cut the same: all 18 initials of
        # a long company name still find it.
        parts = [
            _customers(_prefix_range(C.name_initials, low[:NAME_INITIALS_LENGTH])),
            _customers(_prefix_range(C.name_pinyin, low[:NAME_PINYIN_LENGTH])),
            _vehicle_owners(_prefix_range(V.vin, up)) if len(q) >= 6 else None,
        ]
    elif _DIGITS.match(q):
        parts = [
            _customers(C.mobile.contains(q, autoescape=True)),
            # Other phones: a landline, a second mobile, one a merge kept. A landline is
            # stored with a dash after its area code (020-87654321), and typed with or without.
            *(_customers(C.other_phones.contains(form, autoescape=True))
              for form in _landline_forms(q)),
            _customers(C.code == f"C{int(q):07d}") if len(q) <= 7 else None,
            # The DMS's number as typed (its leading zeros are its own).
            _customers(C.dms_code == q),
            _merged_into(f"C{int(q):07d}") if len(q) <= 7 else None,
        ]
        if len(q) >= 3:
            parts += [
                _vehicle_owners(V.plate.contains(q, autoescape=True)),
                _vehicle_owners(V.vin.contains(q, autoescape=True)),
            ]
    elif q.isascii() and _PLATE_OR_VIN.match(q):
        up = q.upper()
        parts = [
            _customers(C.code == up),
            _customers(C.dms_code == up),  # stored in upper case, as imports read it
            _merged_into(up),
            _vehicle_owners(V.plate.contains(up, autoescape=True)),
            _vehicle_owners(V.vin.contains(up, autoescape=True)),
        ]
    else:
        # Chinese (or mixed): a name or a contact person's (a company found by its 王经理),
        # in one scan of the customers, or a plate such as 粤A3K8M2 / 粤A·3K8M2.
        parts = [
            _customers(or_(C.name.contains(q, autoescape=True),
                           C.contact_name.contains(q, autoescape=True))),
            _vehicle_owners(_prefix_range(V.plate, q.replace("·", "").upper())),
        ]
    return C.id.in_(union(*(p for p in (*parts, row) if p is not None)))


def id_query(text: str = "", sort: str = "name", descending: bool = False) -> Select:
    columns = SORTS.get(sort, SORTS["name"])
    order = [c.desc() if descending else c.asc() for c in (*columns, C.id)]
    query = select(C.id).order_by(*order)
    condition = search_condition(text)
    return query if condition is None else query.where(condition)


def find_ids(connect: Connect, text: str = "", sort: str = "name",
             descending: bool = False) -> list[int]:
    """Ids of the customers matching `text`, in display order (the whole result, ids only)."""
    with connect() as connection:
        result = connection.execute(id_query(text, sort, descending))
        try:
            # Straight from the driver's cursor: the ids need no conversion, and making a Row
            # of each took 0.14 s for the 200,000 demo customers against 0.06 s this way.
            return [row[0] for row in result.cursor.fetchall()]
        finally:
            result.close()


def current_cars(ids: Sequence[int]) -> Subquery:
    """The car shown for each customer of `ids` (customer_id, vid), the one they drive now: an
    owned car before a sold one, the latest bought first; and n, how many cars they still own.
    A customer without a car has no row."""
    ranked = (
        select(
            V.customer_id,
            V.id.label("vid"),
            func.row_number().over(
                partition_by=V.customer_id,
                order_by=(V.active.desc(), V.purchase_date.is_(None), V.purchase_date.desc(),
                          V.id.desc()),
            ).label("rank"),
            func.sum(case((V.active, 1), else_=0)).over(partition_by=V.customer_id).label("n"),
        )
        .where(V.customer_id.in_(ids))
        .subquery()
    )
    return select(ranked.c.customer_id, ranked.c.vid, ranked.c.n).where(
        ranked.c.rank == 1).subquery()


def fetch_rows(connect: Connect, ids: Sequence[int]) -> list[CustomerRow]:
    """The browser's columns for `ids` (a page), in the order given."""
    if not ids:
        return []
    first_vehicle = current_cars(ids)
    last_visit = (
        select(service_visit.c.customer_id, func.max(service_visit.c.visit_date).label("day"))
        .where(service_visit.c.customer_id.in_(ids))
        .group_by(service_visit.c.customer_id)
        .subquery()
    )
    last_contact = (
        select(contact_event.c.customer_id, func.max(contact_event.c.contact_at).label("at"))
        .where(contact_event.c.customer_id.in_(ids))
        .group_by(contact_event.c.customer_id)
        .subquery()
    )
    query = (
        select(
            C.id,
            C.code,
            C.name,
            C.gender,
            C.mobile,
            C.city,
            C.district,
            C.lifecycle_stage,
            func.coalesce(first_vehicle.c.n, 0),
            V.plate,
            V.model,
            last_visit.c.day,
            last_contact.c.at,
            C.contact_name,
        )
        .outerjoin(first_vehicle, first_vehicle.c.customer_id == C.id)
        .outerjoin(vehicle, V.id == first_vehicle.c.vid)
        .outerjoin(last_visit, last_visit.c.customer_id == C.id)
        .outerjoin(last_contact, last_contact.c.customer_id == C.id)
        .where(C.id.in_(ids))
    )
    with connect() as connection:
        by_id = {row[0]: CustomerRow(*tuple(row)) for row in connection.execute(query)}
    return [by_id[i] for i in ids if i in by_id]
