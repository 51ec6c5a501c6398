"""What a dry run found, or what an import did: rows that create, update, stay unchanged or are
not imported, why, and the first rows of each; the rows with problems (not imported, or
imported with a note) can be saved as Excel."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from services.customers.merge_rows import table_label
from services.imports.normalise import cell_text
from services.imports.plan import OUTCOMES, ImportPlan
from services.imports.report import field_label
from ui.labels import label, language
from ui.views.customer_page import fill_table, make_table
from ui.views.import_source import HINT_STYLE

COL_SAMPLE_PROBLEMS = 3
COL_SAMPLE_VALUES = 4


class PlanPanel(QWidget):
    """One ImportPlan on screen. `final` False: a dry run (offers "Run again"); True: the
    import's result. `save_errors_requested` and `rerun_requested` go to the view."""

    save_errors_requested = Signal()
    rerun_requested = Signal()

    def __init__(self, final: bool, parent=None) -> None:
        super().__init__(parent)
        self.final = final
        self.plan: ImportPlan | None = None
        self.outcome_names = {
            "create": self.tr("New"),
            "update": self.tr("Updated"),
            "unchanged": self.tr("Unchanged"),
            "reject": self.tr("Not imported"),
        }
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.counts: dict[str, QLabel] = {}
        boxes = QHBoxLayout()
        colours = {"create": "#1b5e20", "update": "#0d47a1", "unchanged": "#555",
                   "reject": "#b00020"}
        for outcome in OUTCOMES:
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            grid = QGridLayout(frame)
            number = QLabel("–")
            number.setStyleSheet(f"font-size: 20px; font-weight: 600; color: {colours[outcome]};")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(self.outcome_names[outcome])
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(number, 0, 0)
            grid.addWidget(caption, 1, 0)
            self.counts[outcome] = number
            boxes.addWidget(frame)
        boxes.addStretch(1)
        self.records = QLabel()
        self.records.setWordWrap(True)
        self.earlier = QLabel()
        self.earlier.setWordWrap(True)
        self.earlier.setStyleSheet("color: #b00020;")
        self.reasons = make_table([self.tr("Rows"), self.tr("Why rows are not imported")])
        self.warnings = make_table([self.tr("Rows"), self.tr("Corrected or noted (rows imported)")])
        self.samples = make_table(
            [self.tr("Result"), self.tr("Row"), self.tr("What happens"), self.tr("Problems"),
             self.tr("In the file")],
            stretch_last=False,
        )
        # A row's problems may run to several sentences: they take the width left, cut short
        # (whole in the tooltip and in the reasons beside), and the file's cells, which only say
        # which row it is, a fixed width after them, so both stay on screen at 1366 px.
        header = self.samples.horizontalHeader()
        header.setSectionResizeMode(COL_SAMPLE_PROBLEMS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_SAMPLE_VALUES, QHeaderView.ResizeMode.Interactive)
        self.samples.setColumnWidth(COL_SAMPLE_VALUES,
                                    self.samples.fontMetrics().horizontalAdvance("中" * 10))
        # The row's cells are only a reminder of which row it is; they are in the tooltip.
        self.samples.setProperty("elidedColumns", [COL_SAMPLE_PROBLEMS, COL_SAMPLE_VALUES])
        self.save_errors = QPushButton(self.tr("Save the rows with problems as &Excel…"))
        self.save_errors.setToolTip(
            self.tr("Every row not imported, to correct and import again, and every row "
                    "imported with a note (a value left out or corrected), each with its "
                    "original row number and the reasons")
        )
        self.save_errors.clicked.connect(self.save_errors_requested)
        self.rerun = QPushButton(self.tr("&Run the dry run again"))
        self.rerun.clicked.connect(self.rerun_requested)
        self.rerun.setVisible(not final)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(HINT_STYLE)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.reasons, 1)
        left_layout.addWidget(self.warnings, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel(self.tr("First rows of each result")))
        right_layout.addWidget(self.samples, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 800])
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_errors)
        buttons.addWidget(self.rerun)
        buttons.addWidget(self.hint, 1)
        buttons.addStretch(0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(boxes)
        layout.addWidget(self.records)
        layout.addWidget(self.earlier)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.clear()

    def focus_first(self) -> None:
        for widget in (self.save_errors, self.rerun, self.samples):
            if widget.isVisible() and widget.isEnabled():
                widget.setFocus()
                return

    def clear(self, text: str = "") -> None:
        """Nothing to show yet; `text` says what is happening (working, cancelled)."""
        self.plan = None
        self.headline.setText(text)
        for number in self.counts.values():
            number.setText("–")
        for widget in (self.records, self.earlier, self.hint):
            widget.clear()
            widget.setVisible(False)
        for table in (self.reasons, self.warnings, self.samples):
            table.setRowCount(0)
        self.save_errors.setEnabled(False)

    def set_busy(self, busy: bool) -> None:
        self.rerun.setEnabled(not busy)

    def show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        locale = QLocale()
        lang = language()
        kind = label("import_kind", plan.kind)
        sheet = f" · {plan.sheet}" if plan.sheet else ""
        what = f"{plan.file_name} ({kind}{sheet})"
        if self.final:
            head = self.tr("Import #%1 stored: %2, %n row(s).", "", plan.rows_total).replace(
                "%1", str(plan.batch_id)).replace("%2", what)
        else:
            head = self.tr("Dry run of %1: %n row(s). Nothing was written.", "",
                           plan.rows_total).replace("%1", what)
        self.headline.setText(head)
        for outcome, number in self.counts.items():
            number.setText(locale.toString(plan.count(outcome)))
        self._show_records(plan)
        alerts = []
        if plan.earlier_batches and not self.final:
            alerts.append(
                self.tr("This file was imported before (%1). Importing it again changes only "
                        "what differs from the database now.").replace(
                    "%1", ", ".join(f"#{b}" for b in plan.earlier_batches))
            )
        if plan.completes and self.final:
            alerts.append(
                self.tr("This import completes the stopped import %1 of the same file: the rows "
                        "that one stored are counted here as unchanged, and undoing this import "
                        "undoes it too.").replace(
                    "%1", ", ".join(f"#{b}" for b in plan.completes))
            )
        if plan.renamed and not self.final:
            alerts.append(self.tr(
                "%n stored customer(s) would get another name: rows of the file matched them "
                "by mobile or VIN under a name that sounds the same (张叁 for 张三). If that "
                "is another person, go back and match by the same name and mobile.", "",
                plan.renamed))
        if alerts:
            self.earlier.setText("\n".join(alerts))
            self.earlier.setVisible(True)
        pick = (lambda r: r.zh) if lang == "zh" else (lambda r: r.en)
        fill_table(self.reasons, [[r.rows, pick(r)] for r in plan.reasons])
        fill_table(self.warnings, [[r.rows, pick(r)] for r in plan.warnings])
        rows = []
        for outcome in OUTCOMES:
            for sample in plan.samples.get(outcome, ()):
                cells = " | ".join(t for v in sample.values if (t := cell_text(v).strip()))
                summary, reasons = sample.said(lang)
                what = self.tr("Left out, for the problems beside it") if outcome == "reject" \
                    else summary
                rows.append([self.outcome_names[outcome], sample.number, what,
                             ("；" if lang == "zh" else "; ").join(reasons), cells])
        fill_table(self.samples, rows)
        for r in range(self.samples.rowCount()):
            for c in (COL_SAMPLE_PROBLEMS, COL_SAMPLE_VALUES):
                if (item := self.samples.item(r, c)) is not None:
                    item.setToolTip(item.text())
        self.save_errors.setEnabled(plan.errors_file is not None)
        if self.final:
            self.hint.setText(self.tr("To take this import back, undo batch #%1 under Past "
                                      "imports.").replace("%1", str(plan.batch_id)))
            self.hint.setVisible(True)
        elif plan.imported == 0:
            self.hint.setText(self.tr("No row can be imported: correct the file or the columns "
                                      "first."))
            self.hint.setVisible(True)

    def _show_records(self, plan: ImportPlan) -> None:
        locale = QLocale()
        lang = language()
        names = {
            "customer": self.tr("customers"),
            "vehicle": self.tr("vehicles"),
            "mileage_reading": self.tr("km readings"),
        }

        comma = "、" if lang == "zh" else ", "

        def listed(counts: dict[str, int]) -> str:
            return comma.join(
                f"{names.get(t) or table_label(t, lang)} {locale.toString(n)}"
                for t, n in counts.items() if n
            )

        parts = []
        if plan.records:
            text = self.tr("Created: %1") if self.final else self.tr("Would create: %1")
            parts.append(text.replace("%1", listed(plan.records)))
        if plan.changed_fields:
            text = self.tr("Changed: %1") if self.final else self.tr("Would change: %1")
            fields = comma.join(
                f"{field_label(plan.kind, k, lang)} {locale.toString(n)}"
                for k, n in sorted(plan.changed_fields.items())
            )
            parts.append(text.replace("%1", fields))
        self.records.setText("\n".join(parts))
        self.records.setVisible(bool(parts))
