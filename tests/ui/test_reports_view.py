"""The Reports area: each tab shows what the services count, figures click through to their
customers as a segment, a supervisor sets targets, and the Monday report is written to disk."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import openpyxl
import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QPushButton

from services.reports import activity as reports
from services.reports import dashboard, kpi
from services.reports.kpi import Target
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.tasks import TaskRunner
from ui.views.report_targets import COL_KEPT_T
from ui.views.reports_view import TAB_ACTIVITY, TAB_DASHBOARD, TAB_EFFECT, TAB_TARGETS, ReportsView

START, END = DEMO_TODAY - dt.timedelta(days=28), DEMO_TODAY - dt.timedelta(days=1)


def _view(qtbot, db, actor=None) -> tuple[ReportsView, TaskRunner]:
    runner = TaskRunner()
    view = ReportsView(db, runner, actor=actor)
    view.resize(1200, 700)
    view.start.setDate(QDate(START))
    view.end.setDate(QDate(END))
    return view, runner


def test_week_table_matches_the_service_and_moves_by_week(qtbot, demo_db):
    runner = TaskRunner()
    view = ReportsView(demo_db, runner)
    view.tabs.setCurrentIndex(TAB_ACTIVITY)
    monday, _ = reports.week_of(DEMO_TODAY)
    view.start.setDate(QDate(monday.year, monday.month, monday.day).addDays(-7))
    view.end.setDate(QDate(monday.year, monday.month, monday.day).addDays(-1))
    qtbot.waitUntil(lambda: view.table.rowCount() > 0, timeout=5000)
    report = reports.activity(demo_db.sessions, view.start.date().toPython(),
                              view.end.date().toPython())
    qtbot.waitUntil(lambda: view.table.rowCount() == len(report.callers), timeout=5000)
    shown = {view.table.item(r, 0).text(): int(view.table.item(r, 1).text().replace(",", ""))
             for r in range(view.table.rowCount())}
    assert sum(shown.values()) == report.total
    # Attempts and the reach rate as the dashboard counts them (a row of messages only has
    # no attempts and no rate: "—").
    by_name = {c.staff or "(no staff recorded)": c for c in report.callers}
    for r in range(view.table.rowCount()):
        caller = by_name[view.table.item(r, 0).text()]
        assert int(view.table.item(r, 2).text().replace(",", "")) == caller.attempts
        outcomes = [int(view.table.item(r, col).text().replace(",", ""))
                    for col in range(4, view.table.columnCount())]
        assert sum(outcomes) == caller.total
        rate = view.table.item(r, 3).text()
        assert rate == ("—" if caller.reach_rate is None else f"{caller.reach_rate * 100:.1f}%")
    start = view.start.date()
    view._shift(-7)
    assert view.start.date() == start.addDays(-7)
    shut_down(view, runner)


def test_figures_follow_calls_saved_elsewhere(qtbot, demo_db):
    """A call saved in another area reaches the report through the runner's data_changed."""
    from sqlalchemy import select

    from models import Customer
    from services.contacts import calls
    from ui.tasks import changed

    runner = TaskRunner()
    view = ReportsView(demo_db, runner)
    view.tabs.setCurrentIndex(TAB_ACTIVITY)
    today = dt.date.today()
    view.start.setDate(QDate(today))
    view.end.setDate(QDate(today))
    before = reports.activity(demo_db.sessions, today, today).total
    qtbot.waitUntil(lambda: view.headline.text().startswith(f"{before} "), timeout=5000)
    with demo_db.sessions() as s:
        customer_id = s.scalars(select(Customer.id).limit(1)).one()
    calls.record_call(demo_db.sessions, customer_id, None, calls.CallResult(outcome="reached"))
    runner.announce(changed("contacts", customer=customer_id))
    qtbot.waitUntil(lambda: view.headline.text().startswith(f"{before + 1} "), timeout=5000)
    shut_down(view, runner)


