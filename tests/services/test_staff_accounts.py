"""Staff accounts: the first supervisor, signing in (wrong, without a password, disabled),
accounts and passwords managed by a supervisor only, passwords stored only as argon2 hashes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from models import AuditLog, StaffUser
from services.staff import accounts, passwords, signing
from services.staff.permissions import MANAGE_USERS, NotAllowed
from services.store.errors import RevisitError
from tests.conftest import STAFF_PASSWORD, SUPERVISOR_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _actions(database) -> list[str]:
    with database.sessions() as s:
        return list(s.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_a_new_database_needs_its_first_supervisor_once(database):
    assert signing.needs_first_supervisor(database.engine)
    assert not signing.has_accounts(database.engine)
    boss = accounts.create_first_supervisor(database.sessions, " boss ", "王主管", "s3cret!")
    assert (boss.username, boss.role, boss.display_name, boss.is_supervisor) == (
        "boss", "supervisor", "王主管", True)
    assert not signing.needs_first_supervisor(database.engine)
    with pytest.raises(RevisitError, match="already has a supervisor"):
        accounts.create_first_supervisor(database.sessions, "other", "", "s3cret!")
    with database.sessions() as s:
        stored = s.scalars(select(StaffUser.password_hash)).one()
    assert stored.startswith("$argon2id$") and "s3cret!" not in stored
    assert _actions(database) == ["first_supervisor"]


def test_staff_from_before_accounts_can_become_the_first_supervisor(database):
    with database.sessions.begin() as s:
        s.add(StaffUser(username="chenli", display_name="陈丽", role="clerk"))
    assert signing.needs_first_supervisor(database.engine)
    with pytest.raises(RevisitError, match="no password yet"):
        signing.sign_in(database.engine, "chenli", "anything")
    actor = accounts.create_first_supervisor(database.sessions, "ChenLi", "", "s3cret!")
    assert (actor.username, actor.role, actor.display_name) == ("chenli", "supervisor", "陈丽")
    assert signing.sign_in(database.engine, "chenli", "s3cret!").actor == actor


def test_sign_in_refuses_wrong_passwords_unknown_names_and_disabled_accounts(
        database, supervisor, staff):
    for name, password in (("chenli", "wrong-one"), ("nobody", STAFF_PASSWORD)):
        with pytest.raises(RevisitError, match="user name or password is wrong"):
            signing.sign_in(database.engine, name, password)
    signed = signing.sign_in(database.engine, "CHENLI", STAFF_PASSWORD)
    assert signed.actor == staff and not signed.must_change_password
    accounts.set_active(database.sessions, supervisor, "chenli", False)
    with pytest.raises(RevisitError, match="chenli is disabled"):
        signing.sign_in(database.engine, "chenli", STAFF_PASSWORD)
    # A window still open for the disabled account is refused at its next protected step.
    with database.sessions() as s, pytest.raises(RevisitError, match="disabled"):
        accounts.confirm(s, staff)
    accounts.set_active(database.sessions, supervisor, "chenli", True)
    assert signing.sign_in(database.engine, "chenli", STAFF_PASSWORD).actor == staff


@pytest.mark.parametrize("who", ["staff", "nobody"])
def test_only_a_supervisor_manages_accounts(database, supervisor, staff, who):
    actor = staff if who == "staff" else None
    before = accounts.list_accounts(database.sessions)
    for call in (
        lambda: accounts.add_account(database.sessions, actor, "liuyang", "刘洋", "clerk",
                                     "secret-1"),
        lambda: accounts.set_active(database.sessions, actor, "boss", False),
        lambda: accounts.reset_password(database.sessions, actor, "boss", "taken-over"),
    ):
        with pytest.raises(NotAllowed) as refused:
            call()
        assert refused.value.permission == MANAGE_USERS
    assert accounts.list_accounts(database.sessions) == before
    assert signing.sign_in(database.engine, "boss", SUPERVISOR_PASSWORD).actor == supervisor


def test_a_supervisor_adds_disables_and_resets(database, supervisor):
    added = accounts.add_account(database.sessions, supervisor, "liuyang", "", "clerk",
                                 "first-pass")
    assert (added.display_name, added.role, added.active, added.has_password) == (
        "liuyang", "clerk", True, True)
    # The first password is the supervisor's: its owner chooses their own at first sign-in.
    assert added.reset_pending
    first = signing.sign_in(database.engine, "liuyang", "first-pass")
    assert first.must_change_password
    accounts.change_password(database.sessions, first.actor, "first-pass", "mine-now")
    assert not signing.sign_in(database.engine, "liuyang", "mine-now").must_change_password
    assert not {a.username: a for a in accounts.list_accounts(database.sessions)}[
        "liuyang"].reset_pending
    with pytest.raises(RevisitError, match="already an account named liuyang"):
        accounts.add_account(database.sessions, supervisor, "LiuYang", "", "clerk", "first-pass")
    for bad, message in (("two words", "without spaces"), ("", "without spaces")):
        with pytest.raises(RevisitError, match=message):
            accounts.add_account(database.sessions, supervisor, bad, "", "clerk", "first-pass")
    with pytest.raises(RevisitError, match="at least 6 characters"):
        accounts.add_account(database.sessions, supervisor, "zhaomin", "", "clerk", "12345")
    with pytest.raises(RevisitError, match="Unknown role 'admin'"):
        accounts.add_account(database.sessions, supervisor, "zhaomin", "", "admin", "123456")

    accounts.reset_password(database.sessions, supervisor, "liuyang", "told-by-boss")
    signed = signing.sign_in(database.engine, "liuyang", "told-by-boss")
    assert signed.must_change_password
    accounts.change_password(database.sessions, signed.actor, "told-by-boss", "only-mine")
    assert not signing.sign_in(database.engine, "liuyang", "only-mine").must_change_password
    with pytest.raises(RevisitError, match="current password is wrong"):
        accounts.change_password(database.sessions, signed.actor, "told-by-boss", "again-1")

    with pytest.raises(RevisitError, match="cannot disable your own account"):
        accounts.set_active(database.sessions, supervisor, "boss", False)
    assert not accounts.set_active(database.sessions, supervisor, "liuyang", False).active
    assert _actions(database) == ["first_supervisor", "add_user", "sign_in", "change_password",
                                  "sign_in", "reset_password", "sign_in", "change_password",
                                  "sign_in", "disable_user"]


def test_the_last_supervisor_who_can_sign_in_stays(database, supervisor):
    second = accounts.add_account(database.sessions, supervisor, "deputy", "副主管",
                                  "supervisor", "deputy-pw")
    deputy = signing.sign_in(database.engine, "deputy", "deputy-pw").actor
    assert second.role == "supervisor" and deputy.is_supervisor
    accounts.set_active(database.sessions, deputy, "boss", False)
    with pytest.raises(RevisitError, match="cannot disable your own"):
        accounts.set_active(database.sessions, deputy, "deputy", False)
    # boss is disabled: deputy is the last one, and stays whatever boss's old window tries.
    with pytest.raises(RevisitError, match="disabled"):
        accounts.set_active(database.sessions, supervisor, "deputy", False)


def test_a_supervisor_changes_roles_and_the_last_supervisor_stays(database, supervisor,
                                                                    staff):
    with pytest.raises(NotAllowed):
        accounts.set_role(database.sessions, staff, "chenli", "supervisor")
    assert accounts.set_role(database.sessions, supervisor, "chenli", "supervisor").role \
        == "supervisor"
    promoted = signing.sign_in(database.engine, "chenli", STAFF_PASSWORD).actor
    assert promoted.is_supervisor
    # Two supervisors: one may step the other down, but not the last one left.
    assert accounts.set_role(database.sessions, promoted, "boss", "clerk").role == "clerk"
    with pytest.raises(RevisitError, match="cannot change your own role"):
        accounts.set_role(database.sessions, promoted, "chenli", "clerk")
    with pytest.raises(RevisitError, match="Unknown role"):
        accounts.set_role(database.sessions, promoted, "boss", "admin")
    assert _actions(database).count("set_role") == 2


# Two PCs on a new database at once: each tries to become the first supervisor when the other
# does. Prints "ok" or the refusal.
FIRST = """
    import sys, time
    from services.staff import accounts, signing
    from services.store.database import open_database
    from services.store.errors import RevisitError
    url, name, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
    db = open_database(url, upgrade=False)
    time.sleep(max(0.0, start_at - time.time()))
    try:
        accounts.create_first_supervisor(db.sessions, name, name, "first-pw-1")
        print("ok")
    except RevisitError as exc:
        print(exc)
