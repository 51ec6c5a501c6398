"""A list with nothing in it yet says so once it has been read (past imports, backups, lists
read back), and says nothing while it is still being read."""

from __future__ import annotations

from services.store.database import Database
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.backups_panel import BackupsPanel
from ui.views.import_batches import BatchesPanel
from ui.widgets import empty_text


def test_no_import_yet_is_said(qtbot, database: Database, supervisor):
    runner = TaskRunner()
    panel = BatchesPanel(database, runner, supervisor)
    assert empty_text(panel.table) == ""  # not read yet
    panel.show()
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.refresh()
    assert panel.table.rowCount() == 0
    assert empty_text(panel.table).startswith("No import yet")
    shut_down(panel, runner)


def test_no_backup_yet_is_said(qtbot, database: Database, supervisor, tmp_path):
    from services.store import settings as shared

    loaded = shared.load_settings_versions(database.sessions)
    shared.save_settings(database.sessions,
                         shared.settings_with(loaded.settings,
                                              {"backup_folder": str(tmp_path / "none")}),
                         supervisor, loaded)
    runner = TaskRunner()
    panel = BackupsPanel(database, runner, supervisor)
    panel.show()
    qtbot.waitUntil(lambda: panel._listed, timeout=10000)
    assert panel.table.rowCount() == 0
    assert empty_text(panel.table) == "No backup in this folder yet."
    shut_down(panel, runner)


def test_no_list_read_back_yet_is_said(qtbot, database: Database, supervisor):
    from ui.views.readback_history import ReadBacksDialog

    runner = TaskRunner()
    dialog = ReadBacksDialog(database, runner, supervisor)
    dialog.show()
    qtbot.waitUntil(lambda: dialog._listed, timeout=10000)
    assert dialog.table.rowCount() == 0
    assert empty_text(dialog.table).startswith("No filled-in list read back yet")
    shut_down(dialog, runner)
