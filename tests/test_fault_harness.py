"""The fault harness: `demo`, `list build`, `list outcomes` and `import` killed (SIGKILL) at
seeded random moments on SQLite and PostgreSQL, each kill followed by an integrity check and
the invariants a kill must keep —

- no finished list run without its files on disk, and no file at its own name half-written;
- nobody twice in a caller's open queue, and an unfinished run's calls in nobody's;
- demo rows exactly as its note says (whole batches), completed by `demo --resume` to the
  rows an uninterrupted run makes; outcomes and imports finished by running them again, with
  nothing stored twice;
- PostgreSQL sequences ahead of every table's largest id (a row can be added at once).

A full disk, a read-only database and damaged files: tests/test_fault_files.py."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, text

from models import Base, Customer, ListRun
from services.contacts import calls
from services.demo import DEMO_PASSWORD
from services.demo import generator as demo
from services.demo.batches import checked_note
from services.lists import build, runs
from services.outputs import run_files
from services.staff import signing
from services.store.database import Database, open_database
from services.store.settings import load_settings
from tests.services.import_files import DMS_HEADERS, customer_rows, write_xlsx
from tests.services.test_demo import _digest, _pg_database

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"
AS_OF = dt.date(2026, 11, 23)
SEGMENT = "车龄3年以上"
RNG = random.Random(20261130)  # the kill moments: the same on every run of the suite


# --- running and killing main.py ---------------------------------------------------------

def _command(url: str, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--db", url, *args]


def _env(user: str) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8",
            "REVISIT_USER": user, "REVISIT_PASSWORD": DEMO_PASSWORD}


def cli(url: str, *args: str, user: str = "supervisor", ok: bool = True
        ) -> subprocess.CompletedProcess:
    proc = subprocess.run(_command(url, *args), capture_output=True, text=True,
                          encoding="utf-8", env=_env(user), cwd=ROOT, timeout=300)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def killed(url: str, *args: str, after: float, marker: str, user: str = "supervisor") -> bool:
    """Run the command and SIGKILL it `after` seconds once `marker` (its progress line) is
    on stderr, so the kill lands in its work, not in Python starting up. False when it ended
    by itself first (then it must have succeeded)."""
    proc = subprocess.Popen(_command(url, *args), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=_env(user), cwd=ROOT)
    assert proc.stderr is not None
    seen = threading.Event()
    err: list[bytes] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err.append(line)
            if marker.encode() in line:
                seen.set()
        seen.set()  # the process ended (or closed stderr) without it

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen.wait(timeout=120)
    try:
        proc.wait(timeout=after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join()
        return True
    reader.join()
    text_ = b"".join(err).decode(errors="replace")
    assert proc.returncode == 0 and "Traceback" not in text_, text_
    return False


def one_error_line(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit 2 and, besides progress lines, exactly one line: `revisit: error: …`."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.strip().splitlines()
             if PROGRESS_LINE.match(line) is None]
    assert len(lines) == 1 and lines[0].startswith("revisit: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# ui/cli/progress.py's bar: "list [#####.....]  42% 84,000/200,000  0:31", labelled by a
# step ("demo", "list", …) or by the file being written ("week.pdf").
PROGRESS_LINE = re.compile(r"^.+ \[[#.]+\] +\d+% [\d,]+/[\d,]+ +\d+:\d\d$")


def _delays(low: float, high: float, n: int) -> list[float]:
    return sorted(RNG.uniform(low, high) for _ in range(n))


# --- databases --------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path, sqlite_template, pg_server_url)


def fresh_database(backend: str, tmp_path: Path, sqlite_template: Path,
                   pg_server_url: str | None) -> Iterator[str]:
    """A new, migrated, empty database of a test's own."""
    if backend == "sqlite":
        path = tmp_path / "revisit.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if pg_server_url is None:
        pytest.skip("PostgreSQL not configured (REVISIT_TEST_PG_URL)")
    made, drop = _pg_database(os.environ["REVISIT_TEST_PG_URL"])
    open_database(made).dispose()
    try:
        yield made
    finally:
        drop()


def _open(url: str) -> Database:
    return open_database(url)


def check_integrity(url: str) -> None:
    """The database is sound after a kill: SQLite's own checks; on PostgreSQL every sequence
    is past its table's largest id, and a customer can be added at once."""
    database = _open(url)
    try:
        with database.engine.connect() as conn:
            if database.is_sqlite:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            else:
                for table in Base.metadata.sorted_tables:
                    if "id" not in table.c or not table.c.id.autoincrement:
                        continue
                    seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                       {"t": table.name}).scalar()
                    if seq is None:
                        continue
                    last, called = conn.execute(
                        text(f"SELECT last_value, is_called FROM {seq}")).one()
                    top = conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table.name}")
                                       ).scalar()
                    assert (last + 1 if called else last) > top, table.name
        with database.sessions() as s:  # added and taken back: the harness adds no work
            s.add(Customer(code="K-after-kill", name="试"))
            s.flush()
            s.rollback()
    finally:
        database.dispose()


