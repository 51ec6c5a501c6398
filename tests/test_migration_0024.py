"""Revision 0024 on SQLite and PostgreSQL: the index of each caller's follow-ups is added over
the contacts stored before, which stay as they were, and goes again on the way down."""

from __future__ import annotations

from sqlalchemy import inspect, text

from services.store.database import upgrade_schema
from tests import test_migration_0020 as refunds
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)
engine = base.engine  # a fixture: an engine on it

INDEX = "ix_contact_event_staff_follow_up"


def _contacts(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, customer_id, contact_at, staff_id, outcome, next_follow_up "
            "FROM contact_event ORDER BY id"))]


def _indexes(engine) -> set[str]:
    return {i["name"] for i in inspect(engine).get_indexes("contact_event")}


def test_contacts_stored_before_are_indexed_by_caller_and_follow_up_day(engine):
    upgrade_schema(engine, "0023")
    with engine.begin() as conn:
        base.add_customer(conn, refunds.AT)
        conn.execute(text(
            "INSERT INTO contact_event (id, customer_id, contact_at, channel, purpose, "
            "outcome, next_follow_up, created_at) VALUES (1, 1, :at, 'phone', 'care', "
            "'reached', '2026-12-01', :at)"), {"at": refunds.AT})
    before = _contacts(engine)

    upgrade_schema(engine, "0024")
    assert _contacts(engine) == before and INDEX in _indexes(engine)

    base._downgrade(engine, "0023")
    assert _contacts(engine) == before and INDEX not in _indexes(engine)
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
