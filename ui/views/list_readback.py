"""Reading a filled-in list back in the window: the Excel call, visit or WeChat list the callers
typed outcomes into is stored (services/lists/outcomes.py), and what could not be stored is
listed row by row, in the window's language, to be corrected in the file and read again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from services.staff.permissions import NOT_PASSED, Actor, NotPassed
from services.store.database import Database
from ui.files import ask_open_path
from ui.labels import language
from ui.tasks import TaskRunner, changed, show_error
from ui.views.customer_page import fill_table, make_table


class ReadBackPanel(QWidget):
    """The button, what the last read stored, and its rows that were not stored.
    `read_done` carries the report once it is shown."""

    read_done = Signal(object)

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None | NotPassed = NOT_PASSED) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.button = QPushButton(self.tr("&Read back a filled-in list…"))
        self.button.setToolTip(self.tr(
            "The Excel call, visit or WeChat list the callers filled in: outcomes, feedback, "
            "next dates, km and profile changes are stored. Reading a file again stores "
            "nothing twice."))
        self.button.clicked.connect(self._on_clicked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setVisible(False)
        self.problems = make_table([self.tr("Row"), self.tr("Not stored, and why")])
        self.problems.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.button, 0)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)

    def _on_clicked(self) -> None:
        path = ask_open_path(self, "outcomes", self.tr("Excel files (*.xlsx);;All files (*)"),
                             self.tr("Choose the filled-in list"))
        if path:
            self.read(Path(path))

    def read(self, path: Path) -> None:
        """Store what the file at `path` says, in the background (progress and Cancel in the
        window's status bar)."""
        sessions = self.database.sessions
        actor = None if isinstance(self.actor, NotPassed) else self.actor
        self.button.setEnabled(False)
        # What the last file's read said is not this one's: gone while this one is read, and
        # gone for good when it fails or is stopped.
        self.summary.setVisible(False)
        self.problems.setVisible(False)

        def work(progress, _cancel):
            # openpyxl reads the file: loaded when a file is first read back, not at start.
            from services.lists import outcomes

            return outcomes.read_outcomes(sessions, path, actor=actor, progress=progress)

        def failed(exc: BaseException) -> None:
            self.button.setEnabled(True)
            show_error(self, exc)

        def stopped() -> None:
            self.button.setEnabled(True)
            self.summary.setText(self.tr(
                "Stopped. The rows read before the stop are stored; read the file again to "
                "store the rest (nothing is stored twice)."))
            self.summary.setVisible(True)

        self.runner.run(work, on_done=lambda report: self._show(path, report),
                        on_failed=failed, on_cancelled=stopped, parent_widget=self,
                        label=self.tr("Reading the list back"), write=True,
                        changes=changed("lists", "contacts", "profile", "readings"))

    def _show(self, path: Path, report) -> None:
        self.button.setEnabled(True)
        lang, locale = language(), QLocale()
        text = (self.tr("%1: %2 contact(s) stored, %3 already read before, %4 row(s) without "
                        "an outcome, %5 km reading(s), %6 profile change(s).")
                .replace("%1", path.name)
                .replace("%2", locale.toString(report.stored))
                .replace("%3", locale.toString(report.already))
                .replace("%4", locale.toString(report.blank))
                .replace("%5", locale.toString(report.km_readings))
                .replace("%6", locale.toString(report.profile_changes)))
        if report.corrected:
            text += ("" if lang == "zh" else " ") + self.tr(
                "%n row(s) read before were typed into since: their feedback, next date or km "
                "was corrected.", "", report.corrected)
        rows = [p for p in report.found if p.row]
        if rows:
            text += ("" if lang == "zh" else " ") + self.tr(
                "%n row(s) not stored: correct them in the file and read it again.", "",
                len(rows))
        for note in (*report.notes, *(p for p in report.found if not p.row)):
            text += "\n" + note.text(lang)
        self.summary.setText(text)
        self.summary.setVisible(True)
        fill_table(self.problems, [[p.row, p.text(lang)] for p in rows])
        self.problems.setVisible(bool(rows))
        self.read_done.emit(report)
