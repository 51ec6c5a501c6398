"""`customers duplicates|merge|unmerge|merges|erase`: duplicates already stored, merging a pair
while keeping every history row, undoing a merge, and erasing a customer's personal data on
request; `customers brief|refer|declined|declined-done`: the pre-call brief, recording a
referral and a declined repair, closing one (also spelled `customer …`)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys

from services.customers import duplicates, erase, merge, referrals, reminders
from services.customers.brief import load_brief
from services.customers.merge_rows import table_label
from services.store.errors import N_, RevisitError
from ui.cli import brief_text
from ui.cli.auth import WRITE, acting
from ui.cli.parsing import count, day, record_id
from ui.cli.progress import TerminalProgress


def register(sub: argparse._SubParsersAction) -> None:
    cust = sub.add_parser("customers", aliases=["customer"],
                          help="duplicate customers: find, merge, undo a merge; erase on request")
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
    e = acts.add_parser(
        "erase", help="erase a customer's personal data on their request (supervisor; final)",
        description="Removes the customer's name, contact person, birthday, phones, address, "
        "WeChat id, employer, notes, plates and VINs from every record, the history and past lists "
        "included; their visits, amounts, dates and counts stay for statistics, and every list "
        "leaves them out from now on. Cannot be undone.")
    e.add_argument("customer", metavar="CUSTOMER", help="customer code (C0001234) or id")
    e.add_argument("--reason", default="", help="why (e.g. the customer's request by phone)")
    e.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    e.set_defaults(handler=_erase, access=WRITE)
    _register_brief(acts)


def _register_brief(acts) -> None:
    b = acts.add_parser(
        "brief", help="the pre-call brief: what to know in the ten seconds before calling",
        description="Last contact, spend and survey, changes since the car was bought, cars "
        "with km, complaints, intent, how to reach them, referrals both ways, maintenance due "
        "and open declined repairs — each with its date. The mobile is shown in full to "
        "someone signed in (--user), masked otherwise.")
    b.add_argument("customer", metavar="CUSTOMER", help="customer code (C0001234) or id")
    b.add_argument("--as-of", type=day, metavar="YYYY-MM-DD",
                   help="the brief as it was on that day (default today)")
    b.add_argument("--format", choices=("text", "json"), default="text")
    b.set_defaults(handler=_brief)
    r = acts.add_parser(
        "refer", help="record who introduced a customer (老带新)",
        description="Records that CUSTOMER was introduced by another customer, a member of "
        "staff or an association or company. Whether it led to a car bought or a service "
        "visit is read from the stored cars and visits.")
    r.add_argument("customer", metavar="CUSTOMER", help="the customer introduced (code or id)")
    who = r.add_mutually_exclusive_group(required=True)
    who.add_argument("--by", metavar="CUSTOMER", help="introduced by this customer")
    who.add_argument("--by-staff", metavar="NAME", help="by this member of staff (user name "
                     "or name)")
    who.add_argument("--by-org", metavar="TEXT", help="by this association or company")
    r.add_argument("--on", type=day, metavar="YYYY-MM-DD",
                   help="the day of the introduction (default today)")
    r.add_argument("--note", default=None)
    r.set_defaults(handler=_refer, access=WRITE)
    d = acts.add_parser(
        "declined", help="record a declined repair item (建议维修项目) to follow up",
        description="A repair the advisor recommended and the customer did not have done; it "
        "stays open until marked done or refused.")
    d.add_argument("customer", metavar="CUSTOMER", help="customer code (C0001234) or id")
    d.add_argument("--item", required=True, metavar="TEXT", help="what should be done")
    d.add_argument("--due", type=day, metavar="YYYY-MM-DD",
                   help="when it should be done by")
    d.add_argument("--vin", metavar="VIN", help="the car, by VIN or plate")
    d.add_argument("--on", type=day, metavar="YYYY-MM-DD",
                   help="when it was noted (default today)")
    d.add_argument("--note", default=None)
    d.set_defaults(handler=_declined, access=WRITE)
    c = acts.add_parser("declined-done", help="close a declined repair item as done or "
                        "refused")
    c.add_argument("item", metavar="ID", type=record_id, help="the item's number (#ID)")
    c.add_argument("--status", required=True, choices=("done", "refused"))
    c.add_argument("--on", type=day, metavar="YYYY-MM-DD",
                   help="the day it was done or refused (default today)")
    c.set_defaults(handler=_declined_done, access=WRITE)
    i = acts.add_parser(
        "intervals", help="maintenance intervals per brand or model (list, or set one)",
        description="Without options, lists the stored intervals. With them, sets the interval "
        "of a model (--brand and --model), a brand (--brand) or every other car (neither): "
        "maintenance every N km or M months, whichever first, and the first free service (首保) "
        "after its own km or months from the purchase (a supervisor's setting).")
    i.add_argument("--brand", default="")
    i.add_argument("--model", default="")
    for name in ("first-km", "first-months", "every-km", "every-months"):
        i.add_argument(f"--{name}", type=count, metavar="N")
    i.set_defaults(handler=_intervals)


def _brief(args, open_db) -> int:
    from services.outputs.types import mask_phone

    sessions = open_db().sessions
    brief = load_brief(sessions, merge.customer_id_of(sessions, args.customer), args.as_of)
    if args.actor is None:
        # The mobile in full for someone signed in, who calls from the brief as in the
        # window; a read nobody signed in to (any PC, any script) gets it masked.
        brief = dataclasses.replace(brief, mobile=mask_phone(brief.mobile))
    if args.format == "json":
        print(brief_text.as_json(brief))
    else:
        print("\n".join(brief_text.lines(brief)))
    return 0


def _refer(args, open_db) -> int:
    sessions = open_db().sessions
    customer_id = merge.customer_id_of(sessions, args.customer)
    by: dict = {}
    if args.by is not None:
        by["by_customer"] = merge.customer_id_of(sessions, args.by)
    elif args.by_staff is not None:
        by["by_staff"] = referrals.staff_id_of(sessions, args.by_staff)
    else:
        by["by_org"] = args.by_org
    made = referrals.record_referral(sessions, args.actor, customer_id,
                                     referred_on=args.on or dt.date.today(), note=args.note,
                                     **by)
    who = made.referrer_name + (f" ({made.referrer_code})" if made.referrer_code else "")
    print(f"referral #{made.id}: {made.introduced_code} {made.introduced_name} introduced by "
          f"{who} on {made.referred_on}")
    return 0


def _declined(args, open_db) -> int:
    sessions = open_db().sessions
    customer_id = merge.customer_id_of(sessions, args.customer)
    vehicle = None if args.vin is None else reminders.vehicle_id_of(sessions, customer_id,
                                                                    args.vin)
    item = reminders.record_declined(sessions, args.actor, customer_id, item=args.item,
                                     recorded_on=args.on or dt.date.today(), due_on=args.due,
                                     vehicle_id=vehicle, note=args.note)
    due = f", due {item.due_on}" if item.due_on else ""
    print(f"declined repair #{item.id} for customer {args.customer}: {item.item}{due}")
    print(f"close it with: revisit customer declined-done {item.id} --status done")
    return 0


def _intervals(args, open_db) -> int:
    sessions = open_db().sessions
    given = (args.first_km, args.first_months, args.every_km, args.every_months)
    if any(v is not None for v in given):
        if None in given:
            raise RevisitError(N_("Give all four: --first-km, --first-months, --every-km and "
                                  "--every-months."))
        reminders.set_interval(sessions, acting(args, open_db), reminders.Interval(*given),
                               brand=args.brand, model=args.model)
    rows = reminders.intervals(sessions)
    if not any(r.brand == "" for r in rows):
        d = reminders.DEFAULT_INTERVAL
        print(f"(every car)\t首保 {d.first_km:,} km / {d.first_months} months, then every "
              f"{d.every_km:,} km / {d.every_months} months (default)")
    for r in rows:
        v = r.interval
        print(f"{' '.join(x for x in (r.brand, r.model) if x) or '(every car)'}\t首保 "
              f"{v.first_km:,} km / {v.first_months} months, then every {v.every_km:,} km / "
              f"{v.every_months} months")
    return 0


def _declined_done(args, open_db) -> int:
    item = reminders.close_declined(open_db().sessions, args.actor, args.item, args.status,
                                    closed_on=args.on)
    print(f"declined repair #{item.id} ({item.item}) marked {item.status} on {item.closed_on}")
    return 0


def _erase(args, open_db) -> int:
    sessions = open_db().sessions
    customer_id = merge.customer_id_of(sessions, args.customer)
    if not args.yes:
        raise RevisitError(N_("Erasing a customer's personal data cannot be undone; add --yes "
                              "to erase {customer}."), customer=args.customer)
    done = erase.erase_customer(sessions, acting(args, open_db), customer_id,
                                reason=args.reason)
    print(f"personal data of customer {done.code} erased; {done.rows_changed} other records "
          f"cleaned, {done.merges_deleted} merge records deleted")
    return 0


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
