"""Benchmark: start to a usable window (the customer list on screen), in a new process, against a
bare PySide6 window doing the same queries and first page (bench/bare_window.py), measured in
the same run, taking turns.

Usage: python bench/startup.py sqlite:////path/demo-200000.sqlite3 [runs]
Runs `main.py --db URL --quit-after 0` (quits as soon as the first customer rows are shown)
under QT_QPA_PLATFORM=offscreen and reports the time from launching the process to that
moment, and the process's peak RSS (this script imports nothing big: a child's peak counts
its parent's memory from before it starts). It signs in as the demo's supervisor (REVISIT_USER and
REVISIT_PASSWORD, unless already set), so no sign-in dialog waits; the time includes checking
the password (argon2, deliberately slow), which the bare window has no part of. Both are warm:
one untimed start of each comes first."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.demo import DEMO_PASSWORD  # noqa: E402  (after the path is set; no models)


def launch(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launching `command` to its `ready <time>` line, and its peak RSS in MiB."""
    started = time.time()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or "ready " not in out:
        raise SystemExit(f"{command[1]} failed ({proc.returncode}): {out}")
    ready = float(out.split("ready ")[1].split()[0])
    return ready - started, usage.ru_maxrss / 1024


def main() -> None:
    url = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    env = {"REVISIT_USER": "supervisor", "REVISIT_PASSWORD": DEMO_PASSWORD, **os.environ,
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    ours = [sys.executable, str(ROOT / "main.py"), "--db", url, "--quit-after", "0"]
    if not url.startswith("sqlite:///"):
        raise SystemExit("the bare window reads a SQLite file: sqlite:///PATH")
    bare = [sys.executable, str(ROOT / "bench" / "bare_window.py"), url.removeprefix("sqlite:///")]
    launch(ours, env), launch(bare, env)  # warm: the page cache, the bytecode
    times: dict[str, list[float]] = {"Revisit": [], "bare PySide6": []}
    rss: dict[str, float] = {}
    for _ in range(runs):
        for name, command in (("Revisit", ours), ("bare PySide6", bare)):
            seconds, mib = launch(command, env)
            times[name].append(seconds)
            rss[name] = max(rss.get(name, 0.0), mib)
    for name, got in times.items():
        print(f"{name:13} runs (s): {', '.join(f'{t:.2f}' for t in got)}; median "
              f"{statistics.median(got):.3f} s, peak RSS {rss[name]:.0f} MiB")
    ratio = statistics.median(times["Revisit"]) / statistics.median(times["bare PySide6"])
    print(f"Revisit / bare = {ratio:.2f} (target ≤ 3)")


if __name__ == "__main__":
    main()
