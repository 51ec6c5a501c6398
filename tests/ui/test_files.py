"""Files where staff keep them: the export folder, the last folder per kind of file, Qt's own
dialogs in Chinese, and "Open file" / "Open folder" after a save."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDir, QLocale, QStandardPaths, Qt, QTranslator, QUrl
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel

from services.lists import build, runs
from services.segments import service as segments
from services.staff.permissions import Actor
from services.store.settings import load_settings
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui import files
from ui.notice import NoticeBar
from ui.tasks import TaskRunner
from ui.views.list_outputs import ListOutputs
from ui.views.segments_view import SegmentsView
from ui.views.settings_view import SettingsView


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """A home folder of its own, so Documents\\Revisit is created there and not on the PC."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    return folder


class FakeDialog:
    """Stands in for QFileDialog's static getters: records where each dialog started and
    answers with the next path in `answers`."""

    def __init__(self, monkeypatch, *answers: str) -> None:
        self.answers = list(answers)
        self.started_in: list[str] = []
        for name in ("getSaveFileName", "getOpenFileName"):
            monkeypatch.setattr(QFileDialog, name, self._file)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)

    def _file(self, _parent, _caption, start, _filters, *args, **kwargs):
        self.started_in.append(start)
        return self.answers.pop(0), ""

    def _folder(self, _parent, _caption, start, *args, **kwargs):
        self.started_in.append(start)
        return self.answers.pop(0)


def test_default_export_folder_is_documents_revisit(monkeypatch, home):
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(documents) == home / "Documents"
    expected = home / "Documents" / "Revisit"
    assert Path(files.export_folder()) == expected
    assert not expected.exists()  # asking where it is does not create it

    dialog = FakeDialog(monkeypatch, "")
    assert files.ask_save_path(None, "call_sheet", "回访单.pdf", "PDF (*.pdf)") == ""
    assert Path(dialog.started_in[0]) == expected / "回访单.pdf"
    assert expected.is_dir()  # created when first needed
    assert files.last_folder("call_sheet") == ""  # a cancelled dialog remembers nothing


def test_last_folder_is_remembered_per_kind(monkeypatch, tmp_path):
    usb, shared = tmp_path / "usb", tmp_path / "shared"
    usb.mkdir()
    shared.mkdir()
    dialog = FakeDialog(
        monkeypatch,
        str(usb / "电话名单.xlsx"),
        str(usb / "邮寄名单.xlsx"),
        str(shared / "标签.pdf"),
        str(shared / "老客户.json"),
        str(shared / "老客户.json"),
    )
    export = Path(files.export_folder())
    files.ask_save_path(None, "excel_list", "电话名单.xlsx", "Excel (*.xlsx)")
    files.ask_save_path(None, "excel_list", "邮寄名单.xlsx", "Excel (*.xlsx)")
    files.ask_save_path(None, "labels", "标签.pdf", "PDF (*.pdf)")
    files.ask_open_path(None, "segment_json", "JSON (*.json)")
    files.ask_save_path(None, "segment_json", "老客户.json", "JSON (*.json)")
    assert [Path(p) for p in dialog.started_in] == [
        export / "电话名单.xlsx",  # nothing remembered yet
        usb / "邮寄名单.xlsx",  # the same kind: where the last Excel list went
        export / "标签.pdf",  # another kind is not moved by the Excel lists
        export,
        shared / "老客户.json",  # opening and saving segments share one folder
    ]
    assert Path(files.last_folder("excel_list")) == usb
    assert Path(files.last_folder("labels")) == shared

    usb.rmdir()  # the USB stick was taken out
    assert files.start_folder("excel_list") == files.export_folder()


# The export folder is this PC's: anyone signed in chooses it.
CLERK = Actor(1, "chenli", "clerk", "陈丽")


def test_settings_view_changes_the_export_folder(qtbot, sqlite_database, monkeypatch, tmp_path):
    chosen = tmp_path / "营销文件"
    chosen.mkdir()
    dialog = FakeDialog(monkeypatch, str(chosen), "")
    runner = TaskRunner()
    view = SettingsView(sqlite_database, runner, CLERK)
    qtbot.addWidget(view)
    assert view.export_folder.isReadOnly()
    assert view.export_folder.text() == QDir.toNativeSeparators(files.default_export_folder())

    qtbot.mouseClick(view.choose_folder, Qt.MouseButton.LeftButton)
    assert Path(dialog.started_in[0]) == Path(files.default_export_folder())
    assert view.export_folder.text() == QDir.toNativeSeparators(str(chosen))
    assert Path(files.export_folder()) == chosen
    assert files.start_folder("sms") == str(chosen)

    qtbot.mouseClick(view.choose_folder, Qt.MouseButton.LeftButton)  # cancelled
    assert Path(files.export_folder()) == chosen
    assert view.export_folder.text() == QDir.toNativeSeparators(str(chosen))
    fresh = SettingsView(sqlite_database, runner, CLERK)  # stored for this PC, not this window
    qtbot.addWidget(fresh)
    assert fresh.export_folder.text() == QDir.toNativeSeparators(str(chosen))
    runner.wait()


