"""The list wizard end to end: segment → build (exclusions visible) → preview, print, save files."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QProgressDialog
from sqlalchemy import text

from services.lists import runs
from services.outputs import excel, run_files
from services.segments import service as segments
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.labels import label
from ui.tasks import TaskRunner
from ui.views.lists_view import ListsView
from ui.views.preferences_panel import purpose_hint


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Building asks first; these tests answer Yes and keep the question's text."""
    questions: list[str] = []

    def answer(_parent, _title, text, *_a, **_k):
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr("ui.views.lists_view.QMessageBox.question", answer)
    return questions


@pytest.fixture
def view(qtbot, demo_db, asked):
    segments.save_segment(
        demo_db.sessions,
        "5年以上车主",
        {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}},
        purpose="sales",
    )
    runner = TaskRunner()
    widget = ListsView(demo_db, runner)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    # The segments and callers arrive from the background, as in the window.
    qtbot.waitUntil(lambda: widget.segment.count() > 0 and widget.callers.count() > 0,
                    timeout=5000)
    yield widget
    shut_down(widget, runner)


def _build(qtbot, view, callers=2):
    view.as_of.setDate(QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day))
    view.purpose.setCurrentIndex(view.purpose.findData("sales"))
    for i in range(callers):
        view.callers.item(i).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(view.run_built, timeout=30000) as built:
        view.build_button.click()
    return built.args[0]


def test_build_shows_members_and_excluded_with_reasons(qtbot, view, demo_db):
    run_id = _build(qtbot, view)
    doc = runs.load_document(demo_db.sessions, run_id)
    assert view.steps.currentIndex() == 1
    members, excluded = view.members.model(), view.excluded.model()
    assert members.rowCount() == len(doc.members) > 0
    assert excluded.rowCount() == len(doc.excluded) > 0
    assert [members.index(r, 0).data() for r in range(members.rowCount())] == [
        m.row_code for m in doc.members]
    shown_reasons = {excluded.index(r, 2).data() for r in range(excluded.rowCount())}
    assert shown_reasons == {label("exclusion", x.reason) for x in doc.excluded}
    assert all(label("exclusion", x.reason) != x.reason for x in doc.excluded)
    assert f"#{run_id}" in view.summary.text()
    assert "、" not in view.summary.text()  # the English window lists with commas
    callers = {m.caller for m in doc.members if m.channel == "call"}
    assert len(callers) == 2


def test_outputs_preview_print_and_save(qtbot, view, demo_db, tmp_path, monkeypatch):
    run_id = _build(qtbot, view)
    view.next.click()
    outputs = view.outputs
    assert view.steps.currentWidget() is outputs
    outputs.preview_button.click()
    qtbot.waitUntil(lambda: outputs.pdf.pageCount() > 0, timeout=30000)
    # Each row carries its member's condensed brief: the last spend or plainly none.
    first_page = outputs.pdf.getAllText(0).text().replace(" ", "")
    assert "上次消费" in first_page or "无消费记录" in first_page

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert outputs.print_to(printer) == outputs.pdf.pageCount()
    printed = QPdfDocument()
    printed.load(str(tmp_path / "printed.pdf"))
    assert printed.pageCount() == outputs.pdf.pageCount() > 1
    # Cancel clicked once the dialog shows (the second page): no further page is sent.
    again = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    again.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    again.setOutputFileName(str(tmp_path / "cancelled.pdf"))
    monkeypatch.setattr(outputs, "PRINT_DIALOG_AFTER_MS", 0)  # shown at once: a small run
    # (the first print's dialog is deleted later: the newest is this print's)
    QTimer.singleShot(0, lambda: outputs.findChildren(QProgressDialog)[-1].cancel())
    assert outputs.print_to(again) == 2 < outputs.pdf.pageCount()

    target = tmp_path / "calls.xlsx"
    with qtbot.waitSignal(outputs.written, timeout=30000):
        outputs.save(run_files.CALL_LIST, str(target))
    doc = runs.load_document(demo_db.sessions, run_id)
    sheet = openpyxl.load_workbook(target, read_only=True).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    calls = doc.of_channel("call")
    assert len(rows) == len(calls)
    assert {r[0] for r in rows} == {m.row_code for m in calls}


