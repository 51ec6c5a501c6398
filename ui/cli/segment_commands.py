"""`segment …`: saved segments, their counts and members, and the template counts (matrix, RFM,
lifecycle, tags, due soon), as text for people or JSON/CSV for scripts."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import sys
from types import ModuleType

from services.imports.normalise import MAX_KM
from services.labels import text
from services.segments.catalog import (
    MAX_DAYS,
    MAX_MONTHS,
    MAX_SPENDS,
    MAX_YUAN,
    RFM_DEFAULT_MONTHS,
)
from services.staff.permissions import EXPORT_PHONES, allowed, staff_id
from services.store.errors import N_, RevisitError
from ui.cli.auth import WRITE
from ui.cli.language import to_stderr
from ui.cli.parsing import count, day, number_in, user_path
from ui.cli.terminal import display_width


def _service() -> ModuleType:
    """The segment service, imported by the commands that use it: with it come the ORM and the
    models (0.15 s), which `segment matrix` does without (services/segments/matrix.py)."""
    from services.segments import service

    return service


def _date(text: str) -> dt.date:
    """Parsed here, not by argparse, so a bad date is one clear line like every other error."""
    try:
        return day(text)
    except argparse.ArgumentTypeError as exc:
        raise RevisitError(N_("--as-of: {problem}."), problem=str(exc)) from None


def _as_of(args) -> dt.date | None:
    return None if args.as_of is None else _date(args.as_of)


def _common(
    p: argparse.ArgumentParser, formats: tuple[str, ...] = ("text", "json"), as_of: bool = True
) -> None:
    if as_of:
        p.add_argument("--as-of", metavar="YYYY-MM-DD", help="evaluation date (default: today)")
    p.add_argument("--format", choices=formats, default=formats[0])


def register(sub: argparse._SubParsersAction) -> None:
    seg = sub.add_parser(
        "segment",
        help="saved segments and segment templates",
        description="Saved segments (filters re-evaluated on every run) and "
        "the ready-made templates. See docs/segments.md for the filter format.",
    )
    s = seg.add_subparsers(dest="segment_command", metavar="ACTION", required=True)

    p = s.add_parser("list", help="list saved segments")
    _common(p, as_of=False)
    p.set_defaults(handler=_list)
    p = s.add_parser("show", help="show a segment's filter")
    p.add_argument("name")
    _common(p, as_of=False)
    p.set_defaults(handler=_show)
    p = s.add_parser("count", help="count a segment's customers and vehicles")
    p.add_argument("name")
    _common(p)
    p.set_defaults(handler=_count)
    p = s.add_parser("members", help="list a segment's members (one row per matching vehicle)")
    p.add_argument("name")
    _common(p, ("text", "csv", "json"))
    p.add_argument("--limit", type=count, default=None, help="at most N rows")
    p.add_argument("--offset", type=count, default=0)
    p.set_defaults(handler=_members)
    p = s.add_parser("import", help="save a segment from a JSON file")
    p.add_argument("file", type=user_path)
    p.add_argument("--name", help="name to save under (default: the name in the file)")
    p.add_argument("--replace", action="store_true", help="overwrite a segment of that name")
    p.set_defaults(handler=_import, access=WRITE)
    p = s.add_parser("export", help="write a segment as JSON (to stdout or -o FILE)")
    p.add_argument("name")
    p.add_argument("-o", "--output", type=user_path)
    p.set_defaults(handler=_export)
    p = s.add_parser("delete", help="delete a saved segment")
    p.add_argument("name")
    p.set_defaults(handler=_delete, access=WRITE)
    p = s.add_parser("rename", help="rename a saved segment")
    p.add_argument("name")
    p.add_argument("new_name")
    p.set_defaults(handler=_rename, access=WRITE)

    p = s.add_parser("matrix", help="replacement matrix (换车九宫格): vehicles per cell")
    p.add_argument("--km-floor", type=number_in(0, MAX_KM, "a distance in km"),
                   help="only vehicles with estimated km ≥ this")
    _common(p)
    p.set_defaults(handler=_matrix)
    p = s.add_parser("rfm", help="RFM eight classes: customers per class")
    p.add_argument("--months", type=number_in(1, MAX_MONTHS, "a number of months", whole=True),
                   default=RFM_DEFAULT_MONTHS)
    p.add_argument("--quantile", type=number_in(0, 1, "a quantile"),
                   help="thresholds at this quantile, e.g. 0.5")
    p.add_argument("--r-days", type=number_in(0, MAX_DAYS, "a number of days"),
                   help="fixed R threshold (days)")
    p.add_argument("--f", type=number_in(0, MAX_SPENDS, "a number of spends"),
                   help="fixed F threshold (spends)")
    p.add_argument("--m", type=number_in(0, MAX_YUAN, "an amount in yuan"),
                   help="fixed M threshold (yuan)")
    _common(p)
    p.set_defaults(handler=_rfm)
    p = s.add_parser("lifecycle", help="customers per lifecycle stage")
    _common(p)
    p.set_defaults(handler=_lifecycle)
    p = s.add_parser("tags", help="customers per tag",
                     description="Customers per tag. Tags keep no dates, so the counts are "
                     "the same whatever --as-of says (as in a segment's tag conditions).")
    p.add_argument("--group", help="only this tag group")
    _common(p)
    p.set_defaults(handler=_tags)
    p = s.add_parser("due", help="insurance, warranty, loan, inspection, birthday due soon")
    p.add_argument("--days", type=number_in(0, MAX_DAYS, "a number of days", whole=True),
                   default=30)
    _common(p)
    p.set_defaults(handler=_due)
    p = s.add_parser("templates", help="list the template segments one can save and change")
    _common(p, as_of=False)
    p.set_defaults(handler=_templates)
    p = s.add_parser("save-template", help="save a template as a segment")
    p.add_argument("key", help="e.g. matrix.7+.high (see `segment templates`)")
    p.add_argument("--name", help="name to save under (default: the key itself)")
    p.set_defaults(handler=_save_template, access=WRITE)


def _json(data) -> None:
    def default(o):
        if isinstance(o, dt.date | dt.datetime):
            return o.isoformat()
        if dataclasses.is_dataclass(o):
            return dataclasses.asdict(o)
        raise TypeError(type(o))

    print(json.dumps(data, ensure_ascii=False, indent=2, default=default))


def _list(args, open_db) -> int:
    svc = _service()
    rows = svc.list_segments(open_db().sessions)
    if args.format == "json":
        _json([dataclasses.asdict(r) for r in rows])
    for r in rows if args.format == "text" else ():
        print(f"{r.name}\t{r.description or ''}")
    if not rows and args.format == "text":
        to_stderr(args.lang, NO_SEGMENTS_HINT, n=len(svc.template_segments()))
    return 0


NO_SEGMENTS_HINT = N_(
    "No saved segments yet. There are {n} ready-made templates: `revisit segment templates` "
    "lists their keys. Make a list straight from one (`revisit list build matrix.7+.high "
    "--out week.pdf`) or save one to change it (`revisit segment save-template matrix.7+.high`)."
)


def _show(args, open_db) -> int:
    from services.segments.results import Segment

    svc = _service()
    seg = svc.saved_or_template(open_db().sessions, args.name)
    if not isinstance(seg, Segment):
        # A template's key: the template as `segment save-template` would save it.
        shown = json.dumps(seg.filter, ensure_ascii=False, indent=2)
        if args.format == "json":
            print(json.dumps({"name": seg.key, "description": seg.zh, "purpose": seg.purpose,
                              "filter": seg.filter}, ensure_ascii=False, indent=2))
        else:
            print(f"template:    {seg.key}\ndescription: {seg.zh}\n{shown}")
        return 0
    if args.format == "json":
        print(svc.export_segment(open_db().sessions, args.name))
        return 0
    print(f"name:        {seg.info.name}")
    if seg.info.description:
        print(f"description: {seg.info.description}")
    print(seg.filter_json)
    return 0


def _count(args, open_db) -> int:
    svc = _service()
    # A template's key counts as the template (as `list build KEY` builds it), nothing saved.
    result = svc.count(open_db().sessions, svc.filter_of(open_db().sessions, args.name),
                       _as_of(args))
    if args.format == "json":
        _json({"segment": args.name, **dataclasses.asdict(result)})
        return 0
    vehicles = "" if result.vehicles is None else f", {result.vehicles} vehicles"
    print(f"{args.name} on {result.as_of}: {result.customers} customers{vehicles}")
    return 0


COLUMNS = ("customer_id", "vehicle_id", "code", "name", "mobile", "plate", "model")


def _members(args, open_db) -> int:
    from services.outputs.types import mask_phone  # only for members
    from services.segments.results import Segment

    svc = _service()
    # A template's key lists the template's members (as `segment count KEY` counts them),
    # nothing saved.
    seg = svc.saved_or_template(open_db().sessions, args.name)
    page = svc.members(
        open_db().sessions, seg.filter, _as_of(args), offset=args.offset, limit=args.limit
    )
    full = allowed(args.actor, EXPORT_PHONES)
    if not full:
        # Output that is easily saved to a file: full mobiles for a supervisor only.
        page = dataclasses.replace(page, rows=tuple(
            dataclasses.replace(r, mobile=mask_phone(r.mobile)) for r in page.rows))
    if args.format in ("csv", "json") and page.rows:
        svc.record_member_export(open_db().sessions, args.actor,
                                 seg if isinstance(seg, Segment) else args.name, len(page.rows),
                                 list(COLUMNS), args.format, full)
    if args.format == "json":
        _json(
            {
                "segment": args.name,
                "as_of": page.as_of,
                "total": page.total,
                "offset": page.offset,
                "rows": [dataclasses.asdict(r) for r in page.rows],
            }
        )
    elif args.format == "csv":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(COLUMNS)
        for r in page.rows:
            out.writerow(["" if v is None else v for v in dataclasses.astuple(r)])
    else:
        for r in page.rows:
            print("\t".join("" if v is None else str(v) for v in dataclasses.astuple(r)))
    return 0


def _import(args, open_db) -> int:
    svc = _service()
    from services.segments.saved import read_segment_file
    # --replace overwrites whatever is stored under that name: the user named the file to put
    # in its place, so no version is checked (the one documented last-writer-wins edit).
    info = svc.import_segment(
        open_db().sessions,
        read_segment_file(args.file),
        name=args.name,
        replace=args.replace,
        source=str(args.file),
        staff_id=staff_id(args.actor),
    )
    print(f"saved segment '{info.name}'")
    return 0


def _export(args, open_db) -> int:
    svc = _service()
    text = svc.export_segment(open_db().sessions, args.name)
    if args.output is None:
        print(text)
        return 0
    from services.store.staging import write_text

    # Whole or not at all: a full disk left an empty file at the name.
    write_text(args.output, text + "\n")  # an OSError names the file, for run() to say
    return 0


def _delete(args, open_db) -> int:
    svc = _service()
    svc.delete_segment(open_db().sessions, args.name, args.actor)
    return 0


def _rename(args, open_db) -> int:
    svc = _service()
    # Based on the segment as read just now: a rename that crosses another person's change is
    # refused with their name, as in the window.
    sessions = open_db().sessions
    info = svc.get_segment(sessions, args.name).info
    svc.rename_segment(sessions, args.name, args.new_name, staff_id=staff_id(args.actor),
                       expected_version=info.version, segment_id=info.id)
    return 0


def _matrix(args, open_db) -> int:
    from services.segments import matrix  # Core tables and a connection: no ORM

    res = matrix.matrix(open_db().engine.connect, _as_of(args), args.km_floor)
    if args.format == "json":
        _json(res)
        return 0
    floor = f", estimated km ≥ {args.km_floor:g}" if args.km_floor is not None else ""
    print(f"Replacement matrix on {res.as_of} (vehicles{floor})")
    bands = ("low", "middle", "high", "none")
    print(f"{'years':<6}" + "".join(_rjust(text("satisfaction_band", b), 12) for b in bands))
    for yb in ("5-6", "6-7", "7+"):
        print(f"{yb:<6}" + "".join(f"{res.cell(yb, b).vehicles:>12}" for b in bands))
    return 0


def _rjust(value: str, width: int) -> str:
    """Right-aligned in `width` terminal columns; a Chinese character takes two."""
    return " " * max(0, width - display_width(value)) + value


def _rfm(args, open_db) -> int:
    from services.segments import rfm as rfm_mod

    svc = _service()
    fixed = (args.r_days, args.f, args.m)
    th = rfm_mod.Thresholds("fixed", *fixed) if any(v is not None for v in fixed) else None
    res = svc.rfm(
        open_db().sessions, _as_of(args), months=args.months, thresholds=th, quantile=args.quantile
    )
    if args.format == "json":
        _json(res)
        return 0
    print(
        f"RFM on {res.as_of}, spends {res.window_start} … {res.as_of}, thresholds "
        f"({res.mode}): R ≤ {_num(res.r_days)} days, F ≥ {_num(res.f)}, M ≥ {_num(res.m)} yuan"
    )
    for c in res.classes:
        arrows = "".join(
            f"{k}{'↑' if up else '↓'}" for k, up in (("R", c.r_up), ("F", c.f_up), ("M", c.m_up))
        )
        print(f"{c.name_zh}  {arrows}  {c.customers:>8}")
    print(f"with a class: {res.customers_with_class}")
    return 0


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:,.2f}"


def _lines(rows, fmt: str, line) -> int:
    """The rows as JSON, or one tab-separated `line(row)` each."""
    if fmt == "json":
        _json(list(rows))
        return 0
    for row in rows:
        print(line(row))
    return 0


def _groups(rows, fmt: str) -> int:
    return _lines(rows, fmt, lambda g: f"{g.label_zh}\t{g.count}\t{g.unit}")


def _lifecycle(args, open_db) -> int:
    svc = _service()
    return _groups(svc.lifecycle(open_db().sessions, _as_of(args)), args.format)


def _tags(args, open_db) -> int:
    svc = _service()
    _as_of(args)  # checked like everywhere else; tags have no history to go back in
    counts = svc.tag_groups(open_db().sessions, args.group)
    if not counts and args.format == "text":
        if args.group is None:
            to_stderr(args.lang, N_("No customer has a tag yet."))
        else:
            to_stderr(args.lang, N_("No customer has a tag of the group {group} yet."),
                      group=args.group)
    return _groups(counts, args.format)


def _due(args, open_db) -> int:
    svc = _service()
    return _groups(svc.due_soon(open_db().sessions, _as_of(args), args.days), args.format)


def _templates(args, open_db) -> int:
    svc = _service()
    return _lines(svc.template_segments(), args.format, lambda t: f"{t.key}\t{t.zh}")


def _save_template(args, open_db) -> int:
    svc = _service()
    info = svc.save_template(open_db().sessions, args.key, args.name,
                             staff_id=staff_id(args.actor))
    print(f"saved segment '{info.name}'")
    return 0
