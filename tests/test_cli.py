"""The command line as a user runs it: `python main.py …` in a subprocess. Help for every command,
demo + db info/upgrade on a real file, and user mistakes as one clear line without a traceback."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from services.demo import DEMO_PASSWORD
from services.store.database import head_revision

ROOT = Path(__file__).resolve().parent.parent
# The environment that makes main.py act as the demo's supervisor.
AS_DEMO_SUPERVISOR = {"REVISIT_USER": "supervisor", "REVISIT_PASSWORD": DEMO_PASSWORD}


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REVISIT_DB", "REVISIT_USER", "REVISIT_PASSWORD")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8", **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Non-zero exit, exactly one line on stderr starting `revisit: error:`, no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("revisit: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# ---------------------------------------------------------------------------
# help
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], ["--db", "demo", "db", "--verbose"]),
        (["demo", "--help"], ["--customers", "--seed", "--today"]),
        (["db", "--help"], ["upgrade", "info"]),
        (["db", "info", "--help"], ["--format", "json"]),
    ],
)
def test_help(args, expected):
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: revisit")
    for option in expected:
        assert option in result.stdout, option
    assert result.stderr == ""


# ---------------------------------------------------------------------------
# demo, db info, db upgrade on a real file
# ---------------------------------------------------------------------------


def test_demo_then_info_then_upgrade(tmp_path):
    path = tmp_path / "x.sqlite3"
    url = f"sqlite:///{path}"

    demo = run("--db", url, "demo", "--customers", "120", "--seed", "3", "--today", "2025-06-30")
    assert demo.returncode == 0, demo.stderr
    assert "Traceback" not in demo.stderr
    assert "added 120 customers" in demo.stdout

    info = run("--db", url, "db", "info", "--format", "json")
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["row_counts"]["customer"] == 120
    assert data["row_counts"]["vehicle"] >= 120
    assert data["revision"] == data["head"] == head_revision()
    assert data["backend"] == "sqlite"
    assert data["file_size"] == path.stat().st_size

    text_info = run("--db", url, "db", "info")
    assert text_info.returncode == 0
    assert "customer" in text_info.stdout and "120" in text_info.stdout

    before = _customers(path)
    for _ in range(2):  # already at the latest revision: nothing to do, nothing changed
        upgrade = run("--db", url, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        assert f"revision {head_revision()}" in upgrade.stdout
    assert _customers(path) == before
    assert not list(tmp_path.glob("*.bak"))


def test_a_template_key_is_shown_listed_and_counted_alike(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert run("--db", url, "demo", "--customers", "120", "--seed", "3",
               "--today", "2025-06-30").returncode == 0
    key, as_of = "matrix.7+.high", ("--as-of", "2025-06-30")
    count = run("--db", url, "segment", "count", key, *as_of, "--format", "json",
                env_extra=AS_DEMO_SUPERVISOR)
    members = run("--db", url, "segment", "members", key, *as_of, "--format", "json",
                  env_extra=AS_DEMO_SUPERVISOR)
    assert count.returncode == members.returncode == 0, members.stderr
    assert json.loads(members.stdout)["total"] == json.loads(count.stdout)["vehicles"] > 0
    shown = run("--db", url, "segment", "show", key, "--format", "json",
                env_extra=AS_DEMO_SUPERVISOR)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["name"] == key
    # Nothing was saved: no segment is listed.
    listed = run("--db", url, "segment", "list", env_extra=AS_DEMO_SUPERVISOR)
    assert key not in listed.stdout
    assert_user_error(run("--db", url, "segment", "show", "nosuch",
                          env_extra=AS_DEMO_SUPERVISOR), "nosuch")


def test_a_command_on_an_older_database_says_it_upgrades_it_first(tmp_path):
    """A scheduled task's log says why one run took longer: the upgrade and where the copy of
    the database as it was is kept. A new database is made without a word."""
    from models.db import make_engine
    from services.store.database import upgrade_schema

    new = run("--db", f"sqlite:///{tmp_path / 'new.sqlite3'}", "db", "upgrade")
    assert new.returncode == 0, new.stderr
    assert new.stderr == ""

    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine, "0018")
    engine.dispose()
    url = f"sqlite:///{path}"
    first = run("--db", url, "db", "info", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["revision"] == head_revision()
    (copy,) = (tmp_path / "backups").glob("old.sqlite3.migration-*.bak")
    assert first.stderr.splitlines() == [
        f"revisit: updating the database for this version of Revisit (schema 0018 to "
        f"{head_revision()}); the database as it was is kept in {copy}…"]
    again = run("--db", url, "db", "info")
    assert again.returncode == 0 and again.stderr == ""


def _customers(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, code, name, mobile FROM customer ORDER BY id").fetchall()
    finally:
        conn.close()


def test_revisit_db_environment_variable(tmp_path):
    path = tmp_path / "env.sqlite3"
    env = {"REVISIT_DB": f"sqlite:///{path}"}
    # A command that only reads does not make the database it is pointed at.
    assert_user_error(run("db", "info", env_extra=env), f"There is no database {path}",
                      "nothing was created", "REVISIT_DB")
    assert not path.exists()
    assert run("db", "upgrade", env_extra=env).returncode == 0
    result = run("db", "info", "--format", "json", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["row_counts"]["customer"] == 0
    assert path.is_file()


def test_a_mistyped_or_memory_database_is_refused_and_nothing_is_made(tmp_path):
    typo = tmp_path / "revisti.sqlite3"
    for command in (("list", "show"), ("customers", "unmerge", "3"),
                    ("segment", "list")):
        assert_user_error(run("--db", f"sqlite:///{typo}", *command),
                          f"There is no database {typo}", "Check the path given with --db")
    assert list(tmp_path.iterdir()) == []
    assert_user_error(run("--db", "sqlite://", "list", "show"), "sqlite:// is a database in "
                      "memory", "name a file")
    # The driver would ignore ?mode=ro and write all the same.
    assert_user_error(run("--db", f"sqlite:///{typo}?mode=ro", "demo", "--customers", "5"),
                      "leave '?mode=ro' out")
    assert list(tmp_path.iterdir()) == []


def test_an_emptied_database_file_is_refused_by_every_command(tmp_path):
    """It was read as a new empty database (0 customers) and made one; `db check` found no
    damage in it. `db restore` puts a backup in its place."""
    empty = tmp_path / "shared.sqlite3"
    empty.write_bytes(b"")
    url = f"sqlite:///{empty}"
    for command in (("segment", "count", "matrix.7+.high"), ("demo", "--customers", "5"),
                    ("db", "check"), ("db", "upgrade")):
        assert_user_error(run("--db", url, *command), f"{empty} is empty (0 bytes)",
                          "revisit db restore")
    assert [p.name for p in tmp_path.iterdir()] == ["shared.sqlite3"]
    assert empty.stat().st_size == 0


# ---------------------------------------------------------------------------
# user mistakes: one line, non-zero, no traceback
# ---------------------------------------------------------------------------


def test_bad_url():
    assert_user_error(run("--db", "not a url", "db", "info"), "not a url", "not a database URL")


def test_folder_as_database(tmp_path):
    assert_user_error(run("--db", f"sqlite:///{tmp_path}", "db", "info"), str(tmp_path), "folder")


def test_junk_file_as_database(tmp_path):
    junk = tmp_path / "photo.jpg"
    content = b"\xff\xd8\xff\xe0" + b"not a database at all" * 200
    junk.write_bytes(content)
    assert_user_error(run("--db", f"sqlite:///{junk}", "demo", "--customers", "5"), str(junk))
    assert junk.read_bytes() == content


def test_foreign_database_is_refused(tmp_path):
    other = tmp_path / "erp.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    content = other.read_bytes()
    assert_user_error(run("--db", f"sqlite:///{other}", "db", "upgrade"), str(other))
    assert other.read_bytes() == content


def test_unreachable_server():
    line = assert_user_error(
        run("--db", "postgresql://staff:hunter2@localhost:1/revisit", "db", "info"),
        "localhost:1",
    )
    assert "hunter2" not in line


def test_demo_with_zero_customers(tmp_path):
    path = tmp_path / "zero.sqlite3"
    assert_user_error(run("--db", f"sqlite:///{path}", "demo", "--customers", "0"), "0")
    if path.exists():
        assert _customers(path) == []


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["demo", "--today", "30/06/2025"],
        ["db"],
        ["segment", "members", "matrix.7+.high", "--limit", "-5"],
        ["segment", "members", "matrix.7+.high", "--offset", "99999999999999999999"],
    ],
)
def test_usage_errors(args, tmp_path):
    """A mistake in the command line is one line naming the command, like any other error."""
    result = run("--db", f"sqlite:///{tmp_path / 'u.sqlite3'}", *args)
    assert result.returncode == 2
    line = assert_user_error(result, "revisit", "see --help")
    assert args[0] in line
    assert "9223372036854775807" not in line  # a limit people never meet is not named
    # A mistyped command never creates a database.
    assert not (tmp_path / "u.sqlite3").exists()


# ---------------------------------------------------------------------------
# report activity
# ---------------------------------------------------------------------------


def test_report_activity_as_of_is_its_week_with_chinese_labels(tmp_path):
    path = tmp_path / "r.sqlite3"
    url = f"sqlite:///{path}"
    assert run("--db", url, "demo", "--customers", "30", "--seed", "3",
               "--today", "2025-06-30").returncode == 0
    with sqlite3.connect(path) as con:
        staff = con.execute("SELECT id FROM staff_user ORDER BY id LIMIT 1").fetchone()[0]
        customer = con.execute("SELECT id FROM customer ORDER BY id LIMIT 1").fetchone()[0]
        con.executemany(
            "INSERT INTO contact_event (customer_id, contact_at, channel, purpose, staff_id, "
            "outcome, created_at) VALUES (?, ?, ?, 'care', ?, ?, '2025-07-14 00:00:00.000000')",
            [(customer, f"{day} 10:00:00.000000", channel, staff, outcome)
             for day, channel, outcome in (
                 ("2025-07-07", "phone", "reached"),  # Monday
                 ("2025-07-09", "phone", "no_answer"),
                 ("2025-07-13", "sms", "sent"),  # Sunday
                 ("2025-07-14", "phone", "reached"),  # the next week
             )],
        )
    result = run("--db", url, "report", "activity", "--as-of", "2025-07-10")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "contacts 2025-07-07 – 2025-07-13: 3"
    assert lines[1].endswith("接通 1, 无人接听 1, 已发送 1")
    assert "by channel: 电话 2, 短信 1" in lines
    words = re.findall(r"[a-z_]+", result.stdout)
    assert not {"reached", "no_answer", "sent", "phone", "sms"} & set(words)
    data = json.loads(run("--db", url, "report", "activity", "--as-of", "2025-07-13",
                          "--format", "json").stdout)
    assert (data["start"], data["end"]) == ("2025-07-07", "2025-07-13")
    assert data["by_channel"] == {"phone": 2, "sms": 1}
    assert data["callers"][0]["by_outcome"] == {"reached": 1, "no_answer": 1, "sent": 1}
    bad = run("--db", url, "report", "activity", "--as-of", "10/07/2025")
    assert bad.returncode == 2 and "--as-of" in bad.stderr and "Traceback" not in bad.stderr


def test_work_beside_the_sign_in_runs_and_leaves_its_failures_to_the_command():
    """A command's `prepare` (its writers imported, a font loaded) runs on a thread while the
    user signs in; what fails there is met again, and reported, by the command itself."""
    import argparse
    import threading

    from ui.cli import _beside

    seen: list[tuple[str, bool]] = []
    args = argparse.Namespace(command="list")
    _beside(lambda a: seen.append((a.command, threading.current_thread().name == "prepare")),
            args)()
    assert seen == [("list", True)]

    def fails(_args):
        raise OSError("the font file cannot be read")

    _beside(fails, args)()  # waited for, and nothing raised here
    _beside(None, args)()
