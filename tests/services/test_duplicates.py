"""Duplicates already stored are found in SQL with their evidence, strongest first; crowded
numbers are reported apart; a merged pair does not come back; and every table holding a
customer id is one the merge knows how to move."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update

from models import Base, Customer, Vehicle
from services.customers import merge
from services.customers.duplicates import (
    MAX_GROUP,
    SAME_MOBILE,
    SAME_NAME_SIMILAR_PHONE,
    SAME_VIN,
    find_duplicates,
    one_slip_apart,
)
from services.customers.merge_rows import MOVED_TABLES, TABLE_LABELS, check_tables_known
from services.demo.generator import generate

TODAY = dt.date(2026, 11, 23)
CUSTOMERS = 40


def _set(database, customer_id: int, **values) -> None:
    with database.engine.begin() as conn:
        conn.execute(update(Customer.__table__).where(Customer.id == customer_id).values(**values))


def _name(database, customer_id: int) -> str:
    with database.sessions() as s:
        return s.scalar(select(Customer.name).where(Customer.id == customer_id))


def inject(database) -> dict[tuple[int, int], tuple[str, ...]]:
    """Duplicates of the kinds staff find in old data; returns the pairs expected."""
    for cid in range(1, 15):  # no stray matches through the demo's other phones
        _set(database, cid, other_phones=None)
    _set(database, 1, mobile="13900000001", name="张三")
    _set(database, 2, mobile="13900000001", name="张叁")  # a name that sounds the same
    _set(database, 9, mobile="13900000009", name="张伟")
    _set(database, 10, mobile="13900000009", name="李梅")  # his wife, sharing the phone
    _set(database, 3, mobile="13900000003")
    _set(database, 4, mobile="13900000013", name=_name(database, 3))  # one digit apart
    _set(database, 5, mobile="13900000005")
    _set(database, 6, mobile="+8613900000005", name=_name(database, 5))  # same last 8
    _set(database, 11, mobile="13900000011", other_phones="020-87654321")
    _set(database, 12, mobile="13700000012", other_phones="020-87654321", name=_name(database, 11))
    _set(database, 13, mobile="13900000014")
    _set(database, 14, mobile="13900000014", name=_name(database, 13))
    with database.sessions.begin() as s:
        vin = s.scalar(select(Vehicle.vin).where(Vehicle.customer_id == 7).order_by(Vehicle.id))
        first = s.scalar(select(Vehicle.id).where(Vehicle.customer_id == 8).order_by(Vehicle.id))
        typed = f"{vin[:5].lower()}{vin[5:]}".replace("0", "O")
        s.execute(update(Vehicle).where(Vehicle.id == first).values(vin=typed))
    for cid in range(20, 20 + MAX_GROUP + 2):  # a placeholder number on many customers
        _set(database, cid, mobile="13800000000")
    return {
        (13, 14): (SAME_MOBILE,),
        (7, 8): (SAME_VIN,),
        (3, 4): (SAME_NAME_SIMILAR_PHONE,),
        (5, 6): (SAME_NAME_SIMILAR_PHONE,),
        (11, 12): (SAME_NAME_SIMILAR_PHONE,),
        (1, 2): (SAME_MOBILE,),
    }


@pytest.fixture
def demo(database):
    generate(database, CUSTOMERS, seed=11, today=TODAY)
    return database


def test_plain_demo_data_has_no_duplicates(demo):
    report = find_duplicates(demo.sessions)
    assert (report.pairs, report.crowded, report.total) == ((), (), 0)


def test_injected_duplicates_are_found_with_their_evidence_strongest_first(demo):
    expected = inject(demo)
    steps = []
    report = find_duplicates(demo.sessions, progress=lambda done, total: steps.append(done))

    assert [(p.first.id, p.second.id) for p in report.pairs] == list(expected)
    assert {(p.first.id, p.second.id): p.codes for p in report.pairs} == expected
    scores = [p.score for p in report.pairs]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert steps[-1] == 5 and steps == sorted(steps)
    by_pair = {(p.first.id, p.second.id): p for p in report.pairs}
    assert by_pair[(13, 14)].same_name
    assert by_pair[(13, 14)].text() == "手机号相同 13900000014；同名"
    assert by_pair[(1, 2)].text("en") == "same mobile 13900000001"
    assert by_pair[(3, 4)].evidence[0].values == ("13900000003", "13900000013")
    assert by_pair[(5, 6)].evidence[0].values == ("+8613900000005", "13900000005")
    assert by_pair[(11, 12)].evidence[0].values == ("020-87654321",)
    vins = by_pair[(7, 8)].evidence[0].values
    assert len(vins) == 2 and vins[0] != vins[1]
    assert vins[0].upper().replace("O", "0") == vins[1].upper().replace("O", "0")
    assert by_pair[(7, 8)].first.code == "C0000007" and by_pair[(7, 8)].first.vehicles >= 1
    # The placeholder number is named once instead of as 66 pairs.
    assert [(c.kind, c.value, c.customers) for c in report.crowded] == [
        ("mobile", "13800000000", MAX_GROUP + 2)]


def test_limit_keeps_the_strongest_and_says_how_many_there_are(demo):
    inject(demo)
    report = find_duplicates(demo.sessions, limit=2)
    assert [(p.first.id, p.second.id) for p in report.pairs] == [(13, 14), (7, 8)]
    assert report.total == 6


def test_a_merged_pair_does_not_come_back_until_the_merge_is_undone(demo):
    inject(demo)
    done = merge.merge_customers(demo.sessions, 13, 14, evidence=[SAME_MOBILE], today=TODAY)
    pairs = [(p.first.id, p.second.id) for p in find_duplicates(demo.sessions).pairs]
    assert (13, 14) not in pairs and len(pairs) == 5
    merge.undo_merge(demo.sessions, done.merge_id)
    assert (13, 14) in [(p.first.id, p.second.id) for p in find_duplicates(demo.sessions).pairs]


def test_two_different_people_with_one_name_are_not_a_pair(demo):
    _set(demo, 1, mobile="13912345678", other_phones=None)
    _set(demo, 2, mobile="13987654321", other_phones=None, name=_name(demo, 1))
    assert find_duplicates(demo.sessions).pairs == ()


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("13912345678", "13912345679", True),
    ("13912345678", "23912345678", True),
    ("13912345678", "13912345678", False),  # the same number is "same mobile", not similar
    ("13912345678", "13912345688", True),
    ("13912345678", "13912345699", False),  # two digits apart
    ("13912345678", "+8613912345678", True),  # same last 8
    ("13912345678", "15812345678", True),  # wrong prefix, same last 8
    ("1234567", "1234568", True),
    ("020-87654321", "87654321", True),
])
def test_one_slip_apart(a, b, similar):
    assert one_slip_apart(a, b) is similar
    assert one_slip_apart(b, a) is similar


def test_every_table_with_a_customer_id_is_moved_by_a_merge():
    """A new table with a foreign key to customer.id fails here until merge_rows.MOVED_TABLES
    (and its label) say how a merge treats it."""
    referencing = set()
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "customer":
                assert fk.column.name == "id", table.name
                referencing.add(table.name)
    assert referencing == set(MOVED_TABLES)
    assert len(MOVED_TABLES) == len(set(MOVED_TABLES))
    assert set(TABLE_LABELS) == set(MOVED_TABLES)
    check_tables_known()


def test_finding_uses_grouped_queries_not_a_scan_per_customer(demo):
    """The similar-phone search compares only customers sharing a name and part of a number:
    the statements it sends stay few whatever the number of customers."""
    statements = []
    from sqlalchemy import event

    def count(*_args):
        statements.append(1)

    event.listen(demo.engine, "before_cursor_execute", count)
    try:
        find_duplicates(demo.sessions)
    finally:
        event.remove(demo.engine, "before_cursor_execute", count)
    assert len(statements) <= 10
    with demo.engine.connect() as conn:  # the database still answers: nothing was left open
        assert conn.execute(text("SELECT count(*) FROM customer")).scalar_one() == CUSTOMERS
