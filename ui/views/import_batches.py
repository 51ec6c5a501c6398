"""Past imports: every file imported, newest first, with what it did; a supervisor can undo a
whole batch (asked first; the service says why when it cannot)."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from services.imports import batches
from services.imports.undo_checks import Worked, said_worked
from services.staff.audit import local_time
from services.staff.permissions import UNDO_IMPORTS, Actor, allowed
from services.store.database import Database
from ui.labels import label
from ui.tasks import DataChange, TaskRunner, changed
from ui.views.customer_page import fill_table, make_table
from ui.views.import_source import HINT_STYLE
from ui.widgets import when_empty

LIMIT = 200
# What an import or its undo changes: every area showing customers, their cars and history.
IMPORT_CHANGES = ("customers", "contacts", "profile", "readings", "preferences", "complaints",
                  "lists", "imports")


class BatchesPanel(QWidget):
    """`loaded` after the list arrived; `undone` carries the batch id after an undo."""

    loaded = Signal()
    undone = Signal(int)

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.rows: list[batches.BatchInfo] = []
        self._stale = True
        self.table = make_table(
            [self.tr("Batch"), self.tr("Imported"), self.tr("Kind"), self.tr("File"),
             self.tr("Rows"), self.tr("New"), self.tr("Updated"), self.tr("Unchanged"),
             self.tr("Not imported"), self.tr("State")]
        )
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self._listed = False
        when_empty(self.table, lambda: self.tr(
            "No import yet: files imported under New import are listed here, each one batch "
            "that can be undone.") if self._listed else "")
        self.undo = QPushButton(self.tr("&Undo this import…"))
        self.undo.setEnabled(False)
        self.undo.clicked.connect(self._on_undo_clicked)
        self.may_undo = allowed(actor, UNDO_IMPORTS)
        note = QLabel(
            self.tr("Undo deletes what the import created and puts back the values it changed. "
                    "Undo later imports of the same records first.")
            if self.may_undo
            else self.tr("Only a supervisor may undo an import.")
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo)
        buttons.addWidget(note, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        runner.data_changed.connect(self._on_data_changed)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def focus_first(self) -> None:
        self.table.setFocus()

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("imports"):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self.runner.run(
            lambda _p, _c: batches.list_batches(self.database.sessions, LIMIT),
            on_done=self._show,
            latest="import-batches",
            parent_widget=self,
            label=self.tr("Loading past imports"),
        )

    def _show(self, rows: list[batches.BatchInfo]) -> None:
        selected = self.selected()
        self.rows, self._listed = list(rows), True
        fill_table(
            self.table,
            [
                [
                    f"#{b.id}",
                    f"{local_time(b.imported_at):%Y-%m-%d %H:%M}",
                    label("import_kind", b.kind),
                    b.source,
                    b.rows_total,
                    b.created,
                    b.updated,
                    b.unchanged,
                    b.rejected,
                    self._state(b),
                ]
                for b in self.rows
            ],
        )
        for r, b in enumerate(self.rows):
            items = [self.table.item(r, c) for c in range(self.table.columnCount())]
            cells = [item for item in items if item is not None]
            if len(cells) < len(items):
                continue
            cells[3].setToolTip(b.source)
            state = cells[-1]
            if b.interrupted:
                state.setToolTip(self.tr(
                    "This import stopped part-way (the connection to the database was lost or "
                    "ended, or its program stopped) and took back what it had written: nothing "
                    "of it is stored. Nobody undid it; import the file again if it is wanted."))
            elif b.left:
                state.setToolTip(self.tr(
                    "Undone except the customers colleagues had worked on since: %1 rows of "
                    "this import stay with them.").replace(
                    "%1", QLocale().toString(sum(b.left.values()))))
            if b.undone:
                for cell in cells:
                    cell.setForeground(Qt.GlobalColor.gray)
                continue
            if b.completed_by is not None:
                state.setToolTip(self.tr(
                    "This import stopped before its last rows; import #%1 of the same file "
                    "completed it. Undoing #%1 undoes this one too.").replace(
                    "%1", str(b.completed_by)))
            elif b.unfinished:
                state.setToolTip(self.tr(
                    "This import stopped before its last rows (its program was closed or "
                    "killed); the rows counted here are stored. Import the file again to "
                    "finish it (undoing that import then undoes this one too), or undo it."))
        row = next((i for i, b in enumerate(self.rows) if selected and b.id == selected.id), 0)
        if self.rows:
            self.table.selectRow(row)
        self._on_selection_changed()
        self.loaded.emit()

    def _state(self, b: batches.BatchInfo) -> str:
        if b.interrupted:
            return self.tr("interrupted, not stored")
        if b.left and b.undone_at:
            return self.tr("partly undone %1").replace(
                "%1", f"{local_time(b.undone_at):%Y-%m-%d %H:%M}")
        if b.undone_at:
            return self.tr("undone %1").replace("%1", f"{local_time(b.undone_at):%Y-%m-%d %H:%M}")
        if b.completed_by is not None:
            return self.tr("completed by #%1").replace("%1", str(b.completed_by))
        return self.tr("unfinished") if b.unfinished else ""

    def selected(self) -> batches.BatchInfo | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _on_selection_changed(self) -> None:
        batch = self.selected()
        self.undo.setEnabled(self.may_undo and batch is not None and not batch.undone)

    def _on_undo_clicked(self) -> None:
        batch = self.selected()
        if batch is None:
            return
        self.undo.setEnabled(False)
        # Who colleagues worked on since is read first: the question then offers to keep them.
        self.runner.run(
            lambda _p, _c: batches.worked_on(self.database.sessions, batch.id),
            on_done=lambda worked: self._on_worked_read(batch, worked),
            on_failed=self._on_undo_failed,
            parent_widget=self,
            label=self.tr("Reading import #%1").replace("%1", str(batch.id)),
        )

    def _on_worked_read(self, batch: batches.BatchInfo, worked: list[Worked]) -> None:
        if not (self._ask_keep(batch, worked) if worked else self._confirm(batch)):
            self._on_selection_changed()
            return
        actor = self.actor
        sessions = self.database.sessions

        def undo(progress, cancel) -> batches.UndoResult:
            if worked:
                return batches.undo_batch(sessions, batch.id, actor, progress, cancel,
                                          keep_worked=True)
            return batches.undo_batch(sessions, batch.id, actor, progress, cancel)

        # Progress and Cancel in the window's status bar; cancelled, the undo's one
        # transaction is rolled back and the import stays whole.
        self.runner.run(
            undo,
            on_done=self._on_undone,
            on_failed=self._on_undo_failed,
            on_cancelled=lambda: self._on_undo_cancelled(batch.id),
            parent_widget=self,
            label=self.tr("Undoing import #%1").replace("%1", str(batch.id)),
            write=True,
            changes=changed(*IMPORT_CHANGES),
        )

    def _confirm(self, batch: batches.BatchInfo) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Undo an import"),
            self._undo_text(batch),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _keep_dialog(self, batch: batches.BatchInfo,
                     worked: list[Worked]) -> tuple[QMessageBox, QPushButton]:
        """The question when colleagues worked on customers the import created: the whole
        import cannot be undone, the rest can, keeping those customers (named, with what was
        recorded and by whom)."""
        chinese = QLocale().language() == QLocale.Language.Chinese
        said = said_worked(worked, 5)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Undo an import"),
                          self._undo_text(batch), QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(
            self.tr("%n customer(s) this import created have been worked on since (a call, a "
                    "list, a profile change): %1. They are kept, with what the import created "
                    "for them, and the rest of the import is undone.", "", len(worked))
            .replace("%1", said.zh if chinese else str(said)))
        keep = box.addButton(self.tr("Undo the rest, &keep these customers"),
                             QMessageBox.ButtonRole.YesRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box, keep

    def _ask_keep(self, batch: batches.BatchInfo, worked: list[Worked]) -> bool:
        box, keep = self._keep_dialog(batch, worked)
        box.exec()
        return box.clickedButton() is keep

    def _undo_text(self, batch: batches.BatchInfo) -> str:
        locale = QLocale()
        text = (
            self.tr("Undo import #%1 of “%2” (%3)? What it created (%4 new rows) is deleted and "
                    "the values it changed in %5 rows are put back as they were.")
            .replace("%1", str(batch.id))
            .replace("%2", batch.source)
            .replace("%3", f"{local_time(batch.imported_at):%Y-%m-%d %H:%M}")
            .replace("%4", locale.toString(batch.created))
            # Stored records it changed: a row that gave a known owner a new car counts as
            # new in the file's counts, yet the owner's address it changed is put back too.
            .replace("%5", locale.toString(sum(batch.changed_records.values())
                                           or batch.updated))
        )
        if batch.completes:
            text += " " + self.tr("It completed the stopped import %1 of the same file, which "
                                  "is undone with it.").replace(
                "%1", ", ".join(f"#{b}" for b in batch.completes))
        return text

    def _on_undone(self, result: batches.UndoResult) -> None:
        deleted = sum(result.deleted.values())
        text = self.tr("Import #%1 undone: %2 rows deleted, %3 values put back.").replace(
            "%1", str(result.batch_id)).replace("%2", QLocale().toString(deleted)).replace(
            "%3", QLocale().toString(result.restored))
        if result.also:
            text += " " + self.tr("The stopped import %1 it completed was undone with it.").replace(
                "%1", ", ".join(f"#{b}" for b in result.also))
        if result.kept:
            text += " " + self.tr("%n value(s) changed by hand since were left as they are.",
                                  "", result.kept)
        if result.partly:
            said = said_worked(list(result.kept_customers))
            chinese = QLocale().language() == QLocale.Language.Chinese
            text += " " + self.tr("Kept %n customer(s) worked on since (%1), with %2 rows of "
                                  "the import.", "", len(result.kept_customers)).replace(
                "%1", said.zh if chinese else str(said)).replace(
                "%2", QLocale().toString(sum(result.left.values())))
        self.runner.notify(text)
        self.undone.emit(result.batch_id)

    def _on_undo_cancelled(self, batch_id: int) -> None:
        self._on_selection_changed()
        self.runner.notify(self.tr("Undo of import #%1 cancelled; the import is as it was.")
                           .replace("%1", str(batch_id)))

    def _on_undo_failed(self, exc: BaseException) -> None:
        from ui.tasks import show_error

        self._on_selection_changed()
        show_error(self, exc)
