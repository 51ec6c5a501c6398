"""SQLite query plans of the template queries keep the shapes that make them fast at 200k
customers on SQLite 3.40: covering indexes scanned, no sort per row, no date-index detours."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from services.segments import rfm, service, summaries
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


def test_live_rfm_plan_reads_the_window_by_date(sqlite_database):
    for stmt in (tpl.rfm_query(AS_OF, 24, rfm.Thresholds()),
                 tpl.rfm_quantiles(AS_OF, 24, Fraction(1, 2))):
        p = plan(sqlite_database, stmt)
        # One date range per table from the covering indexes, never the whole history.
        assert ("SEARCH service_visit USING COVERING INDEX ix_service_visit_date_customer_amount"
                " (visit_date>? AND visit_date<?)") in p
        assert ("SEARCH other_purchase USING COVERING INDEX "
                "ix_other_purchase_date_customer_amount (purchase_date>? AND purchase_date<?)") in p


def test_summary_rfm_plan_reads_only_the_summary(sqlite_database):
    stored = summaries.rfm_values(AS_OF, 24)
    for stmt in (tpl.rfm_query(AS_OF, 24, rfm.Thresholds(), stored),
                 tpl.rfm_quantiles(AS_OF, 24, Fraction(1, 2), stored)):
        p = plan(sqlite_database, stmt)
        assert "SCAN rfm_summary" in p
        assert "service_visit" not in p and "other_purchase" not in p
        assert "MATERIALIZE rfm_values" not in p  # the table itself is read, not copied first


def test_km_floor_matrix_from_the_summary_looks_each_vehicle_up_once(sqlite_database):
    p = plan(sqlite_database, tpl.matrix_query(AS_OF, 100_000,
                                               stored_km=summaries.km_values(AS_OF)))
    assert "SCAN vehicle" in p and "SEARCH km_summary USING INTEGER PRIMARY KEY (rowid=?)" in p
    assert "mileage_reading" not in p


def test_km_summary_build_reads_readings_in_vehicle_order(sqlite_database):
    with sqlite_database.sessions() as s:
        p = plan(sqlite_database, summaries.KM.rows(s, AS_OF, None))
    assert "SCAN vehicle" in p and "USING COVERING INDEX ix_vehicle" not in p
    assert "ORDER BY" not in p  # the table's own order


def test_matrix_cell_members_plan(sqlite_database):
    cell = tpl.matrix_cell_filter("7+", "high")
    p = plan(sqlite_database, compile_filter(service.as_filter(cell), AS_OF).select)
    assert "SCAN vehicle" in p and "COVERING INDEX ix_satisfaction_survey_latest" in p
