"""Undoing a read-back in 名单's read-back area, as a supervisor would: the past read-backs are
listed with their file and counts, the undo asks first, takes back what the read stored, and
says so; a caller sees others' reads but cannot undo them. On SQLite and PostgreSQL."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from models import ContactEvent, StaffUser
from services.lists import outcomes
from services.staff.permissions import Actor
from tests.services.test_list_outcomes_rows import TODAY, _fill
from tests.services.test_list_outcomes_rows import listed as listed
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.list_readback import ReadBackPanel
from ui.views.readback_history import COL_CORRECTED, COL_FILE, COL_STORED


def _read_contacts(database) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(ContactEvent).where(
            ContactEvent.source_key.like("list:%")))


def _actor(database, username: str, role: str) -> Actor:
    with database.sessions() as s:
        who = s.scalars(select(StaffUser).where(StaffUser.username == username)).one()
        return Actor(who.id, who.username, role, who.display_name)


def _panel(qtbot, database, actor) -> tuple[ReadBackPanel, TaskRunner]:
    runner = TaskRunner()
    panel = ReadBackPanel(database, runner, actor=actor)
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    panel.show()
    return panel, runner


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_supervisor_undoes_a_read_back_after_confirming(qtbot, listed, translated,
                                                         monkeypatch, tmp_path):
    database, path, col = listed
    boss = _actor(database, "chenli", "supervisor")
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "无人接听", (4, "结果"): "预约成功"})
    outcomes.read_outcomes(database.sessions, path, actor=boss, today=TODAY)
    assert _read_contacts(database) == 3
    panel, runner = _panel(qtbot, database, boss)
    try:
        assert panel.history_button.text() == "往次读回(&P)…"
        qtbot.mouseClick(panel.history_button, Qt.MouseButton.LeftButton)
        dialog = panel.history
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=30000)
        assert dialog.table.item(0, COL_FILE).text() == path.name
        assert dialog.table.item(0, COL_STORED).text() == "3"
        assert dialog.undo_button.isEnabled()
        dialog.grab().save(str(tmp_path / "readbacks.png"))
        asked = []
        # Cancel first: nothing is taken back.
        monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *_a: (
            asked.append(text), QMessageBox.StandardButton.Cancel)[1])
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
        assert len(asked) == 1 and path.name in asked[0] and "3" in asked[0]
        assert _read_contacts(database) == 3
        monkeypatch.setattr(QMessageBox, "question",
                            lambda *_a: QMessageBox.StandardButton.Yes)
        with qtbot.waitSignal(dialog.undone, timeout=30000):
            qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
        assert _read_contacts(database) == 0
        assert "3" in dialog.status.text()
        qtbot.waitUntil(lambda: "撤销" in dialog.table.item(0, COL_FILE).text(), timeout=30000)
        assert not dialog.undo_button.isEnabled()
    finally:
        shut_down(panel, runner)


@pytest.mark.parametrize("translated", ["en"], indirect=True)
def test_a_caller_cannot_undo_another_persons_read(qtbot, listed, translated):
    database, path, col = listed
    boss = _actor(database, "chenli", "supervisor")
    caller = _actor(database, "liuyang", "clerk")
    _fill(path, col, {(2, "结果"): "接通"})
    outcomes.read_outcomes(database.sessions, path, actor=boss, today=TODAY)
    panel, runner = _panel(qtbot, database, caller)
    try:
        qtbot.mouseClick(panel.history_button, Qt.MouseButton.LeftButton)
        dialog = panel.history
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=30000)
        assert not dialog.undo_button.isEnabled()
    finally:
        shut_down(panel, runner)


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_an_undo_refused_names_the_customers_in_the_window(qtbot, listed, translated,
                                                          monkeypatch):
    database, path, col = listed
    boss = _actor(database, "chenli", "supervisor")
    _fill(path, col, {(2, "结果"): "接通", (2, "客户反馈"): "满意"})
    outcomes.read_outcomes(database.sessions, path, actor=boss, today=TODAY)
    _fill(path, col, {(2, "客户反馈"): "满意，下周保养"})  # a later copy, read later
    outcomes.read_outcomes(database.sessions, path, actor=boss, today=TODAY)
    name = openpyxl.load_workbook(path).active.cell(2, col["姓名"]).value
    errors = []
    # The window's error box, as shown (translated), answered at once.
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, _title, text, *_a: errors.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    panel, runner = _panel(qtbot, database, boss)
    try:
        qtbot.mouseClick(panel.history_button, Qt.MouseButton.LeftButton)
        dialog = panel.history
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=30000)
        # Newest first: the later copy stored no new contact; it corrected the first read's.
        table = dialog.table
        assert table.horizontalHeaderItem(COL_CORRECTED).text() == "修正的联系"
        assert [(table.item(r, COL_STORED).text(), table.item(r, COL_CORRECTED).text())
                for r in (0, 1)] == [("0", "1"), ("1", "0")]
        dialog.table.selectRow(1)  # the first read, whose contact the later one corrected
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(errors), timeout=30000)
        assert name in errors[0] and "未撤销" in errors[0]
        assert _read_contacts(database) == 1
        assert dialog.undo_button.isEnabled()
    finally:
        shut_down(panel, runner)