@pytest.fixture
def chinese(qapp):
    from ui.app import install_translators

    before = set(qapp.findChildren(QTranslator))
    locale = QLocale()
    install_translators(qapp, "zh_CN")
    yield
    for translator in set(qapp.findChildren(QTranslator)) - before:
        QCoreApplication.removeTranslator(translator)
        translator.deleteLater()
    QLocale.setDefault(locale)


def test_qt_file_dialog_speaks_chinese(qtbot, chinese):
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "文件名称(&N)："
    dialog = QFileDialog(None, "", "", "PDF (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLabel, "fileNameLabel").text() == "文件名称(&N)："
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    texts = {b.text() for b in buttons.buttons()}
    assert texts == {"保存(&S)", "取消"}


@pytest.fixture
def outputs(qtbot, demo_db):
    segments.save_segment(
        demo_db.sessions,
        "5年以上车主",
        {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}},
        purpose="sales",
    )
    summary = build.build_run(
        demo_db.sessions, "5年以上车主", build.RunOptions(channel="call", as_of=DEMO_TODAY)
    )
    runner = TaskRunner()
    widget = ListOutputs(runner)
    qtbot.addWidget(widget)
    widget.set_document(
        runs.load_document(demo_db.sessions, summary.run_id), load_settings(demo_db.sessions)
    )
    yield widget
    shut_down(widget, runner)


def test_saved_list_offers_open_file_and_open_folder(qtbot, outputs, monkeypatch, tmp_path):
    target = tmp_path / "名单" / "calls.xlsx"
    target.parent.mkdir()
    dialog = FakeDialog(monkeypatch, str(target))
    opened: list[QUrl] = []
    monkeypatch.setattr("ui.files.QDesktopServices.openUrl", lambda url: opened.append(url))

    with (
        qtbot.waitSignal(outputs.runner.notice, timeout=30000) as notice,
        qtbot.waitSignal(outputs.written, timeout=30000),
    ):
        qtbot.mouseClick(outputs.save_call_xlsx, Qt.MouseButton.LeftButton)
    assert Path(dialog.started_in[0]).parent == Path(files.export_folder())
    assert target.stat().st_size > 0
    assert "calls.xlsx" in notice.args[0].text
    assert "calls.xlsx" in outputs.status.text()
    labels = [label for label, _ in notice.args[0].actions]
    assert labels == ["Open file", "Open folder"]
    for _, action in notice.args[0].actions:
        action()
    assert opened == [QUrl.fromLocalFile(str(target)), QUrl.fromLocalFile(str(target.parent))]
    assert Path(files.last_folder("excel_list")) == target.parent

    bar = NoticeBar()
    qtbot.addWidget(bar)
    bar.show_notice(notice.args[0])
    assert [b.text() for b in bar._buttons] == labels


@pytest.fixture
def segments_view(qtbot, demo_db):
    segments.save_segment(demo_db.sessions, "老客户", {"version": 1, "where": None})
    runner = TaskRunner()
    widget = SegmentsView(demo_db, runner)
    qtbot.addWidget(widget)
    widget.reload_list("老客户")
    qtbot.waitUntil(lambda: widget._current_name == "老客户", timeout=5000)
    yield widget
    shut_down(widget, runner)


def test_exported_segment_offers_open_and_import_starts_there(
    qtbot, segments_view, demo_db, monkeypatch, tmp_path
):
    target = tmp_path / "细分" / "老客户.json"
    target.parent.mkdir()
    dialog = FakeDialog(monkeypatch, str(target), "")
    with qtbot.waitSignal(segments_view.runner.notice, timeout=10000) as notice:
        segments_view.export_button.click()
    assert target.read_text(encoding="utf-8") == segments.export_segment(demo_db.sessions, "老客户")
    assert "老客户.json" in notice.args[0].text
    assert [label for label, _ in notice.args[0].actions] == ["Open file", "Open folder"]

    segments_view._on_import()  # cancelled in the dialog: nothing imported
    assert Path(dialog.started_in[1]) == target.parent
    assert [s.name for s in segments.list_segments(demo_db.sessions)] == ["老客户"]
