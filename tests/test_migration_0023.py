"""Revision 0023 on SQLite and PostgreSQL: customer.dms_code added as NULL for every customer
stored before, with its index; on the way down the column and index go and every customer is as
it was."""

from __future__ import annotations

from sqlalchemy import inspect, text

from services.store.database import upgrade_schema
from tests import test_migration_0020 as refunds
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)
engine = base.engine  # a fixture: an engine on it


def _customers(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, code, name, mobile, created_at, updated_at, version FROM customer "
            "ORDER BY id"))]


def test_customers_stored_before_have_no_dms_number_until_a_file_says_it(engine):
    upgrade_schema(engine, "0022")
    with engine.begin() as conn:
        base.add_customer(conn, refunds.AT)
    before = _customers(engine)

    upgrade_schema(engine, "0023")
    assert _customers(engine) == before
    assert "ix_customer_dms_code" in {i["name"] for i in inspect(engine).get_indexes("customer")}
    with engine.begin() as conn:
        assert conn.execute(text("SELECT dms_code FROM customer")).scalars().all() == [None]
        conn.execute(text("UPDATE customer SET dms_code = 'KH00012' WHERE id = 1"))
        assert conn.execute(text("SELECT id FROM customer WHERE dms_code = 'KH00012'")
                            ).scalars().all() == [1]

    base._downgrade(engine, "0022")
    assert _customers(engine) == before
    with engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM customer")).keys()
    assert "dms_code" not in set(columns)
    assert "ix_customer_dms_code" not in {i["name"] for i in
                                          inspect(engine).get_indexes("customer")}
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []
