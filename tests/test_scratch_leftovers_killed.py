"""`list build` and `report weekly` killed (SIGKILL) while putting their files in place leave
their hidden scratch folders (.revisit-…) in the output folder; the next file written there
removes those older than an hour (services/store/staging.py STALE_SCRATCH), never a fresh one,
which may be another PC's writer at work. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.store.staging import SCRATCH_PREFIX, STALE_SCRATCH
from tests.test_fault_harness import (
    ROOT,
    SEGMENT,
    TODAY,
    _demo_with_segment,
    _env,
    cli,
    fresh_database,
)
from tests.test_list_killed_after_files import KILLED_AT_FINISH

DAY = 86_400.0


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path, sqlite_template, pg_server_url)


def _killed_in_place(url: str, folder: Path, *args: str) -> None:
    """main.py `args`, killed the moment its files are renamed into place: its emptied
    scratch folders are never removed by it."""
    script = folder.parent / "killed_in_place.py"
    script.write_text(KILLED_AT_FINISH.format(root=str(ROOT), main=str(ROOT / "main.py")),
                      encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), "--db", url, *args],
                          capture_output=True, text=True, encoding="utf-8",
                          env={**_env("supervisor"), "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == -9, proc.stderr


def _scratch(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(SCRATCH_PREFIX)}


def _age(folder: Path, names: set[str], seconds: float) -> None:
    then = time.time() - seconds
    for name in names:
        os.utime(folder / name, (then, then))


def test_scratch_left_by_killed_writers_goes_once_stale_when_the_next_file_is_written(
        url, tmp_path):
    _demo_with_segment(url, 300)
    folder = tmp_path / "out"
    folder.mkdir()
    _killed_in_place(url, folder, "list", "build", SEGMENT, "--as-of", TODAY, "--channel",
                     "auto", "--staff", "chenli,liuyang", "--out", str(folder / "w.pdf"))
    from_list = _scratch(folder)
    assert from_list and all(not any((folder / n).iterdir()) for n in from_list)  # emptied
    _killed_in_place(url, folder, "report", "weekly", "--out", str(folder / "周报.pdf"))
    from_report = _scratch(folder) - from_list
    assert len(from_report) == 1 and (folder / "周报.pdf").is_file()

    # A day old: removed by the next report written in the folder; a fresh one stays.
    _age(folder, from_list | from_report, DAY)
    cli(url, "report", "weekly", "--out", str(folder / "周报2.xlsx"))
    assert _scratch(folder) == set()

    _killed_in_place(url, folder, "report", "weekly", "--out", str(folder / "周报3.pdf"))
    fresh = _scratch(folder)
    assert len(fresh) == 1
    cli(url, "list", "print", "1", "--out", str(folder / "again.pdf"))
    assert _scratch(folder) == fresh  # still being written, as far as anyone can tell
    _age(folder, fresh, STALE_SCRATCH.total_seconds() + 60)
    cli(url, "list", "print", "1", "--out", str(folder / "again.pdf"))
    assert _scratch(folder) == set()
