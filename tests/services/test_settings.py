"""Shared settings: defaults, round trip through the database, validation."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from services.staff.audit import AuditFilter, read_audit
from services.staff.permissions import SAVE_SETTINGS, NotAllowed
from services.store.errors import RevisitError
from services.store.settings import Settings, load_settings, save_settings


def test_defaults_when_nothing_is_stored(database):
    settings = load_settings(database.sessions)
    assert settings == Settings()
    assert (settings.sms_window_start, settings.sms_window_end) == (dt.time(8), dt.time(20))


def test_round_trip(database, supervisor):
    changed = dataclasses.replace(
        Settings(),
        shop_name="广州某某丰田",
        sms_signature="【某某丰田】",
        sms_vendor="huawei",
        sms_window_end=dt.time(21, 30),
        contact_fatigue_days=30,
    )
    save_settings(database.sessions, changed, supervisor)
    assert load_settings(database.sessions) == changed
    save_settings(database.sessions, dataclasses.replace(changed, contact_fatigue_days=7),
                  supervisor)
    assert load_settings(database.sessions).contact_fatigue_days == 7


@pytest.mark.parametrize(
    "change",
    [
        {"sms_vendor": "nokia"},
        {"sms_window_start": dt.time(21), "sms_window_end": dt.time(8)},
        {"sms_signature": "某某丰田"},
        {"max_failed_attempts": -1},
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(database, supervisor, change):
    with pytest.raises(RevisitError):
        save_settings(database.sessions, dataclasses.replace(Settings(), **change), supervisor)
    assert load_settings(database.sessions) == Settings()


def test_only_a_supervisor_saves_the_shared_settings(database, supervisor, staff):
    changed = dataclasses.replace(Settings(), shop_name="广州某某丰田")
    for nobody in (staff, None):
        with pytest.raises(NotAllowed) as refused:
            save_settings(database.sessions, changed, nobody)
        assert refused.value.permission == SAVE_SETTINGS
    assert load_settings(database.sessions) == Settings()
    assert "陈丽 (chenli) is not a supervisor" in str(
        pytest.raises(NotAllowed, save_settings, database.sessions, changed, staff).value)

    save_settings(database.sessions, changed, supervisor)
    assert load_settings(database.sessions).shop_name == "广州某某丰田"
    entries = read_audit(database.sessions, supervisor, AuditFilter(action="save_settings"))
    assert [(e.username, e.detail_data()["shop_name"][1]) for e in entries.entries] == [
        ("boss", "广州某某丰田")]
