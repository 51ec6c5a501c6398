"""The import wizard's first two steps: the kind of file and the file; then its sheet, the header
row (found by the reader, or corrected by the user) and the first rows as they are in the file."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.codes import IMPORT_KINDS
from services.imports.normalise import cell_text
from services.imports.readers import Preview
from services.outputs.xlsx_stream import column_letter
from ui.files import dropped_file
from ui.labels import label
from ui.views.customer_page import make_table

MAX_HEADER_ROW = 200
HEADER_TINT = QColor("#dcebfa")
HINT_STYLE = "color: #555;"


class SourcePage(QWidget):
    """Step 1: which of the five kinds of file, and which file. `choose_requested` asks the
    view for the file dialog; `file_dropped` carries the path of one file dragged onto the
    page from a folder (or the browser's downloads); `kind_changed` carries the new kind's
    code."""

    choose_requested = Signal()
    file_dropped = Signal(str)
    kind_changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        hints = {
            "customers": self.tr(
                "Owners and their cars, as the DMS exports them: name, mobile, address, VIN, "
                "plate, purchase date, km."
            ),
            "visits": self.tr(
                "Work orders or visits to the workshop: date, plate or mobile, km, type, amount."
            ),
            "surveys": self.tr(
                "Satisfaction calls after a visit: date, plate or mobile, scores, comments."
            ),
            "complaints": self.tr(
                "Registered complaints: date, plate or mobile, topic, whether resolved."
            ),
            "contacts": self.tr(
                "Calls, SMS and visits made to customers: when, how, why, the outcome."
            ),
            "purchases": self.tr(
                "Insurance renewals, accessories and extended warranties sold: date, plate or "
                "mobile, amount, item; a policy's expiry updates its car's."
            ),
        }
        self.kinds = QButtonGroup(self)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, code in enumerate(IMPORT_KINDS):
            button = QRadioButton(label("import_kind", code))
            button.setProperty("code", code)
            self.kinds.addButton(button, row)
            hint = QLabel(hints[code])
            hint.setWordWrap(True)
            hint.setStyleSheet(HINT_STYLE)
            grid.addWidget(button, row, 0)
            grid.addWidget(hint, row, 1)
        self.kinds.button(0).setChecked(True)
        self.kinds.idToggled.connect(self._on_kind_toggled)
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(self.tr("No file chosen yet"))
        self.choose = QPushButton(self.tr("&Choose the file…"))
        self.choose.clicked.connect(self.choose_requested)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        note = QLabel(
            self.tr(
                "Excel (.xlsx, .xls) or CSV, as exported: title rows above the column headers "
                "and total rows are recognised. A file can also be dragged here from its "
                "folder. Nothing is written before the dry run has shown what would happen."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        kind_title = QLabel(self.tr("1. What is in the file?"))
        file_title = QLabel(self.tr("2. Which file?"))
        for title in (kind_title, file_title):
            title.setStyleSheet("font-weight: 600;")
        layout = QVBoxLayout(self)
        layout.addWidget(kind_title)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addWidget(file_title)
        layout.addLayout(file_row)
        layout.addWidget(note)
        layout.addStretch(1)

    def kind(self) -> str:
        return self.kinds.checkedButton().property("code")

    def set_kind(self, code: str) -> None:
        for button in self.kinds.buttons():
            if button.property("code") == code:
                button.setChecked(True)

    def focus_first(self) -> None:
        self.kinds.checkedButton().setFocus()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.choose.isEnabled() and dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_file(event.mimeData()) if self.choose.isEnabled() else None
        if path is not None:
            event.acceptProposedAction()
            self.file_dropped.emit(path)

    def _on_kind_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.kind_changed.emit(self.kind())


class SheetPage(QWidget):
    """Step 2: the sheet (when the workbook has several), the header row and the first rows.
    `sheet_chosen` and `header_row_chosen` ask the view to read the file again."""

    sheet_chosen = Signal(str)
    header_row_chosen = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.sheet = QComboBox()
        self.sheet.setMinimumContentsLength(12)
        self.sheet.activated.connect(lambda _i: self.sheet_chosen.emit(self.sheet.currentText()))
        self.sheet_label = QLabel(self.tr("&Sheet"))
        self.sheet_label.setBuddy(self.sheet)
        self.header_row = QSpinBox()
        self.header_row.setRange(1, MAX_HEADER_ROW)
        # Only a finished number (Enter, arrows, leaving the field) reads the file again.
        self.header_row.setKeyboardTracking(False)
        self.header_row.valueChanged.connect(self.header_row_chosen)
        header_label = QLabel(self.tr("Column &headers are in row"))
        header_label.setBuddy(self.header_row)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.above = QLabel()
        self.above.setWordWrap(True)
        self.above.setStyleSheet(HINT_STYLE)
        self.table = make_table([])
        self.table.verticalHeader().setVisible(True)
        top = QHBoxLayout()
        top.addWidget(self.sheet_label)
        top.addWidget(self.sheet)
        top.addSpacing(16)
        top.addWidget(header_label)
        top.addWidget(self.header_row)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(self.above)
        layout.addWidget(self.table, 1)
        self.show_preview(None)

    def focus_first(self) -> None:
        (self.sheet if self.sheet.isVisible() else self.header_row).setFocus()

    def show_preview(self, preview: Preview | None, searched: bool = False) -> None:
        """The file's top as read: the header row tinted, then its first data rows, with the
        row numbers Excel shows. `searched`: the sheet was not named, so every sheet was
        looked at for a header row."""
        if preview is None:
            self.sheet.clear()
            self.info.setText(self.tr("Choose a file first."))
            self.above.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self._set_sheet_visible(False)
            return
        layout = preview.layout
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItems(list(layout.sheets))
        self.sheet.setCurrentIndex(max(0, self.sheet.findText(layout.sheet or "")))
        self.sheet.blockSignals(False)
        self._set_sheet_visible(len(layout.sheets) > 1)
        self.header_row.blockSignals(True)
        self.header_row.setValue(max(1, layout.header_row))
        self.header_row.blockSignals(False)
        if layout.header_row and layout.headers:
            self.info.setText(
                self.tr(
                    "Row %1 holds the column headers (%n column(s)); it is tinted below. If "
                    "another row holds them, enter its number.",
                    "",
                    len(layout.headers),
                ).replace("%1", str(layout.header_row))
            )
        elif searched and len(layout.sheets) > 1:
            self.info.setText(
                self.tr("No row of column headers was found on any sheet (%1). Choose the "
                        "sheet and enter the number of the row that holds them.")
                .replace("%1", "、".join(layout.sheets))
            )
        else:
            self.info.setText(
                self.tr("No row of column headers was found. Enter the number of the row that "
                        "holds them.")
            )
        header = next((r for r in preview.top if r.number == layout.header_row), None)
        above = [r for r in preview.top if r.number < layout.header_row]
        lines = [
            self.tr("row %1: %2").replace("%1", str(r.number)).replace(
                "%2", "  ".join(t for c in r.cells if (t := cell_text(c).strip()))
            )
            for r in above
            if any(cell_text(c).strip() for c in r.cells)
        ]
        self.above.setText(
            self.tr("Above the headers, not imported: %1").replace("%1", "; ".join(lines))
            if lines
            else ""
        )
        self.above.setVisible(bool(lines))
        rows = ([header] if header is not None else []) + list(preview.sample)
        width = max((len(r.cells) for r in rows), default=0)
        width = max(width, len(layout.headers))
        self.table.clear()
        self.table.setColumnCount(width)
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels([column_letter(c) for c in range(width)])
        self.table.setVerticalHeaderLabels([str(r.number) for r in rows])
        bold = QFont(self.table.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c in range(width):
                item = QTableWidgetItem(cell_text(row.get(c)))
                if row is header:
                    item.setFont(bold)
                    item.setBackground(QBrush(HEADER_TINT))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def _set_sheet_visible(self, visible: bool) -> None:
        self.sheet.setVisible(visible)
        self.sheet_label.setVisible(visible)
        if not visible:
            self.sheet.setCurrentIndex(-1)

    def chosen_sheet(self) -> str | None:
        text = self.sheet.currentText()
        return text or None
