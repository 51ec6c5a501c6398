"""名单 → 历史名单's read-back summary, as a caller sees it: the rows not stored counted, and a
call whose next date is no day stored with the cell listed, and a read a full disk stopped
after a chunk saying how many were stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import openpyxl
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


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_km_of_a_plate_not_theirs_is_said_apart_and_an_emptied_row_id_read(
        qtbot, panel, database, tmp_path, monkeypatch, translated):
    """A km whose 车牌 was typed over with a plate none of the customer's cars has is counted
    on its own (not as a km that could not be read); a row whose 编号 was emptied is read by
    its 客户编号, a line of the summary saying so."""
    path = _filled(database, tmp_path, {
        (2, "结果"): "接通", (2, "车牌"): "粤B88888", (2, "当前里程(公里)"): 45000,
        (3, "结果"): "已预约"})
    book = openpyxl.load_workbook(path)
    sheet = book.active
    col = {c.value: c.column for c in sheet[1]}
    code, who = (sheet.cell(3, col[h]).value for h in ("编号", "客户编号"))
    sheet.cell(3, col["编号"]).value = None
    book.save(path)
    _choose(monkeypatch, path)
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert (done.args[0].stored, done.args[0].not_stored) == (2, 0)
    table = panel.problems
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert list(rows) == ["2"]
    text = panel.summary.text()
    if translated == "zh_CN":
        assert ("1 行已保存，但当前里程未保存：改填的车牌无法确定是该客户名下的哪辆车"
                "（见下方各行）：请在客户页面手动填写。") in text
        assert "无法识别" not in text
        assert f"第 3 行：“编号”是空的，已按客户编号 {who} 读作编号 {code}" in text
        assert rows["2"] == ("联系结果已保存，当前里程未保存：本行填的车牌 粤B88888 不是该客户"
                             "名下的车，无法判断是哪辆车的里程；请在客户页面手动填写里程")
    else:
        assert ("1 row(s) stored without their km (当前里程), whose 车牌 was typed over with a "
                "plate that does not tell which of the customer's cars it is (the rows below "
                "say which): put it in by hand on the customer's page.") in text
        assert "could not be read" not in text
        assert (f"row 3: its 编号 (row id) was empty; read as row {code} by its 客户编号 "
                f"{who}") in text
