"""The dashboard's contact figures click through, in the main window, to the Segments area: a bar
of contacts per week, a number of the staff table and of the headline open their customers as
an unsaved segment whose count equals the customers the figure's tooltip names; the builder's
form edits the new contact condition like any other. The window has focus and saved segments,
as at a desk: focus arriving in the saved list must not open one over the figure's filter."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import shiboken6
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox

from services.reports import behind
from services.segments import service as segments
from tests.ui.conftest import DEMO_TODAY

START, END = DEMO_TODAY - dt.timedelta(days=28), DEMO_TODAY - dt.timedelta(days=1)


SAVED = ("matrix.6-7.high", "rfm.important_value")


@pytest.fixture
def window(qtbot, demo_db, demo_supervisor):
    from services.segments import templates as tpl
    from ui.main_window import MainWindow

    # Saved segments, as every department has: the Segments area's list is not empty.
    segments.save_segment(demo_db.sessions, SAVED[0], tpl.matrix_cell_filter("6-7", "high"))
    segments.save_segment(demo_db.sessions, SAVED[1],
                          {"version": 1, "where": {"field": "rfm_class", "op": "=",
                                                   "value": "important_value"}})
    win = MainWindow(demo_db, demo_supervisor)
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(1366, 728)
    win.show()
    _active(qtbot, win)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=15000)
    yield win
    win.runner.cancel_all()
    assert win.runner.wait(30000)
    QApplication.processEvents()
    win.close()
    shiboken6.delete(win)


def _active(qtbot, win) -> None:
    """The window has the keyboard focus, as on a desk, so focus moves between widgets for
    real (offscreen, the window can lose it while the test waits)."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)


def _dashboard(qtbot, win):
    win._nav.setCurrentRow(win._pages.indexOf(win.reports))
    win.reports.start.setDate(QDate(START))
    win.reports.end.setDate(QDate(END))
    tab = win.reports.dashboard
    # Three steps: the quick figures, the rest, then the customers behind the contact figures.
    qtbot.waitUntil(lambda: tab.data is not None and tab.data.complete and bool(tab.data.behind)
                    and tab.data.start == START and tab.data.end == END, timeout=30000)
    return tab


def _shown_count(qtbot, win, customers: int) -> None:
    segs = win.segments
    qtbot.waitUntil(lambda: win._pages.currentWidget() is segs, timeout=5000)
    want = segs.tr("%Ln customer(s)", "", customers)
    qtbot.waitUntil(lambda: segs.count.text() == want, timeout=15000)


def _settled(qtbot, win) -> None:
    """Until nothing is left to arrive: background work and the builder's delayed count."""
    qtbot.waitUntil(lambda: not win.runner.busy
                    and not win.segments._count_timer.isActive(), timeout=15000)
    qtbot.wait(200)
    qtbot.waitUntil(lambda: not win.runner.busy
                    and not win.segments._count_timer.isActive(), timeout=15000)


def test_focus_arriving_never_opens_a_saved_segment_over_a_figure(qtbot, window):
    """The audit's case: the Segments area gets focus on its saved list, where Qt makes the
    first row current; that used to open the first saved segment in the background over the
    figure's filter (every other click). Three clicks, each must show the figure."""
    tab = _dashboard(qtbot, window)
    segs = window.segments
    qtbot.waitUntil(lambda: segs.saved.count() == len(SAVED), timeout=5000)
    figure = tab.data.rfm[0]
    for _ in range(3):
        window._nav.setCurrentRow(window._pages.indexOf(window.reports))
        _active(qtbot, window)
        window.reports.start.setFocus()  # the user has just typed the period's first day
        tab.rfm.grab()  # paints it, which lays out the bars' hit areas
        rect = next(h[0] for h in tab.rfm._hits if h[1:3] == (0, 0))
        qtbot.mouseClick(tab.rfm, Qt.MouseButton.LeftButton,
                         pos=QPoint(int(rect.center().x()), int(rect.center().y())))
        qtbot.waitUntil(lambda: window._pages.currentWidget() is segs, timeout=5000)
        _settled(qtbot, window)
        assert QApplication.focusWidget() is segs.saved  # where the area starts
        assert segs.name.text() == figure.label_en
        assert segs.editor.data()["where"]["and"] == [figure.filter["where"]]
        assert segs._current_name is None and not segs.saved.selectedItems()
        _shown_count(qtbot, window, figure.value)
    # Choosing a saved segment still opens it: by mouse, then by keyboard.
    item = segs.saved.item(1)
    qtbot.mouseClick(segs.saved.viewport(), Qt.MouseButton.LeftButton,
                     pos=segs.saved.visualItemRect(item).center())
    qtbot.waitUntil(lambda: segs.name.text() == SAVED[1], timeout=5000)
    _settled(qtbot, window)
    segs.saved.setFocus()
    qtbot.keyClick(segs.saved, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: segs.name.text() == SAVED[0], timeout=5000)
    assert segs._current_name == SAVED[0]