# --- demo ---------------------------------------------------------------------------------

DEMO = ("demo", "--customers", "1800", "--seed", "5", "--today", TODAY, "--batch", "150")


def test_demo_killed_at_random_moments_resumes_to_the_same_data(url, tmp_path,
                                                                sqlite_template):
    for after in _delays(0.0, 2.5, 3):
        database = _open(url)
        try:
            stopped = demo.stopped_run(database)
            started = signing.has_accounts(database.engine)
            complete = started and not stopped
        finally:
            database.dispose()
        if complete:
            break
        # Once the demo's accounts exist, only its supervisor may add to the database.
        user = "supervisor" if started else ""
        killed(url, *(("demo", "--resume") if stopped else DEMO), after=after,
               marker="demo [", user=user)
        check_integrity(url)
        database = _open(url)
        try:
            # Whole batches only, exactly as the note says (checked_note refuses otherwise).
            note = checked_note(database, resume=demo.stopped_run(database))
            customers = note.rows.get("customer", 0)
            assert customers % 150 == 0
        finally:
            database.dispose()
    database = _open(url)
    if demo.stopped_run(database):
        refused = cli(url, *DEMO, ok=False)
        one_error_line(refused, "half-filled by a demo that stopped after")
        cli(url, "demo", "--resume")
    assert not demo.stopped_run(database)
    # The same rows as a demo nobody stopped.
    reference_path = tmp_path / "reference.sqlite3"
    shutil.copy(sqlite_template, reference_path)
    reference = open_database(f"sqlite:///{reference_path}")
    try:
        demo.generate(reference, 1800, seed=5, today=AS_OF, batch=150)
        got, want = _digest(database), _digest(reference)
        # Signing in may renew a password's hash: accounts are compared by who they are.
        assert got.pop("staff_user") and want.pop("staff_user")
        assert got == want
        who = "SELECT id, username, display_name, role FROM staff_user ORDER BY id"
        with database.engine.connect() as a, reference.engine.connect() as b:
            assert a.execute(text(who)).all() == b.execute(text(who)).all()
    finally:
        reference.dispose()
        database.dispose()
    check_integrity(url)


# --- list build and list outcomes --------------------------------------------------------

def _demo_with_segment(url: str, customers: int = 500) -> None:
    database = _open(url)
    try:
        demo.generate(database, customers, seed=4, today=AS_OF)
        from services.segments import service as segments

        segments.save_segment(database.sessions, SEGMENT, {"version": 1, "where": {
            "field": "years_since_purchase", "op": ">=", "value": 3}}, purpose="care")
    finally:
        database.dispose()


def check_lists(url: str, files: dict[int, list[Path]], folder: Path) -> None:
    """No finished run without its files; no file half-written at its own name; nobody twice
    in a caller's open queue; no unfinished run's call in anyone's queue."""
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue  # a killed writer's scratch folder: never a file of the user's
        data = path.read_bytes()
        if path.suffix == ".pdf":
            assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], path
        else:
            openpyxl.load_workbook(path, read_only=True).close()
    database = _open(url)
    try:
        with database.sessions() as s:
            finished = dict(s.execute(select(ListRun.id, ListRun.finished_at)).all())
            staff = s.execute(text("SELECT id FROM staff_user")).scalars().all()
            doubled = s.execute(text(
                "SELECT m.assigned_staff_id, m.customer_id FROM list_run_member m "
                "JOIN list_run r ON r.id = m.run_id WHERE r.finished_at IS NOT NULL "
                "AND m.status = 'open' AND m.channel = 'phone' "
                "GROUP BY m.assigned_staff_id, m.customer_id HAVING count(*) > 1")).all()
        assert doubled == []
        for run_id, done in finished.items():
            if done is not None:
                assert files.get(run_id), f"finished run #{run_id} has no files"
                assert all(p.exists() for p in files[run_id]), run_id
        for staff_id in staff:
            for due in calls.queue(database.sessions, staff_id, AS_OF, limit=100_000).calls:
                if due.row_code:
                    assert finished[int(due.row_code.split("-")[0])] is not None
    finally:
        database.dispose()


def _new_runs(url: str, before: set[int]) -> list[int]:
    database = _open(url)
    try:
        return sorted({r.run_id for r in runs.list_runs(database.sessions, 1000)} - before)
    finally:
        database.dispose()


