"""Settings → Service intervals: when each car is due for maintenance — every N km or M months
after its last maintenance visit, whichever first, and the first free service (首保) after its
own km or months from the purchase — for every car, a brand or one model, with the cars each
row governs. Everyone sees them; a supervisor adds, changes and removes them. A row someone
else changed since the list was loaded refuses the save, says who, and offers Reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.customers import reminders
from services.customers.reminders import Interval, IntervalRow, IntervalTable
from services.staff.permissions import SAVE_SETTINGS, Actor, allowed
from services.store.database import Database
from services.store.errors import StaleEdit
from ui.dialogs import stale_edit
from ui.dialogs.save_again import edit_and_save
from ui.tasks import DataChange, TaskRunner, changed

COL_BRAND, COL_MODEL, COL_FIRST, COL_EVERY, COL_CARS, COL_CHANGED = range(6)
MAX_KM = 100_000
MAX_MONTHS = 60


def _km(km: int) -> str:
    return f"{km:,}"  # 5,000: how km are written on Chinese service documents too


class IntervalDialog(QDialog):
    """One interval: brand and model (fixed for every car's row), 首保 and then every."""

    def __init__(self, title: str, row: IntervalRow | None, models: dict[str, tuple[str, ...]],
                 parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.models = models
        self.brand = QComboBox()
        self.brand.setEditable(True)
        self.brand.addItems(list(models))
        self.model = QComboBox()
        self.model.setEditable(True)
        self.brand.currentTextChanged.connect(self._on_brand_changed)
        every_car = row is not None and not row.brand
        interval = row.interval if row is not None else reminders.DEFAULT_INTERVAL
        self.brand.setCurrentText(row.brand if row is not None else "")
        self._on_brand_changed(self.brand.currentText())
        self.model.setCurrentText(row.model if row is not None else "")
        for combo, hint in ((self.model, self.tr("All models of the brand")),
                            (self.brand, self.tr("e.g. 丰田"))):
            edit = combo.lineEdit()
            if edit is not None:
                edit.setPlaceholderText(hint)
        self.first_km, self.first_months = self._spins(interval.first_km,
                                                       interval.first_months)
        self.every_km, self.every_months = self._spins(interval.every_km,
                                                       interval.every_months)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form = QFormLayout(self)
        if every_car:
            form.addRow(QLabel(self.tr("Every car without an interval of its brand or model")))
        else:
            form.addRow(self.tr("&Brand"), self.brand)
            form.addRow(self.tr("&Model"), self.model)
            self.brand.currentTextChanged.connect(self._on_text_changed)
            self.model.currentTextChanged.connect(self._on_text_changed)
            self._on_text_changed()
        form.addRow(self.tr("First free service"),
                    self._pair(self.first_km, self.first_months))
        form.addRow(self.tr("Then every"), self._pair(self.every_km, self.every_months))
        rule = QLabel(self.tr("Whichever comes first; the first free service counts from the "
                              "purchase date and 0 km, later ones from the last maintenance "
                              "visit."))
        rule.setWordWrap(True)
        form.addRow(rule)
        form.addRow(buttons)
        self.setMinimumWidth(480)

    def _spins(self, km: int, months: int) -> tuple[QSpinBox, QSpinBox]:
        km_spin, month_spin = QSpinBox(), QSpinBox()
        km_spin.setRange(1, MAX_KM)
        km_spin.setSingleStep(500)
        km_spin.setGroupSeparatorShown(True)
        km_spin.setSuffix(self.tr(" km"))
        km_spin.setValue(km)
        month_spin.setRange(1, MAX_MONTHS)
        month_spin.setSuffix(self.tr(" months"))
        month_spin.setValue(months)
        return km_spin, month_spin

    def _pair(self, km: QSpinBox, months: QSpinBox) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(km)
        row.addWidget(QLabel(self.tr("or")))
        row.addWidget(months)
        row.addStretch(1)
        return row

    def _on_brand_changed(self, brand: str) -> None:
        typed = self.model.currentText()
        self.model.clear()
        self.model.addItem("")
        self.model.addItems(list(self.models.get(brand.strip(), ())))
        self.model.setCurrentText(typed)

    def _on_text_changed(self) -> None:
        # A model needs its brand (the service says so too).
        self.ok_button.setEnabled(bool(self.brand.currentText().strip())
                                  or not self.model.currentText().strip())

    def set_value(self, brand: str, model: str, interval: Interval) -> None:
        """Put back what was typed (as `value()` gave it)."""
        self.brand.setCurrentText(brand)
        self.model.setCurrentText(model)
        for spin, number in ((self.first_km, interval.first_km),
                             (self.first_months, interval.first_months),
                             (self.every_km, interval.every_km),
                             (self.every_months, interval.every_months)):
            spin.setValue(number)

    def value(self) -> tuple[str, str, Interval]:
        return (self.brand.currentText().strip(), self.model.currentText().strip(),
                Interval(self.first_km.value(), self.first_months.value(),
                         self.every_km.value(), self.every_months.value()))


class IntervalsPanel(QWidget):
    loaded = Signal()

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.may_edit = allowed(actor, SAVE_SETTINGS)
        self.data: IntervalTable | None = None
        # Runs once the next intervals are shown: a dialog opened again after Reload.
        self._after_load: Callable[[], None] | None = None
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([
            self.tr("Brand"), self.tr("Model"), self.tr("First service"),
            self.tr("Then every"), self.tr("Cars"), self.tr("Changed")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        # Every column as wide as its text; a narrow window scrolls rather than cuts.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self._on_edit_clicked())
        self.add_button = QPushButton(self.tr("&Add…"))
        self.edit_button = QPushButton(self.tr("&Change…"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
            button.setVisible(self.may_edit)
        buttons.addStretch(1)
        self.note = QLabel(self.tr(
            "Maintenance falls due every N km or M months after the car's last maintenance "
            "visit, whichever comes first; the first free service counts from the "
            "purchase date and 0 km. A model's interval is used before its brand's, a brand's "
            "before every car's."))
        self.note.setWordWrap(True)
        self.staff_note = QLabel(self.tr("Only a supervisor may change the service intervals."))
        self.staff_note.setVisible(not self.may_edit)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.staff_note)
        layout.addLayout(body, 1)
        runner.data_changed.connect(self._on_data_changed)
        self._on_selection_changed()
        self.reload()

    # --- reading ---------------------------------------------------------------------------
    def reload(self) -> None:
        keep = self.selected()
        key = (keep.brand, keep.model) if keep is not None else None
        sessions = self.database.sessions
        self.runner.run(
            lambda _p, _c: reminders.interval_table(sessions),
            on_done=lambda data: self._show(data, key),
            latest="service-intervals",
            parent_widget=self,
            label=self.tr("Loading service intervals"),
        )

    def _show(self, data: IntervalTable, keep: tuple[str, str] | None) -> None:
        self.data = data
        self.table.setRowCount(len(data.rows))
        chosen = -1
        for i, (row, cars) in enumerate(zip(data.rows, data.cars, strict=True)):
            v = row.interval
            cells = [
                row.brand or self.tr("Every car"),
                row.model or ("" if not row.brand else self.tr("All models")),
                self._km_or_months(v.first_km, v.first_months),
                self._km_or_months(v.every_km, v.every_months),
                f"{cars:,}",
                self._changed_text(row),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == COL_CARS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, col, item)
            if keep == (row.brand, row.model):
                chosen = i
        if chosen >= 0:
            self.table.selectRow(chosen)
        self._on_selection_changed()
        self.loaded.emit()
        then, self._after_load = self._after_load, None
        if then is not None:
            then()

    def _km_or_months(self, km: int, months: int) -> str:
        return self.tr("%1 km or %2 months").replace("%1", _km(km)).replace("%2", str(months))

    def _changed_text(self, row: IntervalRow) -> str:
        if row.id is None:
            return self.tr("Built-in default")
        if row.updated_at is None:
            return row.updated_by
        local = row.updated_at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
        return f"{local:%Y-%m-%d %H:%M} {row.updated_by}".strip()

    def selected(self) -> IntervalRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.data is None:
            return None
        return self.data.rows[rows[0].row()]

    def _index_of(self, brand: str, model: str) -> int:
        rows = self.data.rows if self.data is not None else ()
        return next((i for i, r in enumerate(rows) if (r.brand, r.model) == (brand, model)), -1)

    def select(self, brand: str, model: str = "") -> None:
        """Select the row of a brand and model ('' for every car) — for tests and keyboards."""
        index = self._index_of(brand, model)
        if index >= 0:
            self.table.selectRow(index)

    def text_of(self, brand: str, model: str = "") -> list[str] | None:
        """The cells shown for a brand and model, or None when there is no such row."""
        index = self._index_of(brand, model)
        if index < 0:
            return None
        return [item.text() if (item := self.table.item(index, c)) is not None else ""
                for c in range(self.table.columnCount())]

    def _on_selection_changed(self) -> None:
        chosen = self.selected()
        self.edit_button.setEnabled(chosen is not None)
        self.remove_button.setEnabled(chosen is not None and chosen.id is not None)

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("intervals"):
            self.reload()

    # --- editing ---------------------------------------------------------------------------
    def _ask_and_save(self, title: str, row: IntervalRow | None,
                      typed: tuple[str, str, Interval] | None = None) -> None:
        """The dialog (with `typed` over `row`'s values when given), then the save; a save
        refused for another reason than someone's change (the server stopped) says why and
        opens the dialog again as typed. Refused because someone changed the same interval:
        Reload shows the intervals as they are now and opens the dialog again as typed, over
        their row."""
        models = dict(self.data.models) if self.data is not None else {}
        dialog = IntervalDialog(title, row, models, self)
        if typed is not None:
            dialog.set_value(*typed)

        def stale(exc: StaleEdit) -> None:
            kept = dialog.value()
            if stale_edit.ask_reload(self, exc, self.tr(
                    "Reload shows the intervals as they are now and opens this dialog again "
                    "with what you typed, to save it over theirs or cancel. Cancel drops what "
                    "you typed.")):
                self._after_load = lambda: self._ask_again(row, kept)
                self.reload()

        edit_and_save(dialog, lambda failed: self._save(dialog.value(), row, failed),
                      on_stale=stale)

    def _ask_again(self, loaded: IntervalRow | None, typed: tuple[str, str, Interval]) -> None:
        """After Reload: the dialog as typed, based on the row as stored now — the one edited
        (by id), else the row of the brand and model typed; adding when there is neither."""
        rows = self.data.rows if self.data is not None else ()
        fresh = next((r for r in rows if loaded is not None and loaded.id is not None
                      and r.id == loaded.id), None) or self._row_of(typed[0], typed[1])
        title = (self.tr("Change a service interval") if fresh is not None else
                 self.tr("Add a service interval"))
        self._ask_and_save(title, fresh, typed)

    def _save(self, values: tuple[str, str, Interval], loaded: IntervalRow | None,
              on_failed=None) -> None:
        brand, model, interval = values
        same = self._row_of(brand, model)
        if same is not None and same is not loaded and same.id is not None:
            QMessageBox.information(self, self.tr("Service intervals"), self.tr(
                "%1 already has its own interval; change that one.").replace(
                    "%1", " ".join(x for x in (brand, model) if x)))
            return
        if same is not None and same.id is None:
            loaded = same  # every car's built-in default: saving stores it
        sessions, actor = self.database.sessions, self.actor
        self.runner.run(
            lambda _p, _c: reminders.save_interval(sessions, actor, interval, brand=brand,
                                                   model=model, loaded=loaded),
            on_failed=on_failed or stale_edit.on_failed(self, self.reload),
            parent_widget=self,
            label=self.tr("Saving"),
            write=True,
            changes=changed("intervals", "settings"),
            done_notice=self.tr("Service interval saved"),
        )

    def _row_of(self, brand: str, model: str) -> IntervalRow | None:
        rows = self.data.rows if self.data is not None else ()
        return next((r for r in rows if (r.brand, r.model) == (brand, model)), None)

    def _on_add_clicked(self) -> None:
        self._ask_and_save(self.tr("Add a service interval"), None)

    def _on_edit_clicked(self) -> None:
        chosen = self.selected()
        if chosen is None or not self.may_edit:
            return
        self._ask_and_save(self.tr("Change a service interval"), chosen)

    def _on_remove_clicked(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.id is None:
            return
        what = " ".join(x for x in (chosen.brand, chosen.model) if x) or self.tr("Every car")
        answer = QMessageBox.question(
            self, self.tr("Remove service interval"),
            self.tr("Remove the interval of %1? Its cars then follow their brand's interval, "
                    "every car's, or the built-in default.").replace("%1", what))
        if answer != QMessageBox.StandardButton.Yes:
            return
        sessions, actor = self.database.sessions, self.actor
        self.runner.run(
            lambda _p, _c: reminders.remove_interval(sessions, actor, chosen),
            on_failed=stale_edit.on_failed(self, self.reload),
            parent_widget=self,
            label=self.tr("Saving"),
            write=True,
            changes=changed("intervals", "settings"),
            done_notice=self.tr("Service interval of %1 removed").replace("%1", what),
        )
