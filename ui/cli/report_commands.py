"""`report activity`: the week's contacts per caller and outcome, as text or JSON."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

from services import reports


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="reports for the supervisor")
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    act = report_sub.add_parser(
        "activity",
        help="contacts per caller and outcome (default: this week)",
        description="Contacts made per caller and outcome between two dates (default: the "
        "current Monday–Sunday week), with follow-ups due and open complaints.",
    )
    act.add_argument("--from", dest="start", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    act.add_argument("--to", dest="end", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    act.add_argument("--format", choices=("text", "json"), default="text")
    act.set_defaults(handler=_activity)


def _activity(args, open_db) -> int:
    monday, sunday = reports.week_of(dt.date.today())
    report = reports.activity(open_db().sessions, args.start or monday, args.end or sunday)
    if args.format == "json":
        data = dataclasses.asdict(report)
        print(json.dumps(data, default=str, ensure_ascii=False, indent=2))
        return 0
    print(f"contacts {report.start} – {report.end}: {report.total:,}")
    for c in report.callers:
        outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(c.by_outcome.items()))
        print(
            f"  {c.staff or '(no caller)':<10} {c.total:>7,}  reached {c.reach_rate:5.1%}  "
            f"{outcomes}"
        )
    print("by channel: " + ", ".join(f"{k} {v:,}" for k, v in sorted(report.by_channel.items())))
    print(f"follow-ups due in the period: {report.follow_ups_due:,}")
    print(f"open complaints: {report.open_complaints:,}")
    return 0
