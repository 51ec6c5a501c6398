"""Revision 0022 on SQLite and PostgreSQL: service_visit.next_service_date and next_service_km
added as NULL for every visit stored before (so each car stays due at its model's interval);
on the way down the columns go and every visit is as it was."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from services.store.database import upgrade_schema
from tests import test_migration_0020 as refunds
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)
engine = base.engine  # a fixture: an engine on it


def _visits(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, customer_id, visit_date, visit_type, amount, km, note, work_order "
            "FROM service_visit ORDER BY id"))]


def test_visits_stored_before_say_no_next_service(engine):
    upgrade_schema(engine, "0021")
    with engine.begin() as conn:
        base.add_customer(conn, refunds.AT)
        for vid, kind in ((1, "maintenance"), (2, "repair")):
            conn.execute(text("INSERT INTO service_visit (id, customer_id, visit_date, "
                              "visit_type, amount, km, note, work_order) VALUES (:id, 1, :day, "
                              ":kind, 600, 30000, '机油', 'W1')"),
                         {"id": vid, "day": dt.date(2026, 6, 1), "kind": kind})
    before = _visits(engine)

    upgrade_schema(engine, "0022")
    assert _visits(engine) == before
    with engine.begin() as conn:
        assert conn.execute(text("SELECT next_service_date, next_service_km FROM service_visit "
                                 "ORDER BY id")).all() == [(None, None), (None, None)]
        conn.execute(text("UPDATE service_visit SET next_service_date = :day, "
                          "next_service_km = 35000 WHERE id = 1"), {"day": dt.date(2026, 12, 1)})

    base._downgrade(engine, "0021")
    assert _visits(engine) == before
    with engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM service_visit")).keys()
    assert not {"next_service_date", "next_service_km"} & set(columns)
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
