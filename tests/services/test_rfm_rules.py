"""RFM rules on SQLite and PostgreSQL, through the RFM counts (`segments.rfm`) and the segment
fields (`rfm_class`, `rfm_r`, `rfm_f`, `rfm_m`): every row of the class table, a value equal to
the mean (R up when R ≤ mean, F and M up when ≥ mean), fixed thresholds at their values, fixed
thresholds of 0, and fixed thresholds left empty.

Each case is a small population of its own: its spends lie in a two-month window ending on its
own evaluation date, far from the other cases' windows, so its means are its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from models import Customer, ServiceVisit
from services.segments import rfm as rfm_mod
from services.segments import service
from services.store.errors import RevisitError
from tests.services.test_list_rules import World, open_world

MONTHS = 2
TABLE_DAY = dt.date(2026, 2, 28)  # the eight classes, one customer each
MEAN_DAY = dt.date(2026, 5, 31)  # a customer exactly at the mean of R, F and M
FIXED_DAY = dt.date(2026, 8, 31)  # customers at fixed thresholds and just past them
ZERO_DAY = dt.date(2026, 11, 30)  # fixed thresholds of 0
# The class table (DOMAIN.md): (R up, F up, M up) -> key and Chinese name.
CLASS_TABLE = {
    (True, True, True): ("important_value", "重要价值"),
    (True, False, True): ("important_develop", "重要发展"),
    (False, True, True): ("important_keep", "重要保持"),
    (False, False, True): ("important_retain", "重要挽留"),
    (True, True, False): ("general_value", "一般价值"),
    (True, False, False): ("general_develop", "一般发展"),
    (False, True, False): ("general_keep", "一般保持"),
    (False, False, False): ("general_retain", "一般挽留"),
}


def flags_code(flags: tuple[bool, bool, bool]) -> str:
    return "T-" + "".join("U" if f else "D" for f in flags)  # e.g. T-UDU: R up, F down, M up


def _spends(s, code: str, as_of: dt.date, *spends: tuple[int, str]) -> None:
    """A customer with spends of (days before `as_of`, yuan)."""
    c = Customer(code=code, name=f"客户{code}")
    s.add(c)
    s.flush()
    for days, amount in spends:
        s.add(ServiceVisit(customer_id=c.id, visit_date=as_of - dt.timedelta(days=days),
                           visit_type="repair", amount=Decimal(amount)))


def _fill(s) -> None:
    # R 10 or 40 days (mean 25), F 3 or 1 (mean 2), M 900 or 100 yuan (mean 500).
    for flags in CLASS_TABLE:
        r_up, f_up, m_up = flags
        r = 10 if r_up else 40
        parts = (("300", "300", "300") if m_up else ("50", "25", "25")) if f_up else (
            ("900",) if m_up else ("100",))
        _spends(s, flags_code(flags), TABLE_DAY,
                *((r + 5 * i, amount) for i, amount in enumerate(parts)))
    # Means R 20, F 2, M 200: M-EQ has exactly those.
    _spends(s, "M-HIGH", MEAN_DAY, (10, "100"), (15, "100"), (20, "100"))
    _spends(s, "M-EQ", MEAN_DAY, (20, "100"), (25, "100"))
    _spends(s, "M-LOW", MEAN_DAY, (30, "100"))
    # Fixed R 30 days, F 2, M 300 yuan.
    _spends(s, "F-AT", FIXED_DAY, (30, "150"), (40, "150"))
    _spends(s, "F-PAST", FIXED_DAY, (31, "299.50"))
    _spends(s, "F-CENT", FIXED_DAY, (10, "150"), (20, "149.99"))
    # Fixed 0, 0, 0: only a spend on the day itself is recent; any amount is enough.
    _spends(s, "Z-TODAY", ZERO_DAY, (0, "0.50"))
    _spends(s, "Z-YESTERDAY", ZERO_DAY, (1, "0.50"))
    _spends(s, "Z-OLD", ZERO_DAY, (50, "1000"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, sqlite_template, pg_server_url) -> Iterator[World]:
    yield from open_world(request.param, tmp_path_factory, sqlite_template, pg_server_url,
                          _fill, {})


def codes(world: World, cond: dict[str, Any], as_of: dt.date) -> set[str]:
    """The customers a segment condition selects on `as_of`."""
    rows = service.members(world.db.sessions, {"version": 1, "where": cond}, as_of,
                           limit=None).rows
    ids = {r.customer_id for r in rows}
    with world.db.sessions() as s:
        return set(s.scalars(select(Customer.code).where(Customer.id.in_(ids))))


def rfm_class(key: str, **params: Any) -> dict[str, Any]:
    return {"field": "rfm_class", "op": "=", "value": key, "params": {"months": MONTHS, **params}}


def counts(result) -> dict[str, int]:
    return {c.key: c.customers for c in result.classes if c.customers}


FIXED = {"mode": "fixed", "r_days": 30, "f": 2, "m": 300}
ZERO = {"mode": "fixed", "r_days": 0, "f": 0, "m": 0}


# --- the class table ---------------------------------------------------------------------------

def test_the_eight_classes_are_the_class_table(world):
    got = service.rfm(world.db.sessions, TABLE_DAY, months=MONTHS)
    assert [(c.key, c.name_zh, (c.r_up, c.f_up, c.m_up)) for c in got.classes] == [
        (key, zh, flags) for flags, (key, zh) in CLASS_TABLE.items()]
    assert (got.r_days, got.f, got.m) == (25, 2, 500)
    assert counts(got) == {key: 1 for key, _ in CLASS_TABLE.values()}


@pytest.mark.parametrize("flags", CLASS_TABLE, ids=flags_code)
def test_each_row_of_the_class_table_as_a_segment(world, flags):
    key = CLASS_TABLE[flags][0]
    assert codes(world, rfm_class(key), TABLE_DAY) == {flags_code(flags)}
    # The same with fixed thresholds at the means, and through the class's own filter.
    fixed = {"mode": "fixed", "r_days": 25, "f": 2, "m": 500}
    assert codes(world, rfm_class(key, **fixed), TABLE_DAY) == {flags_code(flags)}
    result = service.rfm(world.db.sessions, TABLE_DAY, months=MONTHS)
    own = next(c.filter for c in result.classes if c.key == key)
    rows = service.members(world.db.sessions, own, TABLE_DAY, limit=None).rows
    assert len(rows) == 1


def test_the_class_table_with_fixed_thresholds_in_the_counts(world):
    got = service.rfm(world.db.sessions, TABLE_DAY, months=MONTHS,
                      thresholds=rfm_mod.Thresholds("fixed", 25, 2, 500))
    assert counts(got) == {key: 1 for key, _ in CLASS_TABLE.values()}


# --- a value equal to the mean -----------------------------------------------------------------

def test_a_value_equal_to_the_mean_counts_as_up(world):
    got = service.rfm(world.db.sessions, MEAN_DAY, months=MONTHS)
    assert (got.r_days, got.f, got.m, got.customers_with_class) == (20, 2, 200, 3)
    assert counts(got) == {"important_value": 2, "general_retain": 1}
    assert got == service.rfm(world.db.sessions, MEAN_DAY, months=MONTHS, use_summary=False)


@pytest.mark.parametrize(("key", "expected"), [
    ("important_value", {"M-HIGH", "M-EQ"}), ("general_retain", {"M-LOW"}),
    ("important_keep", set()),  # M-EQ with R at the mean counted as not recent
    ("important_develop", set()),  # … with F at the mean counted as down
    ("general_value", set()),  # … with M at the mean counted as down
])
def test_a_value_equal_to_the_mean_as_a_segment(world, key, expected):
    assert codes(world, rfm_class(key), MEAN_DAY) == expected


@pytest.mark.parametrize(("field", "value"), [("rfm_r", 20), ("rfm_f", 2), ("rfm_m", 200)])
def test_r_f_and_m_as_segment_fields(world, field, value):
    cond = {"field": field, "op": "=", "value": value, "params": {"months": MONTHS}}
    assert codes(world, cond, MEAN_DAY) == {"M-EQ"}


# --- fixed thresholds --------------------------------------------------------------------------

FIXED_CLASSES = {"important_value": {"F-AT"}, "general_retain": {"F-PAST"},
                 "general_value": {"F-CENT"}}


@pytest.mark.parametrize("key", [key for key, _ in CLASS_TABLE.values()])
def test_a_value_at_a_fixed_threshold_counts_as_up(world, key):
    # F-AT: R 30, F 2, M 300.00 exactly; F-PAST: R 31, F 1, M 299.50; F-CENT: M 299.99.
    assert codes(world, rfm_class(key, **FIXED), FIXED_DAY) == FIXED_CLASSES.get(key, set())


def test_fixed_thresholds_in_the_counts(world):
    got = service.rfm(world.db.sessions, FIXED_DAY, months=MONTHS,
                      thresholds=rfm_mod.Thresholds("fixed", 30, 2, 300))
    assert (got.mode, got.r_days, got.f, got.m) == ("fixed", 30, 2, 300)
    assert counts(got) == {k: len(v) for k, v in FIXED_CLASSES.items()}


ZERO_CLASSES = {"important_value": {"Z-TODAY"}, "important_keep": {"Z-YESTERDAY", "Z-OLD"}}


@pytest.mark.parametrize("key", [key for key, _ in CLASS_TABLE.values()])
def test_fixed_thresholds_of_zero(world, key):
    # R 0: only a spend on the day is recent; F 0 and M 0: every spender is up.
    assert codes(world, rfm_class(key, **ZERO), ZERO_DAY) == ZERO_CLASSES.get(key, set())


def test_fixed_thresholds_of_zero_in_the_counts(world):
    got = service.rfm(world.db.sessions, ZERO_DAY, months=MONTHS,
                      thresholds=rfm_mod.Thresholds("fixed", 0, 0, 0))
    assert counts(got) == {k: len(v) for k, v in ZERO_CLASSES.items()}


@pytest.mark.parametrize("empty", ["r_days", "f", "m"])
def test_a_fixed_threshold_left_empty_is_refused(world, empty):
    values = {"r_days": 30, "f": 2, "m": 300, empty: None}
    with pytest.raises(RevisitError, match="Fixed RFM thresholds need"):
        service.rfm(world.db.sessions, FIXED_DAY, months=MONTHS,
                    thresholds=rfm_mod.Thresholds("fixed", **values))
    params = {k: v for k, v in {**FIXED, empty: None}.items() if v is not None}
    with pytest.raises(RevisitError, match=f"fixed RFM thresholds need {empty}"):
        codes(world, rfm_class("important_value", **params), FIXED_DAY)
