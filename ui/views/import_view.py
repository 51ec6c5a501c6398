"""Import: the wizard from a DMS export or spreadsheet to stored customers, cars and history —
kind and file → sheet and header row → columns → dry run → import, each slow step in the
background with progress and Cancel — and the past imports (with Undo) and duplicate customers
(with merge and Undo) beside it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.imports import profiles, readers
from services.imports.apply import apply
from services.imports.engine import fitting_sheet
from services.imports.failed import STOPPED_WITH_ROWS
from services.imports.mapping import Mapping, auto_map, fit_profile, looks_like
from services.imports.plan import ImportOptions, ImportPlan, plan
from services.imports.sheets import AlikeSheet, sheets_left
from services.lists.outcome_file import looks_like_list
from services.staff.permissions import Actor
from services.store.database import Database
from services.store.errors import RevisitError
from ui.dialogs.name_dialog import NameDialog
from ui.dialogs.save_again import edit_and_save
from ui.files import ask_open_path, ask_save_path, open_actions
from ui.labels import label
from ui.tasks import TaskRunner, changed, show_error
from ui.views.duplicates_view import DuplicatesView
from ui.views.import_batches import IMPORT_CHANGES, BatchesPanel
from ui.views.import_mapping import DEFAULT_MATCH, MappingPage
from ui.views.import_plan import PlanPanel
from ui.views.import_sheets import SheetChain, SheetsDone
from ui.views.import_source import HINT_STYLE, SheetPage, SourcePage

STEP_SOURCE, STEP_SHEET, STEP_MAPPING, STEP_DRY_RUN, STEP_RESULT = range(5)
PREVIEW_ROWS = 20
TAB_WIZARD, TAB_BATCHES, TAB_DUPLICATES = range(3)


@dataclass(frozen=True)
class _Read:
    """What the mapping was worked out for: a change of any of these starts it again."""

    kind: str
    path: str
    sheet: str | None
    header_row: int


class ImportView(QWidget):
    """Signals for whoever waits on the background steps (the tests, mostly): `preview_loaded`,
    `planned` (a dry run's ImportPlan), `imported` (the ImportResult) and `sheets_shown` (the
    workbook's sheets left to import with the same columns, after an import)."""

    preview_loaded = Signal()
    profiles_loaded = Signal()
    planned = Signal(object)
    imported = Signal(object)
    sheets_shown = Signal()  # the sheets left to import after one, worked out
    # A list Revisit wrote, chosen here by mistake, that the user asked to read back (its path).
    read_back_requested = Signal(str)

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.path = ""
        self.preview: readers.Preview | None = None
        self.plan: ImportPlan | None = None
        self.result: ImportPlan | None = None
        self._read: _Read | None = None
        # The workbook's sheets with the columns of `_columns_of` (the sheet imported last,
        # or the first of several imported at once), not yet imported from it; the options
        # of the last import, which the others are imported with.
        self._left: list[AlikeSheet] = []
        self._columns_of: ImportPlan | None = None
        self._imported_with: ImportOptions | None = None
        self._busy = False
        self._profile = ""  # the saved mapping shown, "" for the one recognised from headers
        self._runs = 0
        # The rejected rows of each run, until the user saves them; they hold customers'
        # phones, so the folder goes when the window does.
        self._tmp_dir = tempfile.TemporaryDirectory(prefix="revisit-import-")
        self._tmp = Path(self._tmp_dir.name)
        folder = self._tmp_dir
        self.destroyed.connect(lambda *_: folder.cleanup())
        self.source = SourcePage()
        self.source.choose_requested.connect(self._on_choose_clicked)
        self.source.file_dropped.connect(self.use_file)
        self.source.kind_changed.connect(lambda _k: self._forget_plan())
        self.sheet = SheetPage()
        self.sheet.sheet_chosen.connect(lambda name: self.load_preview(name, None))
        self.sheet.header_row_chosen.connect(
            lambda row: self.load_preview(self.sheet.chosen_sheet(), row))
        self.mapping = MappingPage()
        self.mapping.changed.connect(self._on_mapping_changed)
        self.mapping.kind_suggested.connect(self._import_as)
        self.mapping.profile_chosen.connect(self._on_profile_chosen)
        self.mapping.save_requested.connect(self._on_save_profile_clicked)
        self.dry_run = PlanPanel(final=False)
        self.dry_run.save_errors_requested.connect(lambda: self._save_errors(self.plan))
        self.dry_run.rerun_requested.connect(self.start_dry_run)
        self.done = PlanPanel(final=True)
        self.done.save_errors_requested.connect(lambda: self._save_errors(self.result))
        self.steps = QStackedWidget()
        for page in (self.source, self.sheet, self.mapping, self.dry_run, self.done):
            self.steps.addWidget(page)
        self.step_label = QLabel()
        self.back = QPushButton(self.tr("◀ &Back"))
        self.next = QPushButton()
        self.back.clicked.connect(self._on_back_clicked)
        self.next.clicked.connect(self._on_next_clicked)
        self.sheets_left = QLabel()
        self.sheets_left.setWordWrap(True)
        self.sheets_left.setStyleSheet(HINT_STYLE)
        self.next_sheet = QPushButton()
        self.next_sheet.clicked.connect(self.import_next_sheet)
        self.all_sheets = QPushButton()
        self.all_sheets.clicked.connect(self.import_other_sheets)
        self.sheets_done = SheetsDone()
        self.sheets_done.chosen.connect(self._show_sheet_result)
        nav = QHBoxLayout()
        nav.addWidget(self.step_label, 1)
        nav.addWidget(self.back)
        nav.addWidget(self.next_sheet)
        nav.addWidget(self.all_sheets)
        nav.addWidget(self.next)
        wizard = QWidget()
        wizard_layout = QVBoxLayout(wizard)
        wizard_layout.addWidget(self.steps, 1)
        wizard_layout.addWidget(self.sheets_done)
        wizard_layout.addWidget(self.sheets_left)
        wizard_layout.addLayout(nav)
        self.batches = BatchesPanel(database, runner, actor)
        self.duplicates = DuplicatesView(database, runner, actor)
        self.tabs = QTabWidget()
        self.tabs.addTab(wizard, self.tr("New import"))
        self.tabs.addTab(self.batches, self.tr("Past imports"))
        self.tabs.addTab(self.duplicates, self.tr("Duplicate customers"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self._go(STEP_SOURCE)

    def focus_first(self) -> None:
        if self.tabs.currentIndex() == TAB_WIZARD:
            page = self.steps.currentWidget()
            page.focus_first()
        else:
            self.tabs.currentWidget().focus_first()

    # --- step 1: the kind and the file -----------------------------------------------------
    def kind(self) -> str:
        return self.source.kind()

    def _on_choose_clicked(self) -> None:
        path = ask_open_path(
            self,
            "import",
            self.tr("Excel or CSV files (*.xlsx *.xls *.csv *.ods *.xml *.htm *.html *.txt);;"
                    "All files (*)"),
            self.tr("Choose the file to import"),
        )
        if path:
            self.use_file(path)

    def use_file(self, path: str) -> None:
        """Read `path` (chosen in the dialog or dropped on step 1) and show its sheet."""
        self.path = path
        self.source.path.setText(path)
        self.preview = None
        self.sheets_done.clear()
        self._forget_plan()
        self.load_preview(None, None, go_on=True)

    def load_preview(self, sheet: str | None, header_row: int | None, go_on: bool = False,
                     then: Callable[[readers.Preview], None] | None = None) -> None:
        """Read the top of the file in the background; `go_on`: then show step 2; `then`:
        hand it there instead of showing it."""
        path, kind = self.path, self.kind()

        def read(_progress, _cancel) -> readers.Preview:
            shown = readers.preview(path, sheet=sheet, header_row=header_row,
                                    rows=PREVIEW_ROWS)
            # No sheet chosen yet, and more than one: the first with data, or the first that
            # fits the kind when that one does not (a summary 汇总 before the detail 明细). A
            # file of one sheet is read once.
            if sheet is None and len(shown.layout.sheets) > 1:
                fits = fitting_sheet(path, kind, header_row)
                if fits is not None:
                    return readers.preview(path, sheet=fits, header_row=header_row,
                                           rows=PREVIEW_ROWS)
            return shown

        self._set_busy(True)
        self.runner.run(
            read,
            on_done=then or (lambda preview: self._show_preview(preview, go_on, sheet is None)),
            on_failed=self._on_failed,
            on_cancelled=lambda: self._set_busy(False),
            latest="import-preview",
            parent_widget=self,
            label=self.tr("Reading the file"),
        )

    def _show_preview(self, preview: readers.Preview, go_on: bool, searched: bool) -> None:
        self._set_busy(False)
        if go_on and searched and self._read_back_instead(preview):
            return
        self.preview = preview
        self._forget_plan()
        self.sheet.show_preview(preview, searched)
        if go_on:
            self._go(STEP_SHEET)
        else:
            self._update_nav()
        self.preview_loaded.emit()

    def _read_back_instead(self, preview: readers.Preview) -> bool:
        """A list Revisit wrote (its headers have the row code and the outcome, its 编号 cells
        are row codes) holds what the callers typed: read back under Lists, not imported over
        the customers. Asked; True when the file is sent there or dropped."""
        if not looks_like_list(preview.layout.headers, [r.cells for r in preview.sample]):
            return False
        name = Path(preview.layout.path).name
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("A list Revisit wrote"),
                          self.tr("“%1” is a list Revisit wrote: it has the columns 编号 and "
                                  "结果. What the callers typed into it is read back under "
                                  "Lists → Past runs, not imported.").replace("%1", name),
                          parent=self)
        read = box.addButton(self.tr("&Read it back"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("&Import it anyway"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(read)
        box.exec()
        if box.clickedButton() is read:
            self.restart()
            self.read_back_requested.emit(preview.layout.path)
            return True
        if box.clickedButton() is cancel:
            self.restart()
            return True
        return False

    # --- step 3: the columns ---------------------------------------------------------------
    def _prepare_mapping(self) -> None:
        """The mapping for the file as now read: recognised from its headers, unless it was
        already worked out (and perhaps corrected) for the very same reading."""
        assert self.preview is not None
        layout = self.preview.layout
        read = _Read(self.kind(), self.path, layout.sheet, layout.header_row)
        if read == self._read:
            return
        self._read = read
        self.mapping.set_match_rule(DEFAULT_MATCH)
        self.mapping.set_other_kind(looks_like(layout.headers, read.kind), read.kind)
        self._show_mapping(auto_map(layout.headers, read.kind, self._samples()),
                           self._auto_text(), "")
        self.runner.run(
            lambda _p, _c: [p.name for p in profiles.list_profiles(self.database.sessions,
                                                                   read.kind)],
            on_done=self._show_profiles,
            latest="import-profiles",
            parent_widget=self,
        )

    def _import_as(self, kind: str) -> None:
        """The file taken as the kind of file its headers say it is (step 1's choice
        changed), its columns recognised again for that kind."""
        self.source.set_kind(kind)
        self._go(STEP_MAPPING)

    def _samples(self) -> list[tuple]:
        return [r.cells for r in self.preview.sample] if self.preview else []

    def _auto_text(self) -> str:
        return self.tr("Recognised from the file's headers; fields marked yellow are guesses to "
                       "check. Change any column with its box.")

    def _show_mapping(self, mapping: Mapping, text: str, profile: str) -> None:
        assert self.preview is not None
        self.mapping.set_mapping(mapping, self.preview.layout.headers, self._samples(), text)
        self._profile = profile
        self._forget_plan()
        self._update_nav()

    def _show_profiles(self, names: list[str]) -> None:
        self.mapping.set_profiles(names, self._profile)
        self.profiles_loaded.emit()

    def _on_profile_chosen(self, name: str) -> None:
        if self.preview is None:
            return
        headers = self.preview.layout.headers
        if not name:
            self._show_mapping(auto_map(headers, self.kind(), self._samples()),
                               self._auto_text(), "")
            return
        kind = self.kind()
        self.runner.run(
            lambda _p, _c: profiles.load_profile(self.database.sessions, kind, name),
            on_done=lambda p: self._show_mapping(
                fit_profile(p.mapping, headers),
                self.tr("From the saved mapping “%1”.").replace("%1", p.name),
                p.name,
            ),
            latest="import-profile",
            parent_widget=self,
        )

    def _on_mapping_changed(self) -> None:
        self._forget_plan()
        self._update_nav()

    def _on_save_profile_clicked(self) -> None:
        """Ask for the mapping's name, then save it; a save that fails (the database refuses
        it, the server stopped) says why and asks again with the name as typed."""
        mapping = self.mapping.mapping()
        if mapping is None:
            return
        dialog = NameDialog(self.tr("Save the columns as a mapping"),
                            self.tr("Name of the mapping, e.g. the system the file comes from:"),
                            self._profile, self, max_length=profiles.NAME_LENGTH)
        staff_id = self.actor.id if self.actor is not None else None

        def save(failed) -> None:
            name = dialog.value()
            self.runner.run(
                lambda _p, _c: profiles.save_profile(self.database.sessions, name, mapping,
                                                     staff_id=staff_id),
                on_done=lambda p: self._on_profile_saved(p.name),
                on_failed=failed,
                parent_widget=self,
                write=True,
                done_notice=self.tr("Mapping “%1” saved.").replace("%1", name),
            )

        edit_and_save(dialog, save)

    def _on_profile_saved(self, name: str) -> None:
        self._profile = name
        self.runner.run(
            lambda _p, _c: [p.name for p in profiles.list_profiles(self.database.sessions,
                                                                   self.kind())],
            on_done=self._show_profiles,
            latest="import-profiles",
            parent_widget=self,
        )

    # --- step 4: the dry run -------------------------------------------------------------
    def options(self) -> ImportOptions:
        assert self.preview is not None
        layout = self.preview.layout
        return ImportOptions(
            self.kind(),
            sheet=layout.sheet,
            header_row=layout.header_row or None,
            mapping=self.mapping.mapping(),
            match=self.mapping.match_rule() if self.kind() == "customers" else DEFAULT_MATCH,
            staff_id=self.actor.id if self.actor is not None else None,
        )

    def _errors_path(self) -> Path:
        self._runs += 1
        return self._tmp / f"rejected-{self._runs}.xlsx"

    def start_dry_run(self) -> None:
        options, path, errors = self.options(), self.path, self._errors_path()
        self.plan = None
        self._go(STEP_DRY_RUN)
        self.dry_run.clear(self.tr("Checking every row against the database… Nothing is "
                                   "written. Progress and Cancel are at the bottom of the "
                                   "window."))
        self._set_busy(True)
        self.runner.run(
            lambda progress, cancel: plan(self.database.sessions, path, options,
                                          progress=progress, cancel=cancel, errors_path=errors),
            on_done=self._on_planned,
            on_failed=self._on_failed,
            on_cancelled=lambda: self._on_stopped(self.tr("The dry run was cancelled.")),
            parent_widget=self,
            label=self.tr("Dry run"),
        )

    def _on_planned(self, result: ImportPlan) -> None:
        self._set_busy(False)
        self.plan = result
        self.dry_run.show_plan(result)
        self._update_nav()
        self.planned.emit(result)

    # --- step 5: the import --------------------------------------------------------------
    def start_import(self) -> None:
        if self.plan is None or not self._confirm_import(self.plan):
            return
        options = self._imported_with = self.options()
        self._set_busy(True)
        self.run_import(
            options, self.tr("Importing %1").replace("%1", Path(self.path).name),
            self._on_imported, self._on_failed,
            lambda: self._on_stopped(
                self.tr("The import was cancelled; the rows it had written were taken back.")))

    def run_import(self, options: ImportOptions, label: str,
                   on_done: Callable[[ImportPlan], None],
                   on_failed: Callable[[BaseException], None],
                   on_cancelled: Callable[[], None]) -> None:
        """The file imported with `options` in the background, as a write that may be
        cancelled (its rows then taken back), its rows with problems kept in a file of their
        own for the user to save."""
        path, errors, sessions = self.path, self._errors_path(), self.database.sessions
        self.runner.run(
            lambda progress, cancel: apply(sessions, path, options, progress=progress,
                                           cancel=cancel, errors_path=errors),
            on_done=on_done,
            on_failed=on_failed,
            on_cancelled=on_cancelled,
            parent_widget=self,
            label=label,
            write=True,
            changes=changed(*IMPORT_CHANGES),
        )

    def _confirm_import(self, dry: ImportPlan) -> bool:
        locale = QLocale()
        text = (
            self.tr("Import “%1” as %2 now? By the dry run: %3 new, %4 updated, %5 unchanged, "
                    "%6 not imported.")
            .replace("%1", dry.file_name)
            .replace("%2", label("import_kind", dry.kind))
            .replace("%3", locale.toString(dry.created))
            .replace("%4", locale.toString(dry.updated))
            .replace("%5", locale.toString(dry.unchanged))
            .replace("%6", locale.toString(dry.rejected))
        )
        text += "\n\n" + self.tr("The import is stored as one batch that can be undone under "
                                 "Past imports.")
        answer = QMessageBox.question(
            self,
            self.tr("Import the file"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_imported(self, result: ImportPlan) -> None:
        self._set_busy(False)
        self.result = result
        self._left = []
        self.sheets_done.add(result)
        self.done.show_plan(result)
        self._go(STEP_RESULT)
        self.runner.notify(
            self.tr("Import #%1 stored: %2 new, %3 updated, %4 unchanged, %5 not imported.")
            .replace("%1", str(result.batch_id))
            .replace("%2", QLocale().toString(result.created))
            .replace("%3", QLocale().toString(result.updated))
            .replace("%4", QLocale().toString(result.unchanged))
            .replace("%5", QLocale().toString(result.rejected))
        )
        self._offer_sheets_left(result)
        self.imported.emit(result)

    # --- the other sheets of a workbook of one sheet per month -------------------------------
    def _offer_sheets_left(self, columns: ImportPlan) -> None:
        """Work out in the background which sheets of the workbook have `columns`'s columns
        and are not imported yet, and offer them."""
        self._columns_of = columns
        if len(columns.sheets) < 2:
            return
        path = self.path
        self.runner.run(
            lambda _p, _c: sheets_left(self.database.sessions, path, columns.mapping,
                                       columns.sheet, columns.kind),
            on_done=self._show_sheets_left,
            # Only an offer: a file moved away since is no reason for a message.
            on_failed=lambda _exc: None,
            latest="import-sheets",
            parent_widget=self,
        )

    def _show_sheets_left(self, left: list[AlikeSheet]) -> None:
        columns = self._columns_of
        if self.steps.currentIndex() != STEP_RESULT or self.result is None or columns is None:
            return  # a new import was begun meanwhile
        self._left = left
        if left:
            names = "、".join(a.name for a in left)
            self.sheets_left.setText(
                self.tr("%n more sheet(s) of this workbook have the columns of “%1”, not "
                        "imported yet: %2. The next is imported with the same columns, after "
                        "its own dry run; or all of them at once.", "", len(left))
                .replace("%1", columns.sheet or "").replace("%2", names))
            self.next_sheet.setText(self.tr("Next sheet “%1” ▶").replace("%1", left[0].name))
            self.all_sheets.setText(self.tr("Import all %n sheet(s)…", "", len(left)))
        self._update_nav()
        self.sheets_shown.emit()

    def import_next_sheet(self) -> None:
        """The first sheet left read with the columns the last import used, then its dry run
        (the mapping is not worked out again: a correction made to it holds)."""
        if not self._left or self.result is None:
            return
        sheet, done = self._left[0], self.result
        self.load_preview(sheet.name, sheet.header_row,
                          then=lambda preview: self._dry_run_sheet(preview, done))

    def import_other_sheets(self) -> None:
        """Every sheet left imported now, one after another with the columns they were found
        with, each its own batch (asked first: none gets a dry run of its own)."""
        columns, options = self._columns_of, self._imported_with
        if not self._left or columns is None or options is None:
            return
        left = list(self._left)
        text = (self.tr("Import the %n sheet(s) %1 now, with the columns of “%2”? None of them "
                        "is dry-run first.", "", len(left))
                .replace("%1", "、".join(a.name for a in left)).replace("%2", columns.sheet or ""))
        text += "\n\n" + self.tr("Each sheet is stored as a batch of its own, undone on its own "
                                 "under Past imports. Its result and its rows with problems are "
                                 "shown when it is done.")
        answer = QMessageBox.question(self, self.tr("Import the other sheets"), text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._left = []
        self._set_busy(True)
        chain = SheetChain(self.run_import, options, columns, left, self)
        chain.stored.connect(self._on_sheet_stored)
        chain.failed.connect(lambda exc: show_error(self, exc))
        chain.ended.connect(lambda stopped: self._on_sheets_ended(chain, stopped))
        chain.start()

    def _on_sheet_stored(self, result: ImportPlan) -> None:
        self.sheets_done.add(result)
        self._show_sheet_result(result)
        self._update_nav()
        self.imported.emit(result)

    def _on_sheets_ended(self, chain: SheetChain, stopped: str) -> None:
        self._set_busy(False)
        stored = chain.results
        locale = QLocale()
        if stored:
            self.runner.notify(
                self.tr("%n sheet(s) imported: %1 new, %2 updated, %3 unchanged, %4 not "
                        "imported.", "", len(stored))
                .replace("%1", locale.toString(sum(p.created for p in stored)))
                .replace("%2", locale.toString(sum(p.updated for p in stored)))
                .replace("%3", locale.toString(sum(p.unchanged for p in stored)))
                .replace("%4", locale.toString(sum(p.rejected for p in stored))))
        if stopped:
            self.runner.notify(
                self.tr("Stopped at the sheet “%1”: none of its rows were imported; the sheets "
                        "before it stay imported.").replace("%1", stopped))
        self._offer_sheets_left(chain.columns)
        chain.deleteLater()

    def _show_sheet_result(self, result: ImportPlan) -> None:
        """A sheet imported earlier, chosen in the table: its result, to look at or save its
        rows with problems."""
        self.result = result
        self.done.show_plan(result)

    def _dry_run_sheet(self, preview: readers.Preview, done: ImportPlan) -> None:
        self._set_busy(False)
        layout = preview.layout
        self.preview = preview
        self.result = None
        self._left = []
        self.sheet.show_preview(preview, False)
        self._read = _Read(done.kind, self.path, layout.sheet, layout.header_row)
        self._show_mapping(fit_profile(done.mapping, layout.headers),
                           self.tr("The columns of the sheet “%1”, as it was imported.")
                           .replace("%1", done.sheet or ""), self._profile)
        self.start_dry_run()

    # --- the rows with problems ------------------------------------------------------------
    def _save_errors(self, result: ImportPlan | None) -> None:
        if result is None or result.errors_file is None:
            return
        source = result.errors_file
        suggested = self.tr("%1-import problems.xlsx").replace("%1",
                                                                Path(result.file_name).stem)
        target = ask_save_path(self, "import_errors", suggested,
                               self.tr("Excel files (*.xlsx)"),
                               self.tr("Save the rows with problems"))
        if not target:
            return
        self.runner.run(
            lambda _p, _c: shutil.copyfile(source, target),
            on_done=lambda _r: self.runner.notify(
                self.tr("Rows with problems saved to %1").replace("%1", target),
                open_actions(target)),
            parent_widget=self,
            label=self.tr("Saving the rows with problems"),
        )

    # --- navigation ----------------------------------------------------------------------
    def _forget_plan(self) -> None:
        """Anything changed before the dry run makes its result out of date."""
        if self.steps.currentIndex() != STEP_RESULT:
            self.plan = None

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, RevisitError) and exc.template in STOPPED_WITH_ROWS:
            # The rows stored before it stopped stay in: every area shows them.
            self.runner.announce(changed(*IMPORT_CHANGES))
        if self.steps.currentIndex() == STEP_DRY_RUN and self.plan is None:
            self.dry_run.clear(self.tr("The dry run did not finish."))
        show_error(self, exc)

    def _on_stopped(self, text: str) -> None:
        self._set_busy(False)
        if self.plan is None:
            self.dry_run.clear(text)
        else:
            self.runner.notify(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.dry_run.set_busy(busy)
        self._update_nav()

    def _on_back_clicked(self) -> None:
        self._go(self.steps.currentIndex() - 1)

    def _on_next_clicked(self) -> None:
        step = self.steps.currentIndex()
        if step == STEP_SOURCE and self.preview is None and self.path:
            self.load_preview(None, None, go_on=True)
        elif step == STEP_MAPPING:
            self.start_dry_run()
        elif step == STEP_DRY_RUN:
            self.start_import()
        elif step == STEP_RESULT:
            self.restart()
        else:
            self._go(step + 1)

    def restart(self) -> None:
        """A new import: the same kind, a new file."""
        self.path = ""
        self.preview = None
        self.plan = self.result = None
        self._read = None
        self._left = []
        self.sheets_done.clear()
        self.source.path.clear()
        self.sheet.show_preview(None)
        self._go(STEP_SOURCE)

    def _go(self, step: int) -> None:
        if step == STEP_MAPPING:
            self._prepare_mapping()
        self.steps.setCurrentIndex(step)
        titles = (
            self.tr("Step 1 of 5: the kind of file and the file"),
            self.tr("Step 2 of 5: the sheet and the row of column headers"),
            self.tr("Step 3 of 5: which column holds what"),
            self.tr("Step 4 of 5: dry run — what the import would do"),
            self.tr("Step 5 of 5: imported"),
        )
        self.step_label.setText(titles[step])
        self._update_nav()
        self.steps.currentWidget().focus_first()

    def _update_nav(self) -> None:
        step = self.steps.currentIndex()
        texts = {
            STEP_MAPPING: self.tr("&Dry run ▶"),
            STEP_DRY_RUN: self.tr("&Import…"),
            STEP_RESULT: self.tr("&New import"),
        }
        self.next.setText(texts.get(step, self.tr("&Next ▶")))
        ready = {
            STEP_SOURCE: bool(self.path),
            STEP_SHEET: self.preview is not None and bool(self.preview.layout.headers),
            STEP_MAPPING: self.preview is not None and not self.mapping.problems(),
            STEP_DRY_RUN: self.plan is not None and self.plan.imported > 0,
            STEP_RESULT: True,
        }[step]
        self.next.setEnabled(ready and not self._busy)
        more = step == STEP_RESULT and bool(self._left)
        self.next_sheet.setVisible(more)
        self.next_sheet.setEnabled(more and not self._busy)
        self.all_sheets.setVisible(more and len(self._left) > 1)
        self.all_sheets.setEnabled(more and not self._busy)
        self.sheets_left.setVisible(more)
        self.sheets_done.setVisible(step == STEP_RESULT and len(self.sheets_done.plans) > 1)
        self.back.setEnabled(STEP_SOURCE < step < STEP_RESULT and not self._busy)
        self.source.choose.setEnabled(not self._busy)
