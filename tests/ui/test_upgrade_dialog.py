"""Starting the window on a database of an older schema: the upgrade runs on a worker thread
under a dialog saying so (a big file takes a while, and a window that shows nothing is taken
for one that does not start), a copy of the file kept first; a database of a newer version is
refused in one sentence. Real SQLite files, the real start (ui.app)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog
from sqlalchemy import text

from models.db import make_engine
from services.staff import accounts
from services.store.backup import MIGRATION, list_backups, stored_place
from services.store.database import current_revision, open_database, schema_due
from services.store.schema import HEAD_REVISION
from tests.conftest import SUPERVISOR_PASSWORD
from tests.test_migrations import _downgrade
from ui.app import _upgrade_shown

ROOT = Path(__file__).resolve().parents[2]


def _older(path: Path) -> str:
    """A SQLite file at the revision before this version's, with a customer and a supervisor
    (王主管, boss) in it: made at this version's and taken down one revision, as a copy of
    Revisit before the update left it."""
    url = f"sqlite:///{path}"
    database = open_database(url)
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, created_at, updated_at, version) VALUES (1, 'C0000001', "
                          "'张伟', 'zhangwei', 'zw', 'zhang wei', '2026-12-01 09:00:00', "
                          "'2026-12-01 09:00:00', 1)"))
    _downgrade(database.engine, "0018")
    database.dispose()
    return url


def _shown_while(work) -> tuple[object, list[str]]:
    """What `work` returns, and the texts of the progress dialogs on screen while it ran."""
    seen: list[str] = []

    def look() -> None:
        seen.extend(w.labelText() for w in QApplication.topLevelWidgets()
                    if isinstance(w, QProgressDialog) and w.isVisible())

    QTimer.singleShot(0, look)
    return work(), seen


def test_an_older_database_is_upgraded_under_a_dialog_with_a_copy_kept(qapp, tmp_path):
    path = tmp_path / "revisit.sqlite3"
    database = open_database(_older(path), upgrade=False)
    try:
        assert schema_due(database) and current_revision(database.engine) == "0018"
        stopped, seen = _shown_while(lambda: _upgrade_shown(qapp, database))
        assert stopped is None
        assert len(seen) == 1 and seen[0].startswith("Updating the database")
        assert current_revision(database.engine) == HEAD_REVISION
        assert not schema_due(database)
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT name, contact_name FROM customer")).all() == [
                ("张伟", None)]
        (copy,) = [b for b in list_backups(stored_place(path)) if b.reason == MIGRATION]
        assert copy.ok and copy.revision == "0018"
    finally:
        database.dispose()
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]


def test_a_new_database_is_prepared_and_a_newer_ones_refused(qapp, tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'new.sqlite3'}", upgrade=False)
    try:
        assert schema_due(database)
        stopped, seen = _shown_while(lambda: _upgrade_shown(qapp, database))
        assert stopped is None and seen == ["Preparing a new database…"]
        assert current_revision(database.engine) == HEAD_REVISION
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        assert schema_due(database)
        stopped, _ = _shown_while(lambda: _upgrade_shown(qapp, database))
        assert stopped is not None and "newer version of Revisit" in str(stopped)
    finally:
        database.dispose()


def test_the_window_starts_on_an_older_database(tmp_path):
    """The whole start as staff make it (a process of its own): the window comes up on the
    upgraded database and shows its customers."""
    path = tmp_path / "revisit.sqlite3"
    url = _older(path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVISIT_USER": "boss",
           "REVISIT_PASSWORD": SUPERVISOR_PASSWORD}
    env.pop("REVISIT_DB", None)
    done = subprocess.run([sys.executable, "main.py", "--db", url, "--quit-after", "0"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ready" in done.stdout
    engine = make_engine(url)
    try:
        assert current_revision(engine) == HEAD_REVISION
    finally:
        engine.dispose()