def test_dashboard_shows_the_service_figures_and_opens_a_cell(qtbot, demo_db):
    view, runner = _view(qtbot, demo_db)
    assert view.tabs.currentIndex() == TAB_DASHBOARD
    qtbot.waitUntil(lambda: view.dashboard.data is not None and view.dashboard.data.complete,
                    timeout=20000)
    want = dashboard.dashboard(demo_db.sessions, START, END)
    got = view.dashboard.data
    assert got.contacts == want.contacts > 0
    assert [f.value for f in got.matrix] == [f.value for f in want.matrix]
    assert [f.previous for f in got.rfm] == [f.previous for f in want.rfm]
    assert view.dashboard.matrix.values[2] == [
        float(want.figure("matrix", f"7+/{b}").value) for b in ("low", "middle", "high", "none")]
    assert view.dashboard.staff.rowCount() == len(want.staff_work)
    headline = re.sub(r"<[^>]+>", "", view.dashboard.headline.text()).replace(",", "")
    assert f"{want.contacts} " in headline
    view.show()
    view.dashboard.matrix.grab()  # paints it, which lays out the cells' hit areas
    rect = view.dashboard.matrix._hits[2 * 4 + 2][0]  # 7+ years × high
    with qtbot.waitSignal(view.open_segment) as opened:
        qtbot.mouseClick(view.dashboard.matrix, Qt.MouseButton.LeftButton,
                         pos=QPoint(int(rect.center().x()), int(rect.center().y())))
    data, _name, as_of = opened.args
    assert data == want.figure("matrix", "7+/high").filter and as_of == END
    shut_down(view, runner)


def test_a_period_ending_before_it_starts_is_said_and_shows_no_figures(qtbot, demo_db):
    view, runner = _view(qtbot, demo_db)
    view.show()
    qtbot.waitUntil(lambda: view.dashboard.data is not None and view.dashboard.data.complete,
                    timeout=20000)
    # The end set before the start (a slip of the calendar): said in place of the tabs, no
    # figures of the last period left on screen as if they were this one's, nothing to write.
    view.end.setDate(QDate(START - dt.timedelta(days=3)))
    assert view.period_problem.isVisible()
    text = view.period_problem.text()
    assert (START - dt.timedelta(days=3)).isoformat() in text and START.isoformat() in text
    assert "before it starts" in text
    assert not view.tabs.isVisible()
    assert not view.dashboard.headline.isVisible()
    exports = [b for b in view.findChildren(QPushButton) if b.text() in (
        "Monday report (PDF)…", "Excel…")]
    assert len(exports) == 2 and not any(b.isEnabled() for b in exports)
    # Put right: the figures of the period as it now is, the words gone.
    end = END - dt.timedelta(days=1)
    view.end.setDate(QDate(end))
    assert not view.period_problem.isVisible() and view.tabs.isVisible()
    assert all(b.isEnabled() for b in exports)
    qtbot.waitUntil(lambda: view.dashboard.data.end == end and view.dashboard.data.complete,
                    timeout=20000)
    shut_down(view, runner)


def test_effect_tab_lists_the_period_runs(qtbot, demo_db):
    from services.lists import build, runs
    from services.segments import service as segments

    segments.save_segment(demo_db.sessions, "全部客户", {"version": 1}, purpose="care")
    summary = build.build_run(demo_db.sessions, "全部客户",
                              build.RunOptions(staff=("chenli",), as_of=END))
    runs.finish_run(demo_db.sessions, summary.run_id)
    view, runner = _view(qtbot, demo_db)
    view.tabs.setCurrentIndex(TAB_EFFECT)
    qtbot.waitUntil(lambda: view.effect.runs.rowCount() == 1, timeout=20000)
    # Nobody was contacted for the run yet: one comparison row and the "all contacted" row.
    assert view.effect.detail.rowCount() == 2
    assert view.effect.detail.item(1, 1).text() == "0"
    assert view.effect.note.text()
    view.effect.comparison.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.effect.effects and
                    view.effect.effects[0].comparison == "left_out", timeout=20000)
    shut_down(view, runner)


