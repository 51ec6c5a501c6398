"""Writing an import a chunk at a time, in the import's current transaction: ids handed out
ahead (so rows created by the file can be referred to before they are written), inserts in
bulk, updates grouped by the columns they change, and a record of what was created and
changed, for undo, committed with the rows.

No value longer than its column reaches the database: SQLite would store it and PostgreSQL
refuse the whole chunk (COPY stops at the first), so a file would import on one and fail on
the other. The cleaning cuts what it knows of (a field's max_length); whatever else would not
fit is cut here and noted on the row that wrote it."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from models import Base
from services.imports.results import Issue, RowResult
from services.store.bulk import copy_rows
from services.store.versions import bumped

ID_BLOCK = 1000  # ids fetched from a PostgreSQL sequence at a time
UPDATE_TRACKED = "import_change"
# The column an import_change row names for a stored row the batch deleted (a visit a reversal
# cancelled): its old_value holds the whole row, as JSON of encoded values, for undo to put
# back.
REMOVED = "(removed)"
# The same for a row the batch itself made and deleted: nothing for undo to put back, but a
# later import may ask what the batch cancelled (services/imports/reversals.py).
REMOVED_NEW = "(removed new)"
# Stamps, not values: undo puts them back too, but they are not counted as values.
STAMPS = frozenset({"updated_at"})


def encode(value: Any) -> str | None:
    """A stored value as text for import_change (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def decode(table: str, column: str, value: str | None) -> Any:
    """import_change text back into the column's Python value."""
    if value is None:
        return None
    kind = Base.metadata.tables[table].c[column].type.python_type
    if kind is bool:
        return value == "1"
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if kind is int:
        return int(value)
    return value


@cache
def column_limits(table: str) -> tuple[tuple[str, int], ...]:
    """(column, most characters) of each of the table's text columns that has a length."""
    return tuple((c.name, c.type.length) for c in Base.metadata.tables[table].columns
                 if isinstance(c.type, String) and c.type.length)


def fit_columns(table: str, values: dict[str, Any], row: RowResult | None) -> None:
    """Cut, in `values`, each text longer than its column to the column's length, with a note
    on `row` naming the column and its length."""
    for column, limit in column_limits(table):
        value = values.get(column)
        if isinstance(value, str) and len(value) > limit:
            values[column] = value[:limit]
            if row is not None:
                row.issues.append(Issue("text_truncated", column, "warning", limit=limit))


def _parts(ids: list[int], size: int = 900) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def id_runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) runs of consecutive ids."""
    runs: list[tuple[int, int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class Writer:
    """Collects one chunk's writes and flushes them on `flush()` in the caller's transaction.
    Rows this writer created are remembered as id runs per table."""

    def __init__(self, conn: Connection, batch_id: int) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self._postgres = conn.dialect.name == "postgresql"
        self._next: dict[str, int] = {}
        self._reserved: dict[str, list[int]] = defaultdict(list)
        self._inserts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._pending: dict[str, set[int]] = defaultdict(set)
        self._updates: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self._changes: list[dict[str, Any]] = []
        self._removals: dict[str, list[int]] = defaultdict(list)
        self.created: dict[str, set[int]] = defaultdict(set)
        self._unrecorded: dict[str, list[int]] = defaultdict(list)  # created, not yet recorded
        self.counts: Counter[str] = Counter()  # rows inserted per table
        self.changed_rows: Counter[str] = Counter()  # rows of earlier data updated per table
        self._changed_seen: set[tuple[str, int]] = set()
        self.now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # The row of the file being worked out (set by whoever works it out), and the row that
        # last wrote each record of the chunk: a value cut to its column is noted on it.
        self.row: RowResult | None = None
        self._written_by: dict[tuple[str, int], RowResult | None] = {}

    # -- ids -------------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        if self._postgres:
            reserved = self._reserved[table]
            if not reserved:
                reserved.extend(
                    reversed(
                        self.conn.execute(
                            text(
                                "SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                                "FROM generate_series(1, :n)"
                            ),
                            {"t": table, "n": ID_BLOCK},
                        ).scalars().all()
                    )
                )
            return reserved.pop()
        # SQLite: the transaction already holds the write lock (the batch row is written
        # first), so nobody else can take these ids.
        if table not in self._next:
            t = Base.metadata.tables[table]
            self._next[table] = (self.conn.scalar(select(func.max(t.c.id))) or 0) + 1
        value = self._next[table]
        self._next[table] += 1
        return value

    # -- writes ----------------------------------------------------------------------------

    def insert(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Queue a new row (its dict is kept, so later rows of the same chunk may still change
        it); gives it an id when it has none."""
        if row.get("id") is None:
            row["id"] = self.new_id(table)
        fit_columns(table, row, self.row)
        self._written_by[(table, row["id"])] = self.row
        self._inserts[table].append(row)
        self._pending[table].add(row["id"])
        self.created[table].add(row["id"])
        self._unrecorded[table].append(row["id"])
        return row

    def amend(self, table: str, row_id: int, new: dict[str, Any], old: dict[str, Any]) -> None:
        """Change a row the caller holds as a dict: one still waiting to be inserted is written
        with the dict as the caller changes it, a stored one is updated. Values too long for
        their column are cut in `new` itself, so the caller goes on with what is stored."""
        fit_columns(table, new, self.row)
        self._written_by[(table, row_id)] = self.row
        if row_id not in self._pending[table]:
            self.update(table, row_id, new, old)

    def update(self, table: str, row_id: int, new: dict[str, Any], old: dict[str, Any]) -> None:
        """Change columns of a stored row; a row the batch did not create has every value's
        before and after kept for undo."""
        if not new:
            return
        fit_columns(table, new, self.row)
        self._updates[table].setdefault(row_id, {}).update(new)
        if row_id in self.created[table]:
            return
        if (table, row_id) not in self._changed_seen:
            self._changed_seen.add((table, row_id))
            self.changed_rows[table] += 1
        for column, value in new.items():
            self._changes.append(
                {
                    "batch_id": self.batch_id,
                    "table_name": table,
                    "row_id": row_id,
                    "column_name": column,
                    "old_value": encode(old.get(column)),
                    "new_value": encode(value),
                }
            )

    def remove(self, table: str, row: dict[str, Any]) -> None:
        """Delete a row (the whole of it, as read), kept whole in import_change: a stored one
        for undo to put back, one the batch created (then taken off what it created) as what
        the batch cancelled.
        Rows that refer to it are the caller's to update first, so undo restores them too."""
        row_id = row["id"]
        pending = row_id in self._pending[table]
        if pending:  # not yet written: never written
            self._inserts[table] = [r for r in self._inserts[table] if r["id"] != row_id]
            self._pending[table].discard(row_id)
        else:
            self._removals[table].append(row_id)
        self._updates[table].pop(row_id, None)
        if row_id in self.created[table]:
            self.created[table].discard(row_id)
            if row_id in self._unrecorded[table]:
                self._unrecorded[table].remove(row_id)
            else:  # its id is in a run committed before; SQLite hands a deleted id out again
                self._unrecord(table, row_id)
            if not pending:
                self.counts[table] -= 1  # counted when written
            said = REMOVED_NEW
        else:
            said = REMOVED
            if (table, row_id) not in self._changed_seen:
                self._changed_seen.add((table, row_id))
                self.changed_rows[table] += 1
        whole = {c.name: encode(row.get(c.name)) for c in Base.metadata.tables[table].columns}
        self._changes.append({"batch_id": self.batch_id, "table_name": table, "row_id": row_id,
                              "column_name": said, "old_value": json.dumps(whole),
                              "new_value": None})

    def _unrecord(self, table: str, row_id: int) -> None:
        """Take an id off the batch's recorded runs of created rows: on SQLite a later row may
        get the same id (the highest plus one), and undo would delete that row."""
        created = Base.metadata.tables["import_created"]
        mine = (created.c.batch_id == self.batch_id, created.c.table_name == table)
        found = self.conn.execute(select(created.c.first_id, created.c.last_id)
                                  .where(*mine, created.c.first_id <= row_id,
                                         created.c.last_id >= row_id)).first()
        if found is None:
            return
        self.conn.execute(delete(created).where(*mine, created.c.first_id == found.first_id))
        parts = [(a, b) for a, b in ((found.first_id, row_id - 1), (row_id + 1, found.last_id))
                 if a <= b]
        if parts:
            self.conn.execute(created.insert(), [
                {"batch_id": self.batch_id, "table_name": table, "first_id": a, "last_id": b}
                for a, b in parts])

    def flush(self) -> None:
        """Write the chunk: inserts parents first (metadata order), then updates, then
        deletes (children first)."""
        for t in Base.metadata.sorted_tables:
            rows = self._inserts.pop(t.name, None)
            self._pending.pop(t.name, None)
            if rows:
                # A row waiting to be inserted is the caller's dict, which later rows of the
                # chunk may have changed since insert() saw it.
                for row in rows:
                    fit_columns(t.name, row, self._written_by.get((t.name, row["id"])))
                self._insert_rows(t, rows)
                self.counts[t.name] += len(rows)
        for name, by_id in self._updates.items():
            self._update_rows(Base.metadata.tables[name], by_id)
        self._updates.clear()
        if self._changes:
            self.conn.execute(Base.metadata.tables[UPDATE_TRACKED].insert(), self._changes)
            self._changes = []
        for t in reversed(Base.metadata.sorted_tables):
            for ids in _parts(self._removals.pop(t.name, [])):
                self.conn.execute(delete(t).where(t.c.id.in_(ids)))
        self._written_by.clear()
        self.row = None

    def _insert_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Straight to the driver (COPY on PostgreSQL, executemany on SQLite), in the same
        transaction: through SQLAlchemy's executemany the rows of a 100,000-row file took
        longer to hand over than SQLite took to store them. Values go through SQLAlchemy's own
        bind processors, so they are stored exactly as the ORM stores them."""
        by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_keys[tuple(row)].append(row)
        dialect = self.conn.dialect
        try:
            self._insert_raw(table, by_keys)
        except dialect.loaded_dbapi.Error as exc:
            # As SQLAlchemy wraps what the driver says, so that the one mapping of database
            # errors (services/store/database.py) reads it: a lock timeout during COPY is
            # "busy, try again", not something unexpected.
            said = f"{'COPY' if self._postgres else 'INSERT INTO'} {table.name}"
            raise DBAPIError.instance(said, None, exc, dialect.loaded_dbapi.Error,
                                      hide_parameters=True, dialect=dialect) from exc

    def _insert_raw(self, table: Table,
                    by_keys: dict[tuple[str, ...], list[dict[str, Any]]]) -> None:
        dialect = self.conn.dialect
        raw = self.conn.connection.driver_connection
        assert raw is not None
        for keys, group in by_keys.items():
            columns = [table.c[k] for k in keys]
            names = ", ".join(keys)
            if self._postgres:
                copy_rows(raw, table.name, keys, ([row[k] for k in keys] for row in group))
                continue
            procs = [(i, p) for i, c in enumerate(columns)
                     if (p := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None]
            values = []
            for row in group:
                value = [row[k] for k in keys]
                for i, proc in procs:
                    if value[i] is not None:
                        value[i] = proc(value[i])
                values.append(value)
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(keys))})"
            raw.executemany(sql, values)

    def _update_rows(self, table: Table, by_id: dict[int, dict[str, Any]]) -> None:
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row_id, values in by_id.items():
            groups[tuple(sorted(values))].append(
                {"_id": row_id, **{f"_v_{k}": v for k, v in values.items()}}
            )
        for columns, params in groups.items():
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(bumped(table, {c: bindparam(f"_v_{c}") for c in columns}))
            )
            self.conn.execute(stmt, params)

    def record_created(self) -> None:
        """Write the runs of ids created since the last call, per table, for undo (after a
        flush, in the same transaction as the rows themselves)."""
        created = Base.metadata.tables["import_created"]
        rows = [
            {"batch_id": self.batch_id, "table_name": table, "first_id": a, "last_id": b}
            for table, ids in self._unrecorded.items()
            for a, b in id_runs(sorted(ids))
        ]
        self._unrecorded.clear()
        if rows:
            self.conn.execute(created.insert(), rows)

    def committed(self, conn: Connection) -> None:
        """Continue in the next transaction on `conn`. SQLite ids are worked out again from
        the highest stored: once a chunk is committed, others may have added rows."""
        self.conn = conn
        self._next.clear()
