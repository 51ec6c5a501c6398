"""The segment builder and template grids driven through their widgets on a real database."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from services.segments import service as segments
from services.segments import summaries
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.tasks import TaskRunner
from ui.views.segments_view import SegmentsView


@pytest.fixture
def view(qtbot, demo_db):
    runner = TaskRunner()
    widget = SegmentsView(demo_db, runner)
    qtbot.addWidget(widget)
    widget.as_of.setDate(DEMO_TODAY)
    widget.show()
    yield widget
    shut_down(widget, runner)


def _count_text(view) -> str:
    return view.count.text()


def test_build_count_and_save_a_segment(qtbot, view, demo_db):
    editor = view.editor
    editor.add_condition.click()  # years_since_purchase >= 5
    editor.field.setCurrentIndex(editor.field.findData("years_since_purchase"))
    editor.op.setCurrentIndex(editor.op.findData(">="))
    editor.value.number.setValue(6)
    flt = editor.data()
    assert flt["where"]["and"] == [{"field": "years_since_purchase", "op": ">=", "value": 6}]
    expected = segments.count(demo_db.sessions, flt, DEMO_TODAY)
    qtbot.waitUntil(
        lambda: (
            f"{expected.customers:,}" in _count_text(view)
            or str(expected.customers) in _count_text(view)
        ),
        timeout=5000,
    )
    assert view.preview.rowCount() == min(200, expected.vehicles)

    view.name.setText("6年以上车主")
    view.save_button.click()
    qtbot.waitUntil(lambda: view.saved.count() == 1, timeout=5000)
    saved = segments.get_segment(demo_db.sessions, "6年以上车主")
    assert segments.count(demo_db.sessions, saved.filter, DEMO_TODAY) == expected


def test_invalid_filter_names_the_problem(qtbot, view):
    view.editor.set_data(
        {
            "version": 1,
            "where": {"and": [{"field": "years_since_purchase", "op": "between", "value": [7, 5]}]},
        }
    )
    view.refresh_count()
    assert "low end is above the high end" in view.problem.text()


def test_rename_duplicate_delete(qtbot, view, demo_db, monkeypatch):
    segments.save_segment(demo_db.sessions, "老客户", {"version": 1, "where": None})
    view.reload_list("老客户")
    assert view._current_name == "老客户"
    monkeypatch.setattr(
        "ui.views.segments_view.QInputDialog.getText", lambda *a, **k: ("老客户（复制）", True)
    )
    view.duplicate_button.click()
    qtbot.waitUntil(lambda: view.saved.count() == 2, timeout=5000)
    monkeypatch.setattr(
        "ui.views.segments_view.QMessageBox.question", lambda *a, **k: QMessageBox.StandardButton.No
    )
    view.delete_button.click()
    assert view.saved.count() == 2  # said no: nothing deleted
    monkeypatch.setattr(
        "ui.views.segments_view.QMessageBox.question",
        lambda *a, **k: QMessageBox.StandardButton.Yes,
    )
    view.delete_button.click()
    qtbot.waitUntil(lambda: view.saved.count() == 1, timeout=5000)
    # The duplicate was selected after it was made, so it is the one deleted.
    assert [s.name for s in segments.list_segments(demo_db.sessions)] == ["老客户"]


def test_matrix_cell_opens_in_the_builder(qtbot, view, demo_db):
    view.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view._matrix is not None, timeout=10000)
    cell = max(view._matrix.cells, key=lambda c: c.vehicles)
    assert cell.vehicles > 0
    button = view._matrix_buttons[(cell.years_band, cell.satisfaction_band)]
    assert f"{cell.vehicles}" in button.text().replace(",", "")
    button.click()
    assert view.tabs.currentIndex() == 0
    counted = segments.count(demo_db.sessions, view.editor.data(), DEMO_TODAY)
    assert (counted.customers, counted.vehicles) == (cell.customers, cell.vehicles)


def test_rfm_tab_shows_eight_classes(qtbot, view):
    view.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.rfm_table.rowCount() == 8, timeout=10000)
    assert view.rfm_table.item(0, 0).text() in ("重要价值", "Important value")


def test_prepared_figures_give_the_live_counts(qtbot, view, demo_db):
    """The window builds the RFM and km summaries in the background; the RFM grid and the
    km-floor matrix then show exactly what the live queries count."""
    view.prepare_summaries()
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=10000)
    with demo_db.sessions() as s:
        assert summaries.is_current(s, summaries.RFM, DEMO_TODAY, 24)
        assert summaries.is_current(s, summaries.KM, DEMO_TODAY)
    view.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.rfm_table.rowCount() == 8, timeout=10000)
    live = segments.rfm(demo_db.sessions, DEMO_TODAY, use_summary=False)
    shown = [int(view.rfm_table.item(i, 4).text().replace(",", "")) for i in range(8)]
    assert shown == [c.customers for c in live.classes] and sum(shown) > 0
    view.tabs.setCurrentIndex(1)
    view.km_floor.setValue(50_000)
    qtbot.waitUntil(lambda: view._matrix is not None and view._matrix.km_floor == 50_000,
                    timeout=10000)
    assert view._matrix == segments.matrix(demo_db.sessions, DEMO_TODAY, 50_000,
                                           use_summary=False)
    assert sum(c.vehicles for c in view._matrix.cells) > 0


def test_undo_and_redo_in_the_builder(qtbot, view):
    editor = view.editor
    start = editor.data()
    editor.add_condition.click()
    editor.value.number.setValue(7)
    changed = editor.data()
    assert changed != start
    editor.undo()
    editor.undo()
    assert editor.data() == start and not editor.undo_button.isEnabled()
    editor.redo()
    editor.redo()
    assert editor.data() == changed
