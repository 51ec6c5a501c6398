"""Past imports: undoing an import after a colleague called a customer it created asks whether
to undo the rest and keep that customer (named, with what was recorded and by whom); kept,
the list says the import was partly undone. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from services.imports import batches
from tests.services.test_import_undo_keep_worked import _call, _two_imports
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.import_batches import BatchesPanel


@pytest.fixture
def worked(qtbot, database, tmp_path, supervisor, staff):
    _, batch_id = _two_imports(database, tmp_path)
    _call(database, "客户10", staff.id)
    runner = TaskRunner()
    widget = BatchesPanel(database, runner, supervisor)
    widget.show()
    qtbot.waitUntil(lambda: len(widget.rows) == 2, timeout=10000)
    yield widget, batch_id
    shut_down(widget, runner)


def _answer(panel, monkeypatch, click: str, seen: list[str]) -> None:
    """Answer the real question the panel builds: `click` "keep" or "cancel"."""
    def ask(batch, worked):
        box, keep = panel._keep_dialog(batch, worked)
        seen.append(box.informativeText())
        (keep if click == "keep" else box.button(QMessageBox.StandardButton.Cancel)).click()
        return box.clickedButton() is keep

    monkeypatch.setattr(panel, "_ask_keep", ask)
    monkeypatch.setattr("ui.views.import_batches.QMessageBox.question",
                        lambda *_a, **_k: pytest.fail("the plain question was asked"))


def test_the_question_offers_to_keep_the_customers_worked_on(qtbot, worked, database,
                                                            monkeypatch):
    panel, batch_id = worked
    seen: list[str] = []
    notices: list[str] = []
    panel.runner.notice.connect(lambda notice: notices.append(notice.text))
    _answer(panel, monkeypatch, "keep", seen)
    assert panel.rows[0].id == batch_id
    with qtbot.waitSignal(panel.undone, timeout=30000):
        qtbot.mouseClick(panel.undo, Qt.MouseButton.LeftButton)
    assert "客户10 13900000010: a call or contact by 陈丽" in seen[0]
    assert "contact_event" not in seen[0]
    qtbot.waitUntil(lambda: bool(notices), timeout=5000)
    assert "Kept 1 customer(s) worked on since (客户10 13900000010" in notices[0]
    info = batches.get_batch(database.sessions, batch_id)
    assert info.undone and info.left["customer"] == 1
    qtbot.waitUntil(lambda: panel.table.item(0, 9) is not None
                    and panel.table.item(0, 9).text().startswith("partly undone"),
                    timeout=10000)


def test_cancelling_the_question_leaves_the_import(qtbot, worked, database, monkeypatch):
    panel, batch_id = worked
    seen: list[str] = []
    _answer(panel, monkeypatch, "cancel", seen)
    qtbot.mouseClick(panel.undo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    qtbot.waitUntil(panel.undo.isEnabled, timeout=5000)
    assert not batches.get_batch(database.sessions, batch_id).undone