def test_a_short_call_sheet_shows_itself_a_long_one_says_how_to(qtbot, view, demo_db,
                                                                  monkeypatch):
    """Step 3 of a run with a weekly sheet's calls shows the sheet without a press; one of
    more calls than AUTO_PREVIEW_CALLS says how many it holds and waits for the button."""
    monkeypatch.setattr("ui.views.list_outputs.AUTO_PREVIEW_CALLS", 0)
    long_run = _build(qtbot, view)
    calls = len(runs.load_document(demo_db.sessions, long_run).of_channel("call"))
    outputs = view.outputs
    view.next.click()
    assert outputs.sheet.currentWidget() is outputs.not_previewed
    assert f": {calls} call" in outputs.not_previewed.text()
    qtbot.wait(300)
    assert not view.runner.busy and outputs.pdf.pageCount() == 0
    outputs.preview_button.click()
    qtbot.waitUntil(lambda: outputs.pdf.pageCount() > 0, timeout=30000)
    assert outputs.sheet.currentWidget() is outputs.view

    monkeypatch.setattr("ui.views.list_outputs.AUTO_PREVIEW_CALLS", calls)
    view.back.click()
    view.back.click()
    short_run = _build(qtbot, view)
    assert outputs.pdf.pageCount() == 0  # the new run's sheet is not made yet
    view.next.click()
    qtbot.waitUntil(lambda: outputs.pdf.pageCount() > 0, timeout=30000)
    assert outputs.sheet.currentWidget() is outputs.view
    assert f"{short_run}-0001" in outputs.pdf.getAllText(0).text()


def test_a_sheet_made_for_a_run_no_longer_open_is_not_shown(qtbot, view, demo_db,
                                                            monkeypatch):
    monkeypatch.setattr("ui.views.list_outputs.AUTO_PREVIEW_CALLS", 0)
    first = _build(qtbot, view)
    view.back.click()
    _build(qtbot, view)
    outputs = view.outputs
    second = outputs.document
    outputs.document = runs.load_document(demo_db.sessions, first)
    outputs.preview()  # the first run's sheet, being made when the second run opens
    outputs.set_document(second, outputs.settings)
    assert view.runner.wait(30000)
    qtbot.wait(100)  # its result delivered (or not) on the window's thread
    assert outputs.pdf.pageCount() == 0
    assert outputs.sheet.currentWidget() is outputs.not_previewed


def test_past_runs_reopen_the_same_list(qtbot, view, demo_db):
    run_id = _build(qtbot, view)
    first_rows = view.members.model().rowCount()
    view.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.history.rowCount() == 1, timeout=5000)
    assert view.history.item(0, 0).text() == f"#{run_id}"
    # What it is for, who made it and how far its contacts are: none made yet.
    row = [view.history.item(0, c).text() for c in range(view.history.columnCount())]
    made = runs.list_runs(demo_db.sessions)[0]
    assert row[3:] == [label("purpose", made.purpose), made.made_by, str(made.members), "0",
                       "written"]
    with qtbot.waitSignal(view.run_built, timeout=10000):
        view._on_history_opened(0, 0)
    assert view.members.model().rowCount() == first_rows


def test_sms_vendor_file_from_the_wizard(qtbot, view, demo_db, tmp_path):
    from PySide6.QtCore import QDateTime, QTime

    from services.store.settings import load_settings

    run_id = _build(qtbot, view)
    outputs = view.outputs
    tomorrow_ten = QDateTime(QDate.currentDate().addDays(1), QTime(10, 0))
    outputs.send_at.setDateTime(tomorrow_ten)
    outputs.sms_text.setPlainText("{称呼}您好，您的{车型}（{车牌}）保养到期了。")
    target = tmp_path / "sms.xlsx"
    with qtbot.waitSignal(outputs.written, timeout=30000):
        outputs.save("sms", str(target))
    signature = load_settings(demo_db.sessions).sms_signature
    sheet = openpyxl.load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    body = [r for r in rows[1:] if any(r)]
    doc = runs.load_document(demo_db.sessions, run_id)
    assert 0 < len(body) <= len(doc.of_channel("sms") or doc.members)
    texts = [str(c) for r in body for c in r if isinstance(c, str) and signature in c]
    assert texts and all("{" not in t for t in texts)
    assert "numbers" in outputs.status.text() or "号码" in outputs.status.text()


