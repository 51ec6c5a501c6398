"""Revision 0021 on SQLite and PostgreSQL: other_purchase.awaiting_purchase added as NULL for
every row stored before, refunds included (which of those were netted is not recorded, so none
is netted again); on the way down the column goes and every row is as it was."""

from __future__ import annotations

from sqlalchemy import text

from services.store.database import upgrade_schema
from tests import test_migration_0020 as refunds
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)
engine = base.engine  # a fixture: an engine on it


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, purchase_date, kind, amount, description, refunded "
            "FROM other_purchase ORDER BY id"))]


def test_refunds_stored_before_wait_for_nothing(engine):
    upgrade_schema(engine, "0020")
    with engine.begin() as conn:
        base.add_customer(conn, refunds.AT)
        refunds._purchase(conn, 1, "800.00", "脚垫")
        refunds._purchase(conn, 2, "-300.00", "贴膜退货")  # kept unnetted before 0021
    before = _rows(engine)

    upgrade_schema(engine, "0021")
    assert _rows(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT awaiting_purchase FROM other_purchase ORDER BY id")
                            ).scalars().all() == [None, None]
    with engine.begin() as conn:
        conn.execute(text("UPDATE other_purchase SET awaiting_purchase = :yes WHERE id = 2"),
                     {"yes": True})

    base._downgrade(engine, "0020")
    assert _rows(engine) == before
    with engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM other_purchase")).keys()
    assert "awaiting_purchase" not in columns
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
