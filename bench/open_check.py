"""Benchmark: the damage check a SQLite file gets when it opens changed (copied, restored,
written by another program), against the limit it is given, and a command's start on such a
file against the same command on the file once seen sound.

    python bench/open_check.py /work/benchdata/demo-200000.sqlite3 [--runs 3]

1. `check_sqlite(path, limit)` for limits of 1.0 s (what opening gives it) and 0.2 s, the
   wall time of each against its limit, on a copy of the file (page cache warm).
2. `main.py db info` as a whole process on a fresh copy (checked at opening), then again on
   the same copy (seen sound: not checked)."""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.store.integrity import check_sqlite  # noqa: E402  (after the path is set)


def seconds_of(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{platform.platform()}, Python {platform.python_version()}, {time.ctime()}")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        shutil.copy(args.db, copy)
        print(f"{copy.stat().st_size / 1e9:.2f} GB")
        for limit in (1.0, 0.2):
            walls = []
            for _ in range(args.runs):
                started = time.perf_counter()
                result = check_sqlite(copy, limit)
                walls.append(time.perf_counter() - started)
            print(f"check with a limit of {limit:.1f} s: median {statistics.median(walls):.2f} s "
                  f"({', '.join(f'{w:.2f}' for w in walls)}), finished: {result.finished}")
        info = [sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{copy}", "db", "info"]
        changed, seen = [], []
        for _ in range(args.runs):
            copy.unlink()
            shutil.copy(args.db, copy)  # another inode: a changed file
            changed.append(seconds_of(info))
            seen.append(seconds_of(info))
        print(f"db info on a fresh copy: median {statistics.median(changed):.2f} s; "
              f"the same copy again: {statistics.median(seen):.2f} s")


if __name__ == "__main__":
    main()
