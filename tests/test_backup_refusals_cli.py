"""`db backup` says what is wrong with where it writes, in one sentence: a folder that cannot
be written is said as such (SQLite's "unable to open database file" sounded like a broken
database), a full disk as a full disk and only once (the day's backup failing there too was
printed again as a warning), and an earlier backup at the file name asked for is not written
over unless --replace says so. On SQLite and PostgreSQL (pg_dump) where it applies."""

from __future__ import annotations

import os

import pytest

from services.store import pg_backup
from services.store.settings import store_row
from tests import test_staff_cli
from tests.conftest import small_disk
from tests.test_full_disk_database import _fill
from tests.test_staff_cli import refused

cli = test_staff_cli.cli  # the CLI in-process, signed in as `user`


@pytest.fixture()
def disks(tmp_path):
    """A read-only disk and a full one (both real mounts: root writes anywhere else)."""
    with small_disk(tmp_path / "ro", "1m", "ro") as read_only, \
            small_disk(tmp_path / "full", "1m") as full:
        _fill(full)
        yield read_only, full


def _can_back_up(database) -> None:
    if not database.is_sqlite and pg_backup.find_pg_dump() is None:
        pytest.skip("pg_dump is not installed here")


def test_a_read_only_or_full_folder_is_said_as_such(cli, database, supervisor, disks):
    _can_back_up(database)
    read_only, full = disks
    for target in (read_only, read_only / "x.bak"):
        line = refused(cli("db", "backup", str(target), user="boss"),
                       f"the folder {read_only} cannot be written (Read-only file system)",
                       "The database itself was not changed")
        assert "unable to open database file" not in line
    # pg_dump's own words on PostgreSQL ("could not write to output file: No space left on
    # device") already say it.
    full_disk = "the disk is full" if database.is_sqlite else "No space left on device"
    line = refused(cli("db", "backup", str(full), user="boss"), full_disk)
    assert "database or disk is full" not in line
    assert [p.name for p in full.iterdir()] == ["filler"]  # no part file or journal left


def test_a_full_backup_disk_is_said_once(cli, database, supervisor, disks, tmp_path):
    if not database.is_sqlite:
        pytest.skip("an import and the day's backup copy a SQLite file only")
    _, full = disks
    assert cli("settings", "set", f"backup_folder={full}", user="boss")[0] == 0
    unreadable = tmp_path / "notxlsx.xlsx"
    unreadable.write_text("not a workbook\n", encoding="utf-8")
    # The day's backup (a warning) and the import's own (the error) both fail on that disk:
    # one line.
    refused(cli("import", "visits", str(unreadable), user="boss"),
            f"to {full} failed: the disk is full")


def test_an_earlier_backup_is_replaced_only_on_purpose(cli, database, supervisor, tmp_path):
    _can_back_up(database)
    target = tmp_path / "monday.bak"
    assert cli("db", "backup", str(target), user="boss")[0] == 0
    first = target.read_bytes()
    os.utime(target, (1_000_000_000, 1_000_000_000))
    refused(cli("db", "backup", str(target), user="boss"),
            f"The backup {target} already exists; nothing was written over it",
            "db backup --replace")
    assert target.read_bytes() == first and target.stat().st_mtime == 1_000_000_000
    code, out, _ = cli("db", "backup", str(target), "--replace", user="boss")
    assert code == 0 and str(target) in out
    assert target.stat().st_mtime > 1_000_000_000
    assert sorted(p.name for p in tmp_path.iterdir() if "monday" in p.name) == ["monday.bak"]


def test_backups_listed_under_a_folder_setting_that_is_a_file_say_so(cli, database, supervisor,
                                                                     tmp_path):
    """A backup folder stored before such a setting was refused: the listing says why there
    are none, and how to choose another, not "(no backups yet)"."""
    a_file = tmp_path / "x.bak"
    a_file.write_bytes(b"someone's file")
    with database.sessions.begin() as s:
        store_row(s, "backup_folder", str(a_file), None, exists=False)
    code, out, _ = cli("db", "backups", user="boss")
    assert code == 0 and "(no backups yet)" not in out
    assert f"(none: {a_file} is a file, not a folder; choose another with `settings set " \
           "backup_folder=FOLDER`)" in out


def test_moving_the_backups_off_a_full_disk_says_nothing_of_the_folder_left(
        cli, database, supervisor, disks, tmp_path):
    """A command setting backup_folder takes no day's backup: taken on opening, it failed in
    the full folder being left and said so after "saved". The next command that writes takes
    it, into the folder saved."""
    if not database.is_sqlite:
        pytest.skip("the day's backup copies a SQLite file only")
    _, full = disks
    assert cli("settings", "set", f"backup_folder={full}", user="boss")[:2] == (
        0, f"saved backup_folder\nthe next backups go to {full}\n")
    code, _, err = cli("settings", "set", "shop_name=广州某某丰田", user="boss")
    assert code == 0 and err.startswith(  # the folder in use is full: said
        f"revisit: warning: Backing up {database.sound_file} to {full} failed: the disk is "
        "full"), err
    new = tmp_path / "new-backups"
    assert cli("settings", "set", f"backup_folder={new}", user="boss") == (
        0, f"saved backup_folder\nthe next backups go to {new}\n", "")
    assert not new.exists()
    assert cli("settings", "set", "shop_name=广州某某丰田4S店", user="boss") == (
        0, "saved shop_name\n", "")
    assert [".daily-" in p.name for p in new.iterdir()] == [True]
    assert [p.name for p in full.iterdir()] == ["filler"]
