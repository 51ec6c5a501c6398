"""Reading files back in the window: the Excel call, visit or WeChat list the callers typed
outcomes into is stored (services/lists/outcomes.py), and the rows to look at are listed row by
row, in the window's language, each saying what became of it (not stored, to be corrected in the
file and read again; stored without a cell; read before and corrected); an SMS vendor's
unsubscribe or failed-delivery file blocks SMS to the numbers it lists
(services/lists/unsubscribe.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from services.staff.permissions import NOT_PASSED, Actor, NotPassed
from services.store.database import Database
from ui.files import ask_open_path, dropped_file
from ui.labels import joined, language
from ui.tasks import TaskRunner, changed, show_error
from ui.views.customer_page import fill_table, make_table


class ReadBackPanel(QWidget):
    """The button, what the last read stored, and its rows that were not stored.
    `read_done` carries the report once it is shown."""

    read_done = Signal(object)
    unsubscribes_read = Signal(object)  # the UnsubscribeReport, once shown

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None | NotPassed = NOT_PASSED) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.button = QPushButton(self.tr("&Read back a filled-in list…"))
        self.button.setToolTip(self.tr(
            "The call, visit or WeChat list the callers filled in, as Excel or CSV: "
            "outcomes, feedback, next dates, km and profile changes are stored. A row "
            "without 联系日期 is dated the day the list was handed out. Reading a file again "
            "stores nothing twice."))
        self.button.clicked.connect(self._on_clicked)
        self.unsubscribe_button = QPushButton(self.tr("Read an SMS &unsubscribe file…"))
        self.unsubscribe_button.setToolTip(self.tr(
            "The file the SMS vendor sends back (Excel or CSV) of customers who replied T to "
            "unsubscribe, or of messages that could not be delivered: no SMS goes to those "
            "customers any more. Reading a file again blocks nobody twice."))
        self.unsubscribe_button.clicked.connect(self._on_unsubscribe_clicked)
        self.history_button = QPushButton(self.tr("&Past read-backs…"))
        self.history_button.setToolTip(self.tr(
            "The filled-in lists read back: file, list, who, when and how many contacts were "
            "stored. A read done by mistake (the wrong caller's file, rows filled in against "
            "the wrong lines) can be undone there by a supervisor or whoever read it."))
        self.history_button.clicked.connect(self._on_history_clicked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setVisible(False)
        self.problems = make_table([self.tr("Row"), self.tr("What was not stored, and why")])
        self.problems.setVisible(False)
        hint = QLabel(self.tr("Either file can also be dragged here from its folder."))
        hint.setStyleSheet("color: #555;")
        row = QHBoxLayout()
        row.addWidget(self.button, 0)
        row.addWidget(self.unsubscribe_button, 0)
        row.addWidget(hint, 0)
        row.addStretch(1)
        row.addWidget(self.history_button, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)

    def _ready(self) -> bool:
        """Whether a file may be read now (no read of this panel under way)."""
        return self.button.isEnabled() and self.unsubscribe_button.isEnabled()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._ready() and dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """A filled-in list Revisit wrote is read back as outcomes; any other file is taken
        for the SMS vendor's, which asks what it lists first."""
        found = dropped_file(event.mimeData()) if self._ready() else None
        if found is None:
            return
        event.acceptProposedAction()
        # Once the drop is over: the file manager the file came from waits for it to end, so
        # a question asked inside it would hold that window too.
        QTimer.singleShot(0, lambda: self._read_dropped(Path(found)))

    def _read_dropped(self, path: Path) -> None:
        """Whether the file is a list is seen in the background: a workbook is opened for its
        first row, which for a long list Revisit wrote takes seconds (openpyxl measures the
        whole sheet first: 7-9 s for 114,000 rows)."""
        def work(_progress, _cancel) -> bool:
            # The readers: loaded when a file is first dropped.
            from services.lists import outcome_file

            return outcome_file.is_filled_list(path)

        def decided(is_list: bool) -> None:
            self._set_buttons(True)
            if is_list:
                self.read(path)
                return
            failed = self.ask_failed(path)
            if failed is not None:
                self.read_unsubscribes(path, failed=failed)

        def unreadable(exc: BaseException) -> None:
            self._set_buttons(True)
            show_error(self, exc)

        self._set_buttons(False)
        self.runner.run(work, on_done=decided, on_failed=unreadable, parent_widget=self,
                        label=self.tr("Looking at the file"))

    def _set_buttons(self, enabled: bool) -> None:
        self.button.setEnabled(enabled)
        self.unsubscribe_button.setEnabled(enabled)

    def _on_clicked(self) -> None:
        kinds = self.tr("Excel or CSV files (*.xlsx *.xls *.ods *.csv);;All files (*)")
        path = ask_open_path(self, "outcomes", kinds, self.tr("Choose the filled-in list"))
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
                        "an outcome, %5 km reading(s), %6 profile change(s), %7 row(s) not "
                        "stored.")
                .replace("%1", path.name)
                .replace("%2", locale.toString(report.stored))
                .replace("%3", locale.toString(report.already))
                .replace("%4", locale.toString(report.blank))
                .replace("%5", locale.toString(report.km_readings))
                .replace("%6", locale.toString(report.profile_changes))
                .replace("%7", locale.toString(report.not_stored)))
        # The summary's sentences after the counts: run on in Chinese (each ends with 。), a
        # space before each in English.
        sentences: list[str] = []
        # Each row corrected is listed below, with what changed and whose call it was.
        if report.retyped:
            sentences.append(self.tr(
                "%n row(s) read before say another outcome now: their contact was corrected to "
                "it (the rows below say what it was, and whose call).", "", report.retyped))
        if report.corrected > report.retyped:
            sentences.append(self.tr(
                "%n row(s) read before were typed into since: their feedback, next date or km "
                "was corrected.", "", report.corrected - report.retyped))
        rows = [p for p in report.found if p.row]
        if rows:
            sentences.append(self.tr(
                "%n row(s) not stored: correct them in the file and read it again.", "",
                len(rows)))
        if report.left_out:
            sentences.append(self.tr(
                "%n row(s) stored without their profile changes (画像变化), which could not be "
                "read: put those in by hand on the customer's page.", "", len(report.left_out)))
        if report.km_unread:
            sentences.append(self.tr(
                "%n row(s) stored without their km (当前里程), which could not be read: put "
                "those in by hand on the customer's page.", "", len(report.km_unread)))
        if report.km_clashes:
            sentences.append(self.tr(
                "%n row(s) stored without their km (当前里程), which is less than a reading of "
                "the car before it or more than it could have been driven since (the rows "
                "below say which): check it with the customer and put it in by hand on the "
                "customer's page.", "", len(report.km_clashes)))
        if report.km_no_car:
            sentences.append(self.tr(
                "%n row(s) stored without their km (当前里程), whose 车牌 was typed over with a "
                "plate that does not tell which of the customer's cars it is (the rows below "
                "say which): put it in by hand on the customer's page.", "",
                len(report.km_no_car)))
        if report.cells_left_out:
            sentences.append(self.tr(
                "%n row(s) stored without a date or 回访员 cell that could not be right (the "
                "rows below say which): put it in by hand on the customer's page, or correct "
                "it and read the file again.", "", len(report.cells_left_out)))
        if report.phones_typed:
            sentences.append(self.tr(
                "%n row(s) give a phone number other than the one printed (the rows below say "
                "which): their contact is stored, the customer's number is not changed; if "
                "they have a new number, change it on the customer's page.", "",
                len(report.phones_typed)))
        text += "".join(("" if lang == "zh" else " ") + sentence for sentence in sentences)
        for note in (*report.notes, *(p for p in report.found if not p.row)):
            text += "\n" + note.text(lang)
        self.summary.setText(text)
        self.summary.setVisible(True)
        # Each row says what became of it: the rows not stored (as many as the summary counts)
        # said to be so; those stored without a cell, and those corrected, say so themselves.
        not_stored = self.tr("Not stored: %1")
        corrected = self.tr("Corrected: %1")
        listed = ([(p.row, not_stored.replace("%1", p.text(lang))) for p in rows]
                  + [(p.row, p.text(lang)) for p in report.stored_without]
                  + [(p.row, corrected.replace("%1", p.text(lang))) for p in report.corrections])
        self._set_why(self.tr("What became of the row, and why"))
        self._fill_problems(sorted(listed, key=lambda row: row[0]))
        self.read_done.emit(report)

    def _set_why(self, why: str) -> None:
        """The table's second column's header: what its rows say of a file read."""
        self.problems.setHorizontalHeaderLabels([self.tr("Row"), why])

    def _fill_problems(self, rows: list[tuple[int, str]]) -> None:
        """The rows not read, by their spreadsheet row number as Excel shows it (4588, never
        4,588: the number is looked up in the file)."""
        fill_table(self.problems, [[str(row), why] for row, why in rows])
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r in range(self.problems.rowCount()):
            item = self.problems.item(r, 0)
            if item is not None:
                item.setTextAlignment(right)
        self.problems.setVisible(bool(rows))

    def _on_history_clicked(self) -> None:
        """The read-backs done, where one can be undone."""
        from ui.views.readback_history import ReadBacksDialog

        actor = None if isinstance(self.actor, NotPassed) else self.actor
        self.history = ReadBacksDialog(self.database, self.runner, actor, self)
        self.history.open()

    def _on_unsubscribe_clicked(self) -> None:
        path = ask_open_path(self, "unsubscribe",
                             self.tr("SMS vendor files (*.xlsx *.xls *.csv *.txt);;All files (*)"),
                             self.tr("Choose the SMS vendor's unsubscribe or failed-delivery "
                                     "file"))
        if not path:
            return
        failed = self.ask_failed(Path(path))
        if failed is not None:
            self.read_unsubscribes(Path(path), failed=failed)

    def ask_failed(self, path: Path) -> bool | None:
        """Whether the file lists failed deliveries (True) or unsubscribes (False); None when
        the user cancels. The vendor's file does not say which it is."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("SMS vendor file"), self.tr(
            "What does %1 list?").replace("%1", path.name), parent=self)
        box.setInformativeText(self.tr(
            "Unsubscribes: customers who replied T; their marketing consent is withdrawn too. "
            "Failed deliveries: numbers that are empty or switched off. Either way no SMS goes "
            "to those customers any more."))
        unsubscribes = box.addButton(self.tr("&Unsubscribes (回T退订)"),
                                     QMessageBox.ButtonRole.AcceptRole)
        failures = box.addButton(self.tr("&Failed deliveries"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        name = path.name.casefold()
        box.setDefaultButton(failures if ("失败" in name or "fail" in name) else unsubscribes)
        box.exec()
        clicked = box.clickedButton()
        if clicked is unsubscribes:
            return False
        if clicked is failures:
            return True
        return None

    def read_unsubscribes(self, path: Path, *, failed: bool) -> None:
        """Block SMS to the customers whose numbers the vendor's file at `path` lists, in the
        background."""
        sessions = self.database.sessions
        who = None if isinstance(self.actor, NotPassed) or self.actor is None else self.actor.id
        self.unsubscribe_button.setEnabled(False)
        self.summary.setVisible(False)
        self.problems.setVisible(False)

        def work(_progress, _cancel):
            # openpyxl reads the file: loaded when a vendor file is first read, not at start.
            from services.lists import unsubscribe

            return unsubscribe.read_unsubscribes(sessions, path, failed=failed, staff_id=who)

        def failed_(exc: BaseException) -> None:
            self.unsubscribe_button.setEnabled(True)
            show_error(self, exc)

        self.runner.run(work, on_done=lambda report: self._show_unsubscribes(path, failed, report),
                        on_failed=failed_, parent_widget=self,
                        label=self.tr("Reading the SMS vendor's file"), write=True,
                        changes=changed("preferences", "customers"))

    def _show_unsubscribes(self, path: Path, failed: bool, report) -> None:
        self.unsubscribe_button.setEnabled(True)
        locale = QLocale()
        space = "" if language() == "zh" else " "
        if failed:
            text = self.tr("%1 lists failed deliveries: %2 number(s) read.")
        else:
            text = self.tr("%1 lists unsubscribes: %2 number(s) read.")
        text = text.replace("%1", path.name).replace("%2", locale.toString(report.numbers))
        text += space + self.tr("%n customer(s) now get no SMS.", "", report.customers_blocked)
        if report.already_blocked:
            text += space + self.tr("%n were blocked already by an earlier file.", "",
                                    report.already_blocked)
        if report.unknown_numbers:
            shown = list(report.unknown_numbers[:UNKNOWN_SHOWN])
            if len(report.unknown_numbers) > UNKNOWN_SHOWN:
                shown.append("…")
            text += space + self.tr("%n number(s) match no customer: %1.", "",
                                    len(report.unknown_numbers)).replace("%1", joined(shown))
        if report.unreadable_rows:
            text += space + self.tr("%n row(s) hold no mainland mobile number and were not "
                                    "read; they are listed below.", "",
                                    len(report.unreadable_rows))
        if report.delivered:
            text += space + self.tr("%n row(s) say the message was delivered: not blocked.",
                                    "", report.delivered)
        if report.not_blocked and failed:
            text += space + self.tr("%n failure(s) pass (关机, 超时…): those customers still "
                                    "get SMS; they are listed below.", "",
                                    len(report.not_blocked))
        elif report.not_blocked:
            text += space + self.tr("%n reply(ies) do not ask to unsubscribe (好的, 谢谢…): "
                                    "those customers still get SMS; they are listed below.", "",
                                    len(report.not_blocked))
        self.summary.setText(text)
        self.summary.setVisible(True)
        self._set_why(self.tr("What was not stored, and why"))
        why = self.tr("No mainland mobile number: not read")
        kept = (self.tr("A failure that passes (not blocked): %1") if failed
                else self.tr("A reply, not an unsubscribe (not blocked): %1"))
        self._fill_problems(sorted([(row, why) for row in report.unreadable_rows]
                                   + [(row, kept.replace("%1", said))
                                      for row, said in report.not_blocked]))
        self.unsubscribes_read.emit(report)


# Numbers matching no customer named in the summary; the rest counted.
UNKNOWN_SHOWN = 10
