"""SQLite's own consistency check of a database file, read-only and bounded in time."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    finished: bool  # False: the time ran out before every page was read
    problems: tuple[str, ...]


def check_sqlite(path: Path, seconds: float | None = None, *, full: bool = False) -> CheckResult:
    """SQLite's own consistency check of the file, read-only, stopped after `seconds`."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    deadline = None if seconds is None else time.monotonic() + seconds
    if deadline is not None:
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        rows = conn.execute("PRAGMA integrity_check(20)" if full else
                            "PRAGMA quick_check(20)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc).lower():
            return CheckResult(ok=True, finished=False, problems=())
        return CheckResult(ok=False, finished=True, problems=(str(exc),))
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        return CheckResult(ok=False, finished=True, problems=(str(exc),))
    finally:
        conn.close()
    problems = tuple(" ".join(str(r[0]).split()) for r in rows if r[0] != "ok")
    return CheckResult(ok=not problems, finished=True, problems=problems)
