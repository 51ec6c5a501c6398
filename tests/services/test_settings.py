"""Shared settings: defaults, round trip through the database, validation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from models import AppSetting
from services.staff.audit import AuditFilter, read_audit
from services.staff.permissions import SAVE_SETTINGS, NotAllowed
from services.store.errors import RevisitError
from services.store.settings import (
    Settings,
    load_settings,
    load_settings_versions,
    save_settings,
    settings_with,
)


def test_defaults_when_nothing_is_stored(database):
    settings = load_settings(database.sessions)
    assert settings == Settings()
    assert (settings.sms_window_start, settings.sms_window_end) == (dt.time(8), dt.time(20))


def test_a_new_database_has_no_shop_name_or_sms_signature(database):
    """Never a made-up shop: its name would be printed as the sender and its signature would
    sign every SMS, which the vendor rejects when it is not the one registered."""
    settings = load_settings(database.sessions)
    assert (settings.shop_name, settings.sms_signature) == ("", "")
    assert settings.validate() == settings  # an empty signature is "not set yet"


def test_an_empty_signature_is_saved_a_written_one_must_be_bracketed(database, supervisor):
    named = dataclasses.replace(Settings(), shop_name="广州某某丰田", sms_signature="【某某丰田】")
    save_settings(database.sessions, named, supervisor)
    loaded = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(loaded.settings, sms_signature=""),
                  supervisor, loaded)
    with database.sessions() as s:
        assert s.get(AppSetting, "sms_signature").value == ""
    assert load_settings(database.sessions) == dataclasses.replace(named, sms_signature="")
    assert settings_with(named, {"sms_signature": " "}).sms_signature == ""  # as typed
    for written in ("某某丰田", "【某某丰田", " 【某某丰田】"):
        with pytest.raises(RevisitError, match="must be written as 【shop name】"):
            save_settings(database.sessions, dataclasses.replace(
                Settings(), sms_signature=written), supervisor)
    assert load_settings(database.sessions).sms_signature == ""


@pytest.mark.parametrize("typed", ["粤城丰田", "[粤城丰田]", "［粤城丰田］", " 【粤城丰田】 ",
                                   "【粤城丰田"])
def test_a_signature_typed_without_its_brackets_gets_them_as_in_the_window(typed):
    """`settings set sms_signature=粤城丰田` takes what the Settings area takes."""
    assert settings_with(Settings(), {"sms_signature": typed}).sms_signature == "【粤城丰田】"


def test_what_a_database_stored_stays_as_it_was(database):
    """The old made-up defaults, once saved by a database, are its own values: loading never
    rewrites them."""
    with database.sessions.begin() as s:
        s.add_all([AppSetting(key="shop_name", value="回访汽车服务", version=3),
                   AppSetting(key="sms_signature", value="【回访汽车】", version=2)])
    loaded = load_settings_versions(database.sessions)
    assert (loaded.settings.shop_name, loaded.settings.sms_signature) == (
        "回访汽车服务", "【回访汽车】")
    assert dict(loaded.versions) == {"shop_name": 3, "sms_signature": 2}


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
        {"label_layout": "a4-4x10"},
        {"label_layout": ""},
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


def test_the_sms_price_is_an_exact_decimal_round_trip(database, supervisor):
    assert load_settings(database.sessions).sms_price_per_part == Decimal("0.045")
    loaded = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(
        loaded.settings, sms_price_per_part=Decimal("0.0380")), supervisor, loaded)
    with database.sessions() as s:
        assert s.get(AppSetting, "sms_price_per_part").value == "0.038"  # one text per amount
    again = load_settings_versions(database.sessions)
    assert again.settings.sms_price_per_part == Decimal("0.038")
    assert isinstance(again.settings.sms_price_per_part, Decimal)
    # The same price written with another number of zeros is no change: no new version.
    save_settings(database.sessions, dataclasses.replace(
        again.settings, sms_price_per_part=Decimal("0.03800")), supervisor, again)
    assert load_settings_versions(database.sessions).versions == again.versions
    # As typed on a command line.
    assert settings_with(again.settings, {"sms_price_per_part": " 0.05 "}) \
        .sms_price_per_part == Decimal("0.05")


@pytest.mark.parametrize("typed", ["abc", "NaN", "Infinity", "-0.01", "1.5", "0.00001", ""])
def test_a_wrong_sms_price_is_refused(database, supervisor, typed):
    with pytest.raises(RevisitError):
        settings_with(Settings(), {"sms_price_per_part": typed})
    assert load_settings(database.sessions) == Settings()


def test_a_stored_price_that_no_longer_parses_falls_back_to_the_default(database, supervisor):
    with database.sessions.begin() as s:
        s.add(AppSetting(key="sms_price_per_part", value="NaN", version=1))
    assert load_settings(database.sessions).sms_price_per_part == Decimal("0.045")


def test_a_label_layout_revisit_does_not_have_is_refused_by_name(database, supervisor):
    with pytest.raises(RevisitError) as refused:
        settings_with(Settings(), {"label_layout": "a4-4x10"})
    assert "a4-4x10" in str(refused.value) and "a4-3x8" in str(refused.value)
    chosen = settings_with(Settings(), {"label_layout": "envelope-dl"})
    save_settings(database.sessions, chosen, supervisor)
    assert load_settings(database.sessions).label_layout == "envelope-dl"


def test_a_stored_label_layout_revisit_does_not_have_prints_the_default(database, supervisor):
    # Stored by an older Revisit whose sheet was since withdrawn, or written by hand: the
    # labels print on the default sheet, and the other settings can still be saved.
    with database.sessions.begin() as s:
        s.add(AppSetting(key="label_layout", value="a4-4x10", version=1))
    loaded = load_settings_versions(database.sessions)
    assert loaded.settings.label_layout == Settings().label_layout
    save_settings(database.sessions, dataclasses.replace(loaded.settings, shop_name="某某丰田"),
                  supervisor, loaded)
    assert load_settings(database.sessions).shop_name == "某某丰田"