def test_an_effect_tab_without_runs_says_where_the_latest_is_and_goes_there(qtbot, demo_db):
    """A period with no run (the tab opens on last week; this week's run is not in it) says
    the latest run's date, and its button moves the period to that run's week."""
    from services.lists import build, runs
    from services.reports import effect
    from services.segments import service as segments

    segments.save_segment(demo_db.sessions, "全部客户", {"version": 1}, purpose="care")
    summary = build.build_run(demo_db.sessions, "全部客户",
                              build.RunOptions(staff=("chenli",), as_of=END))
    runs.finish_run(demo_db.sessions, summary.run_id)
    latest = effect.latest_run_day(demo_db.sessions)
    assert latest is not None and latest >= END
    view, runner = _view(qtbot, demo_db)
    view.start.setDate(QDate(2019, 1, 7))
    view.end.setDate(QDate(2019, 1, 13))
    view.tabs.setCurrentIndex(TAB_EFFECT)
    view.show()
    qtbot.waitUntil(lambda: "latest" in view.effect.note.text(), timeout=20000)
    assert view.effect.runs.rowCount() == 0
    assert view.effect.to_latest.isVisible()
    qtbot.mouseClick(view.effect.to_latest, Qt.MouseButton.LeftButton)
    monday, sunday = reports.week_of(latest)
    assert view.period() == (monday, sunday)
    qtbot.waitUntil(lambda: view.effect.runs.rowCount() > 0, timeout=20000)
    assert not view.effect.to_latest.isVisible()
    assert latest in {e.as_of for e in view.effect.effects}
    shut_down(view, runner)


def test_an_effect_tab_before_any_run_says_none_is_finished(qtbot):
    """With no finished run at all there is nowhere to go: the tab says so, with no button."""
    from ui.views.report_effect import EffectTab

    tab = EffectTab()
    qtbot.addWidget(tab)
    tab.show()
    tab.show_effects((), None, None, (START, END))
    assert "No list run has been finished yet" in tab.note.text()
    assert not tab.to_latest.isVisible()
    tab.show_effects((), 3, END, (START, END))
    assert "person chosen made no contact" in tab.note.text()
    assert not tab.to_latest.isVisible()


def test_supervisor_sets_a_target_and_sees_the_gap(qtbot, demo_db, demo_supervisor):
    view, runner = _view(qtbot, demo_db, demo_supervisor)
    view.tabs.setCurrentIndex(TAB_TARGETS)
    qtbot.waitUntil(lambda: view.targets.table.rowCount() > 1, timeout=20000)
    assert view.targets.save.isVisibleTo(view)
    view.targets.table.cellWidget(0, 1).setValue(25)  # everybody: 25 calls a week
    view.targets.table.cellWidget(0, 2).setValue(50)  # and half of them reached
    view.targets.table.cellWidget(0, COL_KEPT_T).setValue(3)  # 3 appointments kept a week
    assert view.targets.save.isEnabled()
    view.targets.save.click()
    qtbot.waitUntil(lambda: kpi.load_targets(demo_db.sessions).version == 1, timeout=10000)
    assert kpi.load_targets(demo_db.sessions).default == Target(25, 0.5, kept_per_week=3)
    row = next(r for r in kpi.kpi(demo_db.sessions, START, END) if r.reach_gap is not None)
    at = 1 + [r.staff_id for r in view.targets.rows].index(row.staff_id)
    qtbot.waitUntil(lambda: view.targets.table.item(at, 6) is not None
                    and view.targets.table.item(at, 6).text() != "—", timeout=10000)
    assert row.calls_target == 100  # four weeks
    shown = view.targets.table.item(at, 6).text().replace(",", "")
    assert float(shown) == pytest.approx(row.calls_gap)
    # Appointments kept against 3 a week over the four weeks.
    assert row.kept_target == 12
    assert view.targets.table.item(at, 11).text().replace(",", "") == str(row.kept)
    assert float(view.targets.table.item(at, 12).text()) == pytest.approx(row.kept - 12)
    # A reach rate's gap in percentage points, as the effect tab and the printed report say.
    points = f"{row.reach_gap * 100:.1f}"
    assert view.targets.table.item(at, 8).text() == (
        f"{'+' if row.reach_gap > 0 else ''}{points} pt")
    shut_down(view, runner)


