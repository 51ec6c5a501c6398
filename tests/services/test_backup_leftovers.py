"""What a backup or a restore that failed, or was killed, leaves beside the files: nothing of a
failed one (a full disk left the part's journal behind), and a killed one's part file and journal
removed by a later backup or restore once stale, never another writer's fresh one."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from services.store import backup as backups
from services.store import restore
from services.store.backup import backup_sqlite
from services.store.errors import RevisitError
from services.store.restore import restore_backup


def _path(database) -> Path:
    return Path(database.engine.url.database)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _left(folder: Path, *names: str, hours: float) -> list[Path]:
    """Files a writer left in `folder`, last changed `hours` ago."""
    folder.mkdir(exist_ok=True)
    when = (dt.datetime.now() - dt.timedelta(hours=hours)).timestamp()
    made = []
    for name in names:
        path = folder / name
        path.write_bytes(b"SQLite format 3\0 half a copy")
        os.utime(path, (when, when))
        made.append(path)
    return made


def _full_disk_midway(part: Path) -> None:
    """What SQLite's backup API leaves when the disk fills part way: the part, its journal."""
    part.write_bytes(b"SQLite format 3\0 the first pages")
    part.with_name(part.name + "-journal").write_bytes(b"\xd9\xd5\x05\xf9 journal")
    raise sqlite3.OperationalError("database or disk is full")


def test_a_backup_failing_on_a_full_disk_leaves_neither_part_nor_journal(
        sqlite_database, monkeypatch):
    path = _path(sqlite_database)
    monkeypatch.setattr(backups, "copy_database", lambda src, part: (src.close(),
                                                                     _full_disk_midway(part)))
    with pytest.raises(RevisitError) as err:
        backup_sqlite(path, backups.DAILY)
    assert "database or disk is full" in str(err.value)
    assert _names(path.parent / "backups") == []  # the journal was left: .….part-journal


def test_a_killed_backups_part_and_journal_go_with_the_next_backup_once_stale(
        sqlite_database):
    path = _path(sqlite_database)
    folder = path.parent / "backups"
    killed = _left(folder, f".{path.name}.manual-20261120-090000.bak.4242.part",
                   f".{path.name}.manual-20261120-090000.bak.4242.part-journal",
                   f".{path.name}.daily-20261121-090000.bak.4243.part-journal", hours=2)
    # Another PC's backup at work on the same folder: left alone.
    busy = _left(folder, f".{path.name}.manual-20261206-101500.bak.777.part",
                 f".{path.name}.manual-20261206-101500.bak.777.part-journal", hours=0)
    # Someone's own files that only look alike: left alone however old.
    theirs = _left(folder, "notes.part", f"{path.name}.copy.part", hours=5)
    made = backup_sqlite(path, backups.MANUAL)
    assert not any(p.exists() for p in killed)
    assert all(p.exists() for p in busy + theirs)
    assert _names(folder) == sorted([made.name] + [p.name for p in busy + theirs])


def test_a_killed_backup_to_a_named_file_is_cleared_beside_it(sqlite_database, tmp_path):
    path = _path(sqlite_database)
    out = tmp_path / "usb"
    target = out / "friday.bak"
    killed = _left(out, ".friday.bak.4242.part", ".friday.bak.4242.part-journal", hours=2)
    backup_sqlite(path, backups.MANUAL, target=target)
    assert _names(out) == ["friday.bak"] and not any(p.exists() for p in killed)


def test_a_failed_restore_leaves_nothing_beside_the_database(sqlite_database, monkeypatch):
    path = _path(sqlite_database)
    saved = backup_sqlite(path, backups.MANUAL)
    sqlite_database.dispose()
    before = _names(path.parent)
    monkeypatch.setattr(restore, "copy_database", lambda src, part: (src.close(),
                                                                     _full_disk_midway(part)))
    with pytest.raises(RevisitError) as err:
        restore_backup(path, saved)
    assert "the database was not replaced" in str(err.value)
    assert _names(path.parent) == before


def test_a_killed_restores_part_and_journal_go_with_the_next_restore_once_stale(
        sqlite_database):
    path = _path(sqlite_database)
    saved = backup_sqlite(path, backups.MANUAL)
    sqlite_database.dispose()
    # Left by a restore killed part way (`.NAME.restoring` before the part had the process's
    # number in its name).
    killed = _left(path.parent, f".{path.name}.restoring", f".{path.name}.restoring-journal",
                   f".{path.name}.4242.restoring", hours=2)
    restore_backup(path, saved)
    assert not any(p.exists() for p in killed)
    assert not [p for p in path.parent.iterdir() if "restoring" in p.name]
