"""Profile history: a change never overwrites; current, as-of and history are queries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import Customer, ProfileChange
from services.customers import profile
from services.store.errors import RevisitError

D = dt.date


@pytest.fixture
def customer_id(database) -> int:
    with database.sessions.begin() as s:
        c = Customer(code="C0001", name="张伟")
        s.add(c)
        s.flush()
        return c.id


def test_change_keeps_old_value_and_history(database, customer_id):
    rec = profile.record_change
    first = rec(database.sessions, customer_id, "marital_status", "single",
                effective_date=D(2019, 5, 1), source="visit")
    second = rec(database.sessions, customer_id, "marital_status", "married",
                 effective_date=D(2023, 10, 1), source="call", note="刚结婚")
    assert first.old_value is None and first.new_value == "single"
    assert second.old_value == "single" and second.new_value == "married"
    hist = profile.history(database.sessions, customer_id, "marital_status")
    assert [(h.old_value, h.new_value, h.effective_date) for h in hist] == [
        (None, "single", D(2019, 5, 1)),
        ("single", "married", D(2023, 10, 1)),
    ]
    assert hist[1].note == "刚结婚" and hist[1].source == "call"
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ProfileChange)) == 2


def test_value_as_of_date(database, customer_id):
    for value, day in (("2", D(2018, 1, 1)), ("3", D(2021, 6, 1)), ("5", D(2024, 3, 15))):
        profile.record_change(database.sessions, customer_id, "economic_band", value,
                              effective_date=day, source="survey")
    get = profile.value_as_of
    assert get(database.sessions, customer_id, "economic_band", D(2017, 12, 31)) is None
    assert get(database.sessions, customer_id, "economic_band", D(2018, 1, 1)) == "2"
    assert get(database.sessions, customer_id, "economic_band", D(2021, 5, 31)) == "2"
    assert get(database.sessions, customer_id, "economic_band", D(2021, 6, 1)) == "3"
    assert get(database.sessions, customer_id, "economic_band", D(2026, 1, 1)) == "5"
    assert profile.values_as_of(database.sessions, customer_id, D(2022, 1, 1)) == {
        "economic_band": "3"
    }


def test_backdated_change_takes_old_value_in_force_then(database, customer_id):
    rec = profile.record_change
    rec(database.sessions, customer_id, "employment", "employee",
        effective_date=D(2015, 1, 1), source="import")
    rec(database.sessions, customer_id, "employment", "retired",
        effective_date=D(2025, 1, 1), source="call")
    # Learned today that they had started a business in 2020.
    late = rec(database.sessions, customer_id, "employment", "business_owner",
               effective_date=D(2020, 7, 1), source="call")
    assert late.old_value == "employee"
    assert profile.value_as_of(database.sessions, customer_id, "employment", D(2021, 1, 1)) == (
        "business_owner"
    )
    assert profile.current_values(database.sessions, customer_id)["employment"] == "retired"


def test_same_day_changes_last_recorded_wins(database, customer_id):
    for value in ("one_child", "two_children"):
        profile.record_change(database.sessions, customer_id, "household", value,
                              effective_date=D(2024, 2, 2), source="call")
    assert profile.values_as_of(database.sessions, customer_id, D(2024, 2, 2)) == {
        "household": "two_children"
    }


def test_unchanged_value_records_nothing(database, customer_id):
    rec = profile.record_change
    assert rec(database.sessions, customer_id, "car_payer", "self",
               effective_date=D(2020, 1, 1), source="visit") is not None
    assert rec(database.sessions, customer_id, "car_payer", "self",
               effective_date=D(2021, 1, 1), source="call") is None
    assert len(profile.history(database.sessions, customer_id)) == 1


def test_lifecycle_stage_history_mirrors_current_stage(database, customer_id):
    rec = profile.record_change
    rec(database.sessions, customer_id, "lifecycle_stage", "potential",
        effective_date=D(2020, 1, 1), source="visit")
    rec(database.sessions, customer_id, "lifecycle_stage", "first_purchase",
        effective_date=D(2020, 3, 1), source="visit")
    with database.sessions() as s:
        assert s.get(Customer, customer_id).lifecycle_stage == "first_purchase"
    assert [c.new_value for c in profile.history(database.sessions, customer_id)] == [
        "potential",
        "first_purchase",
    ]


def test_a_stage_stored_without_history_is_the_old_value_of_its_first_change(
        database, customer_id):
    """A stage written around the app (SQL, an older copy) has no history: it is what the
    editor shows as current, a save seen against it is not refused as stale, and the first
    change keeps it as the old value."""
    with database.sessions.begin() as s:
        s.get(Customer, customer_id).lifecycle_stage = "intent"
    assert profile.current_values(database.sessions, customer_id) == {"lifecycle_stage": "intent"}
    change = profile.record_change(database.sessions, customer_id, "lifecycle_stage",
                                   "first_purchase", effective_date=D(2024, 5, 1),
                                   source="manual", seen_value="intent")
    assert change is not None
    assert (change.old_value, change.new_value) == ("intent", "first_purchase")
    with database.sessions() as s:
        assert s.get(Customer, customer_id).lifecycle_stage == "first_purchase"
    # Once it has a history, the history alone says the value on a day.
    assert profile.value_as_of(database.sessions, customer_id, "lifecycle_stage",
                               D(2024, 4, 30)) is None
    assert profile.values_as_of(database.sessions, customer_id, D(2024, 4, 30)) == {}


def test_a_value_set_and_cleared_on_one_day_is_not_in_force(database, customer_id):
    """The customer page reads every value at once: a value cleared the day it was set (a
    read-back row corrected, its profile change undone) is gone there as it is one by one."""
    for value in ("lawyer", None):
        profile.record_change(database.sessions, customer_id, "occupation", value,
                              effective_date=D(2026, 11, 30), source="manual")
    assert profile.value_as_of(database.sessions, customer_id, "occupation",
                               D(2026, 11, 30)) is None
    assert "occupation" not in profile.values_as_of(database.sessions, customer_id,
                                                    D(2026, 11, 30))


@pytest.mark.parametrize(
    ("attribute", "value", "day", "fragment"),
    [
        ("shoe_size", "42", D(2020, 1, 1), "shoe_size"),
        ("economic_band", "7", D(2020, 1, 1), "'7'"),
        ("marital_status", "married", D(2999, 1, 1), "2999-01-01"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_stored(database, customer_id, attribute, value,
                                                       day, fragment):
    with pytest.raises(RevisitError) as err:
        profile.record_change(database.sessions, customer_id, attribute, value,
                              effective_date=day, source="call")
    assert fragment in str(err.value)
    assert profile.history(database.sessions, customer_id) == []


def test_unknown_customer_is_a_clear_error(database):
    with pytest.raises(RevisitError, match="no longer in the database"):
        profile.record_change(database.sessions, 999, "marital_status", "single",
                              effective_date=D(2020, 1, 1), source="call")


def test_names_sort_syllable_by_syllable_on_both_databases(database):
    from services.customers.pinyin import name_keys
    from services.customers.search import find_ids

    names = ["连", "李安", "李", "梁", "林", "李娜"]
    with database.sessions.begin() as s:
        for i, name in enumerate(names):
            keys = name_keys(name)
            s.add(Customer(code=f"N{i}", name=name, name_pinyin=keys.pinyin,
                           name_initials=keys.initials, name_sort=keys.sort))
    with database.sessions() as s:
        by_id = {c.id: c.name for c in s.scalars(select(Customer))}
    ordered = [by_id[i] for i in find_ids(database.engine.connect) if by_id[i] in names]
    assert ordered == ["李", "李安", "李娜", "连", "梁", "林"]
