"""The window's build of a segment whose lease another PC holds (a second real process holding
it, on SQLite and PostgreSQL): its progress says it waits for that other list, as the CLI
does, and once the other PC lets go the list is built and the progress says so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from services.demo import generator as demo
from services.segments import service as segments
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.tasks import TaskRunner
from ui.views.lists_view import ListsView

SEGMENT = "5年以上车主"
# A second process holding the segment's lease as a build does, until its stdin closes.
HOLDER = """
import sys
from services.lists import building
from services.store.database import open_database
database = open_database(sys.argv[1])
with building._lease(database.engine, building._key(sys.argv[2]), None, None):
    print("held", flush=True)
    sys.stdin.read()
database.dispose()
"""


@pytest.fixture
def view(qtbot, database, monkeypatch):
    demo.generate(database, 150, seed=7, today=DEMO_TODAY)
    segments.save_segment(database.sessions, SEGMENT, {"version": 1, "where": {
        "field": "years_since_purchase", "op": ">=", "value": 5}}, purpose="sales")
    monkeypatch.setattr("ui.views.lists_view.QMessageBox.question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    runner = TaskRunner()
    widget = ListsView(database, runner)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.segment.count() > 0 and widget.callers.count() > 0,
                    timeout=10000)
    yield widget
    shut_down(widget, runner)


def test_the_window_says_it_waits_for_another_pcs_list_then_builds(qtbot, view, database):
    said: list[str] = []
    view.runner.progress.connect(lambda label, _done, _total: said.append(label))
    built: list[int] = []
    view.run_built.connect(built.append)
    url = database.engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, SEGMENT],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        view.segment.setCurrentIndex(view.segment.findData(SEGMENT))
        view.as_of.setDate(QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day))
        view.purpose.setCurrentIndex(view.purpose.findData("sales"))
        view.callers.item(0).setCheckState(Qt.CheckState.Checked)
        view.build_button.click()
        waiting = f"Another list of “{SEGMENT}” is being made right now; waiting for it to end"
        qtbot.waitUntil(lambda: waiting in said, timeout=30000)
        assert said[-1] == waiting and not view.build_button.isEnabled()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()  # the other PC's build ends
        holder.wait(timeout=60)
    qtbot.waitUntil(lambda: bool(built), timeout=60000)
    assert built[0] > 0
    # After the wait, the progress says the list is being built again.
    assert "Building the list" in said[said.index(waiting):]
