"""`list readbacks [--run N]`, `list undo-readback N`: the filled-in lists read back (file,
list run, who, when, how many contacts stored), and undoing one read by mistake
(services/lists/readback_undo.py)."""

from __future__ import annotations

import argparse

from services.lists import readback_undo
from services.store.versions import when_text
from ui.cli.auth import WRITE
from ui.cli.parsing import record_id
from ui.cli.terminal import display_width


def register(acts: argparse._SubParsersAction) -> None:
    r = acts.add_parser("readbacks", help="the filled-in lists read back: file, list run, "
                        "who, when, how many contacts stored")
    r.add_argument("--run", type=record_id, help="only the reads of this list run")
    r.set_defaults(handler=_readbacks)
    u = acts.add_parser("undo-readback", help="take back a read-back done by mistake: every "
                        "contact, next date, km reading and profile change it stored (a "
                        "supervisor or whoever read it)")
    u.add_argument("number", type=record_id, help="its # in `list readbacks`")
    u.set_defaults(handler=_undo, access=WRITE)


def _undo(args, open_db) -> int:
    done = readback_undo.undo_read_back(open_db().sessions, args.number, actor=args.actor)
    back = (f", {done.restored:,} contacts or readings put back as before"
            if done.restored else "")
    print(f"read-back #{done.number} ({done.file}) undone: {done.contacts:,} contacts, "
          f"{done.km_readings:,} km readings and {done.profile_changes:,} profile changes "
          f"removed{back}; reading the file again stores it again")
    return 0


def _readbacks(args, open_db) -> int:
    sessions = open_db().sessions
    reads = readback_undo.read_backs(sessions, run_id=args.run)
    if not reads:
        print("no list read back yet" + (f" for list run #{args.run}" if args.run else ""))
        return 0
    # corrected: contacts stored by an earlier read that this one changed
    print(f"{'#':>6}  {'when':16}  {'by':12}  {'runs':8}  {'contacts':>8}  {'corrected':>9}  "
          f"{'km':>4}  {'profile':>7}  file")
    for r in reads:
        runs = ",".join(f"#{n}" for n in r.runs)
        state = ""
        if r.undone_at is not None:
            state = f"  (undone {when_text(r.undone_at)} by {r.undone_by or '?'})"
        elif not r.undoable:
            state = "  (read before reads could be undone)"
        by = r.staff_name or "-"
        by += " " * max(0, 12 - display_width(by))  # a Chinese name takes two columns a character
        print(f"{r.number:>6}  {when_text(r.at):16}  {by}  {runs:8}  "
              f"{r.stored:>8,}  {r.corrected:>9,}  {r.km_readings:>4,}  "
              f"{r.profile_changes:>7,}  {r.file}{state}")
    return 0
