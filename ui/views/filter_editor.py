"""Editing a segment filter: a tree of AND / OR groups, NOT and conditions, and a form for the
selected condition (field from the catalog, operator, value, parameters). The filter is kept as
the plain data of docs/segments.md and validated by the segment service on every change."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.segments.catalog import FIELDS, GROUPS
from services.segments.labels import SAT_LABELS, STAGE_LABELS
from ui.labels import label
from ui.widgets import date_edit

OP_LABELS = {
    "=": "=",
    "!=": "≠",
    "<": "<",
    "<=": "≤",
    ">": ">",
    ">=": "≥",
    "between": QT_TRANSLATE_NOOP("FilterEditor", "between"),
    "contains": QT_TRANSLATE_NOOP("FilterEditor", "contains"),
    "starts_with": QT_TRANSLATE_NOOP("FilterEditor", "starts with"),
    "in": QT_TRANSLATE_NOOP("FilterEditor", "is one of"),
    "not_in": QT_TRANSLATE_NOOP("FilterEditor", "is none of"),
    "is_null": QT_TRANSLATE_NOOP("FilterEditor", "is unknown"),
    "not_null": QT_TRANSLATE_NOOP("FilterEditor", "is known"),
    "due_within": QT_TRANSLATE_NOOP("FilterEditor", "falls due within (days)"),
    "within_last": QT_TRANSLATE_NOOP("FilterEditor", "within the last (days)"),
    "has_any": QT_TRANSLATE_NOOP("FilterEditor", "has any of"),
    "has_all": QT_TRANSLATE_NOOP("FilterEditor", "has all of"),
    "has_none": QT_TRANSLATE_NOOP("FilterEditor", "has none of"),
}


def op_label(op: str) -> str:
    return QCoreApplication.translate("FilterEditor", OP_LABELS.get(op, op))


# Code vocabularies in ui/labels.py that a field's codes are labelled with.
CODE_KINDS = {
    "gender": "gender",
    "payment_method": "payment_method",
    "preferred_channel": "channel",
    "preferred_days": "preferred_days",
    "intent_strength": "intent_strength",
    "intent_window": "intent_window",
    "referred_by": "referrer_kind",
    "trend_since_purchase": "trend",
    "trend_over_months": "trend",
    "rfm_class": "rfm_class",
}

# The vocabulary of each coded parameter (services/segments/catalog.py Param keys).
PARAM_KINDS = {
    "attribute": "attribute",
    "channel": "channel",
    "purpose": "purpose",
    "outcome": "outcome",
    "result": "contact_result",
    "made_by": "made_by",
    "mode": "rfm_thresholds",
    "purchase_kind": "purchase_kind",
}


def chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


def field_label(key: str) -> str:
    f = FIELDS[key]
    if key.startswith("profile."):
        return f"{'画像' if chinese() else 'Profile'}: {label('attribute', key[8:])}"
    return f.zh if chinese() else f.en


def code_label(field_key: str, code: str) -> str:
    if field_key == "satisfaction_band":
        return SAT_LABELS[code][0 if chinese() else 1]
    if field_key == "lifecycle_stage":
        return STAGE_LABELS.get(code, (code, code))[0 if chinese() else 1]
    if field_key.startswith("profile."):
        return label(field_key[8:], code)
    kind = CODE_KINDS.get(field_key)
    return label(kind, code) if kind else code


# The parameter naming a staff member by account id (0: anyone), shown by name when known.
STAFF_PARAM = "staff"
# The field holding the account id of a customer's owner, chosen by name when the staff are
# known: staff know each other by name, not by account number.
OWNER_FIELD = "owner_staff_id"
BY_NAME_OPS = ("=", "!=")


class Number(QDoubleSpinBox):
    """A number box that shows a whole number without ".0" (100000 km, not 100000.0)."""

    def textFromValue(self, value: float) -> str:
        return f"{value:.0f}" if value == int(value) else super().textFromValue(value)


def staff_label() -> str:
    """The staff parameter's name when it is chosen by name."""
    return "员工" if chinese() else "Staff member"