def test_build_asks_first_and_cancel_stores_no_run(qtbot, view, demo_db, monkeypatch):
    questions = []

    def cancel(_parent, _title, text, *_a, **_k):
        questions.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr("ui.views.lists_view.QMessageBox.question", cancel)
    view.as_of.setDate(QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day))
    for i in range(2):
        view.callers.item(i).setCheckState(Qt.CheckState.Checked)
    view.channels.button(1).setChecked(True)  # phone only
    view.build_button.click()
    qtbot.waitUntil(lambda: len(questions) == 1)  # asked once the segment is counted
    text = questions[0]
    assert "5年以上车主" in text and view.channels.button(1).text() in text
    assert "2 caller(s)" in text and "stored" in text and "follow-up" in text
    qtbot.wait(200)
    assert runs.list_runs(demo_db.sessions) == () and not view.runner.busy
    assert view.build_button.isEnabled() and view.steps.currentIndex() == 0


def test_build_without_callers_says_calls_go_to_nobody(qtbot, view, asked):
    view.as_of.setDate(QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day))
    with qtbot.waitSignal(view.run_built, timeout=30000):
        view.build_button.click()
    assert len(asked) == 1 and "No caller is ticked" in asked[0]


def test_stored_run_is_confirmed_in_the_status_bar(qtbot, view, demo_db, asked):
    changes = []
    view.runner.data_changed.connect(changes.append)
    with qtbot.waitSignal(view.runner.notice, timeout=30000) as notice:
        run_id = _build(qtbot, view)
    members = len(runs.load_document(demo_db.sessions, run_id).members)
    assert notice.args[0].text == f"List #{run_id} stored: {members} customer(s) in it."
    assert len(asked) == 1 and any(c.touches("lists") for c in changes)


def test_purposes_are_explained_where_they_are_chosen(qtbot, view):
    tips = {
        view.purpose.itemData(i): view.purpose.itemData(i, Qt.ItemDataRole.ToolTipRole)
        for i in range(view.purpose.count())
    }
    assert all(tips.values()) and len(set(tips.values())) == len(tips)
    assert "many customers" in tips["marketing"] and "personal offer" in tips["sales"]
    view.purpose.setCurrentIndex(view.purpose.findData("marketing"))
    assert view.purpose_hint.text() == purpose_hint("marketing") and view.purpose_hint.isVisible()
    view.purpose.setCurrentIndex(view.purpose.findData("sales"))
    assert view.purpose_hint.text() == purpose_hint("sales")


def test_a_recall_says_contact_fatigue_holds_it_back_not(qtbot, view):
    view.purpose.setCurrentIndex(view.purpose.findData("recall"))
    assert not view.fatigue.isEnabled()
    assert "safety notice does not wait" in view.fatigue.toolTip()
    view.purpose.setCurrentIndex(view.purpose.findData("reminder"))
    assert view.fatigue.isEnabled() and not view.fatigue.toolTip()


def test_past_runs_being_read_show_a_run_made_on_another_pc(qtbot, view, demo_db):
    from services.lists import build
    from ui.news import ELSEWHERE
    from ui.tasks import DataChange

    view.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view._history_read, timeout=5000)
    before = view.history.rowCount()
    made = build.build_run(demo_db.sessions, "5年以上车主",
                           build.RunOptions(channel="call", as_of=DEMO_TODAY))
    runs.finish_run(demo_db.sessions, made.run_id)
    view.runner.announce(DataChange(frozenset({"lists"}), origin=ELSEWHERE))
    qtbot.waitUntil(lambda: view.history.rowCount() == before + 1, timeout=5000)
    assert view.history.item(0, 0).text() == f"#{made.run_id}"


