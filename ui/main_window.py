"""The main window: the department's areas in one place (customers, segments, lists, follow-ups,
reports, settings), a progress bar with Cancel for background work, remembered layout."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from services.database import Database
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView
from ui.views.followup_view import FollowUpView
from ui.views.lists_view import ListsView
from ui.views.reports_view import ReportsView
from ui.views.segments_view import SegmentsView
from ui.views.settings_view import SettingsView

PREPARE_AFTER_MS = 3000


class MainWindow(QMainWindow):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.runner = TaskRunner(self)
        self.setWindowTitle(self.tr("Revisit — service marketing"))
        self._nav = QListWidget()
        self._nav.setFixedWidth(150)
        self._nav.setObjectName("navigation")
        self._nav.setStyleSheet(
            "QListWidget#navigation { font-size: 15px; }"
            "QListWidget#navigation::item { padding: 9px 10px; }"
        )
        self._pages = QStackedWidget()
        self.customers = CustomersView(database, self.runner)
        self.followups = FollowUpView(database, self.runner)
        self.followups.call_saved.connect(lambda _id: self.customers.model.refresh_rows())
        self._add_area(self.tr("Customers"), self.customers)
        self.segments = SegmentsView(database, self.runner)
        self.segments.open_customer.connect(self.show_customer)
        self._add_area(self.tr("Segments"), self.segments)
        self.lists = ListsView(database, self.runner)
        self.lists.run_built.connect(lambda _id: self.followups.refresh())
        self.segments.segments_changed.connect(self.lists.reload_choices)
        self._add_area(self.tr("Lists"), self.lists)
        self._add_area(self.tr("My follow-ups"), self.followups)
        self._add_area(self.tr("Reports"), ReportsView(database, self.runner))
        self.settings = SettingsView(database, self.runner)
        self._add_area(self.tr("Settings"), self.settings)
        self._nav.currentRowChanged.connect(self._pages.setCurrentIndex)
        for number in range(self._nav.count()):
            QShortcut(
                QKeySequence(f"Ctrl+{number + 1}"),
                self,
                lambda n=number: self._nav.setCurrentRow(n),
            )
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self._nav)
        layout.addWidget(self._pages, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._restore()
        # Once the window has settled, so it does not slow the start.
        QTimer.singleShot(PREPARE_AFTER_MS, self.segments.prepare_summaries)

    def show_customer(self, customer_id: int) -> None:
        self._nav.setCurrentRow(0)
        self.customers.show_customer(customer_id)

    def _add_area(self, title: str, widget: QWidget) -> None:
        self._nav.addItem(title)
        self._pages.addWidget(widget)

    def _build_status_bar(self) -> None:
        self._progress = QProgressBar()
        self._progress.setMaximumWidth(220)
        self._progress_label = QLabel()
        self._cancel = QPushButton(self.tr("Cancel"))
        self._cancel.clicked.connect(self.runner.cancel_all)
        bar = self.statusBar()
        bar.addPermanentWidget(self._progress_label)
        bar.addPermanentWidget(self._progress)
        bar.addPermanentWidget(self._cancel)
        bar.addPermanentWidget(QLabel(self.database.display_url))
        self._on_busy_changed(False)
        self.runner.busy_changed.connect(self._on_busy_changed)
        self.runner.progress.connect(self._on_progress)

    def _on_busy_changed(self, busy: bool) -> None:
        for widget in (self._progress, self._cancel, self._progress_label):
            widget.setVisible(busy)
        self._progress.setRange(0, 0)  # busy until a task reports its progress

    def _on_progress(self, label: str, done: int, total: int) -> None:
        self._progress_label.setText(label)
        self._progress.setRange(0, total)  # total 0: busy, no steps known yet
        self._progress.setValue(done)

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        splitter = settings.value("customers/splitter")
        if splitter is not None:
            self.customers.splitter.restoreState(splitter)
        self._nav.setCurrentRow(int(settings.value("main_window/area", 0)))

    def closeEvent(self, event) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/area", self._nav.currentRow())
        settings.setValue("customers/splitter", self.customers.splitter.saveState())
        self.runner.cancel_all()
        self.runner.wait(5000)
        super().closeEvent(event)
