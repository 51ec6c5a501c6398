"""Benchmark: a caller's queue in My follow-ups (services/contacts/calls.py queue), what the
area reads on every refresh: the calls listed, how many in all, and the runs to narrow to.

Usage:  python bench/followup_queue.py --db sqlite:///path/demo-200000.sqlite3 --caller chenli
        [--as-of 2026-11-30] [--repeat 5]
Make the database with `python main.py --db URL demo --customers 200000`, then hand a big list
to the caller, e.g. `main.py list build bench-114k --channel call --staff chenli --staff liuyang
--as-of 2026-11-30`. The reference, measured in the same run, is one plain count of the
caller's open phone members of finished, not withdrawn runs: the least any queue must read.
--past-runs N first stores N finished runs without open members, copies of the newest run as
years of weekly lists leave them (they change the database: give it a copy)."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from models import ListRun, ListRunMember, StaffUser
from services.contacts import calls
from services.store.database import open_database


def _median(work, repeat: int) -> tuple[float, object]:
    times, got = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        got = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), got


def _store_past_runs(database, count: int) -> None:
    """`count` finished runs like the newest one, each a week before the last, none of them
    with a member (their calls all made long ago)."""
    with database.sessions.begin() as s:
        newest = s.scalars(select(ListRun).order_by(ListRun.id.desc()).limit(1)).first()
        if newest is None:
            sys.exit("--past-runs copies the newest list run: build one first")
        s.add_all([ListRun(segment_name=newest.segment_name, filter_json=newest.filter_json,
                           as_of=newest.as_of - dt.timedelta(weeks=n), purpose=newest.purpose,
                           channel_mode=newest.channel_mode, settings_json=newest.settings_json,
                           contact_fatigue_days=newest.contact_fatigue_days,
                           created_at=newest.created_at - dt.timedelta(weeks=n),
                           finished_at=newest.finished_at) for n in range(1, count + 1)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--caller", default="chenli")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--past-runs", type=int, default=0)
    args = parser.parse_args()
    database = open_database(args.db)
    if args.past_runs:
        _store_past_runs(database, args.past_runs)
    with database.sessions() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.username == args.caller))
    if staff_id is None:
        sys.exit(f"no staff member {args.caller!r} in {args.db}")
    m, run = ListRunMember, ListRun

    def plain_count() -> int:
        with database.sessions() as s:
            return s.scalar(select(func.count()).select_from(m).join(run, run.id == m.run_id)
                            .where(m.assigned_staff_id == staff_id, m.channel == "phone",
                                   m.status == "open", run.finished_at.is_not(None),
                                   run.withdrawn_at.is_(None))) or 0

    whole = calls.queue(database.sessions, staff_id, args.as_of)
    sources: list[tuple[str, calls.Source]] = [("all calls", calls.ALL_CALLS),
                                               ("promised follow-ups", calls.FOLLOW_UPS)]
    if whole.runs:
        sources.append((f"list #{whole.runs[0].run_id} alone", whole.runs[0].run_id))
    print(f"{args.caller}: {whole.total} due, {len(whole.runs)} run(s)")
    print("| read | seconds (median) | listed | in all |")
    print("| --- | ---: | ---: | ---: |")
    for name, source in sources:
        seconds, got = _median(
            lambda source=source: calls.queue(database.sessions, staff_id, args.as_of,
                                              source=source), args.repeat)
        assert isinstance(got, calls.Queue)
        print(f"| queue: {name} | {seconds:.3f} | {len(got.calls)} | {got.total} |")
    seconds, count = _median(plain_count, args.repeat)
    print(f"| reference: plain count of open members | {seconds:.3f} | | {count} |")
    database.dispose()


if __name__ == "__main__":
    main()
