"""The segment builder and template grids driven through their widgets on a real database."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from services.segments import service as segments
from services.segments import summaries
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.dialogs.name_dialog import NameDialog
from ui.tasks import TaskRunner
from ui.views.segments_view import SegmentsView


@pytest.fixture
def view(qtbot, demo_db):
    runner = TaskRunner()
    widget = SegmentsView(demo_db, runner)
    qtbot.addWidget(widget)
    widget.as_of.setDate(DEMO_TODAY)
    widget.show()
    qtbot.waitUntil(lambda: widget._clean is not None, timeout=5000)  # the first list came
    yield widget
    shut_down(widget, runner)


def _open(qtbot, view, name: str) -> None:
    """Reload the saved list and open `name`, as after saving it elsewhere."""
    view.reload_list(name)
    qtbot.waitUntil(lambda: view._current_name == name, timeout=5000)


def _name(monkeypatch, text: str) -> None:
    """The next name dialog is answered by typing `text` and pressing OK."""

    def fill(dialog: NameDialog) -> int:
        dialog.name.selectAll()
        dialog.name.insert(text)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", fill)


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


def test_a_companys_long_name_does_not_push_the_plate_off_the_preview(qtbot, view, demo_db):
    from models import Customer
    from ui.views.segments_view import PREVIEW_NAME
    from ui.widgets import name_room

    with demo_db.sessions.begin() as s:
        s.add(Customer(code="CX1", name="宁波市新锐信息技术股份有限公司（宋辰燕）"))
        s.add(Customer(code="CX2", name="宁波市甲"))
    view.editor.set_data({"version": 1, "where": {"and": [
        {"field": "name", "op": "starts_with", "value": "宁波市"}]}})
    view.refresh_count()
    qtbot.waitUntil(lambda: view.preview.rowCount() == 2, timeout=10000)
    names = [view.preview.item(r, PREVIEW_NAME) for r in range(view.preview.rowCount())]
    assert any(len(item.text()) > 10 for item in names)  # 宁波市…有限公司（宋辰燕）
    room = name_room(view.preview)
    assert view.preview.horizontalHeader().sectionSize(PREVIEW_NAME) == room
    assert all(item.toolTip() == item.text() for item in names)  # whole in the tooltip
    # Short names again: the column fits them, no wider.
    view.editor.set_data({"version": 1, "where": {"and": [
        {"field": "name", "op": "starts_with", "value": "张"}]}})
    view.refresh_count()
    qtbot.waitUntil(lambda: view.preview.rowCount() > 0 and all(
        len(view.preview.item(r, PREVIEW_NAME).text()) <= 4
        for r in range(view.preview.rowCount())), timeout=10000)
    qtbot.waitUntil(
        lambda: view.preview.horizontalHeader().sectionSize(PREVIEW_NAME) < room, timeout=5000)


def test_invalid_filter_names_the_problem(qtbot, view):
    view.editor.set_data(
        {
            "version": 1,
            "where": {"and": [{"field": "years_since_purchase", "op": "between", "value": [7, 5]}]},
        }
    )
    view.refresh_count()
    assert "low end is above the high end" in view.problem.text()
    # Named as the builder shows it, not by the filter's JSON path (where.and[0].value).
    assert view.problem.text().startswith("The value of the condition “Years since purchase”:")
    assert "where" not in view.problem.text()


def test_a_condition_with_no_value_chosen_says_so_and_previews_no_one(qtbot, view):
    """A tag condition just chosen said '"has_any" takes a non-empty list', beside the
    members of the condition before, as if they were its."""
    view.editor.set_data({"version": 1, "where": {
        "and": [{"field": "years_since_purchase", "op": ">=", "value": 6}]}})
    view.refresh_count()
    qtbot.waitUntil(lambda: view.preview.rowCount() > 0, timeout=10000)
    view.editor.set_data({"version": 1, "where": {
        "and": [{"field": "tags", "op": "has_any", "value": []}]}})
    view.refresh_count()
    assert view.problem.text().endswith("choose at least one value.")
    assert "has_any" not in view.problem.text()
    assert view.preview.rowCount() == 0 and view.count.text() == "—"


def test_rename_duplicate_delete(qtbot, view, demo_db, monkeypatch):
    segments.save_segment(demo_db.sessions, "老客户", {"version": 1, "where": None})
    _open(qtbot, view, "老客户")
    assert view._current_name == "老客户"
    _name(monkeypatch, "老客户（复制）")
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
    view.tabs.setCurrentWidget(view.matrix_tab)
    qtbot.waitUntil(lambda: view.matrix_tab.result is not None, timeout=10000)
    cell = max(view.matrix_tab.result.cells, key=lambda c: c.vehicles)
    assert cell.vehicles > 0
    button = view.matrix_tab.buttons[(cell.years_band, cell.satisfaction_band)]
    assert f"{cell.vehicles}" in button.text().replace(",", "")
    button.click()
    assert view.tabs.currentIndex() == 0
    counted = segments.count(demo_db.sessions, view.editor.data(), DEMO_TODAY)
    assert (counted.customers, counted.vehicles) == (cell.customers, cell.vehicles)


SERVICE_KEYS = {"service.maintenance_due", "service.declined_due", "referral.best",
                "referral.thanks", "referral.ask"}


def test_every_template_is_offered_in_the_window(qtbot, view):
    """The service reminders and referral lists the CLI offers have buttons, next to the
    builder; with the other tabs, every template of the catalog is in the window."""
    assert view.tabs.widget(1) is view.service_tab
    assert set(view.service_tab.buttons) == SERVICE_KEYS
    families = {"matrix", "rfm", "lifecycle", "due"}  # the other tabs' grids
    assert {t.key for t in segments.template_segments()} == SERVICE_KEYS | {
        t.key for t in segments.template_segments() if t.key.split(".")[0] in families}


def test_service_buttons_count_in_the_background_and_open_in_the_builder(qtbot, view, demo_db,
                                                                         monkeypatch):
    asked = []
    real_run = view.runner.run
    monkeypatch.setattr(view.runner, "run", lambda work, **kw: (
        asked.append(kw.get("latest")), real_run(work, **kw))[1])
    view.tabs.setCurrentWidget(view.service_tab)
    assert asked == [f"segments-template-{k}" for k in view.service_tab.buttons]
    qtbot.waitUntil(lambda: len(view.service_tab.counts) == len(SERVICE_KEYS), timeout=10000)
    for key, button in view.service_tab.buttons.items():
        template = segments.find_template(key)
        expected = segments.count(demo_db.sessions, template.filter, DEMO_TODAY)
        assert view.service_tab.counts[key] == expected
        assert button.text().split("\n")[0] in (template.zh, template.en)
        assert f"{expected.customers:,}" in button.text()
    due = segments.count(demo_db.sessions,
                         segments.find_template("service.maintenance_due").filter, DEMO_TODAY)
    assert due.customers > 0 and f"{due.vehicles:,}" in view.service_tab.buttons[
        "service.maintenance_due"].text()

    view.service_tab.buttons["service.maintenance_due"].click()
    assert view.tabs.currentIndex() == 0
    assert view.name.text() in ("30天内保养到期（含逾期180天内）",
                                "Maintenance due within 30 days (or overdue up to 180 days)")
    assert segments.count(demo_db.sessions, view.editor.data(), DEMO_TODAY) == due
    view.save_button.click()  # saved as an ordinary segment under the template's name
    qtbot.waitUntil(lambda: view.saved.count() == 1, timeout=5000)
    assert segments.list_segments(demo_db.sessions)[0].name == view.name.text()


def test_rfm_tab_shows_eight_classes(qtbot, view):
    view.tabs.setCurrentWidget(view.rfm_tab)
    qtbot.waitUntil(lambda: view.rfm_tab.table.rowCount() == 8, timeout=10000)
    assert view.rfm_tab.table.item(0, 0).text() in ("重要价值", "Important value")


def test_prepared_figures_give_the_live_counts(qtbot, view, demo_db):
    """The window builds the RFM and km summaries in the background; the RFM grid and the
    km-floor matrix then show exactly what the live queries count."""
    view.prepare_summaries()
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=10000)
    with demo_db.sessions() as s:
        assert summaries.is_current(s, summaries.RFM, DEMO_TODAY, 24)
        assert summaries.is_current(s, summaries.KM, DEMO_TODAY)
    view.tabs.setCurrentWidget(view.rfm_tab)
    qtbot.waitUntil(lambda: view.rfm_tab.table.rowCount() == 8, timeout=10000)
    live = segments.rfm(demo_db.sessions, DEMO_TODAY, use_summary=False)
    shown = [int(view.rfm_tab.table.item(i, 4).text().replace(",", "")) for i in range(8)]
    assert shown == [c.customers for c in live.classes] and sum(shown) > 0
    view.tabs.setCurrentWidget(view.matrix_tab)
    view.matrix_tab.km_floor.setValue(50_000)
    qtbot.waitUntil(lambda: view.matrix_tab.result is not None
                    and view.matrix_tab.result.km_floor == 50_000, timeout=10000)
    assert view.matrix_tab.result == segments.matrix(demo_db.sessions, DEMO_TODAY, 50_000,
                                                     use_summary=False)
    assert sum(c.vehicles for c in view.matrix_tab.result.cells) > 0


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


def _answer(monkeypatch, button):
    """Answer the view's questions with `button`; returns the texts asked."""
    asked: list[str] = []

    def question(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return button

    monkeypatch.setattr("ui.views.segments_view.QMessageBox.question", question)
    return asked


def _row(view, name: str) -> int:
    return [view.saved.item(i).text() for i in range(view.saved.count())].index(name)


def _edit(view, years=6):
    editor = view.editor
    editor.add_condition.click()
    editor.field.setCurrentIndex(editor.field.findData("years_since_purchase"))
    editor.op.setCurrentIndex(editor.op.findData(">="))
    editor.value.number.setValue(years)


def test_every_segment_write_is_confirmed_in_the_status_bar(qtbot, view, demo_db, monkeypatch):
    changes = []
    view.runner.data_changed.connect(changes.append)
    _edit(view)
    view.name.setText("6年以上车主")
    with qtbot.waitSignal(view.runner.notice, timeout=5000) as notice:
        view.save_button.click()
    assert notice.args[0].text == "Segment “6年以上车主” saved"
    assert not view.is_dirty() and view._current_name == "6年以上车主"
    qtbot.waitUntil(view.rename_button.isEnabled, timeout=5000)  # the list came back
    _name(monkeypatch, "6年以上")
    with qtbot.waitSignal(view.runner.notice, timeout=5000) as notice:
        view.rename_button.click()
    assert notice.args[0].text == "Segment renamed to “6年以上”"
    qtbot.waitUntil(lambda: view.saved.currentItem() is not None
                    and view.saved.currentItem().text() == "6年以上", timeout=5000)
    assert view.name.text() == "6年以上"
    _name(monkeypatch, "6年以上 副本")
    with qtbot.waitSignal(view.runner.notice, timeout=5000) as notice:
        view.duplicate_button.click()
    assert notice.args[0].text == "Copy saved as “6年以上 副本”"
    _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(view.runner.notice, timeout=5000) as notice:
        view.delete_button.click()
    assert notice.args[0].text == "Segment “6年以上 副本” deleted"
    assert [s.name for s in segments.list_segments(demo_db.sessions)] == ["6年以上"]
    assert len(changes) == 4 and all(c.touches("segments") for c in changes)


def test_matrix_cell_asks_before_replacing_unsaved_conditions(qtbot, view, monkeypatch):
    _edit(view, years=7)
    edited = view.editor.data()
    view.tabs.setCurrentWidget(view.matrix_tab)
    qtbot.waitUntil(lambda: view.matrix_tab.result is not None, timeout=10000)
    cell = max(view.matrix_tab.result.cells, key=lambda c: c.vehicles)
    button = view.matrix_tab.buttons[(cell.years_band, cell.satisfaction_band)]

    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    button.click()
    assert len(asked) == 1 and "not saved" in asked[0]
    # kept, not replaced
    assert view.editor.data() == edited and view.tabs.currentWidget() is view.matrix_tab

    asked = _answer(monkeypatch, QMessageBox.StandardButton.Discard)
    button.click()
    assert len(asked) == 1 and view.tabs.currentIndex() == 0
    assert view.editor.data() == view._clean != edited and not view.is_dirty()
    assert view.name.text() in (cell.label_zh, cell.label_en)

    # Nothing changed since: the next cell opens without a question.
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    view.matrix_tab.open_cell(cell.years_band, cell.satisfaction_band)
    assert asked == []


def test_new_asks_when_conditions_are_unsaved(qtbot, view, monkeypatch):
    _edit(view)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    view.new_button.click()
    assert len(asked) == 1 and view.is_dirty()
    _answer(monkeypatch, QMessageBox.StandardButton.Discard)
    view.new_button.click()
    assert view.editor.data()["where"] == {"and": []} and not view.is_dirty()


def test_choosing_another_segment_asks_and_can_save_first(qtbot, view, demo_db, monkeypatch):
    segments.save_segment(demo_db.sessions, "甲", {"version": 1, "where": None})
    segments.save_segment(demo_db.sessions, "乙", {"version": 1, "where": None})
    _open(qtbot, view, "甲")
    assert view._current_name == "甲" and not view.is_dirty()
    _edit(view, years=8)
    edited = view.editor.data()

    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    view.saved.setCurrentRow(_row(view, "乙"))
    assert len(asked) == 1 and "“甲”" in asked[0]
    assert view._current_name == "甲" and view.editor.data() == edited
    assert view.saved.currentItem().text() == "甲"  # the list shows what is being edited

    _answer(monkeypatch, QMessageBox.StandardButton.Save)
    view.saved.setCurrentRow(_row(view, "乙"))
    qtbot.waitUntil(lambda: view._current_name == "乙", timeout=5000)
    stored = segments.get_segment(demo_db.sessions, "甲")
    assert segments.count(demo_db.sessions, stored.filter, DEMO_TODAY) == segments.count(
        demo_db.sessions, edited, DEMO_TODAY
    )
    assert not view.is_dirty() and view.saved.currentItem().text() == "乙"


def test_switching_without_changes_asks_nothing(qtbot, view, demo_db, monkeypatch):
    segments.save_segment(demo_db.sessions, "甲", {"version": 1, "where": None})
    segments.save_segment(demo_db.sessions, "乙", {"version": 1, "where": None})
    _open(qtbot, view, "甲")
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    view.saved.setCurrentRow(_row(view, "乙"))
    qtbot.waitUntil(lambda: view._current_name == "乙", timeout=5000)
    assert asked == []


def test_save_first_without_a_name_shows_why_and_keeps_the_conditions(qtbot, view, monkeypatch):
    _edit(view, years=9)
    edited = view.editor.data()
    view.tabs.setCurrentWidget(view.matrix_tab)
    qtbot.waitUntil(lambda: view.matrix_tab.result is not None, timeout=10000)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Save)
    cell = view.matrix_tab.result.cells[0]
    view.matrix_tab.open_cell(cell.years_band, cell.satisfaction_band)
    assert len(asked) == 1 and segments.list_segments(view.database.sessions) == ()
    assert view.tabs.currentIndex() == 0 and "name" in view.problem.text()
    assert view.editor.data() == edited and view.name.text() == ""


