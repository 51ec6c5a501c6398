"""Staff accounts: the first supervisor, adding and disabling accounts, and passwords (changed
by their owner, reset by a supervisor). Every change is audit-logged. Signing in is
services/staff/signing.py."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import false, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from models import StaffUser
from models.base import utcnow
from services.staff import passwords
from services.staff.audit import record
from services.staff.permissions import (
    ASSIGNABLE_ROLES,
    MANAGE_USERS,
    SUPERVISOR,
    SUPERVISOR_ROLES,
    Actor,
    require,
    told_apart,
)
from services.staff.signing import DISABLED, signing_supervisors
from services.store.errors import N_, RevisitError

Sessions = sessionmaker[Session]
# Letters (Chinese too), digits and . _ - @; what `--user NAME` is typed as.
USERNAME = re.compile(r"^[\w.@-]{1,64}$")


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    has_password: bool
    # A supervisor chose the password (a new account's, or a reset): its owner has not chosen
    # their own yet.
    reset_pending: bool
    created_at: dt.datetime


def _account(row: StaffUser) -> Account:
    return Account(row.id, row.username, row.display_name, row.role, row.active,
                   row.password_hash is not None, row.password_reset_at is not None,
                   row.created_at)


def _actor(row: StaffUser) -> Actor:
    return Actor(row.id, row.username, row.role, row.display_name)


def _find(s: Session, username: str) -> StaffUser | None:
    return s.scalars(select(StaffUser).where(
        func.lower(StaffUser.username) == username.strip().lower())).first()


def _named(s: Session, username: str) -> StaffUser:
    row = _find(s, username)
    if row is None:
        raise RevisitError(N_("There is no staff account '{user}'."), user=username.strip())
    return row


def _clean_username(username: str) -> str:
    name = username.strip()
    if not USERNAME.match(name):
        raise RevisitError(N_("A user name is 1 to 64 letters, digits or . _ - @, without "
                              "spaces; '{user}' is not one."), user=name)
    return name


def _clean_display(display_name: str, username: str) -> str:
    name = display_name.strip() or username
    if len(name) > 64:
        raise RevisitError(N_("A display name has at most 64 characters."))
    return name


def _set_password(row: StaffUser, password: str, *, reset: bool) -> None:
    row.password_hash = passwords.hash_password(password)
    row.password_changed_at = utcnow()
    row.password_reset_at = row.password_changed_at if reset else None


def _lock_accounts(s: Session) -> None:
    """Serialise the first-run setup of two PCs at once, before anything is read: PostgreSQL
    by a transaction-level advisory lock, SQLite by a write that changes nothing (the first
    write of a transaction takes the one write lock, waiting for another writer)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext('revisit.staff_user'))"))
    else:
        s.execute(update(StaffUser).where(false()).values(id=StaffUser.id))


def _has_signing_supervisor(s: Session) -> bool:
    return bool(s.scalar(signing_supervisors()))


def staff_names(s: Session) -> dict[int, str]:
    """Every account's id and the name staff know it by: the display name, with the user name
    beside it where two share one (told_apart), the user name where there is none; in
    list_accounts' order (active first, by user name), as pickers list them."""
    rows = s.execute(select(StaffUser.id, StaffUser.display_name, StaffUser.username)
                     .order_by(StaffUser.active.desc(), StaffUser.username)).all()
    shown = told_apart([(display or user, user) for _id, display, user in rows])
    return {row.id: name for row, name in zip(rows, shown, strict=True)}


def list_accounts(sessions: Sessions) -> tuple[Account, ...]:
    """Every account, active ones first, by user name."""
    with sessions() as s:
        rows = s.scalars(select(StaffUser).order_by(StaffUser.active.desc(),
                                                    StaffUser.username))
        return tuple(_account(r) for r in rows)


def create_first_supervisor(sessions: Sessions, username: str, display_name: str,
                            password: str) -> Actor:
    """The first supervisor, allowed only while `needs_first_supervisor`. An existing account
    of that name (staff from before accounts) becomes the supervisor, with this password."""
    name = _clean_username(username)
    passwords.check_new(password)
    with sessions.begin() as s:
        _lock_accounts(s)
        if _has_signing_supervisor(s):
            raise RevisitError(N_("This database already has a supervisor; sign in, or ask a "
                                  "supervisor for an account."))
        row = _find(s, name)
        if row is None:
            row = StaffUser(username=name, display_name=_clean_display(display_name, name))
            s.add(row)
        elif display_name.strip():
            row.display_name = _clean_display(display_name, name)
        row.role, row.active = SUPERVISOR, True
        _set_password(row, password, reset=False)
        s.flush()
        actor = _actor(row)
        record(s, actor, "first_supervisor", "staff_user", row.id, {"username": row.username})
        return actor


