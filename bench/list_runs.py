"""Benchmark: list runs end to end as staff and scheduled tasks meet them, each beside its
reference measured in the same run on the same database copy.

    python bench/list_runs.py --demo-db /work/benchdata/demo-200000.sqlite3 [--runs 3]

1. `main.py list build` of a large segment (years owned ≥ 6: about 110,000 owners on the
   200k demo) to an Excel call list, as a whole process; reference: writing that run's xlsx
   alone (its document already in memory). The same for the issue's size (years owned ≥ 5.8:
   114,187 owners, 106,607 of them listed).
2. `main.py list build` of a small segment (7–8 years owned, low satisfaction: about 3,100 on
   the demo of 2026-12) to a call sheet PDF, as a whole process; reference: the PDF alone, with
   the members' condensed briefs it prints (read from the database). The same for a segment of
   the issue's size (7.4–8 years: about 2,000).
3. The whole base (every customer, sales purpose) as one list run, `build_run` alone.
Each run starts from a fresh copy of the demo with no list run on it. Wall seconds are
medians; peak RSS is each process's own (os.wait4)."""

from __future__ import annotations

import argparse
import json
import os
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

from services.demo import DEMO_PASSWORD  # noqa: E402  (after the path is set)

AS_OF = "2026-11-23"
YEARS = "years_since_purchase"
SEGMENTS = {
    "bench-large": {"version": 1, "vehicles": "active",
                    "where": {"field": YEARS, "op": ">=", "value": 6}},
    # The size: 114,187 owners in the segment (106,607 listed) on the demo of 2026-12.
    "bench-114k": {"version": 1, "vehicles": "active",
                   "where": {"field": YEARS, "op": ">=", "value": 5.8}},
    "bench-small": {"version": 1, "vehicles": "active", "where": {"and": [
        {"field": YEARS, "op": ">=", "value": 7}, {"field": YEARS, "op": "<", "value": 8},
        {"field": "satisfaction_band", "op": "in", "value": ["low"]}]}},
    # The weekly call sheet, about 2,000 owners (2,011 on the demo of 2026-12).
    "bench-2k": {"version": 1, "vehicles": "active", "where": {"and": [
        {"field": YEARS, "op": ">=", "value": 7.4}, {"field": YEARS, "op": "<", "value": 8},
        {"field": "satisfaction_band", "op": "in", "value": ["low"]}]}},
    "bench-all": {"version": 1},
}
SETUP = """
import json, sys
sys.path.insert(0, {root!r})
from services.store.database import open_database
from services.segments import service as seg
db = open_database({url!r})
for name, flt in json.loads({segments!r}).items():
    seg.save_segment(db.sessions, name, flt, purpose="care", replace=True)
"""
REFERENCE = """
import sys, time, json
sys.path.insert(0, {root!r})
from services.store.database import open_database
from services.lists import runs
from services.store.settings import load_settings
from services.outputs import run_files
from pathlib import Path
db = open_database({url!r})
run_id = max(r.run_id for r in runs.list_runs(db.sessions, 5))
doc = runs.load_document(db.sessions, run_id)
st = load_settings(db.sessions)
out = Path({out!r})
request = run_files.plan_run_files(doc, out, {fmt!r})[0]
t = time.perf_counter()
# As `list build` writes it: a call sheet with each member's condensed brief read for it.
run_files.write_run_file(doc, request, st, None, briefs_from=db.sessions)
print(json.dumps({{"seconds": time.perf_counter() - t, "rows": request and len(doc.members)}}))
"""
WHOLE = """
import sys, time, json, datetime as dt
sys.path.insert(0, {root!r})
from services.store.database import open_database
from services.lists.build import build_run, RunOptions
db = open_database({url!r})
t = time.perf_counter()
s = build_run(db.sessions, "bench-all", RunOptions(staff=("chenli", "liuyang"), purpose="sales",
              as_of=dt.date(2026, 11, 23)))
rows = s.members + sum(s.excluded.values())
print(json.dumps({{"seconds": time.perf_counter() - t, "rows": rows}}))
"""


# Runs a command as its only child, then reports that child's peak RSS (KiB) on stderr.
WRAP = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
        "sys.stderr.write(f'\\nPEAK {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}"
        "\\n'); sys.exit(p.returncode)")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one process."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True,
                          env=env)
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[:6])}… failed:\n{proc.stderr}")
    peak = int(proc.stderr.rsplit("PEAK ", 1)[1].split()[0])
    return wall, peak / 1024, proc.stdout


def python(code: str) -> tuple[float, float, dict]:
    wall, rss, out = timed([sys.executable, "-c", code])
    return wall, rss, json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo-db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{platform.platform()}, Python {platform.python_version()}, {time.ctime()}")
    with tempfile.TemporaryDirectory() as tmp:
        prepared, db = Path(tmp) / "prepared.sqlite3", Path(tmp) / "demo.sqlite3"
        shutil.copy(args.demo_db, prepared)
        python(SETUP.format(root=str(ROOT), url=f"sqlite:///{prepared}",
                            segments=json.dumps(SEGMENTS)) + "\nprint('{}')")
        url = f"sqlite:///{db}"
        env = {**os.environ, "REVISIT_USER": "supervisor", "REVISIT_PASSWORD": DEMO_PASSWORD}

        def fresh() -> None:
            """The prepared database again under the same name, seen sound once (as a PC
            that has opened it): a run leaves out customers waiting on another run's list,
            so each timed run starts from no list at all."""
            shutil.copy(prepared, db)
            timed([sys.executable, str(ROOT / "main.py"), "--db", url, "db", "info"], env)

        for seg, fmt in (("bench-large", "xlsx"), ("bench-114k", "xlsx"), ("bench-small", "pdf"),
                         ("bench-2k", "pdf")):
            walls, rsses, refs = [], [], []
            for n in range(args.runs):
                fresh()
                out = Path(tmp) / f"{seg}-{n}.{fmt}"
                wall, rss, _ = timed([sys.executable, str(ROOT / "main.py"), "--db", url, "list",
                                      "build", seg, "--channel", "call", "--as-of", AS_OF,
                                      "--format", fmt, "--out", str(out)], env)
                walls.append(wall)
                rsses.append(rss)
                ref = python(REFERENCE.format(root=str(ROOT), url=url, fmt=fmt,
                                              out=str(Path(tmp) / f"ref-{n}.{fmt}")))[2]
                refs.append(ref["seconds"])
            print(f"list build {seg} → {fmt}: {ref['rows']:,} members; "
                  f"median {statistics.median(walls):.2f} s (runs "
                  f"{', '.join(f'{w:.2f}' for w in walls)}), peak {max(rsses):.0f} MiB; "
                  f"the {fmt} alone {statistics.median(refs):.2f} s; ratio "
                  f"{statistics.median(walls) / statistics.median(refs):.1f}×")
        walls, rsses, rows = [], [], 0
        for _ in range(args.runs):
            fresh()
            wall, rss, got = python(WHOLE.format(root=str(ROOT), url=url))
            walls.append(got["seconds"])
            rsses.append(rss)
            rows = got["rows"]
        print(f"whole base as one run: {rows:,} customers; build_run median "
              f"{statistics.median(walls):.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}),"
              f" peak {max(rsses):.0f} MiB")


if __name__ == "__main__":
    main()