def test_count_and_preview_compile_the_filter_once(qtbot, view, demo_db, monkeypatch):
    from services.segments import compiler

    qtbot.waitUntil(lambda: not view.runner.busy, timeout=10000)
    compiled = []

    def counting(*args, **kwargs):
        compiled.append(args[0])
        return compiler.compile_filter(*args, **kwargs)

    monkeypatch.setattr("services.segments.service.compile_filter", counting)
    _edit(view)
    view._count_timer.stop()  # the edits' own delayed count: asked here instead
    view.refresh_count()
    qtbot.waitUntil(lambda: not view.runner.busy and view.preview.rowCount() > 0, timeout=10000)
    assert len(compiled) == 1
    expected = segments.count(demo_db.sessions, view.editor.data(), DEMO_TODAY)
    assert str(expected.customers) in view.count.text().replace(",", "")
    assert view.preview.rowCount() == min(200, expected.vehicles)


def test_questions_that_may_rebuild_a_summary_run_as_writes(qtbot, view, monkeypatch):
    asked = []
    view._count_timer.stop()
    monkeypatch.setattr(view.runner, "run", lambda work, **kw: asked.append(
        (kw.get("label"), kw.get("write", False))))
    view.prepare_summaries()
    view.rfm_tab.refresh()
    view.matrix_tab.km_floor.setValue(50_000)  # the matrix with a km floor reads the km summary
    view.matrix_tab.km_floor.setValue(0)  # without one it asks the live query only: a read
    view.groups_tab.refresh()
    view.refresh_count()
    assert [write for _label, write in asked] == [True, True, True, False, False, False]


