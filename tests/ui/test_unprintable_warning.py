"""A call sheet whose names have characters no font on the computer has (𠮷, 😀 with no
fallback font) is still written and previewed, with □ in their place, and the panel says so at
once, naming who, in a message and in its status line; a sheet that prints as typed says
nothing more."""

from __future__ import annotations

import pytest

from services.outputs import fonts, run_files
from services.outputs.pdf_common import forget_fonts
from services.store.settings import Settings
from tests.services.test_outputs_files import doc
from tests.services.test_paper_glyphs import nasty
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.list_outputs import ListOutputs


@pytest.fixture
def no_fallback_font(monkeypatch):
    monkeypatch.setattr(fonts, "fallback_candidates", lambda: [])
    forget_fonts()
    yield
    monkeypatch.undo()
    forget_fonts()


@pytest.fixture
def panel(qtbot):
    runner = TaskRunner()
    widget = ListOutputs(runner)
    qtbot.addWidget(widget)
    yield widget
    shut_down(widget, runner)


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr("ui.views.list_outputs.QMessageBox.warning",
                        lambda _parent, _title, text: said.append(text))
    return said


def test_a_sheet_with_unprintable_names_is_saved_and_said(qtbot, panel, warnings, tmp_path,
                                                          no_fallback_font):
    panel.set_document(nasty("call"), Settings())
    path = tmp_path / "sheet.pdf"
    with qtbot.waitSignal(panel.written, timeout=30000):
        panel.save(run_files.CALL_SHEET, str(path))
    assert path.stat().st_size > 0
    assert len(warnings) == 1
    for part in ("sheet.pdf", "□", "9-0001", "U+20BB7", "9-0002", "U+1F600"):
        assert part in warnings[0], part
    assert warnings[0] in panel.status.text()

    panel.preview()  # the preview says it too
    qtbot.waitUntil(lambda: len(warnings) == 2, timeout=30000)
    assert "U+20BB7" in warnings[1]


def test_a_sheet_that_prints_as_typed_says_nothing_more(qtbot, panel, warnings, tmp_path):
    panel.set_document(doc(3), Settings())
    with qtbot.waitSignal(panel.written, timeout=30000):
        panel.save(run_files.CALL_SHEET, str(tmp_path / "plain.pdf"))
    assert warnings == []
    assert "□" not in panel.status.text()