def test_opening_a_run_is_one_question(qtbot, view, demo_db, monkeypatch):
    run_id = _build(qtbot, view)
    asked = []
    real = runs.open_run
    monkeypatch.setattr(runs, "open_run", lambda *a: asked.append(a[1:]) or real(*a))
    for name in ("run_info", "load_document"):
        monkeypatch.setattr(runs, name, lambda *_a: pytest.fail("asked separately"))
    with qtbot.waitSignal(view.run_built, timeout=10000):
        view.open_run(run_id)
    assert [a[0] for a in asked] == [run_id] and view.outputs.document.run_id == run_id
    # ...told the window's progress bar and its Cancel button
    assert asked[0][1].progress is not None and asked[0][1].cancel is not None


def test_a_segment_saved_elsewhere_is_offered_and_ticks_stay(qtbot, view, demo_db):
    from ui.tasks import changed

    view.callers.item(1).setCheckState(Qt.CheckState.Checked)
    segments.save_segment(demo_db.sessions, "新分群", {"version": 1, "where": None})
    view.runner.announce(changed("segments"))
    qtbot.waitUntil(lambda: view.segment.findText("新分群") >= 0, timeout=5000)
    assert view.segment.currentText() == "5年以上车主"  # the choice stays
    assert view.options().staff == (view.callers.item(1).data(Qt.ItemDataRole.UserRole),)
    # A template saved under its key (as `list build KEY` does) reads with its name, in the
    # window's language (English here).
    template = segments.template_segments()[0]
    segments.save_template(demo_db.sessions, template.key)
    view.runner.announce(changed("segments"))
    qtbot.waitUntil(lambda: view.segment.findData(template.key) >= 0, timeout=5000)
    shown = view.segment.itemText(view.segment.findData(template.key))
    assert shown == template.en  # its key is the command line's
    assert view.segment.currentText() == "5年以上车主"
    # One not saved yet is told apart from a saved segment that took its name.
    unsaved = segments.template_segments()[1]
    segments.save_segment(demo_db.sessions, unsaved.en, {"version": 1}, purpose="care")
    view.runner.announce(changed("segments"))
    qtbot.waitUntil(lambda: view.segment.findText(f"{unsaved.en} (ready-made)") >= 0,
                    timeout=5000)
    assert view.segment.itemData(view.segment.findText(f"{unsaved.en} (ready-made)")) == (
        unsaved.key)
    assert view.segment.itemData(view.segment.findText(unsaved.en)) == unsaved.en


def test_the_purpose_follows_the_segment_staff_pick(qtbot, view, demo_db):
    from ui.tasks import changed

    # The first segment offered was saved for sales: the wizard opened on that purpose.
    assert view.segment.currentText() == "5年以上车主"
    assert view.purpose.currentData() == "sales"
    # The maintenance template is a reminder (saved under its key as `list build KEY` does).
    segments.save_template(demo_db.sessions, "service.maintenance_due")
    segments.save_segment(demo_db.sessions, "无用途", {"version": 1, "where": None})
    view.runner.announce(changed("segments"))
    qtbot.waitUntil(lambda: view.segment.findData("service.maintenance_due") >= 0
                    and view.segment.findData("无用途") >= 0, timeout=5000)
    assert view.purpose.currentData() == "sales"  # a refresh keeps what was chosen
    view.segment.setCurrentIndex(view.segment.findData("service.maintenance_due"))
    assert view.purpose.currentData() == "reminder"
    # Staff may choose another; a segment saved for no purpose leaves their choice.
    view.purpose.setCurrentIndex(view.purpose.findData("care"))
    view.segment.setCurrentIndex(view.segment.findData("无用途"))
    assert view.purpose.currentData() == "care"


