"""Revision 0018 on SQLite and PostgreSQL: import_batch and import_mapping may say "purchases",
and every earlier batch keeps the record of what it created and changed (on SQLite the batch
table is copied to change its CHECK, which with foreign keys on would have deleted those
records with it); going down forgets the purchases imports and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from models.db import make_engine
from services.store.database import upgrade_schema
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)

AT = dt.datetime(2026, 12, 1, 9, 0)


@pytest.fixture
def engine(empty_url):
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def _batch(conn, batch_id: int, kind: str) -> None:
    conn.execute(text(
        "INSERT INTO import_batch (id, kind, file_name, file_hash, mapping_json, imported_at, "
        "rows_total, rows_created, rows_updated, rows_unchanged, rows_rejected, records_json) "
        "VALUES (:id, :kind, 'a.xlsx', :hash, '{}', :at, 1, 1, 0, 0, 0, '{}')"),
        {"id": batch_id, "kind": kind, "hash": f"{batch_id:064d}", "at": AT})
    conn.execute(text("INSERT INTO import_created (batch_id, table_name, first_id, last_id) "
                      "VALUES (:id, 'customer', 1, 1)"), {"id": batch_id})
    conn.execute(text("INSERT INTO import_change (id, batch_id, table_name, row_id, column_name, "
                      "old_value, new_value) VALUES (:id, :id, 'customer', 1, 'city', '广州', "
                      "'深圳')"), {"id": batch_id})


def _records(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))]
                for t in ("import_batch", "import_created", "import_change", "import_mapping")}


def test_purchases_can_be_imported_and_earlier_batches_keep_their_records(engine):
    upgrade_schema(engine, "0017")
    with engine.begin() as conn:
        _batch(conn, 1, "customers")
        conn.execute(text("INSERT INTO import_mapping (id, kind, name, mapping_json, "
                          "created_at, updated_at) VALUES (1, 'visits', '工单', '{}', :at, :at)"),
                     {"at": AT})
    before = _records(engine)
    assert len(before["import_created"]) == len(before["import_change"]) == 1
    upgrade_schema(engine, "0018")
    assert _records(engine) == before
    with engine.begin() as conn:
        _batch(conn, 2, "purchases")
        conn.execute(text("INSERT INTO import_mapping (id, kind, name, mapping_json, "
                          "created_at, updated_at) VALUES (2, 'purchases', '续保', '{}', :at, "
                          ":at)"), {"at": AT})
    with pytest.raises(Exception, match="(?i)check"), engine.begin() as conn:
        _batch(conn, 3, "orders")
    base._downgrade(engine, "0017")
    assert _records(engine) == before
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert _records(engine) == before
    assert base._schema_diff(engine) == []
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
