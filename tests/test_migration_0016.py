"""Revision 0016 on SQLite and PostgreSQL: the two covering indexes on contact_event the Reports
area reads (contact time; follow-up date), the follow-up date index they replace gone, and back
on the way down; the contacts stored before are all still there."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from models.db import make_engine
from services.store.database import upgrade_schema
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)

AT = dt.datetime(2026, 11, 20, 9, 30)


@pytest.fixture
def engine(empty_url):
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def _indexes(engine) -> dict[str, list[str]]:
    return {ix["name"]: list(ix["column_names"])
            for ix in inspect(engine).get_indexes("contact_event")}


def _contacts(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, customer_id, contact_at, outcome, next_follow_up FROM contact_event "
            "ORDER BY id"))]


def test_report_indexes_added_and_taken_back(engine):
    upgrade_schema(engine, "0015")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, created_at, updated_at, version) VALUES (1, 'C0000001', "
                          "'张伟', 'zhangwei', 'zw', 'zhang wei', :at, :at, 1)"), {"at": AT})
        for i, (hours, follow) in enumerate(((0, dt.date(2026, 11, 27)), (30, None)), start=1):
            conn.execute(text(
                "INSERT INTO contact_event (id, customer_id, contact_at, channel, purpose, "
                "outcome, next_follow_up, created_at) VALUES (:id, 1, :at, 'phone', 'care', "
                "'reached', :follow, :at)"),
                {"id": i, "at": AT + dt.timedelta(hours=hours), "follow": follow})
    before = _contacts(engine)
    assert "ix_contact_event_next_follow_up" in _indexes(engine)
    upgrade_schema(engine, "0016")
    indexes = _indexes(engine)
    assert indexes["ix_contact_event_at"] == ["contact_at", "staff_id", "channel", "outcome",
                                              "customer_id"]
    assert indexes["ix_contact_event_follow_up"] == ["next_follow_up", "customer_id",
                                                     "contact_at", "staff_id"]
    assert "ix_contact_event_next_follow_up" not in indexes
    assert _contacts(engine) == before
    base._downgrade(engine, "0015")
    indexes = _indexes(engine)
    assert indexes["ix_contact_event_next_follow_up"] == ["next_follow_up"]
    assert "ix_contact_event_at" not in indexes and "ix_contact_event_follow_up" not in indexes
    assert _contacts(engine) == before
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
