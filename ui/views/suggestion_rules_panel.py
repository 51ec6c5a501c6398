"""Settings → Suggestion rules: the rules behind the brief's suggested next step as a readable
table — order, on or off, name, "when …" in words, purpose, talking points. A supervisor adds,
edits, removes, reorders, switches rules on and off or goes back to the built-in set, then
saves them all as one new version; a save overtaken by someone else's is refused and offers
Reload. Staff see the same table read-only."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.customers import suggest
from services.customers.suggest_facts import points_shown
from services.customers.suggest_rules import (
    DEFAULT_RULES,
    Rule,
    RuleSet,
    describe_when,
    validate,
)
from services.customers.suggest_rules_en import rule_name, rule_points
from services.staff.permissions import SAVE_SETTINGS, Actor, allowed
from services.store.database import Database
from services.store.errors import RevisitError
from ui.dialogs import stale_edit
from ui.i18n import translate_error
from ui.labels import label, language
from ui.tasks import DataChange, TaskRunner, changed
from ui.views.suggestion_rule_dialog import RuleDialog

COL_ORDER, COL_ON, COL_NAME, COL_WHEN, COL_PURPOSE, COL_POINTS = range(6)
ORIGIN = "suggestion-rules"


class SuggestionRulesPanel(QWidget):
    loaded = Signal()

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.may_edit = allowed(actor, SAVE_SETTINGS)
        self.rules: list[Rule] = []
        self.version = 0
        self.dirty = False
        about = QLabel(self.tr(
            "The brief suggests the purpose and talking points of the first rule, from the "
            "top, whose conditions the customer meets. Sales rules are held back while the "
            "customer has an open complaint or no marketing consent, wherever they stand."))
        about.setWordWrap(True)
        self.note = QLabel(self.tr("Only a supervisor may change the suggestion rules."))
        self.note.setVisible(not self.may_edit)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([
            self.tr("#"), self.tr("On"), self.tr("Name"), self.tr("When"), self.tr("Purpose"),
            self.tr("Talking points")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in (COL_ORDER, COL_ON, COL_PURPOSE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_POINTS, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(COL_NAME, 170)
        # Long texts wrap onto more lines of their row (and are whole in the tooltip); the
        # office-screen check reads this property (tests/ui/fit_check.py).
        self.table.setProperty("elidedColumns", [COL_NAME, COL_WHEN, COL_POINTS])
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemDoubleClicked.connect(lambda _i: self._on_edit_clicked())
        self.add_button = QPushButton(self.tr("&Add…"))
        self.edit_button = QPushButton(self.tr("&Edit…"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.up_button = QPushButton(self.tr("Move &up"))
        self.down_button = QPushButton(self.tr("Move &down"))
        self.defaults_button = QPushButton(self.tr("Built-in rules"))
        self.defaults_button.setToolTip(self.tr(
            "Put the rules Revisit comes with back in place of these (saved only with Save)"))
        self.save_button = QPushButton(self.tr("&Save rules"))
        self.reload_button = QPushButton(self.tr("Re&load"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        for button, slot in ((self.add_button, self._on_add_clicked),
                             (self.edit_button, self._on_edit_clicked),
                             (self.remove_button, self._on_remove_clicked),
                             (self.up_button, lambda: self._move(-1)),
                             (self.down_button, lambda: self._move(1)),
                             (self.defaults_button, self._on_defaults_clicked),
                             (self.save_button, self.save),
                             (self.reload_button, self.reload)):
            button.clicked.connect(slot)
        side = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.up_button,
                       self.down_button, self.defaults_button):
            side.addWidget(button)
            button.setVisible(self.may_edit)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.reload_button)
        bottom.addWidget(self.status, 1)
        self.save_button.setVisible(self.may_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.note)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        runner.data_changed.connect(self._on_data_changed)
        self._on_selection_changed()
        self.reload()

    # --- reading ---------------------------------------------------------------------------
    def reload(self) -> None:
        self.runner.run(lambda _p, _c: suggest.load_rules(self.database.sessions),
                        on_done=self._loaded, latest="suggestion-rules", parent_widget=self,
                        label=self.tr("Loading suggestion rules"))

    def _loaded(self, rules: RuleSet) -> None:
        self.rules, self.version = list(rules.rules), rules.version
        self._set_dirty(False)
        self.status.setText(self.tr(
            "The stored rules could not be read; the built-in rules are in use.")
            if rules.unreadable else "")
        self._show(0)
        self.loaded.emit()

    def _show(self, select: int | None) -> None:
        lang = language()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rules))
        for row, rule in enumerate(self.rules):
            on = QTableWidgetItem()
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if self.may_edit:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            on.setFlags(flags)
            on.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
            cells = {COL_ORDER: QTableWidgetItem(str(row + 1)), COL_ON: on,
                     COL_NAME: QTableWidgetItem(rule_name(rule.name, lang)),
                     COL_WHEN: QTableWidgetItem(describe_when(rule, lang)),
                     COL_PURPOSE: QTableWidgetItem(label("purpose", rule.purpose)),
                     COL_POINTS: QTableWidgetItem(points_shown(rule_points(rule, lang),
                                                               lang))}
            for col, item in cells.items():
                if col != COL_ON:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    item.setToolTip(item.text())
                if not rule.enabled:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()
        if select is not None and 0 <= select < len(self.rules):
            self.table.selectRow(select)
        self._on_selection_changed()

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _on_selection_changed(self) -> None:
        row = self.selected_row()
        chosen = row >= 0
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
        self.up_button.setEnabled(chosen and row > 0)
        self.down_button.setEnabled(chosen and row < len(self.rules) - 1)

    def _on_data_changed(self, change: DataChange) -> None:
        # Settings saved elsewhere in this window: show the rules as stored now, unless edits
        # are pending here.
        if change.origin != ORIGIN and change.touches("settings") and not self.dirty:
            self.reload()

    # --- editing (in memory until Save) ----------------------------------------------------
    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.save_button.setEnabled(self.may_edit and dirty)
        if dirty:
            self.status.setText(self.tr("Changed; not saved yet."))

    def _replace(self, rules: list[Rule], select: int | None) -> bool:
        """Take `rules` if they pass the service's checks (a name used twice, say)."""
        try:
            validate(tuple(rules))
        except RevisitError as exc:
            QMessageBox.warning(self, self.tr("Suggestion rules"), translate_error(exc))
            return False
        self.rules = rules
        self._show(select)
        self._set_dirty(True)
        return True

    def _ask(self, rule: Rule | None) -> Rule | None:
        dialog = RuleDialog(rule, self)
        return dialog.rule() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _on_add_clicked(self) -> None:
        rule = self._ask(None)
        if rule is not None:
            at = self.selected_row() + 1 if self.selected_row() >= 0 else len(self.rules)
            self._replace([*self.rules[:at], rule, *self.rules[at:]], at)

    def _on_edit_clicked(self) -> None:
        row = self.selected_row()
        if not self.may_edit or row < 0:
            return
        rule = self._ask(self.rules[row])
        if rule is not None:
            self._replace([*self.rules[:row], rule, *self.rules[row + 1:]], row)

    def _on_remove_clicked(self) -> None:
        row = self.selected_row()
        if row < 0:
            return
        answer = QMessageBox.question(self, self.tr("Remove rule"), self.tr(
            "Remove the rule “%1”? Decisions already recorded on it stay.").replace(
            "%1", self.rules[row].name))
        if answer == QMessageBox.StandardButton.Yes:
            self._replace([*self.rules[:row], *self.rules[row + 1:]],
                          min(row, len(self.rules) - 2))

    def _move(self, step: int) -> None:
        row = self.selected_row()
        to = row + step
        if row < 0 or not 0 <= to < len(self.rules):
            return
        rules = list(self.rules)
        rules[row], rules[to] = rules[to], rules[row]
        self._replace(rules, to)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != COL_ON or not self.may_edit:
            return
        row = item.row()
        on = item.checkState() == Qt.CheckState.Checked
        if self.rules[row].enabled != on:
            rule = self.rules[row]
            self._replace([*self.rules[:row], Rule(rule.name, rule.purpose, rule.points,
                                                   rule.when, on), *self.rules[row + 1:]], row)

    def _on_defaults_clicked(self) -> None:
        self._replace(list(DEFAULT_RULES), 0)

    # --- saving ----------------------------------------------------------------------------
    def save(self) -> None:
        rules, version = tuple(self.rules), self.version
        sessions, actor = self.database.sessions, self.actor
        self.runner.run(
            lambda _p, _c: suggest.save_rules(sessions, actor, rules, version),
            on_done=self._on_saved,
            on_failed=stale_edit.on_failed(self, self.reload, self.tr(
                "Reload shows the rules as they are stored now: your changes not saved yet are "
                "dropped. Cancel keeps your changes here, to compare them with theirs first.")),
            parent_widget=self,
            label=self.tr("Saving suggestion rules"),
            write=True,
            changes=dataclasses.replace(changed("settings"), origin=ORIGIN),
            done_notice=self.tr("Suggestion rules saved"),
        )

    def _on_saved(self, rules: RuleSet) -> None:
        self._loaded(rules)
        self.status.setText(self.tr("Saved."))