def test_staff_cannot_change_targets(qtbot, demo_db, demo_staff):
    view, runner = _view(qtbot, demo_db, demo_staff)
    view.tabs.setCurrentIndex(TAB_TARGETS)
    qtbot.waitUntil(lambda: view.targets.table.rowCount() > 1, timeout=20000)
    assert not view.targets.save.isVisibleTo(view)
    assert view.targets.table.cellWidget(0, 1).isReadOnly()
    shut_down(view, runner)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_monday_report_written_from_the_window(qtbot, demo_db, tmp_path):
    view, runner = _view(qtbot, demo_db)
    pdf, xlsx = tmp_path / "weekly.pdf", tmp_path / "weekly.xlsx"
    view.export(str(pdf), "pdf")
    view.export(str(xlsx), "xlsx")
    qtbot.waitUntil(lambda: pdf.exists() and xlsx.exists(), timeout=30000)
    runner.wait()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "每周报告" in text and "换车九宫格" in text
    book = openpyxl.load_workbook(xlsx)
    assert "概览" in book.sheetnames and "目标" in book.sheetnames
    shut_down(view, runner)


def test_a_figure_opens_in_the_segments_builder_on_its_date(qtbot, demo_db):
    """What the main window does with `open_segment`: the Segments area's builder shows the
    figure's filter, unsaved, counted on the report's date."""
    from services.segments import service as segments
    from ui.views.segments_view import SegmentsView

    runner = TaskRunner()
    view = SegmentsView(demo_db, runner)
    d = dashboard.dashboard(demo_db.sessions, START, END, complete=False)
    figure = d.figure("coverage", "consent")
    view.open_filter(figure.filter, figure.label_en, END)
    assert view.editor.data()["where"]["and"] == [figure.filter["where"]]  # one condition
    assert view.as_of.date().toPython() == END and view.name.text() == figure.label_en
    assert segments.count(demo_db.sessions, view.editor.data(), END).customers == figure.value
    shut_down(view, runner)


@pytest.fixture
def decided_demo(database):
    """A small demo database (SQLite, PostgreSQL) with decisions on suggestions recorded for
    days of the reports' period: the demo's first customers, accepted or dismissed."""
    from sqlalchemy import select

    from models import Customer
    from services.customers.suggest_decisions import record_decision
    from services.demo import generator as demo

    demo.generate(database, 80, seed=7, today=DEMO_TODAY)
    with database.sessions() as s:
        ids = s.scalars(select(Customer.id).order_by(Customer.id).limit(12)).all()
    for i, cid in enumerate(ids):
        action = ("accepted", "changed", "dismissed")[i % 3]
        record_decision(database.sessions, None, cid, START + dt.timedelta(days=i),
                        "久未联系关怀" if i % 2 else "保养到期提醒", "care", action,
                        chosen="sales" if action == "changed" else None)
    return database


