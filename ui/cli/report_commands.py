"""`report activity`: the week's contacts per caller and outcome, as text or JSON."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

from services.labels import codes, text
from services.reports import activity as reports


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="reports for the supervisor")
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    act = report_sub.add_parser(
        "activity",
        help="contacts per caller and outcome (default: this week)",
        description="Contacts made per caller and outcome between two dates (default: the "
        "Monday–Sunday week holding --as-of, today unless given), with follow-ups due and "
        "open complaints.",
    )
    act.add_argument("--as-of", dest="as_of", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                     help="report the Monday–Sunday week holding this date (default: today)")
    act.add_argument("--from", dest="start", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    act.add_argument("--to", dest="end", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    act.add_argument("--format", choices=("text", "json"), default="text")
    act.set_defaults(handler=_activity)


def _activity(args, open_db) -> int:
    monday, sunday = reports.week_of(args.as_of or dt.date.today())
    report = reports.activity(open_db().sessions, args.start or monday, args.end or sunday)
    if args.format == "json":
        data = dataclasses.asdict(report)
        print(json.dumps(data, default=str, ensure_ascii=False, indent=2))
        return 0
    # Text shows codes by their Chinese labels (the users are Chinese); JSON keeps the codes.
    print(f"contacts {report.start} – {report.end}: {report.total:,}")
    for c in report.callers:
        outcomes = _counts(c.by_outcome, "outcome")
        print(
            f"  {c.staff or '(no caller)':<10} {c.total:>7,}  reach rate {c.reach_rate:5.1%}  "
            f"{outcomes}"
        )
    print(f"by channel: {_counts(report.by_channel, 'channel')}")
    print(f"follow-ups due in the period: {report.follow_ups_due:,}")
    print(f"open complaints: {report.open_complaints:,}")
    return 0


def _counts(counts: dict[str, int], kind: str) -> str:
    """Each code's Chinese label and count in the vocabulary's order, e.g. 接通 12, 无人接听 3."""
    known = codes(kind)
    order = [c for c in known if c in counts] + sorted(c for c in counts if c not in known)
    return ", ".join(f"{text(kind, c)} {counts[c]:,}" for c in order)
