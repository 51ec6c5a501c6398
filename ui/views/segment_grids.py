"""The segment templates as grids of counts, one tab each: the service reminders and referral
lists, the replacement matrix (years owned × satisfaction, with a km floor), the RFM classes, and
the stages, tags and due-soon groups. Each counts in the background for the evaluation date it
is given and asks, through `open_template`, for a cell or row to be opened in the builder (its
filter and a name)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.segments import service as segments
from services.segments.templates import MATRIX_SAT_BANDS, YEAR_BANDS, TemplateSegment
from services.store.database import Database
from ui.tasks import TaskRunner
from ui.views.customer_page import fill_table, make_table
from ui.views.filter_editor import chinese

# Template families the other tabs already offer (by the first part of a template's key); every
# other template in the catalog gets a button on the service and referrals tab.
SHOWN_ELSEWHERE = ("matrix", "rfm", "lifecycle", "due")
DUE_DAYS = 30  # "due soon" on the service tab and in the due-soon groups


class _Grid(QWidget):
    """A tab that counts for the day `as_of()` returns, with `runner`."""

    open_template = Signal(object, str)  # a filter's data, its name

    def __init__(self, database: Database, runner: TaskRunner,
                 as_of: Callable[[], dt.date], parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.as_of = as_of


class MatrixTab(_Grid):
    """Years since purchase × the latest satisfaction score; `result` is the last count."""

    def __init__(self, database: Database, runner: TaskRunner,
                 as_of: Callable[[], dt.date], parent=None) -> None:
        super().__init__(database, runner, as_of, parent)
        self.km_floor = QDoubleSpinBox()
        self.km_floor.setRange(0, 1_000_000)
        self.km_floor.setDecimals(0)
        self.km_floor.setGroupSeparatorShown(True)
        self.km_floor.setSingleStep(10_000)
        self.km_floor.setSuffix(self.tr(" km"))
        self.km_floor.setSpecialValueText(self.tr("no km floor"))
        self.km_floor.valueChanged.connect(self.refresh)
        grid = QGridLayout()
        self.buttons: dict[tuple[str, str], QPushButton] = {}
        bands = {
            "low": self.tr("Low (0–6)"),
            "middle": self.tr("Middle (7–8)"),
            "high": self.tr("High (9–10)"),
            "none": self.tr("No score"),
        }
        for c, band in enumerate(MATRIX_SAT_BANDS):
            grid.addWidget(QLabel(bands[band]), 0, c + 1, alignment=Qt.AlignmentFlag.AlignCenter)
        for r, years in enumerate(YEAR_BANDS):
            grid.addWidget(QLabel(self.tr("%1 years").replace("%1", years)), r + 1, 0)
            for c, band in enumerate(MATRIX_SAT_BANDS):
                b = QPushButton("…")
                b.setMinimumSize(150, 64)
                b.setToolTip(self.tr("Open these vehicles' owners in the builder"))
                b.clicked.connect(lambda _c=False, y=years, s=band: self.open_cell(y, s))
                grid.addWidget(b, r + 1, c + 1)
                self.buttons[(years, band)] = b
        self.note = QLabel()
        self.note.setWordWrap(True)  # a line of 888 px in English
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Only vehicles with at least")))
        row.addWidget(self.km_floor)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addLayout(grid)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.result = None

    def refresh(self) -> None:
        as_of, floor = self.as_of(), self.km_floor.value() or None
        sessions = self.database.sessions
        self.runner.run(
            lambda _p, _c: segments.matrix(sessions, as_of, floor),
            on_done=self._show,
            latest="segments-matrix",
            parent_widget=self,
            label=self.tr("Counting the matrix"),
            write=floor is not None,  # a km floor may rebuild the km summary first
        )

    def _show(self, result) -> None:
        self.result = result
        for cell in result.cells:
            self.buttons[(cell.years_band, cell.satisfaction_band)].setText(
                self.tr("%Ln vehicle(s)", "", cell.vehicles) + "\n"
                + self.tr("%Ln customer(s)", "", cell.customers))
        self.note.setText(
            self.tr(
                "Years since purchase × latest satisfaction score, on %1. A customer with "
                "two old cars can sit in two cells; lists contact each customer once."
            ).replace("%1", result.as_of.isoformat())
        )

    def open_cell(self, years: str, band: str) -> None:
        if self.result is None:
            return
        cell = self.result.cell(years, band)
        self.open_template.emit(cell.filter, cell.label_zh if chinese() else cell.label_en)


class RfmTab(_Grid):
    """The eight RFM classes with their customers; `result` is the last count."""

    def __init__(self, database: Database, runner: TaskRunner,
                 as_of: Callable[[], dt.date], parent=None) -> None:
        super().__init__(database, runner, as_of, parent)
        self.table = make_table(
            [self.tr("Class"), "R", "F", "M", self.tr("Customers")], stretch_last=False
        )
        self.table.cellDoubleClicked.connect(self._open_class)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel(self.tr("Double-click a class to open it in the builder.")))
        self.result = None

    def refresh(self) -> None:
        as_of, sessions = self.as_of(), self.database.sessions
        self.runner.run(
            lambda _p, _c: segments.rfm(sessions, as_of),
            on_done=self._show,
            latest="segments-rfm",
            parent_widget=self,
            label=self.tr("Counting RFM classes"),
            write=True,  # it may rebuild the RFM summary first
        )

    def _show(self, result) -> None:
        self.result = result
        arrow = {True: "↑", False: "↓"}
        fill_table(
            self.table,
            [[c.name_zh if chinese() else c.name_en, arrow[c.r_up], arrow[c.f_up],
              arrow[c.m_up], c.customers] for c in result.classes],
        )
        locale = QLocale()
        self.note.setText(
            self.tr(
                "Spends from %1 to %2. Thresholds (means): R ≤ %3 days, F ≥ %4, M ≥ ¥%5. "
                "%6 customers have a class."
            )
            .replace("%1", result.window_start.isoformat())
            .replace("%2", result.as_of.isoformat())
            .replace("%3", locale.toString(result.r_days or 0, "f", 0))
            .replace("%4", locale.toString(result.f or 0, "f", 2))
            .replace("%5", locale.toString(result.m or 0, "f", 0))
            .replace("%6", locale.toString(result.customers_with_class))
        )

    def _open_class(self, row: int, _col: int) -> None:
        if self.result is None or row >= len(self.result.classes):
            return
        c = self.result.classes[row]
        self.open_template.emit(c.filter, c.name_zh if chinese() else c.name_en)


class GroupsTab(_Grid):
    """Lifecycle stages, customers due in the next 30 days and tag groups, with their counts."""

    def __init__(self, database: Database, runner: TaskRunner,
                 as_of: Callable[[], dt.date], parent=None) -> None:
        super().__init__(database, runner, as_of, parent)
        self.table = make_table([self.tr("Group"), self.tr("Count"), self.tr("Counted")])
        self.table.cellDoubleClicked.connect(self._open_group)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel(self.tr(
            "Due soon counts the next 30 days. Double-click a row to open it in the builder.")))
        self.groups: list = []

    def refresh(self) -> None:
        as_of, sessions = self.as_of(), self.database.sessions

        def work(_p, _c):
            return [*segments.lifecycle(sessions, as_of),
                    *segments.due_soon(sessions, as_of, DUE_DAYS), *segments.tag_groups(sessions)]

        self.runner.run(work, on_done=self._show, parent_widget=self,
                        label=self.tr("Counting groups"), latest="segments-groups")

    def _show(self, groups) -> None:
        self.groups = list(groups)
        units = {"customers": self.tr("customers"), "vehicles": self.tr("vehicles")}
        fill_table(self.table, [[g.label_zh if chinese() else g.label_en, g.count, units[g.unit]]
                                for g in self.groups])

    def _open_group(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.groups):
            g = self.groups[row]
            self.open_template.emit(g.filter, g.label_zh if chinese() else g.label_en)


class ServiceTab(_Grid):
    """The catalog's templates no other tab offers (service reminders, referrals), one button
    each with its count, grouped by family; `counts` holds each key's last count."""

    def __init__(self, database: Database, runner: TaskRunner,
                 as_of: Callable[[], dt.date], parent=None) -> None:
        super().__init__(database, runner, as_of, parent)
        titles = {
            "service": self.tr("Service reminders"),
            "referral": self.tr("Referrals (existing customers bring new ones)"),
        }
        # The office's most common call, maintenance reminders, comes first.
        order = {"service": 0, "referral": 1}
        found = [t for t in segments.template_segments(due_days=DUE_DAYS)
                 if t.key.split(".")[0] not in SHOWN_ELSEWHERE]
        found.sort(key=lambda t: order.get(t.key.split(".")[0], len(order)))
        self.templates: dict[str, TemplateSegment] = {t.key: t for t in found}
        self.buttons: dict[str, QPushButton] = {}
        self.counts: dict[str, object] = {}
        layout = QVBoxLayout(self)
        boxes: dict[str, QGridLayout] = {}
        for t in found:
            family = t.key.split(".")[0]
            if family not in boxes:
                box = QGroupBox(titles.get(family, self.tr("Other templates")))
                boxes[family] = QGridLayout(box)
                layout.addWidget(box)
            b = QPushButton()
            b.setMinimumSize(260, 64)
            b.setToolTip(self.tr("Open in the builder, where it can be changed and saved"))
            b.clicked.connect(lambda _c=False, key=t.key: self.open_key(key))
            grid = boxes[family]
            at = grid.count()
            # Two a row: the longest (English) names still fit a 1366-pixel office screen.
            grid.addWidget(b, at // 2, at % 2)
            self.buttons[t.key] = b
            self._label(t.key, "…")
        note = QLabel(self.tr(
            "Counted for the evaluation date; due soon means the next %1 days. Click a button "
            "to open it in the builder.").replace("%1", str(DUE_DAYS)))
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)

    def _name(self, key: str) -> str:
        t = self.templates[key]
        return t.zh if chinese() else t.en

    def _label(self, key: str, count: str) -> None:
        self.buttons[key].setText(f"{self._name(key)}\n{count}")

    def refresh(self) -> None:
        """One background count per template, so the quick ones show while maintenance (a
        derived date per vehicle) is still counting."""
        as_of, sessions = self.as_of(), self.database.sessions
        self.counts = {}
        for key, t in self.templates.items():
            self._label(key, "…")
            self.runner.run(
                lambda _p, _c, flt=t.filter: segments.count(sessions, flt, as_of),
                on_done=lambda counted, key=key: self._show(key, counted),
                latest=f"segments-template-{key}",
                parent_widget=self,
                label=self.tr("Counting %1").replace("%1", self._name(key)),
            )

    def _show(self, key: str, counted) -> None:
        self.counts[key] = counted
        text = self.tr("%Ln customer(s)", "", counted.customers)
        if counted.vehicles is not None:
            text = self.tr("%1, %2").replace("%1", text).replace(
                "%2", self.tr("%Ln vehicle(s)", "", counted.vehicles))
        self._label(key, text)

    def open_key(self, key: str) -> None:
        t = self.templates.get(key)
        if t is not None:
            self.open_template.emit(t.filter, self._name(key))
