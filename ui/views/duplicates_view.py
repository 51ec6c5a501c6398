"""Duplicate customers: pairs that are probably one person, with the evidence (same mobile, same
VIN, same name with a similar phone); for the chosen pair which one to keep, what merging would
move, the merge itself (asked first), and past merges with Undo."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from services import labels as vocabulary
from services.customers import merge
from services.customers.duplicates import DuplicatePair, DuplicateReport, find_duplicates
from services.customers.merge_rows import table_label
from services.staff.audit import local_time
from services.staff.permissions import MERGE_CUSTOMERS, Actor, allowed
from services.store.database import Database
from ui.labels import language
from ui.tasks import DataChange, TaskRunner, changed
from ui.views.customer_page import fill_table, make_table
from ui.views.import_source import HINT_STYLE

LIMIT = 500
# A merge moves rows of nearly every table that belongs to a customer.
MERGE_CHANGES = ("customers", "contacts", "profile", "readings", "preferences", "complaints",
                 "lists", "merges")
# Customer columns the merge fills that have no label of their own.
SKIPPED_FIELDS = frozenset({"birthday_md", "updated_at"})


def _who(brief) -> str:
    return f"{brief.code} {brief.name}"


class DuplicatesView(QWidget):
    """`loaded` after the pairs arrived, `previewed` after a merge preview, `merged` and
    `unmerged` carry the merge id."""

    loaded = Signal()
    previewed = Signal()
    merged = Signal(int)
    unmerged = Signal(int)

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.may_merge = allowed(actor, MERGE_CUSTOMERS)
        self.pairs: list[DuplicatePair] = []
        self.merges: list[merge.MergeInfo] = []
        self._stale = True
        self.find = QPushButton(self.tr("&Look again"))
        self.find.clicked.connect(self.refresh)
        self.count = QLabel()
        self.pairs_table = make_table(
            [self.tr("One customer"), self.tr("Mobile"), self.tr("The other"), self.tr("Mobile"),
             self.tr("Evidence")]
        )
        self.pairs_table.itemSelectionChanged.connect(self._on_pair_selected)
        top = QHBoxLayout()
        top.addWidget(self.find)
        top.addWidget(self.count, 1)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.pairs_table, 1)
        lower = QWidget()
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self._build_merge_box(), 1)
        lower_layout.addWidget(self._build_history_box(), 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setSizes([300, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        runner.data_changed.connect(self._on_data_changed)
        self._on_pair_selected()

    def _build_merge_box(self) -> QWidget:
        box = QGroupBox(self.tr("Merge the chosen pair"))
        self.keep = QButtonGroup(self)
        self.keep_first = QRadioButton()
        self.keep_second = QRadioButton()
        self.keep.addButton(self.keep_first, 0)
        self.keep.addButton(self.keep_second, 1)
        self.keep_first.setChecked(True)
        self.keep.idToggled.connect(lambda _i, on: on and self._preview())
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.merge_button = QPushButton(self.tr("&Merge…"))
        self.merge_button.clicked.connect(self._on_merge_clicked)
        note = QLabel(
            self.tr("Everything of the other customer moves to the one kept; empty fields are "
                    "filled from it. A merge can be undone.")
            if self.may_merge
            else self.tr("Only a supervisor may merge customers or undo a merge.")
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(box)
        layout.addWidget(QLabel(self.tr("Keep:")))
        layout.addWidget(self.keep_first)
        layout.addWidget(self.keep_second)
        layout.addWidget(self.preview, 1)
        layout.addWidget(note)
        layout.addWidget(self.merge_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _build_history_box(self) -> QWidget:
        box = QGroupBox(self.tr("Past merges"))
        self.history = make_table(
            [self.tr("Merge"), self.tr("When"), self.tr("Kept"), self.tr("Merged"),
             self.tr("By"), self.tr("Undone")]
        )
        self.history.itemSelectionChanged.connect(self._on_merge_selected)
        self.undo_button = QPushButton(self.tr("U&ndo this merge…"))
        self.undo_button.clicked.connect(self._on_undo_clicked)
        layout = QVBoxLayout(box)
        layout.addWidget(self.history, 1)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    # --- loading -------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def focus_first(self) -> None:
        (self.pairs_table if self.pairs else self.find).setFocus()

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("customers", "merges"):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def refresh(self) -> None:
        """The pairs and the past merges, both in the background."""
        self._stale = False
        self.find.setEnabled(False)
        self.count.setText(self.tr("Looking for duplicates…"))
        self.runner.run(
            lambda progress, cancel: find_duplicates(
                self.database.sessions, limit=LIMIT, progress=progress, cancel=cancel
            ),
            on_done=self._show_pairs,
            on_failed=self._on_find_failed,
            on_cancelled=lambda: self._on_find_failed(None),
            latest="duplicates",
            parent_widget=self,
            label=self.tr("Looking for duplicate customers"),
        )
        self.runner.run(
            lambda _p, _c: merge.list_merges(self.database.sessions),
            on_done=self._show_merges,
            latest="merges",
            parent_widget=self,
        )

    def _on_find_failed(self, exc: BaseException | None) -> None:
        self.find.setEnabled(True)
        self.count.setText(self.tr("The search for duplicates did not finish."))
        self._stale = True
        if exc is not None:
            from ui.tasks import show_error

            show_error(self, exc)

    def _show_pairs(self, report: DuplicateReport) -> None:
        self.find.setEnabled(True)
        self.pairs = list(report.pairs)
        lang = language()
        text = (
            self.tr("%n pair(s) of customers look like one person.", "", report.total)
            if report.total
            else self.tr("No two customers look like one person.")
        )
        if report.total > len(report.pairs):
            text += " " + self.tr("The strongest %1 are listed.").replace(
                "%1", QLocale().toString(len(report.pairs)))
        if report.crowded:
            text += " " + self.tr(
                "%n value(s) on too many customers to be one person are left out.", "",
                len(report.crowded))
            self.count.setToolTip("\n".join(f"{c.value}: {c.customers}" for c in report.crowded))
        self.count.setText(text)
        fill_table(
            self.pairs_table,
            [
                [_who(p.first), p.first.mobile, _who(p.second), p.second.mobile, p.text(lang)]
                for p in self.pairs
            ],
        )
        if self.pairs:
            self.pairs_table.selectRow(0)
        self._on_pair_selected()
        self.loaded.emit()

    def _show_merges(self, merges: list[merge.MergeInfo]) -> None:
        self.merges = list(merges)
        fill_table(
            self.history,
            [
                [
                    f"#{m.id}",
                    f"{local_time(m.merged_at):%Y-%m-%d %H:%M}",
                    m.kept_code or f"#{m.kept_id}",
                    f"{m.merged_code} {m.merged_name}",
                    m.staff or "",
                    f"{local_time(m.undone_at):%Y-%m-%d %H:%M}" if m.undone_at else "",
                ]
                for m in self.merges
            ],
        )
        for r, m in enumerate(self.merges):
            if m.undone_at is not None:
                for c in range(self.history.columnCount()):
                    self.history.item(r, c).setForeground(Qt.GlobalColor.gray)
        self._on_merge_selected()

    # --- merging -------------------------------------------------------------------------
    def selected_pair(self) -> DuplicatePair | None:
        row = self.pairs_table.currentRow()
        return self.pairs[row] if 0 <= row < len(self.pairs) else None

    def kept_and_merged(self) -> tuple[int, int] | None:
        pair = self.selected_pair()
        if pair is None:
            return None
        if self.keep.checkedId() == 1:
            return pair.second.id, pair.first.id
        return pair.first.id, pair.second.id

    def _on_pair_selected(self) -> None:
        pair = self.selected_pair()
        self.keep.blockSignals(True)  # one preview below, not one for the reset as well
        self.keep_first.setChecked(True)
        self.keep.blockSignals(False)
        for button, brief in ((self.keep_first, pair and pair.first),
                              (self.keep_second, pair and pair.second)):
            button.setEnabled(brief is not None)
            button.setText(
                self.tr("%1 (%n car(s), on file since %2)", "", brief.vehicles)
                .replace("%1", _who(brief))
                .replace("%2", f"{brief.created_at:%Y-%m-%d}")
                if brief
                else self.tr("(choose a pair above)")
            )
        self.merge_button.setEnabled(False)
        self._preview()

    def _preview(self) -> None:
        chosen = self.kept_and_merged()
        self.merge_button.setEnabled(False)
        if chosen is None:
            self.preview.setText("")
            return
        kept, merged = chosen
        self.preview.setText(self.tr("Working out what the merge would move…"))
        self.runner.run(
            lambda _p, _c: merge.preview_merge(self.database.sessions, kept, merged),
            on_done=self._show_preview,
            on_failed=self._on_preview_failed,
            latest="merge-preview",
            parent_widget=self,
        )

    def _on_preview_failed(self, exc: BaseException) -> None:
        from ui.tasks import error_text

        self.preview.setText(error_text(exc))

    def _show_preview(self, result: merge.MergeResult) -> None:
        lang = language()
        locale = QLocale()
        comma = "、" if lang == "zh" else ", "
        moved = comma.join(f"{table_label(t, lang)} {locale.toString(n)}"
                           for t, n in result.moved.items() if n)
        lines = [
            self.tr("Moves to %1: %2.").replace("%1", result.kept_code).replace(
                "%2", moved or self.tr("nothing"))
        ]
        if result.removed:
            lines.append(self.tr("Already held by %1, so dropped: %2.").replace(
                "%1", result.kept_code).replace("%2", comma.join(
                    f"{table_label(t, lang)} {locale.toString(n)}"
                    for t, n in result.removed.items())))
        filled = [f for f in result.filled if f not in SKIPPED_FIELDS]
        if filled:
            lines.append(self.tr("Filled in from %1: %2.").replace("%1", result.merged_code)
                         .replace("%2", comma.join(self._field_name(f) for f in filled)))
        lines.append(self.tr("Then %1 is removed.").replace("%1", result.merged_code))
        self.preview.setText("\n".join(lines))
        self.merge_button.setEnabled(self.may_merge)
        self.previewed.emit()

    def _field_name(self, field: str) -> str:
        if field == "owner_staff_id":
            return self.tr("staff member in charge")
        return vocabulary.text("attribute", field, language())

    def _on_merge_clicked(self) -> None:
        pair, chosen = self.selected_pair(), self.kept_and_merged()
        if pair is None or chosen is None:
            return
        kept, merged = chosen
        names = {pair.first.id: _who(pair.first), pair.second.id: _who(pair.second)}
        answer = QMessageBox.question(
            self,
            self.tr("Merge two customers"),
            self.tr("Merge %1 into %2? Everything of %1 moves to %2 and %1 is removed. The "
                    "merge can be undone under Past merges.")
            .replace("%1", names[merged]).replace("%2", names[kept]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.merge_button.setEnabled(False)
        actor = self.actor
        self.runner.run(
            lambda _p, _c: merge.merge_customers(
                self.database.sessions, kept, merged, evidence=pair.codes, actor=actor
            ),
            on_done=self._on_merged,
            parent_widget=self,
            label=self.tr("Merging customers"),
            write=True,
            changes=changed(*MERGE_CHANGES),
        )

    def _on_merged(self, result: merge.MergeResult) -> None:
        self.runner.notify(
            self.tr("%1 merged into %2 (merge #%3).").replace("%1", result.merged_code)
            .replace("%2", result.kept_code).replace("%3", str(result.merge_id))
        )
        self.merged.emit(result.merge_id or 0)

    # --- undoing -------------------------------------------------------------------------
    def selected_merge(self) -> merge.MergeInfo | None:
        row = self.history.currentRow()
        return self.merges[row] if 0 <= row < len(self.merges) else None

    def _on_merge_selected(self) -> None:
        chosen = self.selected_merge()
        self.undo_button.setEnabled(
            self.may_merge and chosen is not None and chosen.undone_at is None
        )

    def _on_undo_clicked(self) -> None:
        chosen = self.selected_merge()
        if chosen is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Undo a merge"),
            self.tr("Undo merge #%1? %2 %3 comes back with exactly what moved to %4.")
            .replace("%1", str(chosen.id)).replace("%2", chosen.merged_code)
            .replace("%3", chosen.merged_name).replace("%4", chosen.kept_code or ""),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.undo_button.setEnabled(False)
        actor = self.actor
        self.runner.run(
            lambda _p, _c: merge.undo_merge(self.database.sessions, chosen.id, actor=actor),
            on_done=self._on_unmerged,
            on_failed=self._on_undo_failed,
            parent_widget=self,
            label=self.tr("Undoing merge #%1").replace("%1", str(chosen.id)),
            write=True,
            changes=changed(*MERGE_CHANGES),
        )

    def _on_undo_failed(self, exc: BaseException) -> None:
        from ui.tasks import show_error

        self._on_merge_selected()
        show_error(self, exc)

    def _on_unmerged(self, result: merge.MergeResult) -> None:
        self.runner.notify(
            self.tr("Merge #%1 undone: %2 is back.").replace("%1", str(result.merge_id))
            .replace("%2", result.merged_code)
        )
        self.unmerged.emit(result.merge_id or 0)
