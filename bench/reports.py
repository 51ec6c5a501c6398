"""Benchmark: the Reports area on the demo database — the dashboard's quick part (what the window
shows first), the rest (month-earlier comparison, drift, follow-ups), the customers behind the
contact figures (the window's third step), the whole dashboard, each of its questions alone,
the effect of the newest list run and the Monday report as PDF and Excel.

Usage:  python bench/reports.py --db sqlite:///path/demo-200000.sqlite3 [--as-of 2026-11-29]
        [--repeat 5]
        python bench/reports.py --db postgresql://user:password@host:port/name …
Make the database first with `python main.py --db URL demo --customers 200000`. Prints warm-cache
medians (the first call of each is untimed). The CPU column is this process's: on PostgreSQL
the server does the counting, so it shows only the client's share."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from models import ListRun, StaffUser
from services.reports import behind, effect, monday, monday_files, owners
from services.reports import dashboard as dash
from services.segments import service as segments
from services.segments.derived import months_before
from services.store.database import open_database

CPU: dict[str, float] = {}


def timed(fn, repeat: int, name: str = "") -> float:
    """Median wall time; with `name`, the median CPU time of the whole process (every
    thread) is kept in CPU[name] too."""
    fn()
    runs, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if name:
        CPU[name] = statistics.median(cpu)
    return statistics.median(runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    db = open_database(args.db)
    sessions, end, n = db.sessions, args.as_of, args.repeat
    start = end - dt.timedelta(days=6)
    rows: list[tuple[str, float]] = []
    quick = dash.dashboard(sessions, start, end, complete=False)
    name = "dashboard, quick part (shown first)"
    rows.append((name, timed(lambda: dash.dashboard(sessions, start, end, complete=False), n,
                             name)))
    name = "dashboard, the rest (completed)"
    rows.append((name, timed(lambda: dash.completed(sessions, quick), n, name)))
    full = dash.completed(sessions, quick)
    name = "dashboard, customers behind the contact figures (third step)"
    rows.append((name, timed(lambda: dash.with_customers(sessions, full), n, name)))
    name = "dashboard, whole, every figure (one batch, no customers behind)"
    rows.append((name, timed(lambda: dash.dashboard(sessions, start, end, clickable=False), n,
                             name)))
    name = "dashboard, whole with the customers behind (one batch)"
    rows.append((name, timed(lambda: dash.dashboard(sessions, start, end), n, name)))
    with sessions() as s:
        names = dict(s.execute(select(StaffUser.id, StaffUser.display_name)).all())
        run_id = s.scalar(select(ListRun.id).order_by(ListRun.id.desc()).limit(1))
    weeks, months = dash._week_starts(end), dash._month_starts(end)
    month_ago = months_before(end, 1)

    def reading(question):
        return dash._reading(sessions, question)  # as the dashboard asks (its session setup)

    parts = {
        "  matrix (summary / live)": lambda: segments.matrix(sessions, end),
        "  matrix a month earlier (live)": lambda: segments.matrix(sessions, month_ago,
                                                                   use_summary=False),
        "  RFM (summary)": lambda: segments.rfm(sessions, end),
        "  RFM a month earlier (live)": lambda: segments.rfm(sessions, month_ago,
                                                             use_summary=False),
        "  contacts: weeks, months, outcomes, staff": reading(
            lambda s: dash._contacts(s, start, end, weeks, months, [], names)),
        "  follow-ups due / overdue": reading(lambda s: dash._follow_ups(s, end, [])),
        "  customers behind the contact figures (weeks, period)": reading(
            lambda s: behind.count(s, start, end, weeks, [])),
        "  customers behind the monthly trend": reading(
            lambda s: behind.count_months(s, end, months, [])),
        "  open complaints by age": reading(lambda s: owners.complaints(s, end)),
        "  drift (12 / 18 months by cell)": reading(lambda s: owners.drift(s, end)),
        "  consent and do-not-contact": reading(lambda s: owners.coverage(s, end, 0)),
    }
    for name, fn in parts.items():
        rows.append((name, timed(fn, n)))
    if run_id is not None:
        rows.append((f"effect of list run {run_id} (excluded)",
                     timed(lambda: effect.run_effect(sessions, run_id, "excluded"), n)))
        rows.append((f"effect of list run {run_id} (segment left out)",
                     timed(lambda: effect.run_effect(sessions, run_id, "left_out"), n)))
    with tempfile.TemporaryDirectory() as folder:
        for fmt in monday.FORMATS:
            path = Path(folder) / f"weekly.{fmt}"
            rows.append((f"Monday report, {fmt}", timed(
                lambda p=path: monday_files.write(sessions, p, None, start, end), max(1, n // 2))))
    width = max(len(r[0]) for r in rows)
    print(f"reports on {db.display_url} as of {end} (median of {n}, warm cache)")
    print(f"{'':<{width}}  wall (s)  CPU, all threads (s)")
    for name, seconds in rows:
        cpu = f"{CPU[name]:8.3f}" if name in CPU else ""
        print(f"{name:<{width}}  {seconds:8.3f}  {cpu}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
