"""The Settings page shows a stored setting a save would refuse (written by SQL) as the value
used instead, and says so in one sentence naming the setting, in the window's language; a
save from the page then stores the value shown."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.store.settings import load_settings_versions
from tests.ui.conftest import shut_down
from tests.ui.test_settings_view import _view


def _write(database, key: str, value: str) -> None:
    with database.engine.begin() as conn:
        if conn.execute(text("UPDATE app_setting SET value = :v WHERE key = :k"),
                        {"k": key, "v": value}).rowcount == 0:
            conn.execute(text("INSERT INTO app_setting (key, value, version, updated_at) "
                              "VALUES (:k, :v, 1, CURRENT_TIMESTAMP)"), {"k": key, "v": value})


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_stored_setting_out_of_range_is_shown_as_used_and_said(qtbot, database, translated):
    _write(database, "no_answer_retry_days", "-500")
    _write(database, "sms_vendor", "nobody")
    view, runner = _view(qtbot, database)
    assert view.retry.value() == 0  # the nearest allowed, not the stored -500
    assert view.vendor.currentData() == "generic"
    assert view.not_valid.isVisibleTo(view)
    vendor, said = view.not_valid.text().splitlines()  # in the order the page lists them
    assert "nobody" in vendor and "generic" in vendor
    if translated == "zh_CN":
        assert said == ("已存储的设置“未接通电话重拨间隔”（no_answer_retry_days）为“-500”，"
                           "不是有效值；现改用“0”。")
    else:
        assert said == ("The stored setting unanswered calls come back after "
                           "(no_answer_retry_days) is '-500', which is not valid; '0' is used "
                           "instead.")
    # Saving the page stores what it shows; the sentence goes.
    view.shop_name.setText("某某丰田")
    with qtbot.waitSignal(view.saved, timeout=10000):
        view.save_button.click()
    assert load_settings_versions(database.sessions).not_valid == ()
    assert not view.not_valid.isVisibleTo(view)
    shut_down(view, runner)
