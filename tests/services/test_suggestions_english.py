"""The built-in suggestion rules read in English in an English window: every name and every
set of talking points has its English, with the same merge fields; a supervisor's own names
and points stay as typed; a suggestion carries its English points, filled in English."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import select

from models import Vehicle
from services.customers import suggest
from services.customers.brief import load_brief
from services.customers.suggest_facts import MERGE_FIELD
from services.customers.suggest_rules import DEFAULT_RULES, Rule
from services.customers.suggest_rules_en import BUILT_IN_EN, rule_name, rule_points, stored_name
from tests.services.test_suggestions import AS_OF, owner


def test_every_built_in_rule_has_its_english_with_the_same_merge_fields():
    assert set(BUILT_IN_EN) == {r.name for r in DEFAULT_RULES}
    names = [en for en, _points in BUILT_IN_EN.values()]
    assert len(set(names)) == len(names)
    for rule in DEFAULT_RULES:
        english = BUILT_IN_EN[rule.name][1]
        assert set(MERGE_FIELD.findall(english)) == set(MERGE_FIELD.findall(rule.points)), \
            rule.name
        # No Chinese left over (but the name of the referral scheme, as staff say it).
        assert not re.search(r"[\u4e00-\u9fff]", english.replace("老带新", "")), rule.name


def test_built_in_names_and_points_read_in_english_and_own_ones_as_typed():
    renewal = next(r for r in DEFAULT_RULES if r.name == "保险到期续保")
    assert rule_name(renewal.name, "en") == "Insurance renewal"
    assert rule_name(renewal.name, "zh") == "保险到期续保"
    assert rule_points(renewal, "en").startswith("Insurance expires {insurance_expiry}")
    assert rule_points(renewal, "zh") == renewal.points
    # Points a supervisor rewrote, and a rule of their own, read as typed.
    rewritten = dataclasses.replace(renewal, points="续保：{insurance_expiry}")
    assert rule_points(rewritten, "en") == "续保：{insurance_expiry}"
    own = Rule("老客户回馈", "care", "问候")
    assert (rule_name(own.name, "en"), rule_points(own, "en")) == ("老客户回馈", "问候")
    # The editor stores the Chinese name while the English one shown was left as it was.
    assert stored_name("Insurance renewal", renewal.name) == renewal.name
    assert stored_name("Renewals", renewal.name) == "Renewals"


def test_a_suggestion_carries_its_points_in_english(database):
    cid = owner(database, "E1", years=3)
    with database.sessions.begin() as s:
        s.scalars(select(Vehicle).where(Vehicle.customer_id == cid)).one().insurance_expiry = \
            dt.date(2026, 12, 10)
    renewal = next(r for r in DEFAULT_RULES if r.name == "保险到期续保")
    brief = load_brief(database.sessions, cid, AS_OF)
    said = suggest.suggest(brief, suggest.RuleSet((renewal,), 1))
    assert said.points("zh") == said.talking_points == "保险 2026-12-10 到期：提醒续保，可先报价"
    assert said.points("en") == ("Insurance expires 2026-12-10: remind them to renew; a quote "
                                 "can come first")
    # Points of the supervisor's own read the same in either language.
    own = dataclasses.replace(renewal, points="续保 {insurance_expiry}")
    said = suggest.suggest(brief, suggest.RuleSet((own,), 1))
    assert said.points("en") == said.points("zh") == "续保 2026-12-10"