def param_text(key: str, value: Any, staff: dict[int, str] | None = None) -> str:
    if key == STAFF_PARAM and staff is not None and value in staff:
        return staff[value]
    kind = PARAM_KINDS.get(key)
    return label(kind, str(value)) if kind else str(value)


def describe(node: dict | None, staff: dict[int, str] | None = None) -> str:
    """One line for a tree row, e.g. 购车年限（年） ≥ 5."""
    if node is None:
        return ""
    if "and" in node or "or" in node:
        return "AND" if "and" in node else "OR"
    if "not" in node:
        return "NOT"
    f = node.get("field")
    if f not in FIELDS:
        return str(node)
    op = op_label(node.get("op"))
    value = node.get("value")
    if isinstance(value, list):
        shown = ", ".join(code_label(f, str(v)) for v in value)
        if node.get("op") == "between":
            shown = " – ".join(str(v) for v in value)
    elif value is None:
        shown = ""
    elif isinstance(value, bool):
        shown = "✓" if value else "✗"
    else:
        shown = code_label(f, str(value)) if FIELDS[f].type == "code" else str(value)
    name = field_label(f)
    if f == OWNER_FIELD and staff is not None and node.get("op") in BY_NAME_OPS:
        shown = staff.get(value, shown) if isinstance(value, int) else shown
    params = node.get("params") or {}
    names = {p.key: p.zh if chinese() else p.en for p in FIELDS[f].params}
    if staff is not None and STAFF_PARAM in names:  # a name, not "Staff id (0 = anyone)"
        names[STAFF_PARAM] = staff_label()
    open_, comma, colon, close = ("（", "，", "：", "）") if chinese() else (" (", ", ", ": ", ")")
    extra = (open_ + comma.join(f"{names.get(k, k)}{colon}{param_text(k, v, staff)}"
                                for k, v in params.items()) + close) if params else ""
    return f"{name} {op} {shown}{extra}".strip()


