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
