"""A SQLite database that refuses every write, as a read-only file does: a save through the
window fails for real. File modes do not stop root (the tests may run as root), so every
connection opened while it refuses has SQLite's query_only on."""

from __future__ import annotations

from sqlalchemy import event

from services.store.database import Database


class RefusingWrites:
    """`on()`: writes refused from now; `off()`: accepted again. Call them while nothing runs
    in the background: the pooled connections are closed so the next ones open as said."""

    def __init__(self, database: Database) -> None:
        assert database.is_sqlite
        self.engine = database.engine
        self.refusing = False

    def _read_only(self, dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    def on(self) -> None:
        if not self.refusing:
            event.listen(self.engine, "connect", self._read_only)
            self.refusing = True
            self.engine.dispose()

    def off(self) -> None:
        if self.refusing:
            event.remove(self.engine, "connect", self._read_only)
            self.refusing = False
            self.engine.dispose()
