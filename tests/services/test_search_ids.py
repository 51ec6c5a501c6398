"""The customer search's ids, read from the driver's cursor (services/customers/search.py), are
the ones SQLAlchemy's own rows give, on both databases, for every kind of search and sort."""

from __future__ import annotations

import datetime as dt

import pytest

from services.customers.search import SORTS, find_ids, id_query
from services.demo import generator as demo


@pytest.fixture
def customers(database):
    demo.generate(database, 60, seed=3, today=dt.date(2026, 11, 23))
    return database


@pytest.mark.parametrize("text", ["", "zw", "wang", "张", "138", "粤A", "C0000012", "none-such"])
def test_the_ids_are_those_of_the_query_in_its_order(customers, text):
    for sort in SORTS:
        for descending in (False, True):
            with customers.sessions() as s:
                expected = list(s.scalars(id_query(text, sort, descending)))
            got = find_ids(customers.engine.connect, text, sort, descending)
            assert got == expected and all(type(i) is int for i in got)
    if text == "":
        assert len(got) == 60


def test_a_customer_is_found_by_an_other_phone_and_by_a_merged_away_code(database):
    from models import Customer
    from services.customers.merge import merge_customers, undo_merge

    with database.sessions.begin() as s:
        landline = Customer(code="C0000101", name="吴刚", other_phones="020-87654321")
        kept = Customer(code="C0000102", name="曾悦", mobile="18424593307",
                        other_phones="18424593308")
        twin = Customer(code="C0000103", name="曾悦", mobile="13912345678")
        s.add_all([landline, kept, twin])
        s.flush()
        ids = landline.id, kept.id, twin.id

    def found(text):
        return find_ids(database.engine.connect, text)

    for typed in ("020-87654321", "02087654321", "87654321", "(020)87654321", "020-8765"):
        assert found(typed) == [ids[0]], typed
    assert found("18424593308") == [ids[1]] and found("+86 184 2459 3308") == [ids[1]]
    merge = merge_customers(database.sessions, ids[1], ids[2])
    for typed in ("C0000103", "c0000103", "103"):  # the merged-away code: whom it went into
        assert found(typed) == [ids[1]], typed
    undo_merge(database.sessions, merge.merge_id)
    assert found("C0000103") == [ids[2]]


def test_a_call_sheets_row_id_finds_its_customer(database):
    """The row id printed on a call sheet (2-0160), typed into the search, is that row's
    customer; a landline typed without its area code (8765-4321) still finds its owner."""
    from models import Customer, ListRun, ListRunMember

    with database.sessions.begin() as s:
        listed = Customer(code="C0000201", name="李晨坤", mobile="13900139001")
        home = Customer(code="C0000202", name="吴刚", other_phones="020-87654321")
        s.add_all([listed, home])
        runs = [ListRun(segment_name=f"名单{n}", filter_json="{}", as_of=dt.date(2026, 11, 23),
                        purpose="care") for n in (1, 2)]
        s.add_all(runs)
        s.flush()
        s.add_all([ListRunMember(run_id=runs[1].id, customer_id=listed.id, channel="phone",
                                 row_code=f"{runs[1].id}-0160", position=160),
                   ListRunMember(run_id=runs[0].id, customer_id=home.id, channel="phone",
                                 row_code=f"{runs[0].id}-0160", position=160)])
        ids, second = (listed.id, home.id), runs[1].id

    def found(text):
        return find_ids(database.engine.connect, text)

    assert found(f"{second}-0160") == [ids[0]]
    assert found(f" {second}-0160 ") == [ids[0]]
    assert found(f"{second}-9999") == []
    assert found("8765-4321") == [ids[1]]


def test_the_list_shows_the_car_a_customer_drives_now(database):
    """The browser's car is the latest one the customer still owns, counted among the cars they
    own (a sold one was shown first, with "+1", for whoever bought first the car they sold);
    a customer who sold every car shows the last one, marked sold."""
    from models import Customer, Vehicle
    from services.customers.search import fetch_rows

    with database.sessions.begin() as s:
        moved_on = Customer(code="C0000201", name="白兵永")
        two_now = Customer(code="C0000202", name="陈国")
        sold_all = Customer(code="C0000203", name="李健康")
        s.add_all([moved_on, two_now, sold_all])
        s.flush()
        s.add_all([
            Vehicle(customer_id=moved_on.id, brand="日产", model="轩逸", plate="浙AK46D4",
                    purchase_date=dt.date(2015, 1, 25), active=False),
            Vehicle(customer_id=moved_on.id, brand="大众", model="宝来", plate="浙A67604",
                    purchase_date=dt.date(2019, 1, 30)),
            Vehicle(customer_id=two_now.id, brand="丰田", model="凯美瑞", plate="粤A00001",
                    purchase_date=dt.date(2024, 5, 1)),
            Vehicle(customer_id=two_now.id, brand="丰田", model="雷凌", plate="粤A00002",
                    purchase_date=dt.date(2018, 5, 1)),
            Vehicle(customer_id=two_now.id, brand="丰田", model="RAV4", plate="粤A00003",
                    purchase_date=None),
            Vehicle(customer_id=sold_all.id, brand="长安", model="CS75", plate="渝B00001",
                    purchase_date=dt.date(2012, 3, 1), active=False),
            Vehicle(customer_id=sold_all.id, brand="长安", model="逸动", plate="渝B00002",
                    purchase_date=dt.date(2016, 3, 1), active=False),
        ])
        ids = [moved_on.id, two_now.id, sold_all.id]
    rows = fetch_rows(database.engine.connect, ids)
    assert [(r.first_plate, r.first_model, r.vehicles, r.only_sold) for r in rows] == [
        ("浙A67604", "宝来", 1, False),
        ("粤A00001", "凯美瑞", 3, False),  # the latest bought; a car of no known date last
        ("渝B00002", "逸动", 0, True),
    ]
