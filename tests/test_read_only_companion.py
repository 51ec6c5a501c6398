"""A SQLite database whose own file may be written but whose write-ahead log or shared-memory
file (-wal, -shm) may not (copied in from elsewhere, or its permissions changed on their own):
the refusal names that file, and nothing stored is lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import non_root
from tests.test_list_cli import run

LEFT_OPEN = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA wal_autocheckpoint=0")
conn.execute("UPDATE alembic_version SET version_num = version_num")
conn.commit()
os._exit(0)  # killed with the database open: its -wal and -shm stay beside it
"""


def _settings(db: Path) -> str:
    return run(db, "settings", "show").stdout


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
@non_root
def test_a_read_only_companion_file_is_named(tmp_path, suffix):
    db = tmp_path / "revisit.sqlite3"
    run(db, "demo", "--customers", "30", "--seed", "3")
    before = _settings(db)
    subprocess.run([sys.executable, "-c", LEFT_OPEN, str(db)], check=True)
    companion = db.with_name(db.name + suffix)
    assert companion.exists()
    companion.chmod(0o444)
    try:
        refused = run(db, "settings", "set", "max_failed_attempts=4", ok=False)
    finally:
        companion.chmod(0o644)
    assert refused.returncode != 0 and refused.stderr.count("\n") == 1, refused.stderr
    assert f"companion file {companion} is read-only" in refused.stderr
    assert "do not delete it" in refused.stderr
    assert _settings(db) == before  # nothing was changed, nothing lost
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


@non_root
def test_a_read_only_folder_is_named_even_for_a_read(tmp_path):
    """SQLite opens a WAL database only by making its -shm and -wal files beside it: in a
    folder nobody may write to, even a read fails, and the refusal says the folder is why
    (it said the database was read-only, as if reading would still work)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "revisit.sqlite3"
    run(db, "demo", "--customers", "30", "--seed", "3")
    assert not db.with_name(db.name + "-shm").exists()  # closed cleanly
    folder.chmod(0o555)
    try:
        for command in (("db", "info"), ("segment", "list"), ("settings", "set",
                                                              "max_failed_attempts=4")):
            refused = run(db, *command, ok=False)
            assert refused.returncode != 0 and refused.stderr.count("\n") == 1, refused.stderr
            assert (f"The folder {folder} is read-only, so the database {db} cannot be "
                    f"opened, not even to read it") in refused.stderr
    finally:
        folder.chmod(0o755)
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
