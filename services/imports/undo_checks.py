"""Why an import batch cannot be undone yet, each said as the error to raise: a later batch
changed its records, added records to its customers or cars, or counts its records as rows of
its own file; a merge has moved them since; records were added by hand to its customers."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from models import Base, CustomerMerge, ImportBatch, ImportChange, ImportCreated, Vehicle
from services.imports.results import source_name
from services.imports.stored import matched_of, overlap, records_of
from services.store.errors import N_, RevisitError

Runs = dict[str, list[tuple[int, int]]]
# Per table, the ids of the rows a batch changed, as a subquery: a big batch changed more rows
# than a statement may carry as parameters (65,535 on PostgreSQL; 54,000 customers changed by
# one file made its undo fail there).
Changed = dict[str, Select]


def created_runs(s: Session, batch_id: int) -> Runs:
    """The ids a batch created, as sorted runs per table."""
    runs: Runs = defaultdict(list)
    for table, a, b in s.execute(
        select(ImportCreated.table_name, ImportCreated.first_id, ImportCreated.last_id)
        .where(ImportCreated.batch_id == batch_id)
        .order_by(ImportCreated.table_name, ImportCreated.first_id)
    ):
        runs[table].append((a, b))
    return runs


def changed_tables(s: Session, batch_id: int) -> Changed:
    """The tables whose stored rows a batch changed, each with its changed ids' subquery."""
    tables = s.scalars(select(ImportChange.table_name)
                       .where(ImportChange.batch_id == batch_id).distinct()).all()
    return {table: changed_ids(batch_id, table) for table in sorted(tables)}


def changed_ids(batch_id: int, table: str) -> Select:
    return select(ImportChange.row_id).where(ImportChange.batch_id == batch_id,
                                             ImportChange.table_name == table)


def in_runs(column, runs: list[tuple[int, int]]):
    return or_(*(column.between(a, b) for a, b in runs))


def _in_ids(column, runs: list[tuple[int, int]], ids: Select | None):
    parts = [column.between(a, b) for a, b in runs]
    if ids is not None:
        parts.append(column.in_(ids))
    return or_(*parts)


def later_batch_conflict(s: Session, batch: ImportBatch, runs: Runs,
                         changed: Changed) -> RevisitError | None:
    """The refusal naming the first later batch (not undone) that changed a record this batch
    created or changed, created a record of a customer or car this batch created, or found a
    record this batch created stored and counts it as a row of its file (undo would delete a
    record that batch says it imported).

    A value this batch changed that a later batch found as it is does not refuse the undo:
    the later file may not carry that column at all (a work order this batch filled in, read
    again from a file without work orders), and the value goes back as it was, as it does
    for a value a later batch changed by hand."""
    later = list(
        s.scalars(
            select(ImportBatch)
            .where(ImportBatch.id > batch.id, ImportBatch.undone_at.is_(None))
            .order_by(ImportBatch.id)
        )
    )
    for other in later:
        if _changed_or_added_to(s, other, runs, changed):
            return RevisitError(
                N_("Cannot undo import batch #{id}: the later batch #{later} ({file}) changed "
                   "the same records. Undo batch #{later} first."),
                id=batch.id, later=other.id, file=source_name(other.file_name, other.sheet))
        matched = matched_of(records_of(other.records_json))
        counted = sum(overlap(runs.get(t, []), m) for t, m in matched.items())
        if counted:
            return RevisitError(
                N_("Cannot undo import batch #{id}: the later batch #{later} ({file}) counts "
                   "{records} of its records as imported (its file has them too). Undo batch "
                   "#{later} first."),
                id=batch.id, later=other.id, file=source_name(other.file_name, other.sheet),
                records=f"{counted:,}")
    return None


def _changed_or_added_to(s: Session, other: ImportBatch, runs: Runs,
                         changed: Changed) -> bool:
    for table in set(runs) | set(changed):
        hit = s.scalar(
            select(ImportChange.id)
            .where(
                ImportChange.batch_id == other.id,
                ImportChange.table_name == table,
                _in_ids(ImportChange.row_id, runs.get(table, []), changed.get(table)),
            )
            .limit(1)
        )
        if hit is not None:
            return True
    for table, table_runs in created_runs(s, other.id).items():
        t = Base.metadata.tables[table]
        for parent in ("customer", "vehicle"):
            column = t.c.get(f"{parent}_id")
            if column is None or not runs.get(parent):
                continue
            hit = s.scalar(
                select(t.c.id)
                .where(in_runs(t.c.id, table_runs), in_runs(column, runs[parent]))
                .limit(1)
            )
            if hit is not None:
                return True
    return False


def merge_since(s: Session, batch: ImportBatch, runs: Runs, changed: Changed) -> int | None:
    """A merge still in force, made after the batch, of a customer the batch created or
    changed, or into the customer now holding a car it created: undoing the batch would then
    delete or rewrite rows the merge moved."""
    customers = changed.get("customer")
    clauses = []
    if runs.get("customer"):
        clauses += [in_runs(CustomerMerge.kept_id, runs["customer"]),
                    in_runs(CustomerMerge.merged_id, runs["customer"])]
    if runs.get("vehicle"):
        holders = select(Vehicle.customer_id).where(in_runs(Vehicle.id, runs["vehicle"]))
        clauses.append(CustomerMerge.kept_id.in_(holders))
    if customers is not None:
        clauses += [CustomerMerge.kept_id.in_(customers),
                    CustomerMerge.merged_id.in_(customers)]
    if not clauses:
        return None
    return s.scalar(
        select(CustomerMerge.id)
        .where(CustomerMerge.undone_at.is_(None), CustomerMerge.merged_at >= batch.imported_at,
               or_(*clauses))
        .order_by(CustomerMerge.id.desc())
        .limit(1)
    )


def dependants_added_since(s: Session, runs: Runs) -> dict[str, int]:
    """Rows not written by this batch that belong to customers or vehicles it created: undo
    would delete them with their customer, so it is refused while they exist."""
    found: dict[str, int] = {}
    for t in Base.metadata.sorted_tables:
        for parent in ("customer", "vehicle"):
            column = t.c.get(f"{parent}_id")
            if column is None or not runs.get(parent) or t.name == parent:
                continue
            if not any(fk.column.table.name == parent for fk in column.foreign_keys):
                continue
            query = select(column).where(in_runs(column, runs[parent]))
            if runs.get(t.name) and "id" in t.c:
                query = query.where(~in_runs(t.c.id, runs[t.name]))
            n = len(s.execute(query.limit(1000)).all())
            if n:
                found[t.name] = found.get(t.name, 0) + n
    return found
