"""Import batches: the list of files imported, and undoing a whole batch (rows it created
deleted, rows it deleted put back, values it changed restored, the batch marked undone, the undo
audit-logged) — or all of it but the customers colleagues worked on since it created them, kept
with what it created for them (the batch then partly undone, its rows left listed). A batch its
own import took back when it stopped part-way is listed as interrupted, not undone.

An import stopped before its last rows (killed, or stopped by a signal) is completed by the
next import of the same file: the stopped batch keeps the records it stored and is marked
completed by the later one, and undoing the later batch undoes it too. To a clerk the stopped
import and the one that finished it are one import of the file; undoing the later alone would
leave the first rows of the file in, undoing the stopped one alone would delete records the
later one counts as imported."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, and_, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, Base, ImportBatch, ImportChange, ImportCreated
from models.base import utcnow
from services.imports.results import Issue, source_name
from services.imports.stored import notes_of, records_of
from services.imports.undo_checks import (
    Runs,
    Worked,
    WorkedSince,
    changed_ids,
    changed_tables,
    created_runs,
    in_runs,
    kept_rows,
    later_batch_conflict,
    merge_since,
    worked_since,
)
from services.imports.write_lock import held_by_another
from services.imports.writes import REMOVED, REMOVED_NEW, STAMPS, decode, encode
from services.staff.accounts import confirm
from services.staff.audit import audit
from services.staff.permissions import NOT_PASSED, UNDO_IMPORTS, Actor, NotPassed, require
from services.store.errors import N_, CancelToken, Progress, RevisitError
from services.store.versions import bumped

Sessions = sessionmaker[Session]
STEP = 5000  # records an undo puts back or deletes between two progress reports


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
    # None: the import is still running or its process was killed (some chunks are in); its
    # counts are those of the rows it stored.
    finished_at: dt.datetime | None = None
    # The later import of the same file that completed this stopped one (and undoes it too).
    completed_by: int | None = None
    # The stopped imports of the same file this one completed.
    completes: tuple[int, ...] = ()
    # Undone without the customers colleagues had worked on since: rows of it left, per table.
    left: dict[str, int] = field(default_factory=dict)
    # Stopped by a failure (the connection lost, the server ending the session, a full disk)
    # or a stop signal, and what it had stored taken back at once; or killed before its first
    # commit of rows, so nothing of it stored: nobody undid it.
    interrupted: bool = False

    @property
    def undone(self) -> bool:
        return self.undone_at is not None

    @property
    def source(self) -> str:
        return source_name(self.file_name, self.sheet)

    @property
    def unfinished(self) -> bool:
        return self.finished_at is None and self.undone_at is None


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    deleted: dict[str, int]  # rows deleted per table
    restored: int  # values put back as they were before the import
    kept: int  # values changed by hand since the import, left as they are now
    also: tuple[int, ...] = ()  # the stopped imports of the same file undone with it
    # The customers colleagues worked on since, kept with what the import created for them,
    # and the rows of the import left in per table (undone with keep_worked).
    kept_customers: tuple[Worked, ...] = ()
    left: dict[str, int] = field(default_factory=dict)

    @property
    def partly(self) -> bool:
        return bool(self.kept_customers)


def _info(b: ImportBatch, withdrawn: set[int] | frozenset[int] = frozenset()) -> BatchInfo:
    records = records_of(b.records_json)
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
        records=records.get("created", {}),
        changed_records=records.get("updated", {}),
        undone_at=b.undone_at,
        finished_at=b.finished_at,
        completed_by=records.get("completed_by"),
        completes=tuple(records.get("completes", ())),
        left=dict(records.get("left", {})),
        interrupted=b.id in withdrawn,
    )


def _withdrawn(s: Session, ids: list[int]) -> set[int]:
    """The batches among `ids` taken back by their own import when it stopped (the audit
    trail's import_withdraw), not undone by anyone."""
    if not ids:
        return set()
    return set(s.scalars(select(AuditLog.entity_id).where(
        AuditLog.action == "import_withdraw", AuditLog.entity == "import_batch",
        AuditLog.entity_id.in_(ids))))


def _stopped_empty(s: Session, found: list[ImportBatch], withdrawn: set[int]) -> set[int]:
    """The batches among `found` whose import stopped (killed) before its first commit of
    rows: nothing of them is stored. From its batch row's first commit to its first commit of
    rows a running import holds the write lock (engine._next_transaction: on PostgreSQL its
    batch row's lock, on SQLite the one write lock), so a batch that never committed rows
    ("created" not in its records) whose lock is free has no import running. On SQLite a write
    lock held by anyone leaves it unknown, so unfinished as before."""
    waiting = [b.id for b in found
               if b.finished_at is None and b.undone_at is None and b.id not in withdrawn
               and "created" not in records_of(b.records_json)]
    if not waiting:
        return set()
    bind = s.get_bind().engine
    if bind.dialect.name == "postgresql":
        # FOR SHARE conflicts with the running import's UPDATE of its row: skipped, not waited
        # for; the share lock ends with the listing's session.
        return set(s.scalars(select(ImportBatch.id).where(ImportBatch.id.in_(waiting))
                             .with_for_update(read=True, skip_locked=True)))
    # At once: a lock let go while waiting may be the running import's first commit of rows,
    # after `waiting` was read.
    if held_by_another(bind, wait_ms=0):
        return set()
    return set(waiting)


def list_batches(sessions: Sessions, limit: int = 50, kind: str | None = None) -> list[BatchInfo]:
    """The latest batches first."""
    query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(ImportBatch.kind == kind)
    with sessions() as s:
        found = list(s.scalars(query))
        withdrawn = _withdrawn(s, [b.id for b in found])
        stopped = withdrawn | _stopped_empty(s, found, withdrawn)
        return [_info(b, stopped) for b in found]


def get_batch(sessions: Sessions, batch_id: int) -> BatchInfo:
    with sessions() as s:
        batch = _batch(s, batch_id)
        withdrawn = _withdrawn(s, [batch_id])
        return _info(batch, withdrawn | _stopped_empty(s, [batch], withdrawn))


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


def _lock(s: Session, batch_id: int) -> None:
    """Take the batch's lock with a write that changes nothing, before anything the undo
    checks is read: on SQLite the transaction's first write (it waits for the one writer and
    reads what was committed before it), on PostgreSQL the batch's row lock (a second undo of
    the same batch waits and then finds it undone). The undo is quick enough to hold it
    throughout: 60,000 rows in a few seconds."""
    table = ImportBatch.__table__
    s.execute(update(table).where(table.c.id == batch_id)
              .values(undone_at=table.c.undone_at))


def _batch(s: Session, batch_id: int) -> ImportBatch:
    batch = s.get(ImportBatch, batch_id)
    if batch is None:
        raise RevisitError(N_("There is no import batch #{id}."), id=batch_id)
    return batch


def complete_earlier(s: Session, batch_id: int, kind: str, file_hash: str,
                     sheet: str | None) -> tuple[int, ...]:
    """Mark the stopped imports of the same file (bytes, kind and sheet) as completed by batch
    `batch_id`, in its last transaction; their ids. A stopped batch whose row is locked right
    now is still running in another program and is left alone; one running but between two
    of its commits stops at its next (engine._next_transaction)."""
    stopped = s.scalars(
        select(ImportBatch)
        .where(ImportBatch.id < batch_id, ImportBatch.kind == kind,
               ImportBatch.file_hash == file_hash,
               ImportBatch.sheet.is_(None) if sheet is None else ImportBatch.sheet == sheet,
               ImportBatch.finished_at.is_(None), ImportBatch.undone_at.is_(None))
        .order_by(ImportBatch.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    for earlier in stopped:
        # Its notes are in the completing import's report now.
        records = {k: v for k, v in records_of(earlier.records_json).items() if k != "notes"}
        earlier.records_json = json.dumps({**records, "completed_by": batch_id})
        earlier.finished_at = utcnow()
    s.flush()
    return tuple(b.id for b in stopped)


def stopped_notes(s: Session, kind: str, file_hash: str,
                  sheet: str | None) -> dict[int, list[Issue]]:
    """The row notes the stopped imports of the same file (bytes, kind and sheet) kept, per row
    number: the import completing them repeats them in its report."""
    notes: dict[int, list[Issue]] = defaultdict(list)
    for records_json in s.scalars(
        select(ImportBatch.records_json)
        .where(ImportBatch.kind == kind, ImportBatch.file_hash == file_hash,
               ImportBatch.sheet.is_(None) if sheet is None else ImportBatch.sheet == sheet,
               ImportBatch.finished_at.is_(None), ImportBatch.undone_at.is_(None))
        .order_by(ImportBatch.id)
    ):
        for number, issues in notes_of(records_of(records_json)).items():
            notes[number] += [i for i in issues if i not in notes[number]]
    return notes


def undo_batch(sessions: Sessions, batch_id: int,
               actor: Actor | None | NotPassed = NOT_PASSED, progress: Progress | None = None,
               cancel: CancelToken | None = None, keep_worked: bool = False) -> UndoResult:
    """Undo a whole batch in one transaction (a supervisor's right; NOT_PASSED: a caller from
    before accounts, unchecked), with the stopped imports of the same file it completed.
    Refused, with the reason, when the batch is already undone, when a later batch changed the
    same records or counts them as rows of its own file (undo that one first), when a later
    import of the same file completed this one (undo that one), or when records were added
    since to customers this batch created (a call, a list, a profile change: WorkedSince names
    them), which deleting those customers would take along. `keep_worked`: those customers
    stay instead, with what the batch created for them (their cars, visits), and the rest is
    undone; the batch is then partly undone (its `left` rows listed). A value changed by hand
    since the import is left as it is now (counted as kept), not overwritten with the value
    from before.

    `progress(done, total)` counts the records put back and deleted; `cancel` is checked
    between steps. Cancelled (or the process killed) before the end, nothing is undone: it is
    one transaction."""
    staff_id = None
    with sessions.begin() as s:
        if not isinstance(actor, NotPassed):
            staff_id = require(confirm(s, actor), UNDO_IMPORTS).id
        _lock(s, batch_id)
        batch = _batch(s, batch_id)
        later = records_of(batch.records_json).get("completed_by")
        if later is not None and batch.undone_at is None:
            raise RevisitError(
                N_("Cannot undo import batch #{id} alone: it stopped before its last rows, and "
                   "batch #{later}, a later import of the same file, completed it. Undo batch "
                   "#{later}, which takes #{id} with it."),
                id=batch_id, later=later)
        # The latest first: each is undone as the last batch standing on its records.
        earlier = [b for i in sorted(records_of(batch.records_json).get("completes", ()),
                                     reverse=True)
                   if (b := s.get(ImportBatch, i)) is not None and b.undone_at is None]
        steps = _Steps(sum(_size(s, b.id) for b in (batch, *earlier)), progress, cancel)
        result = _undo(s, batch, staff_id, "import_undo", steps, keep_worked)
        for b in earlier:
            part = _undo(s, b, staff_id, "import_undo", steps, keep_worked)
            result = UndoResult(batch_id, _summed(result.deleted, part.deleted),
                                result.restored + part.restored, result.kept + part.kept,
                                (*result.also, b.id),
                                (*result.kept_customers, *part.kept_customers),
                                _summed(result.left, part.left))
        steps.check()  # a cancel while the last step ran still leaves the batch in
        return result


def _summed(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {t: a.get(t, 0) + b.get(t, 0) for t in {**a, **b}}


def worked_on(sessions: Sessions, batch_id: int) -> list[Worked]:
    """The customers colleagues worked on since the batch (or a stopped import of the same file
    it completed) created them: an undo keeps them or is refused. Read before asking; none
    when the undo is refused first for another reason (a later batch on the same records, a
    merge since, already undone), which the undo then says."""
    with sessions() as s:
        batch = _batch(s, batch_id)
        ids = (batch_id, *records_of(batch.records_json).get("completes", ()))
        worked = []
        for b in (x for i in ids if (x := s.get(ImportBatch, i)) is not None):
            runs, changed = created_runs(s, b.id), changed_tables(s, b.id)
            if b.undone_at is not None or later_batch_conflict(s, b, runs, changed) \
                    or merge_since(s, b, runs, changed):
                return []  # refused before anything is kept: the undo says why
            worked += worked_since(s, runs)
        return worked


def withdraw_unfinished(sessions: Sessions, batch_id: int, staff_id: int | None) -> UndoResult:
    """Take back what an unfinished batch committed (its own import failed or was cancelled
    after some chunks were in): the importer's own step, so no supervisor's right is needed,
    and refused like an undo when others have built on it since."""
    with sessions.begin() as s:
        batch = _batch(s, batch_id)
        if batch.finished_at is not None:
            raise RevisitError(N_("Import batch #{id} is finished; undo it instead."),
                               id=batch_id)
        return _undo(s, batch, staff_id, "import_withdraw", _Steps(0, None, None))


class _Steps:
    """Progress over every batch an undo takes (records put back, then deleted), and the
    cancel checked at each step. The first report comes once the checks passed and the
    changed rows were read: an undo refused says so without a progress bar before it."""

    def __init__(self, total: int, progress: Progress | None,
                 cancel: CancelToken | None) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._cancel = cancel

    def check(self) -> None:
        if self._cancel is not None:
            self._cancel.check()

    def step(self, n: int) -> None:
        self.check()
        self.done += n
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)


def _size(s: Session, batch_id: int) -> int:
    """Records a batch's undo deletes or puts back (its progress total)."""
    created = s.scalar(select(func.coalesce(func.sum(ImportCreated.last_id
                                                     - ImportCreated.first_id + 1), 0))
                       .where(ImportCreated.batch_id == batch_id)) or 0
    rows = select(ImportChange.table_name, ImportChange.row_id).where(
        ImportChange.batch_id == batch_id).distinct().subquery()
    changed = s.scalar(select(func.count()).select_from(rows)) or 0
    return int(created) + int(changed)


def _undo(s: Session, batch: ImportBatch, staff_id: int | None, action: str,
          steps: _Steps, keep_worked: bool = False) -> UndoResult:
    batch_id = batch.id
    if batch.undone_at is not None:
        raise RevisitError(
            N_("Import batch #{id} was already undone on {when}."),
            id=batch_id,
            when=batch.undone_at.strftime("%Y-%m-%d %H:%M"),
        )
    runs = created_runs(s, batch_id)
    changed = changed_tables(s, batch_id)
    refusal = later_batch_conflict(s, batch, runs, changed)
    if refusal is not None:
        raise refusal
    merge = merge_since(s, batch, runs, changed)
    if merge is not None:
        raise RevisitError(
            N_("Cannot undo import batch #{id}: merge #{merge} has since moved records of "
               "customers it created or changed. Undo merge #{merge} first."),
            id=batch_id, merge=merge)
    # Restored first: a car the batch handed over to a customer it created goes back to its
    # owner before, so only what others added since keeps the customer from being deleted.
    # (Refused, the transaction is rolled back and nothing was restored.)
    restored, kept, moved = _put_back(s, batch_id, steps)
    for table in changed:
        r, k = _restore(s, batch_id, table, steps, moved)
        restored, kept = restored + r, kept + k
    worked = worked_since(s, runs)
    if worked and not keep_worked:
        raise WorkedSince(batch_id, worked)
    keep = kept_rows(runs) if worked else {}
    deleted = _delete_created(s, runs, steps, keep)
    left = _left(s, runs, keep)
    batch.undone_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    batch.undone_by = staff_id
    detail: dict[str, Any] = {"file": batch.file_name, "deleted": deleted,
                              "restored": restored, "kept": kept}
    if worked:
        detail |= {"kept_customers": [w.customer_id for w in worked], "left": left}
        batch.records_json = json.dumps({**records_of(batch.records_json), "left": left})
    audit(s, action, "import_batch", batch_id, detail, staff_id)
    return UndoResult(batch_id, deleted, restored, kept, (), tuple(worked), left)


def _left(s: Session, runs: Runs, keep: dict[str, Any]) -> dict[str, int]:
    """Per table, the rows the batch created that an undo keeping the customers worked on
    since left in."""
    left = {}
    for name in keep:
        t = Base.metadata.tables[name]
        n = s.scalar(select(func.count()).select_from(t)
                     .where(in_runs(t.c.id, runs[name]))) or 0
        if n:
            left[name] = int(n)
    return left


# Per table, the ids of rows put back under another id (old id -> new id).
Moved = dict[str, dict[int, int]]


def _put_back(s: Session, batch_id: int, steps: _Steps) -> tuple[int, int, Moved]:
    """Insert again the stored rows the batch deleted (a visit a reversal cancelled), parents
    first, under their own ids; (rows put back, rows not, ids moved). A row whose id another
    row has taken since (SQLite hands the highest id out again) gets a new one, and the values
    restored after that referred to it follow it. A row whose customer is gone since is not
    put back; a car gone since is left out of it."""
    by_table: dict[str, list[str | None]] = defaultdict(list)
    for table, old in s.execute(
        select(ImportChange.table_name, ImportChange.old_value)
        .where(ImportChange.batch_id == batch_id, ImportChange.column_name == REMOVED)
        .order_by(ImportChange.id)
    ):
        by_table[table].append(old)
    back = lost = 0
    moved: Moved = defaultdict(dict)
    for t in Base.metadata.sorted_tables:
        for encoded in by_table.get(t.name, ()):
            row = {c: decode(t.name, c, v) for c, v in json.loads(encoded or "{}").items()
                   if c in t.c}
            if not _parents_there(s, t, row, moved):
                lost += 1
                continue
            if s.scalar(select(t.c.id).where(t.c.id == row["id"])) is not None:
                old_id = row.pop("id")
                moved[t.name][old_id] = s.execute(
                    t.insert().values(row).returning(t.c.id)).scalar_one()
            else:
                s.execute(t.insert().values(row))
            back += 1
        steps.step(len(by_table.get(t.name, ())))
    return back, lost, moved


def _parents_there(s: Session, t: Table, row: dict[str, Any], moved: Moved) -> bool:
    """Whether the rows `row` refers to are still stored (a reference that may be empty is
    emptied when its row is gone; one that may not makes the row impossible to put back)."""
    for column in t.columns:
        for fk in column.foreign_keys:
            value = row.get(column.name)
            if value is None:
                continue
            parent = fk.column.table
            value = row[column.name] = moved.get(parent.name, {}).get(value, value)
            if s.scalar(select(fk.column).where(fk.column == value)) is None:
                if not column.nullable:
                    return False
                row[column.name] = None
    return True


def _followed(t: Table, column: str, value: Any, moved: Moved) -> Any:
    """A value put back that refers to a row put back under another id: that id."""
    for fk in t.c[column].foreign_keys:
        value = moved.get(fk.column.table.name, {}).get(value, value)
    return value


def _restore(s: Session, batch_id: int, table: str, steps: _Steps,
             moved: Moved) -> tuple[int, int]:
    """Put back the values from before the import in the table's rows the batch changed,
    except where the value now stored is no longer the one the import wrote (someone changed
    it since). The rows are read in one query (locked on PostgreSQL until the undo commits,
    so an edit saved meanwhile waits instead of being written over) and written back with one
    UPDATE per set of columns: a statement per row took 24 s for 54,000 customers on SQLite,
    and on PostgreSQL the undo failed (their ids were more than a statement's parameters)."""
    t = Base.metadata.tables[table]
    # Per row and column: the value before the batch's first change, after its last.
    by_row: dict[int, dict[str, tuple[str | None, str | None]]] = defaultdict(dict)
    for row_id, column, old, new in s.execute(
        select(ImportChange.row_id, ImportChange.column_name, ImportChange.old_value,
               ImportChange.new_value)
        .where(ImportChange.batch_id == batch_id, ImportChange.table_name == table,
               ImportChange.column_name.notin_((REMOVED, REMOVED_NEW)))
        .order_by(ImportChange.id)
    ):
        row = by_row[row_id]
        row[column] = (row[column][0] if column in row else old, new)
    columns = sorted({c for row in by_row.values() for c in row})
    current = {
        r[0]: dict(zip(columns, r[1:], strict=True))
        for r in s.execute(select(t.c.id, *(t.c[c] for c in columns))
                           .where(t.c.id.in_(changed_ids(batch_id, table)))
                           .with_for_update())
    }
    restored = kept = 0
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row_id, row_changes in by_row.items():
        now = current.get(row_id)
        if now is None:  # deleted since; nothing to put back
            kept += len(set(row_changes) - STAMPS)
            continue
        values = {}
        for column, (before, written) in row_changes.items():
            back = encode(now[column]) == written
            if back:
                values[column] = _followed(t, column, decode(table, column, before), moved)
            if column not in STAMPS:
                restored += back
                kept += not back
        if values:
            groups[tuple(sorted(values))].append({"id": row_id, **values})
    steps.step(len(by_row) - sum(len(g) for g in groups.values()))
    for names, rows in groups.items():
        _write_back(s, t, names, rows, steps)
    return restored, kept


def _write_back(s: Session, t: Table, names: tuple[str, ...], rows: list[dict[str, Any]],
                steps: _Steps) -> None:
    """Set `names` of the rows to their values with one UPDATE … FROM a temporary table
    holding them (filled a few thousand rows at a time), dropped at the end of the
    transaction: PostgreSQL took a second per 10,000 rows updated one statement each."""
    conn = s.connection()
    held = Table(f"undo_{t.name}", MetaData(), Column("id", Integer, primary_key=True),
                 *(Column(c, t.c[c].type) for c in names),
                 prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
    held.create(conn)
    for i in range(0, len(rows), STEP):
        part = rows[i : i + STEP]
        conn.execute(held.insert(), part)
        steps.step(len(part))
    conn.execute(update(t).where(t.c.id == held.c.id)
                 .values(bumped(t, {c: held.c[c] for c in names})))
    held.drop(conn)


def _delete_created(s: Session, runs: Runs, steps: _Steps,
                    keep: dict[str, Any]) -> dict[str, int]:
    """Delete the rows the batch created, children first, a few thousand ids a statement
    (each a handful of id ranges) so that progress moves and a cancel is heard; those `keep`
    holds for their table (the customers worked on since, and what belongs to them) stay."""
    deleted: dict[str, int] = {}
    for t in reversed(Base.metadata.sorted_tables):
        table_runs = runs.get(t.name)
        if not table_runs:
            continue
        n = 0
        for part, size in _pieces(table_runs):
            where = and_(in_runs(t.c.id, part))
            if t.name in keep:
                where = and_(where, ~keep[t.name])
            result = s.execute(delete(t).where(where))
            n += result.rowcount or 0  # type: ignore[attr-defined]
            steps.step(size)
        deleted[t.name] = n
    return deleted


def _pieces(runs: list[tuple[int, int]]) -> list[tuple[list[tuple[int, int]], int]]:
    """The runs in pieces of at most STEP ids and 200 runs: (runs, ids) each."""
    pieces: list[tuple[list[tuple[int, int]], int]] = []
    part: list[tuple[int, int]] = []
    size = 0
    for a, b in runs:
        while a <= b:
            end = min(b, a + STEP - size - 1)
            part.append((a, end))
            size += end - a + 1
            a = end + 1
            if size >= STEP or len(part) >= 200:
                pieces.append((part, size))
                part, size = [], 0
    if part:
        pieces.append((part, size))
    return pieces
