"""The fault harness, part two (part one, the kills, is tests/test_fault_harness.py): a full
disk (a small tmpfs), a read-only database and damaged files met by `list build` and `list
outcomes` — each one sentence and exit 2, no partial file, nothing stored half-way."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from services.contacts import calls
from services.lists import runs
from tests.conftest import small_disk
from tests.services.import_files import write_xlsx
from tests.test_fault_harness import (
    AS_OF,
    SEGMENT,
    TODAY,
    _demo_with_segment,
    _open,
    cli,
    fresh_database,
    one_error_line,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path, sqlite_template, pg_server_url)


@pytest.fixture
def tiny_disk(tmp_path) -> Iterator[Path]:
    """A 64 KB disk: room for a few files, not for a call sheet of hundreds."""
    with small_disk(tmp_path / "full", "64k") as disk:
        yield disk


def test_a_full_disk_leaves_no_partial_file_and_the_run_unfinished(url, tiny_disk):
    _demo_with_segment(url)
    out = tiny_disk / "week.pdf"
    result = cli(url, "list", "build", SEGMENT, "--channel", "call", "--staff", "chenli",
                 "--as-of", TODAY, "--format", "pdf", "--out", str(out), ok=False)
    one_error_line(result, f"The disk is full: {out} could not be written", "kept unfinished",
                   "list print 1")
    assert list(tiny_disk.iterdir()) == []  # not even the scratch folder
    database = _open(url)
    try:
        assert not runs.run_info(database.sessions, 1).finished
        with database.sessions() as s:
            chenli = s.execute(text("SELECT id FROM staff_user WHERE username = 'chenli'")
                               ).scalar_one()
        assert [d for d in calls.queue(database.sessions, chenli, AS_OF).calls if d.row_code] == []
    finally:
        database.dispose()


def _fill(folder: Path) -> Path:
    """Every byte of the disk `folder` is on taken by one file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (4096, 512, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass
    return filler


@pytest.mark.parametrize("command", [
    ("report", "dashboard", "--from", "2026-11-01", "--to", TODAY, "--out", "d.xlsx"),
    ("report", "weekly", "--from", "2026-11-16", "--to", TODAY, "--out", "w.pdf"),
    ("report", "suggestions", "--from", "2026-11-01", "--to", TODAY, "--out", "s.json"),
    ("segment", "export", SEGMENT, "-o", "seg.json"),
], ids=["dashboard", "weekly", "suggestions", "segment"])
def test_a_full_disk_is_one_sentence_naming_the_report_or_segment_file_and_leaves_none(
        tmp_path, sqlite_template, tiny_disk, command):
    """It said "A file could not be read or written" naming no file, the Excel report then
    printed a traceback from the zip archive left open, and an exported segment left an empty
    file at its name."""
    path = tmp_path / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    _demo_with_segment(f"sqlite:///{path}", customers=200)
    filler = _fill(tiny_disk)
    out = tiny_disk / command[-1]
    result = cli(f"sqlite:///{path}", *command[:-1], str(out), ok=False)
    one_error_line(result, f"The disk is full: {out} could not be written.")
    assert list(tiny_disk.iterdir()) == [filler]  # no partial file, no scratch folder


def test_a_daily_backup_failing_on_a_full_disk_leaves_nothing_in_the_backup_folder(
        tmp_path, sqlite_template, tiny_disk):
    """The command's work is done and the failed backup is a warning; the part's journal was
    left in the backup folder (.revisit.sqlite3.daily-….bak.PID.part-journal)."""
    path = tmp_path / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    _demo_with_segment(f"sqlite:///{path}", customers=200)
    with sqlite3.connect(path) as conn:  # the shared settings name the full disk's folder
        conn.execute("INSERT INTO app_setting (key, value, updated_at) VALUES "
                     "('backup_folder', ?, '2026-11-20 09:00:00')",
                     (str(tiny_disk),))
    result = cli(f"sqlite:///{path}", "segment", "save-template", "due.birthday")
    assert "Backing up" in result.stderr and "the disk is full" in result.stderr
    assert list(tiny_disk.iterdir()) == []


@pytest.fixture
def read_only_copy(tmp_path, sqlite_template) -> Iterator[Path]:
    """A demo database on a read-only mount, as on a share the PC may only read."""
    source = tmp_path / "rw"
    source.mkdir()
    path = source / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    _demo_with_segment(f"sqlite:///{path}", customers=200)
    with sqlite3.connect(path) as conn:  # everything in the main file, no -wal beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    target = tmp_path / "ro"
    target.mkdir()
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(target)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot make a read-only mount here (needs root)")
    subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], capture_output=True)
    try:
        yield target / "revisit.sqlite3"
    finally:
        subprocess.run(["umount", str(target)], check=True)


def test_a_read_only_database_is_one_line_for_list_build_and_outcomes(read_only_copy,
                                                                       tmp_path):
    url = f"sqlite:///{read_only_copy}"
    before = read_only_copy.read_bytes()
    out = tmp_path / "week.xlsx"
    built = cli(url, "list", "build", SEGMENT, "--channel", "call", "--as-of", TODAY,
                "--format", "xlsx", "--out", str(out), ok=False)
    one_error_line(built)
    assert not out.exists()
    outcomes = tmp_path / "calls.xlsx"
    write_xlsx(outcomes, ["编号", "结果"], [["1-0001", "接通"]])
    read = cli(url, "list", "outcomes", str(outcomes), ok=False)
    one_error_line(read)
    assert read_only_copy.read_bytes() == before


def test_damaged_files_are_one_line_for_list_build_and_outcomes(tmp_path, sqlite_template):
    path = tmp_path / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    _demo_with_segment(url, customers=300)
    # A damaged outcomes file: the start of an Excel file, cut off.
    good = tmp_path / "good.xlsx"
    write_xlsx(good, ["编号", "结果"], [["1-0001", "接通"]] * 50)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:700])
    one_error_line(cli(url, "list", "outcomes", str(cut), ok=False),
                   "cut.xlsx is not a readable Excel workbook: it is damaged")
    # A damaged database: garbage over the pages the customers live in.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'customer' "
                                            "AND pagetype = 'leaf' ORDER BY pageno")]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as f:
        for page in pages[len(pages) // 2:len(pages) // 2 + 2]:
            f.seek((page - 1) * page_size)
            f.write(b"\xa5" * page_size)
    built = cli(url, "list", "build", SEGMENT, "--as-of", TODAY, "--format", "xlsx",
                "--out", str(tmp_path / "week.xlsx"), ok=False)
    line = one_error_line(built, str(path))
    assert "damaged" in line or "malformed" in line
    assert "page" not in line  # SQLite's own dump of the bad pages: in the log only
    assert "revisit db restore" in line or "not a Revisit database" in line
    assert not (tmp_path / "week.xlsx").exists()
