"""A condition's parameters read in words, in the tree and in their boxes, never as codes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox

from services.segments.catalog import FIELDS
from ui.views.filter_editor import FilterEditor

NODE = {"field": "contact_date", "op": "within_days", "value": 30,
        "params": {"channel": "phone", "outcome": "reached", "result": "attempt"}}


@pytest.fixture(params=["zh", "en"])
def language(request):
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China)
                       if request.param == "zh" else
                       QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield request.param
    QLocale.setDefault(before)


def test_parameters_show_their_labels(qtbot, language):
    editor = FilterEditor([])
    qtbot.addWidget(editor)
    node = dict(NODE)
    node["op"] = FIELDS["contact_date"].operators[0]
    editor.set_data({"version": 1, "where": {"and": [node]}})
    item = editor.tree.topLevelItem(0).child(0)
    shown = item.text(0)
    words = {"zh": ("渠道：电话", "结果：接通"), "en": ("Channel: Phone", "Outcome: Reached")}
    for word in words[language]:
        assert word in shown
    assert "phone" not in shown and "reached" not in shown
    editor.tree.setCurrentItem(item)
    boxes = {key: w for key, w in editor._param_widgets.items() if isinstance(w, QComboBox)}
    channel = boxes["channel"]
    assert channel.currentData() == "phone"
    assert channel.currentText() == ("电话" if language == "zh" else "Phone")
    assert all(boxes["outcome"].itemText(i) != boxes["outcome"].itemData(i)
               for i in range(1, boxes["outcome"].count()))


def test_a_staff_member_is_chosen_and_shown_by_name(qtbot):
    """Conditions on one staff member's contacts: a list of names, the account id stored."""
    editor = FilterEditor([], staff={7: "陈丽", 9: "刘洋"})
    qtbot.addWidget(editor)
    node = {"field": "contact_date", "op": FIELDS["contact_date"].operators[0], "value": 30,
            "params": {"staff": 9}}
    editor.set_data({"version": 1, "where": {"and": [node]}})
    item = editor.tree.topLevelItem(0).child(0)
    assert "刘洋" in item.text(0)
    assert "：9" not in item.text(0) and ": 9" not in item.text(0)
    assert "0 =" not in item.text(0)  # named by a name, not as an id with 0 for anyone
    editor.tree.setCurrentItem(item)
    box = editor._param_widgets["staff"]
    assert isinstance(box, QComboBox)
    assert box.currentText() == "刘洋"
    assert [box.itemData(i) for i in range(box.count())] == [0, 7, 9]
    with qtbot.waitSignal(editor.changed) as changed:
        box.setCurrentIndex(box.findData(7))
    stored = changed.args[0]["where"]["and"][0]
    assert stored["params"]["staff"] == 7
    assert "陈丽" in editor.tree.currentItem().text(0)


def test_a_customers_owner_is_chosen_and_shown_by_name(qtbot, language):
    """Staff pick a colleague by name; the account id is what the filter stores."""
    editor = FilterEditor([], staff={7: "陈丽", 9: "刘洋"})
    qtbot.addWidget(editor)
    editor.add_condition.click()
    editor.field.setCurrentIndex(editor.field.findData("owner_staff_id"))
    assert editor.op.currentData() == "="
    box = editor.value.choice
    assert editor.value.currentWidget() is box
    assert [box.itemText(i) for i in range(box.count())] == ["陈丽", "刘洋"]
    with qtbot.waitSignal(editor.changed) as changed:
        box.setCurrentIndex(box.findData(9))
    assert changed.args[0]["where"]["and"][0] == {"field": "owner_staff_id", "op": "=",
                                                  "value": 9}
    owner = {"zh": "负责员工", "en": "Staff in charge"}[language]
    assert editor.tree.currentItem().text(0) == f"{owner} = 刘洋"
    # One name for the field in the list it is chosen from and in the rule tree.
    assert editor.field.currentText() == owner
    # An account no longer listed keeps its number; a range is typed as numbers.
    editor.set_data({"version": 1, "where": {"and": [
        {"field": "owner_staff_id", "op": "=", "value": 12}]}})
    editor.tree.setCurrentItem(editor.tree.topLevelItem(0).child(0))
    assert box.currentText() == "#12" and box.currentData() == 12
    editor.op.setCurrentIndex(editor.op.findData(">="))
    assert editor.value.currentWidget() is not box


def test_a_whole_number_reads_without_a_decimal(qtbot):
    editor = FilterEditor([])
    qtbot.addWidget(editor)
    node = {"field": "estimated_km", "op": ">=", "value": 100000}
    editor.set_data({"version": 1, "where": {"and": [node, dict(node, value=2.5)]}})
    group = editor.tree.topLevelItem(0)
    editor.tree.setCurrentItem(group.child(0))
    assert editor.value.number.text() == "100000"  # not 100000.0
    editor.tree.setCurrentItem(group.child(1))
    assert editor.value.number.text() == "2.5"
    assert editor.value.value() == 2.5


def test_a_list_reads_as_the_window_language_lists(language):
    from ui.labels import joined

    assert joined(["电话", "短信", "邮寄"]) == ("电话、短信、邮寄" if language == "zh"
                                               else "电话, 短信, 邮寄")


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_every_coded_fields_values_are_said_in_words(translated):
    """A coded field's values are shown in the window's language, never as their codes
    (画像趋势 had offered up / down / same / changed in Chinese)."""
    from services.segments.catalog import FIELDS
    from ui.views.filter_editor import code_label

    coded = [(key, c) for key, f in FIELDS.items() if f.type == "code" and f.choices
             for c in f.choices]
    assert len(coded) > 20
    said = {(key, c): code_label(key, c) for key, c in coded}
    # A number is its own word (the economic band 1–5).
    assert not [k for k, words in said.items() if words == k[1] and not k[1].isdigit()]


def test_with_a_group_chosen_the_boxes_show_no_condition(qtbot):
    """A removed condition does not linger in the (disabled) boxes below the tree."""
    editor = FilterEditor([])
    qtbot.addWidget(editor)
    editor.add_condition.click()
    editor.field.setCurrentIndex(editor.field.findData("years_since_purchase"))
    assert editor.field.currentText() and editor.op.count()
    editor.remove.click()
    assert editor.data()["where"] == {"and": []}
    assert not editor.form.isEnabled()
    assert (editor.field.currentText(), editor.op.count()) == ("", 0)
    assert editor.value.currentWidget() is editor.value.none and not editor._param_widgets
