"""Import batches: the list of files imported, and undoing a whole batch (rows it created
deleted, values it changed restored, the batch marked undone, the undo audit-logged)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import Base, CustomerMerge, ImportBatch, ImportChange, ImportCreated, Vehicle
from services.imports.writes import STAMPS, decode, encode
from services.staff.accounts import confirm
from services.staff.audit import audit
from services.staff.permissions import NOT_PASSED, UNDO_IMPORTS, Actor, NotPassed, require
from services.store.errors import N_, RevisitError
from services.store.versions import bumped

Sessions = sessionmaker[Session]
Runs = dict[str, list[tuple[int, int]]]


@dataclass(frozen=True)
class BatchInfo:
    id: int
    kind: str
    file_name: str
    file_hash: str
    sheet: str | None
    staff_id: int | None
    imported_at: dt.datetime
    rows_total: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    records: dict[str, int]  # rows created per table
    changed_records: dict[str, int]  # stored rows changed per table
    undone_at: dt.datetime | None
    # None: the import is still running or its process was killed (some chunks are in).
    finished_at: dt.datetime | None = None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None

    @property
    def unfinished(self) -> bool:
        return self.finished_at is None and self.undone_at is None


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    deleted: dict[str, int]  # rows deleted per table
    restored: int  # values put back as they were before the import
    kept: int  # values changed by hand since the import, left as they are now


def _info(b: ImportBatch) -> BatchInfo:
    return BatchInfo(
        id=b.id,
        kind=b.kind,
        file_name=b.file_name,
        file_hash=b.file_hash,
        sheet=b.sheet,
        staff_id=b.staff_id,
        imported_at=b.imported_at,
        rows_total=b.rows_total,
        created=b.rows_created,
        updated=b.rows_updated,
        unchanged=b.rows_unchanged,
        rejected=b.rows_rejected,
        records=json.loads(b.records_json or "{}").get("created", {}),
        changed_records=json.loads(b.records_json or "{}").get("updated", {}),
        undone_at=b.undone_at,
        finished_at=b.finished_at,
    )


def list_batches(sessions: Sessions, limit: int = 50, kind: str | None = None) -> list[BatchInfo]:
    """The latest batches first."""
    query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(ImportBatch.kind == kind)
    with sessions() as s:
        return [_info(b) for b in s.scalars(query)]


def get_batch(sessions: Sessions, batch_id: int) -> BatchInfo:
    with sessions() as s:
        return _info(_batch(s, batch_id))


def batches_of_file(sessions: Sessions, file_hash: str) -> list[BatchInfo]:
    """Earlier imports of the same bytes (not undone), newest first."""
    with sessions() as s:
        return [
            _info(b)
            for b in s.scalars(
                select(ImportBatch)
                .where(ImportBatch.file_hash == file_hash, ImportBatch.undone_at.is_(None))
                .order_by(ImportBatch.id.desc())
            )
        ]


def _batch(s: Session, batch_id: int) -> ImportBatch:
    batch = s.get(ImportBatch, batch_id)
    if batch is None:
        raise RevisitError(N_("There is no import batch #{id}."), id=batch_id)
    return batch


def _runs(s: Session, batch_id: int) -> Runs:
    runs: Runs = defaultdict(list)
    for table, a, b in s.execute(
        select(ImportCreated.table_name, ImportCreated.first_id, ImportCreated.last_id)
        .where(ImportCreated.batch_id == batch_id)
        .order_by(ImportCreated.table_name, ImportCreated.first_id)
    ):
        runs[table].append((a, b))
    return runs


def _in_runs(column, runs: list[tuple[int, int]]):
    return or_(*(column.between(a, b) for a, b in runs))


def _in_ids(column, runs: list[tuple[int, int]], ids: set[int]):
    parts = [column.between(a, b) for a, b in runs]
    if ids:
        parts.append(column.in_(sorted(ids)))
    return or_(*parts)


def _later_batch_conflict(s: Session, batch: ImportBatch, runs: Runs,
                          changed: dict[str, set[int]]) -> ImportBatch | None:
    """The first later batch (not undone) that changed a row this batch created or changed,
    or created a row belonging to a customer or vehicle this batch created."""
    later = list(
        s.scalars(
            select(ImportBatch)
            .where(ImportBatch.id > batch.id, ImportBatch.undone_at.is_(None))
            .order_by(ImportBatch.id)
        )
    )
    for other in later:
        for table in set(runs) | set(changed):
            hit = s.scalar(
                select(ImportChange.id)
                .where(
                    ImportChange.batch_id == other.id,
                    ImportChange.table_name == table,
                    _in_ids(ImportChange.row_id, runs.get(table, []), changed.get(table, set())),
                )
                .limit(1)
            )
            if hit is not None:
                return other
        other_runs = _runs(s, other.id)
        for table, table_runs in other_runs.items():
            t = Base.metadata.tables[table]
            for parent in ("customer", "vehicle"):
                column = t.c.get(f"{parent}_id")
                if column is None or not runs.get(parent):
                    continue
                hit = s.scalar(
                    select(t.c.id)
                    .where(_in_runs(t.c.id, table_runs), _in_runs(column, runs[parent]))
                    .limit(1)
                )
                if hit is not None:
                    return other
    return None


def _merge_since(s: Session, batch: ImportBatch, runs: Runs,
                 changed: dict[str, set[int]]) -> int | None:
    """A merge still in force, made after the batch, of a customer the batch created or
    changed, or into the customer now holding a car it created: undoing the batch would then
    delete or rewrite rows the merge moved."""
    customers: set[int] = set(changed.get("customer", set()))
    clauses = []
    if runs.get("customer"):
        clauses += [_in_runs(CustomerMerge.kept_id, runs["customer"]),
                    _in_runs(CustomerMerge.merged_id, runs["customer"])]
    if runs.get("vehicle"):
        holders = select(Vehicle.customer_id).where(_in_runs(Vehicle.id, runs["vehicle"]))
        clauses.append(CustomerMerge.kept_id.in_(holders))
    if customers:
        clauses += [CustomerMerge.kept_id.in_(sorted(customers)),
                    CustomerMerge.merged_id.in_(sorted(customers))]
    if not clauses:
        return None
    return s.scalar(
        select(CustomerMerge.id)
        .where(CustomerMerge.undone_at.is_(None), CustomerMerge.merged_at >= batch.imported_at,
               or_(*clauses))
        .order_by(CustomerMerge.id.desc())
        .limit(1)
    )


def _dependants_added_since(s: Session, runs: Runs) -> dict[str, int]:
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
            query = select(column).where(_in_runs(column, runs[parent]))
            if runs.get(t.name) and "id" in t.c:
                query = query.where(~_in_runs(t.c.id, runs[t.name]))
            n = len(s.execute(query.limit(1000)).all())
            if n:
                found[t.name] = found.get(t.name, 0) + n
    return found


def undo_batch(sessions: Sessions, batch_id: int,
               actor: Actor | None | NotPassed = NOT_PASSED) -> UndoResult:
    """Undo a whole batch in one transaction (a supervisor's right; NOT_PASSED: a caller from
    before accounts, unchecked). Refused, with the reason, when the batch is
    already undone, when a later batch changed the same records (undo that one first), or when
    records were added since to customers this batch created (contacts, list runs, …), which
    deleting those customers would take along. A value changed by hand since the import is
    left as it is now (counted as kept), not overwritten with the value from before."""
    staff_id = None
    with sessions.begin() as s:
        if not isinstance(actor, NotPassed):
            staff_id = require(confirm(s, actor), UNDO_IMPORTS).id
        batch = _batch(s, batch_id)
        return _undo(s, batch, staff_id, "import_undo")


def withdraw_unfinished(sessions: Sessions, batch_id: int, staff_id: int | None) -> UndoResult:
    """Take back what an unfinished batch committed (its own import failed or was cancelled
    after some chunks were in): the importer's own step, so no supervisor's right is needed,
    and refused like an undo when others have built on it since."""
    with sessions.begin() as s:
        batch = _batch(s, batch_id)
        if batch.finished_at is not None:
            raise RevisitError(N_("Import batch #{id} is finished; undo it instead."),
                               id=batch_id)
        return _undo(s, batch, staff_id, "import_withdraw")


def _undo(s: Session, batch: ImportBatch, staff_id: int | None, action: str) -> UndoResult:
    batch_id = batch.id
    if batch.undone_at is not None:
        raise RevisitError(
            N_("Import batch #{id} was already undone on {when}."),
            id=batch_id,
            when=batch.undone_at.strftime("%Y-%m-%d %H:%M"),
        )
    runs = _runs(s, batch_id)
    changes = list(
        s.scalars(
            select(ImportChange)
            .where(ImportChange.batch_id == batch_id)
            .order_by(ImportChange.id)
        )
    )
    changed: dict[str, set[int]] = defaultdict(set)
    for c in changes:
        changed[c.table_name].add(c.row_id)
    later = _later_batch_conflict(s, batch, runs, changed)
    if later is not None:
        raise RevisitError(
            N_(
                "Cannot undo import batch #{id}: the later batch #{later} ({file}) changed "
                "the same records. Undo batch #{later} first."
            ),
            id=batch_id,
            later=later.id,
            file=later.file_name,
        )
    merge = _merge_since(s, batch, runs, changed)
    if merge is not None:
        raise RevisitError(
            N_("Cannot undo import batch #{id}: merge #{merge} has since moved records of "
               "customers it created or changed. Undo merge #{merge} first."),
            id=batch_id, merge=merge)
    # Restored first: a car the batch handed over to a customer it created goes back to its
    # owner before, so only what others added since keeps the customer from being deleted.
    # (Refused, the transaction is rolled back and nothing was restored.)
    restored, kept = _restore(s, changes)
    added = _dependants_added_since(s, runs)
    if added:
        raise RevisitError(
            N_(
                "Cannot undo import batch #{id}: records were added since to customers it "
                "created ({tables}); undo would delete them with those customers."
            ),
            id=batch_id,
            tables=", ".join(f"{t} {n}" for t, n in sorted(added.items())),
        )
    deleted = _delete_created(s, runs)
    batch.undone_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    batch.undone_by = staff_id
    audit(s, action, "import_batch", batch_id,
          {"file": batch.file_name, "deleted": deleted, "restored": restored, "kept": kept},
          staff_id)
    return UndoResult(batch_id, deleted, restored, kept)


def _restore(s: Session, changes: list[ImportChange]) -> tuple[int, int]:
    """Put back the values from before the import, except where the value now stored is no
    longer the one the import wrote (someone changed it since)."""
    restored = kept = 0
    # Per row and column: the value before the batch's first change, after its last.
    by_row: dict[tuple[str, int], dict[str, tuple[str | None, str | None]]] = defaultdict(dict)
    for c in changes:
        before = by_row[(c.table_name, c.row_id)].get(c.column_name, (c.old_value, None))[0]
        by_row[(c.table_name, c.row_id)][c.column_name] = (before, c.new_value)
    for (table, row_id), row_changes in by_row.items():
        t = Base.metadata.tables[table]
        current = s.execute(select(t).where(t.c.id == row_id)).mappings().first()
        if current is None:  # deleted since; nothing to put back
            kept += len(set(row_changes) - STAMPS)
            continue
        values = {}
        for column, (before, written) in row_changes.items():
            back = encode(current[column]) == written
            if back:
                values[column] = decode(table, column, before)
            if column not in STAMPS:
                restored += back
                kept += not back
        if values:
            s.execute(update(t).where(t.c.id == row_id).values(bumped(t, values)))
    return restored, kept


def _delete_created(s: Session, runs: Runs) -> dict[str, int]:
    deleted: dict[str, int] = {}
    for t in reversed(Base.metadata.sorted_tables):
        table_runs = runs.get(t.name)
        if not table_runs:
            continue
        n = 0
        for i in range(0, len(table_runs), 200):
            part = table_runs[i : i + 200]
            result = s.execute(delete(t).where(and_(_in_runs(t.c.id, part))))
            n += result.rowcount or 0  # type: ignore[attr-defined]
        deleted[t.name] = n
    return deleted
