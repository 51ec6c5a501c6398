"""Undoing an import from Past imports reports its progress to the window (the status bar's bar
and Cancel), and a cancelled undo leaves the import whole, says so, and can be run again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.staff import accounts
from tests.services.import_files import DMS_HEADERS, counts, customer_rows, write_csv
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.import_batches import BatchesPanel


@pytest.fixture
def panel(qtbot, sqlite_database, tmp_path, monkeypatch):
    boss = accounts.create_first_supervisor(sqlite_database.sessions, "boss", "王主管",
                                            "boss-secret")
    apply(sqlite_database.sessions, write_csv(tmp_path / "保有客户.csv", DMS_HEADERS,
                                              customer_rows(300)), ImportOptions("customers"))
    monkeypatch.setattr("ui.views.import_batches.QMessageBox.question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    runner = TaskRunner()
    widget = BatchesPanel(sqlite_database, runner, boss)
    widget.show()
    qtbot.waitUntil(lambda: len(widget.rows) == 1, timeout=10000)
    yield widget
    shut_down(widget, runner)


def test_a_cancelled_undo_leaves_the_import_whole_and_can_run_again(qtbot, panel,
                                                                    sqlite_database,
                                                                    monkeypatch):
    runner = panel.runner
    reported: list[tuple[str, int, int]] = []
    notices: list[str] = []
    runner.progress.connect(lambda label, done, total: reported.append((label, done, total)))
    runner.notice.connect(lambda notice: notices.append(notice.text))
    before = counts(sqlite_database)
    real = batches.undo_batch

    def cancelled_at_the_first_step(sessions, batch_id, actor, progress, cancel):
        def step(done: int, total: int) -> None:
            if done:
                cancel.cancel()  # as the status bar's Cancel, once the first rows are deleted
            progress(done, total)

        return real(sessions, batch_id, actor, step, cancel)

    monkeypatch.setattr(batches, "undo_batch", cancelled_at_the_first_step)
    qtbot.mouseClick(panel.undo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(notices), timeout=20000)
    batch_id = panel.rows[0].id
    assert notices == [f"Undo of import #{batch_id} cancelled; the import is as it was."]
    assert counts(sqlite_database) == before
    assert not batches.get_batch(sqlite_database.sessions, batch_id).undone
    label = f"Undoing import #{batch_id}"
    assert any(r[0] == label and r[2] >= 900 for r in reported), reported  # its steps known
    qtbot.waitUntil(panel.undo.isEnabled, timeout=5000)

    monkeypatch.setattr(batches, "undo_batch", real)
    with qtbot.waitSignal(panel.undone, timeout=30000):
        qtbot.mouseClick(panel.undo, Qt.MouseButton.LeftButton)
    assert set(counts(sqlite_database)) == {"staff_user"}
    _label, done, total = [r for r in reported if r[0] == label][-1]
    assert done == total >= 900
