"""Revision 0015 on SQLite and PostgreSQL: pinyin keys an older import stored longer than their
columns (SQLite keeps them) are cut to the columns, so the file copies to a server; keys that
fit, and everything else of the customer, stay as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from models.db import make_engine
from services.store.database import upgrade_schema
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)

AT = dt.datetime(2026, 11, 1, 9, 0)
LONG = {"name_pinyin": "shenzhenshi" * 14, "name_initials": "szsnsqmmdzxxkjyxgs",
        "name_sort": "shen zhen shi " * 14}


@pytest.fixture
def engine(empty_url):
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def _customer(engine, id_: int, name: str, keys: dict[str, str]) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, employer, created_at, updated_at, version) VALUES (:id, "
                          ":code, :name, :name_pinyin, :name_initials, :name_sort, '某某公司', "
                          ":at, :at, 3)"),
                     {"id": id_, "code": f"C{id_:07d}", "name": name, "at": AT, **keys})


def test_keys_longer_than_their_columns_are_cut_and_others_stay(engine):
    upgrade_schema(engine, "0014")
    _customer(engine, 1, "张伟", {"name_pinyin": "zhangwei", "name_initials": "zw",
                                  "name_sort": "zhang wei"})
    if engine.dialect.name == "sqlite":  # PostgreSQL never took one
        _customer(engine, 2, "深圳市南山区某某电子信息科技有限公司", LONG)
    upgrade_schema(engine, "0015")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name_pinyin, name_initials, name_sort, employer, "
                                 "version FROM customer ORDER BY id")).all()
    assert tuple(rows[0]) == (1, "zhangwei", "zw", "zhang wei", "某某公司", 3)
    if engine.dialect.name == "sqlite":
        assert tuple(rows[1]) == (2, LONG["name_pinyin"][:128], "szsnsqmmdzxxkjyx",
                                  LONG["name_sort"][:160], "某某公司", 3)
    base._downgrade(engine, "0014")
    upgrade_schema(engine, "0015")