class ValueEditor(QStackedWidget):
    """The value input that suits the field's type and the operator."""

    changed = Signal()

    def __init__(self, tags: list[str], parent=None,
                 staff: dict[int, str] | None = None) -> None:
        """`staff`: account id → name, to choose an owner by name."""
        super().__init__(parent)
        self._tags = tags
        self._staff = staff
        self.none = QLabel("")
        self.number = Number()
        self.number.setRange(-1e12, 1e12)
        self.number.setDecimals(1)
        self.number2 = Number()
        self.number2.setRange(-1e12, 1e12)
        self.number2.setDecimals(1)
        self.days = QSpinBox()
        self.days.setRange(0, 3650)
        self.text = QLineEdit()
        self.date, self.date2 = date_edit(), date_edit()
        self.choice = QComboBox()
        self.many = QListWidget()
        self.many.setMaximumHeight(130)
        self._number_pair, self._number_dash = _range_pair(self.number, self.number2)
        self._date_pair, self._date_dash = _range_pair(self.date, self.date2)
        for w in (self.none, self._number_pair, self.days, self.text, self._date_pair,
                  self.choice, self.many):
            self.addWidget(w)
        for signal in (
            self.number.valueChanged,
            self.number2.valueChanged,
            self.days.valueChanged,
            self.text.textChanged,
            self.date.dateChanged,
            self.date2.dateChanged,
            self.choice.currentIndexChanged,
            self.many.itemChanged,
        ):
            signal.connect(self.changed)
        self._field = ""
        self._op = ""
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def sizeHint(self):
        return self.currentWidget().sizeHint()

    def minimumSizeHint(self):
        return self.currentWidget().minimumSizeHint()

    def configure(self, field_key: str, op: str, value: Any) -> None:
        """Show the right input for (field, operator) and put `value` in it."""
        self.blockSignals(True)
        f = FIELDS[field_key]
        self._field, self._op = field_key, op
        for w in (self.number2, self.date2, self._number_dash, self._date_dash):
            w.setVisible(op == "between")
        if op in ("is_null", "not_null"):
            self.setCurrentWidget(self.none)
        elif op in ("due_within", "within_last"):
            self.days.setValue(int(value) if isinstance(value, int | float) else 30)
            self.setCurrentWidget(self.days)
        elif field_key == OWNER_FIELD and self._staff and op in BY_NAME_OPS:
            self.choice.clear()
            for staff_id, name in self._staff.items():
                self.choice.addItem(name, staff_id)
            if isinstance(value, int) and self.choice.findData(value) < 0:
                self.choice.addItem(f"#{value}", value)  # an account no longer listed
            self.choice.setCurrentIndex(max(0, self.choice.findData(value)))
            self.setCurrentWidget(self.choice)
        elif f.type == "number":
            low, high = value if isinstance(value, list) else [value, value]
            self.number.setValue(float(low or 0))
            self.number2.setValue(float(high or 0))
            self.setCurrentWidget(self._number_pair)
        elif f.type == "date":
            low, high = value if isinstance(value, list) else [value, value]
            for edit, v in ((self.date, low), (self.date2, high)):
                if isinstance(v, str):
                    edit.setDate(QDate.fromString(v, "yyyy-MM-dd"))
            self.setCurrentWidget(self._date_pair)
        elif f.type == "bool":
            self.choice.clear()
            self.choice.addItem(self.tr("yes"), True)
            self.choice.addItem(self.tr("no"), False)
            self.choice.setCurrentIndex(0 if value is not False else 1)
            self.setCurrentWidget(self.choice)
        elif f.type in ("code", "tags") and op in (
            "in",
            "not_in",
            "has_any",
            "has_all",
            "has_none",
        ):
            self.many.clear()
            chosen = set(value or [])
            for code in (f.choices or ()) if f.type == "code" else self._tags:
                item = QListWidgetItem(code_label(field_key, code))
                item.setData(Qt.ItemDataRole.UserRole, code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked
                )
                self.many.addItem(item)
            self.setCurrentWidget(self.many)
        elif f.type == "code" and f.choices:
            self.choice.clear()
            for code in f.choices:
                self.choice.addItem(code_label(field_key, code), code)
            self.choice.setCurrentIndex(max(0, self.choice.findData(value)))
            self.setCurrentWidget(self.choice)
        else:
            self.text.setText(", ".join(value) if isinstance(value, list) else (value or ""))
            self.setCurrentWidget(self.text)
        self.blockSignals(False)

    def value(self) -> Any:
        f = FIELDS[self._field]
        op = self._op
        current = self.currentWidget()
        if current is self.none:
            return None
        if current is self.days:
            return self.days.value()
        if current is self._number_pair:
            a, b = self.number.value(), self.number2.value()
            a, b = (int(a) if a == int(a) else a), (int(b) if b == int(b) else b)
            return [a, b] if op == "between" else a
        if current is self._date_pair:
            a = self.date.date().toString("yyyy-MM-dd")
            b = self.date2.date().toString("yyyy-MM-dd")
            return [a, b] if op == "between" else a
        if current is self.many:
            return [
                self.many.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.many.count())
                if self.many.item(i).checkState() == Qt.CheckState.Checked
            ]
        if current is self.choice:
            return self.choice.currentData()
        text = self.text.text().strip()
        if op in ("in", "not_in") or f.type == "tags":
            return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]
        return text


