"""The main window: areas by Ctrl+1…6 shown in the navigation, focus where work starts, F1,
confirmations in the status bar, and one data_changed that keeps every area current."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDateEdit

from tests.ui.conftest import answer_when_asked
from ui.dialogs.shortcuts_dialog import ShortcutsDialog
from ui.nav_delegate import SHORTCUT_ROLE


@pytest.fixture
def window(qtbot, demo_db, demo_supervisor):
    from ui.main_window import MainWindow

    win = MainWindow(demo_db, demo_supervisor)
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(1366, 728)
    win.show()
    win.windowHandle().requestActivate()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)
    yield win
    win.runner.cancel_all()
    assert win.runner.wait(30000)
    QApplication.processEvents()  # deliver the tasks' last queued signals first
    win.close()
    shiboken6.delete(win)


def test_each_area_shows_its_shortcut_and_opens_with_it(qtbot, window):
    nav = window._nav
    assert [nav.item(i).data(SHORTCUT_ROLE) for i in range(nav.count())] == [
        f"Ctrl+{n}" for n in range(1, nav.count() + 1)
    ]
    for n in range(nav.count(), 0, -1):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + n), Qt.KeyboardModifier.ControlModifier)
        assert nav.currentRow() == n - 1
        assert window._pages.currentIndex() == n - 1


def test_focus_lands_on_the_first_useful_control(qtbot, window):
    expected = {
        0: window.customers.search,
        1: window.segments.editor.tree,  # no saved segments yet: the conditions
        2: window.lists.segment,
        window._pages.indexOf(window.settings): window.settings.language,
    }
    for area, widget in expected.items():
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + area), Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda w=widget: QApplication.focusWidget() is w, timeout=2000)
        assert not isinstance(QApplication.focusWidget(), QDateEdit)


def test_f1_lists_the_shortcuts(qtbot, window, monkeypatch):
    shown = []

    def record(dialog):
        shown.append([dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())])
        return 0

    monkeypatch.setattr(ShortcutsDialog, "exec", record)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert shown and any(window.area_titles()[3] in text for text in shown[0])
    assert len(shown[0]) >= len(window.area_titles()) + 4


def test_a_notice_shows_in_the_status_bar_with_its_action(qtbot, window):
    clicked = []
    window.runner.notify("Saved 名单.xlsx", actions=(("Open folder", lambda: clicked.append(1)),))
    assert window.notice.isVisible()
    assert "名单.xlsx" in window.notice.text.text()
    buttons = window.notice._buttons
    assert [b.text() for b in buttons] == ["Open folder"]
    buttons[0].click()
    assert clicked == [1]


def test_areas_follow_each_others_writes_through_data_changed(qtbot, window, monkeypatch):
    from ui.tasks import changed

    refreshed: list[str] = []
    monkeypatch.setattr(window.followups, "refresh", lambda: refreshed.append("queue"))
    monkeypatch.setattr(
        window.customers.model, "refresh_rows", lambda: refreshed.append("customers")
    )
    segments_view = window.segments
    segments_view.editor.set_data({"version": 1, "where": None})
    segments_view.name.setText("全部客户")
    segments_view.save()
    qtbot.waitUntil(lambda: window.lists.segment.findText("全部客户") >= 0, timeout=10000)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10000)
    assert refreshed == []  # a segment is neither a call nor a list
    window.runner.announce(changed("lists"))
    assert refreshed == ["queue"]
    window.runner.announce(changed("contacts", customer=1))
    assert sorted(refreshed[1:]) == ["customers", "queue"]


def _close(win) -> None:
    """End a window a test made, once its background work stopped."""
    win.runner.cancel_all()
    assert win.runner.wait(30000)
    QApplication.processEvents()
    win.close()
    shiboken6.delete(win)


def test_an_empty_databases_first_steps_open_their_areas(qtbot, database, supervisor):
    from ui.main_window import MainWindow

    win = MainWindow(database, supervisor)
    win.show()
    try:
        steps = win.customers.first_steps
        qtbot.waitUntil(steps.isVisible, timeout=10000)
        steps.import_button.click()
        assert win._pages.currentWidget() is win.imports
        steps.settings_button.click()
        assert win._pages.currentWidget() is win.settings
    finally:
        _close(win)


def test_a_filled_list_chosen_under_import_is_read_back_under_lists(qtbot, database,
                                                                    supervisor, tmp_path):
    import openpyxl

    from services.lists import runs
    from services.outputs import excel
    from tests.services.test_lists_runs import _run, setup
    from ui.main_window import MainWindow

    setup(database)
    doc = runs.load_document(database.sessions, _run(database).run_id)
    path = excel.write_list(doc, "call", tmp_path / "第48周回访.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.cell(2, [c.value for c in sheet[1]].index("结果") + 1, "接通")
    book.save(path)
    win = MainWindow(database, supervisor)
    win.show()
    try:
        win.open_area("imports")
        imports = win.imports
        # Imported anyway when the user says so: on to the file's sheet, as any file.
        answer_when_asked("&Import it anyway")
        with qtbot.waitSignal(imports.preview_loaded, timeout=30000):
            imports.use_file(str(path))
        assert imports.preview is not None and imports.path == str(path)
        # Read back, as the question proposes: under Lists → Past runs, the wizard emptied.
        answer_when_asked("&Read it back")
        with qtbot.waitSignal(win.lists.read_back.read_done, timeout=30000) as done:
            imports.use_file(str(path))
        assert done.args[0].stored == 1
        assert win._pages.currentWidget() is win.lists and win.lists.tabs.currentIndex() == 1
        assert imports.path == "" and imports.preview is None
    finally:
        _close(win)


def test_the_status_bar_says_where_the_data_is_without_its_address(window, demo_db):
    """Staff read "this PC" and the file's name; the whole path is the tooltip. The URL's
    scheme (sqlite:///) is not shown."""
    from models import db

    path = db.sqlite_path(demo_db.url)
    assert path is not None
    assert window.place.text() == f"This PC: {path.name}"
    assert window.place.toolTip() == str(path)
    assert "sqlite:" not in window.place.text() + window.place.toolTip()


@pytest.mark.parametrize(("url", "short", "full"), [
    ("postgresql+psycopg://revisit:secret@10.0.0.5:5433/dealer", "Shared server: 10.0.0.5",
     "Shared server: 10.0.0.5:5433 / dealer"),
    ("postgresql://u@db.local/revisit", "Shared server: db.local",
     "Shared server: db.local / revisit"),
    ("sqlite://", "In memory (nothing is kept)", ""),
])
def test_a_server_is_named_by_host_and_database_never_by_its_password(url, short, full):
    from ui.labels import database_place

    assert database_place(url) == (short, full)
    assert "secret" not in "".join(database_place(url))
