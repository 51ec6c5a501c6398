"""The main window: the department's areas in one place (customers, segments, lists, follow-ups,
reports, settings)."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from services.database import Database, count_rows


class MainWindow(QMainWindow):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.setWindowTitle(self.tr("Revisit — service marketing"))
        self._nav = QListWidget()
        self._nav.setFixedWidth(160)
        self._pages = QStackedWidget()
        areas = (
            self.tr("Customers"),
            self.tr("Segments"),
            self.tr("Lists"),
            self.tr("My follow-ups"),
            self.tr("Reports"),
            self.tr("Settings"),
        )
        for area in areas:
            self._nav.addItem(area)
            page = QLabel(area)
            page.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._pages.addWidget(page)
        self._pages.insertWidget(0, self._overview())
        self._pages.removeWidget(self._pages.widget(1))
        self._nav.currentRowChanged.connect(self._pages.setCurrentIndex)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self._nav)
        layout.addWidget(self._pages, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(self.tr("Database: %1").replace("%1", database.display_url))
        self._restore()

    def _overview(self) -> QWidget:
        counts = count_rows(self.database, ["customer", "vehicle"])
        locale = QLocale()
        label = QLabel(
            self.tr("%1 customers, %2 vehicles in the database.")
            .replace("%1", locale.toString(counts["customer"]))
            .replace("%2", locale.toString(counts["vehicle"]))
        )
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        self._nav.setCurrentRow(int(settings.value("main_window/area", 0)))

    def closeEvent(self, event) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/area", self._nav.currentRow())
        super().closeEvent(event)