def confirm(s: Session, actor: Actor | None) -> Actor | None:
    """`actor` as the database knows them now, inside a service's session: a role changed
    since signing in counts, a disabled account is refused."""
    if actor is None:
        return None
    row = s.get(StaffUser, actor.id)
    if row is None or not row.active:
        raise RevisitError(DISABLED, user=actor.username)
    return _actor(row)


def add_account(sessions: Sessions, actor: Actor | None, username: str, display_name: str,
                role: str, password: str) -> Account:
    """A new account (supervisors only). Its password is the supervisor's, passed on by word
    of mouth: its owner chooses their own at the first sign-in in the window, as after a
    reset."""
    name = _clean_username(username)
    if role not in ASSIGNABLE_ROLES:
        raise RevisitError(N_("Unknown role '{role}'; an account is staff or supervisor."),
                           role=role)
    passwords.check_new(password)
    with sessions.begin() as s:
        who = require(confirm(s, actor), MANAGE_USERS)
        existing = _find(s, name)
        if existing is not None:
            raise RevisitError(N_("There is already an account named {user}."),
                               user=existing.username)
        row = StaffUser(username=name, display_name=_clean_display(display_name, name),
                        role=role, active=True)
        _set_password(row, password, reset=True)
        s.add(row)
        s.flush()
        record(s, who, "add_user", "staff_user", row.id,
               {"username": name, "display_name": row.display_name, "role": role})
        return _account(row)


def set_active(sessions: Sessions, actor: Actor | None, username: str, active: bool) -> Account:
    """Disable an account (it can no longer sign in; its history stays) or enable it again."""
    with sessions.begin() as s:
        who = require(confirm(s, actor), MANAGE_USERS)
        row = _named(s, username)
        if row.active == active:
            return _account(row)
        if not active:
            if row.id == who.id:
                raise RevisitError(N_("You cannot disable your own account."))
            row.active = False
            s.flush()
            if not _has_signing_supervisor(s):
                raise RevisitError(N_("{user} is the last supervisor who can sign in; add "
                                      "another supervisor first."), user=row.username)
        row.active = active
        record(s, who, "enable_user" if active else "disable_user", "staff_user", row.id,
               {"username": row.username})
        return _account(row)


def set_role(sessions: Sessions, actor: Actor | None, username: str, role: str) -> Account:
    """Make an account staff or supervisor; the last supervisor who can sign in stays one."""
    if role not in ASSIGNABLE_ROLES:
        raise RevisitError(N_("Unknown role '{role}'; an account is staff or supervisor."),
                           role=role)
    with sessions.begin() as s:
        who = require(confirm(s, actor), MANAGE_USERS)
        _lock_accounts(s)
        row = _named(s, username)
        if row.id == who.id:
            raise RevisitError(N_("You cannot change your own role; ask another supervisor."))
        before = row.role
        if before == role or (role == SUPERVISOR and before in SUPERVISOR_ROLES):
            return _account(row)
        row.role = role
        s.flush()
        if not _has_signing_supervisor(s):
            raise RevisitError(N_("{user} is the last supervisor who can sign in; add another "
                                  "supervisor first."), user=row.username)
        record(s, who, "set_role", "staff_user", row.id,
               {"username": row.username, "before": before, "after": role})
        return _account(row)


def reset_password(sessions: Sessions, actor: Actor | None, username: str,
                   password: str) -> Account:
    """A supervisor sets someone's password (a forgotten one, or an account from before
    accounts); its owner chooses their own at the next sign-in in the window."""
    passwords.check_new(password)
    with sessions.begin() as s:
        who = require(confirm(s, actor), MANAGE_USERS)
        row = _named(s, username)
        _set_password(row, password, reset=row.id != who.id)
        record(s, who, "reset_password", "staff_user", row.id, {"username": row.username})
        return _account(row)


def change_password(sessions: Sessions, actor: Actor, current: str, new: str) -> None:
    """Someone changes their own password, knowing the current one."""
    passwords.check_new(new)
    with sessions.begin() as s:
        confirm(s, actor)
        row = s.get(StaffUser, actor.id)
        assert row is not None
        if not passwords.verify(row.password_hash, current):
            raise RevisitError(N_("The current password is wrong."))
        if new == current:
            raise RevisitError(N_("Choose a password different from the current one."))
        _set_password(row, new, reset=False)
        record(s, actor, "change_password", "staff_user", row.id, {})
