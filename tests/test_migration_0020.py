"""Revision 0020 on SQLite and PostgreSQL: other_purchase.refunded added as 0 for every purchase
stored before, every amount as it was; a refund (a negative amount) allowed from then on, only
on a row that is not itself refunded; on the way down the refunds go and each purchase gets back
what was refunded of it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
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


def _purchases(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, customer_id, purchase_date, kind, amount, description "
            "FROM other_purchase ORDER BY id"))]


def _purchase(conn, pid: int, amount: str, item: str) -> None:
    conn.execute(text("INSERT INTO other_purchase (id, customer_id, purchase_date, kind, "
                      "amount, description) VALUES (:id, 1, :day, 'accessory', :amount, "
                      ":item)"),
                 {"id": pid, "day": AT.date(), "amount": amount, "item": item})


def test_refunds_come_in_and_go_leaving_the_purchases_as_they_were(engine):
    upgrade_schema(engine, "0019")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, mobile, created_at, updated_at, version) VALUES (1, "
                          "'C0000001', '张三', 'zhangsan', 'zs', 'zhang san', '13800138001', "
                          ":at, :at, 1)"), {"at": AT})
        _purchase(conn, 1, "800.00", "脚垫")
        _purchase(conn, 2, "0", "洗车券")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _purchase(conn, 3, "-800.00", "脚垫退货")
    before = _purchases(engine)

    upgrade_schema(engine, "0020")
    assert _purchases(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT refunded FROM other_purchase ORDER BY id")).scalars().all() == [0, 0]
    with engine.begin() as conn:  # the accessory given back: a refund row, the purchase kept 0
        _purchase(conn, 3, "-800.00", "脚垫退货")
        conn.execute(text("UPDATE other_purchase SET amount = 0, refunded = 800 WHERE id = 1"))
    for refused in ("UPDATE other_purchase SET refunded = 5 WHERE id = 3",
                    "UPDATE other_purchase SET refunded = -1 WHERE id = 2"):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(refused))

    base._downgrade(engine, "0019")
    assert _purchases(engine) == before
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
