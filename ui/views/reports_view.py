"""Reports: is the department's work paying off? One period (and optionally one person) for five
tabs — the dashboard, the effect of contact, the week's contacts per caller, targets against
actuals, and what followed the suggested next steps — and the Monday report written as PDF or
Excel. Figures click through to their customers as a segment (`open_segment`, which the main
window hands to the Segments area)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.codes import OUTCOMES
from services.contacts.calls import staff_list
from services.reports import activity as reports
from services.reports import dashboard, effect, kpi, monday, suggestion_effect
from services.reports.figures import Dashboard
from services.staff.permissions import SAVE_SETTINGS, Actor, allowed
from services.store.database import Database
from ui.files import ask_save_path, open_actions
from ui.labels import joined, label
from ui.tasks import DataChange, Task, TaskRunner, changed
from ui.views.customer_page import fill_table, make_table
from ui.views.report_dashboard import DashboardTab, percent
from ui.views.report_effect import EffectTab
from ui.views.report_suggestions import SuggestionsTab
from ui.views.report_targets import TargetsTab
from ui.widgets import date_edit

TAB_DASHBOARD, TAB_EFFECT, TAB_ACTIVITY, TAB_TARGETS, TAB_SUGGESTIONS = range(5)


class ReportsView(QWidget):
    # A figure's customers: a segment filter (dict), its name and the date it is counted on.
    open_segment = Signal(object, str, object)

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self._stale = True
        self._dashboard_task: Task | None = None  # the dashboard's step running last
        monday_, sunday = reports.last_week()
        self.start, self.end = date_edit(monday_), date_edit(sunday)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self.refresh)
        previous = QPushButton(self.tr("◀ Previous week"))
        previous.clicked.connect(lambda: self._shift(-7))
        following = QPushButton(self.tr("Next week ▶"))
        following.clicked.connect(lambda: self._shift(7))
        self.staff = QComboBox()
        self.staff.addItem(self.tr("Whole department"), None)
        for person in staff_list(database.sessions):
            self.staff.addItem(person.shown, person.id)
        self.staff.currentIndexChanged.connect(lambda _i: self.refresh())
        pdf = QPushButton(self.tr("Monday report (PDF)…"))
        pdf.clicked.connect(lambda: self._on_export("pdf"))
        excel = QPushButton(self.tr("Excel…"))
        excel.clicked.connect(lambda: self._on_export("xlsx"))
        self._exports = (pdf, excel)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("From")))
        top.addWidget(self.start)
        top.addWidget(QLabel(self.tr("to")))
        top.addWidget(self.end)
        top.addWidget(previous)
        top.addWidget(following)
        top.addWidget(self.staff)
        top.addStretch(1)
        top.addWidget(pdf)
        top.addWidget(excel)

        self.dashboard = DashboardTab()
        self.dashboard.open_segment.connect(
            lambda data, name: self.open_segment.emit(data, name, self.shown_as_of()))
        self.effect = EffectTab()
        self.effect.comparison_changed.connect(self.refresh)
        self.effect.week_wanted.connect(self.show_week_of)
        activity = QWidget()
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 15px;")
        # Every outcome, messages sent or failed too: a row's outcomes add up to its contacts.
        self._outcomes = list(OUTCOMES)
        self.table = make_table(
            [self.tr("Caller"), self.tr("Contacts"), self.tr("Attempts"), self.tr("Reach rate")]
            + [label("outcome", o) for o in self._outcomes],
            stretch_last=False,
        )
        box = QVBoxLayout(activity)
        box.addWidget(self.headline)
        box.addWidget(self.table, 1)
        self.targets = TargetsTab(allowed(actor, SAVE_SETTINGS))
        self.targets.save_requested.connect(self._on_save_targets)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.dashboard, self.tr("Dashboard"))
        self.tabs.addTab(self.effect, self.tr("Effect of contact"))
        self.tabs.addTab(activity, self.tr("Weekly activity"))
        self.tabs.addTab(self.targets, self.tr("Targets"))
        self.suggestions = SuggestionsTab()
        self.tabs.addTab(self.suggestions, self.tr("Suggestion outcomes"))
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        # Said in place of the tabs while the period ends before it starts: no figures then,
        # not even the last period's (they would read as this one's).
        self.period_problem = QLabel()
        self.period_problem.setWordWrap(True)
        self.period_problem.setStyleSheet("font-size: 15px;")
        self.period_problem.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.period_problem.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.period_problem)
        layout.addWidget(self.tabs, 1)
        runner.data_changed.connect(self._on_data_changed)
        self.refresh()

    def focus_first(self) -> None:
        self.tabs.currentWidget().setFocus()

    def period(self) -> tuple[dt.date, dt.date]:
        # QDate.toPython is typed as object; it is a date.
        return (cast(dt.date, self.start.date().toPython()),
                cast(dt.date, self.end.date().toPython()))

    def shown_as_of(self) -> dt.date:
        """The as-of date of the dashboard on screen (its figures count customers then)."""
        shown = self.dashboard.data
        return shown.end if shown is not None else self.period()[1]

    def staff_id(self) -> int | None:
        return self.staff.currentData()

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("contacts", "lists", "complaints", "staff", "customers", "settings"):
            self.refresh()

    def show_week_of(self, day: dt.date) -> None:
        """The period set to the Monday-to-Sunday week of `day`."""
        self._set_period(*(QDate(d) for d in reports.week_of(day)))

    def _shift(self, days: int) -> None:
        self._set_period(self.start.date().addDays(days), self.end.date().addDays(days))

    def _set_period(self, start: QDate, end: QDate) -> None:
        """Both dates changed, the figures asked for once (by the end's change)."""
        self.start.blockSignals(True)
        self.start.setDate(start)
        self.start.blockSignals(False)
        self.end.setDate(end)

    # --- one refresh per tab, the shown tab only ------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _check_period(self, start: dt.date, end: dt.date) -> bool:
        """Whether the period is one (it ends on or after its first day). When it is not,
        the view says so where the tabs were, and nothing can be written of it."""
        backwards = end < start
        if backwards:
            if self._dashboard_task is not None:
                self._dashboard_task.cancel()
            self.period_problem.setText(
                self.tr("The period ends on %2, before it starts on %1: no figures until the "
                        "dates are right.")
                .replace("%1", start.isoformat()).replace("%2", end.isoformat()))
        self.period_problem.setVisible(backwards)
        self.tabs.setVisible(not backwards)
        for button in self._exports:
            button.setEnabled(not backwards)
        return not backwards

    def refresh(self) -> None:
        start, end = self.period()
        if not self._check_period(start, end):
            return
        # Inside the main window a hidden area asks nothing (the dashboard costs seconds at
        # dealer-group scale); it asks when it is shown. A view on its own asks at once.
        self._stale = self.parent() is not None and not self.isVisible()
        if self._stale:
            return
        sessions, staff = self.database.sessions, self.staff_id()
        index = self.tabs.currentIndex()
        if index == TAB_DASHBOARD:
            # The quick figures first; the month-earlier comparison, drift and follow-ups
            # follow (docs/benchmarks.md, "Reports: a week change": asked at once instead, the
            # two steps shared the two cores and the quick figures came later, every figure no
            # sooner). Each step runs on the runner's pool under one `latest` key: a week
            # asked for while another is still being counted drops the older one's late
            # results, and its questions not yet started.
            self._dashboard_step(
                lambda cancel: dashboard.dashboard(sessions, start, end, staff,
                                                   complete=False, cancel=cancel),
                self._show_quick, self.tr("Counting the dashboard"))
        elif index == TAB_EFFECT:
            comparison = self.effect.comparison_kind
            self.runner.run(
                lambda p, c: (effect.effect_between(sessions, start, end, comparison, staff,
                                                    progress=p, cancel=lambda: c.cancelled),
                              effect.latest_run_day(sessions)),
                on_done=lambda got: self.effect.show_effects(got[0], staff, got[1],
                                                             (start, end)),
                latest="report-effect",
                parent_widget=self,
                label=self.tr("Comparing contacted and not contacted owners"))
        elif index == TAB_ACTIVITY:
            self.runner.run(lambda _p, _c: reports.activity(sessions, start, end),
                            on_done=self._show_activity, latest="activity-report",
                            parent_widget=self, label=self.tr("Counting"))
        elif index == TAB_SUGGESTIONS:
            # Decisions are not per caller: the whole department's, whoever is chosen.
            self.runner.run(
                lambda _p, _c: suggestion_effect.suggestion_effect(sessions, start, end),
                on_done=self.suggestions.show_effect, latest="report-suggestions",
                parent_widget=self, label=self.tr("Counting what followed the suggestions"))
        else:
            self.runner.run(
                lambda _p, _c: (kpi.load_targets(sessions), kpi.kpi(sessions, start, end, staff)),
                on_done=lambda got: self.targets.show_kpi(*got), latest="report-kpi",
                parent_widget=self, label=self.tr("Counting"))

    def _dashboard_step(self, work, on_done, label: str) -> None:
        """Run one step of the dashboard off the GUI thread, stopping the step still running
        for an earlier week or person (its result would be dropped anyway)."""
        if self._dashboard_task is not None:
            self._dashboard_task.cancel()
        self._dashboard_task = self.runner.run(
            lambda _p, c: work(lambda: c.cancelled), on_done=on_done,
            latest="report-dashboard", parent_widget=self, label=label)

    def _show_quick(self, quick: Dashboard) -> None:
        self.dashboard.show_dashboard(quick)
        sessions = self.database.sessions
        self._dashboard_step(lambda cancel: dashboard.completed(sessions, quick, cancel),
                             self._show_complete, self.tr("Comparing with a month earlier"))

    def _show_complete(self, complete: Dashboard) -> None:
        """Every figure shown; the customers behind the contact figures (for their tooltips
        and the counts they open) come last, as only hovering and clicking need them."""
        self.dashboard.show_dashboard(complete)
        sessions = self.database.sessions
        self._dashboard_step(
            lambda cancel: dashboard.with_customers(sessions, complete, cancel),
            self.dashboard.show_dashboard,
            self.tr("Counting the customers behind the figures"))

    def _show_activity(self, report: reports.ActivityReport) -> None:
        locale = QLocale()
        channels = joined(
            f"{label('channel', c)} {locale.toString(n)}"
            for c, n in sorted(report.by_channel.items())
        )
        # The dashboard's definitions (services/reports/week_state.py), so the tabs agree.
        self.headline.setText(
            self.tr("%1 contacts (%2). Follow-ups due in the period: %3. At its end: %4 open "
                    "complaints of %5 customers.")
            .replace("%1", locale.toString(report.total))
            .replace("%2", channels or "—")
            .replace("%3", locale.toString(report.follow_ups_due))
            .replace("%4", locale.toString(report.open_complaints))
            .replace("%5", locale.toString(report.open_complaint_customers))
        )
        fill_table(self.table, [
            [caller.staff or self.tr("(no staff recorded)"), caller.total, caller.attempts,
             percent(caller.reach_rate)]
            + [caller.by_outcome.get(o, 0) for o in self._outcomes]
            for caller in report.callers
        ])

    def _on_save_targets(self, default, mine, version: int) -> None:
        sessions, actor = self.database.sessions, self.actor
        self.runner.run(
            lambda _p, _c: kpi.save_targets(sessions, actor, default, mine, version),
            write=True, parent_widget=self, label=self.tr("Saving targets"),
            changes=changed("settings"), done_notice=self.tr("Targets saved"))

    # --- the Monday report -----------------------------------------------------------------
    def _on_export(self, fmt: str) -> None:
        start, end = self.period()
        person = self.staff.currentText() if self.staff_id() is not None else ""
        name = monday.suggested_name(start, end, person, fmt)
        filters = self.tr("PDF (*.pdf)") if fmt == "pdf" else self.tr("Excel (*.xlsx)")
        path = ask_save_path(self, "report", name, filters, self.tr("Save the report as"))
        if path:
            self.export(path, fmt)

    def export(self, path: str, fmt: str) -> None:
        """Write the Monday report of the period to `path` in the background (tests call it)."""
        start, end = self.period()
        sessions, staff = self.database.sessions, self.staff_id()

        def write(progress, _cancel):
            # The Excel and PDF writers load here, on the runner, when a report is written:
            # imported with the area they took 1.3 s of opening it on a slow VM.
            from services.reports import monday_files

            return monday_files.write(sessions, path, fmt, start, end, staff, progress=progress)

        self.runner.run(
            write,
            on_done=lambda written: self.runner.notify(
                self.tr("Written to %1").replace("%1", str(written)),
                open_actions(str(written))),
            parent_widget=self, label=self.tr("Writing %1").replace("%1", path))
