"""An import's backup costs the backup history nothing when the import fails: a file that
cannot be read (or a cancel) stores nothing, so its backup is removed and no older automatic
backup is pruned for it. A successful import's backup stays and prunes as before. SQLite only:
on PostgreSQL an import makes no backup of its own (the server's backups apply)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.imports.apply import apply
from services.store import backup as backups
from services.store import settings as shared
from services.store.errors import RevisitError
from tests.services.import_files import customer_rows, dms_export
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
