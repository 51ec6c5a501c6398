"""The window's Settings refuse what `settings set` refuses, in one sentence, saving nothing: a
backup folder that is a file (every import and daily backup failed afterwards), a postcode
that is not six digits, calls given up after 0 days. On SQLite and PostgreSQL."""

from __future__ import annotations

from PySide6.QtCore import Qt

from services.store.settings import load_settings
from tests.ui.test_settings_view import _view
from ui import tasks
from ui.i18n import translate_error


def _refusals(monkeypatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(tasks, "show_error", lambda _parent, exc: said.append(
        translate_error(exc)))
    return said


def test_a_backup_folder_that_is_a_file_is_refused(qtbot, database, supervisor, tmp_path,
                                                   monkeypatch):
    said = _refusals(monkeypatch)
    view, runner = _view(qtbot, database)
    panel = view.backups
    assert panel is not None
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    before = load_settings(database.sessions).backup_folder
    a_file = tmp_path / "x.bak"
    a_file.write_bytes(b"someone's file")
    panel.folder.setText(str(a_file))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    runner.wait()
    assert said == [f"The backup folder {a_file} cannot be used (Not a directory: {a_file}); "
                    "choose a folder that exists or can be made, and can be written. Nothing "
                    "was saved."]
    assert load_settings(database.sessions).backup_folder == before
    # A folder that can be made is saved.
    fresh = tmp_path / "new" / "backups"
    panel.folder.setText(str(fresh))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: load_settings(database.sessions).backup_folder == str(fresh),
                    timeout=5000)
    runner.wait()
    assert len(said) == 1


def test_a_short_postcode_is_refused_and_no_fewer_than_one_day(qtbot, database, supervisor,
                                                               monkeypatch):
    said = _refusals(monkeypatch)
    view, runner = _view(qtbot, database)
    view.attempts.setValue(0)
    assert view.attempts.value() == 1  # 0 days of failed calls would call nobody
    view.shop_postcode.clear()
    qtbot.keyClicks(view.shop_postcode, "51a0-00")  # only digits are taken
    assert view.shop_postcode.text() == "51000"
    view.save_button.click()
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    runner.wait()
    assert said == ["A postcode is six digits, such as 510000, not '51000'."]
    assert load_settings(database.sessions).shop_postcode == ""
