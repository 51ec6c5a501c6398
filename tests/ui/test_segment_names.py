"""A segment's new name is never lost when its save fails: a name a colleague took meanwhile,
or a database refusing every write, is said in one sentence and the name dialog comes back as
typed; a rename a colleague's change overtook asks again with the name typed once the segment
is reloaded. Real widgets, a real SQLite file, the colleague's changes through the service on
a second connection as their PC makes them."""

from __future__ import annotations

import pytest

from services.segments import service as segments
from services.segments import spec
from services.store.database import open_database
from tests.ui.conftest import DEMO_TODAY, shut_down
from tests.ui.refusing import RefusingWrites
from tests.ui.stale_answers import answer_stale
from ui.dialogs.name_dialog import NameDialog
from ui.tasks import TaskRunner, error_text
from ui.views.segments_view import SegmentsView

MINE = {"version": 1, "where": {"and": [
    {"field": "years_since_purchase", "op": ">=", "value": 5}]}}
THEIRS = {"version": 1, "where": {"and": [
    {"field": "years_since_purchase", "op": ">=", "value": 8}]}}


@pytest.fixture
def view(qtbot, demo_db):
    """The builder with the segment 老客户 (MINE) open."""
    segments.save_segment(demo_db.sessions, "老客户", MINE)
    runner = TaskRunner()
    widget = SegmentsView(demo_db, runner)
    qtbot.addWidget(widget)
    widget.as_of.setDate(DEMO_TODAY)
    widget.show()
    widget.reload_list("老客户")
    qtbot.waitUntil(lambda: widget._current_name == "老客户", timeout=5000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    yield widget
    shut_down(widget, runner)


@pytest.fixture
def other_pc(demo_db):
    other = open_database(demo_db.url)
    yield other
    other.dispose()


@pytest.fixture
def said(monkeypatch) -> list[str]:
    """The sentences of the error messages shown."""
    shown: list[str] = []
    monkeypatch.setattr("ui.tasks.show_error", lambda _parent, exc: shown.append(error_text(exc)))
    return shown


def _type(dialog: NameDialog, text: str) -> None:
    dialog.name.selectAll()
    dialog.name.insert(text)


def _names(database) -> list[str]:
    return [s.name for s in segments.list_segments(database.sessions)]


def _filter_of(database, name: str) -> dict:
    return spec.to_data(segments.get_segment(database.sessions, name).filter)


def test_a_name_a_colleague_took_meanwhile_is_said_then_asked_again_as_typed(
        qtbot, view, demo_db, other_pc, said, monkeypatch):
    opened: list[tuple[str, str]] = []
    stored_on_reopening: list[list[str]] = []

    def exec_(dialog: NameDialog) -> int:
        opened.append((dialog.windowTitle(), dialog.name.text()))
        if len(opened) == 1:
            _type(dialog, "忠诚客户")
            segments.save_segment(other_pc.sessions, "忠诚客户", THEIRS)  # another PC, now
        else:
            stored_on_reopening.append(_names(demo_db))
            _type(dialog, "忠诚老客户")
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", exec_)
    view.rename_button.click()
    qtbot.waitUntil(lambda: view._current_name == "忠诚老客户", timeout=10000)
    assert said == ["A segment named '忠诚客户' already exists."]
    assert opened == [("Rename segment", "老客户"), ("Rename segment", "忠诚客户")]
    assert stored_on_reopening == [["忠诚客户", "老客户"]]  # nothing of the refused rename
    assert _names(demo_db) == ["忠诚客户", "忠诚老客户"]
    assert _filter_of(demo_db, "忠诚客户") == _filter_of(other_pc, "忠诚客户") == \
        spec.to_data(spec.parse(THEIRS))  # theirs untouched
    assert _filter_of(demo_db, "忠诚老客户") == spec.to_data(spec.parse(MINE))
    assert view.name.text() == "忠诚老客户"


def test_a_copy_the_database_refuses_is_asked_again_as_typed(qtbot, view, demo_db, said,
                                                             monkeypatch):
    refusing = RefusingWrites(demo_db)
    opened: list[str] = []
    stored_on_reopening: list[list[str]] = []

    def exec_(dialog: NameDialog) -> int:
        opened.append(dialog.name.text())
        if len(opened) == 1:
            _type(dialog, "老客户 备份")
            refusing.on()  # the file turns read-only while the dialog is open
        else:
            stored_on_reopening.append(_names(demo_db))
            refusing.off()  # put right: the same OK again
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", exec_)
    try:
        view.duplicate_button.click()
        qtbot.waitUntil(lambda: view._current_name == "老客户 备份", timeout=10000)
    finally:
        refusing.off()
    assert len(said) == 1 and "read-only" in said[0]
    assert opened == ["老客户 (copy)", "老客户 备份"]
    assert stored_on_reopening == [["老客户"]]
    assert _names(demo_db) == ["老客户", "老客户 备份"]
    assert _filter_of(demo_db, "老客户 备份") == _filter_of(demo_db, "老客户")


def _colleague_changes_the_filter(other_pc) -> None:
    info = segments.get_segment(other_pc.sessions, "老客户").info
    segments.save_segment(other_pc.sessions, "老客户", THEIRS, replace=True,
                          expected_version=info.version, segment_id=info.id)


def test_a_rename_a_colleague_overtook_is_asked_again_after_reload(qtbot, view, demo_db,
                                                                  other_pc, said, monkeypatch):
    shown = answer_stale(monkeypatch, "Reload")
    opened: list[str] = []

    def exec_(dialog: NameDialog) -> int:
        opened.append(dialog.name.text())
        if len(opened) == 1:
            _type(dialog, "忠诚客户")
            _colleague_changes_the_filter(other_pc)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", exec_)
    view.rename_button.click()
    qtbot.waitUntil(lambda: view._current_name == "忠诚客户", timeout=10000)
    assert said == []
    assert len(shown) == 1 and "老客户" in shown[0][0]
    assert "asks for the new name again as you typed it" in shown[0][1]
    assert opened == ["老客户", "忠诚客户"]
    assert _names(demo_db) == ["忠诚客户"]
    assert _filter_of(demo_db, "忠诚客户") == spec.to_data(spec.parse(THEIRS))  # their change
    assert view.editor.data() == spec.to_data(spec.parse(THEIRS))  # shown as reloaded
    assert segments.get_segment(demo_db.sessions, "忠诚客户").info.version == 3


def test_cancel_after_an_overtaken_rename_stores_nothing_of_mine(qtbot, view, demo_db,
                                                                other_pc, monkeypatch):
    shown = answer_stale(monkeypatch, "Cancel")
    opened: list[str] = []

    def exec_(dialog: NameDialog) -> int:
        opened.append(dialog.name.text())
        _type(dialog, "忠诚客户")
        _colleague_changes_the_filter(other_pc)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", exec_)
    view.rename_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    qtbot.wait(300)
    assert opened == ["老客户"]  # not asked again: Cancel was said to drop it
    assert _names(demo_db) == ["老客户"]
    assert _filter_of(demo_db, "老客户") == spec.to_data(spec.parse(THEIRS))
