"""Versioned shared settings: a save changes only what its editor changed, and is refused when
someone else changed one of those settings since the editor loaded them — proved with two real
processes saving at the same moment, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import multiprocessing

import pytest

from services.staff import accounts, signing
from services.staff.audit import AuditFilter, read_audit
from services.store.database import open_database
from services.store.errors import RevisitError, StaleEdit
from services.store.settings import (
    SettingChanged,
    Settings,
    load_settings,
    load_settings_versions,
    save_settings,
)

OTHER_PASSWORD = "li-secret"


@pytest.fixture
def other(database, supervisor):
    """A second supervisor (李主管, user name li)."""
    accounts.add_account(database.sessions, supervisor, "li", "李主管", "supervisor",
                         OTHER_PASSWORD)
    return signing.sign_in(database.engine, "li", OTHER_PASSWORD).actor


def test_each_save_raises_the_versions_of_what_it_changed(database, supervisor):
    first = load_settings_versions(database.sessions)
    assert first.settings == Settings() and dict(first.versions) == {}
    save_settings(database.sessions, dataclasses.replace(first.settings, shop_name="甲店"),
                  supervisor, first)
    second = load_settings_versions(database.sessions)
    assert dict(second.versions) == {"shop_name": 1}
    save_settings(database.sessions, dataclasses.replace(
        second.settings, shop_name="乙店", backups_kept=7), supervisor, second)
    third = load_settings_versions(database.sessions)
    assert dict(third.versions) == {"shop_name": 2, "backups_kept": 1}
    assert (third.settings.shop_name, third.settings.backups_kept) == ("乙店", 7)


def test_two_editors_changing_different_settings_both_keep_theirs(database, supervisor, other):
    mine = load_settings_versions(database.sessions)
    theirs = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(theirs.settings, shop_phone="020-1"),
                  other, theirs)
    save_settings(database.sessions, dataclasses.replace(mine.settings, shop_name="甲店"),
                  supervisor, mine)
    stored = load_settings(database.sessions)
    assert (stored.shop_name, stored.shop_phone) == ("甲店", "020-1")


def test_a_setting_changed_since_loading_refuses_the_save(database, supervisor, other):
    save_settings(database.sessions, dataclasses.replace(Settings(), contact_fatigue_days=20),
                  supervisor)
    mine = load_settings_versions(database.sessions)
    theirs = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(
        theirs.settings, contact_fatigue_days=30), other, theirs)

    with pytest.raises(SettingChanged) as err:
        save_settings(database.sessions, dataclasses.replace(
            mine.settings, contact_fatigue_days=10, shop_name="甲店"), supervisor, mine)

    assert isinstance(err.value, StaleEdit) and err.value.key == "contact_fatigue_days"
    assert "李主管 changed the setting 在此天数内不重复联系" in str(err.value)
    stored = load_settings(database.sessions)
    assert (stored.contact_fatigue_days, stored.shop_name) == (30, Settings().shop_name)
    # Reloaded, the same change is saved.
    again = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(
        again.settings, contact_fatigue_days=10, shop_name="甲店"), supervisor, again)
    assert load_settings(database.sessions).contact_fatigue_days == 10
    entries = read_audit(database.sessions, supervisor, AuditFilter(action="save_settings"))
    assert len(entries.entries) == 3  # the refused save wrote nothing, not even its audit entry


def _load_wait_save(url, actor, change, barrier, results) -> None:
    """One PC: load the settings, wait for the other, save a change."""
    database = open_database(url)
    try:
        loaded = load_settings_versions(database.sessions)
        barrier.wait(timeout=120)
        try:
            save_settings(database.sessions, dataclasses.replace(loaded.settings, **change),
                          actor, loaded)
            results.put((actor.username, "saved", ""))
        except RevisitError as exc:
            results.put((actor.username, type(exc).__name__, str(exc)))
    finally:
        database.dispose()


@pytest.mark.parametrize("stored_before", [False, True], ids=["new-setting", "stored-setting"])
def test_two_processes_save_at_once_and_exactly_one_wins(database, supervisor, other,
                                                         stored_before):
    if stored_before:
        save_settings(database.sessions, dataclasses.replace(Settings(), shop_name="旧店名"),
                      supervisor)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_load_wait_save, args=(
            database.url, actor, {"shop_name": name}, barrier, results))
        for actor, name in ((supervisor, "王的店"), (other, "李的店"))
    ]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=180) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    kinds = sorted(kind for _, kind, _ in outcomes)
    assert kinds == ["SettingChanged", "saved"], outcomes
    winner = next(user for user, kind, _ in outcomes if kind == "saved")
    refusal = next(text for _, kind, text in outcomes if kind != "saved")
    winner_name = {"boss": "王主管", "li": "李主管"}[winner]
    assert refusal.startswith(f"{winner_name} changed the setting 门店名称 at ")
    assert load_settings(database.sessions).shop_name == {"boss": "王的店", "li": "李的店"}[winner]


def test_every_shared_setting_has_its_name_in_words():
    import dataclasses

    from services import labels
    from services.store.settings import Settings

    for f in dataclasses.fields(Settings):
        zh, en = labels.both("setting", f.name)
        assert zh != f.name and en != f.name, f.name
