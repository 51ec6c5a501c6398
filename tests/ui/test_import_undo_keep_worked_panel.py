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


def test_the_question_counts_the_stored_records_the_import_changed(qtbot, database, tmp_path,
                                                                   supervisor, monkeypatch):
    from services.imports.apply import apply
    from tests.services.import_files import DMS_HEADERS, customer_rows, vin, write_csv
    from tests.services.test_import_undo_keep_worked import CUSTOMERS, NEW_ADDRESS

    apply(database.sessions, write_csv(tmp_path / "a.csv", DMS_HEADERS,
                                       customer_rows(1, start=5)), CUSTOMERS)
    # The same owner with a second car and an address: a new row in the file's counts, and
    # one stored customer changed.
    row = customer_rows(1, start=5)[0]
    row[1], row[6], row[11] = "粤A99999", vin("LSVAB2BM4MZ99999"), NEW_ADDRESS
    second = apply(database.sessions, write_csv(tmp_path / "b.csv", DMS_HEADERS, [row]),
                   CUSTOMERS)
    assert (second.created, second.updated) == (1, 0)
    asked: list[str] = []
    monkeypatch.setattr("ui.views.import_batches.QMessageBox.question",
                        lambda _parent, _title, text, *_a: asked.append(text)
                        or QMessageBox.StandardButton.Cancel)
    runner = TaskRunner()
    panel = BatchesPanel(database, runner, supervisor)
    panel.show()
    try:
        qtbot.waitUntil(lambda: len(panel.rows) == 2, timeout=10000)
        qtbot.mouseClick(panel.undo, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(asked), timeout=10000)
        assert "the values it changed in 1 rows are put back" in asked[0]
    finally:
        shut_down(panel, runner)


def test_an_interrupted_import_shows_as_interrupted_in_the_list(qtbot, database, tmp_path,
                                                               supervisor):
    from services.imports.apply import apply
    from services.store.database import DRIVER_ERRORS
    from tests.services.import_files import DMS_HEADERS, customer_rows, write_csv
    from tests.services.test_import_interrupted_listed import CUSTOMERS, _interrupt

    with pytest.raises((OSError, *DRIVER_ERRORS)):
        apply(database.sessions, write_csv(tmp_path / "三月.csv", DMS_HEADERS,
                                           customer_rows(600)),
              CUSTOMERS, progress=_interrupt(database))
    runner = TaskRunner()
    panel = BatchesPanel(database, runner, supervisor)
    panel.show()
    try:
        qtbot.waitUntil(lambda: len(panel.rows) == 1, timeout=10000)
        state = panel.table.item(0, 9)
        assert state.text() == "interrupted, not stored"
        assert "Nobody undid it" in state.toolTip()
        assert not panel.undo.isEnabled()
    finally:
        shut_down(panel, runner)
