"""`report activity`: the week's contacts per caller and outcome, as text or JSON; `report
weekly|effect|dashboard --from D --to D [--staff S] --out PATH`: the Monday report written as
PDF or Excel (by the file's extension), for a scheduled task; `report suggestions --from D --to D
[--format text|json] [--out PATH]`: what followed the suggested next steps, per rule and
decision."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

from services.labels import codes, text
from services.reports import activity as reports
from services.reports import monday
from services.store.errors import N_, RevisitError
from ui.cli.language import to_stderr
from ui.cli.parsing import day, out_file


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
    act.add_argument("--as-of", dest="as_of", type=day, metavar="YYYY-MM-DD",
                     help="report the Monday–Sunday week holding this date (default: today)")
    act.add_argument("--from", dest="start", type=day, metavar="YYYY-MM-DD")
    act.add_argument("--to", dest="end", type=day, metavar="YYYY-MM-DD")
    act.add_argument("--format", choices=("text", "json"), default="text")
    act.set_defaults(handler=_activity)
    helps = {
        "weekly": "the Monday report: dashboard, targets against actuals, effect of contact",
        "effect": "effect of the period's list runs against their comparison groups",
        "dashboard": "the dashboard: owners, contacts, reach, appointments, complaints, consent",
    }
    sug = report_sub.add_parser(
        "suggestions",
        help="what followed the suggested next steps, per rule and decision",
        description="For decisions on suggested next steps made for days between --from and "
        "--to (default: last Monday–Sunday week), per rule and decision (accepted, changed, "
        "dismissed): the customers, and how many were then reached, came back for service or "
        "bought a car within 30 and 90 days.",
    )
    sug.add_argument("--from", dest="start", type=day, metavar="YYYY-MM-DD")
    sug.add_argument("--to", dest="end", type=day, metavar="YYYY-MM-DD")
    sug.add_argument("--format", choices=("text", "json"),
                     help="text (default) or json (default for an --out file ending .json)")
    sug.add_argument("--out", type=out_file, metavar="PATH",
                     help="write to this .txt or .json file instead of the screen")
    sug.set_defaults(handler=_suggestions)
    for kind in monday.KINDS:
        cmd = report_sub.add_parser(
            kind, help=helps[kind],
            description=f"Write {helps[kind]} to --out as PDF (.pdf) or Excel (.xlsx); the "
            "file appears complete or not at all. Default period: last Monday–Sunday week; "
            "with only --from or --to, the rest of that one's week.")
        cmd.add_argument("--from", dest="start", type=day,
                         metavar="YYYY-MM-DD")
        cmd.add_argument("--to", dest="end", type=day, metavar="YYYY-MM-DD")
        cmd.add_argument("--staff", metavar="NAME",
                         help="one person (user name or display name); default: everybody")
        cmd.add_argument("--out", type=out_file, required=True, metavar="PATH",
                         help="a .pdf or .xlsx file")
        cmd.set_defaults(handler=_write_report, kind=kind)


def _period(args) -> tuple[dt.date, dt.date]:
    """--from and --to; neither: last Monday–Sunday week; one of them: from it to the end of
    its week, or from its week's Monday to it (last week's Monday would make a --to before it
    a period that ends before it starts)."""
    if args.start is None and args.end is None:
        return reports.week_of(dt.date.today() - dt.timedelta(days=7))
    if args.start is None:
        return reports.week_of(args.end)[0], args.end
    if args.end is None:
        return args.start, reports.week_of(args.start)[1]
    return args.start, args.end


def _write_report(args, open_db) -> int:
    from services.reports import monday_files  # the PDF and Excel writers: only for files

    start, end = _period(args)
    sessions = open_db().sessions
    staff_id = monday.staff_id_of(sessions, args.staff) if args.staff is not None else None
    written = monday_files.write(sessions, args.out, None, start, end, staff_id, kind=args.kind)
    print(f"written: {written}")
    if args.kind == "weekly":
        from services.reports import kpi

        # A stored target the report read as no target (written by SQL, by an older copy):
        # said as the CLI's other warnings are, on stderr, as the Targets tab says it in red.
        for wrong in kpi.load_targets(sessions).not_valid:
            to_stderr(args.lang, N_("revisit: warning: {warning}"), warning=wrong.said())
    return 0


def _activity(args, open_db) -> int:
    monday, sunday = reports.week_of(args.as_of or dt.date.today())
    if args.as_of is None and (args.start is None) != (args.end is None):
        monday, sunday = _period(args)  # one end given: that one's week
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
            f"  {c.staff or '(no staff recorded)':<10} {c.total:>7,}  attempts {c.attempts:>7,}  "
            f"reach rate {'—' if c.reach_rate is None else format(c.reach_rate, '5.1%'):>6}  "
            f"{outcomes}"
        )
    print(f"by channel: {_counts(report.by_channel, 'channel')}")
    print(f"follow-ups due in the period: {report.follow_ups_due:,}")
    print(f"open complaints at the period's end: {report.open_complaints:,} "
          f"({report.open_complaint_customers:,} customers)")
    return 0


def _counts(counts: dict[str, int], kind: str) -> str:
    """Each code's Chinese label and count in the vocabulary's order, e.g. 接通 12, 无人接听 3."""
    known = codes(kind)
    order = [c for c in known if c in counts] + sorted(c for c in counts if c not in known)
    return ", ".join(f"{text(kind, c)} {counts[c]:,}" for c in order)


def _suggestions(args, open_db) -> int:
    from services.reports.suggestion_effect import MEASURES, WINDOWS, suggestion_effect

    ending = args.out.suffix.lower() if args.out else ""
    if ending not in ("", ".txt", ".json"):
        raise RevisitError(N_("report suggestions writes text (.txt) or JSON (.json), not "
                              "'{name}'."), name=args.out.name)
    fmt = args.format or ("json" if ending == ".json" else "text")
    found = suggestion_effect(open_db().sessions, *_period(args))
    if fmt == "json":
        data = dataclasses.asdict(found)
        data["rules"] = [
            {"rule": r.rule, "actions": {
                action: {"customers": o.customers,
                         "followed": {f"{m}_{w}d": o.count(w, m) for w in WINDOWS
                                      for m in MEASURES}}
                for action, o in r.actions}}
            for r in found.rules]
        out = json.dumps(data, default=str, ensure_ascii=False, indent=2)
    else:
        lines = [f"suggestion outcomes {found.start} – {found.end} (customers once per rule "
                 "and decision; reached / came back / bought within 30 and 90 days)"]
        missing = [str(w) for w in WINDOWS if w not in found.complete_windows]
        if missing:
            lines.append(f"not over yet: the {'/'.join(missing)}-day window")
        if not found.rules:
            lines.append("no suggestion was accepted, changed or dismissed in the period")
        for r in found.rules:
            lines.append(r.rule)
            for action, o in r.actions:
                followed = "  ".join(
                    f"{m.replace('_', ' ')} {w}d {o.count(w, m):,}" for m in MEASURES
                    for w in WINDOWS)
                lines.append(f"  {action:<9} {o.customers:>6,}  {followed}")
        out = "\n".join(lines)
    if args.out:
        from pathlib import Path

        from services.store.staging import write_text

        target = Path(args.out)
        write_text(target, out + "\n")  # complete or not at all, an error naming the file
        print(f"written: {target}")
    else:
        print(out)
    return 0