def test_an_imported_segment_is_announced(qtbot, view, tmp_path, monkeypatch):
    path = tmp_path / "seg.json"
    path.write_text('{"name": "导入的", "filter": {"version": 1, "where": null}}',
                    encoding="utf-8")
    monkeypatch.setattr("ui.views.segments_view.ask_open_path", lambda *a, **k: str(path))
    with qtbot.waitSignal(view.runner.data_changed, timeout=5000) as change:
        view._on_import()
    assert change.args[0].touches("segments")
    qtbot.waitUntil(lambda: view.saved.count() == 1, timeout=5000)


def test_a_filter_on_the_customer_alone_previews_each_members_cars(qtbot, view, demo_db):
    """With no condition on a car, the preview shows each member's car as the customer list
    does (the one they drive now, "+N" for the others they own), not two empty columns nor
    the first car ever stored."""
    from services.customers import search

    qtbot.waitUntil(lambda: not view.runner.busy and view.preview.rowCount() > 0, timeout=10000)
    listed = {row.code: row for row in search.fetch_rows(
        demo_db.engine.connect, view._preview_ids)}
    shown = {view.preview.item(r, 0).text(): (view.preview.item(r, 3).text(),
                                               view.preview.item(r, 4).text())
             for r in range(view.preview.rowCount())}
    assert set(shown) == set(listed)
    assert any(row.vehicles > 1 for row in listed.values())
    for code, (model, plate) in shown.items():
        row = listed[code]
        more = f" +{row.vehicles - 1}" if row.vehicles > 1 else ""
        assert (model, plate) == (row.first_model or "", f"{row.first_plate or ''}{more}".strip())


