"""Who runs a command: `--user NAME` (or REVISIT_USER) with the password from REVISIT_PASSWORD or
typed at the terminal, checked like a sign-in in the window.

Each command says how it treats the user in its parser defaults (`access=`):
- NONE: never signs in (db upgrade, db check: they work on a database nobody can sign in to).
- READ (the default): runs without a user; with one, acts as that person (`audit` and other
  protected reads refuse nobody in their service).
- WRITE: changes the database, so on a database with accounts it needs a user, and is refused in
  one line without one. A database nobody can sign in to yet (new, or from before accounts)
  runs it without, as before accounts existed.
The handler finds the person in `args.actor` (None: nobody named). Protected actions are refused
by their services, whatever the command says."""

from __future__ import annotations

import getpass
import os
import sys
from typing import TYPE_CHECKING

from services.staff.permissions import NOT_PASSED, Actor, NotPassed
from services.store.errors import N_, Phrase, RevisitError
from ui.cli.language import to_stderr

if TYPE_CHECKING:
    from services.store.database import Database

NONE, READ, WRITE = "none", "read", "write"
USER_ENV = "REVISIT_USER"
PASSWORD_ENV = "REVISIT_PASSWORD"
HINT = Phrase(N_("Name a supervisor with --user NAME (or REVISIT_USER)."))
FIRST_HINT = Phrase(N_("Nobody can sign in to this database yet: add its first supervisor with "
                       "`user add NAME --role supervisor`."))


def named_user(args) -> str:
    return (getattr(args, "user", None) or os.environ.get(USER_ENV, "")).strip()


def _password(user: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {user}: ")
    raise RevisitError(N_("No password for {user}: set REVISIT_PASSWORD, or run the command in "
                          "a terminal to type it."), user=user)


def sign_in(args, open_db) -> Actor | None:
    """The person the command acts for; refuses a write without one on a database with
    accounts. Sets `args.actor` and, when signed in, `args.signed_in_password` (the current
    password `user passwd` needs to change one's own)."""
    args.actor, args.signed_in_password = None, None
    access = getattr(args, "access", READ)
    if access == NONE:
        return None
    user = named_user(args)
    if not user and access == READ:  # the usual read: nobody to sign in, nothing to look up
        return None
    from services.staff import signing  # password hashing: only when someone signs in

    if user and not signing.has_accounts(open_db().engine):
        # A new database (or one from before accounts): there is nobody to be yet.
        to_stderr(args.lang, N_("revisit: warning: nobody can sign in to this database yet, "
                                "so the command runs without the user {user}."), user=user)
    elif user:
        password = _password(user)
        signed = signing.sign_in(open_db().engine, user, password, record_it=False)
        if signed.must_change_password:
            to_stderr(args.lang, N_("revisit: warning: {user}'s password was set by a "
                                    "supervisor; choose your own with `user passwd {user}`."),
                      user=signed.actor.username)
        args.actor, args.signed_in_password = signed.actor, password
    elif access == WRITE and signing.has_accounts(open_db().engine):
        if getattr(args, "dry_run", False):  # an import's or a merge's: shown, not stored
            raise RevisitError(N_("A dry run shows what would change in stored customers, so "
                                  "it must say who runs it: add --user NAME (or set "
                                  "REVISIT_USER); the password comes from REVISIT_PASSWORD or "
                                  "is asked."))
        raise RevisitError(N_("This command changes the database, so it must say who runs it: "
                              "add --user NAME (or set REVISIT_USER); the password comes from "
                              "REVISIT_PASSWORD or is asked."))
    return args.actor


def refusal_hint(database: Database | None) -> Phrase:
    """What to do about a protected action refused because nobody was named."""
    from services.staff import signing

    try:
        if database is not None and not signing.has_accounts(database.engine):
            return FIRST_HINT
    except Exception:  # a hint is not worth a second error
        pass
    return HINT


def new_password(args, *, acting: bool) -> str:
    """A password for an account being made or reset: from stdin with --password-stdin, from
    REVISIT_PASSWORD when nobody signs in with it (the first supervisor), else typed twice."""
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    if not acting and os.environ.get(PASSWORD_ENV) is not None:
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise RevisitError(N_("Give the new password with --password-stdin, or run the "
                              "command in a terminal to type it."))
    first = getpass.getpass("New password: ")
    if getpass.getpass("New password again: ") != first:
        raise RevisitError(N_("The two passwords differ; nothing was changed."))
    return first


def acting(args, open_db) -> Actor | None | NotPassed:
    """Who a protected service call acts for: the signed-in user; on a database nobody can
    sign in to yet, no one is checked (NOT_PASSED), as before accounts."""
    from services.staff.signing import has_accounts

    if args.actor is not None or has_accounts(open_db().engine):
        return args.actor
    return NOT_PASSED
