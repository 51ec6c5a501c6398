"""The import wizard's third step: which column of the file holds which field — one row per
field, filled in from the headers (or a saved mapping) and corrected with a combo box — and, for
customer files, how a row is recognised as a customer already stored."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.imports.fields import KINDS
from services.imports.lookup import LINK_KEYS
from services.imports.mapping import Mapping, OtherKind
from services.imports.normalise import Cell, cell_text
from ui.labels import joined, label, language
from ui.views.import_source import HINT_STYLE, column_letter

COL_FIELD, COL_NEED, COL_COLUMN, COL_VALUES = range(4)
# auto_map's score below which a guess is marked for the user to check (1.0: the exact header).
SURE = 0.8
UNSURE_TINT = QColor("#fff3c4")
MISSING_TINT = QColor("#fde0dc")
SAMPLE_VALUES = 5
# The rules offered for customer files (services/imports/results.py MATCH_RULES); the last
# also keeps apart people whose names only sound the same (张叁 and 张三 on one phone).
MATCHES = (("mobile",), ("vin",), ("mobile", "vin"), ("name_mobile", "vin"))
DEFAULT_MATCH = ("mobile", "vin")


class ColumnBox(QComboBox):
    """A column chooser inside the table: the wheel scrolls the table unless the box has the
    focus, so rolling down the list does not change mappings on the way."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class _ScrollToFocused(QObject):
    """Tab through the boxes scrolls the table to the one with the focus."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self.table = table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            row = watched.property("row")
            if row is not None:
                self.table.scrollTo(self.table.model().index(int(row), COL_COLUMN))
        return False


def link_fields(kind: str) -> tuple[str, ...]:
    """The fields that find the stored customer a row belongs to. (Customer files mark none as
    `link` in the catalog, yet the import still needs one of them.)"""
    file_kind = KINDS[kind]
    marked = tuple(f.key for f in file_kind.fields if f.link)
    return marked or tuple(k for k in LINK_KEYS if k in file_kind.keys())


def sample_text(samples: Sequence[Sequence[Cell]], column: int | None) -> str:
    """The first different values of a column, as the user would read them."""
    if column is None:
        return ""
    seen: list[str] = []
    for row in samples:
        text = cell_text(row[column] if column < len(row) else None).strip()
        if text and text not in seen:
            seen.append(text)
        if len(seen) >= SAMPLE_VALUES:
            break
    return " · ".join(seen)


class MappingPage(QWidget):
    """Shows and edits one Mapping; `changed` says the mapping or the match rule changed,
    `profile_chosen` carries a saved mapping's name ("" for the automatic one) and
    `save_requested` asks the view to save the current mapping under a name."""

    changed = Signal()
    profile_chosen = Signal(str)
    save_requested = Signal()
    kind_suggested = Signal(str)  # the kind of file the headers say it is

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._mapping: Mapping | None = None
        self._headers: tuple[str, ...] = ()
        self._samples: tuple[tuple[Cell, ...], ...] = ()
        self._boxes: list[ColumnBox] = []
        self.profile = QComboBox()
        self.profile.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.profile.activated.connect(lambda _i: self.profile_chosen.emit(
            self.profile.currentData() or ""))
        profile_label = QLabel(self.tr("Saved &mapping"))
        profile_label.setBuddy(self.profile)
        self.save_profile = QPushButton(self.tr("Sa&ve as a mapping…"))
        self.save_profile.setToolTip(
            self.tr("Keep these columns under a name for the next file from the same system")
        )
        self.save_profile.clicked.connect(self.save_requested)
        self.match = QButtonGroup(self)
        self.match_row = QWidget()
        # Two rows of two: the four in one row need about 1,050 px in English.
        match_layout = QGridLayout(self.match_row)
        match_layout.setContentsMargins(0, 0, 0, 0)
        match_by = QLabel(self.tr("A row updates the stored customer with"))
        self.match_row.setToolTip(self.tr(
            "A file with the customer number of the DMS (客户编号) finds each customer by it "
            "first: a customer stored under another number is never updated by the mobile "
            "or plate."))
        match_layout.addWidget(match_by, 0, 0)
        names = (self.tr("the same mobile"), self.tr("the same VIN"),
                 self.tr("the same mobile, else the same VIN"),
                 self.tr("the same name and mobile, else the same VIN"))
        for i, name in enumerate(names):
            button = QRadioButton(name)
            self.match.addButton(button, i)
            match_layout.addWidget(button, i // 2, 1 + i % 2)
        match_layout.setColumnStretch(3, 1)
        self.match.button(MATCHES.index(DEFAULT_MATCH)).setChecked(True)
        self.match.idToggled.connect(lambda _i, on: on and self.changed.emit())
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Needed"), self.tr("Column in the file"),
             self.tr("First values in that column")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        # Tab goes from box to box, not from cell to cell.
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # The values are only a reminder; the whole text is in the cell's tooltip.
        self.table.setProperty("elidedColumns", [COL_VALUES])
        self._scroll = _ScrollToFocused(self.table)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setStyleSheet(HINT_STYLE)
        # A file whose headers plainly say it is another kind than the one chosen in step 1.
        self.other_kind = QLabel()
        self.other_kind.setWordWrap(True)
        self.other_kind.setStyleSheet("color: #b00020;")
        self.switch_kind = QPushButton()
        self.switch_kind.clicked.connect(
            lambda: self.kind_suggested.emit(self.switch_kind.property("kind")))
        self.other_kind_row = QWidget()
        other_row = QHBoxLayout(self.other_kind_row)
        other_row.setContentsMargins(0, 0, 0, 0)
        other_row.addWidget(self.other_kind, 1)
        other_row.addWidget(self.switch_kind)
        self.other_kind_row.hide()
        self.status = QLabel()
        self.status.setObjectName("mappingStatus")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(profile_label)
        top.addWidget(self.profile)
        top.addWidget(self.save_profile)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.match_row)
        layout.addWidget(self.other_kind_row)
        layout.addWidget(self.source)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    # --- what the view reads ---------------------------------------------------------------
    def mapping(self) -> Mapping | None:
        return self._mapping

    def match_rule(self) -> tuple[str, ...]:
        if not self.match_row.isVisibleTo(self) or self.match.checkedId() < 0:
            return DEFAULT_MATCH
        return MATCHES[self.match.checkedId()]

    def problems(self) -> list[str]:
        """Why no row could be imported with this mapping (empty: it can go on)."""
        mapping = self._mapping
        if mapping is None:
            return [self.tr("The file has no column headers to map.")]
        kind = KINDS[mapping.kind]
        lang = language()
        found = []
        if mapping.missing_required:
            found.append(
                self.tr("Choose a column for %1: every row needs it.").replace(
                    "%1", joined(kind.field(f).label(lang) for f in mapping.missing_required)
                )
            )
        links = link_fields(mapping.kind)
        if not any(mapping.column(f) is not None for f in links):
            found.append(
                self.tr("Choose a column for %1 (at least one): they find the customer.").replace(
                    "%1", joined(kind.field(f).label(lang) for f in links)
                )
            )
        return found

    def focus_first(self) -> None:
        (self._boxes[0] if self._boxes else self.profile).setFocus()

    # --- filling -------------------------------------------------------------------------
    def set_profiles(self, names: Sequence[str], current: str = "") -> None:
        self.profile.clear()
        self.profile.addItem(self.tr("— recognised from the headers —"), "")
        for name in names:
            self.profile.addItem(name, name)
        self.profile.setCurrentIndex(max(0, self.profile.findData(current)))

    def set_other_kind(self, other: OtherKind | None, chosen: str) -> None:
        """Warn that the file's headers say it is `other`, not the `chosen` kind, with a
        button to import it as that; nothing shown for None."""
        self.other_kind_row.setVisible(other is not None)
        if other is None:
            return
        theirs = label("import_kind", other.kind)
        self.other_kind.setText(
            self.tr("⚠ This file looks like a “%1” file, not “%2”: its columns %3 are "
                    "“%1” columns. Import it as “%1”, or check every column below before "
                    "the dry run.").replace("%1", theirs).replace(
                "%2", label("import_kind", chosen)).replace("%3", joined(other.headers)))
        self.switch_kind.setText(self.tr("Import as “%1”").replace("%1", theirs))
        self.switch_kind.setProperty("kind", other.kind)

    def set_match_rule(self, match: tuple[str, ...]) -> None:
        if match in MATCHES:
            self.match.button(MATCHES.index(match)).setChecked(True)

    def set_mapping(
        self,
        mapping: Mapping,
        headers: Sequence[str],
        samples: Sequence[Sequence[Cell]],
        source_text: str,
    ) -> None:
        """Show `mapping` for a file with these headers and first rows; one row per field."""
        kind = KINDS[mapping.kind]
        self._headers = tuple(headers)
        self._samples = tuple(tuple(r) for r in samples)
        self.match_row.setVisible(mapping.kind == "customers")
        self.source.setText(source_text)
        lang = language()
        links = set(link_fields(mapping.kind))
        self.table.setRowCount(0)
        self._boxes = []
        self.table.setRowCount(len(kind.fields))
        previous: QWidget = self.save_profile
        for row, field in enumerate(kind.fields):
            self.table.setItem(row, COL_FIELD, QTableWidgetItem(field.label(lang)))
            need = (
                self.tr("Required")
                if field.required
                else self.tr("Finds the customer")
                if field.key in links
                else ""
            )
            self.table.setItem(row, COL_NEED, QTableWidgetItem(need))
            self.table.setItem(row, COL_VALUES, QTableWidgetItem(""))
            box = ColumnBox()
            box.setProperty("row", row)
            box.setProperty("field", field.key)
            box.setAccessibleName(field.label(lang))
            box.addItem(self.tr("— not imported —"), None)
            for column, text in enumerate(self._headers):
                shown = text or self.tr("(no header)")
                box.addItem(f"{column_letter(column)}  {shown}", column)
            box.installEventFilter(self._scroll)
            box.activated.connect(lambda _i, b=box: self._on_box_activated(b))
            self.table.setCellWidget(row, COL_COLUMN, box)
            QWidget.setTabOrder(previous, box)
            previous = box
            self._boxes.append(box)
        self._show(mapping)
        self.table.scrollToTop()

    def _on_box_activated(self, box: ColumnBox) -> None:
        if self._mapping is None:
            return
        self._show(self._mapping.with_column(box.property("field"), box.currentData()))
        self.changed.emit()

    def _show(self, mapping: Mapping) -> None:
        """Every box, value and tint from `mapping` (choosing a column for one field takes it
        from the field that had it)."""
        self._mapping = mapping
        kind = KINDS[mapping.kind]
        scores = dict(mapping.scores)
        for row, field in enumerate(kind.fields):
            column = mapping.column(field.key)
            box = self._boxes[row]
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(column)))
            box.blockSignals(False)
            values = sample_text(self._samples, column)
            values_item = self.table.item(row, COL_VALUES)
            values_item.setText(values)
            values_item.setToolTip(values)
            item = self.table.item(row, COL_FIELD)
            tint, tip = QBrush(), ""
            if field.key in mapping.missing_required:
                tint, tip = QBrush(MISSING_TINT), self.tr("Every row needs this field.")
            elif column is not None and scores.get(field.key, 1.0) < SURE:
                tint = QBrush(UNSURE_TINT)
                tip = self.tr("Guessed from a similar header or from the values: please check.")
            item.setBackground(tint)
            item.setToolTip(tip)
        self._show_status()

    def _show_status(self) -> None:
        mapping = self._mapping
        problems = self.problems()
        if problems:
            self.status.setStyleSheet("QLabel#mappingStatus { color: #b00020; }")
            self.status.setText(" ".join(problems))
            return
        assert mapping is not None
        # A column with no header is named by its letter: its values are left out too.
        unused = [h or self.tr("column %1 (no header)").replace("%1", column_letter(c))
                  for c, h in enumerate(self._headers) if mapping.field_of(c) is None]
        text = self.tr("%n column(s) of the file are imported.", "", len(mapping.columns))
        if unused:
            text += " " + self.tr("Not imported: %1.").replace("%1", joined(unused))
        self.status.setStyleSheet("QLabel#mappingStatus { color: #1b5e20; }")
        self.status.setText(text)