def test_a_built_run_is_finished_and_an_unfinished_one_can_be_finished(qtbot, view, demo_db):
    from services.contacts import calls
    from services.lists import build

    run_id = _build(qtbot, view)
    assert runs.run_info(demo_db.sessions, run_id).finished  # its calls are handed out
    assert not view.finish_button.isVisible()
    # A run a killed program left unfinished (another segment: nothing replaced it).
    segments.save_segment(demo_db.sessions, "3年以上车主", {"version": 1, "where": {
        "field": "years_since_purchase", "op": ">=", "value": 3}}, purpose="care")
    left = build.build_run(demo_db.sessions, "3年以上车主", build.RunOptions(
        channel="call", staff=("chenli",), as_of=DEMO_TODAY)).run_id
    view.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.history.rowCount() == 2, timeout=5000)
    states = {view.history.item(r, 0).text(): view.history.item(r, 7).text()
              for r in range(2)}
    assert states == {f"#{run_id}": "written", f"#{left}": "not complete"}
    with qtbot.waitSignal(view.run_built, timeout=10000):
        view._on_history_opened([r for r in range(2)
                                 if view.history.item(r, 0).text() == f"#{left}"][0], 0)
    assert view.finish_button.isVisible() and "unfinished" in view.summary.text()
    with demo_db.sessions() as s:
        chenli = s.execute(text("SELECT id FROM staff_user WHERE username = 'chenli'")).scalar()

    def queued() -> set[int]:
        return {int(d.row_code.split("-")[0])
                for d in calls.queue(demo_db.sessions, chenli, DEMO_TODAY, limit=10_000).calls
                if d.row_code}

    assert left not in queued()
    with qtbot.waitSignal(view.run_built, timeout=10000):
        qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert runs.run_info(demo_db.sessions, left).finished
    assert not view.finish_button.isVisible()
    assert left in queued()


def test_a_members_brief_opens_from_the_list(qtbot, view, demo_db):
    """Double-click, the button and the context menu open the member's pre-call brief: the
    brief of that customer as the service reads it, in a dialog that fits 1366×768."""
    from services.customers.brief import load_brief
    from services.customers.merge import customer_id_of
    from ui.views.brief_actions import BriefDialog

    run_id = _build(qtbot, view)
    doc = runs.load_document(demo_db.sessions, run_id)
    row = 2
    member = doc.members[row]
    rect = view.members.visualRect(view.members.model().index(row, 1))
    # A press first, as a real double-click has: the view opens what was pressed.
    qtbot.mouseClick(view.members.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.members.viewport(), Qt.MouseButton.LeftButton,
                      pos=rect.center())

    def opened() -> list[BriefDialog]:
        return [w for w in view.findChildren(BriefDialog) if w.isVisible()]

    qtbot.waitUntil(lambda: len(opened()) == 1 and opened()[0].view.brief is not None,
                    timeout=10000)
    dialog = opened()[0]
    want = load_brief(demo_db.sessions, customer_id_of(demo_db.sessions,
                                                       member.customer_code))
    shown = dialog.view.brief
    assert (shown.customer_id, shown.name) == (want.customer_id, member.name)
    assert member.name in dialog.windowTitle()
    assert shown == want
    spend = dialog.view.text_of("spend")
    assert want.last_spend is None or (str(want.last_spend.date.year) in spend
                                       and str(want.last_spend.date.day) in spend)
    assert (shown.suggestion.purpose if shown.suggestion else None) == (
        want.suggestion.purpose if want.suggestion else None)
    assert dialog.width() <= 1366 and dialog.height() <= 768 - 60  # room for the taskbar
    dialog.close()
    qtbot.waitUntil(lambda: not opened(), timeout=5000)
    # The button and the menu open the chosen member's.
    view.members.selectRow(0)
    view.brief_button.click()
    qtbot.waitUntil(lambda: len(opened()) == 1 and opened()[0].view.brief is not None,
                    timeout=10000)
    assert opened()[0].view.brief.name == doc.members[0].name
    opened()[0].close()
    [action] = view.members.actions()
    view.members.selectRow(1)
    action.trigger()
    qtbot.waitUntil(lambda: len(opened()) == 1 and opened()[0].view.brief is not None,
                    timeout=10000)
    assert opened()[0].view.brief.name == doc.members[1].name
    opened()[0].close()



