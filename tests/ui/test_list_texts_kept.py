"""An old run opened in the window keeps the WeChat message (and SMS text) its files were
written with: saving its WeChat list again writes that message, not the default greeting — on
SQLite and PostgreSQL."""

from __future__ import annotations

import openpyxl
import pytest

from services.demo import generator as demo
from services.lists import build, runs
from services.outputs import run_files, wechat
from services.segments import service as segments
from services.store.settings import load_settings
from tests.ui.conftest import DEMO_TODAY, shut_down
from tests.ui.test_list_files import confirmed_save
from ui.tasks import TaskRunner
from ui.views.lists_view import ListsView

CUSTOM = "{称呼}好，{店名}冬季免费检测本周末开始，欢迎到店。"
SMS_TEXT = "{称呼}您好，{店名}冬季免费检测本周末开始。"


@pytest.fixture
def built(database) -> int:
    """A run of WeChat and SMS members whose files were written with their own texts."""
    demo.generate(database, 150, seed=7, today=DEMO_TODAY)
    segments.save_segment(database.sessions, "全部", {"version": 1}, purpose="care")
    run_id = build.build_run(database.sessions, "全部", build.RunOptions(as_of=DEMO_TODAY)
                             ).run_id
    runs.finish_run(database.sessions, run_id)
    return run_id


def test_an_old_runs_wechat_list_is_saved_again_with_its_own_message(
        qtbot, database, built, tmp_path, monkeypatch):
    doc = runs.load_document(database.sessions, built)
    st = load_settings(database.sessions)
    assert doc.of_channel("wechat")
    for request in (run_files.FileRequest(run_files.WECHAT_LIST, tmp_path / "first.xlsx",
                                          message=CUSTOM),
                    run_files.FileRequest(run_files.SMS_FILE, tmp_path / "first-sms.xlsx",
                                          sms_text=SMS_TEXT)):
        run_files.write_run_file(doc, request, st, sessions=database.sessions)
    runner = TaskRunner()
    view = ListsView(database, runner)
    qtbot.addWidget(view)
    try:
        with qtbot.waitSignal(view.run_built, timeout=30000):
            view.open_run(built)
        panel = view.outputs
        assert panel.wechat_text.toPlainText() == CUSTOM
        assert panel.sms_text.toPlainText() == SMS_TEXT
        again = tmp_path / "again" / "wechat.xlsx"
        confirmed_save(qtbot, monkeypatch, panel, panel.save_wechat, again)
        first = list(openpyxl.load_workbook(tmp_path / "first.xlsx").active
                     .iter_rows(values_only=True))
        second = list(openpyxl.load_workbook(again).active.iter_rows(values_only=True))
        assert second == first and "冬季免费检测本周末开始" in str(second[1])
        assert run_files.run_texts(database.sessions, built).message == CUSTOM
        # A run whose WeChat list was never written shows the default greeting.
        other = build.build_run(database.sessions, "全部", build.RunOptions(
            as_of=DEMO_TODAY, purpose="sales")).run_id
        with qtbot.waitSignal(view.run_built, timeout=30000):
            view.open_run(other)
        assert panel.wechat_text.toPlainText() == wechat.DEFAULT_MESSAGE
    finally:
        shut_down(view, runner)