def test_list_build_killed_at_random_moments_leaves_no_half_run(url, tmp_path):
    _demo_with_segment(url, customers=900)
    folder = tmp_path / "out"
    folder.mkdir()
    files: dict[int, list[Path]] = {}
    known: set[int] = set()
    delays = _delays(0.0, 2.0, 2) + [300.0]  # the last one runs to its end
    for n, after in enumerate(delays):
        out = folder / f"week-{n}.pdf"
        done = not killed(url, "list", "build", SEGMENT, "--channel", "call", "--staff",
                          "chenli,liuyang", "--as-of", TODAY, "--format", "pdf",
                          "--out", str(out), after=after, marker="list [")
        check_integrity(url)
        new = _new_runs(url, known)
        known |= set(new)
        for run_id in new:
            files[run_id] = [out] if out.exists() else []
        check_lists(url, files, folder)
        database = _open(url)
        try:
            finished = [i for i in new if runs.run_info(database.sessions, i).finished]
        finally:
            database.dispose()
        if done or finished:
            break
    assert any(files.values())
    # An unfinished run a later run replaced stays out of the queues when re-printed, and is
    # shown replaced by it; the finished run names the unfinished ones it replaced.
    database = _open(url)
    try:
        listed = runs.list_runs(database.sessions)
        unfinished = [r.run_id for r in listed if not r.finished]
        [last] = [r.run_id for r in listed if r.finished]
        assert {r.replaced_by for r in listed} <= {None, last}
        assert [r.run_id for r in listed if r.replaced_by == last] == unfinished
        assert runs.run_info(database.sessions, last).replaces == tuple(sorted(unfinished))
        assert runs.run_info(database.sessions, last).replaced_by is None
    finally:
        database.dispose()
    for run_id in unfinished:
        again = folder / f"again-{run_id}.pdf"
        printed = cli(url, "list", "print", str(run_id), "--format", "pdf", "--out", str(again))
        assert "was replaced by run" in printed.stdout
        check_lists(url, files, folder)


def _filled_outcomes(url: str, tmp_path: Path) -> tuple[Path, int]:
    """A finished call run written as Excel, every row given an outcome as callers would."""
    database = _open(url)
    try:
        summary = build.build_run(database.sessions, SEGMENT, build.RunOptions(
            channel="call", staff=("chenli", "liuyang"), as_of=AS_OF))
        doc = runs.load_document(database.sessions, summary.run_id)
        path = tmp_path / "calls.xlsx"
        run_files.write_run_file(doc, run_files.FileRequest(run_files.CALL_LIST, path),
                                 load_settings(database.sessions))
        runs.finish_run(database.sessions, summary.run_id)
    finally:
        database.dispose()
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    rows = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["编号"]).value:
            ws.cell(r, col["结果"], ("无人接听", "接通", "预约")[r % 3])
            ws.cell(r, col["联系日期"], "2026-11-23")
            rows += 1
    wb.save(path)
    return path, rows


def test_list_outcomes_killed_at_random_moments_stores_each_row_once(url, tmp_path):
    _demo_with_segment(url, customers=900)
    path, rows = _filled_outcomes(url, tmp_path)
    assert rows > 400  # more than two chunks
    for after in _delays(0.0, 1.0, 2):
        killed(url, "list", "outcomes", str(path), after=after, marker="outcomes [")
        check_integrity(url)
    result = cli(url, "list", "outcomes", str(path))
    assert " already read before" in result.stdout
    database = _open(url)
    try:
        with database.engine.connect() as conn:
            events, keys = conn.execute(text(
                "SELECT count(*), count(DISTINCT source_key) FROM contact_event "
                "WHERE source_key LIKE 'list:%'")).one()
            attempts = conn.execute(text(
                "SELECT max(attempts), sum(attempts) FROM list_run_member")).one()
            readers = conn.execute(text(
                "SELECT DISTINCT s.username FROM audit_log a JOIN staff_user s "
                "ON s.id = a.staff_id WHERE a.action = 'read_outcomes'")).scalars().all()
    finally:
        database.dispose()
    assert events == keys == rows
    assert tuple(attempts) == (1, rows)
    assert readers == ["supervisor"]


# --- import ------------------------------------------------------------------------------

def test_import_killed_at_random_moments_then_run_again_stores_each_customer_once(url,
                                                                                   tmp_path):
    n = 6000
    path = write_xlsx(tmp_path / "保有客户.xlsx", DMS_HEADERS, customer_rows(n))
    for after in _delays(0.0, 1.5, 2):
        killed(url, "import", "customers", str(path), after=after, marker="import [", user="")
        check_integrity(url)
    cli(url, "import", "customers", str(path), user="")
    check_integrity(url)
    database = _open(url)
    try:
        with database.engine.connect() as conn:
            customers, names = conn.execute(text(
                "SELECT count(*), count(DISTINCT name) FROM customer")).one()
    finally:
        database.dispose()
    assert customers == names == n
