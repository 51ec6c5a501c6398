"""Backups of a SQLite database and restoring them: consistent copies while another connection
writes, pruning, one daily backup a day, a backup before every import, the round trip compared
table by table, and every kind of file a restore must refuse left exactly as it was."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from services.demo import generator as demo
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.staff import accounts
from services.store import backup as backups
from services.store.backup import BackupPlace, backup_sqlite, daily_backup, list_backups
from services.store.database import head_revision, open_database, upgrade_schema
from services.store.errors import RevisitError
from services.store.restore import restore_backup
from services.store.settings import load_settings_versions, save_settings
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services.import_files import dms_export

TODAY = dt.date(2025, 6, 30)


def _path(database) -> Path:
    return Path(database.engine.url.database)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of the file (the schema's own bookkeeping too), every row in rowid order."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
                for name in names}
    finally:
        conn.close()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _damage(path: Path) -> None:
    with path.open("r+b") as f:  # 4 KB of garbage in the middle of the file
        f.seek(path.stat().st_size // 2 // 4096 * 4096)
        f.write(b"\xa5" * 4096)


def test_backup_is_one_consistent_state_while_another_connection_writes(sqlite_database):
    demo.generate(sqlite_database, 60, seed=5, today=TODAY)
    path = _path(sqlite_database)
    stop, written, failures = threading.Event(), [0], []

    def writer() -> None:
        conn = sqlite3.connect(path, timeout=10)
        try:
            while not stop.is_set():
                n = written[0]
                conn.execute("INSERT INTO app_setting (key, value, updated_at, version) "
                             "VALUES (?, ?, CURRENT_TIMESTAMP, 1)", (f"k{n:05d}", str(n)))
                conn.commit()
                written[0] = n + 1
        except sqlite3.Error as exc:
            failures.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    made = []
    try:
        while len(made) < 5:
            made.append(backup_sqlite(path, backups.MANUAL))
    finally:
        stop.set()
        thread.join()
    assert failures == [] and written[0] > 0  # the writer never waited for the backups
    for copy in made:
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            keys = [r[0] for r in conn.execute(
                "SELECT key FROM app_setting WHERE key LIKE 'k%' ORDER BY key")]
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        finally:
            conn.close()
        # A consistent state: the first n writes, none missing in between.
        assert keys == [f"k{i:05d}" for i in range(len(keys))]
        assert not copy.with_name(copy.name + "-wal").exists()
    assert [b.path for b in list_backups(backups.stored_place(path))] == made[::-1]
    assert not [p for p in made[0].parent.iterdir() if p.name.endswith(".part")]


def test_automatic_backups_are_pruned_to_the_newest_kept(tmp_path, sqlite_database):
    path = _path(sqlite_database)
    place = BackupPlace(tmp_path / "kept", 3, path.name)
    manual = backup_sqlite(path, backups.MANUAL, place=place, target=None)
    before_restore = backup_sqlite(path, backups.BEFORE_RESTORE, place=place)
    other = place.folder / "other.sqlite3.daily-20250101-010101.bak"
    other.write_bytes(b"another database's backup")
    note = place.folder / "readme.txt"
    note.write_text("not a backup")
    made = [backup_sqlite(path, reason, place=place) for reason in (
        backups.DAILY, backups.IMPORT, backups.MIGRATION, backups.ERASE, backups.IMPORT)]

    listed = list_backups(place)
    automatic = [b.path for b in listed if b.reason in backups.AUTOMATIC]
    assert automatic == made[:-4:-1]  # the newest three, newest first
    assert {manual, before_restore} <= {b.path for b in listed}
    assert other.exists() and note.exists()
    assert all(b.ok and b.revision == head_revision() for b in listed)
    assert [b.time for b in listed] == sorted((b.time for b in listed), reverse=True)
    assert listed[0].size == made[-1].stat().st_size


def test_one_daily_backup_a_day(sqlite_database):
    path = _path(sqlite_database)
    folder = path.parent / "backups"
    first = daily_backup(path)
    assert first is not None and first.parent == folder
    assert daily_backup(path) is None
    opened = open_database(f"sqlite:///{path}", daily_backup=True)
    assert opened.warnings == () and opened.finish_backup() is None
    opened.dispose()
    assert _names(folder) == [first.name]
    # Yesterday's backup does not count for today.
    yesterday = (dt.datetime.now() - dt.timedelta(days=1)).strftime(backups.STAMP)
    first.rename(folder / f"{path.name}.daily-{yesterday}.bak")
    database = open_database(f"sqlite:///{path}", daily_backup=True)
    database.dispose()
    daily = [b for b in list_backups(backups.stored_place(path)) if b.reason == "daily"]
    assert [b.time.date() for b in daily] == [dt.date.today(), dt.date.today()
                                              - dt.timedelta(days=1)]
    # Opening for a read (no daily_backup) takes none.
    shutil.rmtree(folder)
    open_database(f"sqlite:///{path}").dispose()
    assert not folder.exists()


def test_the_daily_backup_holds_the_file_as_opened_while_the_opener_writes(sqlite_database):
    demo.generate(sqlite_database, 60, seed=5, today=TODAY)
    path = _path(sqlite_database)
    before = _tables(path)
    opened = open_database(f"sqlite:///{path}", daily_backup=True)
    try:
        # Written while the copy may still be under way: the opener is not held back...
        with opened.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM contact_event")
            conn.exec_driver_sql("UPDATE customer SET name = '改名' WHERE id = 1")
        assert opened.finish_backup() is None
    finally:
        opened.dispose()
    # ...and the backup is the file as it was opened, not as it was left.
    daily = [b for b in list_backups(backups.stored_place(path)) if b.reason == "daily"]
    assert len(daily) == 1 and daily[0].ok
    assert _tables(daily[0].path) == before != _tables(path)
    assert not [p for p in daily[0].path.parent.iterdir() if p.name.endswith(".part")]


def test_whoever_waits_for_the_days_backup_is_told_why(sqlite_database, monkeypatch):
    # The copy held back until someone is told, as a 1.5 GB file's copy outlasts a command.
    path = _path(sqlite_database)
    held, real = threading.Event(), backups.backup_sqlite

    def slow_copy(*args, **kwargs):
        assert held.wait(30), "nobody was told"
        return real(*args, **kwargs)

    monkeypatch.setattr(backups, "backup_sqlite", slow_copy)
    told: list[str] = []

    def waiting() -> None:
        told.append("waiting")
        held.set()

    opened = open_database(f"sqlite:///{path}", daily_backup=True)
    try:
        assert opened.finish_backup(waiting=waiting, patience=0.05) is None
        assert told == ["waiting"]
        # Copied: nobody waits, nobody is told.
        assert opened.finish_backup(waiting=lambda: told.append("again"), patience=0) is None
    finally:
        opened.dispose()
    assert told == ["waiting"]
    daily = [b for b in list_backups(backups.stored_place(path)) if b.reason == "daily"]
    assert len(daily) == 1 and daily[0].ok


def test_a_file_not_in_wal_mode_is_copied_before_the_opener_goes_on(sqlite_database):
    path = _path(sqlite_database)
    sqlite_database.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    daily = backups.DailyBackup(path)
    # Copied already: a reader held open would lock a rollback-journal file's writers out.
    listed = list_backups(backups.stored_place(path))
    assert [(b.reason, b.ok) for b in listed] == [("daily", True)]
    assert daily.finish() == listed[0].path
    conn = sqlite3.connect(path)
    try:
        conn.execute("DELETE FROM contact_event")  # and nothing holds the file
        conn.commit()
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        conn.close()


def test_a_daily_backup_that_fails_is_a_warning(sqlite_database):
    supervisor = accounts.create_first_supervisor(sqlite_database.sessions, "boss", "王主管",
                                                  SUPERVISOR_PASSWORD)
    path = _path(sqlite_database)
    blocker = path.parent / "a-file"
    blocker.write_text("a file where the backup folder should be")
    loaded = load_settings_versions(sqlite_database.sessions)
    save_settings(sqlite_database.sessions, dataclasses.replace(
        loaded.settings, backup_folder=str(blocker / "sub")), supervisor, loaded)
    database = open_database(f"sqlite:///{path}", daily_backup=True)
    database.dispose()
    late = database.finish_backup()
    assert database.warnings == () and late is not None
    assert "Backing up" in str(late) and str(blocker) in str(late)


def test_the_backup_folder_and_count_are_shared_settings(tmp_path, database, supervisor):
    elsewhere = tmp_path / "备份"
    loaded = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(
        loaded.settings, backup_folder=str(elsewhere), backups_kept=2), supervisor, loaded)
    made = [backups.safety_backup(database.sessions, backups.ERASE) for _ in range(3)]
    if database.engine.dialect.name != "sqlite":
        assert made == [None, None, None]  # the server's own backups apply
        assert not elsewhere.exists()
        return
    assert all(p is not None and p.parent == elsewhere for p in made)
    assert _names(elsewhere) == sorted(p.name for p in made[1:] if p is not None)


def test_every_import_is_backed_up_first(tmp_path, database):
    result = apply(database.sessions, dms_export(tmp_path / "保有客户.xlsx"),
                   ImportOptions("customers", today=dt.date(2026, 11, 30)))
    assert result.batch_id is not None
    place = backups.place_of(database.sessions)
    found = [b for b in list_backups(place) if b.reason == backups.IMPORT]
    if database.engine.dialect.name != "sqlite":
        assert found == []
        return
    assert len(found) == 1 and found[0].ok
    conn = sqlite3.connect(found[0].path)
    try:  # taken before the import: none of its customers are in it
        assert conn.execute("SELECT count(*) FROM customer").fetchone() == (0,)
    finally:
        conn.close()


_BACKUP_ON_GO = """
import sys, time
from pathlib import Path
from services.store import backup
path, folder, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
place = backup.BackupPlace(folder, 10, path.name)
print(backup.backup_sqlite(path, backup.IMPORT, place=place))
"""


def test_two_programs_backing_up_at_once_each_make_their_own(tmp_path, sqlite_database):
    """Two imports started together back the file up in the same second: each backup is made,
    whole, under a name of its own (one copied into the other's part file and failed)."""
    import subprocess
    import sys

    path = _path(sqlite_database)
    with sqlite3.connect(path) as conn:  # a few MB, so that the two copies overlap
        conn.execute("CREATE TABLE filler (b BLOB)")
        conn.executemany("INSERT INTO filler VALUES (randomblob(4000))", [()] * 4000)
    folder = tmp_path / "backups"
    made: list[str] = []
    for attempt in range(4):
        go = tmp_path / f"go{attempt}"
        programs = [subprocess.Popen([sys.executable, "-c", _BACKUP_ON_GO, str(path),
                                      str(folder), str(go)], cwd=Path(__file__).parents[2],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(2)]
        time.sleep(1.5)  # both started and waiting
        go.touch()
        for program in programs:
            out, err = program.communicate(timeout=120)
            assert program.returncode == 0, err
            made.append(out.strip())
    assert len(set(made)) == 8
    assert _names(folder) == sorted(Path(m).name for m in made)  # no part left behind
    assert all(_tables(Path(m))["filler"] == _tables(path)["filler"] for m in made)


def test_a_full_or_unwritable_backup_folder_is_one_sentence(tmp_path, sqlite_database):
    path = _path(sqlite_database)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(RevisitError) as err:
        backup_sqlite(path, backups.IMPORT, place=BackupPlace(blocker / "b", 3, path.name))
    assert str(path) in str(err.value) and "not changed" in str(err.value)


def test_restore_round_trip_compares_every_table(sqlite_database):
    demo.generate(sqlite_database, 40, seed=9, today=TODAY)
    path = _path(sqlite_database)
    saved = backup_sqlite(path, backups.MANUAL)
    before = _tables(path)
    assert sum(len(rows) for rows in before.values()) > 1000
    demo.generate(sqlite_database, 20, seed=10, today=TODAY)  # work done after the backup
    changed = _tables(path)
    assert changed != before
    sqlite_database.dispose()  # the window closes its connections before a restore

    done = restore_backup(path, saved)

    assert done.revision == head_revision() and done.target == path
    after = _tables(path)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    # The replaced file is kept: it holds the work done after the backup.
    assert done.replaced_copy is not None and done.replaced_copy.parent == saved.parent
    assert "before-restore" in done.replaced_copy.name
    assert _tables(done.replaced_copy) == changed
    assert not [p for p in path.parent.iterdir() if p.name.endswith((".restoring", "-wal"))]
    reopened = open_database(f"sqlite:///{path}")
    reopened.dispose()


@pytest.mark.parametrize("kind", ["damaged", "foreign", "text", "newer", "missing"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path, sqlite_database, kind):
    demo.generate(sqlite_database, 30, seed=2, today=TODAY)
    path = _path(sqlite_database)
    bad = tmp_path / "bad.bak"
    if kind == "damaged":
        shutil.copyfile(backup_sqlite(path, backups.MANUAL), bad)
        _damage(bad)
    elif kind == "foreign":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('0010')")
        conn.commit()
        conn.close()
    elif kind == "text":
        bad.write_text("客户,手机\n张伟,13800138080\n", encoding="utf-8")
    elif kind == "newer":
        shutil.copyfile(backup_sqlite(path, backups.MANUAL), bad)
        conn = sqlite3.connect(bad)
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
        conn.close()
    sqlite_database.dispose()
    folder_before, digest = _names(path.parent / "backups"), _sha256(path)

    with pytest.raises(RevisitError) as err:
        restore_backup(path, bad)

    message = str(err.value)
    assert str(bad) in message
    assert {"damaged": "damaged", "foreign": "not a Revisit database",
            "text": "not a Revisit backup", "newer": "newer version",
            "missing": "no backup file"}[kind] in message
    assert "page" not in message  # SQLite's words: in the details only
    if kind == "damaged":
        assert err.value.technical  # what SQLite said
    assert _sha256(path) == digest
    assert _names(path.parent / "backups") == folder_before  # no before-restore copy either


def test_restore_refuses_while_the_database_is_open(sqlite_database):
    path = _path(sqlite_database)
    saved = backup_sqlite(path, backups.MANUAL)
    with sqlite_database.engine.connect():  # another window still has it open
        with pytest.raises(RevisitError) as err:
            restore_backup(path, saved)
    assert "close it everywhere" in str(err.value) and str(path) in str(err.value)
    assert [b.reason for b in list_backups(backups.stored_place(path))] == ["manual"]


def test_an_older_backup_is_restored_and_upgraded_when_opened(tmp_path, sqlite_database):
    old = tmp_path / "old.sqlite3"
    engine = open_database(f"sqlite:///{old}", upgrade=False).engine
    upgrade_schema(engine, "0009")
    engine.dispose()
    path = _path(sqlite_database)
    sqlite_database.dispose()

    done = restore_backup(path, old)

    assert done.revision == "0009"
    database = open_database(f"sqlite:///{path}")
    try:
        from services.store.database import current_revision

        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()
    reasons = {b.reason for b in list_backups(backups.stored_place(path))}
    assert reasons == {"before-restore", "migration"}


def test_a_damaged_database_names_its_latest_good_backup(sqlite_database):
    demo.generate(sqlite_database, 60, seed=3, today=TODAY)
    path = _path(sqlite_database)
    good = backup_sqlite(path, backups.MANUAL)
    bad = backup_sqlite(path, backups.DAILY)
    _damage(bad)  # the newest backup is damaged too: the one before it is offered
    sqlite_database.dispose()
    _damage(path)
    with pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{path}")
    assert str(err.value) == (
        f"{path} is damaged; nothing was changed. The latest good backup is {good}: restore it "
        f"with the command revisit db restore followed by that file (a supervisor), or close "
        f"Revisit and put it in place of the damaged file.")
    # SQLite's own words (a thousand characters and more) go to the details and the log.
    assert "*** in database main ***" in str(err.value.technical)

    done = restore_backup(path, good)  # a damaged file is replaced, its bytes kept
    assert done.replaced_copy is not None and done.replaced_copy.exists()
    open_database(f"sqlite:///{path}").dispose()


def test_a_damaged_database_without_a_good_backup_says_where_none_was_found(
        sqlite_database, caplog):
    demo.generate(sqlite_database, 60, seed=3, today=TODAY)
    path = _path(sqlite_database)
    sqlite_database.dispose()
    _damage(path)
    with caplog.at_level("INFO", logger="services.store.database"), \
            pytest.raises(RevisitError) as err:
        open_database(f"sqlite:///{path}")
    assert str(err.value) == (
        f"{path} is damaged; nothing was changed. No intact backup of it was found in "
        f"{path.parent / 'backups'}: restore a copy kept elsewhere with the command revisit db "
        f"restore followed by that file (a supervisor).")
    assert "*** in database main ***" in caplog.text


def name_taken_meanwhile(monkeypatch, theirs_holds: bytes) -> list[Path]:
    """The next backup name chosen is taken by another program's backup (holding
    `theirs_holds`) right after it was chosen, and looked free when checked: [its path], once
    chosen."""
    chosen = backups.unique_name
    theirs: list[Path] = []

    def chosen_then_taken(*args):
        name = chosen(*args)
        if not theirs:
            name.write_bytes(theirs_holds)
            theirs.append(name)
        return name

    monkeypatch.setattr(backups, "unique_name", chosen_then_taken)
    monkeypatch.setattr(Path, "exists", lambda self: False if self in theirs else
                        os.path.exists(self))  # as if looked at just before it landed
    return theirs


def test_a_backup_finished_by_another_program_a_moment_after_the_name_looked_free_stays(
        tmp_path, sqlite_database, monkeypatch):
    """The race of the test above made certain: the other program's backup lands under the
    same name after this one found the name free, and before this one's copy is put in place.
    Its backup stays as it was; this one's goes under the next name."""
    path = _path(sqlite_database)
    folder = tmp_path / "backups"
    place = BackupPlace(folder, 10, path.name)
    theirs = name_taken_meanwhile(monkeypatch, b"SQLite format 3\0 the other program's backup")
    made = backup_sqlite(path, backups.IMPORT, place=place)
    assert made != theirs[0] and made.parent == folder
    assert theirs[0].read_bytes() == b"SQLite format 3\0 the other program's backup"
    assert _tables(made) == _tables(path)
    assert _names(folder) == sorted([theirs[0].name, made.name])  # no part left behind
