"""Benchmark: a week change on the Reports area's dashboard, as the window makes it when the
supervisor presses ◀ — the quick part (shown first), the rest (every figure then on screen)
and the customers behind the contact figures (tooltips, clicks) — for weeks stepping back from
--as-of: first weeks never asked (no RFM counts kept for them; the RFM summary on today, as
the window's start leaves it), then the same weeks again.

The reference, in the same run: every statement the week change sent to the database, replayed
one after another on a plain driver connection (no pool, no ORM, no threads), and one direct
read of the eight weeks' contacts, whose count per week and channel must equal the dashboard's.

Usage:  python bench/report_week.py --db sqlite:///path/demo-200000.sqlite3 [--as-of 2026-11-29]
        [--weeks 5]
        python bench/report_week.py --db postgresql://user:password@host:port/name …
Make the database first with `python main.py --db URL demo --customers 200000`. It writes: the
RFM summary is built for today and the kept RFM counts are forgotten first (one app_setting row)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, event, select

from models import AppSetting, ContactEvent
from services.reports import activity, rfm_history
from services.reports import dashboard as dash
from services.segments import service as segments
from services.store.database import open_database

STEPS = ("quick part", "every figure", "customers behind")


def week_change(sessions, end: dt.date) -> tuple[list[float], float, dash.Dashboard]:
    """The window's three steps for the week ending `end`, one after another as
    ui/views/reports_view.py asks them: seconds from the change to each step's figures, and
    the process's CPU seconds (every thread) for all three."""
    start = end - dt.timedelta(days=6)
    t0, c0 = time.perf_counter(), time.process_time()
    quick = dash.dashboard(sessions, start, end, complete=False)
    t1 = time.perf_counter()
    full = dash.completed(sessions, quick)
    t2 = time.perf_counter()
    shown = dash.with_customers(sessions, full)
    t3 = time.perf_counter()
    return [t1 - t0, t2 - t0, t3 - t0], time.process_time() - c0, shown


def replay(db, statements: list[tuple[str, object]]) -> float:
    """The statements one after another on a plain driver connection: the database's own time
    for them (PostgreSQL with the dashboard's session settings)."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.engine.dialect.name == "postgresql":
            cur.execute("SET jit = off")
            cur.execute("SET max_parallel_workers_per_gather = 0")
        t0 = time.perf_counter()
        for sql, parameters in statements:
            cur.execute(sql, parameters)
            if cur.description is not None:  # not for SET and PRAGMA writes
                cur.fetchall()
        took = time.perf_counter() - t0
        raw.rollback()
        return took
    finally:
        raw.close()


def direct_weekly(db, end: dt.date) -> dict[tuple[str, str], int]:
    """Contacts per week (Monday) and channel over the dashboard's eight weeks, from one plain
    read of the contacts in that range, counted here."""
    monday = end - dt.timedelta(days=end.weekday())
    first = monday - dt.timedelta(weeks=7)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    at_ = ContactEvent.contact_at
    query = (select(at_, ContactEvent.channel)
             .where(at_ >= dt.datetime.combine(first, dt.time()), at_ < until))
    out: dict[tuple[str, str], int] = {}
    with db.engine.connect() as conn:
        for at, channel in conn.execute(query):
            day = at.date()
            key = ((day - dt.timedelta(days=day.weekday())).isoformat(), channel)
            out[key] = out.get(key, 0) + 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="the database URL")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=activity.last_week()[1],
                    help="the first week's end date (default: last Sunday)")
    ap.add_argument("--weeks", type=int, default=5, help="weeks stepped back (default 5)")
    args = ap.parse_args()
    db = open_database(args.db)
    sessions = db.sessions
    version = ".".join(map(str, db.engine.dialect.server_version_info or ()))
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{db.engine.dialect.name} {version}"
          f"; load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    segments.prepare_summaries(sessions)  # the RFM summary on today, as the window's start
    with sessions.begin() as s:
        s.execute(delete(AppSetting).where(AppSetting.key == rfm_history.KEY))
    # Warm the caches with a week outside those measured, as a window already open has.
    week_change(sessions, args.as_of + dt.timedelta(weeks=1))
    ends = [args.as_of - dt.timedelta(weeks=k) for k in range(args.weeks)]
    captured: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        captured.append((statement, parameters))

    rows: dict[str, list[list[float]]] = {"new": [], "again": []}
    cpu: dict[str, list[float]] = {"new": [], "again": []}
    reference: list[float] = []
    for kind in ("new", "again"):
        for end in ends:
            captured.clear()
            event.listen(db.engine, "before_cursor_execute", keep)
            steps, used, shown = week_change(sessions, end)
            event.remove(db.engine, "before_cursor_execute", keep)
            rows[kind].append(steps)
            cpu[kind].append(used)
            if kind == "again":
                reference.append(replay(db, list(captured)))
                got = {(c.key, c.sub): c.value for c in shown.per_week_channel}
                assert got == direct_weekly(db, end), f"weekly contacts differ for {end}"
            print(f"  {kind:5s} week ending {end}: "
                  + ", ".join(f"{name} {s:.3f} s" for name, s in zip(STEPS, steps, strict=True))
                  + f"; CPU {used:.3f} s", flush=True)
    print(f"\nweek change on {db.display_url}, weeks ending {ends[-1]} … {ends[0]} "
          f"(median of {len(ends)})")
    width = 44
    print(f"{'':<{width}}  " + "  ".join(f"{s:>16}" for s in STEPS) + "  CPU, all threads")
    for kind, label in (("new", "week not asked before (RFM shifted or live)"),
                        ("again", "week asked before (RFM counts kept)")):
        medians = [statistics.median(r[i] for r in rows[kind]) for i in range(len(STEPS))]
        print(f"{label:<{width}}  " + "  ".join(f"{m:16.3f}" for m in medians)
              + f"  {statistics.median(cpu[kind]):8.3f}")
    print(f"{'reference: its statements, one after another':<{width}}  "
          f"{'':>16}  {'':>16}  {statistics.median(reference):16.3f}")
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
