"""Revision 0017 on SQLite and PostgreSQL: list_run.withdrawn_at added empty for every run stored
before (none of them withdrawn, so their calls stay in the queues), and dropped on the way down
with the runs and their members left as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from models.db import make_engine
from services.store.database import upgrade_schema
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)

AT = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def engine(empty_url):
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def _runs(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT r.id, r.segment_name, r.finished_at, m.row_code, m.status FROM list_run r "
            "JOIN list_run_member m ON m.run_id = r.id ORDER BY r.id, m.id"))]


def test_the_withdrawn_column_comes_empty_and_goes_leaving_the_runs(engine):
    upgrade_schema(engine, "0016")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, created_at, updated_at, version) VALUES (1, 'C0000001', "
                          "'张伟', 'zhangwei', 'zw', 'zhang wei', :at, :at, 1)"), {"at": AT})
        conn.execute(text("INSERT INTO list_run (id, segment_name, filter_json, as_of, purpose, "
                          "channel_mode, settings_json, created_at, finished_at) VALUES "
                          "(1, '老车主', '{}', :day, 'care', 'call', '{}', :at, :at)"),
                     {"day": AT.date(), "at": AT})
        conn.execute(text("INSERT INTO list_run_member (id, run_id, customer_id, channel, "
                          "position, row_code, attempts, status) VALUES "
                          "(1, 1, 1, 'phone', 1, '1-0001', 0, 'open')"))
    before = _runs(engine)
    upgrade_schema(engine, "0017")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT withdrawn_at FROM list_run")).scalars().all() == [None]
    assert _runs(engine) == before
    base._downgrade(engine, "0016")
    assert "withdrawn_at" not in {c["name"] for c in inspect(engine).get_columns("list_run")}
    assert _runs(engine) == before
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