"""


def test_two_pcs_creating_the_first_supervisor_at_once_make_one(database):
    start_at = str(time.time() + 3)
    workers = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(FIRST), database.url,
                                 name, start_at], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for name in ("zhang", "wang")]
    outputs = [w.communicate(timeout=120) for w in workers]
    said = sorted(out.strip() for out, _ in outputs)
    assert said[0].startswith("This database already has a supervisor"), outputs
    assert said[1] == "ok", outputs
    assert [a.role for a in accounts.list_accounts(database.sessions)] == ["supervisor"]


def test_hashes_are_salted_and_checked_safely():
    first, second = passwords.hash_password("same-pass"), passwords.hash_password("same-pass")
    assert first != second  # a salt of its own each time
    assert passwords.verify(first, "same-pass") and not passwords.verify(first, "other-pass")
    assert not passwords.verify(None, "same-pass") and not passwords.verify("junk", "same-pass")
    assert not passwords.needs_rehash(first) and passwords.needs_rehash("junk")


def test_signing_in_renews_a_hash_made_with_older_costs_and_says_who_signed_in(database):
    staff = accounts.create_first_supervisor(database.sessions, "chenli", "陈丽", STAFF_PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(STAFF_PASSWORD)
    with database.sessions.begin() as s:
        s.get(StaffUser, staff.id).password_hash = weak
    assert passwords.needs_rehash(weak)
    signed = signing.sign_in(database.engine, " ChenLi ", STAFF_PASSWORD)
    assert signed.actor == staff and not signed.must_change_password
    with database.sessions() as s:
        renewed = s.get(StaffUser, staff.id).password_hash
        entry = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert renewed != weak and not passwords.needs_rehash(renewed)
    assert passwords.verify(renewed, STAFF_PASSWORD)
    # The entry the audit trail shows, as every other action's is written.
    assert (entry.action, entry.entity, entry.entity_id, entry.staff_id, entry.detail) == (
        "sign_in", "staff_user", staff.id, staff.id, "{}")
    assert entry.at is not None
    # A command's sign-in is not recorded, and a wrong password changes nothing.
    signing.sign_in(database.engine, "chenli", STAFF_PASSWORD, record_it=False)
    with pytest.raises(RevisitError, match="wrong"):
        signing.sign_in(database.engine, "chenli", "not-it")
    assert _actions(database) == ["first_supervisor", "sign_in"]
