"""Undo never deletes records a later batch counts as imported: a later file that has the same
customers, cars or visits (found stored, counted unchanged) holds the earlier batch's undo,
with one sentence naming it, as a later batch that changed them does. On SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.store.errors import RevisitError
from tests.services.import_files import (
    DMS_HEADERS,
    DMS_ROWS,
    VISIT_HEADERS,
    VISIT_ROWS,
    counts,
    customer_rows,
    dms_export,
    snapshot,
    write_csv,
)

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def test_a_later_file_with_the_same_customers_holds_the_undo_of_the_first(database, tmp_path,
                                                                          supervisor):
    before = snapshot(database)
    first = apply(database.sessions, write_csv(tmp_path / "一月.csv", DMS_HEADERS,
                                               customer_rows(5)), CUSTOMERS)
    # February's export: two of January's owners as they are, and one new.
    second = apply(database.sessions, write_csv(tmp_path / "二月.csv", DMS_HEADERS,
                                                customer_rows(2, start=3)
                                                + customer_rows(1, start=100)), CUSTOMERS)
    assert (second.created, second.unchanged) == (1, 2)
    held = snapshot(database)
    with pytest.raises(RevisitError) as refused:
        batches.undo_batch(database.sessions, first.batch_id, supervisor)
    # Two customers and their two cars.
    assert str(refused.value) == (
        f"Cannot undo import batch #{first.batch_id}: the later batch #{second.batch_id} "
        f"(二月.csv) counts 4 of its records as imported (its file has them too). Undo batch "
        f"#{second.batch_id} first.")
    assert snapshot(database) == held
    assert not batches.get_batch(database.sessions, first.batch_id).undone
    batches.undo_batch(database.sessions, second.batch_id, supervisor)
    batches.undo_batch(database.sessions, first.batch_id, supervisor)
    assert snapshot(database) == before


def test_the_same_visits_read_again_hold_the_undo_of_the_first_visits_file(database, tmp_path,
                                                                           supervisor):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    visits = write_csv(tmp_path / "进厂.csv", VISIT_HEADERS, VISIT_ROWS[:2])
    options = ImportOptions("visits", today=TODAY)
    first = apply(database.sessions, visits, options)
    assert first.created == 2
    before_visits = snapshot(database)
    again = apply(database.sessions, visits, options)
    assert (again.created, again.unchanged) == (0, 2)
    with pytest.raises(RevisitError, match=rf"the later batch #{again.batch_id} \(进厂.csv\) "
                                           r"counts 2 of its records as imported"):
        batches.undo_batch(database.sessions, first.batch_id, supervisor)
    assert snapshot(database) == before_visits
    batches.undo_batch(database.sessions, again.batch_id, supervisor)
    batches.undo_batch(database.sessions, first.batch_id, supervisor)
    assert "service_visit" not in counts(database)


def test_a_later_file_of_other_customers_leaves_the_undo_free(database, tmp_path, supervisor):
    first = apply(database.sessions, write_csv(tmp_path / "一月.csv", DMS_HEADERS,
                                               customer_rows(3)), CUSTOMERS)
    second = apply(database.sessions, write_csv(tmp_path / "二月.csv", DMS_HEADERS,
                                                customer_rows(3, start=10)), CUSTOMERS)
    assert second.created == 3
    undone = batches.undo_batch(database.sessions, first.batch_id, supervisor)
    assert undone.deleted["customer"] == 3 and undone.also == ()
    assert counts(database)["customer"] == 3


def test_an_undone_later_batch_no_longer_holds_the_undo(database, tmp_path, supervisor):
    before = snapshot(database)
    path = dms_export(tmp_path / "保有.xlsx", DMS_ROWS[:4])
    first = apply(database.sessions, path, CUSTOMERS)
    second = apply(database.sessions, path, CUSTOMERS)
    assert second.unchanged == 4 and second.completes == ()  # the first was finished
    batches.undo_batch(database.sessions, second.batch_id, supervisor)
    assert batches.undo_batch(database.sessions, first.batch_id, supervisor).also == ()
    assert snapshot(database) == before