def test_a_weekly_bar_opens_its_customers_in_segments(qtbot, window):
    tab = _dashboard(qtbot, window)
    d = tab.data
    week = len(d.weeks) - 2  # a whole week
    channel = tab._week_channels.index("phone")
    key = behind.week_channel(d.weeks[week], "phone")
    opened = behind.opens(d, key)
    assert opened is not None and opened.customers
    contacts = next(c.value for c in d.per_week_channel
                    if c.key == d.weeks[week].isoformat() and c.sub == "phone")
    assert contacts >= opened.customers
    tab.weekly.grab()  # paints it, which lays out the bars' hit areas
    rect, _i, _s, tip = next(h for h in tab.weekly._hits if h[1:3] == (week, channel))
    assert str(opened.customers) in tip  # the tooltip says how many customers it opens
    qtbot.mouseClick(tab.weekly, Qt.MouseButton.LeftButton,
                     pos=QPoint(int(rect.center().x()), int(rect.center().y())))
    _shown_count(qtbot, window, opened.customers)
    segs = window.segments
    assert segs.editor.data()["where"]["and"] == [opened.filter["where"]]
    assert segs.name.text() == opened.label_en and segs.as_of.date().toPython() == END
    assert segments.count(window.database.sessions, segs.editor.data(),
                          END).customers == opened.customers


def test_staff_table_and_headline_numbers_open_their_customers(qtbot, window):
    tab = _dashboard(qtbot, window)
    d = tab.data
    row = next(r for r, w in enumerate(d.staff_work) if w.staff_id is not None
               and w.reached)
    # The reach-rate column opens the customers reached.
    opened = behind.opens(d, behind.staff(d.staff_work[row].staff_id, "reached"))
    assert opened is not None and opened.customers
    item = tab.staff.item(row, 3)
    assert re.search(rf"\b{opened.customers}\b", item.toolTip())
    rect = tab.staff.visualItemRect(item)
    qtbot.mouseClick(tab.staff.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    _shown_count(qtbot, window, opened.customers)
    # Back to the dashboard: the headline's "kept" number is a link to its customers.
    window._nav.setCurrentRow(window._pages.indexOf(window.reports))
    kept = behind.opens(d, behind.total("kept"))
    assert kept is not None and f'href="{kept.key}"' in tab.headline.text()
    tab.headline.linkActivated.emit(kept.key)  # what a click on the link sends
    _shown_count(qtbot, window, kept.customers or 0)
    assert window.segments.editor.data()["where"]["and"] == [kept.filter["where"]]


def test_the_builder_edits_the_contact_condition(qtbot, window):
    tab = _dashboard(qtbot, window)
    opened = behind.opens(tab.data, behind.total("attempts"))
    assert opened is not None
    tab._open_behind(opened.key)
    _shown_count(qtbot, window, opened.customers or 0)
    editor = window.segments.editor
    editor.tree.setCurrentItem(editor.tree.topLevelItem(0).child(0))
    assert editor.field.currentData() == "contact_date"
    assert editor.op.currentData() == "between"
    assert editor.value.value() == opened.filter["where"]["value"]
    # Untouched, the staff box reads anyone (0); the result box the figure's.
    staff, result = editor._param_widgets["staff"], editor._param_widgets["result"]
    assert isinstance(staff, QComboBox) and staff.currentData() == 0
    assert isinstance(result, QComboBox) and result.currentData() == "attempt"
    result.setCurrentIndex(result.findData("reached"))
    where = editor.data()["where"]["and"][0]
    assert where["params"]["result"] == "reached" and where["params"]["staff"] == 0
    reached = behind.opens(tab.data, behind.total("reached"))
    assert reached is not None
    _shown_count(qtbot, window, reached.customers or 0)


def test_a_complaint_age_bar_opens_the_customers_it_counts(qtbot, demo_db, window):
    """Each age bar counts customers by their oldest open complaint and opens exactly them
    (it used to open every customer with an open complaint, whatever the bar)."""
    from sqlalchemy import select

    from models import Complaint, Customer

    with demo_db.sessions.begin() as s:
        ids = s.scalars(select(Customer.id).order_by(Customer.id).limit(3)).all()
        for cid, opened in ((ids[0], END - dt.timedelta(days=2)),  # two open: 2 and 40 days
                            (ids[0], END - dt.timedelta(days=40)),
                            (ids[1], END - dt.timedelta(days=10)),
                            (ids[2], END - dt.timedelta(days=45))):
            s.add(Complaint(customer_id=cid, opened_date=opened, topic="等待太久"))
    tab = _dashboard(qtbot, window)
    ages = tab.data.complaints[2:]
    assert [f.key for f in ages] == ["0-6", "7-29", "30-89", "90+"]
    counted = {f.key: segments.count(window.database.sessions, f.filter, END).customers
               for f in ages}
    assert counted == {f.key: f.value for f in ages}
    assert counted["30-89"] >= 2 and counted["7-29"] >= 1  # ids[0] counts in 30-89 only
    tab.complaints.grab()
    band = 2  # 30–89 days
    rect, _i, _s, tip = next(h for h in tab.complaints._hits if h[1:3] == (band, 0))
    assert re.search(rf"\b{ages[band].value} customer\S* whose oldest open complaint", tip)
    qtbot.mouseClick(tab.complaints, Qt.MouseButton.LeftButton,
                     pos=QPoint(int(rect.center().x()), int(rect.center().y())))
    _shown_count(qtbot, window, ages[band].value)
    segs = window.segments
    assert segs.editor.data()["where"]["and"] == [ages[band].filter["where"]]
    assert segs.name.text() == ages[band].label_en
    segs.grab().save("/tmp/h17/segment-complaint-age.png")
