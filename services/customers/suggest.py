"""The suggested next step for one customer now: the first enabled rule whose conditions the
brief's facts meet proposes the purpose and talking points, with the facts that triggered it.

A sales rule (sales, marketing, asking for a referral) is held back while the customer has an
unresolved complaint or no marketing consent, whatever its place in the list: an unhappy
customer gets care, never a sales call (seed 002), and marketing needs consent (PIPL). A rule
whose purpose the customer refused on every channel is held back too. Held rules are named
with the suggestion, so the reason is visible.

The rules are one shared setting (`app_setting` row KEY, JSON), so every PC suggests the same;
without a stored row the built-in defaults apply. A save names the version it started from and
is refused when someone saved since."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import AppSetting
from services.customers.suggest_facts import FACTS, facts_of, merge_values, render
from services.customers.suggest_rules import (
    DEFAULT_RULES,
    Condition,
    Rule,
    RuleSet,
    rules_from_json,
    rules_to_json,
    validate,
)
from services.customers.suggest_rules_en import rule_points
from services.lists.query import DNC_PURPOSES, SALES_PURPOSES
from services.staff.permissions import Actor
from services.store.errors import N_, RevisitError
from services.store.settings import save_json_row

if TYPE_CHECKING:
    from services.customers.brief import Brief

KEY = "brief.suggestion_rules"
RULES_CHANGED = (
    N_("{who} changed the suggestion rules at {when} since you opened them; nothing was "
       "saved. Reload to see their change."),
    N_("The suggestion rules were changed at {when} since you opened them; nothing was saved. "
       "Reload to see the change."),
)
# Why a matching rule was held back.
HOLD_COMPLAINT, HOLD_CONSENT, HOLD_REFUSED = "complaint", "no_consent", "refused"
HOLD_TEXTS = {
    HOLD_COMPLAINT: ("有未解决投诉，暂不销售", "open complaint: no sales"),
    HOLD_CONSENT: ("无营销同意", "no marketing consent"),
    HOLD_REFUSED: ("客户已拒绝此类联系", "the customer refused this kind of contact"),
}


@dataclass(frozen=True)
class FactUsed:
    """A fact a rule tested, the customer's value and the condition it met."""

    fact: str
    value: object
    condition: Condition


@dataclass(frozen=True)
class Suggestion:
    rule: str
    purpose: str  # models/codes.py PURPOSES
    talking_points: str  # merge fields filled in
    facts: tuple[FactUsed, ...]  # what triggered it, in the rule's order
    held: tuple[tuple[str, str], ...] = ()  # (rule, HOLD_*) matching rules held back before it
    also: tuple[str, ...] = ()  # later rules that match too
    rules_version: int = 0
    # The talking points for an English window: a built-in rule's own English points
    # (suggest_rules_en.py) while unchanged, else the same as talking_points.
    talking_points_en: str = ""

    def points(self, lang: str = "zh") -> str:
        return self.talking_points if lang == "zh" else (self.talking_points_en
                                                         or self.talking_points)


def hold_reason(purpose: str, b: Brief) -> str | None:
    """Why a rule proposing `purpose` may not be suggested to the customer of `b`, or None."""
    if purpose in SALES_PURPOSES:
        if b.open_complaints:
            return HOLD_COMPLAINT
        if b.marketing_consent is not True:
            return HOLD_CONSENT
    refused = DNC_PURPOSES.get(purpose, ())
    if any(r.channel is None and (r.purpose is None or r.purpose in refused)
           for r in b.refusals):
        return HOLD_REFUSED
    return None


def chosen_rule(b: Brief, rules: RuleSet) -> Rule | None:
    """The rule `suggest` proposes, without its talking points written out (the call sheet
    prints only the purpose: the points' merge fields took a third of a sheet's briefs)."""
    return _choose(b, rules, facts_of(b))[0]


def _choose(b: Brief, rules: RuleSet, facts: dict[str, object]
            ) -> tuple[Rule | None, list[tuple[str, str]], list[str]]:
    """The first enabled, matching rule not held back; the rules held back before it, with
    why; the other matching rules after it that are not held back."""
    chosen: Rule | None = None
    held: list[tuple[str, str]] = []
    also: list[str] = []
    for rule in rules.rules:
        if not rule.enabled or not rule.matches(facts):
            continue
        reason = hold_reason(rule.purpose, b)
        if chosen is None and reason is not None:
            held.append((rule.name, reason))
        elif chosen is None:
            chosen = rule
        elif reason is None:
            also.append(rule.name)
    return chosen, held, also


def suggest(b: Brief, rules: RuleSet) -> Suggestion | None:
    """The first enabled, matching rule that is not held back, as a suggestion; None when no
    rule fits (the brief then suggests nothing rather than guess)."""
    facts = facts_of(b)
    chosen, held, also = _choose(b, rules, facts)
    if chosen is None:
        return None
    used = tuple(FactUsed(c.fact, facts.get(c.fact), c) for c in chosen.when)
    points = render(chosen.points, merge_values(b, facts))
    english = rule_points(chosen, "en")
    points_en = render(english, merge_values(b, facts, "en")) if english != chosen.points \
        else points
    return Suggestion(chosen.name, chosen.purpose, points, used, tuple(held), tuple(also),
                      rules.version, points_en)


# --- the stored rule set ----------------------------------------------------------------------

def default_rules() -> RuleSet:
    return RuleSet(DEFAULT_RULES, 0)


def _parse(text: str, version: int) -> RuleSet:
    try:
        return RuleSet(rules_from_json(text), version)
    except (ValueError, RevisitError):
        # A row this program cannot read (written by hand, or by a newer version) must not
        # stop every brief from opening: the defaults apply, and the editor says so.
        return RuleSet(DEFAULT_RULES, version, unreadable=True)


def load_rules_in(s: Session) -> RuleSet:
    row = s.execute(select(AppSetting.value, AppSetting.version)
                    .where(AppSetting.key == KEY)).one_or_none()
    return default_rules() if row is None else _parse(row[0], row[1])


def load_rules(sessions: sessionmaker[Session]) -> RuleSet:
    with sessions() as s:
        return load_rules_in(s)


def save_rules(sessions: sessionmaker[Session], actor: Actor | None, rules: tuple[Rule, ...],
               version: int) -> RuleSet:
    """Store the rules (supervisors only) if the stored ones are still at `version` (0 when
    none were saved when the editor opened them); audit-logged with the old and new text."""
    validate(rules)
    text = rules_to_json(rules)
    save_json_row(sessions, actor, KEY, text, version, RULES_CHANGED, "save_suggestion_rules")
    return load_rules(sessions)


def fact_label(key: str, lang: str = "zh") -> str:
    fact = FACTS.get(key)
    return key if fact is None else fact.label(lang)


def check_rule(rule: Rule) -> Rule:
    """One rule checked on its own (the editor's OK button), or RevisitError."""
    validate((rule,))
    return rule

