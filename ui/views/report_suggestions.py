"""The "Suggestion outcomes" tab: for the period's decisions on suggested next steps, per rule
and decision (accepted, changed, dismissed), how many customers, and how many of them were then
reached, came back for service or bought a car within 30 and 90 days
(services/reports/suggestion_effect.py), with a plain note on what the figures can and cannot
say."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from models.suggestion import SUGGESTION_ACTIONS
from services.customers.suggest_rules_en import rule_name
from services.reports import effect
from services.reports.suggestion_effect import MEASURES, WINDOWS, ActionOutcome, SuggestionEffect
from ui.labels import language
from ui.views.customer_page import fill_table, make_table
from ui.views.report_dashboard import percent

# The measures shown, in order: (window, measure).
SHOWN = tuple((w, m) for m in MEASURES for w in WINDOWS)


class SuggestionsTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: SuggestionEffect | None = None
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.table = make_table([self.tr("Rule"), self.tr("Decision"), self.tr("Customers")]
                                + [self._measure_name(w, m) for w, m in SHOWN])
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def _measure_name(self, window: int, measure: str) -> str:
        names = {"reached": self.tr("Reached"), "came_back": self.tr("Came back"),
                 "bought": self.tr("Bought a car")}
        return self.tr("%1, %2 days").replace("%1", names[measure]).replace("%2", str(window))

    def _action_name(self, action: str) -> str:
        return {"accepted": self.tr("Accepted"), "changed": self.tr("Changed"),
                "dismissed": self.tr("Dismissed")}.get(action, action)

    def show_effect(self, data: SuggestionEffect) -> None:
        self.data = data
        locale = QLocale()
        rows: list[list[object]] = []
        for rule in data.rules:
            for action in SUGGESTION_ACTIONS:
                rows.append(self._row(rule_name(rule.rule, language()), action,
                                      rule.of(action)))
        fill_table(self.table, rows)
        totals = {a: sum(r.of(a).customers for r in data.rules) for a in SUGGESTION_ACTIONS}
        self.headline.setText(
            self.tr("Decisions on suggested next steps for %1 – %2: %3 accepted, %4 changed, "
                    "%5 dismissed (customers, once per rule and decision).")
            .replace("%1", data.start.isoformat()).replace("%2", data.end.isoformat())
            .replace("%3", locale.toString(totals["accepted"]))
            .replace("%4", locale.toString(totals["changed"]))
            .replace("%5", locale.toString(totals["dismissed"])))
        self.note.setText(" ".join(self._notes(data)))

    def _row(self, rule: str, action: str, outcome: ActionOutcome) -> list[object]:
        cells: list[object] = [rule, self._action_name(action), outcome.customers]
        for w, m in SHOWN:
            cells.append(f"{percent(outcome.rate(w, m))} ({outcome.count(w, m)})"
                         if outcome.customers else "—")
        return cells

    def _notes(self, data: SuggestionEffect) -> list[str]:
        if not data.rules:
            return [self.tr("No suggestion was accepted, changed or dismissed for a day in "
                            "this period.")]
        notes = []
        missing = [str(w) for w in WINDOWS if w not in data.complete_windows]
        if missing:
            notes.append(self.tr("Not over yet: the %1-day window; later contacts, visits and "
                                 "purchases will still count.").replace("%1", "/".join(missing)))
        small = [o.customers for r in data.rules for _, o in r.actions
                 if 0 < o.customers < effect.MIN_GROUP]
        if small:
            notes.append(self.tr("Rows with fewer than %1 customers say little: one customer "
                                 "more or less moves their rates a lot.")
                         .replace("%1", str(effect.MIN_GROUP)))
        notes.append(self.tr("Staff chose whom to accept and whom to dismiss, so the "
                             "decisions' groups differ from the start: a difference between "
                             "them is a hint, not a proof that the suggestion worked."))
        return notes
