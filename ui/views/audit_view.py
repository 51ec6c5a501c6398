"""The audit trail (supervisors): who did what and when, filtered by person, customer, action
and dates; read-only, newest first. What each entry is about, its action and its detail are shown
in words (services/staff/audit_words.py); the selected entry's detail below, whole, in words, and
as recorded when the words summarise part of it (a segment's filter)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelection, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.staff import accounts
from services.staff.audit import AuditFilter, AuditPage, audit_actions, read_audit
from services.staff.audit_words import (
    action_words,
    detail_json,
    words_leave_out,
)
from services.staff.permissions import Actor
from services.store.database import Database
from ui.labels import language
from ui.table_models.audit_table import (
    COL_ABOUT,
    COL_ACTION,
    COL_PERSON,
    COL_TIME,
    AuditTableModel,
    detail_lines,
)
from ui.tasks import DataChange, TaskRunner
from ui.widgets import date_edit, when_empty

DEFAULT_DAYS = 30


class AuditView(QWidget):
    loaded = Signal()

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        today = dt.date.today()
        self.start = date_edit(today - dt.timedelta(days=DEFAULT_DAYS))
        self.end = date_edit(today)
        self.person = QComboBox()
        self.person.addItem(self.tr("Everyone"), "")
        self.action = QComboBox()
        self.action.addItem(self.tr("Every action"), "")
        self.customer = QLineEdit()
        self.customer.setPlaceholderText(self.tr("Customer no."))
        self.customer.setClearButtonEnabled(True)
        self.customer.setMaximumWidth(160)
        self.search_button = QPushButton(self.tr("&Show"))
        self.count = QLabel()
        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self._read = False
        when_empty(self.table, lambda: self.tr(
            "No entries for this person, action, customer and period.") if self._read else "")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (COL_TIME, COL_PERSON, COL_ACTION, COL_ABOUT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("Select an entry to see its details in full."))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("From")))
        top.addWidget(self.start)
        top.addWidget(QLabel(self.tr("to")))
        top.addWidget(self.end)
        top.addWidget(self.person)
        top.addWidget(self.action)
        top.addWidget(self.customer)
        top.addWidget(self.search_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.count)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self.detail.clear)
        self.search_button.clicked.connect(self.refresh)
        self.customer.returnPressed.connect(self.refresh)
        for combo in (self.person, self.action):
            combo.currentIndexChanged.connect(self.refresh)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self.refresh)
        runner.data_changed.connect(self._on_data_changed)
        self._stale = True  # read when first shown, not while the window starts

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._load_choices()

    def focus_first(self) -> None:
        self.person.setFocus()

    def _load_choices(self) -> None:
        sessions = self.database.sessions
        self.runner.run(
            lambda _p, _c: (accounts.list_accounts(sessions), audit_actions(sessions)),
            on_done=self._fill_choices,
            parent_widget=self,
            label=self.tr("Loading the audit trail"),
        )

    def _fill_choices(self, found) -> None:
        people, actions = found
        for combo in (self.person, self.action):
            combo.blockSignals(True)
        keep_person, keep_action = self.person.currentData(), self.action.currentData()
        while self.person.count() > 1:
            self.person.removeItem(1)
        for a in people:
            self.person.addItem(f"{a.display_name} ({a.username})", a.username)
        while self.action.count() > 1:
            self.action.removeItem(1)
        lang = language()
        for code in sorted(actions, key=lambda c: action_words(c, lang)):
            self.action.addItem(action_words(code, lang), code)
        self.person.setCurrentIndex(max(0, self.person.findData(keep_person)))
        self.action.setCurrentIndex(max(0, self.action.findData(keep_action)))
        for combo in (self.person, self.action):
            combo.blockSignals(False)
        self.refresh()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            date_from=self.start.date().toPython(),
            date_to=self.end.date().toPython(),
            username=self.person.currentData() or "",
            customer_code=self.customer.text().strip(),
            action=self.action.currentData() or "",
        )

    def refresh(self) -> None:
        flt, sessions, actor = self.current_filter(), self.database.sessions, self.actor
        self.runner.run(
            lambda _p, _c: read_audit(sessions, actor, flt),
            on_done=self._show,
            latest="audit",
            parent_widget=self,
            label=self.tr("Loading the audit trail"),
        )

    def _show(self, page: AuditPage) -> None:
        self._read = True
        self.model.set_entries(page.entries)
        locale = QLocale()
        shown = len(page.entries)
        if shown < page.total:
            self.count.setText(self.tr("The newest %1 of %2 entries").replace(
                "%1", locale.toString(shown)).replace("%2", locale.toString(page.total)))
        else:
            self.count.setText(self.tr("Entries: %1").replace(
                "%1", locale.toString(page.total)))
        self.loaded.emit()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection
                              ) -> None:
        rows = self.table.selectionModel().selectedRows()
        entry = self.model.entry(rows[0].row()) if rows else None
        if entry is None:
            self.detail.clear()
            return
        lines = detail_lines(entry, language())
        # The detail as recorded (JSON, its keys in code) only for what the words summarise:
        # a segment's filter, a settings row. Otherwise the words say it all.
        recorded = detail_json(entry) if words_leave_out(entry) else ""
        if recorded:
            lines += ["", self.tr("As recorded:"), recorded]
        self.detail.setPlainText("\n".join(lines))

    def _on_data_changed(self, _change: DataChange) -> None:
        # Any write may add an entry (or a person, or an action to filter by).
        if self.isVisible():
            self._load_choices()
        else:
            self._stale = True
