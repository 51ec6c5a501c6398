"""Two `list build`s of one segment at the same moment, as two PCs on one database do: two
real main.py processes on SQLite and PostgreSQL. The second waits for the first and is refused
naming who made which run when; the first's printed calls stay in its callers' queues."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import ListRun, ListRunMember, StaffUser
from services.contacts import calls
from tests.test_fault_harness import (
    AS_OF,
    SEGMENT,
    TODAY,
    _command,
    _demo_with_segment,
    _env,
    _open,
    fresh_database,
    one_error_line,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path, sqlite_template, pg_server_url)


class Watched:
    """main.py running, its output read as it comes; `wait_for` a line holding a text."""

    def __init__(self, url: str, *args: str, paused: bool = False) -> None:
        command = _command(url, *args)
        if paused:
            root = Path(__file__).resolve().parent.parent
            script = Path(args[-1]).parent / "paused_holding_the_segment.py"
            script.write_text(PAUSED_HOLDING_THE_SEGMENT.format(
                root=str(root), main=str(root / "main.py")), encoding="utf-8")
            command[1] = str(script)
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=_env("supervisor"),
                                     cwd=Path(__file__).resolve().parent.parent)
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(stream, into), daemon=True)
                        for stream, into in ((self.proc.stdout, self.out),
                                             (self.proc.stderr, self.err))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.decode("utf-8", errors="replace"))

    def wait_for(self, fragment: str, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while not any(fragment in line for line in self.out + self.err):
            if self.proc.poll() is not None:  # ended: all it said is read, then looked at
                for reader in self.readers:
                    reader.join()
                assert any(fragment in line for line in self.out + self.err), (
                    fragment, self.out, self.err)
                return
            assert time.monotonic() < end, (fragment, self.out, self.err)
            time.sleep(0.01)

    def finish(self) -> subprocess.CompletedProcess:
        self.proc.wait(timeout=300)
        for reader in self.readers:
            reader.join()
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode,
                                           "".join(self.out), "".join(self.err))


# main.py stopping itself (SIGSTOP) once it holds the segment's lease, before it builds: a
# moment between its statements. Stopped at a moment of its own choosing, inside a SQLite
# commit, it left the other process's first read "database is locked" until it went on (1 run
# in 6 with both cores busy), which no build waiting for another does meet.
PAUSED_HOLDING_THE_SEGMENT = """
import os, runpy, signal, sys
sys.path.insert(0, {root!r})
from ui.cli import list_commands
real = list_commands._build_and_write
def paused(*args, **kwargs):
    print("holding the segment", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
    return real(*args, **kwargs)
list_commands._build_and_write = paused
sys.argv = [{main!r}, *sys.argv[1:]]
runpy.run_path({main!r}, run_name="__main__")
"""


def _wait_stopped(pid: int) -> None:
    """Until process `pid` is stopped (state T in /proc)."""
    end = time.monotonic() + 60
    while Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "T":
        assert time.monotonic() < end, "the build did not stop itself"
        time.sleep(0.01)


def _build(url: str, out: Path, *, paused: bool = False) -> Watched:
    return Watched(url, "list", "build", SEGMENT, "--channel", "call", "--staff",
                   "chenli,liuyang", "--as-of", TODAY, "--format", "pdf", "--out", str(out),
                   paused=paused)


def test_a_second_build_of_one_segment_waits_and_is_refused_leaving_the_first_intact(
        db_url, tmp_path):
    url = db_url
    _demo_with_segment(url, 500)
    first_pdf, second_pdf = tmp_path / "first.pdf", tmp_path / "second.pdf"
    first = _build(url, first_pdf, paused=True)
    # Stopped holding the segment, before it builds.
    first.wait_for("holding the segment")
    _wait_stopped(first.proc.pid)
    try:
        second = _build(url, second_pdf)
        second.wait_for("is being made right now; waiting for it to end")
    finally:
        first.proc.send_signal(signal.SIGCONT)
    made, refused = first.finish(), second.finish()
    assert made.returncode == 0, made.stderr
    assert "note:" not in made.stdout
    assert "finished: its calls are in the callers' queues" in made.stdout
    database = _open(url)
    try:
        with database.sessions() as s:
            runs = s.execute(select(ListRun.id, ListRun.finished_at)).all()
            assert len(runs) == 1 and runs[0].finished_at is not None
            run_id = runs[0].id
            phoned = s.scalar(select(func.count()).select_from(ListRunMember)
                              .where(ListRunMember.run_id == run_id,
                                     ListRunMember.channel == "phone"))
            callers = s.scalars(select(StaffUser.id).where(
                StaffUser.username.in_(("chenli", "liuyang")))).all()
            maker = s.scalar(select(StaffUser.display_name)
                             .where(StaffUser.username == "supervisor"))
        queued = [c.row_code for staff in callers
                  for c in calls.queue(database.sessions, staff, AS_OF, limit=10_000).calls
                  if c.row_code]
    finally:
        database.dispose()
    # Every call printed on the first run's sheet is in its caller's queue, and only those.
    assert phoned > 0 and len(queued) == phoned
    assert all(code.startswith(f"{run_id}-") for code in queued)
    assert f"list run #{run_id} " in made.stdout and first_pdf.exists()
    one_error_line(refused, f"{maker} made list run #{run_id} of the segment '{SEGMENT}' at ",
                   "nothing was made here")
    assert not second_pdf.exists()
