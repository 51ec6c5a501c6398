"""Benchmark: cold start to a usable window (the customer list on screen), in a new process.

Usage: python bench/startup.py sqlite:////path/demo-200000.sqlite3 [runs]
Runs `main.py --db URL --quit-after 0` (quits as soon as the first customer rows are shown)
under QT_QPA_PLATFORM=offscreen and reports the time from launching the process to that
moment, the first run cold. It signs in as the demo's supervisor (REVISIT_USER and
REVISIT_PASSWORD, unless already set), so no sign-in dialog waits; the time includes checking
the password."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.demo import DEMO_PASSWORD  # noqa: E402  (after the path is set)


def main() -> None:
    url = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    env = {"REVISIT_USER": "supervisor", "REVISIT_PASSWORD": DEMO_PASSWORD, **os.environ,
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    times = []
    for _ in range(runs):
        started = time.time()
        proc = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", url, "--quit-after", "0"],
            env=env, check=True, capture_output=True, text=True,
        )
        ready = float(proc.stdout.split("ready ")[1].split()[0])
        times.append(ready - started)
    print("runs (s):", ", ".join(f"{t:.2f}" for t in times))
    print(f"first {times[0]:.2f} s, median {statistics.median(times):.2f} s (target < 2.5 s)")


if __name__ == "__main__":
    main()
