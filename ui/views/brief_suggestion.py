"""The brief's first line: the suggested next step — purpose, rule and talking points, the facts
that triggered it and any rule held back — with Accept, Change… and Dismiss beside it, and what
staff already decided about it today."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from services.customers import suggest_decisions
from services.customers.brief import Brief
from services.customers.suggest import HOLD_TEXTS
from services.customers.suggest_rules import met_texts
from services.customers.suggest_rules_en import rule_name
from services.store.versions import when_text
from ui.labels import joined, label, language

GREEN = "#1b5e20"
BACKGROUND = "#fff8e1"  # the line a caller reads first stands out from the facts below it


def _e(text: object) -> str:
    return html.escape(str(text))


class SuggestionLine(QWidget):
    """The Accept / Change… / Dismiss buttons; shows a brief's suggestion in `value` (a
    rich-text label of the brief's grid, beside them) and asks for a decision: `decide`
    carries ACCEPTED, CHANGED or DISMISSED."""

    decide = Signal(str)

    def __init__(self, value: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = value
        value.setStyleSheet(f"background: {BACKGROUND}; padding: 2px;")
        # Tool buttons: narrower than push buttons, so the suggestion's text gets the width and
        # wraps into fewer lines.
        self.accept_button = QToolButton()
        self.accept_button.setText(self.tr("Accept"))
        self.accept_button.setToolTip(self.tr("Make the call with the suggested purpose"))
        self.change_button = QToolButton()
        self.change_button.setText(self.tr("Change…"))
        self.change_button.setToolTip(self.tr("Make the call with another purpose"))
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText(self.tr("Dismiss"))
        self.dismiss_button.setToolTip(self.tr("Not this time; the decision is kept"))
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(4)
        for button, action in ((self.accept_button, suggest_decisions.ACCEPTED),
                               (self.change_button, suggest_decisions.CHANGED),
                               (self.dismiss_button, suggest_decisions.DISMISSED)):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.clicked.connect(lambda _c=False, a=action: self.decide.emit(a))
            line.addWidget(button)

    def show_brief(self, b: Brief | None) -> None:
        has_one = b is not None and b.suggestion is not None
        for button in (self.accept_button, self.change_button, self.dismiss_button):
            button.setEnabled(has_one)
        self.value.setText("" if b is None else self._text(b))
        s = b.suggestion if b is not None else None
        self.value.setToolTip("" if s is None or not s.also else self.tr(
            "Other rules that fit: %1").replace(
                "%1", joined(rule_name(r, language()) for r in s.also)))

    def _text(self, b: Brief) -> str:
        s = b.suggestion
        if s is None:
            return _e(self.tr("no rule fits this customer now"))
        lang = language()
        head = (f'<b>{_e(label("purpose", s.purpose))}</b> · {_e(rule_name(s.rule, lang))}'
                f'{"：" if lang == "zh" else ": "}{_e(s.points(lang))}')
        if b.decision is not None:
            head += "  " + self._decision(b.decision)
        because = "  ·  ".join(met_texts(((f.condition, f.value) for f in s.facts), lang))
        grey = [self.tr("because: %1").replace("%1", because) if because
                else self.tr("always suggested")]
        if s.held:
            held = joined(f"{rule_name(rule, lang)}（{HOLD_TEXTS[why][0]}）" if lang == "zh"
                          else f"{rule_name(rule, lang)} ({HOLD_TEXTS[why][1]})"
                          for rule, why in s.held)
            grey.append(self.tr("held back: %1").replace("%1", held))
        return f'{head}<br><span style="color:#555">{_e("  ·  ".join(grey))}</span>'

    def _decision(self, d: suggest_decisions.DecisionInfo) -> str:
        who = f"{d.staff} {when_text(d.at)}".strip()
        if d.action == suggest_decisions.DISMISSED:
            text = self.tr("dismissed by %1").replace("%1", who)
            return f'<span style="color:#777">{_e(text)}</span>'
        if d.action == suggest_decisions.CHANGED:
            text = self.tr("changed to %1 by %2").replace(
                "%1", label("purpose", d.chosen)).replace("%2", who)
        else:
            text = self.tr("accepted by %1").replace("%1", who)
        return f'<span style="color:{GREEN}; font-weight:600">✓ {_e(text)}</span>'
