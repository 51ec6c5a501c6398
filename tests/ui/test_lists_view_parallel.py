"""The window's build of a segment another PC is making the list of at that moment (a real
main.py process on the same SQLite file): it waits for that build, then is refused naming who
made which run when, and stores nothing; the other run's calls stay in their callers' queues."""

from __future__ import annotations

import signal

from PySide6.QtCore import Qt
from sqlalchemy import select

from models import ListRun
from tests.test_list_build_parallel import Watched, _wait_stopped
from tests.ui.conftest import DEMO_TODAY
from tests.ui.test_lists_view import asked, view  # noqa: F401 - fixtures


def test_the_window_waits_for_another_pcs_build_of_the_segment_and_is_refused(
        qtbot, view, demo_db, monkeypatch, tmp_path):  # noqa: F811 - the fixture
    errors: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text: errors.append(text))
    other = Watched(str(demo_db.engine.url), "list", "build", "5年以上车主", "--channel", "call",
                    "--staff", "chenli", "--purpose", "sales", "--as-of",
                    DEMO_TODAY.isoformat(), "--format", "pdf", "--out", str(tmp_path / "pc1"),
                    paused=True)
    other.wait_for("holding the segment")  # stopped with the segment's lease, before it builds
    _wait_stopped(other.proc.pid)
    try:
        view.as_of.setDate(DEMO_TODAY)
        view.purpose.setCurrentIndex(view.purpose.findData("sales"))
        view.callers.item(0).setCheckState(Qt.CheckState.Checked)
        view.build_button.click()
        qtbot.wait(2000)
        assert errors == [] and not view.build_button.isEnabled()  # waiting, not refused
    finally:
        other.proc.send_signal(signal.SIGCONT)
    qtbot.waitUntil(lambda: bool(errors), timeout=60000)
    made = other.finish()
    assert made.returncode == 0, made.stderr
    with demo_db.sessions() as s:
        stored = s.execute(select(ListRun.id, ListRun.finished_at)).all()
    assert len(stored) == 1 and stored[0].finished_at is not None
    said = f"王主管 made list run #{stored[0].id} of the segment '5年以上车主' at "
    assert errors[0].startswith(said)
    assert "nothing was made here" in errors[0]
    qtbot.waitUntil(view.build_button.isEnabled, timeout=5000)
