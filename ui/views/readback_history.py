"""The filled-in lists read back (file, list run, who, when, how many stored), and undoing one
read by mistake after a confirm (services/lists/readback_undo.py); opened from the read-back
area of 名单."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.staff.audit import local_time
from services.staff.permissions import Actor
from services.store.database import Database
from ui.tasks import TaskRunner, changed, show_error
from ui.views.customer_page import fill_table, make_table
from ui.widgets import when_empty

COL_STORED, COL_CORRECTED, COL_FILE = 4, 5, 8  # the table's columns tests and tips name


class ReadBacksDialog(QDialog):
    """The read-backs, newest first; `undone` carries the UndoReport once one is taken back."""

    undone = Signal(object)
    loaded = Signal()

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Lists read back"))
        self.database = database
        self.runner = runner
        self.actor = actor
        self.reads: list = []
        self.table = make_table([self.tr("No."), self.tr("Read at"), self.tr("By"),
                                 self.tr("List"), self.tr("Contacts stored"),
                                 self.tr("Contacts corrected"), self.tr("km"),
                                 self.tr("Profile changes"), self.tr("File")])
        self.table.horizontalHeaderItem(COL_CORRECTED).setToolTip(self.tr(
            "Rows read before, from this list or another copy of it, whose stored contact this "
            "read corrected; undoing the read puts them back as they were."))
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self._listed = False  # said empty only once the read-backs have been read
        when_empty(self.table, lambda: self.tr(
            "No filled-in list read back yet: each list read back under Read back a filled-in "
            "list is here, and can be undone.") if self._listed else "")
        self.undo_button = QPushButton(self.tr("&Undo this read-back…"))
        self.undo_button.setToolTip(self.tr(
            "Takes back everything the read stored: its contacts with their next dates, km "
            "readings and profile changes. Reading the file again stores it again."))
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self._on_undo_clicked)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.undo_button)
        row.addWidget(self.status, 1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.resize(900, 420)
        self.reload()

    def reload(self) -> None:
        sessions = self.database.sessions

        def work(_progress, _cancel):
            from services.lists import readback_undo

            return readback_undo.read_backs(sessions)

        self.runner.run(work, on_done=self._fill, parent_widget=self,
                        label=self.tr("Reading the read-backs"))

    def _fill(self, reads: list) -> None:
        self.reads, self._listed = reads, True
        locale = QLocale()
        rows = []
        for r in reads:
            state = ""
            if r.undone_at is not None:
                state = self.tr("undone %1 by %2").replace(
                    "%1", f"{local_time(r.undone_at):%Y-%m-%d %H:%M}").replace(
                    "%2", r.undone_by or "?")
            elif not r.undoable:
                state = self.tr("read before reads could be undone")
            rows.append([str(r.number), f"{local_time(r.at):%Y-%m-%d %H:%M}",
                         r.staff_name or "-", "、".join(f"#{n}" for n in r.runs),
                         locale.toString(r.stored), locale.toString(r.corrected),
                         locale.toString(r.km_readings),
                         locale.toString(r.profile_changes),
                         r.file + (f" ({state})" if state else "")])
        fill_table(self.table, rows)
        if reads:
            self.table.selectRow(0)
        self._on_table_selection_changed()
        self.loaded.emit()

    def _selected(self):
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.reads[rows.pop()] if len(rows) == 1 else None

    def _may_undo(self, read) -> bool:
        return (read is not None and read.undoable and read.undone_at is None
                and self.actor is not None
                and (self.actor.is_supervisor or self.actor.id == read.staff_id))

    def _on_table_selection_changed(self) -> None:
        self.undo_button.setEnabled(self._may_undo(self._selected()))

    def _on_undo_clicked(self) -> None:
        read = self._selected()
        if not self._may_undo(read):
            return
        locale = QLocale()
        question = (self.tr("Undo read-back #%1 of %2? Its %3 contact(s) with their next "
                            "dates, %4 km reading(s) and %5 profile change(s) are removed, and "
                            "the contacts it corrected put back as they were. Reading the file "
                            "again stores it again.")
                    .replace("%1", str(read.number)).replace("%2", read.file)
                    .replace("%3", locale.toString(read.stored))
                    .replace("%4", locale.toString(read.km_readings))
                    .replace("%5", locale.toString(read.profile_changes)))
        answer = QMessageBox.question(self, self.tr("Undo a read-back"), question,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        sessions, actor, number = self.database.sessions, self.actor, read.number

        def work(_progress, _cancel):
            from services.lists import readback_undo

            return readback_undo.undo_read_back(sessions, number, actor=actor)

        def failed(exc: BaseException) -> None:
            self._on_table_selection_changed()
            show_error(self, exc)

        self.undo_button.setEnabled(False)
        self.runner.run(work, on_done=self._show_undone, on_failed=failed, parent_widget=self,
                        label=self.tr("Undoing the read-back"), write=True,
                        changes=changed("lists", "contacts", "profile", "readings"))

    def _show_undone(self, report) -> None:
        locale = QLocale()
        self.status.setText(
            self.tr("Read-back #%1 undone: %2 contact(s), %3 km reading(s) and %4 profile "
                    "change(s) removed.")
            .replace("%1", str(report.number)).replace("%2", locale.toString(report.contacts))
            .replace("%3", locale.toString(report.km_readings))
            .replace("%4", locale.toString(report.profile_changes)))
        self.undone.emit(report)
        self.reload()
