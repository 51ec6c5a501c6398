"""Reading files back in 名单 → 历史名单, as a supervisor or a caller would: an SMS vendor's
unsubscribe or failed-delivery file (Excel or CSV), and a filled-in call list whose rows could
not all be stored, said in the window's language with Excel's row numbers. On SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from sqlalchemy import func, select

from models import ConsentEvent, DoNotContact, StaffUser
from services import labels
from services.lists import runs
from services.outputs import excel
from services.staff.permissions import Actor
from tests.services.test_lists_runs import _run, setup
from tests.ui.conftest import answer_when_asked, drag_files, shut_down
from ui.tasks import TaskRunner
from ui.views.list_readback import ReadBackPanel


@pytest.fixture
def panel(qtbot, database, translated):
    setup(database)
    with database.sessions() as s:
        clerk = s.scalars(select(StaffUser).where(StaffUser.username == "chenli")).one()
        actor = Actor(clerk.id, clerk.username, "clerk", clerk.display_name)
    runner = TaskRunner()
    widget = ReadBackPanel(database, runner, actor=actor)
    qtbot.addWidget(widget)
    widget.resize(900, 420)
    widget.show()
    yield widget
    shut_down(widget, runner)


def _choose(monkeypatch, path: Path) -> None:
    monkeypatch.setattr("ui.views.list_readback.ask_open_path", lambda *a, **k: str(path))


def _read_vendor_file(qtbot, panel, monkeypatch, path: Path, answer: str) -> None:
    """`path` chosen with the unsubscribe button, read as `answer` says, and waited for."""
    _choose(monkeypatch, path)
    answer_when_asked(answer)
    with qtbot.waitSignal(panel.unsubscribes_read, timeout=30000):
        qtbot.mouseClick(panel.unsubscribe_button, Qt.MouseButton.LeftButton)


def _sms_blocked(database, source: str) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(DoNotContact).where(
            DoNotContact.channel == "sms", DoNotContact.source == source))


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_vendors_unsubscribe_workbook_in_the_chinese_window(qtbot, panel, database,
                                                             tmp_path, monkeypatch):
    assert panel.unsubscribe_button.text() == "读入短信退订文件(&U)…"
    assert panel.unsubscribe_button.isEnabled()  # the command needs no supervisor either
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["手机号码", "回复内容"])
    sheet.append([13800130001, "T"])
    sheet.append(["+86 138 0013 0012", "TD"])
    sheet.append([13911112222, "T"])
    sheet.append([1380013000, "T"])  # row 5: a digit short
    path = tmp_path / "退订2611.xlsx"
    book.save(path)
    _choose(monkeypatch, path)
    answer_when_asked("退订（回T退订）(&U)")
    with qtbot.waitSignal(panel.unsubscribes_read, timeout=30000):
        qtbot.mouseClick(panel.unsubscribe_button, Qt.MouseButton.LeftButton)
    assert panel.summary.text() == (
        "退订2611.xlsx 是退订名单：读到 3 个号码。2 位客户今后不再收到短信。"
        "1 个号码不属于任何客户：13911112222。1 行没有大陆手机号，未读取，见下表。")
    assert panel.problems.isVisible() and panel.problems.rowCount() == 1
    assert panel.problems.item(0, 0).text() == "5"
    assert panel.problems.item(0, 1).text() == "没有大陆手机号：未读取"
    assert _sms_blocked(database, "vendor_unsubscribe") == 2
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConsentEvent).where(
            ConsentEvent.source == "sms_unsubscribe")) == 2
    # Read again: nobody blocked twice, and the window says so.
    answer_when_asked("退订（回T退订）(&U)")
    with qtbot.waitSignal(panel.unsubscribes_read, timeout=30000):
        qtbot.mouseClick(panel.unsubscribe_button, Qt.MouseButton.LeftButton)
    assert "0 位客户今后不再收到短信。其中 2 位已由之前的文件登记过。" in panel.summary.text()
    assert _sms_blocked(database, "vendor_unsubscribe") == 2


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_vendors_replies_export_blocks_only_who_asked_to_stop(qtbot, panel, database,
                                                               tmp_path, monkeypatch):
    path = tmp_path / "上行短信.csv"
    path.write_text("手机号码,上行内容\n13800130001,好的谢谢\n13800130012,TD\n"
                    "13800130013,已经保养过了\n", encoding="utf-8-sig")
    _read_vendor_file(qtbot, panel, monkeypatch, path, "退订（回T退订）(&U)")
    assert panel.summary.text() == (
        "上行短信.csv 是退订名单：读到 1 个号码。1 位客户今后不再收到短信。"
        "2 条回复并非退订（好的、谢谢…）：这些客户仍会收到短信，已列在下方。")
    assert [(panel.problems.item(r, 0).text(), panel.problems.item(r, 1).text())
            for r in range(panel.problems.rowCount())] == [
        ("2", "是回复而非退订（未停发）：好的谢谢"),
        ("4", "是回复而非退订（未停发）：已经保养过了")]
    assert _sms_blocked(database, "vendor_unsubscribe") == 1


@pytest.mark.parametrize("translated", ["en"], indirect=True)
def test_a_failed_delivery_csv_and_a_wrong_file_in_the_english_window(qtbot, panel, database,
                                                                      tmp_path, monkeypatch):
    path = tmp_path / "failed.csv"
    path.write_text("号码,状态\n13800130013,空号\n13800130014,停机\n13800130001,成功\n"
                    "13800130002,关机\n", encoding="utf-8-sig")
    _read_vendor_file(qtbot, panel, monkeypatch, path, "&Failed deliveries")
    assert panel.summary.text() == (
        "failed.csv lists failed deliveries: 2 number(s) read. 2 customer(s) now get no SMS. "
        "1 row(s) say the message was delivered: not blocked. 1 failure(s) pass (关机, 超时…): "
        "those customers still get SMS; they are listed below.")
    assert panel.problems.rowCount() == 1
    assert panel.problems.item(0, 1).text() == "A failure that passes (not blocked): 关机"
    assert _sms_blocked(database, "vendor_failed") == 2
    # Cancelled at the question: nothing is read.
    answer_when_asked("Cancel")
    qtbot.mouseClick(panel.unsubscribe_button, Qt.MouseButton.LeftButton)
    assert panel.unsubscribe_button.isEnabled()
    # The wrong file: one sentence, nothing changed.
    wrong = tmp_path / "customers.csv"
    wrong.write_text("name,city\nZhang San,Guangzhou\n", encoding="utf-8")
    said: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text, *a, **k: said.append(text))
    _choose(monkeypatch, wrong)
    answer_when_asked("&Unsubscribes (回T退订)")
    qtbot.mouseClick(panel.unsubscribe_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(said), timeout=30000)
    assert said == [f"{wrong} holds no mainland mobile number; nothing was changed."]
    assert panel.unsubscribe_button.isEnabled()
    assert _sms_blocked(database, "vendor_unsubscribe") == 0


def _filled(database, tmp_path, cells: dict[tuple[int, str], str]):
    """A run's Excel call list with `cells` ((row, header): value) typed in, as a caller
    fills it in."""
    summary = _run(database)
    doc = runs.load_document(database.sessions, summary.run_id)
    path = excel.write_list(doc, "call", tmp_path / "已填写.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    col = {c.value: c.column for c in sheet[1]}
    for (row, header), value in cells.items():
        sheet.cell(row, col[header], value)
    book.save(path)
    return path


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_read_back_problems_in_the_windows_language(qtbot, panel, database, tmp_path,
                                                   monkeypatch, translated):
    path = _filled(database, tmp_path, {
        (2, "结果"): "接通", (2, "画像变化"): "手机=13912345678",
        (3, "结果"): "接通", (3, "画像变化"): "婚姻=结了",
        (4588, "编号"): "999-0001", (4588, "结果"): "接通"})  # far down a long list
    _choose(monkeypatch, path)
    with qtbot.waitSignal(panel.read_done, timeout=60000):
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    table = panel.problems
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert list(rows) == ["2", "3", "4588"]  # as Excel numbers them, never 4,588
    # Rows 2 and 3 are stored, their 画像变化 not: said in the summary and listed.
    if translated == "zh_CN":
        assert rows["2"].startswith("联系结果已保存，画像变化未保存：画像变化“手机=13912345678”："
                                    "“手机”不在客户画像中：手机、电话和地址请在客户页面修改，"
                                    "不在此栏填写（画像项目：婚姻状况、")
        assert rows["3"] == ("联系结果已保存，画像变化未保存：画像变化“婚姻=结了”：“结了”不是"
                             "婚姻状况可填的值，请填写：未婚、已婚、离异、丧偶；"
                             "该格中的画像变化均未保存，请在客户页面手动填写")
        # Row 4588 alone is not stored, and said to be (the window's words before the row's).
        not_stored = QCoreApplication.translate("ReadBackPanel", "Not stored: %1")
        assert rows["4588"] == not_stored.replace(
            "%1", "编号“999-0001”不是本数据库任何名单中的一行")
        rows["4588"] = rows["4588"].removeprefix(not_stored.replace("%1", ""))
        assert not any(c.isascii() and c.isalpha() for text in rows.values() for c in text)
        assert ("1 行未保存：请在文件中改正后再读一次。2 行已保存，但其中的画像变化无法识别，"
                "未保存：请在客户页面手动填写。") in panel.summary.text()
        assert "2 行没有填写联系日期" in panel.summary.text()
    else:
        assert ("a phone number or an address is changed on the customer's page, not in "
                "this column") in rows["2"]
        assert rows["4588"] == "Not stored: row id '999-0001' matches no list run member"
        assert rows["3"] == ("the contact is stored, but not its 画像变化 (profile changes): "
                             "profile change '婚姻=结了': '结了' is not a value of Marital "
                             "status; type one of Single, Married, Divorced, Widowed; none of "
                             "the cell's changes were stored: put them in by hand on the "
                             "customer's page")
        assert ("1 row(s) not stored: correct them in the file and read it again. 2 row(s) "
                "stored without their profile changes (画像变化), which could not be read: "
                "put those in by hand on the customer's page.") in panel.summary.text()


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_file_dragged_onto_the_panel_is_read_as_what_it_is(qtbot, panel, database,
                                                             tmp_path):
    summary = _run(database)
    doc = runs.load_document(database.sessions, summary.run_id)
    filled = excel.write_list(doc, "call", tmp_path / "第48周回访.xlsx")
    book = openpyxl.load_workbook(filled)
    sheet = book.active
    sheet.cell(2, {c.value: c.column for c in sheet[1]}["结果"], "接通")
    book.save(filled)
    vendor = tmp_path / "退订.csv"
    vendor.write_text("手机号码,回复内容\n13800130001,T\n", encoding="utf-8-sig")
    # One file at a time, not a folder.
    assert drag_files(panel, filled) and drag_files(panel, vendor)
    assert not drag_files(panel, filled, vendor) and not drag_files(panel, tmp_path)
    # The list Revisit wrote is read back as outcomes, without a question.
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        assert drag_files(panel, filled, drop=True)
    assert done.args[0].stored == 1 and panel.summary.text().startswith("第48周回访.xlsx")
    # Any other file is the SMS vendor's: what it lists is asked first.
    answer_when_asked("退订（回T退订）(&U)")
    with qtbot.waitSignal(panel.unsubscribes_read, timeout=30000):
        assert drag_files(panel, vendor, drop=True)
    assert _sms_blocked(database, "vendor_unsubscribe") == 1


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_list_kept_as_csv_is_read_back_when_chosen_or_dropped(qtbot, panel, database,
                                                                 tmp_path, monkeypatch):
    # The call list written as CSV, filled in and saved by Excel on Chinese Windows (GBK).
    doc = runs.load_document(database.sessions, _run(database).run_id)
    path = excel.write_list(doc, "call", tmp_path / "第48周回访.csv", fmt="csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("结果")] = "接通"
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(rows)
    _choose(monkeypatch, path)
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert done.args[0].stored == 1 and panel.problems.rowCount() == 0
    assert panel.summary.text().startswith("第48周回访.csv")
    rows[2][rows[0].index("结果")] = "已预约"
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(rows)
    # Dropped, it is taken for a list, not for the SMS vendor's file: no question asked.
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        assert drag_files(panel, path, drop=True)
    assert (done.args[0].stored, done.args[0].already) == (1, 1)


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_km_that_cannot_be_read_is_listed_with_the_contact_stored(qtbot, panel, database,
                                                                    tmp_path, monkeypatch):
    path = _filled(database, tmp_path, {
        (2, "结果"): "接通", (2, "当前里程(公里)"): "八万多点",
        (3, "结果"): "接通", (3, "当前里程(公里)"): "8万6"})
    _choose(monkeypatch, path)
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert (done.args[0].stored, done.args[0].km_readings) == (2, 1)
    table = panel.problems
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert list(rows) == ["2"]
    assert rows["2"].startswith("联系结果已保存，当前里程未保存：当前里程“八万多点”不是里程数")
    assert ("1 行已保存，但其中的当前里程无法识别，未保存：请在客户页面手动填写。"
            in panel.summary.text())


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_read_says_each_row_as_what_became_of_it(qtbot, panel, database, tmp_path,
                                                   monkeypatch, translated):
    """Read again with an outcome typed over, a bad row, a row without its next date and a km
    below the car's: before, the summary said "0 row(s) not stored" over a table of "what was
    not stored" listing rows stored, the correction unnamed, the km "which could not be
    read"."""
    from tests.services.test_list_outcomes_rows import _fill, _visit_reading

    path = _filled(database, tmp_path, {(2, "结果"): "已预约", (2, "联系日期"): "2026-11-24"})
    col = {c.value: c.column for c in openpyxl.load_workbook(path).active[1]}
    _choose(monkeypatch, path)
    with qtbot.waitSignal(panel.read_done, timeout=60000):
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    _visit_reading(database, path, col, 5, 86278)
    _fill(path, col, {(2, "结果"): "无人接听", (3, "结果"): "不知道",
                      (4, "结果"): "接通", (4, "下次跟进"): "2026-02-30",
                      (5, "结果"): "接通", (5, "当前里程(公里)"): 80000})
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert (report.stored, report.not_stored, report.corrected) == (2, 1, 1)
    table = panel.problems
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert list(rows) == ["2", "3", "4", "5"]

    def tr(text: str) -> str:
        return QCoreApplication.translate("ReadBackPanel", text)

    not_stored, corrected = tr("Not stored: %1"), tr("Corrected: %1")
    lang = "zh" if translated == "zh_CN" else "en"
    # As many rows said not stored as the summary counts, and only those.
    assert [n for n, text in rows.items()
            if text.startswith(not_stored.replace("%1", ""))] == ["3"]
    assert rows["3"] == not_stored.replace("%1", report.found[0].text(lang))
    assert rows["2"] == corrected.replace("%1", report.corrections[0].text(lang))
    assert rows["4"] == report.cells_left_out[0].text(lang)
    assert rows["5"] == report.km_clashes[0].text(lang)
    assert table.horizontalHeaderItem(1).text() == tr("What became of the row, and why")
    if translated == "en":
        text = panel.summary.text()
        assert ", 0 profile change(s), 1 row(s) not stored." in text
        assert ("1 row(s) read before say another outcome now: their contact was corrected "
                "to it (the rows below say what it was, and whose call).") in text
        assert "typed into since" not in text
        assert ("1 row(s) stored without their km (当前里程), which is less than a reading of "
                "the car before it or more than it could have been driven since") in text
        assert "which could not be read" not in text
        assert rows["2"].startswith("Corrected: ")
        before, now = (labels.text("outcome", o, "en") for o in ("appointment", "no_answer"))
        assert f"outcome '{before}' → '{now}'" in rows["2"]
        assert "less than the 86,278 km read on 2026-10-01" in rows["5"]


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_phone_typed_over_is_said_in_the_table_and_the_summary(qtbot, panel, database,
                                                                 tmp_path, monkeypatch,
                                                                 translated):
    """A number a caller typed over the printed one was read past without a word."""
    path = _filled(database, tmp_path, {(2, "结果"): "接通", (2, "电话"): "139 1234 5678",
                                        (3, "结果"): "接通"})
    _choose(monkeypatch, path)
    with qtbot.waitSignal(panel.read_done, timeout=60000) as done:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert (report.stored, report.not_stored) == (2, 0)
    assert [p.row for p in report.phones_typed] == [2]
    lang = "zh" if translated == "zh_CN" else "en"
    table = panel.problems
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows == {"2": report.phones_typed[0].text(lang)}
    assert "139 1234 5678" in rows["2"]
    said = QCoreApplication.translate(
        "ReadBackPanel", "%n row(s) give a phone number other than the one printed (the rows "
        "below say which): their contact is stored, the customer's number is not changed; if "
        "they have a new number, change it on the customer's page.", "", 1)
    assert said in panel.summary.text()
    assert said.startswith("1 行的电话" if lang == "zh" else "1 row(s) give")
