"""A new condition on a number starts with the operator staff mean: "at least" for a measure."""

from __future__ import annotations

from PySide6.QtCore import Qt

from services.segments import spec
from services.segments.catalog import FIELDS
from ui.views.filter_editor import FilterEditor

NUMBER_FIELDS = [key for key, f in FIELDS.items() if f.type == "number"]


def _new_condition_on(qtbot, editor: FilterEditor, field_key: str) -> dict:
    qtbot.mouseClick(editor.add_condition, Qt.MouseButton.LeftButton)
    if editor.field.currentData() == field_key:  # what a new condition starts with
        return editor.data()["where"]["and"][-1]
    with qtbot.waitSignal(editor.changed) as changed:
        editor.field.setCurrentIndex(editor.field.findData(field_key))
    return changed.args[0]["where"]["and"][-1]


def test_a_new_estimated_km_condition_means_at_least(qtbot):
    editor = FilterEditor([])
    qtbot.addWidget(editor)
    node = _new_condition_on(qtbot, editor, "estimated_km")
    assert node["field"] == "estimated_km"
    assert node["op"] == ">="
    assert editor.op.currentData() == ">=" and editor.op.currentText() == "≥"
    assert "≥" in editor.tree.currentItem().text(0)
    spec.parse(editor.data())  # a filter the segment service takes as it is


def test_every_measured_number_starts_at_least_and_an_id_at_equals(qtbot):
    """km, years, yuan, days, scores and counts: "≥"; the owner's account id: "="."""
    editor = FilterEditor([])
    qtbot.addWidget(editor)
    ops = {key: _new_condition_on(qtbot, editor, key)["op"] for key in NUMBER_FIELDS}
    assert ops.pop("owner_staff_id") == "="
    assert set(ops.values()) == {">="}, ops
    assert len(ops) >= 20
    spec.parse(editor.data())


def test_other_types_keep_their_first_operator(qtbot):
    editor = FilterEditor([])
    qtbot.addWidget(editor)
    for key in ("gender", "brand", "insurance_expiry", "birthday"):
        assert _new_condition_on(qtbot, editor, key)["op"] == FIELDS[key].operators[0]
