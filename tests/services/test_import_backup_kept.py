"""An import's backup costs the backup history nothing when the import fails: a file that
cannot be read (or a cancel) stores nothing, so its backup is removed and no older automatic
backup is pruned for it. A successful import's backup stays and prunes as before. SQLite only:
on PostgreSQL an import makes no backup of its own (the server's backups apply)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.imports import engine
from services.imports.apply import apply
from services.store import backup as backups
from services.store import settings as shared
from services.store.errors import Cancelled, CancelToken, RevisitError
from tests.services.import_files import DMS_HEADERS, customer_rows, dms_export, write_csv
from tests.services.test_import_apply import CUSTOMERS


def _keep(database, count: int) -> None:
    with database.sessions.begin() as s:
        shared.store_row(s, "backups_kept", str(count), None, exists=False)
    assert shared.load_settings(database.sessions).backups_kept == count


def _listed(database) -> list[tuple[str, Path]]:
    return [(b.reason, b.path) for b in backups.list_backups(backups.place_of(database.sessions))]


def test_failed_imports_keep_the_days_backup(sqlite_database, tmp_path):
    database = sqlite_database
    _keep(database, 2)
    path = Path(database.engine.url.database)
    daily = backups.backup_sqlite(path, backups.DAILY)
    migration = backups.backup_sqlite(path, backups.MIGRATION)
    assert [p for _, p in _listed(database)] == [migration, daily]
    unreadable = tmp_path / "notxlsx.xlsx"
    unreadable.write_text("not a workbook\n", encoding="utf-8")
    for _ in range(3):
        with pytest.raises(RevisitError):
            apply(database.sessions, unreadable, CUSTOMERS)
    # Nothing was stored three times over: the two backups are as they were, none added.
    assert [p for _, p in _listed(database)] == [migration, daily]
    assert daily.is_file() and migration.is_file()
    assert sorted(p.name for p in daily.parent.iterdir()) == sorted([daily.name, migration.name])
    # An import that stores its rows keeps its backup, and the oldest is pruned for it.
    result = apply(database.sessions, dms_export(tmp_path / "dms.xlsx", customer_rows(3)),
                   CUSTOMERS)
    assert result.batch_id is not None
    reasons = [reason for reason, _ in _listed(database)]
    assert reasons == [backups.IMPORT, backups.MIGRATION]
    assert not daily.exists()


def test_an_import_stopped_with_rows_stored_keeps_its_backup(sqlite_database, tmp_path,
                                                             monkeypatch):
    """A stop after committed chunks leaves them as an unfinished batch: the backup from
    before them is the way back, and stays."""
    database = sqlite_database
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)  # every chunk committed
    big = write_csv(tmp_path / "big.csv", DMS_HEADERS, customer_rows(3500, start=500))

    def progress(done: int, _total: int) -> None:
        if done >= 2000:  # two chunks are in
            raise KeyboardInterrupt

    with pytest.raises(engine.ImportStopped) as stopped:
        apply(database.sessions, big, CUSTOMERS, progress=progress)
    assert stopped.value.batch_id is not None
    assert [reason for reason, _ in _listed(database)] == [backups.IMPORT]
    # Cancelled before anything was committed: nothing stored, no backup kept for it.
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        apply(database.sessions, dms_export(tmp_path / "dms.xlsx", customer_rows(3)),
              CUSTOMERS, cancel=token)
    assert [reason for reason, _ in _listed(database)] == [backups.IMPORT]