def test_suggestion_outcomes_show_the_service_figures(qtbot, decided_demo):
    from services.customers.suggest_rules_en import rule_name
    from services.reports.suggestion_effect import suggestion_effect
    from ui.views.report_suggestions import SHOWN
    from ui.views.reports_view import TAB_SUGGESTIONS

    view, runner = _view(qtbot, decided_demo)
    view.tabs.setCurrentIndex(TAB_SUGGESTIONS)
    tab = view.suggestions
    qtbot.waitUntil(lambda: tab.data is not None and tab.table.rowCount() > 0, timeout=10000)
    want = suggestion_effect(decided_demo.sessions, START, END)
    assert tab.data == want
    shown = {(tab.table.item(r, 0).text(), tab.table.item(r, 1).text()): r
             for r in range(tab.table.rowCount())}
    assert len(shown) == 3 * len(want.rules) == 6
    for rule in want.rules:
        for action, outcome in rule.actions:
            # A built-in rule by its English name in the English window (no translator here).
            row = shown[(rule_name(rule.rule, "en"), tab._action_name(action))]
            assert int(tab.table.item(row, 2).text()) == outcome.customers
            for col, (w, m) in enumerate(SHOWN, start=3):
                cell = tab.table.item(row, col).text()
                if outcome.customers:
                    assert cell.endswith(f"({outcome.count(w, m)})"), (rule.rule, action, cell)
                else:
                    assert cell == "—"
    accepted = sum(r.of("accepted").customers for r in want.rules)
    assert f"{accepted} accepted" in tab.headline.text()
    assert "hint, not a proof" in tab.note.text()
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    shut_down(view, runner)


def test_the_effect_of_one_person_shows_that_persons_row_only(qtbot):
    """Chosen one person, the effect tab lists the comparison group and that person's
    contacted members, as the printed report does; the whole department lists everyone."""
    from services.reports import effect
    from ui.views.report_effect import EffectTab

    def group(size: int) -> effect.GroupOutcome:
        return effect.GroupOutcome(size, tuple((w, m, size // 2) for m in effect.MEASURES
                                               for w in effect.WINDOWS))

    rows = tuple(effect.EffectRow(key, group(n), group(80), staff_id)
                 for key, n, staff_id in (("all", 60, None), ("陈丽", 40, 3), ("刘洋", 20, 4)))
    run = effect.RunEffect(1, "老车主", END, "care", "excluded", 100, 40, (30, 90), rows)
    tab = EffectTab()
    qtbot.addWidget(tab)
    tab.show_effects((run,))
    assert [tab.detail.item(r, 0).text() for r in range(tab.detail.rowCount())][1:] == [
        "All contacted", "陈丽", "刘洋"]
    tab.show_effects((run,), 4)
    assert tab.detail.rowCount() == 2 and tab.detail.item(1, 0).text() == "刘洋"


def test_the_weekly_tab_says_what_the_dashboard_says_for_a_past_week(qtbot, demo_db):
    """A complaint resolved after the week's end was open at it: both tabs count it, and both
    say the follow-ups due in the week and the complaints (and their customers) alike."""
    from sqlalchemy import select

    from models import Complaint, Customer

    with demo_db.sessions.begin() as s:
        customer = s.scalars(select(Customer.id).order_by(Customer.id)).first()
        s.add(Complaint(customer_id=customer, opened_date=START, topic="等待太久",
                        resolved=True, resolved_date=DEMO_TODAY))
    view, runner = _view(qtbot, demo_db)
    qtbot.waitUntil(lambda: view.dashboard.data is not None and view.dashboard.data.complete,
                    timeout=20000)
    d = view.dashboard.data
    assert d is not None
    due: int = sum(w.follow_ups_due for w in d.staff_work)
    complaints = d.figure("complaints", "open").value
    customers = d.figure("complaints", "customers").value
    assert complaints >= customers > 0
    headline = re.sub(r"<[^>]+>", "", view.dashboard.headline.text()).replace(",", "")
    assert f"{due} follow-ups due in the period" in headline
    assert f"{complaints} open complaints of {customers} customers" in headline
    view.tabs.setCurrentIndex(TAB_ACTIVITY)
    qtbot.waitUntil(lambda: "Follow-ups" in view.headline.text(), timeout=5000)
    text = view.headline.text().replace(",", "")
    assert f"Follow-ups due in the period: {due}." in text
    assert f"At its end: {complaints} open complaints of {customers} customers." in text
    shut_down(view, runner)
