"""Benchmark: the Reports area on the demo database — the dashboard's quick part (what the window
shows first), the rest (month-earlier comparison, drift, follow-ups), the customers behind the
contact figures (the window's third step), the whole dashboard, each of its questions alone,
the effect of the newest list run and the Monday report as PDF and Excel; and the dashboard for
a new end date (the first dashboard of a week: no RFM counts kept for it, the RFM summary held
for another date) and for two end dates in turn (stepping between weeks).

Usage:  python bench/reports.py --db sqlite:///path/demo-200000.sqlite3 [--as-of 2026-11-29]
        [--repeat 5] [--new-date-only]
        python bench/reports.py --db postgresql://user:password@host:port/name …
Make the database first with `python main.py --db URL demo --customers 200000`. Prints warm-cache
medians (the first call of each is untimed). The CPU column is this process's: on PostgreSQL
the server does the counting, so it shows only the client's share. The new-date rows forget
the kept RFM counts (one app_setting row) before each call and move the RFM summary to the
day after --as-of, as the window does at start: they write to the database."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, select

from models import AppSetting, ListRun, StaffUser
from services.reports import behind, effect, monday, monday_files, owners, rfm_history
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


def forget_kept_rfm(sessions) -> None:
    """The RFM counts the dashboard keeps (services/reports/rfm_history.py), forgotten."""
    with sessions.begin() as s:
        s.execute(delete(AppSetting).where(AppSetting.key == rfm_history.KEY))


def new_dates(sessions, end: dt.date, n: int) -> list[tuple[str, float]]:
    """The dashboard for end dates it has not seen, each a week earlier than the last, with
    the RFM summary on the day after `end` (the window's start prepares it for today): the
    quick part, the rest, both (every figure, as the window waits for them); then two end
    dates in turn, once each has been asked."""
    segments.prepare_summaries(sessions, end + dt.timedelta(days=1))
    quick_s, rest_s, both_s, cpu_q = [], [], [], []
    for k in range(1, n + 2):  # the first untimed, as in timed()
        day = end - dt.timedelta(weeks=k)
        forget_kept_rfm(sessions)
        t0, c0 = time.perf_counter(), time.process_time()
        quick = dash.dashboard(sessions, day - dt.timedelta(days=6), day, complete=False)
        t1, c1 = time.perf_counter(), time.process_time()
        dash.completed(sessions, quick)
        t2 = time.perf_counter()
        if k > 1:
            quick_s.append(t1 - t0)
            rest_s.append(t2 - t1)
            both_s.append(t2 - t0)
            cpu_q.append(c1 - c0)
    name = "NEW end date: dashboard, quick part"
    CPU[name] = statistics.median(cpu_q)
    rows = [(name, statistics.median(quick_s)),
            ("NEW end date: dashboard, the rest", statistics.median(rest_s)),
            ("NEW end date: every figure (quick, then the rest)", statistics.median(both_s))]
    weeks = [end, end - dt.timedelta(weeks=1)]
    turns = iter(weeks * (n + 1))

    def in_turn() -> None:
        day = next(turns)
        quick = dash.dashboard(sessions, day - dt.timedelta(days=6), day, complete=False)
        dash.completed(sessions, quick)

    in_turn()  # both weeks asked once before timing
    name = "two end dates in turn: every figure (quick, then the rest)"
    rows.append((name, timed(in_turn, n, name)))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="the database URL")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(),
                    help="the dashboard's end date (default: today)")
    ap.add_argument("--repeat", type=int, default=5, help="timed calls per row (default 5)")
    ap.add_argument("--new-date-only", action="store_true",
                    help="only the dashboard for new end dates and two end dates in turn")
    args = ap.parse_args()
    db = open_database(args.db)
    sessions, end, n = db.sessions, args.as_of, args.repeat
    start = end - dt.timedelta(days=6)
    if args.new_date_only:
        _print(db, end, n, new_dates(sessions, end, n))
        db.dispose()
        return 0
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
        "  follow-ups due / overdue": reading(lambda s: dash._follow_ups(s, start, end, [])),
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
    rows += new_dates(sessions, end, n)
    _print(db, end, n, rows)
    db.dispose()
    return 0


def _print(db, end: dt.date, n: int, rows: list[tuple[str, float]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"reports on {db.display_url} as of {end} (median of {n}, warm cache)")
    print(f"{'':<{width}}  wall (s)  CPU, all threads (s)")
    for name, seconds in rows:
        cpu = f"{CPU[name]:8.3f}" if name in CPU else ""
        print(f"{name:<{width}}  {seconds:8.3f}  {cpu}")


if __name__ == "__main__":
    raise SystemExit(main())
