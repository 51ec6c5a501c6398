"""Fast bulk writing of plain row tuples: executemany on SQLite, COPY on PostgreSQL.

Values must already be in storage form: dates as 'YYYY-MM-DD', timestamps as
'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite format, which PostgreSQL also parses),
booleans as 0/1, money as int or float."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Engine, text

from models import Base

# Columns a new row written in bulk never sets, so tuples leave them out: its first version
# (the database's default 1), and marks only later actions set (an erasure, a finished run).
LEFT_TO_DEFAULT = frozenset({"version", "erased_at", "finished_at"})


def _columns(table: str) -> list[str]:
    return [c.name for c in Base.metadata.tables[table].columns if c.name not in LEFT_TO_DEFAULT]


class SqliteWriter:
    """One transaction per write_all() call: a chunk is either stored whole or not at all."""

    def __init__(self, engine: Engine, tables: Sequence[str]) -> None:
        self.engine = engine
        self._sql = {
            t: f"INSERT INTO {t} ({', '.join(_columns(t))}) "
            f"VALUES ({', '.join('?' * len(_columns(t)))})"
            for t in tables
        }
        self._raw = engine.raw_connection()

    def write_all(self, rows_by_table: dict[str, list[tuple]]) -> None:
        cursor = self._raw.cursor()
        try:
            for table, sql in self._sql.items():
                rows = rows_by_table.get(table)
                if rows:
                    cursor.executemany(sql, rows)
            self._raw.commit()
        except BaseException:
            self._raw.rollback()
            raise
        finally:
            cursor.close()

    def finish(self) -> None:
        self._raw.close()

    def abort(self) -> None:
        self._raw.close()


class PostgresWriter:
    """COPY … FROM STDIN per table, one transaction per write_all() call."""

    def __init__(self, engine: Engine, tables: Sequence[str]) -> None:
        self.engine = engine
        self._tables = list(tables)
        self._copy = {t: f"COPY {t} ({', '.join(_columns(t))}) FROM STDIN" for t in tables}
        self._raw = engine.raw_connection()

    def write_all(self, rows_by_table: dict[str, list[tuple]]) -> None:
        conn = self._raw.driver_connection
        assert conn is not None, "written after finish()"  # None only once closed
        try:
            with conn.cursor() as cursor:
                for table in self._tables:
                    rows = rows_by_table.get(table)
                    if rows:
                        _copy_rows(cursor, self._copy[table], rows)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def finish(self) -> None:
        self._raw.close()
        # Ids were given explicitly; move each sequence past them.
        with self.engine.begin() as conn:
            for table in self._tables:
                if "id" in Base.metadata.tables[table].c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                        )
                    )

    def abort(self) -> None:
        self._raw.close()


def _copy_rows(cursor, sql: str, rows: Iterable[tuple]) -> None:
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
