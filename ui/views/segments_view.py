"""Segments: build and save filters with a live member count and preview, and the templates
(service reminders and referrals, replacement matrix, RFM classes, lifecycle, tags, due soon)
as clickable grids of counts
(ui/views/segment_grids.py) that open in the builder."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.outputs.file_names import name_part
from services.segments import service as segments
from services.staff.accounts import staff_names
from services.staff.permissions import (
    DELETE_SEGMENTS,
    NOT_PASSED,
    Actor,
    NotPassed,
    allowed,
)
from services.store.database import Database
from services.store.errors import RevisitError
from ui.dialogs import stale_edit
from ui.dialogs.name_dialog import NameDialog
from ui.dialogs.save_again import edit_and_save
from ui.files import ask_open_path, ask_save_path, open_actions
from ui.labels import language
from ui.tasks import TaskRunner, changed, error_text
from ui.views.customer_page import fill_table, make_table
from ui.views.filter_editor import FilterEditor
from ui.views.segment_grids import GroupsTab, MatrixTab, RfmTab, ServiceTab
from ui.widgets import date_edit, name_room, when_empty

COUNT_DELAY_MS = 350

log = logging.getLogger(__name__)


PREVIEW_NAME = 1  # the preview's column of names


class SegmentsView(QWidget):
    """`open_customer` asks the window to show a customer (double-click in the preview). Every
    segment write announces "segments" on the runner's `data_changed`."""

    open_customer = Signal(int)
    list_loaded = Signal()  # the saved segments are on screen

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None | NotPassed = NOT_PASSED) -> None:
        super().__init__(parent)
        self.actor = actor  # deleting a segment is a supervisor's
        # No actor passed: nobody is checked (the service deletes unchecked too).
        self.may_delete = actor is NOT_PASSED or allowed(actor, DELETE_SEGMENTS)
        self.database = database
        self.runner = runner
        self._current_name: str | None = None
        # The saved segment the editor stands for, as opened or last stored by this view: its
        # id and version are what a save, rename or delete is based on.
        self._opened: segments.SavedSegmentInfo | None = None
        self._clean: dict | None = None  # the filter as last opened or saved
        self.as_of = date_edit()
        self.as_of.setToolTip(self.tr("Every date-relative field is computed for this day"))
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_builder(), self.tr("Builder"))
        def day() -> dt.date:  # the evaluation date as it is when a grid counts
            return self.as_of.date().toPython()

        self.service_tab = ServiceTab(database, runner, day)
        self.matrix_tab = MatrixTab(database, runner, day)
        self.rfm_tab = RfmTab(database, runner, day)
        self.groups_tab = GroupsTab(database, runner, day)
        # Maintenance reminders are the office's most common call: their tab comes first.
        self.tabs.addTab(self.service_tab, self.tr("Service and referrals"))
        self.tabs.addTab(self.matrix_tab, self.tr("Replacement matrix"))
        self.tabs.addTab(self.rfm_tab, self.tr("RFM classes"))
        self.tabs.addTab(self.groups_tab, self.tr("Stages, tags, due soon"))
        for grid in (self.service_tab, self.matrix_tab, self.rfm_tab, self.groups_tab):
            grid.open_template.connect(self._open_template)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Evaluation date")))
        top.addWidget(self.as_of)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.as_of.dateChanged.connect(self._on_as_of_changed)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.reload_list()

    # --- builder tab ---------------------------------------------------------------------
    def _build_builder(self) -> QWidget:
        self.saved = QListWidget()
        self._saved_read = False  # the list filled once
        when_empty(self.saved, lambda: self.tr(
            "No saved segments yet. Set the conditions beside this list, name them and save; "
            "or open a ready-made one from the other tabs.") if self._saved_read else "")
        # Opened on the user's choice only, which selects a row (a click, the arrow keys):
        # not on the current row changing, which Qt also does when the list gets the focus
        # with no row current (it makes the first one current, unselected). That opened the
        # first saved segment over a report figure's filter the window had just shown.
        self.saved.itemSelectionChanged.connect(self._on_saved_selection_changed)
        self.new_button = new = QPushButton(self.tr("&New"))
        new.clicked.connect(self._on_new_clicked)
        self.rename_button = QPushButton(self.tr("Rename…"))
        self.rename_button.clicked.connect(self._on_rename)
        self.duplicate_button = QPushButton(self.tr("Duplicate…"))
        self.duplicate_button.clicked.connect(self._on_duplicate)
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.clicked.connect(self._on_delete)
        if not self.may_delete:
            # Disabled buttons show their tooltips: staff see why, instead of a refusal after
            # they confirmed the deletion.
            self.delete_button.setToolTip(self.tr("Only a supervisor may delete saved segments."))
        import_button = QPushButton(self.tr("Import…"))
        import_button.clicked.connect(self._on_import)
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.clicked.connect(self._on_export)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel(self.tr("Saved segments")))
        left_layout.addWidget(self.saved, 1)
        grid = QGridLayout()
        for i, b in enumerate(
            (
                new,
                self.rename_button,
                self.duplicate_button,
                self.delete_button,
                import_button,
                self.export_button,
            )
        ):
            grid.addWidget(b, i // 2, i % 2)
        left_layout.addLayout(grid)

        tags = self._tag_names()
        self.editor = FilterEditor(tags, staff=self._staff_names())
        self.editor.changed.connect(self._on_filter_changed)
        self.name = QLineEdit()
        self.name.setPlaceholderText(
            self.tr("Segment name, e.g. 5–6 years, high satisfaction, replacement"))
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.clicked.connect(lambda: self.save())
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.save_button)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addLayout(name_row)
        middle_layout.addWidget(self.editor, 1)
        middle_layout.addWidget(self.problem)

        self.count = QLabel()
        self.count.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.preview = make_table(
            [
                self.tr("No."),
                self.tr("Name"),
                self.tr("Mobile"),
                self.tr("Vehicle"),
                self.tr("Plate"),
            ]
        )
        self.preview.setProperty("elidedColumns", [PREVIEW_NAME])  # see _show_count
        self.preview.cellDoubleClicked.connect(self._on_preview_double_clicked)
        self.preview.setToolTip(self.tr("Right-click a customer for their pre-call brief"))
        self.preview.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        brief_action = QAction(self.tr("Customer brief…"), self.preview)
        brief_action.triggered.connect(lambda: self.open_preview_brief(self.preview.currentRow()))
        self.preview.addAction(brief_action)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.count)
        right_layout.addWidget(QLabel(self.tr("First members (double-click to open):")))
        right_layout.addWidget(self.preview, 1)
        self._preview_ids: list[int] = []
        self._preview_people: list[tuple[str, str]] = []  # (code, name) of each row

        splitter = QSplitter(Qt.Orientation.Horizontal)
        for w in (left, middle, right):
            splitter.addWidget(w)
        splitter.setSizes([220, 560, 480])
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self.refresh_count)
        return splitter

    def _tag_names(self) -> list[str]:
        return [g.key for g in segments.tag_groups(self.database.sessions)]

    def _staff_names(self) -> dict[int, str]:
        """Account id → the name staff know them by; a name two people share, with their
        user names (陈丽 (chenli), 陈丽 (chenli2))."""
        with self.database.sessions() as s:
            return staff_names(s)

    def focus_first(self) -> None:
        """Start where the work starts: the saved segments, or the builder's conditions."""
        if self.tabs.currentIndex() == 0:
            (self.saved if self.saved.count() else self.editor.tree).setFocus()
        else:
            self.tabs.currentWidget().setFocus()
            self.tabs.currentWidget().focusNextChild()

    def reload_list(self, select: str | None = None) -> None:
        """Refill the saved segments (asked in the background); open `select` (asking first if
        edits would be lost), otherwise keep the segment being edited highlighted and the
        editor as it is."""
        self.runner.run(
            lambda _p, _c: segments.list_segments(self.database.sessions),
            on_done=lambda infos: self._fill_list(infos, select),
            latest="saved-segments",
            parent_widget=self,
            label=self.tr("Loading segments"),
        )

    def _fill_list(self, infos, select: str | None) -> None:
        self._saved_read = True
        self.saved.blockSignals(True)
        self.saved.clear()
        lang = language()
        for info in infos:
            # A template saved under its key reads by the template's name.
            item = QListWidgetItem(segments.title(info, lang))
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            self.saved.addItem(item)
        self.saved.blockSignals(False)
        self._highlight(self._current_name)
        if select in [i.name for i in infos]:
            self._leave_then(lambda: self._open_saved(select))
        elif self._clean is None:  # the first fill: start with an empty filter
            self.new_segment()
        self._update_buttons()
        self.list_loaded.emit()

    def _saved_names(self) -> list[str]:
        return [self.saved.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.saved.count())]

    def _highlight(self, name: str | None) -> None:
        """Select `name` in the saved list without opening it (None: no selection)."""
        names = self._saved_names()
        self.saved.blockSignals(True)
        if name in names:
            self.saved.setCurrentRow(names.index(name))
        else:
            self.saved.clearSelection()
            self.saved.setCurrentRow(-1)
        self.saved.blockSignals(False)

    def _update_buttons(self) -> None:
        has = self._current_name is not None
        for b in (
            self.rename_button,
            self.duplicate_button,
            self.export_button,
        ):
            b.setEnabled(has)
        self.delete_button.setEnabled(has and self.may_delete)

    def is_dirty(self) -> bool:
        """The editor's filter differs from what was last opened or saved."""
        return self._clean is not None and self.editor.data() != self._clean

    def _leave_then(self, proceed) -> bool:
        """Run `proceed` (which replaces the editor's filter) at once when nothing is unsaved;
        otherwise ask: save first (then proceed), discard, or stay. True unless the user stays
        or the save could not start."""
        if not self.is_dirty():
            proceed()
            return True
        if self._current_name is None:
            text = self.tr("The conditions in the builder are not saved as a segment yet.")
        else:
            text = self.tr("The segment “%1” has changes that are not saved.").replace(
                "%1", self._current_name
            )
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            text + "\n\n" + self.tr("Save them before the builder shows something else?"),
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        if answer == buttons.Discard:
            proceed()
            return True
        if answer == buttons.Save:
            self.tabs.setCurrentIndex(0)  # what is saved, or why it cannot be (no name)
            return self.save(then=proceed)
        return False

    def new_segment(self, data: dict | None = None, name: str = "") -> None:
        """Put `data` (default: no conditions) in the editor as a new, unsaved segment. Does
        not ask: callers that replace the user's work go through `_leave_then`."""
        self._current_name = None
        self._opened = None
        self._highlight(None)
        self.name.setText(name)
        self.editor.set_data(data or {"version": 1, "where": {"and": []}})
        self._clean = self.editor.data()
        self._update_buttons()
        self._on_filter_changed(self.editor.data())

    def _on_new_clicked(self) -> None:
        self._leave_then(self.new_segment)

    def _on_saved_selection_changed(self) -> None:
        chosen = self.saved.selectedItems()
        if chosen:
            self._on_saved_selected(chosen[0].data(Qt.ItemDataRole.UserRole))

    def _on_saved_selected(self, name: str) -> None:
        if not name or name == self._current_name:
            return
        if not self._leave_then(lambda: self._open_saved(name)):
            self._highlight(self._current_name)  # stayed: the list shows what is edited

    def _open_saved(self, name: str, then=None) -> None:
        """Open a saved segment in the builder: read in the background, shown when it comes;
        then `then()`."""

        def show(segment) -> None:
            self._show_saved(name, segment)
            if then is not None:
                then()

        self.runner.run(
            lambda _p, _c: segments.get_segment(self.database.sessions, name),
            on_done=show,
            on_failed=lambda exc: self.problem.setText(error_text(exc)),
            latest="open-segment",
            parent_widget=self,
            label=self.tr("Opening segment"),
        )

    def _show_saved(self, name: str, segment) -> None:
        from services.segments.spec import to_data

        self._current_name = name
        self._opened = segment.info
        self._highlight(name)
        self.name.setText(name)
        self.editor.set_data(to_data(segment.filter))
        self._clean = self.editor.data()
        self._update_buttons()
        self._on_filter_changed(self.editor.data())

    def _on_filter_changed(self, _data: dict) -> None:
        self._count_timer.start()

    def _valid_filter(self):
        from services.segments.spec import parse, spoken_path

        data = self.editor.data()
        try:
            flt = parse(data)
        except Exception as exc:
            # Said of the condition staff see in the tree, not of the filter's JSON
            # (where.and[0].value).
            if (isinstance(exc, RevisitError) and exc.template.startswith("{path}:")
                    and "path" in exc.params):
                exc = RevisitError(exc.template,
                                   **{**exc.params, "path": spoken_path(data, exc.params["path"])})
            self.problem.setText(error_text(exc))
            return None
        self.problem.clear()
        return flt

    def refresh_count(self) -> None:
        flt = self._valid_filter()
        if flt is None:
            self.count.setText(self.tr("—"))
            # The members of the condition before are not this one's: not left to be read so.
            self._preview_ids, self._preview_people = [], []
            fill_table(self.preview, [])
            return
        as_of = self.as_of.date().toPython()
        self.count.setText(self.tr("Counting…"))

        self.runner.run(
            lambda _p, _c: segments.preview(self.database.sessions, flt, as_of, limit=200),
            on_done=self._show_count,
            parent_widget=self,
            label=self.tr("Counting members"),
            latest="segment-count",
        )

    def _show_count(self, shown: segments.SegmentPreview) -> None:
        counted, page = shown.count, shown.page
        text = self.tr("%Ln customer(s)", "", counted.customers)
        if counted.vehicles is not None:
            text = self.tr("%1, %2").replace("%1", text).replace(
                "%2", self.tr("%Ln vehicle(s)", "", counted.vehicles))
        self.count.setText(text)
        self._preview_ids = [m.customer_id for m in page.rows]
        self._preview_people = [(m.code, m.name) for m in page.rows]
        fill_table(self.preview, [[m.code, m.name, m.mobile, *self._car(m, shown.cars)]
                                  for m in page.rows])
        # A company's long name widened the name column until the plate was off the panel.
        room = name_room(self.preview)
        header = self.preview.horizontalHeader()
        need = max(self.preview.sizeHintForColumn(PREVIEW_NAME),
                   header.sectionSizeHint(PREVIEW_NAME))
        if need > room:
            header.setSectionResizeMode(PREVIEW_NAME, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(PREVIEW_NAME, room)
            for r in range(self.preview.rowCount()):
                item = self.preview.item(r, PREVIEW_NAME)
                if item is not None:
                    item.setToolTip(item.text())
        else:
            header.setSectionResizeMode(PREVIEW_NAME, QHeaderView.ResizeMode.ResizeToContents)

    @staticmethod
    def _car(member, cars: dict) -> tuple[str, str]:
        """The member's car as (model, plate); for a member without one (a filter on the
        customer alone), their first car, with "+N" after its plate for the others."""
        if member.vehicle_id is not None or member.customer_id not in cars:
            return member.model or "", member.plate or ""
        model, plate, n = cars[member.customer_id]
        return model or "", f"{plate or ''} +{n - 1}".strip() if n > 1 else plate or ""

    def _on_preview_double_clicked(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._preview_ids):
            self.open_customer.emit(self._preview_ids[row])

    def open_preview_brief(self, row: int):
        """The pre-call brief of the preview's customer on `row`, in a dialog (None when no
        row is chosen)."""
        from ui.views.brief_actions import open_brief

        if not 0 <= row < len(self._preview_people):
            return None
        code, name = self._preview_people[row]
        return open_brief(self, self.database, self.runner, self.actor, code, name)

    # --- save / rename / duplicate / delete ----------------------------------------------
    def save(self, then=None) -> bool:
        """Store the editor's filter under the name typed; `then` runs once it is stored.
        False when the save did not start (no valid filter, no name, replacing refused)."""
        flt = self._valid_filter()
        name = self.name.text().strip()
        if flt is None:
            return False
        if not name:
            self.problem.setText(self.tr("Give the segment a name first."))
            self.name.setFocus()
            return False
        replace = name == self._current_name
        # Saving the segment opened: based on its version. Replacing another one the user named
        # (confirmed below) overwrites it as stored.
        opened = self._opened if replace else None
        if not replace and name in self._saved_names():
            answer = QMessageBox.question(
                self,
                self.tr("Replace segment"),
                self.tr("A segment named “%1” exists. Replace its filter?").replace("%1", name),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
            replace = True
        stored = self.editor.data()

        def done(info) -> None:
            self._clean = stored  # edits made while it was saving stay unsaved
            self._after_write(info)
            if then is not None:
                then()

        staff_id = self._staff_id
        self.runner.run(
            lambda _p, _c: segments.save_segment(
                self.database.sessions, name, flt, replace=replace, staff_id=staff_id,
                expected_version=opened.version if opened else None,
                segment_id=opened.id if opened else None,
            ),
            on_done=done,
            on_failed=stale_edit.on_failed(self, self._reload_opened, self.tr(
                "Reload opens the segment as it is stored now: the filter you changed is "
                "dropped. Cancel keeps your filter here, to look at theirs first or to save "
                "yours under another name.")),
            parent_widget=self,
            label=self.tr("Saving segment"),
            write=True,
            changes=changed("segments"),
            done_notice=self.tr("Segment “%1” saved").replace("%1", name),
        )
        return True

    @property
    def _staff_id(self) -> int | None:
        return self.actor.id if isinstance(self.actor, Actor) else None

    def _after_write(self, info: segments.SavedSegmentInfo) -> None:
        """A save, rename or duplicate stored `info`, which the editor now stands for; its
        filter stays as it is (with its undo steps)."""
        self._current_name = info.name
        self._opened = info
        self.name.setText(info.name)
        self.reload_list()

    def _reload_opened(self, then=None) -> None:
        """After a refused save: the segments as stored now, and the one edited opened again as
        stored (under its new name if renamed; an empty builder if it was deleted). What was
        typed and not saved is dropped: the user chose Reload. `then` runs once the segment is
        open again (not when it was deleted)."""
        opened = self._opened

        def show(infos) -> None:
            self._fill_list(infos, None)
            current = next((i for i in infos if opened is not None and i.id == opened.id), None)
            if current is not None:
                self._open_saved(current.name, then)
            else:
                self.new_segment()

        self.runner.run(
            lambda _p, _c: segments.list_segments(self.database.sessions),
            on_done=show,
            latest="reload-segment",  # a plain list refresh must not cancel the reopening
            parent_widget=self,
            label=self.tr("Loading segments"),
        )

    def _after_change(self, select: str | None) -> None:
        """A segment arrived from elsewhere (an import): list it and open it, asking first if
        that would drop unsaved edits."""
        self.reload_list(select)

    def _ask_name(self, title: str, text: str, save, on_stale=None) -> None:
        """The name dialog, then `save(name, failed)`; a save refused for another reason than
        someone's change (the name taken meanwhile, the server stopped) says why and asks again
        with the name as typed."""
        dialog = NameDialog(title, self.tr("Name:"), text, self)
        edit_and_save(dialog, lambda failed: save(dialog.value(), failed),
                      on_stale=on_stale and (lambda exc: on_stale(exc, dialog.value())))

    def _on_rename(self, _checked: bool = False, typed: str | None = None) -> None:
        """`typed`: the name typed before a colleague's change refused it, asked again after
        Reload."""
        old, opened, staff_id = self._current_name, self._opened, self._staff_id
        if old is None:
            return

        def save(new: str, failed) -> None:
            if new == old:
                return
            self.runner.run(
                lambda _p, _c: segments.rename_segment(
                    self.database.sessions, old, new, staff_id=staff_id,
                    expected_version=opened.version if opened else None,
                    segment_id=opened.id if opened else None),
                on_done=self._after_write,
                on_failed=failed,
                parent_widget=self,
                write=True,
                changes=changed("segments"),
                done_notice=self.tr("Segment renamed to “%1”").replace("%1", new),
            )

        def stale(exc, kept: str) -> None:
            if stale_edit.ask_reload(self, exc, self.tr(
                    "Reload opens the segment as it is stored now (changes to its filter not "
                    "saved yet are dropped) and asks for the new name again as you typed it. "
                    "Cancel drops the name you typed.")):
                self._reload_opened(then=lambda: self._on_rename(typed=kept))

        self._ask_name(self.tr("Rename segment"), old if typed is None else typed, save, stale)

    def _on_duplicate(self) -> None:
        old, staff_id = self._current_name, self._staff_id
        if old is None:
            return

        def save(new: str, failed) -> None:
            self.runner.run(
                lambda _p, _c: segments.duplicate_segment(self.database.sessions, old, new,
                                                          staff_id=staff_id),
                on_done=self._after_write,
                on_failed=failed,
                parent_widget=self,
                write=True,
                changes=changed("segments"),
                done_notice=self.tr("Copy saved as “%1”").replace("%1", new),
            )

        self._ask_name(self.tr("Duplicate segment"), self.tr("%1 (copy)").replace("%1", old),
                       save)

    def _on_delete(self) -> None:
        name = self._current_name
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Delete segment"),
            self.tr("Delete the segment “%1”? Lists already made from it are kept.").replace(
                "%1", name
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(_r) -> None:
            self._current_name = None
            self.reload_list()
            self.new_segment()  # the user chose to delete it: nothing to ask

        opened = self._opened
        self.runner.run(
            lambda _p, _c: segments.delete_segment(
                self.database.sessions, name, self.actor,
                expected_version=opened.version if opened else None,
                segment_id=opened.id if opened else None),
            on_done=done,
            on_failed=stale_edit.on_failed(self, self._reload_opened),
            parent_widget=self,
            write=True,
            changes=changed("segments"),
            done_notice=self.tr("Segment “%1” deleted").replace("%1", name),
        )

    def _on_import(self) -> None:
        path = ask_open_path(
            self, "segment_json", self.tr("Segment files (*.json)"), self.tr("Import segment")
        )
        if not path:
            return

        staff_id = self._staff_id

        def work(_p, _c):
            from pathlib import Path

            from services.segments.saved import read_segment_file

            # A picture or a workbook chosen by mistake is named in one sentence.
            return segments.import_segment(
                self.database.sessions, read_segment_file(Path(path)), source=path,
                staff_id=staff_id,
            )

        self.runner.run(
            work,
            on_done=lambda info: self._after_change(info.name),
            parent_widget=self,
            write=True,
            changes=changed("segments"),
        )

    def _on_export(self) -> None:
        from pathlib import Path

        name = self._current_name
        if name is None:
            return
        path = ask_save_path(
            self,
            "segment_json",
            f"{name_part(name)}.json",
            self.tr("Segment files (*.json)"),
            self.tr("Export segment"),
        )
        if not path:
            return

        def work(_p, _c):
            from services.store.staging import write_text

            text = segments.export_segment(self.database.sessions, name)
            write_text(Path(path), text)  # whole or not at all, an error naming the file

        # Off the GUI thread, so a full disk or a read-only folder is an error dialog, not a crash.
        self.runner.run(
            work,
            on_done=lambda _r: self.runner.notify(
                self.tr("Saved %1").replace("%1", Path(path).name), actions=open_actions(path)
            ),
            parent_widget=self,
        )

    # --- templates -----------------------------------------------------------------------
    def prepare_summaries(self) -> None:
        """Build the RFM and km summaries for the evaluation date in the background, so the
        RFM grid and the km-floor matrix open at once. Nothing to tell the user if it cannot:
        those questions are then answered live."""
        as_of = self.as_of.date().toPython()
        self.runner.run(
            lambda _p, _c: segments.prepare_summaries(self.database.sessions, as_of),
            on_failed=lambda exc: log.warning("summaries not prepared: %s", exc),
            parent_widget=self,
            label=self.tr("Preparing the RFM and mileage figures"),
            write=True,  # it builds the summaries
        )

    def open_filter(self, data: dict, name: str, as_of: dt.date | None = None) -> None:
        """Open `data` (a segment filter) in the builder as a new, unsaved segment named
        `name` — a report figure's customers, counted on the report's date `as_of` — unless
        the user keeps unsaved work there."""
        if as_of is not None:
            self.as_of.setDate(as_of)
        self._open_template(data, name)

    def _open_template(self, data: dict, name: str) -> None:
        """A grid's cell or row in the builder as a new segment, unless the user keeps the
        unsaved one there."""

        def show() -> None:
            self.tabs.setCurrentIndex(0)
            self.new_segment(data, name)

        self._leave_then(show)

    # --- evaluation date and tabs --------------------------------------------------------
    def _on_as_of_changed(self) -> None:
        self._on_tab_changed(self.tabs.currentIndex())

    def _on_tab_changed(self, index: int) -> None:
        if index == 0:
            self.refresh_count()
        else:
            self.tabs.widget(index).refresh()  # a template grid
