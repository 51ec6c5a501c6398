"""Suggestion rule names in the window's language: the built-in rules read in English in an
English window and in Chinese in a Chinese one, a supervisor's own rule as typed; editing a
built-in rule in English keeps its stored (Chinese) name and points unless they were changed."""

from __future__ import annotations

import dataclasses

import pytest

from services.customers import suggest
from services.customers.suggest_rules import DEFAULT_RULES, Rule
from tests.ui.conftest import shut_down
from ui.tasks import TaskRunner
from ui.views.suggestion_rule_dialog import RuleDialog
from ui.views.suggestion_rules_panel import COL_NAME, COL_POINTS, SuggestionRulesPanel

RENEWAL = next(r for r in DEFAULT_RULES if r.name == "保险到期续保")
OWN = Rule("老客户回馈", "care", "问候老客户")


@pytest.mark.parametrize(("translated", "name", "points"), [
    ("zh_CN", "保险到期续保", "保险 {保险到期日} 到期"),
    ("en", "Insurance renewal", "Insurance expires {insurance_expiry}"),
], indirect=["translated"])
def test_built_in_rules_read_in_the_windows_language_own_ones_as_typed(
        qtbot, database, supervisor, translated, name, points):
    suggest.save_rules(database.sessions, supervisor, (RENEWAL, OWN), 0)
    runner = TaskRunner()
    panel = SuggestionRulesPanel(database, runner, supervisor)
    panel.show()
    try:
        qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10000)
        assert panel.table.item(0, COL_NAME).text() == name
        assert panel.table.item(0, COL_POINTS).text().startswith(points)
        assert panel.table.item(1, COL_NAME).text() == "老客户回馈"
        assert panel.table.item(1, COL_POINTS).text() == "问候老客户"
    finally:
        shut_down(panel, runner)


@pytest.mark.parametrize("translated", ["en"], indirect=True)
def test_editing_a_built_in_rule_in_english_keeps_what_was_not_changed(qtbot, translated):
    dialog = RuleDialog(RENEWAL)
    qtbot.addWidget(dialog)
    assert dialog.name.text() == "Insurance renewal"
    assert dialog.points.toPlainText().startswith("Insurance expires {insurance_expiry}")
    assert dialog.rule() == RENEWAL  # stored as it was: the Chinese name and points
    dialog.points.setPlainText("Call about the renewal, {insurance_expiry}")
    assert dialog.rule() == dataclasses.replace(
        RENEWAL, points="Call about the renewal, {insurance_expiry}")
    dialog.name.setText("Renewals")
    assert dialog.rule().name == "Renewals"  # renamed: the supervisor's own name now
