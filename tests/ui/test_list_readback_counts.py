"""名单 → 历史名单's read-back summary, as a caller sees it: the rows not stored counted, and a
call whose next date is no day stored with the cell listed, and a read a full disk stopped
after a chunk saying how many were stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from services.lists import outcomes
from tests.services.test_list_outcomes_full_disk import _full_after_first_chunk, _real_read
from tests.ui import test_list_readback as readback
from tests.ui.test_list_readback import _choose, _filled
from ui.i18n import translate_error

panel = readback.panel


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_the_summary_counts_the_rows_not_stored(qtbot, panel, database, tmp_path, monkeypatch,
                                                translated):
    path = _filled(database, tmp_path, {
        (2, "结果"): "已预约", (2, "下次跟进"): "2026-02-30",
        (3, "客户反馈"): "回头再说",  # no outcome: not stored
        (4588, "编号"): "999-0001", (4588, "结果"): "接通"})
    _choose(monkeypatch, path)
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert (done.args[0].stored, done.args[0].not_stored) == (1, 2)
    table = panel.problems
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert list(rows) == ["2", "3", "4588"]
    text = panel.summary.text()
    if translated == "zh_CN":
        assert "2 行未保存。" in text.splitlines()[0]
        assert rows["2"].startswith("联系结果已保存，此格未保存：下次跟进“2026-02-30”不是日期")
        assert "1 行已保存，但其中的日期或回访员一格有误" in text
    else:
        assert ", 0 profile change(s), 2 row(s) not stored." in text.splitlines()[0]
        assert rows["2"].startswith("the contact is stored without this cell: follow-up date")
        assert "1 row(s) stored without a date or 回访员 cell" in text


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_the_window_says_it_in_chinese(qtbot, panel, database, tmp_path, monkeypatch,
                                       translated):
    path = _filled(database, tmp_path, {(row, "结果"): "接通" for row in range(2, 7)})
    _full_after_first_chunk(monkeypatch)
    monkeypatch.setattr(outcomes, "read_outcomes", lambda *a, **k: _real_read(*a, chunk=2, **k))
    shown: list[str] = []
    monkeypatch.setattr("ui.views.list_readback.show_error",
                        lambda parent, exc: shown.append(translate_error(exc)))
    _choose(monkeypatch, path)
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=60000)
    assert shown[0].startswith(f"读回 {path.name} 时中断：前 2 行中已保存 2 条联系记录")
    assert "再读一次该文件即可完成" in shown[0]
