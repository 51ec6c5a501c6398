"""`list build` killed (SIGKILL) after its files were put in place and before its run was
marked finished, on SQLite and PostgreSQL: the run and its files are one. The run already
holds its SMS text, so `list print` writes the files as they were instead of refusing, and
recognises the complete files and finishes the run; the next build of the segment finishes
it first, as its own build would have."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from models import AuditLog, ListRun, StaffUser
from tests.test_fault_harness import (
    ROOT,
    SEGMENT,
    TODAY,
    _demo_with_segment,
    _env,
    _open,
    cli,
    fresh_database,
)

TEXT = "{称呼}您好，保养提醒"
# main.py killing itself (SIGKILL) the moment its files are renamed into place: nothing after
# that ran, neither the audit records nor the run's finishing.
KILLED_AT_FINISH = """
import os, runpy, signal, sys
sys.path.insert(0, {root!r})
from services.store import staging
real = staging.place
def place(files):
    real(files)
    os.kill(os.getpid(), signal.SIGKILL)
staging.place = place
sys.argv = [{main!r}, *sys.argv[1:]]
runpy.run_path({main!r}, run_name="__main__")
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path, sqlite_template, pg_server_url)


# main.py killing itself once the first of its files' audit records is made.
KILLED_AFTER_ONE_RECORD = """
import os, runpy, signal, sys
sys.path.insert(0, {root!r})
from services.outputs import run_files
real = run_files._record_export
def record(*args):
    real(*args)
    os.kill(os.getpid(), signal.SIGKILL)
run_files._record_export = record
sys.argv = [{main!r}, *sys.argv[1:]]
runpy.run_path({main!r}, run_name="__main__")
"""
AUTO = ("--channel", "auto", "--staff", "chenli,liuyang", "--sms-template", TEXT)


def _killed_build(url: str, out: Path, *options: str, wrapper: str = KILLED_AT_FINISH) -> None:
    script = out.parent / "killed_at_finish.py"
    script.write_text(wrapper.format(root=str(ROOT), main=str(ROOT / "main.py")),
                      encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), "--db", url, "list", "build", SEGMENT, "--as-of", TODAY,
         "--out", str(out), *(options or AUTO)], capture_output=True, text=True, encoding="utf-8",
        env={**_env("supervisor"), "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=300)
    assert proc.returncode == -9, proc.stderr  # killed, not ended by itself


def _killed_run(url: str, tmp_path: Path, wrapper: str = KILLED_AT_FINISH) -> tuple[Path, int]:
    """The 300-customer demo's list built into tmp_path/out/w.pdf by a build killed by
    `wrapper`: (the folder, the run's id), the run unfinished."""
    _demo_with_segment(url, 300)
    folder = tmp_path / "out"
    folder.mkdir()
    _killed_build(url, folder / "w.pdf", wrapper=wrapper)
    ((run_id, finished),) = _runs(url)
    assert not finished
    return folder, run_id


def _runs(url: str) -> list[tuple[int, bool]]:
    database = _open(url)
    try:
        with database.sessions() as s:
            return [(r.id, r.finished_at is not None)
                    for r in s.query(ListRun).order_by(ListRun.id)]
    finally:
        database.dispose()


def _rows(path: Path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith("w")}


def test_a_build_killed_once_its_files_are_in_place_is_finished_by_list_print(url, tmp_path):
    folder, run_id = _killed_run(url, tmp_path)
    sms_file = folder / "w-sms.xlsx"
    messages = _rows(sms_file)
    assert "手机号码" in messages[0] and len(messages) > 1  # the vendor file, complete
    assert {"w.pdf", "w-sms.xlsx"} <= set(_files(folder))

    # Written again as it was built, SMS messages and all, and finished: not refused for
    # want of the template the killed build never kept.
    again = cli(url, "list", "print", str(run_id), "--out", str(folder / "w.pdf"))
    assert (f"list run #{run_id} finished: its files were complete at their names"
            in again.stdout), again.stdout
    assert _runs(url) == [(run_id, True)]
    assert _rows(sms_file) == messages


def test_the_next_build_finishes_a_run_killed_once_its_files_are_in_place(url, tmp_path):
    folder, first = _killed_run(url, tmp_path)
    # A file changed since (opened and saved again, or another run's): not taken for the
    # run's own, so the run is not finished by it.
    before = (folder / "w-sms.xlsx").read_bytes()
    (folder / "w-sms.xlsx").write_bytes(before + b"\0")
    cli(url, "list", "build", SEGMENT, "--as-of", TODAY, "--channel", "mail",
        "--out", str(tmp_path / "mail.xlsx"))
    assert _runs(url)[0] == (first, False)
    (folder / "w-sms.xlsx").write_bytes(before)
    _next_build_finishes(url, tmp_path, folder, first)


def test_a_build_killed_between_its_audit_records_has_each_file_recorded_once(url, tmp_path):
    folder, first = _killed_run(url, tmp_path, wrapper=KILLED_AFTER_ONE_RECORD)
    _next_build_finishes(url, tmp_path, folder, first)


def _next_build_finishes(url: str, tmp_path: Path, folder: Path, first: int) -> None:
    """The next build of the segment finishes run `first`, whose files are in `folder` as
    written, and is not refused for it; each file's export record is made once."""
    built = cli(url, "list", "build", SEGMENT, "--as-of", TODAY, "--channel", "auto",
                "--staff", "chenli,liuyang", "--out", str(tmp_path / "next.pdf"),
                "--sms-template", TEXT)
    assert "finished" in built.stdout
    runs = _runs(url)
    assert runs[0] == (first, True) and all(done for _id, done in runs)
    assert os.path.isfile(tmp_path / "next.pdf")
    # Its files' export records, which the killed build never made, are in the audit trail.
    database = _open(url)
    try:
        with database.sessions() as s:
            exported = [(json.loads(detail)["file"], who) for detail, who in s.execute(
                select(AuditLog.detail, StaffUser.username)
                .join(StaffUser, StaffUser.id == AuditLog.staff_id)
                .where(AuditLog.action == "export_list_file", AuditLog.entity_id == first))]
    finally:
        database.dispose()
    assert sorted(exported) == sorted((name, "supervisor") for name in _files(folder))


def test_a_list_written_while_built_and_killed_in_place_is_finished_by_list_print(url,
                                                                                  tmp_path):
    _demo_with_segment(url, 300)
    out = tmp_path / "calls.xlsx"
    # One call list, written while the run is built and put in place by itself.
    _killed_build(url, out, "--channel", "call", "--staff", "chenli,liuyang")
    ((run_id, finished),) = _runs(url)
    assert not finished and len(_rows(out)) > 1
    again = cli(url, "list", "print", str(run_id), "--out", str(out))
    assert (f"list run #{run_id} finished: its files were complete at their names, written "
            "before it stopped: its calls are in the callers' queues" in again.stdout)
    assert _runs(url) == [(run_id, True)]
