"""The main window: the department's areas in one place (customers, segments, lists, follow-ups,
reports, settings), a progress bar with Cancel for background work, remembered layout."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from services.staff.permissions import VIEW_AUDIT, Actor, allowed, staff_id
from services.store.database import Database
from ui.labels import database_place, label
from ui.nav_delegate import SHORTCUT_ROLE, NavigationDelegate
from ui.news import NewsWatcher
from ui.notice import NoticeBar
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView

if TYPE_CHECKING:
    from ui.views.audit_view import AuditView
    from ui.views.followup_view import FollowUpView
    from ui.views.import_view import ImportView
    from ui.views.lists_view import ListsView
    from ui.views.reports_view import ReportsView
    from ui.views.segments_view import SegmentsView
    from ui.views.settings_view import SettingsView

log = logging.getLogger(__name__)

PREPARE_AFTER_MS = 3000
# Below this the window opens maximised: an office screen of 1366×768 leaves ~1366×728 for it.
SMALL_SCREEN = (1440, 900)


class MainWindow(QMainWindow):
    def __init__(self, database: Database, actor: Actor, *,
                 first_ids: list[int] | None = None) -> None:
        """`first_ids`: the customer list's first search, when already read (ui/app.py)."""
        super().__init__()
        self.database = database
        self.actor = actor  # who signed in (ui/dialogs/sign_in_dialog.py)
        self.runner = TaskRunner(self, database_url=database.url)
        self.setWindowTitle(self.tr("Revisit — service marketing"))
        self._nav = QListWidget()
        self._nav.setObjectName("navigation")
        self._nav.setStyleSheet("QListWidget#navigation { font-size: 15px; }")
        self._nav.setItemDelegate(NavigationDelegate(self._nav))
        self._pages = QStackedWidget()
        self._built: dict[str, QWidget] = {}
        self._lazy_rows: dict[int, str] = {}
        self._daily_backup: threading.Event | None = None  # set when the day's backup ended
        # Views hear of each other's writes only through the runner's `data_changed`: a saved
        # call ("contacts") refreshes the customer table, a built run ("lists") the follow-up
        # queue, a saved segment ("segments") the lists wizard's choices. A view built later
        # reads what is there when it is built.
        self.customers = CustomersView(database, self.runner, actor=actor, first_ids=first_ids)
        self._add_area(self.tr("Customers"), self.customers)
        self._add_lazy_area(self.tr("Segments"), "segments")
        self._add_lazy_area(self.tr("Lists"), "lists")
        self._add_lazy_area(self.tr("My follow-ups"), "followups")
        self._add_lazy_area(self.tr("Reports"), "reports")
        self._add_lazy_area(self.tr("Import"), "imports")
        self._add_lazy_area(self.tr("Settings"), "settings")
        # An empty database's first steps (Import, Settings) open their areas.
        self.customers.open_area.connect(self.open_area)
        if allowed(actor, VIEW_AUDIT):
            self._add_lazy_area(self.tr("Audit trail"), "audit")
        self._nav.currentRowChanged.connect(self._on_area_changed)
        for number in range(self._nav.count()):
            QShortcut(
                QKeySequence(f"Ctrl+{number + 1}"),
                self,
                lambda n=number: self._nav.setCurrentRow(n),
            )
        self._nav.setFixedWidth(self._nav.sizeHintForColumn(0) + 2 * self._nav.frameWidth() + 4)
        QShortcut(QKeySequence(Qt.Key.Key_F1), self, self.show_shortcuts)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self._nav)
        layout.addWidget(self._pages, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._restore()
        # Once the window has settled, so it does not slow the start.
        QTimer.singleShot(PREPARE_AFTER_MS, self._prepare_summaries)
        # Others' writes, looked for every half minute from then on.
        self.news = NewsWatcher(self.runner, database, staff_id(actor), parent=self)
        QTimer.singleShot(PREPARE_AFTER_MS, self.news.start)

    # --- areas, built when first opened -------------------------------------------------
    # Every area but the customers (what staff start with): building them all at start imported
    # the reports' Excel and PDF writers, the list outputs and the import readers, and ran the
    # dashboard's queries, at every start.
    @property
    def segments(self) -> SegmentsView:
        return self._area("segments")

    @property
    def lists(self) -> ListsView:
        return self._area("lists")

    @property
    def followups(self) -> FollowUpView:
        return self._area("followups")

    @property
    def reports(self) -> ReportsView:
        return self._area("reports")

    @property
    def imports(self) -> ImportView:
        return self._area("imports")

    @property
    def settings(self) -> SettingsView:
        return self._area("settings")

    @property
    def audit(self) -> AuditView | None:
        """None when the signed-in person may not read the audit trail."""
        return self._area("audit") if "audit" in self._lazy_rows.values() else None

    def _area(self, name: str) -> Any:
        view = self._built.get(name)
        if view is None:
            view = self._build_area(name)
        return view

    def _new_view(self, name: str) -> QWidget:
        """The view of area `name`, made now. Import statements, not importlib with a name:
        the packaged build (PyInstaller) finds only these."""
        db, runner, actor = self.database, self.runner, self.actor
        match name:
            case "segments":
                from ui.views.segments_view import SegmentsView

                segments = SegmentsView(db, runner, actor=actor)
                segments.open_customer.connect(self.show_customer)
                return segments
            case "lists":
                from ui.views.lists_view import ListsView

                return ListsView(db, runner, actor=actor)
            case "followups":
                from ui.views.followup_view import FollowUpView

                followups = FollowUpView(db, runner, actor=actor)
                # The signed-in person's own calls first; they may still pick a colleague's.
                caller = followups.caller.findData(actor.id)
                if caller >= 0:
                    followups.caller.setCurrentIndex(caller)
                return followups
            case "reports":
                from ui.views.reports_view import ReportsView

                reports = ReportsView(db, runner, actor=actor)
                reports.open_segment.connect(self.show_segment)
                return reports
            case "imports":
                from ui.views.import_view import ImportView

                imports = ImportView(db, runner, actor)
                imports.read_back_requested.connect(self.read_back_list)
                return imports
            case "settings":
                from ui.views.settings_view import SettingsView

                return SettingsView(db, runner, actor)
            case "audit":
                from ui.views.audit_view import AuditView

                return AuditView(db, runner, actor)
        raise KeyError(name)

    def open_area(self, name: str) -> None:
        """Show the area `name` ("imports", "settings", …)."""
        self._nav.setCurrentRow(next(r for r, n in self._lazy_rows.items() if n == name))

    def _build_area(self, name: str) -> QWidget:
        view = self._new_view(name)
        self._built[name] = view
        row = next(r for r, n in self._lazy_rows.items() if n == name)
        placeholder = self._pages.widget(row)
        showing = self._pages.currentIndex() == row
        self._pages.insertWidget(row, view)
        if placeholder is not None:
            self._pages.removeWidget(placeholder)
            placeholder.deleteLater()
        if showing:
            self._pages.setCurrentIndex(row)
        return view

    def _prepare_summaries(self) -> None:
        """Build the RFM and km summaries for today in the background, so the RFM grid and the
        km-floor matrix open at once, and keep the RFM counts of last week's dashboard. Nothing
        to tell the user if it cannot: those questions are then answered live. Their modules
        (the ORM's classes among them) are imported on the worker too, so this thread never
        waits for them; the Segments area opened a second later found them loaded (0.09 s to
        open, against 0.12-0.5 s when they were imported here)."""
        sessions = self.database.sessions

        def prepare() -> None:
            from services.reports import activity, dashboard
            from services.segments import service as segments

            segments.prepare_summaries(sessions)
            # And the RFM counts the Reports area's first dashboard (last week) asks for.
            dashboard.keep_rfm_ready(sessions, activity.last_week()[1])

        self.runner.run(
            lambda _p, _c: prepare(),
            on_failed=lambda exc: log.warning("summaries not prepared: %s", exc),
            parent_widget=self,
            label=QCoreApplication.translate("SegmentsView",
                                             "Preparing the RFM and mileage figures"),
            write=True,  # it builds the summaries
        )

    def start_daily_backup(self) -> None:
        """The SQLite file's backup of the day, unless it has one, on a worker thread once the
        window is up: a due backup copies the whole file (6 s for the 1.3 GB demo of 200,000
        customers, page cache warm), which used to hold the window back as long. A backup
        that fails is a warning, as before. Closing waits for one under way
        (wait_for_daily_backup); one cut short anyway (the process killed) leaves only a
        temporary file, so the next start takes it."""
        from models import db

        path = db.sqlite_path(self.database.url)
        if path is None:
            return
        from services.store.backup import daily_backup

        finished = threading.Event()
        self._daily_backup = finished

        def work(_p, _c):
            try:
                return daily_backup(path)
            finally:
                finished.set()

        def made(backup) -> None:
            if backup is not None:
                self.runner.notify(QCoreApplication.translate(
                    "BackupsPanel", "Backed up to %1").replace("%1", str(backup)))

        self.runner.run(
            work,
            on_done=made,
            on_failed=self._on_daily_backup_failed,
            parent_widget=self,
            label=QCoreApplication.translate("BackupsPanel", "Backing up the database"),
        )

    def wait_for_daily_backup(self) -> None:
        """Until the day's backup, if one is under way, is finished: it is not cut short (it
        has no steps to cancel between)."""
        if self._daily_backup is not None:
            self._daily_backup.wait()

    def _on_daily_backup_failed(self, exc: BaseException) -> None:
        from PySide6.QtWidgets import QMessageBox

        from ui.tasks import error_text

        QMessageBox.warning(self, QCoreApplication.translate("app", "Revisit"), error_text(exc))

    def show_segment(self, data, name: str, as_of=None) -> None:
        """A report figure clicked: the customers behind it, as an unsaved segment."""
        self._nav.setCurrentRow(1)
        self.segments.open_filter(data, name, as_of)

    def read_back_list(self, path: str) -> None:
        """A filled-in list chosen under Import: read back under Lists → Past runs."""
        self.open_area("lists")
        self.lists.read_back_file(Path(path))

    def show_customer(self, customer_id: int) -> None:
        self._nav.setCurrentRow(0)
        self.customers.show_customer(customer_id)

    def _add_lazy_area(self, title: str, name: str) -> None:
        self._lazy_rows[self._nav.count()] = name
        self._add_area(title, QWidget())  # replaced by the view when first opened

    def _add_area(self, title: str, widget: QWidget) -> None:
        shortcut = QKeySequence(f"Ctrl+{self._nav.count() + 1}").toString(
            QKeySequence.SequenceFormat.NativeText
        )
        item = QListWidgetItem(title)
        item.setToolTip(f"{title} ({shortcut})")
        item.setData(SHORTCUT_ROLE, shortcut)
        self._nav.addItem(item)
        self._pages.addWidget(widget)

    def _on_area_changed(self, row: int) -> None:
        name = self._lazy_rows.get(row)
        if name is not None and name not in self._built:
            self._build_area(name)
        self._pages.setCurrentIndex(row)
        page = self._pages.currentWidget()
        # Each area says which control a user starts with; otherwise its first in Tab order.
        focus = getattr(page, "focus_first", None)
        if focus is not None:
            focus()
        elif page is not None:
            page.setFocus()
            page.focusNextChild()

    def area_titles(self) -> list[str]:
        return [self._nav.item(i).text() for i in range(self._nav.count())]

    def show_shortcuts(self) -> None:
        from ui.dialogs.shortcuts_dialog import ShortcutsDialog

        ShortcutsDialog(self.area_titles(), self).exec()

    def _build_status_bar(self) -> None:
        self._progress = QProgressBar()
        self._progress.setMaximumWidth(220)
        self._progress_label = QLabel()
        self._cancel = QPushButton(self.tr("Cancel"))
        self._cancel.clicked.connect(self.runner.cancel_all)
        bar = self.statusBar()
        self.notice = NoticeBar()
        bar.addWidget(self.notice, 1)
        self.runner.notice.connect(self.notice.show_notice)
        bar.addPermanentWidget(self._progress_label)
        bar.addPermanentWidget(self._progress)
        bar.addPermanentWidget(self._cancel)
        self.signed_in = QLabel(self.tr("%1 (%2)").replace(
            "%1", self.actor.display_name or self.actor.username).replace(
            "%2", label("staff_role", self.actor.role)))
        self.signed_in.setToolTip(self.tr("Signed in as %1").replace("%1", self.actor.username))
        bar.addPermanentWidget(self.signed_in)
        short, full = database_place(self.database.url)
        self.place = QLabel(short)
        self.place.setToolTip(full)
        bar.addPermanentWidget(self.place)
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
            screen = QGuiApplication.primaryScreen()
            available = screen.availableGeometry() if screen is not None else None
            if available is not None and (
                available.width() < SMALL_SCREEN[0] or available.height() < SMALL_SCREEN[1]
            ):
                self.setWindowState(Qt.WindowState.WindowMaximized)
        splitter = settings.value("customers/splitter")
        if splitter is not None:
            self.customers.restore_split(splitter)
        self._nav.setCurrentRow(int(settings.value("main_window/area", 0)))

    def closeEvent(self, event) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/area", self._nav.currentRow())
        settings.setValue("customers/splitter", self.customers.splitter.saveState())
        self.news.stop()
        self.runner.cancel_all()
        self.wait_for_daily_backup()
        self.runner.wait(5000)
        super().closeEvent(event)
