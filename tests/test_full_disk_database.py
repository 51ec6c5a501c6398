"""A SQLite database on a disk with no room left: SQLite cannot even make the -shm file it
opens a WAL database with and says "disk I/O error". That is said as the full disk, never as
damage (which would send staff to restore an old backup over their good data), and the file is
found sound once there is room again. Needs a real full disk: a small tmpfs, mounted by root."""

from __future__ import annotations

import shutil

import pytest

from tests import conftest
from tests.test_list_cli import run


@pytest.fixture()
def small_disk(tmp_path):
    with conftest.small_disk(tmp_path / "disk", "8m") as disk:
        yield disk


def _fill(folder) -> None:
    with open(folder / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * (1 << 16))
                f.flush()
        except OSError:
            pass


def test_a_full_disk_is_said_as_full_not_as_damage(tmp_path, small_disk):
    built = tmp_path / "built.sqlite3"
    run(built, "demo", "--customers", "20", "--seed", "5")
    db = small_disk / "revisit.sqlite3"
    shutil.copyfile(built, db)  # closed cleanly: no -wal or -shm beside it
    assert not db.with_name(db.name + "-shm").exists()
    _fill(small_disk)
    for command in (("db", "check"), ("db", "info")):
        refused = run(db, *command, ok=False)
        assert refused.returncode != 0 and refused.stderr.count("\n") == 1, refused.stderr
        assert f"The disk holding {db} is full" in refused.stderr
        assert "damaged" not in refused.stderr and "disk I/O error" not in refused.stderr
    (small_disk / "filler").unlink()
    assert "no damage found" in run(db, "db", "check").stdout
    assert "schema:" in run(db, "db", "info").stdout