def test_a_filled_in_list_is_read_back_in_the_window(qtbot, view, demo_db, tmp_path,
                                                     monkeypatch):
    run_id = _build(qtbot, view)
    path = excel.write_list(runs.load_document(demo_db.sessions, run_id), "call",
                            tmp_path / "已填写.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    col = {c.value: c.column for c in sheet[1]}
    sheet.cell(2, col["结果"], "接通")
    sheet.cell(2, col["客户反馈"], "下周来保养")
    sheet.cell(3, col["编号"], sheet.cell(4, col["编号"]).value)  # a code typed over
    sheet.cell(3, col["结果"], "已预约")
    book.save(path)
    monkeypatch.setattr("ui.views.list_readback.ask_open_path", lambda *a, **k: str(path))
    view.tabs.setCurrentIndex(1)
    panel = view.read_back
    with qtbot.waitSignal(panel.read_done, timeout=30000):
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    summary = panel.summary.text()
    assert summary.startswith("已填写.xlsx: 1 contact(s) stored, 0 already read before")
    assert "1 row(s) not stored: correct them in the file and read it again." in summary
    assert panel.problems.isVisibleTo(view) and panel.problems.rowCount() == 1
    assert panel.problems.item(0, 0).text() == "3"
    assert "(a row code changed or swapped?); not stored" in panel.problems.item(0, 1).text()
    with demo_db.engine.connect() as conn:
        assert conn.execute(text(
            "SELECT outcome, feedback FROM contact_event WHERE list_run_id = :run"),
            {"run": run_id}).all() == [("reached", "下周来保养")]
    # Read again: nothing twice, and the row to correct is still named.
    with qtbot.waitSignal(panel.read_done, timeout=30000):
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert "0 contact(s) stored, 1 already read before" in panel.summary.text()
    assert panel.problems.isVisibleTo(view) and panel.problems.rowCount() == 1
    # The feedback mended after the read: read again, it is corrected, and the window says so.
    book = openpyxl.load_workbook(path)
    book.active.cell(2, col["客户反馈"], "下周二来保养")
    book.save(path)
    with qtbot.waitSignal(panel.read_done, timeout=30000):
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert ("1 row(s) read before were typed into since: their feedback, next date or km was "
            "corrected.") in panel.summary.text()
    with demo_db.engine.connect() as conn:
        assert conn.execute(text(
            "SELECT outcome, feedback FROM contact_event WHERE list_run_id = :run"),
            {"run": run_id}).all() == [("reached", "下周二来保养")]
    # A read stopped part-way shows its own word, not the last file's rows to correct.
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert not panel.problems.isVisibleTo(view) and not panel.summary.isVisibleTo(view)
    panel.runner.cancel_all()
    qtbot.waitUntil(lambda: panel.button.isEnabled(), timeout=30000)
    assert panel.summary.text().startswith("Stopped. The rows read before the stop are stored")
    assert not panel.problems.isVisibleTo(view)


def test_a_run_made_in_the_window_names_who_made_it(qtbot, demo_db, asked):
    from sqlalchemy import select

    from models import AuditLog, ListRun, StaffUser
    from services.staff.permissions import Actor

    segments.save_segment(demo_db.sessions, "5年以上车主", {"version": 1, "where": {
        "field": "years_since_purchase", "op": ">=", "value": 5}}, purpose="sales")
    with demo_db.sessions() as s:
        clerk = s.scalars(select(StaffUser).where(StaffUser.role == "clerk")
                          .order_by(StaffUser.id)).first()
        me = Actor(clerk.id, clerk.username, clerk.role, clerk.display_name)
    runner = TaskRunner()
    widget = ListsView(demo_db, runner, actor=me)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.segment.count() > 0 and widget.callers.count() > 0,
                    timeout=5000)
    try:
        run_id = _build(qtbot, widget, callers=1)
        with demo_db.sessions() as s:
            assert s.get(ListRun, run_id).created_by == clerk.id
            made = s.execute(select(AuditLog.staff_id, AuditLog.entity_id)
                             .where(AuditLog.action == "build_list_run")).all()
        assert made == [(clerk.id, run_id)]
    finally:
        shut_down(widget, runner)


