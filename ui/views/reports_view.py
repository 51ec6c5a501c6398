"""Reports: the week's contact work per caller and outcome, follow-ups due, open complaints."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.codes import OUTCOMES
from services.reports import activity as reports
from services.store.database import Database
from ui.labels import label
from ui.tasks import DataChange, TaskRunner
from ui.views.customer_page import fill_table, make_table
from ui.widgets import date_edit


class ReportsView(QWidget):
    def __init__(self, database: Database, runner: TaskRunner, parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        monday, sunday = reports.week_of(dt.date.today())
        self.start, self.end = date_edit(monday), date_edit(sunday)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self.refresh)
        previous = QPushButton(self.tr("◀ Previous week"))
        previous.clicked.connect(lambda: self._shift(-7))
        following = QPushButton(self.tr("Next week ▶"))
        following.clicked.connect(lambda: self._shift(7))
        self.headline = QLabel()
        self.headline.setStyleSheet("font-size: 15px;")
        self._outcomes = [o for o in OUTCOMES if o not in ("sent", "failed")]
        self.table = make_table(
            [self.tr("Caller"), self.tr("Contacts"), self.tr("Reach rate")]
            + [label("outcome", o) for o in self._outcomes],
            stretch_last=False,
        )
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("From")))
        top.addWidget(self.start)
        top.addWidget(QLabel(self.tr("to")))
        top.addWidget(self.end)
        top.addWidget(previous)
        top.addWidget(following)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.headline)
        layout.addWidget(self.table, 1)
        runner.data_changed.connect(self._on_data_changed)
        self.refresh()

    def focus_first(self) -> None:
        self.table.setFocus()  # reading comes first; the week is changed with the buttons

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("contacts", "lists", "complaints", "staff"):
            self.refresh()

    def _shift(self, days: int) -> None:
        self.start.blockSignals(True)
        self.start.setDate(self.start.date().addDays(days))
        self.start.blockSignals(False)
        self.end.setDate(self.end.date().addDays(days))

    def refresh(self) -> None:
        start, end = self.start.date().toPython(), self.end.date().toPython()
        self.runner.run(
            lambda _p, _c: reports.activity(self.database.sessions, start, end),
            on_done=self._show,
            latest="activity-report",
            parent_widget=self,
            label=self.tr("Counting"),
        )

    def _show(self, report: reports.ActivityReport) -> None:
        locale = QLocale()
        channels = "、".join(
            f"{label('channel', c)} {locale.toString(n)}"
            for c, n in sorted(report.by_channel.items())
        )
        self.headline.setText(
            self.tr("%1 contacts (%2). Follow-ups due in this period: %3. Open complaints: %4.")
            .replace("%1", locale.toString(report.total))
            .replace("%2", channels or "—")
            .replace("%3", locale.toString(report.follow_ups_due))
            .replace("%4", locale.toString(report.open_complaints))
        )
        rows = []
        for caller in report.callers:
            rows.append(
                [
                    caller.staff or self.tr("(automatic SMS)"),
                    caller.total,
                    locale.toString(caller.reach_rate * 100, "f", 1) + "%",
                ]
                + [caller.by_outcome.get(o, 0) for o in self._outcomes]
            )
        fill_table(self.table, rows)
