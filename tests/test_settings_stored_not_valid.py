"""A shared setting written around the app (an SQL UPDATE, an older copy) with a value a save
would refuse is not used as stored: a whole number outside its range reads as the nearest end
of it (as the backups read their count), anything else as its default; `settings show` says so
in one sentence naming the setting. On SQLite and PostgreSQL: the settings are shared."""

from __future__ import annotations

import json

from sqlalchemy import text

from services.store import settings as shared
from services.store.backup import place_of
from tests import test_staff_cli

cli = test_staff_cli.cli  # the CLI in-process


def _write(database, **values: str) -> None:
    """Store the values as SQL would, with no check at all."""
    with database.engine.begin() as conn:
        for key, value in values.items():
            done = conn.execute(text("UPDATE app_setting SET value = :v WHERE key = :k"),
                                {"k": key, "v": value})
            if done.rowcount == 0:
                conn.execute(text("INSERT INTO app_setting (key, value, version, updated_at) "
                                  "VALUES (:k, :v, 1, CURRENT_TIMESTAMP)"), {"k": key, "v": value})


def test_out_of_range_stored_values_are_read_as_allowed_ones(cli, database):
    _write(database, backups_kept="-3", contact_fatigue_days="9999",
           sms_signature="no brackets", label_layout="a4-1x1-gone",
           sms_window_start="21:00", sms_window_end="22:00", shop_name="某某丰田")
    loaded = shared.load_settings_versions(database.sessions)
    s = loaded.settings
    assert (s.backups_kept, s.contact_fatigue_days) == (1, 365)  # the nearest allowed
    assert (s.sms_signature, s.label_layout) == ("", shared.Settings.label_layout)
    # Valid values stored beside them are used as stored, a window after the default one too.
    assert (s.sms_window_start.hour, s.sms_window_end.hour, s.shop_name) == (21, 22, "某某丰田")
    s.validate()  # what is used is what a save would accept
    assert place_of(database.sessions).kept == 1
    assert {w.key: (w.stored, w.used) for w in loaded.not_valid} == {
        "backups_kept": ("-3", "1"), "contact_fatigue_days": ("9999", "365"),
        "sms_signature": ("no brackets", ""), "label_layout": ("a4-1x1-gone", "a4-3x8")}

    code, out, err = cli("settings", "show", "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert (shown["backups_kept"], shown["contact_fatigue_days"]) == ("1", "365")
    warnings = err.strip().splitlines()
    assert len(warnings) == 4, err
    kept = next(w for w in warnings if "backups_kept" in w)
    assert kept == ("revisit: warning: The stored setting backups kept (backups_kept) is '-3', "
                    "which is not valid; '1' is used instead.")
    code, out, err = cli("settings", "show")
    assert code == 0 and "backups_kept           1\n" in out
    assert kept in err.splitlines()


def test_valid_stored_values_say_nothing(cli, database):
    _write(database, backups_kept="30", sms_price_per_part="0.0450")
    loaded = shared.load_settings_versions(database.sessions)
    assert loaded.settings.backups_kept == 30 and loaded.not_valid == ()
    code, _, err = cli("settings", "show")
    assert code == 0 and err == ""


def test_a_save_stores_the_value_used_instead_of_one_not_valid(cli, database, supervisor):
    _write(database, backups_kept="0")
    code, out, _ = cli("settings", "set", "shop_name=某某丰田", user="boss")
    assert code == 0
    assert out.splitlines() == ["saved shop_name", "saved backups_kept as 1, the value used "
                                "instead of the stored '0', which was not valid"]
    loaded = shared.load_settings_versions(database.sessions)
    assert (loaded.settings.backups_kept, loaded.not_valid) == (1, ())
    code, _, err = cli("settings", "show")
    assert code == 0 and err == ""


def test_report_weekly_warns_of_a_stored_target_not_valid(cli, database, staff, tmp_path):
    from services.reports import kpi

    _write(database, **{kpi.KEY: json.dumps({
        "default": {"calls_per_week": -500},
        "staff": {str(staff.id): {"reach_rate": 1.5, "calls_per_week": 40}}})})
    out_file = tmp_path / "weekly.xlsx"
    code, out, err = cli("report", "weekly", "--out", str(out_file), user="boss")
    assert code == 0 and out_file.is_file() and "written:" in out
    assert err.strip().splitlines() == [
        "revisit: warning: The stored calls per week target of the callers' default is -500, "
        "which is not valid; no target is used instead.",
        "revisit: warning: The stored reach rate target of 陈丽 is 150%, which is not valid; "
        "no target is used instead."]
    # The report counts no gap against them; the valid target beside them is used.
    import openpyxl

    text = "\n".join(str(c) for ws in openpyxl.load_workbook(out_file, read_only=True)
                     for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    assert "-500" not in text and "150%" not in text

    _write(database, **{kpi.KEY: json.dumps({"default": {"calls_per_week": 250}})})
    code, _, err = cli("report", "weekly", "--out", str(out_file), user="boss")
    assert code == 0 and err == ""
