"""`customers duplicates|merge|unmerge|merges`: duplicates already stored, merging a pair while
keeping every history row, and undoing a merge."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from services.customers import duplicates, merge
from services.customers.merge_rows import table_label
from services.store.errors import N_, RevisitError
from ui.cli.auth import WRITE, acting
from ui.cli.progress import TerminalProgress


def register(sub: argparse._SubParsersAction) -> None:
    cust = sub.add_parser("customers", help="duplicate customers: find, merge, undo a merge")
    acts = cust.add_subparsers(dest="customers_command", metavar="ACTION", required=True)
    d = acts.add_parser(
        "duplicates",
        help="pairs of stored customers that look like one person, with the evidence",
        description="Pairs of customers with the same mobile, the same VIN (typed differently), "
        "or the same name and a phone one digit apart (or with the same last 8 digits, or the "
        "same other phone); strongest evidence first. Merged customers do not come back.",
    )
    d.add_argument("--format", choices=("text", "json"), default="text")
    d.add_argument("--limit", metavar="N", help="show only the N strongest pairs")
    d.set_defaults(handler=_duplicates)
    m = acts.add_parser(
        "merge",
        help="merge customer B into A, keeping every history row (or --undo a merge)",
        description="Everything of B (cars, visits, contacts, surveys, complaints, intents, "
        "profile history, consent, refusals, tags, list places, audit entries) moves to A; A's "
        "empty fields are filled from B; B is removed. The merge is recorded and can be undone.",
    )
    m.add_argument("customers", nargs="*", metavar="CUSTOMER",
                   help="A and B, by customer code (C0001234) or id; A is kept")
    m.add_argument("--keep", metavar="CUSTOMER", help="keep this one of the two instead of A")
    m.add_argument("--undo", metavar="MERGE_ID", help="undo this merge instead")
    m.add_argument("--dry-run", action="store_true", help="say what would move; change nothing")
    m.set_defaults(handler=_merge, access=WRITE)
    u = acts.add_parser("unmerge", help="undo a merge: B back, with exactly what moved")
    u.add_argument("merge_id", metavar="MERGE_ID")
    u.set_defaults(handler=_unmerge, access=WRITE)
    h = acts.add_parser("merges", help="recent merges, newest first")
    h.add_argument("--customer", metavar="CUSTOMER", help="only merges of this customer")
    h.add_argument("--limit", default="50", metavar="N")
    h.set_defaults(handler=_merges)


def _number(text: str, what: str) -> int:
    """A whole number typed on the command line; one clear line when it is not one (argparse
    would print its usage as well)."""
    if not text.strip().lstrip("#").isdigit() or int(text.strip().lstrip("#")) < 1:
        raise RevisitError(N_("{what} must be a whole number of at least 1, not '{text}'."),
                           what=what, text=text)
    return int(text.strip().lstrip("#"))


def _duplicates(args, open_db) -> int:
    limit = None if args.limit is None else _number(args.limit, "--limit")
    # The stream named now: the default is the stderr of the moment ui.cli.progress was imported.
    progress = TerminalProgress("duplicates", sys.stderr) if args.format == "text" else None
    report = duplicates.find_duplicates(open_db().sessions, limit=limit, progress=progress)
    if args.format == "json":
        print(json.dumps({
            "total": report.total,
            "pairs": [
                {"first": dataclasses.asdict(p.first), "second": dataclasses.asdict(p.second),
                 "evidence": [dataclasses.asdict(e) for e in p.evidence], "codes": p.codes,
                 "same_name": p.same_name, "score": p.score, "text": p.text()}
                for p in report.pairs
            ],
            "crowded": [dataclasses.asdict(c) for c in report.crowded],
        }, ensure_ascii=False, indent=2, default=str))
        return 0
    cut = len(report.pairs) < report.total
    shown = f" (the {len(report.pairs):,} strongest shown)" if cut else ""
    print(f"{report.total:,} possible duplicate pairs{shown}, strongest first:")
    for p in report.pairs:
        print(f"  {p.score:>3}  {_who(p.first)}  ~  {_who(p.second)}   {p.text()}")
    for c in report.crowded:
        print(f"  not listed: {c.kind} {c.value} is on {c.customers:,} customers")
    if report.pairs:
        print("merge one with: revisit customers merge KEPT MERGED")
    return 0


def _who(c: duplicates.CustomerBrief) -> str:
    return f"{c.code} {c.name} {c.mobile or '-'} ({c.vehicles} car{'s' if c.vehicles != 1 else ''})"


def _merge(args, open_db) -> int:
    if args.undo is not None:
        if args.customers or args.keep or args.dry_run:
            raise RevisitError(N_("--undo takes only the merge id, no customers."))
        return _print_undo(merge.undo_merge(open_db().sessions, _number(args.undo, "MERGE_ID"),
                                            actor=acting(args, open_db)))
    if len(args.customers) != 2:
        raise RevisitError(N_("Name two customers to merge: the one to keep, then the other."))
    sessions = open_db().sessions
    first, second = (merge.customer_id_of(sessions, ref) for ref in args.customers)
    kept, merged = first, second
    if args.keep is not None:
        keep = merge.customer_id_of(sessions, args.keep)
        if keep not in (first, second):
            raise RevisitError(N_("--keep must be one of the two customers merged."))
        kept, merged = (first, second) if keep == first else (second, first)
    if args.dry_run:
        result = merge.preview_merge(sessions, kept, merged)
        print(f"would merge {result.merged_code} into {result.kept_code}; nothing was changed")
    else:
        result = merge.merge_customers(sessions, kept, merged, actor=acting(args, open_db))
        print(f"merged {result.merged_code} into {result.kept_code} (merge #{result.merge_id})")
    _print_moves(result)
    for field, (before, after) in result.filled.items():
        print(f"  {field}: {before if before is not None else '(empty)'} -> {after}")
    if result.merge_id is not None:
        print(f"undo with: revisit customers unmerge {result.merge_id}")
    return 0


def _print_moves(result: merge.MergeResult, undone: bool = False) -> None:
    moved = ", ".join(f"{table_label(t)} {n:,}" for t, n in result.moved.items()) or "nothing"
    print(f"  {'moved back' if undone else 'moved'}: {moved}")
    if result.removed:
        removed = ", ".join(f"{table_label(t)} {n:,}" for t, n in result.removed.items())
        if undone:
            print(f"  put back from the merge record: {removed}")
        else:
            print(f"  already held by the kept customer, kept in the merge record: {removed}")


def _unmerge(args, open_db) -> int:
    return _print_undo(merge.undo_merge(open_db().sessions, _number(args.merge_id, "MERGE_ID"),
                                        actor=acting(args, open_db)))


def _print_undo(result: merge.MergeResult) -> int:
    print(f"undid merge #{result.merge_id}: {result.merged_code} is back, apart from "
          f"{result.kept_code}")
    _print_moves(result, undone=True)
    for field, (now, restored) in result.filled.items():
        print(f"  {field}: {now} -> {restored if restored is not None else '(empty)'}")
    return 0


def _merges(args, open_db) -> int:
    sessions = open_db().sessions
    customer = merge.customer_id_of(sessions, args.customer) if args.customer else None
    for m in merge.list_merges(sessions, customer_id=customer,
                               limit=_number(args.limit, "--limit")):
        state = f"undone {m.undone_at:%Y-%m-%d %H:%M}" if m.undone_at else "in force"
        print(f"#{m.id:<5} {m.merged_at:%Y-%m-%d %H:%M}  {m.merged_code} {m.merged_name} -> "
              f"{m.kept_code or f'#{m.kept_id}'}  {','.join(m.evidence) or '-'}  "
              f"{m.staff or '-'}  {state}")
    return 0
