"""Who may do what: the signed-in person (`Actor`) and the actions only a supervisor may take.

Two roles matter: supervisor (主管) and staff (员工). The stored role codes are those of
models/codes.py: "clerk" is staff, "supervisor" a supervisor, and "admin" (kept from the first
schema, not assignable any more) has every right a supervisor has. Services call `require()`
before a protected action, so the window and the command line are refused alike."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from services.store.errors import N_, RevisitError

STAFF = "clerk"
SUPERVISOR = "supervisor"
SUPERVISOR_ROLES = frozenset({SUPERVISOR, "admin"})
# The roles a supervisor gives an account, as the window and `user add --role` offer them.
ASSIGNABLE_ROLES = (STAFF, SUPERVISOR)

MANAGE_USERS = "manage_users"  # add, disable or enable accounts, reset others' passwords
SAVE_SETTINGS = "save_settings"  # the settings every PC shares
DELETE_SEGMENTS = "delete_segments"
EXPORT_PHONES = "export_phones"  # list files with full phone numbers written to disk
VIEW_AUDIT = "view_audit"
MANAGE_DATABASE = "manage_database"  # copy the whole database, add demo data to one in use
MERGE_CUSTOMERS = "merge_customers"  # merge duplicates and undo a merge
UNDO_IMPORTS = "undo_imports"
ERASE_CUSTOMERS = "erase_customers"  # erase a customer's personal data
MANAGE_TAGS = "manage_tags"  # add, rename or remove tags and tag groups
WITHDRAW_LISTS = "withdraw_lists"  # withdraw a list run or put it back (also its maker)

# Each protected action and the sentence that refuses it ({user}: who tried).
REFUSALS: dict[str, str] = {
    MANAGE_USERS: N_("Only a supervisor may add, disable or enable staff accounts and reset "
                     "their passwords; {user} is not a supervisor."),
    SAVE_SETTINGS: N_("Only a supervisor may change the settings every PC shares; {user} is "
                      "not a supervisor."),
    DELETE_SEGMENTS: N_("Only a supervisor may delete saved segments; {user} is not a "
                        "supervisor."),
    EXPORT_PHONES: N_("Only a supervisor may write files with full phone numbers to disk, "
                      "such as an SMS vendor file; {user} is not a supervisor."),
    VIEW_AUDIT: N_("Only a supervisor may read the audit trail; {user} is not a supervisor."),
    MANAGE_DATABASE: N_("Only a supervisor may copy, back up or restore the database, or add "
                        "demo data to one in use; {user} is not a supervisor."),
    MERGE_CUSTOMERS: N_("Only a supervisor may merge customers or undo a merge; {user} is not "
                        "a supervisor."),
    UNDO_IMPORTS: N_("Only a supervisor may undo an import; {user} is not a supervisor."),
    ERASE_CUSTOMERS: N_("Only a supervisor may erase a customer's personal data; {user} is "
                        "not a supervisor."),
    MANAGE_TAGS: N_("Only a supervisor may add, rename or remove tags and tag groups; {user} "
                    "is not a supervisor."),
    WITHDRAW_LISTS: N_("Only a supervisor or the person who made a list may withdraw it or "
                       "put it back; {user} is neither."),
}
PERMISSIONS = tuple(REFUSALS)
NOBODY = N_("Only a supervisor may do this, and nobody is signed in.")


@dataclass(frozen=True)
class Actor:
    """The person a service acts for, as signed in (the window) or named with --user (CLI)."""

    id: int
    username: str
    role: str
    display_name: str = ""

    @property
    def is_supervisor(self) -> bool:
        return self.role in SUPERVISOR_ROLES

    @property
    def name(self) -> str:
        """How messages name the person: display name and user name."""
        if self.display_name and self.display_name != self.username:
            return f"{self.display_name} ({self.username})"
        return self.username


class NotAllowed(RevisitError):
    """A protected action refused for `actor` (None: nobody signed in)."""

    def __init__(self, permission: str, actor: Actor | None) -> None:
        self.permission = permission
        self.actor = actor
        if actor is None:
            super().__init__(NOBODY)
        else:
            super().__init__(REFUSALS[permission], user=actor.name)


def allowed(actor: Actor | None, permission: str) -> bool:
    """Whether `actor` may take the protected action (for enabling buttons; services still
    call `require`)."""
    if permission not in REFUSALS:
        raise ValueError(f"unknown permission {permission!r}")
    return actor is not None and actor.is_supervisor


def require(actor: Actor | None, permission: str) -> Actor:
    """Refuse the protected action unless `actor` is a supervisor; returns the actor."""
    if not allowed(actor, permission):
        raise NotAllowed(permission, actor)
    assert actor is not None
    return actor


class NotPassed(enum.Enum):
    """The default of an `actor` parameter added to a service after its callers were written:
    a caller that passes no actor is not checked (None is "nobody signed in" and is refused)."""

    NOT_PASSED = "not passed"


NOT_PASSED = NotPassed.NOT_PASSED


def require_passed(actor: Actor | None | NotPassed, permission: str) -> Actor | None:
    """`require` unless the caller passed no actor at all (NOT_PASSED: unchecked)."""
    if actor is NOT_PASSED:
        return None
    assert not isinstance(actor, NotPassed)
    return require(actor, permission)


def staff_id(actor: Actor | None) -> int | None:
    """The id audit entries and `staff_id` columns record for `actor`."""
    return None if actor is None else actor.id


def with_user_name(name: str, user: str) -> str:
    """陈丽 (chenli2): how a name two people share is told apart (told_apart), and read back
    from a list typed over (services/lists/outcomes.py)."""
    return f"{name} ({user})"


def told_apart(people: Sequence[tuple[str, str | None]]) -> list[str]:
    """Each (name, user name) as staff read it: the name; a name two people share (two 陈丽)
    with the user name beside it, 陈丽 (chenli) and 陈丽 (chenli2); an empty name stays empty."""
    counts = Counter(name for name, _user in people)
    return [with_user_name(name, user) if name and user and counts[name] > 1 else name
            for name, user in people]
