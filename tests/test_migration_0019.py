"""Revision 0019 on SQLite and PostgreSQL: customer.contact_name added empty for every customer
stored before and profile_change allowed to record it; on the way down the column and its history
rows go, with the customers and the rest of their history left as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from models.db import make_engine
from services.store.database import upgrade_schema
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)

AT = dt.datetime(2026, 12, 5, 9, 0)


@pytest.fixture
def engine(empty_url):
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def _customers(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT c.id, c.code, c.name, c.mobile, c.version, v.plate, p.attribute, "
            "p.new_value FROM customer c JOIN vehicle v ON v.customer_id = c.id "
            "JOIN profile_change p ON p.customer_id = c.id ORDER BY c.id, p.id"))]


def _history(conn, attribute: str, value: str) -> None:
    conn.execute(text("INSERT INTO profile_change (customer_id, attribute, new_value, "
                      "effective_date, recorded_at, source) VALUES (1, :a, :v, :day, :at, "
                      "'manual')"), {"a": attribute, "v": value, "day": AT.date(), "at": AT})


def test_the_contact_column_comes_empty_and_goes_leaving_the_customers(engine):
    upgrade_schema(engine, "0018")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, mobile, created_at, updated_at, version) VALUES (1, "
                          "'C0000001', '深圳市华盛贸易有限公司', 'shenzhen', 'szs', 'shen zhen', "
                          "'13800138001', :at, :at, 3)"), {"at": AT})
        conn.execute(text("INSERT INTO vehicle (id, customer_id, brand, model, plate, active, "
                          "created_at) "
                          "VALUES (1, 1, '丰田', '凯美瑞', '粤B12345', :yes, :at)"),
                     {"yes": True, "at": AT})
        _history(conn, "mobile", "13800138001")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _history(conn, "contact_name", "王经理")
    before = _customers(engine)
    upgrade_schema(engine, "0019")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT contact_name FROM customer")).scalars().all() == [None]
    assert _customers(engine) == before
    with engine.begin() as conn:
        conn.execute(text("UPDATE customer SET contact_name = '王经理'"))
        _history(conn, "contact_name", "王经理")
    assert len(_customers(engine)) == 2
    base._downgrade(engine, "0018")
    assert "contact_name" not in {c["name"] for c in inspect(engine).get_columns("customer")}
    assert _customers(engine) == before
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
