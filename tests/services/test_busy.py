"""Busy, not broken: while another process writes, an edit waits and succeeds, or after a
bounded wait gets one sentence saying the database is busy — on SQLite and PostgreSQL, with
real parallel processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Customer, db
from services.demo.generator import generate
from services.store.database import open_database, user_error

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 100


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# Read a customer's counter, then write it back plus one, ROUNDS times: the read-then-write
# shape of every edit. Prints the number of failed transactions.
COUNTER = """
    import sys, time
    from models import Customer
    from services.store.database import open_database
    url, cid, rounds, start_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    db = open_database(url, upgrade=False)
    time.sleep(max(0.0, start_at - time.time()))  # both processes start together
    failed = 0
    for _ in range(rounds):
        try:
            with db.sessions.begin() as s:
                c = s.get(Customer, cid)
                time.sleep(0.003)
                c.note = str(int(c.note or 0) + 1)
        except Exception as exc:
            failed += 1
            print(type(exc).__name__, exc, file=sys.stderr)
    print(failed)
"""

# Holds a write lock on customer 1 (its row on PostgreSQL, the whole file on SQLite) for the
# given seconds, saying "held" once it has it.
HOLDER = """
    import sys, time
    from sqlalchemy import text
    from services.store.database import open_database
    url, seconds = sys.argv[1], float(sys.argv[2])
    db = open_database(url, upgrade=False)
    with db.sessions.begin() as s:
        s.execute(text("UPDATE customer SET note = 'held' WHERE id = 1"))
        print("held", flush=True)
        time.sleep(seconds)
"""


@pytest.fixture
def demo(database):
    generate(database, 4, seed=2)
    return database


def test_read_then_write_edits_from_parallel_processes_all_succeed(demo):
    """On SQLite a transaction holding a read snapshot that then writes after another process
    committed fails at once ("database is locked", without waiting). Python's sqlite3 begins a
    transaction only at the first write, so an edit's reads before it hold no snapshot and its
    write waits for the other writer; two processes each make 100 such edits at the same time
    and none fails."""
    start_at = str(time.time() + 3)
    workers = [_start(COUNTER, demo.url, str(cid), str(ROUNDS), start_at) for cid in (1, 2)]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [out.strip() for out, _ in outputs] == ["0", "0"], [err for _, err in outputs]
    with demo.sessions() as s:
        notes = s.execute(select(Customer.note).where(Customer.id.in_((1, 2)))
                          .order_by(Customer.id)).scalars().all()
    assert notes == [str(ROUNDS), str(ROUNDS)]


def _hold(url: str, seconds: float) -> subprocess.Popen:
    holder = _start(HOLDER, url, str(seconds))
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def _edit_customer_one(database) -> None:
    with database.sessions.begin() as s:
        s.get(Customer, 1).note = "mine"


def test_an_edit_waits_for_a_short_writer_and_succeeds(demo):
    holder = _hold(demo.url, 1.5)
    started = time.monotonic()
    _edit_customer_one(demo)
    waited = time.monotonic() - started
    holder.communicate(timeout=30)
    assert holder.returncode == 0
    assert waited >= 1.0
    with demo.sessions() as s:
        assert s.get(Customer, 1).note == "mine"


def test_an_edit_behind_a_writer_that_does_not_finish_is_a_busy_sentence(demo, monkeypatch):
    # The waits are shortened for the test; the program waits 8 s.
    monkeypatch.setattr(db, "SQLITE_BUSY_MS", 800)
    monkeypatch.setattr(db, "PG_LOCK_TIMEOUT", "800ms")
    mine = open_database(demo.url, upgrade=False)
    holder = _hold(demo.url, 6)
    try:
        started = time.monotonic()
        with pytest.raises(Exception) as caught:
            _edit_customer_one(mine)
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.communicate(timeout=30)
        mine.dispose()
    error = user_error(caught.value, demo.url)
    assert error is not None
    assert "busy" in str(error) and "try again" in str(error)