def test_a_new_database_offers_the_templates_and_a_template_run_saves_it_once(qtbot, demo_db,
                                                                               asked):
    """Before anyone saves a segment, the wizard offers the ready-made templates (as `list
    build KEY` takes them); the first run of one saves it under its key, offered once after."""
    from ui.tasks import changed
    from ui.widgets import empty_text

    runner = TaskRunner()
    widget = ListsView(demo_db, runner)
    qtbot.addWidget(widget)
    widget.show()
    try:
        qtbot.waitUntil(lambda: widget.segment.count() > 0 and widget.callers.count() > 0,
                        timeout=5000)
        keys = [t.key for t in segments.template_segments()]
        offered = [widget.segment.itemData(i) for i in range(widget.segment.count())]
        assert offered == keys  # nothing saved: no separator, the templates in their order
        assert widget.build_button.isEnabled()
        # No list yet: the past runs say so, once read, and where lists come from.
        assert empty_text(widget.history) == ""  # not read yet
        widget.tabs.setCurrentIndex(1)
        qtbot.waitUntil(lambda: empty_text(widget.history).startswith("No lists yet."),
                        timeout=5000)
        widget.tabs.setCurrentIndex(0)
        key = "service.maintenance_due"
        widget.segment.setCurrentIndex(widget.segment.findData(key))
        assert widget.purpose.currentData() == "reminder"  # the template's purpose
        assert widget.segment.currentText() == segments.find_template(key).en
        widget.as_of.setDate(QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day))
        with qtbot.waitSignal(widget.run_built, timeout=30000) as built:
            widget.build_button.click()
        doc = runs.load_document(demo_db.sessions, built.args[0])
        assert doc.members and doc.segment == segments.find_template(key).zh
        assert [s.name for s in segments.list_segments(demo_db.sessions)] == [key]
        runner.announce(changed("segments"))
        qtbot.waitUntil(lambda: widget.segment.itemData(0) == key
                        and widget.segment.count() == len(keys) + 1, timeout=5000)
        offered = [widget.segment.itemData(i) for i in range(widget.segment.count())]
        # The saved template first, a separator (no data), then the others, each once.
        assert offered == [key, None, *(k for k in keys if k != key)]
        assert widget.segment.currentData() == key  # the choice stays
        widget.refresh_history()
        qtbot.waitUntil(lambda: widget.history.rowCount() == 1, timeout=5000)
        assert empty_text(widget.history) == ""
    finally:
        shut_down(widget, runner)


def test_a_long_name_is_cut_short_in_the_run_and_whole_in_its_tooltip(qtbot, view, demo_db):
    """A company's name pushed the best time off step 2: names end in "…" past six
    characters' room; the tooltip holds the whole name."""
    from models import Customer, Vehicle
    from services.lists import build
    from ui.widgets import name_room

    long = "宁波市新锐信息技术股份有限公司（宋辰燕）"
    with demo_db.sessions.begin() as s:
        c = Customer(code="CX1", name=long, mobile="13511112222")
        s.add(c)
        s.flush()
        s.add(Vehicle(customer_id=c.id, brand="本田", model="雅阁", plate="粤B00001"))
    segments.save_segment(demo_db.sessions, "宁波公司", {"version": 1, "where": {
        "field": "name", "op": "contains", "value": "新锐"}})
    run_id = build.build_run(demo_db.sessions, "宁波公司",
                             build.RunOptions(channel="call", as_of=DEMO_TODAY)).run_id
    with qtbot.waitSignal(view.run_built, timeout=10000):
        view.open_run(run_id)
    model = view.members.model()
    assert model.index(0, 1).data() == long
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == long
    room = name_room(view.members)
    assert view.members.columnWidth(1) == room
    assert view.members.horizontalHeader().length() <= view.members.viewport().width() + 1
