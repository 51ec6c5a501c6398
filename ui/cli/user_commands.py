"""`user add|list|disable|enable|passwd`: staff accounts from the command line, and `audit`:
the audit trail read back by a supervisor."""

from __future__ import annotations

import argparse
import dataclasses
import json

from services.labels import text
from services.staff import accounts, signing
from services.staff.audit import AuditFilter, local_time, read_audit
from services.staff.audit_words import about_words, action_words, detail_words
from services.staff.permissions import STAFF, SUPERVISOR
from services.store.errors import N_, RevisitError
from ui.cli.auth import READ, WRITE, new_password
from ui.cli.parsing import count, day

ROLES = {"staff": STAFF, "supervisor": SUPERVISOR}


def register(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser(
        "user", help="staff accounts: add, list, disable, enable, set passwords",
        description="Staff accounts. Only a supervisor adds, disables or enables accounts and "
        "resets passwords; anyone changes their own with `user passwd THEIR-NAME`. On a new "
        "database the first account is a supervisor, added without --user.")
    acts = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = acts.add_parser("add", help="add an account (the first one: a supervisor)")
    add.add_argument("name", help="user name, typed to sign in (letters, digits, . _ - @)")
    add.add_argument("--role", choices=tuple(ROLES), required=True)
    add.add_argument("--display-name", default="", help="the name shown (default: NAME)")
    _password_arg(add)
    # The service refuses all but a supervisor; the first account starts a new database.
    add.set_defaults(handler=_add, access=READ, creates=True)
    lst = acts.add_parser("list", help="every account, its role and whether it can sign in")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.set_defaults(handler=_list, access=READ)
    for name, active, what in (("disable", False, "stop an account signing in (history stays)"),
                               ("enable", True, "let a disabled account sign in again")):
        p = acts.add_parser(name, help=what)
        p.add_argument("name")
        p.set_defaults(handler=_set_active, active=active, access=WRITE)
    role = acts.add_parser("role", help="make an account staff or supervisor (supervisor)")
    role.add_argument("name")
    role.add_argument("role", choices=tuple(ROLES))
    role.set_defaults(handler=_set_role, access=WRITE)
    pw = acts.add_parser("passwd", help="change your own password, or reset someone's "
                         "(supervisor; they choose their own at next sign-in in the window)")
    pw.add_argument("name")
    _password_arg(pw)
    pw.set_defaults(handler=_passwd, access=WRITE)

    audit = sub.add_parser(
        "audit", help="who did what, newest first (supervisor)",
        description="The audit trail: sign-ins, account changes, shared settings, deleted "
        "segments, list files written, preferences, consent, do-not-contact, merges and "
        "imports, newest first. Only a supervisor may read it (--user before the command).")
    audit.add_argument("--from", dest="start", type=day, metavar="YYYY-MM-DD")
    audit.add_argument("--to", dest="end", type=day, metavar="YYYY-MM-DD")
    audit.add_argument("--user", dest="by_user", default="", metavar="NAME",
                       help="only what this person did (the signed-in user goes before the "
                       "command: revisit --user ME audit --user THEM)")
    audit.add_argument("--customer", default="", metavar="CODE", help="only about this customer")
    audit.add_argument("--action", default="", help="only this action, e.g. delete_segment")
    audit.add_argument("--limit", type=count, default=None, metavar="N", help="at most N entries")
    audit.add_argument("--format", choices=("text", "json"), default="text")
    audit.set_defaults(handler=_audit, access=READ)


def _password_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new password from the first line of standard input")


def _add(args, open_db) -> int:
    sessions = open_db().sessions
    role = ROLES[args.role]
    if args.actor is None and signing.needs_first_supervisor(open_db().engine):
        if role != SUPERVISOR:
            raise RevisitError(N_("Nobody can sign in to this database yet: the first account "
                                  "must be a supervisor (--role supervisor)."))
        actor = accounts.create_first_supervisor(sessions, args.name, args.display_name,
                                                 new_password(args, acting=False))
        print(f"added supervisor {actor.name}: the first account of this database")
        return 0
    account = accounts.add_account(sessions, args.actor, args.name, args.display_name, role,
                                   new_password(args, acting=args.actor is not None))
    print(f"added {text('staff_role', account.role)} {account.display_name} "
          f"({account.username})")
    return 0


def _list(args, open_db) -> int:
    rows = accounts.list_accounts(open_db().sessions)
    if args.format == "json":
        print(json.dumps([dataclasses.asdict(a) for a in rows], default=str, ensure_ascii=False,
                         indent=2))
        return 0
    # Qt only for the text written in the user's language (0.05 s to import).
    from PySide6.QtCore import QCoreApplication

    from ui.cli.language import speaking
    from ui.labels import label

    translate = QCoreApplication.translate
    with speaking(args.lang):
        for a in rows:
            state = [] if a.active else [translate("user_commands", "disabled")]
            if not a.has_password:
                state.append(translate("user_commands", "no password"))
            elif a.reset_pending:  # chosen by a supervisor; the owner has not chosen their own
                state.append(translate("user_commands", "temporary password"))
            print("  ".join([f"{a.username:<16} {a.display_name:<8} {label('staff_role', a.role)}",
                             *state]))
    return 0


def _set_active(args, open_db) -> int:
    account = accounts.set_active(open_db().sessions, args.actor, args.name, args.active)
    print(f"{account.username}: {'enabled' if account.active else 'disabled'}")
    return 0


def _set_role(args, open_db) -> int:
    account = accounts.set_role(open_db().sessions, args.actor, args.name, ROLES[args.role])
    print(f"{account.username}: {args.role}")
    return 0


def _passwd(args, open_db) -> int:
    sessions = open_db().sessions
    actor = args.actor
    if actor is not None and args.name.strip().lower() == actor.username.lower():
        accounts.change_password(sessions, actor, args.signed_in_password or "",
                                 new_password(args, acting=True))
        print(f"{actor.username}: password changed")
        return 0
    account = accounts.reset_password(sessions, actor, args.name,
                                      new_password(args, acting=True))
    print(f"{account.username}: password reset; they choose their own at the next sign-in "
          f"in the window")
    return 0


def _audit(args, open_db) -> int:
    flt = AuditFilter(date_from=args.start, date_to=args.end, username=args.by_user,
                      customer_code=args.customer, action=args.action)
    page = read_audit(open_db().sessions, args.actor, flt, limit=args.limit)
    if args.format == "json":
        print(json.dumps({"total": page.total, "entries": [
            {**dataclasses.asdict(e), "at": e.at.isoformat() + "Z", "detail": e.detail_data()}
            for e in page.entries]}, ensure_ascii=False, indent=2))
        return 0
    # The JSON above keeps each entry as recorded; the text says it in words, as the window
    # does and as the CLI names codes elsewhere (in Chinese).
    for e in page.entries:
        who = e.staff_name and f"{e.staff_name} ({e.username})" or "-"
        print(f"{local_time(e.at):%Y-%m-%d %H:%M}  {who}  {action_words(e.action, 'zh')}"
              f"  {about_words(e, 'zh')}  {detail_words(e, 'zh')}")
    shown = len(page.entries)
    print(f"{shown:,} of {page.total:,} entries" if shown < page.total else
          f"{page.total:,} entries")
    return 0
