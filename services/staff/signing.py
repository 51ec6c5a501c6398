"""Signing in: who may, and the check of a user name and password. Plain SQLAlchemy Core on
the tables of models/tables.py, over the engine: the window signs in before its customer list
shows and a command before it runs, and neither need load the ORM with the models for it (0.15 s
of a 0.45 s start). Managing accounts is services/staff/accounts.py."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Select, func, insert, select, update

from models.columns import utcnow
from models.tables import audit_log, staff_user
from services.staff import passwords
from services.staff.permissions import SUPERVISOR_ROLES, Actor
from services.store.errors import N_, RevisitError

WRONG = N_("The user name or password is wrong.")
DISABLED = N_("The account {user} is disabled; a supervisor can enable it again.")
U = staff_user.c


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    must_change_password: bool  # the password was reset by a supervisor


def signing_supervisors() -> Select:
    """How many active supervisors have a password (asked in a session or over a connection)."""
    return select(func.count()).select_from(staff_user).where(
        U.role.in_(SUPERVISOR_ROLES), U.active.is_(True), U.password_hash.is_not(None))


def needs_first_supervisor(engine: Engine) -> bool:
    """True while no active supervisor can sign in: a new database, or one from before
    accounts. Then the first supervisor may be created without signing in."""
    with engine.connect() as c:
        return not c.scalar(signing_supervisors())


def has_accounts(engine: Engine) -> bool:
    """Whether anyone can sign in at all (an account with a password)."""
    with engine.connect() as c:
        return bool(c.scalar(select(func.count()).select_from(staff_user)
                             .where(U.password_hash.is_not(None))))


def sign_in(engine: Engine, username: str, password: str, *,
            record_it: bool = True) -> SignedIn:
    """Check a user name and password; refused when wrong, without a password or disabled.
    `record_it`: audit the sign-in (the window does; each CLI command does not)."""
    with engine.begin() as c:
        row = c.execute(select(U.id, U.username, U.display_name, U.role, U.active,
                               U.password_hash, U.password_reset_at)
                        .where(func.lower(U.username) == username.strip().lower())).first()
        if row is not None and row.password_hash is None:
            raise RevisitError(N_("{user} has no password yet; a supervisor sets one in "
                                  "Settings (Staff accounts) or with `user passwd {user}`."),
                               user=row.username)
        if row is None or not passwords.verify(row.password_hash, password):
            raise RevisitError(WRONG)
        if not row.active:
            raise RevisitError(DISABLED, user=row.username)
        if passwords.needs_rehash(row.password_hash):
            c.execute(update(staff_user).where(U.id == row.id)
                      .values(password_hash=passwords.hash_password(password)))
        actor = Actor(row.id, row.username, row.role, row.display_name)
        if record_it:
            _record_sign_in(c, actor)
        return SignedIn(actor, row.password_reset_at is not None)


def _record_sign_in(c: Connection, actor: Actor) -> None:
    """The audit entry services/staff/audit.py `record` writes for a sign-in, over the
    connection (its `audit` adds an ORM object to a session)."""
    c.execute(insert(audit_log).values(at=utcnow(), staff_id=actor.id, action="sign_in",
                                       entity="staff_user", entity_id=actor.id,
                                       detail=json.dumps({})))
