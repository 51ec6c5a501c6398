"""A run's files are the same from the window and from `list print`: both call the one writer
(services/outputs/run_files.py). And the window says why it makes no SMS file of a run that
has nobody on SMS."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import threading
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import delete

from models import AppSetting
from services.demo import DEMO_PASSWORD
from services.demo import generator as demo
from services.lists import build, runs
from services.outputs import run_files, sms
from services.segments import service as segments
from services.store.settings import load_settings, load_settings_versions, save_settings
from tests.ui.conftest import DEMO_TODAY, demo_account, shut_down
from ui.cli import run as cli
from ui.tasks import TaskRunner
from ui.views.list_outputs import ListOutputs

TEXT = "{称呼}您好，您的{车型}（{车牌}）保养到期了。"
SEND_AT = "2026-11-24T10:00"


def _run(demo_db, channel: str) -> int:
    segments.save_segment(
        demo_db.sessions,
        "5年以上车主",
        {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}},
        purpose="care",
    )
    options = build.RunOptions(channel=channel, as_of=DEMO_TODAY)
    return build.build_run(demo_db.sessions, "5年以上车主", options).run_id


@pytest.fixture
def outputs(qtbot, demo_db):
    """The outputs panel on the database, as the window has it (the call sheet's briefs are
    read from it); `open(run_id)` shows a run in it, SMS text and time as below."""
    runner = TaskRunner()
    widget = ListOutputs(runner, sessions=demo_db.sessions)
    qtbot.addWidget(widget)

    def open_run(run_id: int) -> ListOutputs:
        widget.set_document(runs.load_document(demo_db.sessions, run_id),
                            load_settings(demo_db.sessions))
        widget.sms_text.setPlainText(TEXT)
        widget.send_at.setDateTime(QDateTime(QDate(2026, 11, 24), QTime(10, 0)))  # SEND_AT
        return widget

    yield open_run
    shut_down(widget, runner)


def _sheet_rows(path: Path) -> list[tuple]:
    return [tuple(r) for ws in openpyxl.load_workbook(path, read_only=True).worksheets
            for r in ws.iter_rows(values_only=True)]


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def confirmed_save(qtbot, monkeypatch, panel, button, path) -> list[str]:
    """Click `button` answering No to the question it asks first (nothing is written), then
    again answering Yes, until `path` is written: the questions asked."""
    path.parent.mkdir()
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr("ui.views.list_outputs.QMessageBox.question",
                        lambda _p, _t, text: asked.append(text) or answers.pop(0))
    monkeypatch.setattr("ui.views.list_outputs.ask_save_path", lambda *_args: str(path))
    button.click()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    assert os.listdir(path.parent) == []  # No: nothing written
    with qtbot.waitSignal(panel.written, timeout=30000):
        button.click()
    return asked


def refused_save(qtbot, monkeypatch, button, path) -> str:
    """Click `button` to save to `path`, which must be refused: the error shown (nothing is
    written)."""
    errors: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text: errors.append(text))
    monkeypatch.setattr("ui.views.list_outputs.ask_save_path", lambda *_args: str(path))
    button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert not path.exists()
    return errors[0]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")
@pytest.mark.parametrize(("fmt", "window_files"), [
    ("xlsx", {"week.xlsx": run_files.CALL_LIST, "week-mail.xlsx": run_files.MAIL_LIST,
              "week-sms.xlsx": run_files.SMS_FILE, "week-wechat.xlsx": run_files.WECHAT_LIST}),
    ("pdf", {"week.pdf": run_files.CALL_SHEET, "week-mail.pdf": run_files.LABELS,
             "week-sms.xlsx": run_files.SMS_FILE, "week-wechat.xlsx": run_files.WECHAT_LIST}),
])
def test_the_window_and_the_cli_write_the_same_files(qtbot, demo_db, outputs, tmp_path, fmt,
                                                      window_files, monkeypatch):
    run_id = _run(demo_db, "auto")
    doc = runs.load_document(demo_db.sessions, run_id)
    assert all(doc.of_channel(c) for c in ("call", "mail", "sms"))
    by_cli, by_window = tmp_path / "cli", tmp_path / "window"
    by_cli.mkdir()
    by_window.mkdir()
    # The supervisor: files with full mobiles, as the window writes them.
    monkeypatch.setenv("REVISIT_PASSWORD", DEMO_PASSWORD)
    assert cli(["--db", demo_db.url, "--user", "supervisor", "list", "print", str(run_id),
                "--format", fmt,
                "--out", str(by_cli / f"week.{fmt}"), "--sms-template", TEXT,
                "--send-at", SEND_AT]) == 0

    panel = outputs(run_id)
    for name, kind in window_files.items():
        with qtbot.waitSignal(panel.written, timeout=30000):
            panel.save(kind, str(by_window / name))

    assert sorted(os.listdir(by_cli)) == sorted(os.listdir(by_window)) == sorted(window_files)
    counts = {"call": len(doc.of_channel("call")), "mail": len(doc.of_channel("mail"))}
    for name in window_files:
        a, b = by_cli / name, by_window / name
        if name.endswith(".pdf"):
            assert _pdf_text(a) == _pdf_text(b) and _pdf_text(a).strip()
            assert a.read_bytes() == b.read_bytes()  # invariant PDFs: same run, same bytes
        else:
            assert _sheet_rows(a) == _sheet_rows(b)
    if fmt == "xlsx":
        assert len(_sheet_rows(by_window / "week.xlsx")) - 1 == counts["call"]
        assert len(_sheet_rows(by_window / "week-mail.xlsx")) - 1 == counts["mail"]
        sms_rows = [r for r in _sheet_rows(by_window / "week-sms.xlsx")[1:] if any(r)]
        assert 0 < len(sms_rows) <= len(doc.of_channel("sms"))
    else:
        sheet = _pdf_text(by_window / "week.pdf")
        assert all(m.row_code in sheet for m in doc.of_channel("call"))
        assert not any(m.row_code in sheet for m in doc.of_channel("sms"))


def test_the_window_says_a_run_without_sms_members_has_no_sms_file(qtbot, demo_db, outputs,
                                                                     tmp_path, monkeypatch):
    run_id = _run(demo_db, "call")
    warned: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text: warned.append(text))
    panel = outputs(run_id)
    saved: list[str] = []
    panel.written.connect(saved.append)
    folder = tmp_path / "out"
    folder.mkdir()
    panel.save(run_files.SMS_FILE, str(folder / "sms.xlsx"))
    qtbot.waitUntil(lambda: bool(warned), timeout=10000)
    assert f"Nobody in list #{run_id} is to be sent an SMS" in warned[0]
    assert saved == [] and os.listdir(folder) == []


def _estimate_shown(qtbot, panel: ListOutputs):
    """Wait for the SMS preview to show an estimate (or why there is none)."""
    qtbot.waitUntil(lambda: not panel.sms_preview.timer.isActive()
                    and not panel.runner.busy, timeout=10000)
    return panel.sms_preview.estimate


def test_the_sms_preview_and_confirmation_show_what_the_file_then_holds(
        qtbot, demo_db, outputs, tmp_path, monkeypatch):
    run_id = _run(demo_db, "sms")
    panel = outputs(run_id)
    shown = _estimate_shown(qtbot, panel)
    assert panel.previews.currentWidget() is panel.sms_preview  # a run of texts only
    assert shown is not None and shown.messages > 0
    table = panel.sms_preview.table
    assert table.rowCount() == min(10, shown.messages)
    assert table.item(0, 1).text() == shown.first[0].message
    first = table.item(0, 1).text()
    assert first.startswith("【示范汽车】") and first.endswith("回T退订")  # the demo's signature
    assert panel.sms_preview.summary.text().startswith(
        f"{shown.messages} messages, {shown.parts} billed parts: about ¥{shown.cost} at "
        f"¥0.045 per part")

    # Typing changes the estimate once typing pauses: an emoji is flagged and counts two.
    panel.sms_text.moveCursor(panel.sms_text.textCursor().MoveOperation.End)
    panel.sms_text.insertPlainText("🚗")  # as typed (keyClicks types ASCII only)
    typed = _estimate_shown(qtbot, panel)
    assert typed is not shown and typed.flagged_messages == typed.messages
    # Two for the emoji, one for the comma now between the message and 回T退订.
    assert typed.first[0].length == shown.first[0].length + 3
    assert typed.first[0].message.endswith("🚗，回T退订")
    assert "hold characters a vendor may reject" in panel.sms_preview.warnings.text()
    assert table.item(0, 4).text() == "May be rejected: 🚗"

    # Save: the figures are confirmed first; No writes nothing, Yes writes what was shown.
    folder = tmp_path / "out"
    asked = confirmed_save(qtbot, monkeypatch, panel, panel.save_sms, folder / "sms.xlsx")
    assert len(asked) == 2
    assert asked[1].startswith(f"{typed.messages} messages, {typed.parts} billed parts: "
                               f"about ¥{typed.cost}")
    assert asked[1].endswith("Write the SMS vendor file now?")
    rows = [r for r in _sheet_rows(folder / "sms.xlsx")[1:] if any(r)]
    assert len(rows) == typed.messages and sum(r[5] for r in rows) == typed.parts
    assert rows[0][3] == typed.first[0].message
    assert f"about ¥{typed.cost}" in panel.status.text()


def test_a_bad_template_is_explained_in_the_preview_and_nothing_is_written(
        qtbot, demo_db, outputs, tmp_path, monkeypatch):
    run_id = _run(demo_db, "sms")
    panel = outputs(run_id)
    _estimate_shown(qtbot, panel)
    panel.sms_text.setPlainText("{姓名}您好，{生日快乐}")
    assert _estimate_shown(qtbot, panel) is None
    assert "生日快乐" in panel.sms_preview.warnings.text()
    assert panel.sms_preview.table.rowCount() == 0
    assert "生日快乐" in refused_save(qtbot, monkeypatch, panel.save_sms, tmp_path / "never.xlsx")


def test_a_run_without_sms_members_says_so_before_asking_for_a_file(
        qtbot, demo_db, outputs, monkeypatch):
    run_id = _run(demo_db, "call")
    panel = outputs(run_id)
    assert _estimate_shown(qtbot, panel) is None
    assert panel.sms_preview.warnings.text() == "Nobody in this list is to be sent an SMS."
    assert panel.previews.currentWidget() is panel.sheet  # the call sheet
    assert panel.sheet.currentWidget() is not panel.no_call_sheet
    warned: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text: warned.append(text))
    monkeypatch.setattr("ui.views.list_outputs.ask_save_path",
                        lambda *_args: pytest.fail("asked for a file that cannot be made"))
    panel.save_sms.click()
    assert warned and f"Nobody in list #{run_id} is to be sent an SMS" in warned[0]


def test_writing_a_file_shows_how_far_it_is_and_cancel_stops_it(qtbot, demo_db, outputs,
                                                                tmp_path, monkeypatch):
    run_id = _run(demo_db, "call")
    calls = len(runs.load_document(demo_db.sessions, run_id).of_channel("call"))
    panel = outputs(run_id)
    told: list[tuple[str, int, int]] = []
    panel.runner.progress.connect(lambda label, done, total: told.append((label, done, total)))
    folder = tmp_path / "files"
    folder.mkdir()
    out = folder / "calls.xlsx"
    with qtbot.waitSignal(panel.written, timeout=30000):
        panel.save(run_files.CALL_LIST, str(out))
    steps = [(done, total) for label, done, total in told if total and str(out) in label]
    assert steps and steps[-1] == (calls, calls)  # the bar went up to every call

    # Cancel clicked before the sheet's first row: nothing written, last week's file kept.
    sheet = folder / "sheet.pdf"
    sheet.write_bytes(b"last week's sheet")
    gate, real = threading.Event(), run_files._check

    def held(*args):
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(run_files, "_check", held)
    written: list = []
    panel.written.connect(written.append)
    panel.save(run_files.CALL_SHEET, str(sheet))
    panel.runner.cancel_all()
    gate.set()
    qtbot.waitUntil(lambda: not panel.runner.busy, timeout=30000)
    assert written == [] and sheet.read_bytes() == b"last week's sheet"
    assert sorted(p.name for p in folder.iterdir()) == ["calls.xlsx", "sheet.pdf"]


def test_a_name_typed_in_the_dialog_gets_its_file_s_ending(qtbot, demo_db, outputs, tmp_path,
                                                           monkeypatch):
    """A dialog keeps 第49周.12.07 as typed: the file is 第49周.12.07.pdf (not 第49周.12.pdf),
    an Excel list typed without an ending gets .xlsx, and a Word name is refused."""
    panel = outputs(_run(demo_db, "call"))
    folder = tmp_path / "files"
    folder.mkdir()
    for button, typed, made in ((panel.save_pdf, "第49周.12.07", "第49周.12.07.pdf"),
                                (panel.save_call_xlsx, "电话名单", "电话名单.xlsx"),
                                (panel.save_call_xlsx, "名单.CSV", "名单.csv")):
        monkeypatch.setattr("ui.views.list_outputs.ask_save_path",
                            lambda *_args, typed=typed: str(folder / typed))
        with qtbot.waitSignal(panel.written, timeout=30000):
            button.click()
        assert (folder / made).stat().st_size > 0
    assert (folder / "第49周.12.07.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(os.listdir(folder)) == ["名单.csv", "电话名单.xlsx", "第49周.12.07.pdf"]
    error = refused_save(qtbot, monkeypatch, panel.save_pdf, folder / "回访单.docx")
    assert "回访单.docx" in error and ".docx" in error
    assert sorted(os.listdir(folder)) == ["名单.csv", "电话名单.xlsx", "第49周.12.07.pdf"]


def test_the_name_proposed_is_one_every_pc_can_save(qtbot, demo_db, outputs, monkeypatch):
    """A segment named with a slash or a colon (Windows refuses those in a file name, and a
    slash would start the dialog in a folder that is not there): "_" in their place."""
    segments.save_segment(demo_db.sessions, "2026/12: 保养到期?", {
        "version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}},
        purpose="care")
    run_id = build.build_run(demo_db.sessions, "2026/12: 保养到期?",
                             build.RunOptions(channel="call", as_of=DEMO_TODAY)).run_id
    panel = outputs(run_id)
    proposed: list[str] = []
    monkeypatch.setattr("ui.views.list_outputs.ask_save_path",
                        lambda _parent, _kind, name, *_rest: proposed.append(name) or "")
    panel.save_pdf.click()
    panel.save_call_xlsx.click()
    assert proposed == [f"2026_12_ 保养到期_-{DEMO_TODAY:%Y%m%d}-{run_id}-回访单.pdf",
                        f"2026_12_ 保养到期_-{DEMO_TODAY:%Y%m%d}-{run_id}-电话名单.xlsx"]


def test_what_would_refuse_a_file_is_said_before_anything_is_asked(
        qtbot, demo_db, demo_staff, demo_supervisor, monkeypatch):
    run_id = _run(demo_db, "auto")
    doc, settings = runs.load_document(demo_db.sessions, run_id), load_settings(demo_db.sessions)
    assert settings.shop_address == ""  # the demo's shop has no return address
    warned: list[str] = []
    asked: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text: warned.append(text))
    monkeypatch.setattr("ui.views.list_outputs.ask_save_path",
                        lambda *_args: asked.append("where") or "")
    monkeypatch.setattr("ui.views.list_outputs.QMessageBox.question",
                        lambda *_args: asked.append("confirm") or QMessageBox.StandardButton.No)
    runner = TaskRunner()
    panels = []
    for actor in (demo_staff, demo_supervisor):
        panel = ListOutputs(runner, sessions=demo_db.sessions, actor=actor)
        qtbot.addWidget(panel)
        panel.set_document(doc, settings)
        panel.sms_text.setPlainText(TEXT)
        panels.append(panel)
    staff, supervisor = panels
    # Staff: the SMS vendor file (full mobiles) is not theirs: its button is disabled and says
    # why; what it would do is refused before it is counted or confirmed.
    assert not staff.save_sms.isEnabled() and "Only a supervisor" in staff.save_sms.toolTip()
    staff._on_save_sms_clicked()
    assert len(warned) == 1 and "陈丽" in warned[0] and asked == []
    # Envelopes without the shop's return address: said before a file name is asked.
    supervisor.layout_box.setCurrentIndex(supervisor.layout_box.findData("envelope-dl"))
    supervisor.save_labels.click()
    assert len(warned) == 2 and "return address" in warned[1] and asked == []
    # A sending time outside the window: said before the figures are confirmed.
    supervisor.send_at.setDateTime(QDateTime(QDate(2026, 11, 24), QTime(21, 30)))
    supervisor.save_sms.click()
    assert len(warned) == 3 and "between 08:00 and 20:00" in warned[2] and asked == []
    # A time that can be sent at: counted, then confirmed (No here).
    supervisor.send_at.setDateTime(QDateTime(QDate(2026, 11, 24), QTime(10, 0)))
    supervisor.save_sms.click()
    qtbot.waitUntil(lambda: asked == ["confirm"], timeout=10000)
    assert len(warned) == 3
    runner.wait()


@pytest.fixture
def never_saved(database):
    """`database` (both databases) with demo customers but the shop's name and SMS signature
    never saved, as in a new database."""
    demo.generate(database, 150, seed=7, today=DEMO_TODAY)
    with database.sessions.begin() as s:
        s.execute(delete(AppSetting).where(AppSetting.key.in_(demo.DEMO_SETTINGS)))
    return database


@pytest.fixture
def panel_on(never_saved):
    """An outputs panel of the demo supervisor on that database, ended before it goes."""
    runner = TaskRunner()
    panel = ListOutputs(runner, sessions=never_saved.sessions,
                        actor=demo_account(never_saved, "supervisor"))
    yield panel
    shut_down(panel, runner)


def test_an_sms_file_without_the_shops_signature_is_refused_until_it_is_entered(
        qtbot, never_saved, panel_on, tmp_path, monkeypatch):
    """The window says which setting to fill in before a file name is asked, and the file
    written once it is entered carries that signature."""
    settings = load_settings(never_saved.sessions)
    assert (settings.shop_name, settings.sms_signature) == ("", "")
    doc = runs.load_document(never_saved.sessions, _run(never_saved, "sms"))
    panel = panel_on
    panel.set_document(doc, settings)
    panel.sms_text.setPlainText(TEXT)
    panel.send_at.setDateTime(QDateTime(QDate(2026, 11, 24), QTime(10, 0)))
    sentence = ("Set the shop's SMS signature in Settings first (the SMS vendor sends only "
                "texts signed with your registered signature, such as 【店名】); no SMS file "
                "is made without it.")
    assert sms.NO_SIGNATURE == sentence
    assert _estimate_shown(qtbot, panel) is None
    assert panel.sms_preview.warnings.text() == sentence
    warned: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text: warned.append(text))
    monkeypatch.setattr("ui.views.list_outputs.ask_save_path",
                        lambda *_args: pytest.fail("asked for a file that cannot be made"))
    panel.save_sms.click()
    assert warned == [sentence]

    loaded = load_settings_versions(never_saved.sessions)
    save_settings(never_saved.sessions, dataclasses.replace(
        loaded.settings, sms_signature="【某某丰田】"), panel.actor, loaded)
    panel.set_document(doc, load_settings(never_saved.sessions))
    _estimate_shown(qtbot, panel)
    target = tmp_path / "out" / "sms.xlsx"
    confirmed_save(qtbot, monkeypatch, panel, panel.save_sms, target)
    rows = [r for r in _sheet_rows(target)[1:] if any(r)]
    assert rows and all(r[3].startswith("【某某丰田】") for r in rows)


def test_the_sending_time_proposed_is_inside_the_window(qtbot, demo_db):
    run_id = _run(demo_db, "sms")
    panel = ListOutputs(TaskRunner(), sessions=demo_db.sessions)
    qtbot.addWidget(panel)
    settings = load_settings(demo_db.sessions)
    for typed, proposed in (((6, 10), (2026, 11, 24, 8, 0)), ((19, 59), (2026, 11, 24, 19, 59)),
                            ((20, 0), (2026, 11, 25, 8, 0))):
        panel.send_at.setDateTime(QDateTime(QDate(2026, 11, 24), QTime(*typed)))
        panel.set_document(runs.load_document(demo_db.sessions, run_id), settings)
        got = panel.send_at.dateTime()
        assert (got.date().year(), got.date().month(), got.date().day(), got.time().hour(),
                got.time().minute()) == proposed


def test_the_previews_scratch_folder_goes_with_the_panel_and_a_killed_ones_a_day_on(
        qtbot, demo_db, tmp_path, monkeypatch):
    import tempfile
    import time

    import shiboken6

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    left = tmp_path / "revisit-preview-killed"  # a killed program's, with a previewed sheet
    left.mkdir()
    (left / "call-sheet-3.pdf").write_bytes(b"%PDF full mobiles")
    day_ago = time.time() - 25 * 3600
    for made in (left / "call-sheet-3.pdf", left):  # nothing in it changed for a day
        os.utime(made, (day_ago, day_ago))
    running = tmp_path / "revisit-preview-running"  # another window's, in use
    running.mkdir()
    run_id = _run(demo_db, "call")
    runner = TaskRunner()
    panel = ListOutputs(runner, sessions=demo_db.sessions)
    assert not left.exists() and running.exists()
    panel.set_document(runs.load_document(demo_db.sessions, run_id),
                       load_settings(demo_db.sessions))
    done: list[object] = []
    panel.preview(then=lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    [mine] = [p for p in tmp_path.glob("revisit-preview-*") if p != running]
    assert list(mine.iterdir()) == [mine / f"call-sheet-{run_id}.pdf"]
    runner.wait()
    panel.pdf.close()
    shiboken6.delete(panel)
    assert not mine.exists() and running.exists()


def test_the_sms_text_starts_from_the_lists_purpose_until_staff_change_it(qtbot, demo_db):
    runner = TaskRunner()
    widget = ListOutputs(runner, sessions=demo_db.sessions)
    qtbot.addWidget(widget)
    settings = load_settings(demo_db.sessions)
    care = runs.load_document(demo_db.sessions, _run(demo_db, "sms"))
    assert care.purpose == "care"
    widget.set_document(care, settings)
    assert widget.sms_text.toPlainText() == sms.DEFAULT_TEXTS["care"] != sms.default_text("")
    thanks = dataclasses.replace(care, purpose="ref_thanks")
    widget.set_document(thanks, settings)
    assert "感谢您向亲友推荐" in widget.sms_text.toPlainText()
    # What staff typed stays from one list to the next.
    widget.sms_text.setPlainText(TEXT)
    widget.set_document(care, settings)
    assert widget.sms_text.toPlainText() == TEXT
    shut_down(widget, runner)


def test_an_offer_sent_from_a_list_not_made_to_sell_is_warned_about(qtbot, demo_db, outputs,
                                                                     tmp_path, monkeypatch):
    # Only a marketing list starts from a text that offers something.
    assert [p for p, t in sms.DEFAULT_TEXTS.items() if sms.offer_words(t)] == []
    assert sms.offer_words("{称呼}您好，{车型|爱车}保养享8折优惠，限时赠送洗车") == (
        "优惠", "赠送", "限时")
    care = outputs(_run(demo_db, "sms"))  # a care list: refusals of marketing stay in it
    _estimate_shown(qtbot, care)
    care.sms_text.setPlainText("{称呼}您好，保养享8折优惠，欢迎预约。")
    _estimate_shown(qtbot, care)
    asked = confirmed_save(qtbot, monkeypatch, care, care.save_sms, tmp_path / "a" / "s.xlsx")
    assert "reads as an offer (优惠), but the list was made for “Care”" in asked[0]
    # The reminder says nothing of the kind.
    care.sms_text.setPlainText(TEXT)
    _estimate_shown(qtbot, care)
    asked = confirmed_save(qtbot, monkeypatch, care, care.save_sms, tmp_path / "b" / "s.xlsx")
    assert "offer" not in asked[0]
