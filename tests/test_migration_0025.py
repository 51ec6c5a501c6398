"""Revision 0025 on SQLite and PostgreSQL: list_run.contact_fatigue_days filled for every run
stored before from the days its settings say (0 where they say none or nothing a whole
number), with the runs and their members left as they were; dropped on the way down."""

from __future__ import annotations

from sqlalchemy import inspect, text

from services.store.database import upgrade_schema
from tests import test_migration_0020 as refunds
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)
engine = base.engine  # a fixture: an engine on it

# Each run's stored settings and the days the column must then hold.
SETTINGS = (
    ('{"contact_fatigue_days": 14, "no_answer_retry_days": 2}', 14),
    ('{"contact_fatigue_days": 1}', 1),
    ('{"contact_fatigue_days": 0}', 0),
    ('{"no_answer_retry_days": 2}', 0),  # a run stored before the setting was kept
    ('{"contact_fatigue_days": "7"}', 0),
    ('{"contact_fatigue_days": true}', 0),
    ('{"contact_fatigue_days": 7.5}', 0),
    ("[]", 0),
    ("", 0),
    ("not json", 0),
)


def _runs(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT r.id, r.as_of, r.settings_json, r.finished_at, m.row_code, m.status "
            "FROM list_run r LEFT JOIN list_run_member m ON m.run_id = r.id "
            "ORDER BY r.id, m.id"))]


def test_each_runs_fatigue_days_come_from_its_settings_and_go_again(engine):
    upgrade_schema(engine, "0024")
    with engine.begin() as conn:
        base.add_customer(conn, refunds.AT)
        for run_id, (stored, _) in enumerate(SETTINGS, start=1):
            conn.execute(text(
                "INSERT INTO list_run (id, segment_name, filter_json, as_of, purpose, "
                "channel_mode, settings_json, created_at, finished_at) VALUES "
                "(:id, '老车主', '{}', :day, 'care', 'call', :stored, :at, :at)"),
                {"id": run_id, "day": refunds.AT.date(), "stored": stored, "at": refunds.AT})
        conn.execute(text("INSERT INTO list_run_member (id, run_id, customer_id, channel, "
                          "position, row_code, attempts, status) VALUES "
                          "(1, 1, 1, 'phone', 1, '1-0001', 0, 'open')"))
    before = _runs(engine)

    upgrade_schema(engine, "0025")
    with engine.connect() as conn:
        days = conn.execute(text("SELECT contact_fatigue_days FROM list_run ORDER BY id"))
        assert days.scalars().all() == [want for _, want in SETTINGS]
    assert _runs(engine) == before

    base._downgrade(engine, "0024")
    columns = {c["name"] for c in inspect(engine).get_columns("list_run")}
    assert "contact_fatigue_days" not in columns
    assert _runs(engine) == before
    upgrade_schema(engine)  # on to the newest revision, which the models describe
    assert base._schema_diff(engine) == []


def test_a_run_stored_after_without_its_days_is_held_back_by_none(engine):
    """The column's default, which the migration adds it with: a run inserted without naming
    it holds back nobody."""
    upgrade_schema(engine)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO list_run (id, segment_name, filter_json, as_of, purpose, "
            "channel_mode, settings_json, created_at) VALUES "
            "(1, '老车主', '{}', :day, 'care', 'call', '{}', :at)"),
            {"day": refunds.AT.date(), "at": refunds.AT})
        assert conn.execute(text("SELECT contact_fatigue_days FROM list_run")).scalar() == 0
