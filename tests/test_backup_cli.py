"""`db backup`, `db backups` and `db restore` on SQLite and PostgreSQL: done for a supervisor,
refused for staff and for nobody in one line with exit 2; pg_dump for a server when it is
installed, one sentence of advice when it is not."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from services.demo import generator as demo
from services.store import pg_backup
from services.store.backup import MANUAL, backup_sqlite
from services.store.database import open_database
from services.store.settings import load_settings
from tests import test_fault_harness as harness
from tests import test_staff_cli
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services.test_backup import name_taken_meanwhile
from tests.test_staff_cli import refused
from ui.cli import run

cli = test_staff_cli.cli  # the same fixture: run the CLI in-process, signed in as `user`


def _sqlite_only(database) -> Path:
    if not database.is_sqlite:
        pytest.skip("SQLite files only")
    return Path(database.engine.url.database)


def test_backup_list_and_restore_as_a_supervisor(cli, database, supervisor, staff, tmp_path):
    path = _sqlite_only(database)
    code, out, err = cli("db", "backup", user="boss")
    assert code == 0, err
    made = Path(out.split(" to ", 1)[1].rsplit(" (", 1)[0])
    assert made.parent == tmp_path / "backups" and ".manual-" in made.name
    named = tmp_path / "拷贝.bak"
    assert cli("db", "backup", str(named), user="boss")[0] == 0 and named.is_file()

    assert cli("settings", "set", "shop_name=备份之后", user="boss")[0] == 0
    code, out, _ = cli("db", "backups", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    # The first command that changed the database today took the daily backup before it.
    assert sorted((b["reason"], b["ok"]) for b in listed) == [("daily", True), ("manual", True)]
    assert [b["path"] for b in listed if b["reason"] == "manual"] == [str(made)]
    text = cli("db", "backups")[1]
    assert str(tmp_path / "backups") in text and made.name in text

    database.dispose()  # the test's own connections, like another window, would refuse it
    code, out, err = cli("db", "restore", str(made), user="boss")
    assert code == 0, err
    assert f"restored {made}" in out and "kept as" in out
    assert load_settings(database.sessions).shop_name != "备份之后"
    kept = Path(out.split("kept as ", 1)[1].strip())
    assert kept.is_file() and "before-restore" in kept.name
    assert path.is_file()


@pytest.mark.parametrize("action", ["backup", "restore"])
def test_staff_and_nobody_are_refused(cli, database, supervisor, staff, tmp_path, action):
    path = _sqlite_only(database)
    saved = backup_sqlite(path, MANUAL, target=tmp_path / "saved.bak")
    args = ("db", action) if action == "backup" else ("db", action, str(saved))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    refused(cli(*args, user="chenli"), "陈丽 (chenli) is not a supervisor")
    refused(cli(*args), "--user NAME")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_bad_backup_is_refused_before_any_password(cli, database, supervisor, tmp_path):
    _sqlite_only(database)
    foreign = tmp_path / "notes.txt"
    foreign.write_text("不是备份", encoding="utf-8")
    refused(cli("db", "restore", str(foreign)), "not a Revisit backup")
    refused(cli("db", "restore", str(tmp_path / "nothing.bak")), "no backup file")


def test_a_database_too_damaged_to_open_is_restored_without_signing_in(tmp_path, capsys):
    from services.store.database import open_database

    path = tmp_path / "damaged.sqlite3"
    database = open_database(f"sqlite:///{path}")
    demo.generate(database, 60, seed=3, today=dt.date(2025, 6, 30))  # it has accounts
    saved = backup_sqlite(path, MANUAL)
    database.dispose()
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2 // 4096 * 4096)
        f.write(b"\xa5" * 4096)

    code = run(["--db", f"sqlite:///{path}", "db", "restore", str(saved)])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "damaged" in err and "restored" in out
    assert run(["--db", f"sqlite:///{path}", "db", "check"]) == 0


def _postgresql_only(database) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL only")


def test_postgresql_backup_runs_pg_dump(cli, database, supervisor, tmp_path):
    _postgresql_only(database)
    program = pg_backup.find_pg_dump()
    if program is None:
        pytest.skip("pg_dump is not installed here (the advice is tested below)")
    assert cli("settings", "set", f"backup_folder={tmp_path / 'dumps'}", user="boss")[0] == 0
    code, out, err = cli("db", "backup", user="boss")
    assert code == 0, err
    dump = Path(out.split(" to ", 1)[1].rsplit(" (", 1)[0])
    assert dump.parent == tmp_path / "dumps" and dump.suffix == ".dump"
    assert dump.read_bytes().startswith(b"PGDMP")
    # pg_restore reads it back: every Revisit table is in it.
    listing = subprocess.run([str(Path(program).with_name("pg_restore")), "--list", str(dump)],
                             capture_output=True, text=True, check=True).stdout
    assert "TABLE public customer" in listing and "TABLE DATA public app_setting" in listing
    listed = json.loads(cli("db", "backups", "--format", "json")[1])
    assert [(b["path"], b["ok"]) for b in listed] == [(str(dump), True)]
    assert "--user NAME" in refused(cli("db", "backup"))
    assert not [p for p in dump.parent.iterdir() if p.name.endswith(".part")]


def test_two_postgresql_backups_at_once_keep_both(cli, database, supervisor, tmp_path,
                                                   monkeypatch):
    """Two backups of the server in the same second chose one name (and shared one part
    file). Made certain: the other program's dump lands under the name this one chose, after
    it looked free. Then two real processes started together: two whole dumps."""
    _postgresql_only(database)
    if pg_backup.find_pg_dump() is None:
        pytest.skip("pg_dump is not installed here")
    folder = tmp_path / "dumps"
    assert cli("settings", "set", f"backup_folder={folder}", user="boss")[0] == 0
    with monkeypatch.context() as m:
        theirs = name_taken_meanwhile(m, b"PGDMP the other program's dump")
        code, out, err = cli("db", "backup", user="boss")
    assert code == 0, err
    made = Path(out.split(" to ", 1)[1].rsplit(" (", 1)[0])
    assert made != theirs[0] and made.read_bytes().startswith(b"PGDMP")
    assert theirs[0].read_bytes() == b"PGDMP the other program's dump"
    url = database.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "REVISIT_USER": "boss", "REVISIT_PASSWORD": SUPERVISOR_PASSWORD}
    both = [subprocess.Popen([sys.executable, str(harness.ROOT / "main.py"), "--db", url, "db",
                              "backup"], env=env, cwd=harness.ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in both:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    dumps = sorted(p for p in folder.iterdir() if p.suffix == ".dump")
    assert len(dumps) == 4 and not [p for p in folder.iterdir() if ".part" in p.name]
    assert all(p.read_bytes().startswith(b"PGDMP") for p in dumps)


def test_a_postgresql_backup_behind_a_table_lock_stops_with_the_table_named(
        cli, database, supervisor, tmp_path, monkeypatch):
    """A table held locked by another program (here LOCK TABLE in a transaction left open):
    pg_dump gives up after the wait, the sentence names the table, no part file is left."""
    _postgresql_only(database)
    if pg_backup.find_pg_dump() is None:
        pytest.skip("pg_dump is not installed here")
    monkeypatch.setattr(pg_backup, "LOCK_WAIT_SECONDS", 1)
    folder = tmp_path / "dumps"
    assert cli("settings", "set", f"backup_folder={folder}", user="boss")[0] == 0
    holder = database.engine.connect()
    try:
        holder.exec_driver_sql("BEGIN")
        holder.exec_driver_sql("LOCK TABLE tag IN ACCESS EXCLUSIVE MODE")
        said = refused(cli("db", "backup", user="boss"), "waited 1 s for the table tag",
                       "nothing was backed up")
    finally:
        holder.rollback()
        holder.close()
    assert "Traceback" not in said
    assert not folder.exists() or not list(folder.iterdir())
    assert cli("db", "backup", user="boss")[0] == 0  # the lock gone, the backup is made


def test_postgresql_backup_without_pg_dump_gives_advice(cli, database, supervisor, tmp_path,
                                                        monkeypatch):
    _postgresql_only(database)
    monkeypatch.setenv("PATH", str(tmp_path))  # a PC without PostgreSQL's client tools
    monkeypatch.setattr(pg_backup, "PG_DUMP_PLACES", ())
    refused(cli("db", "backup", str(tmp_path), user="boss"), "pg_dump was not found",
            "pg_restore")
    assert list(tmp_path.iterdir()) == []


def test_postgresql_restore_points_to_pg_restore(cli, database, supervisor, tmp_path):
    _postgresql_only(database)
    some = tmp_path / "x.dump"
    some.write_bytes(b"PGDMP")
    refused(cli("db", "restore", str(some), user="boss"), "pg_restore")


def test_a_daily_backup_that_fails_is_one_warning_line(tmp_path, sqlite_template):
    path = tmp_path / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    made = open_database(f"sqlite:///{path}")
    demo.generate(made, 5, seed=2, today=dt.date(2026, 11, 23))  # staff to sign in as
    made.dispose()
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the backup folder should be")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT OR REPLACE INTO app_setting (key, value, updated_at, version) "
                     "VALUES ('backup_folder', ?, CURRENT_TIMESTAMP, 1)", (str(blocker / "sub"),))
    conn.close()
    done = harness.cli(f"sqlite:///{path}", "settings", "set", "shop_name=某某4S店")
    # The change is made; the backup's failure is said once, as the CLI says a warning.
    lines = [x for x in done.stderr.splitlines() if "Backing up" in x]
    assert len(lines) == 1 and lines[0].startswith("revisit: warning: "), done.stderr
    assert str(blocker) in lines[0]


def test_a_backup_is_never_written_over_the_database_or_someones_file(cli, database, supervisor,
                                                                      tmp_path):
    """`db backup FILE` named the database itself: it said "backed up" and made nothing.
    Named someone's file, it replaced it. Both are refused in a sentence, the files as they
    were; an earlier backup of that name is replaced on purpose only (a nightly task writing
    one name says --replace)."""
    path = _sqlite_only(database)
    before = path.read_bytes()
    code, _out, err = cli("db", "backup", str(path), user="boss")
    assert code == 2 and "is the database itself" in err and "Traceback" not in err
    assert path.read_bytes() == before
    work = tmp_path / "客户导出.json"
    work.write_text('{"mine": true}', encoding="utf-8")
    code, _out, err = cli("db", "backup", str(work), user="boss")
    assert code == 2 and "already exists and is not a backup" in err
    assert work.read_text(encoding="utf-8") == '{"mine": true}'
    nightly = tmp_path / "nightly.bak"
    for _ in range(2):
        code, _out, err = cli("db", "backup", str(nightly), "--replace", user="boss")
        assert code == 0, err
    assert nightly.read_bytes().startswith(b"SQLite format 3\0")
