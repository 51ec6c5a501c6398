"""SQLite query plans of the template queries keep the shapes that make them fast at 200k
customers (FACTS.md §8): covering indexes scanned, no sort per row, no date-index detours."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from services.segments import rfm, service
from services.segments import templates as tpl
from services.segments.compiler import compile_filter

AS_OF = dt.date(2026, 11, 23)


def plan(database, stmt) -> str:
    sql = str(stmt.compile(dialect=database.engine.dialect,
                           compile_kwargs={"literal_binds": True}))
    with database.engine.connect() as conn:
        return "\n".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_matrix_plan(sqlite_database):
    p = plan(sqlite_database, tpl.matrix_query(AS_OF))
    assert "SCAN vehicle" in p and "ix_vehicle_purchase_date" not in p
    assert "COVERING INDEX ix_satisfaction_survey_latest" in p
    assert "ORDER BY" not in p  # the latest survey comes straight from the index order
    km = plan(sqlite_database, tpl.matrix_query(AS_OF, 100_000))
    assert "COVERING INDEX ix_mileage_reading_vehicle_date" in km and "ORDER BY" not in km


def test_rfm_plan_scans_covering_spend_indexes(sqlite_database):
    for stmt in (tpl.rfm_query(AS_OF, 24, rfm.Thresholds()),
                 tpl.rfm_quantiles(AS_OF, 24, Fraction(1, 2))):
        p = plan(sqlite_database, stmt)
        assert "COVERING INDEX ix_service_visit_customer_date_amount" in p
        assert "COVERING INDEX ix_other_purchase_customer_date_amount" in p
        assert "ix_service_visit_visit_date" not in p


def test_matrix_cell_members_plan(sqlite_database):
    cell = tpl.matrix_cell_filter("7+", "high")
    p = plan(sqlite_database, compile_filter(service.as_filter(cell), AS_OF).select)
    assert "SCAN vehicle" in p and "COVERING INDEX ix_satisfaction_survey_latest" in p