class FilterEditor(QWidget):
    """Edits a filter's plain data; `changed` carries the new data after every edit."""

    changed = Signal(object)

    def __init__(self, tags: list[str] | None = None, parent=None,
                 staff: dict[int, str] | None = None) -> None:
        """`staff`: account id → name, for conditions about one staff member's contacts
        (chosen by name; without it the id is typed)."""
        super().__init__(parent)
        self._staff = None if staff is None else {0: self.tr("anyone"), **staff}
        self._data: dict = {"version": 1, "where": {"and": []}}
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        self.add_condition = QPushButton(self.tr("+ &Condition"))
        self.add_group = QPushButton(self.tr("+ &Group"))
        self.toggle_kind = QPushButton(self.tr("AND ↔ OR"))
        self.negate = QPushButton(self.tr("&NOT"))
        self.remove = QPushButton(self.tr("&Remove"))
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setToolTip(self.tr("Undo the last change to the conditions (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.undo)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, self.redo)
        self._undo: list[dict] = []
        self._redo: list[dict] = []
        self._last: dict = {}
        self.add_condition.clicked.connect(self._on_add_condition)
        self.add_group.clicked.connect(self._on_add_group)
        self.toggle_kind.clicked.connect(self._on_toggle_kind)
        self.negate.clicked.connect(self._on_negate)
        self.remove.clicked.connect(self._on_remove)
        self.field = QComboBox()
        self.field.setMaxVisibleItems(25)
        for group_key, (zh, en) in GROUPS.items():
            keys = [k for k, f in FIELDS.items() if f.group == group_key]
            if not keys:
                continue
            self.field.addItem(f"— {zh if chinese() else en} —", None)
            index = self.field.count() - 1
            self.field.model().item(index).setEnabled(False)
            for key in keys:
                self.field.addItem(field_label(key), key)
        # As wide as 20 characters (an English field's name took 312 px and widened the whole
        # window); its list opens as wide as the longest name.
        self.field.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.field.setMinimumContentsLength(20)
        self.field.view().setMinimumWidth(self.field.view().sizeHintForColumn(0) + 24)
        self.op = QComboBox()
        self.value = ValueEditor(tags or [], staff=staff)
        self.params = QWidget()
        self._param_form = QFormLayout(self.params)
        self._param_widgets: dict[str, QWidget] = {}
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.addRow(self.tr("&Field"), self.field)
        form.addRow(self.tr("&Operator"), self.op)
        form.addRow(self.tr("&Value"), self.value)
        form.addRow(self.params)
        self.field.currentIndexChanged.connect(self._on_field_changed)
        self.op.currentIndexChanged.connect(self._on_op_changed)
        self.value.changed.connect(self._on_value_changed)
        # Two rows of three: in one row the six took 516 px and widened the window past a
        # 1093 px screen (1366 at 125 %).
        buttons = QGridLayout()
        for n, b in enumerate((self.add_condition, self.add_group, self.toggle_kind,
                               self.negate, self.remove, self.undo_button)):
            buttons.addWidget(b, n // 3, n % 3)
        buttons.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.form)
        self.set_data(self._data)

    # --- the data ------------------------------------------------------------------------
    def data(self) -> dict:
        return copy.deepcopy(self._data)

    def set_data(self, data: dict) -> None:
        data = copy.deepcopy(data)
        where = data.get("where")
        if where is None or not ({"and", "or"} & set(where)):
            data["where"] = {"and": [] if where is None else [where]}
        self._data = data
        self._undo.clear()
        self._redo.clear()
        self._last = copy.deepcopy(data)
        self.undo_button.setEnabled(False)
        self._rebuild()

    def _remember(self) -> None:
        """Called after every edit: the state before it goes on the undo stack."""
        if self._last != self._data:
            self._undo.append(self._last)
            self._redo.clear()
            self._last = copy.deepcopy(self._data)
        self.undo_button.setEnabled(bool(self._undo))

    def _restore(self, state: dict) -> None:
        self._data = copy.deepcopy(state)
        self._last = copy.deepcopy(state)
        self.undo_button.setEnabled(bool(self._undo))
        self._rebuild(())
        self.changed.emit(self.data())

    def undo(self) -> None:
        if self._undo:
            self._redo.append(copy.deepcopy(self._data))
            self._restore(self._undo.pop())

    def redo(self) -> None:
        if self._redo:
            self._undo.append(copy.deepcopy(self._data))
            self._restore(self._redo.pop())

    def _rebuild(self, select_path: tuple[int, ...] | None = None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        root = self._item_for(self._data["where"], ())
        self.tree.addTopLevelItem(root)
        self.tree.expandAll()
        self.tree.blockSignals(False)
        target = self._find(select_path) if select_path is not None else None
        self.tree.setCurrentItem(target or root)
        self._on_current_changed(self.tree.currentItem(), None)

    def _item_for(self, node: dict, path: tuple[int, ...]) -> QTreeWidgetItem:
        item = QTreeWidgetItem([describe(node, self._staff)])
        item.setData(0, Qt.ItemDataRole.UserRole, path)
        if "and" in node or "or" in node:
            kind = "and" if "and" in node else "or"
            item.setText(
                0, self.tr("All of these (AND)") if kind == "and" else self.tr("Any of these (OR)")
            )
            for i, child in enumerate(node[kind]):
                item.addChild(self._item_for(child, (*path, i)))
        elif "not" in node:
            item.setText(0, self.tr("NOT"))
            item.addChild(self._item_for(node["not"], (*path, 0)))
        return item

    def _find(self, path: tuple[int, ...]) -> QTreeWidgetItem | None:
        item = self.tree.topLevelItem(0)
        for i in path:
            if item is None or i >= item.childCount():
                return None
            item = item.child(i)
        return item

    def _node(self, path: tuple[int, ...]) -> dict:
        node = self._data["where"]
        for i in path:
            node = node["not"] if "not" in node else node["and" if "and" in node else "or"][i]
        return node

    def _children(self, node: dict) -> list | None:
        for kind in ("and", "or"):
            if kind in node:
                return node[kind]
        return None

    def _current_path(self) -> tuple[int, ...]:
        item = self.tree.currentItem()
        return tuple(item.data(0, Qt.ItemDataRole.UserRole)) if item else ()

    def _emit(self, select_path: tuple[int, ...] | None = None) -> None:
        self._remember()
        self._rebuild(select_path if select_path is not None else self._current_path())
        self.changed.emit(self.data())

    # --- structure edits -----------------------------------------------------------------
    def _target_group(self) -> tuple[tuple[int, ...], list]:
        """The group a new node goes into: the selected group, or the selected node's group."""
        path = self._current_path()
        while True:
            children = self._children(self._node(path))
            if children is not None:
                return path, children
            path = path[:-1]

    def _on_add_condition(self) -> None:
        path, children = self._target_group()
        children.append({"field": "years_since_purchase", "op": ">=", "value": 5})
        self._emit((*path, len(children) - 1))

    def _on_add_group(self) -> None:
        path, children = self._target_group()
        children.append({"or": [{"field": "years_since_purchase", "op": ">=", "value": 5}]})
        self._emit((*path, len(children) - 1, 0))

    def _on_toggle_kind(self) -> None:
        path, _children = self._target_group()
        node = self._node(path)
        kind = "and" if "and" in node else "or"
        node["or" if kind == "and" else "and"] = node.pop(kind)
        self._emit(path)

    def _replace(self, path: tuple[int, ...], new: dict) -> None:
        if not path:
            self._data["where"] = new
            return
        parent = self._node(path[:-1])
        if "not" in parent:
            parent["not"] = new
        else:
            self._children(parent)[path[-1]] = new

    def _on_negate(self) -> None:
        path = self._current_path()
        if not path:
            return
        node = self._node(path)
        self._replace(path, node["not"] if "not" in node else {"not": node})
        self._emit(path)

    def _on_remove(self) -> None:
        path = self._current_path()
        if not path:
            self._data["where"] = {"and": []}
            self._emit(())
            return
        parent = self._node(path[:-1])
        if "not" in parent:
            self._replace(path[:-1], {"and": []})
        else:
            del self._children(parent)[path[-1]]
        self._emit(path[:-1])

    # --- the condition form --------------------------------------------------------------
    def _on_current_changed(self, current, _previous) -> None:
        path = self._current_path()
        node = self._node(path) if current is not None else None
        is_condition = node is not None and "field" in node
        self.form.setEnabled(is_condition)
        self.negate.setEnabled(bool(path))
        self._loading = True
        if not is_condition:
            # A group or nothing chosen: empty boxes, not the last condition's (it may have
            # been removed).
            self.field.setCurrentIndex(-1)
            self.op.clear()
            self.value.setCurrentWidget(self.value.none)
            self._fill_params("", {})
            self._loading = False
            return
        self.field.setCurrentIndex(max(0, self.field.findData(node["field"])))
        self._fill_ops(node["field"], node.get("op"))
        self.value.configure(node["field"], node["op"], node.get("value"))
        self._fill_params(node["field"], node.get("params") or {})
        self._loading = False

    def _fill_ops(self, field_key: str, op: str | None) -> None:
        self.op.blockSignals(True)
        self.op.clear()
        for code in FIELDS[field_key].operators:
            self.op.addItem(op_label(code), code)
        self.op.setCurrentIndex(max(0, self.op.findData(op)))
        self.op.blockSignals(False)

    def _fill_params(self, field_key: str, values: dict) -> None:
        while self._param_form.rowCount():
            self._param_form.removeRow(0)
        self._param_widgets.clear()
        for p in FIELDS[field_key].params if field_key else ():
            current = values.get(p.key, p.default)
            if p.key == STAFF_PARAM and self._staff is not None:
                w = QComboBox()
                for staff_id, name in self._staff.items():
                    w.addItem(name, staff_id)
                if w.findData(current or 0) < 0:  # an account no longer listed: kept as is
                    w.addItem(str(current), current)
                w.setCurrentIndex(max(0, w.findData(current or 0)))
                w.currentIndexChanged.connect(self._on_value_changed)
            elif p.type == "code":
                w = QComboBox()
                w.addItem(self.tr("any"), None)
                for c in p.choices or ():
                    w.addItem(param_text(p.key, c), c)
                w.setCurrentIndex(max(0, w.findData(current)))
                w.currentIndexChanged.connect(self._on_value_changed)
            else:
                w = Number() if p.type == "number" else QSpinBox()
                w.setRange(int(p.minimum or 0), int(min(p.maximum or 10**9, 10**9)))
                w.setValue(current or 0)
                w.valueChanged.connect(self._on_value_changed)
            by_name = p.key == STAFF_PARAM and self._staff is not None
            self._param_form.addRow(staff_label() if by_name else p.zh if chinese() else p.en, w)
            self._param_widgets[p.key] = w

    def _on_field_changed(self) -> None:
        if getattr(self, "_loading", False) or self.field.currentData() is None:
            return
        key = self.field.currentData()
        node = {"field": key, "op": first_op(key)}
        self._fill_ops(key, node["op"])
        self.value.configure(key, node["op"], None)
        node["value"] = self.value.value()
        self._fill_params(key, {})
        self._store(node)

    def _on_op_changed(self) -> None:
        if getattr(self, "_loading", False):
            return
        node = dict(self._node(self._current_path()))
        node["op"] = self.op.currentData()
        self.value.configure(node["field"], node["op"], node.get("value"))
        node["value"] = self.value.value()
        self._store(node)

    def _on_value_changed(self) -> None:
        if getattr(self, "_loading", False):
            return
        node = dict(self._node(self._current_path()))
        node["value"] = self.value.value()
        params = {}
        for key, w in self._param_widgets.items():
            v = w.currentData() if isinstance(w, QComboBox) else w.value()
            if v is not None:
                params[key] = v
        if params:
            node["params"] = params
        else:
            node.pop("params", None)
        self._store(node)

    def _store(self, node: dict) -> None:
        if node.get("value") is None:
            node.pop("value", None)
        path = self._current_path()
        self._replace(path, node)
        item = self.tree.currentItem()
        if item is not None:
            item.setText(0, describe(node, self._staff))
        self._remember()
        self.changed.emit(self.data())


def first_op(field_key: str) -> str:
    """The operator a condition starts with when its field is chosen. A number that measures
    something (km, years, yuan, days, a score, a count) is asked about as "at least" (≥), as a
    new condition's years since purchase is; one that names something (an account id) as "=".
    Other types start with their first operator."""
    f = FIELDS[field_key]
    if f.type == "number" and not field_key.endswith("_id") and ">=" in f.operators:
        return ">="
    return f.operators[0]


def today_qdate() -> QDate:
    t = dt.date.today()
    return QDate(t.year, t.month, t.day)


def _range_pair(first: QWidget, second: QWidget) -> tuple[QWidget, QLabel]:
    """`first – second` in one row (the dash and `second` are hidden unless a range is asked)."""
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 0, 0)
    dash = QLabel("–")
    for w in (first, dash, second):
        row.addWidget(w)
    return pair, dash
