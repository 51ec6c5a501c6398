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
