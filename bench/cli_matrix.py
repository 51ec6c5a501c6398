"""Benchmark: `segment matrix` as a whole CLI process against a plain Python script running the
same statement with the sqlite3 module (bench/plain_query.py), taking turns in the same run.

Usage: python bench/cli_matrix.py --db sqlite:////path/demo-200000.sqlite3 [--as-of 2026-11-23]
       [--runs 7]
The statement and its parameters are captured from Revisit itself as they reach the driver (in
a process of their own: a child's peak RSS counts its parent's memory from before it starts),
so both processes ask SQLite exactly the same; the difference is everything around the query:
starting Python, imports, opening and checking the database, printing. One untimed run of each
comes first (page cache, bytecode: the children may write it even when PYTHONDONTWRITEBYTECODE
is set here, as an installed Revisit has it). Reports the median wall time and the peak RSS of
each."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def capture_statement(url: str, as_of: dt.date, out: str) -> None:
    """Write the matrix statement and parameters, as Revisit hands them to sqlite3, to `out`."""
    from sqlalchemy import event

    from services.segments import matrix
    from services.store.database import open_database

    database = open_database(url)
    seen: list[tuple[str, list]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "GROUP BY" in statement:
            seen.append((statement, list(parameters)))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        matrix.matrix(database.engine.connect, as_of)  # as `segment matrix` asks it
    finally:
        database.dispose()
    assert len(seen) == 1, seen
    with open(out, "w", encoding="utf-8") as f:
        json.dump(seen[0], f)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--as-of", default="2026-11-23")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--capture-to", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.capture_to:
        capture_statement(args.db, dt.date.fromisoformat(args.as_of), args.capture_to)
        return 0
    if not args.db.startswith("sqlite:///"):
        raise SystemExit("the plain script reads a SQLite file: sqlite:///PATH")
    path = args.db.removeprefix("sqlite:///")
    fd, statement = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    subprocess.run([sys.executable, __file__, "--db", args.db, "--as-of", args.as_of,
                    "--capture-to", statement], check=True)
    ours = [sys.executable, str(ROOT / "main.py"), "--db", args.db, "segment", "matrix",
            "--as-of", args.as_of]
    plain = [sys.executable, str(ROOT / "bench" / "plain_query.py"), path, statement]
    runs: dict[str, list[tuple[float, float]]] = {"revisit segment matrix": [],
                                                  "plain sqlite3 script": []}
    try:
        for command in (ours, plain):
            run_rss(command)  # warm
        for _ in range(args.runs):
            for name, command in zip(runs, (ours, plain), strict=True):
                runs[name].append(run_rss(command))
    finally:
        os.unlink(statement)
    medians = {}
    for name, got in runs.items():
        medians[name] = statistics.median(t for t, _ in got)
        print(f"{name:24} runs (s): {', '.join(f'{t:.3f}' for t, _ in got)}; median "
              f"{medians[name]:.3f} s, peak RSS {max(m for _, m in got):.0f} MiB")
    ratio = medians["revisit segment matrix"] / medians["plain sqlite3 script"]
    print(f"revisit / plain = {ratio:.2f} (target ≤ 2)")
    return 0


# Without bytecode files each changed module is compiled again at every start (the 30 modules
# of Revisit's own that `segment matrix` loads: 0.045 s).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_rss(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of `command`, its output discarded."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT,
                                env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise SystemExit(f"{command[1]} failed: {err.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
