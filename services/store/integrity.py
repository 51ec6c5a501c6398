"""SQLite's own consistency check of a database file, read-only and bounded in time."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    finished: bool  # False: the time ran out before every page was read
    problems: tuple[str, ...]


def check_sqlite(path: Path, seconds: float | None = None, *, full: bool = False) -> CheckResult:
    """SQLite's own consistency check of the file, read-only, stopped after `seconds`."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           check_same_thread=False)
    done = threading.Event()
    interrupter = None
    if seconds is not None:
        # An interrupt, not a progress handler: SQLite 3.40 calls no handler while it walks
        # the b-trees, one step of its program (a 1.6 GB file's took 1.5–2 s whatever the
        # limit), but honours an interrupt there. One asked before the statement has begun
        # is lost, so it is asked again until the check is over.
        again = min(max(seconds, 0.005), 0.05)

        def interrupt() -> None:
            if not done.wait(seconds):
                conn.interrupt()
                while not done.wait(again):
                    conn.interrupt()

        interrupter = threading.Thread(target=interrupt, name="check time limit", daemon=True)
        interrupter.start()
    try:
        rows = conn.execute("PRAGMA integrity_check(20)" if full else
                            "PRAGMA quick_check(20)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc).lower():
            return CheckResult(ok=True, finished=False, problems=())
        # The file could not be read as asked, which says nothing of its pages: opening a
        # WAL file beside no -shm makes one, refused on a full disk or a read-only mount
        # ("disk I/O error", "unable to open database file"). Damage is a DatabaseError
        # ("malformed", "file is not a database"), below. Raised for the caller's sentence.
        raise
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        return CheckResult(ok=False, finished=True, problems=(str(exc),))
    finally:
        done.set()
        if interrupter is not None:
            interrupter.join()  # never an interrupt of a closed connection
        conn.close()
    problems = tuple(" ".join(str(r[0]).split()) for r in rows if r[0] != "ok")
    return CheckResult(ok=not problems, finished=True, problems=problems)
