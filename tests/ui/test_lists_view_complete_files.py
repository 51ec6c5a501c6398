"""The window finishes an unfinished run whose files are all at their names as written (a
`list build` killed after putting them in place, before marking the run) when it is opened;
one whose file changed since stays unfinished with its Finish button."""

from __future__ import annotations

from services.lists import build, runs
from services.outputs import run_files
from services.segments import service as segments
from services.store.settings import load_settings
from tests.ui.conftest import DEMO_TODAY
from tests.ui.test_lists_view import asked, view  # noqa: F401  (fixtures)


def _left_with_its_files(demo_db, name: str, out) -> int:
    """A run whose file was put in place, as `list build` does, and never marked finished."""
    segments.save_segment(demo_db.sessions, name, {"version": 1, "where": {
        "field": "years_since_purchase", "op": ">=", "value": 3}}, purpose="care")
    run_id = build.build_run(demo_db.sessions, name, build.RunOptions(
        channel="call", staff=("chenli",), as_of=DEMO_TODAY)).run_id
    runs.expect_files(demo_db.sessions, run_id, [out])
    run_files.write_run_file(runs.load_document(demo_db.sessions, run_id),
                             run_files.FileRequest(run_files.CALL_LIST, out),
                             load_settings(demo_db.sessions), sessions=demo_db.sessions)
    return run_id


def _open(qtbot, widget, run_id: int) -> None:
    with qtbot.waitSignal(widget.run_built, timeout=10000):
        widget.open_run(run_id)


def test_opening_a_run_whose_files_are_complete_finishes_it(qtbot, view, demo_db,  # noqa: F811
                                                           tmp_path):
    out = tmp_path / "calls.xlsx"
    run_id = _left_with_its_files(demo_db, "3年以上车主", out)
    assert not runs.run_info(demo_db.sessions, run_id).finished
    _open(qtbot, view, run_id)
    qtbot.waitUntil(lambda: runs.run_info(demo_db.sessions, run_id).finished, timeout=10000)
    qtbot.waitUntil(lambda: not view.finish_button.isVisible(), timeout=10000)
    assert "unfinished" not in view.summary.text()


def test_a_run_whose_file_changed_since_stays_unfinished(qtbot, view, demo_db,  # noqa: F811
                                                         tmp_path):
    out = tmp_path / "calls.xlsx"
    run_id = _left_with_its_files(demo_db, "3年以上车主", out)
    out.write_bytes(out.read_bytes() + b"\0")  # not the file the run wrote
    _open(qtbot, view, run_id)
    qtbot.wait(300)
    assert not runs.run_info(demo_db.sessions, run_id).finished
    assert view.finish_button.isVisible() and "unfinished" in view.summary.text()


def test_an_unfinished_run_a_later_one_replaced_says_so(qtbot, view, demo_db):  # noqa: F811
    """A run left unfinished, then built again and finished: the old one is shown replaced by
    the new one (no Finish button: finishing it would call its customers twice), and the new
    one names the old one it replaced."""
    segments.save_segment(demo_db.sessions, "3年以上车主", {"version": 1, "where": {
        "field": "years_since_purchase", "op": ">=", "value": 3}}, purpose="care")
    options = build.RunOptions(channel="call", staff=("chenli",), as_of=DEMO_TODAY)
    left = build.build_run(demo_db.sessions, "3年以上车主", options).run_id
    newer = build.build_run(demo_db.sessions, "3年以上车主", options).run_id
    assert runs.finish_run(demo_db.sessions, newer)
    _open(qtbot, view, left)
    assert not view.finish_button.isVisible()
    assert f"list #{newer}, made later from the same segment, has replaced it" in (
        view.summary.text())
    _open(qtbot, view, newer)
    assert f"It replaces list(s) #{left} of the same segment" in view.summary.text()
    view.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.history.rowCount() == 2, timeout=5000)
    states = {view.history.item(r, 0).text(): view.history.item(r, 7).text()
              for r in range(2)}
    assert states == {f"#{newer}": "written", f"#{left}": f"replaced by #{newer}"}