def test_a_segment_is_exported_under_a_name_every_pc_can_save(qtbot, view, tmp_path,
                                                            monkeypatch):
    path = tmp_path / "seg.json"
    path.write_text('{"name": "2026/12: 老客户", "filter": {"version": 1, "where": null}}',
                    encoding="utf-8")
    monkeypatch.setattr("ui.views.segments_view.ask_open_path", lambda *a, **k: str(path))
    view._on_import()
    qtbot.waitUntil(lambda: view.saved.count() == 1, timeout=5000)
    view.saved.setCurrentRow(0)
    qtbot.waitUntil(lambda: view.export_button.isEnabled(), timeout=5000)
    proposed: list[str] = []
    monkeypatch.setattr("ui.views.segments_view.ask_save_path",
                        lambda _parent, _kind, name, *_rest: proposed.append(name) or "")
    view.export_button.click()
    assert proposed == ["2026_12_ 老客户.json"]


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_template_saved_under_its_key_reads_with_its_name(qtbot, view, demo_db, translated):
    # As `segment save-template matrix.7+.high` saves it: under the key, which alone tells
    # staff nothing.
    template = segments.find_template("matrix.7+.high")
    segments.save_template(demo_db.sessions, "matrix.7+.high")
    view.reload_list()
    qtbot.waitUntil(lambda: view.saved.count() == 1, timeout=5000)
    shown = view.saved.item(0).text()
    assert shown == (template.zh if translated == "zh_CN" else template.en)
    view.saved.setCurrentRow(0)  # chosen by what it reads, opened by its name
    qtbot.waitUntil(lambda: view._current_name == "matrix.7+.high", timeout=5000)
    assert view.name.text() == "matrix.7+.high" and not view.is_dirty()
