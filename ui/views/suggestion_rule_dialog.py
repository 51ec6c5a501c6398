"""Edit one suggestion rule: its name, whether it is on, the conditions on the customer's facts
(each a fact, a comparison and a value, all of which must hold), the purpose it proposes and
the talking points with merge fields; the conditions read back in words as they are built."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.codes import PURPOSES
from services.customers.suggest import check_rule
from services.customers.suggest_facts import (
    BOOL,
    CODE,
    FACTS,
    FIELDS,
    fact_value_text,
    points_shown,
    points_typed,
)
from services.customers.suggest_rules import NAME_MAX, OPS, Condition, Rule, describe_when
from services.customers.suggest_rules_en import rule_name, rule_points, stored_name
from services.store.errors import RevisitError
from ui.i18n import translate_error
from ui.labels import joined, label, language

NUMBER_PAGE, CODE_PAGE, BOOL_PAGE, CODES_PAGE, NOTHING_PAGE = range(5)


class ConditionRow(QWidget):
    """One condition: fact, comparison, value (a number, a code, several codes, yes or no)."""

    def __init__(self, condition: Condition | None, on_change, on_remove, parent=None) -> None:
        super().__init__(parent)
        lang = language()
        self.fact = QComboBox()
        for key, fact in FACTS.items():
            hint = fact.hint(lang)
            self.fact.addItem(fact.label(lang) + (f"（{hint}）" if hint and lang == "zh"
                                                  else f" ({hint})" if hint else ""), key)
        self.op = QComboBox()
        self.number = QDoubleSpinBox()
        self.number.setRange(-100_000_000, 100_000_000)
        self.number.setDecimals(1)
        self.code = QComboBox()
        self.flag = QComboBox()
        self.flag.addItem(self.tr("yes"), True)
        self.flag.addItem(self.tr("no"), False)
        self.codes = QToolButton()
        self.codes.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.codes.setMenu(QMenu(self.codes))
        self.value = QStackedWidget()
        for widget in (self.number, self.code, self.flag, self.codes, QLabel()):
            self.value.addWidget(widget)
        remove = QPushButton(self.tr("Remove"))
        remove.setAutoDefault(False)
        remove.clicked.connect(lambda: on_remove(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.fact, 3)
        row.addWidget(self.op, 1)
        row.addWidget(self.value, 2)
        row.addWidget(remove)
        self.fact.currentIndexChanged.connect(self._on_fact_changed)
        self.op.currentIndexChanged.connect(self._on_op_changed)
        self._on_fact_changed()
        if condition is not None:
            self._show(condition)
        for signal in (self.fact.currentIndexChanged, self.op.currentIndexChanged,
                       self.number.valueChanged, self.code.currentIndexChanged,
                       self.flag.currentIndexChanged):
            signal.connect(lambda *_a: on_change())
        self._on_change = on_change

    def _on_fact_changed(self) -> None:
        fact = FACTS[self.fact.currentData()]
        lang = language()
        self.op.blockSignals(True)
        self.op.clear()
        for op in OPS[fact.kind]:
            self.op.addItem({"unknown": self.tr("none recorded"), "in": self.tr("one of"),
                             "<=": "≤", ">=": "≥", "!=": "≠"}.get(op, op), op)
        self.op.blockSignals(False)
        self.code.clear()
        self.codes.menu().clear()
        for code in fact.codes:
            self.code.addItem(fact_value_text(fact, code, lang), code)
            action = QAction(fact_value_text(fact, code, lang), self.codes)
            action.setCheckable(True)
            action.setData(code)
            action.toggled.connect(lambda _on: self._on_codes_toggled())
            self.codes.menu().addAction(action)
        self.number.setSuffix(f" {fact.unit(lang)}" if fact.unit(lang) else "")
        self._on_op_changed()

    def _on_op_changed(self) -> None:
        fact = FACTS[self.fact.currentData()]
        op = self.op.currentData()
        if op == "unknown":
            page = NOTHING_PAGE
        elif fact.kind == BOOL:
            page = BOOL_PAGE
        elif fact.kind == CODE:
            page = CODES_PAGE if op == "in" else CODE_PAGE
        else:
            page = NUMBER_PAGE
        self.value.setCurrentIndex(page)
        self._on_codes_toggled()

    def _on_codes_toggled(self) -> None:
        chosen = [a.text() for a in self.codes.menu().actions() if a.isChecked()]
        self.codes.setText(joined(chosen) or self.tr("choose…"))
        if hasattr(self, "_on_change"):
            self._on_change()

    def _show(self, c: Condition) -> None:
        index = self.fact.findData(c.fact)
        if index < 0:
            return
        self.fact.setCurrentIndex(index)
        self.op.setCurrentIndex(max(0, self.op.findData(c.op)))
        if isinstance(c.value, bool):
            self.flag.setCurrentIndex(self.flag.findData(c.value))
        elif isinstance(c.value, int | float):
            self.number.setValue(float(c.value))
        elif isinstance(c.value, tuple | list):
            for action in self.codes.menu().actions():
                action.setChecked(action.data() in c.value)
        elif c.value is not None:
            self.code.setCurrentIndex(max(0, self.code.findData(c.value)))

    def condition(self) -> Condition:
        fact = FACTS[self.fact.currentData()]
        op = self.op.currentData()
        value: object = None
        page = self.value.currentIndex()
        if page == NUMBER_PAGE:
            number = self.number.value()
            value = int(number) if number.is_integer() else number
        elif page == CODE_PAGE:
            value = self.code.currentData()
        elif page == BOOL_PAGE:
            value = self.flag.currentData()
        elif page == CODES_PAGE:
            value = tuple(a.data() for a in self.codes.menu().actions() if a.isChecked())
        return Condition(fact.key, op, value)


class RuleDialog(QDialog):
    """`rule()`: the rule as edited; OK only when the service's checks pass."""

    def __init__(self, rule: Rule | None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Suggestion rule"))
        lang = language()
        # A built-in rule's name and points in the window's language; stored as they were
        # while left as shown (rule()), so an English window does not rename the rule.
        self._original = rule
        self.name = QLineEdit(rule_name(rule.name, lang) if rule else "")
        self.name.setMaxLength(NAME_MAX)
        self.enabled = QCheckBox(self.tr("On"))
        self.enabled.setChecked(rule.enabled if rule else True)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.enabled)
        self.rows: list[ConditionRow] = []
        self.conditions = QVBoxLayout()
        self.conditions.setContentsMargins(0, 0, 0, 0)
        add = QPushButton(self.tr("Add condition"))
        add.setAutoDefault(False)
        add.clicked.connect(lambda: self._add_row(None))
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setStyleSheet("color: #555;")
        self.purpose = QComboBox()
        for code in PURPOSES:
            self.purpose.addItem(label("purpose", code), code)
        if rule is not None:
            self.purpose.setCurrentIndex(max(0, self.purpose.findData(rule.purpose)))
        self._points_shown = points_shown(rule_points(rule, lang), lang) if rule else ""
        self.points = QPlainTextEdit(self._points_shown)
        self.points.setTabChangesFocus(True)
        self.points.setMaximumHeight(90)
        self.field = QComboBox()
        self.field.addItem(self.tr("Insert a merge field…"), None)
        # In Chinese a field is inserted, shown and typed by its name ({购车年限}).
        for key, (zh, en) in FIELDS.items():
            self.field.addItem(f"{{{zh}}}" if lang == "zh" else f"{{{key}}}  {en}", key)
        for key, fact in FACTS.items():
            self.field.addItem(f"{{{fact.label(lang)}}}" if lang == "zh"
                               else f"{{{key}}}  {fact.label(lang)}", key)
        self.field.activated.connect(self._on_field_activated)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b71c1c;")
        box = QWidget()
        box.setLayout(self.conditions)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        name_label = QLabel(self.tr("&Name"))
        name_label.setBuddy(self.name)
        form.addRow(name_label, name_row)
        form.addRow(self.tr("When (all of)"), box)
        form.addRow("", add)
        form.addRow("", self.words)
        form.addRow(self.tr("&Purpose"), self.purpose)
        form.addRow(self.tr("&Talking points"), self.points)
        form.addRow("", self.field)
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for c in (rule.when if rule else ()):
            self._add_row(c)
        self._on_changed()
        self.setMinimumWidth(720)

    def _add_row(self, condition: Condition | None) -> None:
        row = ConditionRow(condition, self._on_changed, self._remove_row)
        self.rows.append(row)
        self.conditions.addWidget(row)
        self._on_changed()

    def _remove_row(self, row: ConditionRow) -> None:
        self.rows.remove(row)
        self.conditions.removeWidget(row)
        row.deleteLater()
        self._on_changed()

    def _on_changed(self) -> None:
        self.words.setText(self.tr("In words: %1").replace(
            "%1", describe_when(self.rule(), language())))

    def _on_field_activated(self, index: int) -> None:
        key = self.field.itemData(index)
        if key:
            self.points.insertPlainText(points_shown("{" + key + "}", language()))
            self.points.setFocus(Qt.FocusReason.OtherFocusReason)
        self.field.setCurrentIndex(0)

    def rule(self) -> Rule:
        name, points = self.name.text().strip(), self.points.toPlainText().strip()
        if self._original is not None:
            name = stored_name(name, self._original.name)
            if points == self._points_shown.strip():
                points = self._original.points
        return Rule(name, self.purpose.currentData(), points_typed(points),
                    tuple(r.condition() for r in self.rows), self.enabled.isChecked())

    def _on_ok(self) -> None:
        try:
            check_rule(self.rule())
        except RevisitError as exc:
            self.error.setText(translate_error(exc))
            return
        self.accept()

