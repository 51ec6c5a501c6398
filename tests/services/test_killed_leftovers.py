"""A `db backup` or `db restore` killed part way leaves its part file and the journal SQLite
kept beside it (42 MiB for the 3,000-customer demo). The next backup or restore in that folder
removes them once their process is gone (and they have not changed for a while), not an hour
later; a part whose process still runs stays, as does one that changed a moment ago. Real
processes, killed with SIGKILL: they never reach their clean-up. SQLite only (files)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.store import backup as backups
from services.store.restore import restore_backup

# A writer that begins writing its part as a backup does and stops there: its rollback journal
# beside it, a transaction it never finishes.
WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1].replace("PID", str(__import__("os").getpid())))
conn.execute("CREATE TABLE copied (page BLOB)")
conn.execute("BEGIN")
conn.executemany("INSERT INTO copied VALUES (?)", [(b"x" * 4096,)] * 2000)
conn.execute("CREATE TABLE more (n)")
print("writing", flush=True)
time.sleep(600)
"""


@pytest.fixture
def writers():
    started: list[subprocess.Popen] = []

    def start(pattern: Path) -> tuple[subprocess.Popen, Path]:
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(pattern)],
                                stdout=subprocess.PIPE, text=True)
        started.append(proc)
        assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
        part = Path(str(pattern).replace("PID", str(proc.pid)))
        assert part.is_file() and Path(f"{part}-journal").is_file()
        return proc, part

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _quiet_since(part: Path, seconds: float) -> None:
    """As if nothing had written `part` or its journal for `seconds`."""
    when = time.time() - seconds
    for path in (part, Path(f"{part}-journal")):
        os.utime(path, (when, when))


def _group(part: Path) -> list[Path]:
    return [p for p in (part, Path(f"{part}-journal")) if p.exists()]


def test_a_killed_backups_part_goes_with_the_next_backup(sqlite_database, writers):
    path = Path(sqlite_database.engine.url.database)
    folder = path.parent / "backups"
    folder.mkdir()
    killed_proc, killed = writers(folder / f".{path.name}.manual-20261206-230000.bak.PID.part")
    running_proc, running = writers(folder / f".{path.name}.daily-20261206-230100.bak.PID.part")
    just_proc, just_killed = writers(folder / f".{path.name}.import-20261206-230200.bak.PID.part")
    _kill(killed_proc)
    _kill(just_proc)
    _quiet_since(killed, 5 * 60)
    _quiet_since(running, 5 * 60)  # at work on another PC's copy of the same number, perhaps
    made = backups.backup_sqlite(path, backups.MANUAL)
    assert made.is_file()
    assert _group(killed) == []
    assert len(_group(running)) == 2 and running_proc.poll() is None
    # Killed a moment ago: left for the next one, as another PC's writer would be.
    assert len(_group(just_killed)) == 2
    _quiet_since(just_killed, 5 * 60)
    backups.backup_sqlite(path, backups.MANUAL)
    assert _group(just_killed) == []
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == sorted(
        p.name for p in _group(running))


def test_a_killed_restores_part_goes_with_the_next_restore(sqlite_database, writers):
    path = Path(sqlite_database.engine.url.database)
    saved = backups.backup_sqlite(path, backups.MANUAL)
    sqlite_database.dispose()
    proc, killed = writers(path.parent / f".{path.name}.PID.restoring")
    _kill(proc)
    _quiet_since(killed, 5 * 60)
    restore_backup(path, saved)
    assert _group(killed) == []
    assert not [p for p in path.parent.iterdir() if "restoring" in p.name]
