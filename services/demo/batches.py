"""What the demo has made in a database, and the writer that adds one batch of it.

The demo keeps a note of its own (the app_setting row `demo_data`): how many rows of each table
it wrote and, while it runs, which run it is (seed, day, customers asked for, customers done).
The note is changed in the same transaction as every batch of rows, so whatever moment the
process dies at, the note says exactly what is stored:

- a database whose rows differ in number from the note holds somebody's work (an import, a
  staff edit, a list run, a saved segment, a deleted customer): the demo refuses it, because
  demo customers mixed into real ones could be called, texted or reported;
- a note still naming a run is a demo that stopped half-way: the demo says so, and `--resume`
  writes the rest, giving exactly the rows an uninterrupted run gives (each batch's rows
  depend only on the seed, the day and where the batch starts).

Staff accounts, the shared settings and audit entries about them are not "work": a supervisor
who set up accounts may still add demo data. An edit that only changes a row in place without
an audit entry is not seen; every change staff make through Revisit adds a row somewhere (a
profile change, a contact event, an audit entry).

Ids are given explicitly (children point at their parents within a batch). On PostgreSQL each
batch moves every sequence it used past its ids inside the batch's transaction (setval is not
undone by a rollback, so a sequence is never left behind, only at worst a little ahead)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from models import Base
from models.summary import DERIVED_TABLES
from services.store.bulk import copy_rows
from services.store.database import Database
from services.store.errors import N_, RevisitError

KEY = "demo_data"
# Not the dealer's work: accounts and the settings every PC shares.
NOT_WORK = frozenset({"app_setting", "staff_user"})
AUDIT_NOT_WORK = ("staff_user", "app_setting")  # audit entries about accounts and settings

FOREIGN = N_("{where} holds data the demo did not make (in {tables}); demo data is only "
             "added to a new database or to one holding nothing but demo data.")
HALF_FILLED = N_("{where} was left half-filled by a demo that stopped after {done} of "
                 "{total} customers; run `demo --resume` to finish it, or use a new database.")
NOTHING_TO_RESUME = N_("{where} has no stopped demo to resume.")


@dataclass
class DemoNote:
    """What the demo made: rows per table, and the run under way (None when none is)."""

    rows: dict[str, int] = field(default_factory=dict)
    run: dict[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps({"rows": self.rows, "run": self.run}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DemoNote:
        data = json.loads(text)
        return cls(dict(data.get("rows") or {}), data.get("run"))


def watched_tables() -> list[str]:
    return sorted(set(Base.metadata.tables) - DERIVED_TABLES - NOT_WORK)


def read_note(conn: Connection) -> DemoNote:
    table = Base.metadata.tables["app_setting"]
    value = conn.execute(select(table.c.value).where(table.c.key == KEY)).scalar()
    return DemoNote() if value is None else DemoNote.from_json(value)


def _work_counts(conn: Connection) -> dict[str, int]:
    out = {}
    for name in watched_tables():
        table = Base.metadata.tables[name]
        query = select(func.count()).select_from(table)
        if name == "audit_log":
            query = query.where(table.c.entity.not_in(AUDIT_NOT_WORK))
        out[name] = conn.execute(query).scalar_one()
    return out


def checked_note(database: Database, *, resume: bool) -> DemoNote:
    """The note, once the database is known to hold the demo's rows only (and, unless
    resuming, no stopped run)."""
    with database.engine.connect() as conn:
        note = read_note(conn)
        counts = _work_counts(conn)
    foreign = [t for t, n in counts.items() if n != note.rows.get(t, 0)]
    where = database.display_url
    if foreign:
        raise RevisitError(FOREIGN, where=where, tables=", ".join(foreign))
    if note.run and not resume:
        raise RevisitError(HALF_FILLED, where=where, done=f"{note.run['done']:,}",
                           total=f"{note.run['customers']:,}")
    if resume and not note.run:
        raise RevisitError(NOTHING_TO_RESUME, where=where)
    return note


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# Columns the demo leaves to the database: a new row's version (1), erasure (none), and a
# refund waiting for its purchase (none: every demo refund follows its purchase).
LEFT_TO_DEFAULTS = frozenset({"version", "erased_at", "awaiting_purchase"})


def _columns(table: str) -> list[str]:
    """The columns of a demo row tuple (services/demo/rows.py), in its order."""
    return [c.name for c in Base.metadata.tables[table].columns
            if c.name not in LEFT_TO_DEFAULTS]


class BatchWriter:
    """One transaction per `write`: a batch's rows, the note with them and (PostgreSQL) the
    sequences moved past them; executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, database: Database, tables: Sequence[str]) -> None:
        self.postgres = not database.is_sqlite
        self.tables = list(tables)
        mark = "%s" if self.postgres else "?"
        self._mark = mark
        # SQLite's statements; PostgreSQL takes the rows by COPY (copy_rows).
        self._insert = {} if self.postgres else {
            t: f"INSERT INTO {t} ({', '.join(_columns(t))}) "
               f"VALUES ({', '.join('?' * len(_columns(t)))})"
            for t in tables
        }
        self._raw = database.engine.raw_connection()
        self._conn: Any = self._raw.driver_connection

    def write(self, rows_by_table: dict[str, list[tuple]], note: DemoNote) -> None:
        """Store the rows and `note` (already counting them) together, or neither."""
        cursor = self._conn.cursor()
        try:
            for table in self.tables:
                rows = rows_by_table.get(table)
                if not rows:
                    continue
                if self.postgres:
                    if "id" in Base.metadata.tables[table].c:
                        top = max(r[0] for r in rows)
                        seq = f"pg_get_serial_sequence('{table}', 'id')"
                        cursor.execute(f"SELECT setval({seq}, GREATEST(nextval({seq}), %s))",
                                       (top,))
                    copy_rows(self._conn, table, _columns(table), rows)
                else:
                    cursor.executemany(self._insert[table], rows)
            self._save_note(cursor, note)
            self._conn.commit()
        except BaseException:
            self._conn.rollback()
            raise
        finally:
            cursor.close()

    def _save_note(self, cursor, note: DemoNote) -> None:
        m = self._mark
        cursor.execute(f"UPDATE app_setting SET value = {m}, updated_at = {m} WHERE key = {m}",
                       (note.to_json(), _stamp(), KEY))
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO app_setting (key, value, updated_at, version) "
                           f"VALUES ({m}, {m}, {m}, 1)", (KEY, note.to_json(), _stamp()))

    def close(self) -> None:
        self._raw.close()
