"""The Core tables the replacement matrix and the summaries read (models/tables.py)
are the models' tables column for column; a statement never holds two table objects of one
name (this module's and the ORM's), which SQLAlchemy would take for two tables; and the matrix
asked over a plain connection, as `segment matrix` asks it, answers as over a session — on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause

from models import Base, tables
from models import summary as summary_models
from services.demo import generator as demo
from services.lists.query import candidate_query
from services.segments import maintenance, matrix, service, spec, summaries
from services.segments.compiler import compile_filter
from services.segments.context import C, Ctx, Question, V

AS_OF = dt.date(2026, 11, 23)
DIALECTS = (sqlite.dialect(), postgresql.dialect())


def test_the_core_tables_are_the_models_tables():
    assert tables.metadata.tables, "no tables to compare"
    for name, core in tables.metadata.tables.items():
        orm = Base.metadata.tables[name]
        assert [c.name for c in core.columns] == [c.name for c in orm.columns], name
        for mine, theirs in zip(core.columns, orm.columns, strict=True):
            where = f"{name}.{mine.name}"
            assert repr(mine.type) == repr(theirs.type), where
            assert [mine.type.compile(d) for d in DIALECTS] == [
                theirs.type.compile(d) for d in DIALECTS], where
            assert mine.type.python_type is theirs.type.python_type, where
            assert (mine.nullable, mine.primary_key, mine.autoincrement) == (
                theirs.nullable, theirs.primary_key, theirs.autoincrement), where


def test_the_summaries_stamps_are_the_ones_the_triggers_raise():
    assert (tables.SPEND_STAMP, tables.MILEAGE_STAMP) == (summary_models.SPEND_STAMP,
                                                          summary_models.MILEAGE_STAMP)


def tables_in(stmt) -> dict[str, set[Table]]:
    """Each table name in `stmt` (its subqueries and aliases included) with the table objects
    that carry it."""
    found: dict[str, set[Table]] = defaultdict(set)
    for element in visitors.iterate(stmt):
        table = element if isinstance(element, Table) else getattr(element, "table", None)
        if isinstance(element, ColumnClause | Table) and isinstance(table, Table):
            found[table.name].add(table)
    return found


def test_tables_in_sees_a_second_table_of_the_same_name():
    # What the other tests rely on: a subquery on the Core vehicle correlated with the ORM's.
    inner = (select(tables.satisfaction_survey.c.id)
             .where(tables.satisfaction_survey.c.customer_id == tables.vehicle.c.customer_id)
             .scalar_subquery())
    assert len(tables_in(select(V.c.id, inner))["vehicle"]) == 2


def _matrix_statements():
    for lateral in (False, True):
        yield matrix.matrix_query(AS_OF, lateral=lateral)
        yield matrix.matrix_query(AS_OF, 100_000, lateral=lateral)
        yield matrix.matrix_query(AS_OF, 100_000, lateral=lateral,
                                  stored_km=summaries.km_values(AS_OF))
        yield summaries.KM.rows(_Bind(DIALECTS[lateral]), AS_OF, None)
    yield select(summaries.RFM.seen_rows(), summaries.KM.seen_rows())


class _Bind:
    """Stands in for a session where only its database's dialect is asked."""

    def __init__(self, dialect) -> None:
        self.dialect = dialect

    def get_bind(self):
        return self


def test_the_matrix_and_the_km_summary_read_only_the_core_tables():
    for stmt in _matrix_statements():
        for name, found in tables_in(stmt).items():
            assert found == {tables.metadata.tables[name]}, name


def test_segment_sql_in_the_orms_queries_names_each_table_once():
    # The mileage estimate reads the Core readings and correlates with the caller's vehicle
    # (here the ORM's: segment filters, list queries, maintenance dates).
    kms = [{"field": f, "op": ">=", "value": 1} for f in ("estimated_km", "km_per_year")]
    for lateral in (False, True):
        flt = spec.parse({"version": 1, "where": {"and": [
            *kms, {"field": "days_to_maintenance", "op": "<=", "value": 30},
            {"field": "unresolved_complaint", "op": "=", "value": False}]}})
        members = compile_filter(flt, AS_OF, lateral=lateral).select
        ctx = Ctx(Question(AS_OF), customer_key=V.c.customer_id, lateral=lateral)
        due = select(V.c.id, maintenance.due_date(ctx)).select_from(ctx.outerjoin_all(V))
        for stmt in (members, candidate_query(members, AS_OF, "sales"), due):
            found = tables_in(stmt)
            assert all(len(objects) == 1 for objects in found.values()), found
            assert found["vehicle"] == {V} and found["mileage_reading"] == {
                tables.mileage_reading}
        assert tables_in(candidate_query(members, AS_OF, "sales"))["customer"] == {C}


@pytest.fixture
def demo_database(database):
    demo.generate(database, 300, seed=9, today=AS_OF)
    return database


def test_the_matrix_over_a_connection_answers_as_over_a_session(demo_database):
    db = demo_database
    for floor in (None, 50_000, 120_000):
        for as_of in (AS_OF, dt.date(2025, 6, 30)):
            # The connection builds the km summary when a floor asks for it, the session
            # then reads it.
            by_connection = matrix.matrix(db.engine.connect, as_of, floor)
            if floor is not None:
                with db.engine.connect() as conn:
                    assert summaries.is_current(conn, summaries.KM, as_of)
            assert by_connection == service.matrix(db.sessions, as_of, floor)
            assert by_connection == service.matrix(db.sessions, as_of, floor, use_summary=False)
    assert sum(c.vehicles for c in matrix.matrix(db.engine.connect, AS_OF).cells) > 50
