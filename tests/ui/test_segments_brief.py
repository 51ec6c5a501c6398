"""The Segments preview opens a customer's pre-call brief from its context menu, in the same
dialog as the Lists area: the brief the service reads for that customer."""

from __future__ import annotations

from services.customers.brief import load_brief
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.tasks import TaskRunner
from ui.views.brief_actions import BriefDialog
from ui.views.segments_view import SegmentsView


def test_the_preview_opens_a_customers_brief(qtbot, demo_db):
    runner = TaskRunner()
    view = SegmentsView(demo_db, runner)
    view.as_of.setDate(DEMO_TODAY)
    view.resize(1366, 700)
    view.show()
    qtbot.waitUntil(lambda: view._clean is not None, timeout=5000)
    view.editor.set_data({"version": 1, "where": {"field": "years_since_purchase", "op": ">=",
                                                  "value": 3}})
    view._count_timer.stop()
    view.refresh_count()
    qtbot.waitUntil(lambda: not runner.busy and view.preview.rowCount() > 2, timeout=10000)
    [action] = view.preview.actions()
    view.preview.selectRow(2)
    action.trigger()
    opened = lambda: [d for d in view.findChildren(BriefDialog) if d.isVisible()]  # noqa: E731
    qtbot.waitUntil(lambda: len(opened()) == 1 and opened()[0].view.brief is not None,
                    timeout=10000)
    dialog = opened()[0]
    assert dialog.view.brief == load_brief(demo_db.sessions, view._preview_ids[2])
    assert view.preview.item(2, 1).text() in dialog.windowTitle()
    dialog.close()
    assert view.open_preview_brief(-1) is None  # nothing chosen: nothing opens
    shut_down(view, runner)
