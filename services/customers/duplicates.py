"""Duplicates already stored: pairs of customers who are probably one person (same mobile, same
VIN through their vehicles, same name with a similar phone), each with its evidence, strongest
first. The database does the grouping; only the few customers in a shared group are read. Two
names that cannot be one person's on one mobile are a family sharing the phone, not reported."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import Customer, Vehicle
from services import labels
from services.customers.names import same_person
from services.store.errors import CancelToken, Progress

SAME_MOBILE = "same_mobile"
SAME_VIN = "same_vin"
SAME_NAME_SIMILAR_PHONE = "same_name_similar_phone"
EVIDENCE_CODES = (SAME_MOBILE, SAME_VIN, SAME_NAME_SIMILAR_PHONE)
SAME_NAME = "same_name"  # said beside the evidence; never evidence alone
# A car (VIN) is the surest sign, then a mobile, then a name with a phone one slip apart; the
# same name on both sides adds to any of them.
WEIGHTS = {SAME_VIN: 40, SAME_MOBILE: 30, SAME_NAME_SIMILAR_PHONE: 20}
SAME_NAME_BONUS = 15
# A mobile or VIN on more customers than this is a placeholder (13800000000) or a company's
# number, not one person twice: reported as crowded, not as pairs.
MAX_GROUP = 10
CHUNK = 500
STEPS = 5


@dataclass(frozen=True)
class CustomerBrief:
    id: int
    code: str
    name: str
    mobile: str | None
    other_phones: str | None
    city: str | None
    vehicles: int
    created_at: dt.datetime


@dataclass(frozen=True)
class Evidence:
    code: str
    # The values that matched: the mobile, the VIN(s) as typed, or the two phones.
    values: tuple[str, ...]

    def text(self, lang: str = "zh") -> str:
        return f"{labels.text('merge_evidence', self.code, lang)} {' / '.join(self.values)}"


@dataclass(frozen=True)
class DuplicatePair:
    first: CustomerBrief
    second: CustomerBrief
    evidence: tuple[Evidence, ...]
    score: int

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.evidence)

    @property
    def same_name(self) -> bool:
        return self.first.name == self.second.name

    def text(self, lang: str = "zh") -> str:
        """The short evidence text, e.g. "手机号相同 13812345678；同名"."""
        parts = [e.text(lang) for e in self.evidence]
        if self.same_name and SAME_NAME_SIMILAR_PHONE not in self.codes:
            parts.append(labels.text("merge_evidence", SAME_NAME, lang))
        return ("; " if lang == "en" else "；").join(parts)


@dataclass(frozen=True)
class CrowdedValue:
    """A mobile or VIN shared by more than MAX_GROUP customers."""

    kind: str  # "mobile" | "vin"
    value: str
    customers: int


@dataclass(frozen=True)
class DuplicateReport:
    pairs: tuple[DuplicatePair, ...]
    crowded: tuple[CrowdedValue, ...]
    # Pairs found before `limit` cut the list.
    total: int


Found = dict[tuple[int, int], dict[str, set[str]]]


def find_duplicates(
    sessions: sessionmaker[Session],
    *,
    limit: int | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> DuplicateReport:
    """Every pair of stored customers who look like one person, strongest evidence first.
    A merged customer no longer exists, so a pair already merged never comes back."""
    found: Found = defaultdict(lambda: defaultdict(set))
    crowded: list[CrowdedValue] = []
    steps: list[Callable[[Session], None]] = [
        lambda s: _same_mobile(s, found, crowded),
        lambda s: _same_vin(s, found, crowded),
        lambda s: _similar_mobiles(s, found),
        lambda s: _other_phones(s, found),
    ]
    with sessions() as session:
        for done, step in enumerate(steps):
            if cancel is not None:
                cancel.check()
            if progress is not None:
                progress(done, STEPS)
            step(session)
        briefs = _briefs(session, {i for pair in found for i in pair})
    pairs = sorted(
        (_pair(briefs[a], briefs[b], evidence) for (a, b), evidence in found.items()
         if _one_person(briefs[a], briefs[b], evidence)),
        key=lambda p: (-p.score, p.first.id, p.second.id),
    )
    if progress is not None:
        progress(STEPS, STEPS)
    crowded.sort(key=lambda c: (-c.customers, c.kind, c.value))
    shown = pairs if limit is None else pairs[:limit]
    return DuplicateReport(pairs=tuple(shown), crowded=tuple(crowded), total=len(pairs))


def _add(found: Found, a: int, b: int, code: str, *values: str) -> None:
    key = (a, b) if a < b else (b, a)
    found[key][code].update(values)


def _shared(found: Found, crowded: list[CrowdedValue], kind: str, code: str,
            rows: Iterable[tuple[str | None, int, str | None]]) -> None:
    """Pairs from (shared value, customer id, value as typed) rows of every shared value: a
    value on more than MAX_GROUP customers is crowded instead."""
    groups: dict[str, dict[int, str]] = defaultdict(dict)
    for key, customer_id, typed in rows:
        if key is not None:
            groups[key].setdefault(customer_id, typed or key)
    for key, members in groups.items():
        if len(members) > MAX_GROUP:
            crowded.append(CrowdedValue(kind, key, len(members)))
            continue
        for (a, ta), (b, tb) in itertools.combinations(sorted(members.items()), 2):
            _add(found, a, b, code, ta, tb)


def _same_mobile(session: Session, found: Found, crowded: list[CrowdedValue]) -> None:
    mobile = Customer.mobile
    shared = (
        select(mobile.label("value"))
        .where(mobile.is_not(None), mobile != "")
        .group_by(mobile)
        .having(func.count() > 1)
    ).subquery()
    rows = session.execute(
        select(mobile, Customer.id, mobile).join(shared, shared.c.value == mobile)
    )
    _shared(found, crowded, "mobile", SAME_MOBILE, rows)


def normalised_vin(column: Any) -> ColumnElement[Any]:
    """A VIN as it was meant: upper case, without spaces or dashes, and the letters a VIN never
    holds (I, O, Q) read as the digits typed for them (1, 0, 0)."""
    out: ColumnElement[Any] = func.upper(column)
    for wrong, right in ((" ", ""), ("-", ""), ("O", "0"), ("Q", "0"), ("I", "1")):
        out = func.replace(out, _const(f"'{wrong}'"), _const(f"'{right}'"))
    return out


def _const(sql: str) -> ColumnElement:
    """A constant written into the SQL: with bound parameters PostgreSQL cannot tell that the
    expression selected is the one grouped by."""
    return literal_column(sql)


def _same_vin(session: Session, found: Found, crowded: list[CrowdedValue]) -> None:
    # VINs are unique as stored, so one car under two customers is the same VIN typed twice
    # in different ways.
    norm = normalised_vin(Vehicle.vin)
    shared = (
        select(norm.label("value"))
        .where(Vehicle.vin.is_not(None), Vehicle.vin != "")
        .group_by(norm)
        .having(func.count(func.distinct(Vehicle.customer_id)) > 1)
    ).subquery()
    rows = session.execute(
        select(shared.c.value, Vehicle.customer_id, Vehicle.vin)
        .join(shared, shared.c.value == normalised_vin(Vehicle.vin))
        .order_by(Vehicle.id)
    )
    _shared(found, crowded, "vin", SAME_VIN, rows)


def one_slip_apart(a: str, b: str) -> bool:
    """Two different phones that are one mistake apart: the same length and one digit
    different, or the same last 8 digits (one with an area code or a wrong prefix)."""
    if a == b:
        return False
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return True
    return len(a) >= 8 and len(b) >= 8 and a[-8:] == b[-8:]


def _similar_mobiles(session: Session, found: Found) -> None:
    """Same name, mobiles one slip apart. Two mobiles one digit apart share either their first
    six digits or their last five, and two with the same last 8 share the last five: so only
    customers sharing a name and one of those parts are compared."""
    mobile = Customer.mobile
    length = func.length(mobile)
    head = func.substr(mobile, _const("1"), _const("6"))
    tail = func.substr(mobile, length - _const("4"), _const("5"))
    usable = and_(mobile.is_not(None), length >= _const("8"), Customer.name != "")
    for part in (head, tail):
        keyed = (
            select(Customer.name, part.label("part"))
            .where(usable)
            .group_by(Customer.name, part)
            .having(func.count() > 1)
        ).subquery()
        rows = session.execute(
            select(Customer.name, part, Customer.id, mobile)
            .join(keyed, and_(Customer.name == keyed.c.name, part == keyed.c.part))
            .where(usable)
            .order_by(Customer.name, part, Customer.id)
        )
        for _, group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
            members = [(cid, phone) for _, _, cid, phone in group]
            if len(members) > MAX_GROUP:
                continue
            for (a, pa), (b, pb) in itertools.combinations(members, 2):
                if pa is not None and pb is not None and one_slip_apart(pa, pb):
                    _add(found, a, b, SAME_NAME_SIMILAR_PHONE, pa, pb)


def _other_phones(session: Session, found: Found) -> None:
    """Same name, and the same other phone, or one's mobile among the other's other phones."""
    a = Customer.__table__.alias("a")
    b = Customer.__table__.alias("b")
    rows = session.execute(
        select(a.c.id, b.c.id, a.c.other_phones, b.c.mobile, b.c.other_phones)
        .join(b, and_(b.c.name == a.c.name, b.c.id != a.c.id))
        .where(
            a.c.other_phones.is_not(None),
            a.c.other_phones != "",
            a.c.name != "",
            or_(
                b.c.other_phones == a.c.other_phones,
                and_(b.c.mobile.is_not(None), b.c.mobile != "",
                     a.c.other_phones.contains(b.c.mobile, autoescape=False)),
            ),
        )
    )
    for a_id, b_id, a_other, b_mobile, b_other in rows:
        matched = b_mobile if b_mobile and b_mobile in a_other else b_other
        _add(found, a_id, b_id, SAME_NAME_SIMILAR_PHONE, a_other, matched or "")


def _briefs(session: Session, ids: set[int]) -> dict[int, CustomerBrief]:
    out: dict[int, CustomerBrief] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        cars = {
            customer_id: n
            for customer_id, n in session.execute(
                select(Vehicle.customer_id, func.count())
                .where(Vehicle.customer_id.in_(chunk))
                .group_by(Vehicle.customer_id)
            )
        }
        for c in session.scalars(select(Customer).where(Customer.id.in_(chunk))):
            out[c.id] = CustomerBrief(c.id, c.code, c.name, c.mobile, c.other_phones, c.city,
                                      cars.get(c.id, 0), c.created_at)
    return out


def _one_person(a: CustomerBrief, b: CustomerBrief, evidence: dict[str, set[str]]) -> bool:
    """Whether the pair may be one person: a mobile alone does not say so when the names cannot
    be one person's (a family sharing the phone, which an import keeps as two customers)."""
    return set(evidence) != {SAME_MOBILE} or same_person(a.name, b.name)


def _pair(a: CustomerBrief, b: CustomerBrief, evidence: dict[str, set[str]]) -> DuplicatePair:
    items = tuple(
        Evidence(code, tuple(sorted(evidence[code]))) for code in EVIDENCE_CODES if code in evidence
    )
    score = sum(WEIGHTS[e.code] for e in items)
    if a.name == b.name:
        score += SAME_NAME_BONUS
    return DuplicatePair(first=a, second=b, evidence=items, score=score)


__all__ = [
    "EVIDENCE_CODES",
    "CrowdedValue",
    "CustomerBrief",
    "DuplicatePair",
    "DuplicateReport",
    "Evidence",
    "find_duplicates",
    "normalised_vin",
    "one_slip_apart",
]
