"""Suggestion rules as data a supervisor reads and edits: an ordered list, each rule a name,
conditions on the customer's facts (all must hold), the purpose it proposes and talking points
with merge fields. Validated, read from and written to JSON, described in words, and the
built-in default set."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from models.codes import PURPOSES
from services.customers.suggest_facts import (
    BOOL,
    CODE,
    FACTS,
    MERGE_FIELD,
    NUMBER,
    RENAMED,
    fact_text,
    fact_value_text,
    merge_field_names,
)
from services.labels import text
from services.segments.templates import OVERDUE_DAYS
from services.store.errors import N_, RevisitError

NAME_MAX = 60
POINTS_MAX = 500
RULES_MAX = 60
# Operators by the kind of fact they compare; "unknown" holds when nothing is recorded.
OPS = {
    NUMBER: ("<", "<=", ">", ">=", "=", "!=", "unknown"),
    CODE: ("=", "!=", "in", "unknown"),
    BOOL: ("=",),
}
OP_SIGNS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "=", "!=": "≠"}
# A due date's days below 0 read as days overdue, the comparison turned round: days ≤ -180
# is 逾期 ≥ 180天.
OVERDUE_SIGNS = {"<": ">", "<=": "≥", ">": "<", ">=": "≤", "=": "=", "!=": "≠"}


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    value: object = None  # a number, a code, a list of codes (op "in"), a bool; None for unknown

    def holds(self, facts: dict[str, object]) -> bool:
        value = facts.get(self.fact)
        if self.op == "unknown":
            return value is None
        if value is None:
            return False
        target = self.value
        if self.op == "in":
            return isinstance(target, tuple | list) and value in target
        if self.op == "=":
            return value == target
        if self.op == "!=":
            return value != target
        number, limit = float(value), float(target)  # type: ignore[arg-type]
        return {"<": number < limit, "<=": number <= limit, ">": number > limit,
                ">=": number >= limit}[self.op]

    def as_dict(self) -> dict:
        out: dict = {"fact": self.fact, "op": self.op}
        if self.op != "unknown":
            out["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        return out


@dataclass(frozen=True)
class Rule:
    name: str
    purpose: str
    points: str
    when: tuple[Condition, ...] = ()
    enabled: bool = True

    def matches(self, facts: dict[str, object]) -> bool:
        return all(c.holds(facts) for c in self.when)

    def as_dict(self) -> dict:
        return {"name": self.name, "enabled": self.enabled,
                "when": [c.as_dict() for c in self.when], "purpose": self.purpose,
                "points": self.points}


@dataclass(frozen=True)
class RuleSet:
    """The rules in their order, and the version of the stored setting they were read from
    (0: never saved, the defaults)."""

    rules: tuple[Rule, ...]
    version: int = 0
    # Set when the stored text could not be read: the defaults are used instead.
    unreadable: bool = field(default=False, compare=False)


def _condition(data: object) -> Condition:
    if not isinstance(data, dict):
        raise RevisitError(N_("A rule's condition must name a fact, a comparison and a value."))
    value = data.get("value")
    if isinstance(value, list):
        value = tuple(value)
    fact = str(data.get("fact", ""))
    return Condition(RENAMED.get(fact, fact), str(data.get("op", "")), value)


def _points(stored: str) -> str:
    """Stored talking points with a renamed fact's merge field by its name now, and built-in
    points an earlier version wrote as the built-in rule says them now."""
    points = MERGE_FIELD.sub(lambda m: "{" + RENAMED.get(m[1], m[1]) + "}", stored)
    return OLD_POINTS.get(points, points)


def rule_from(data: object) -> Rule:
    if not isinstance(data, dict):
        raise RevisitError(N_("A suggestion rule must be a name, conditions, a purpose and "
                              "talking points."))
    when = data.get("when") or []
    if not isinstance(when, list):
        raise RevisitError(N_("A rule's conditions must be a list."))
    return _built_in_now(Rule(str(data.get("name", "")).strip(), str(data.get("purpose", "")),
                              _points(str(data.get("points", ""))),
                              tuple(_condition(c) for c in when),
                              bool(data.get("enabled", True))))


def _built_in_now(rule: Rule) -> Rule:
    """A stored copy of a built-in rule (its name and talking points) whose conditions an
    earlier version wrote (OLD_WHEN), with the conditions the built-in rule has now; a rule a
    supervisor changed stays theirs."""
    if (rule.name, rule.when) not in OLD_WHEN:
        return rule
    now = next((r for r in DEFAULT_RULES if r.name == rule.name and r.points == rule.points),
               None)
    return rule if now is None else replace(rule, when=now.when)


def rules_from_json(text_: str) -> tuple[Rule, ...]:
    data = json.loads(text_)
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        raise RevisitError(N_("The suggestion rules must be a list of rules."))
    return validate(tuple(rule_from(r) for r in rules))


def rules_to_json(rules: tuple[Rule, ...]) -> str:
    return json.dumps({"rules": [r.as_dict() for r in rules]}, ensure_ascii=False, indent=1)


def _check_condition(rule: Rule, c: Condition) -> None:
    fact = FACTS.get(c.fact)
    if fact is None:
        raise RevisitError(N_("The rule “{rule}” tests an unknown fact '{fact}'."),
                           rule=rule.name, fact=c.fact)
    if c.op not in OPS[fact.kind]:
        raise RevisitError(N_("The rule “{rule}” compares {fact} with '{op}', which does not "
                              "apply to it."), rule=rule.name, fact=c.fact, op=c.op)
    if c.op == "unknown":
        return
    if fact.kind == NUMBER:
        ok = isinstance(c.value, int | float) and not isinstance(c.value, bool)
    elif fact.kind == BOOL:
        ok = isinstance(c.value, bool)
    elif c.op == "in":
        ok = isinstance(c.value, tuple) and bool(c.value) and all(v in fact.codes
                                                                   for v in c.value)
    else:
        ok = c.value in fact.codes
    if not ok:
        raise RevisitError(N_("The rule “{rule}” compares {fact} with '{value}', which is not "
                              "one of its values."), rule=rule.name, fact=c.fact, value=c.value)


def validate(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The rules as given, or RevisitError saying what is wrong with the first bad one."""
    if len(rules) > RULES_MAX:
        raise RevisitError(N_("At most {most} suggestion rules, not {count}."), most=RULES_MAX,
                           count=len(rules))
    seen: set[str] = set()
    known = set(merge_field_names())
    for rule in rules:
        if not rule.name or len(rule.name) > NAME_MAX:
            raise RevisitError(N_("A suggestion rule needs a name of 1 to {most} characters."),
                               most=NAME_MAX)
        if rule.name in seen:
            raise RevisitError(N_("Two suggestion rules are named “{rule}”; each needs its own "
                                  "name."), rule=rule.name)
        seen.add(rule.name)
        if rule.purpose not in PURPOSES:
            raise RevisitError(N_("The rule “{rule}” proposes an unknown purpose '{purpose}'."),
                               rule=rule.name, purpose=rule.purpose)
        if not rule.points.strip() or len(rule.points) > POINTS_MAX:
            raise RevisitError(N_("The rule “{rule}” needs talking points of 1 to {most} "
                                  "characters."), rule=rule.name, most=POINTS_MAX)
        unknown = sorted(set(MERGE_FIELD.findall(rule.points)) - known)
        if unknown:
            raise RevisitError(N_("The rule “{rule}” names unknown merge fields: {fields}."),
                               rule=rule.name, fields=", ".join("{" + f + "}" for f in unknown))
        for c in rule.when:
            _check_condition(rule, c)
    return rules


def condition_test(c: Condition, lang: str = "zh") -> str:
    """What a condition asks of its fact, without the fact's name: ≥ 7年, = 上升, 无记录."""
    fact = FACTS.get(c.fact)
    if fact is None:
        return c.op
    if c.op == "unknown":
        return "无记录" if lang == "zh" else "none recorded"
    if c.op == "in":
        values = [fact_value_text(fact, v, lang) for v in (c.value or ())]  # type: ignore[attr-defined]
        return ("∈ " + "、".join(values)) if lang == "zh" else ("one of " + ", ".join(values))
    if fact.due and isinstance(c.value, (int, float)) and c.value < 0:
        days = fact_value_text(fact, -c.value, lang)
        sign = OVERDUE_SIGNS[c.op]
        return f"逾期 {sign} {days}天" if lang == "zh" else f"{sign} {days} days overdue"
    return f"{OP_SIGNS[c.op]} {fact_text(fact, c.value, lang)}"


def met_text(c: Condition, value: object, lang: str = "zh") -> str:
    """A fact a suggestion was made on, with the customer's value and, where it says more than
    the value, the condition it met: 购车年限 7.4年 (≥ 7年); 经济状况走向 上升."""
    return met_texts([(c, value)], lang)[0]


def met_texts(met: Iterable[tuple[Condition, object]], lang: str = "zh") -> list[str]:
    """met_text of each (condition, value), a fact two conditions bound said once with both:
    距质保到期 56天 (≥ 0天，≤ 60天), not the fact and its value twice over."""
    said: list[tuple[str, str, list[str]]] = []  # (fact, the fact and its value, tests)
    for c, value in met:
        fact = FACTS.get(c.fact)
        if fact is None:
            said.append((c.fact, c.fact, []))
            continue
        shown = f"{fact.label(lang)} {fact_text(fact, value, lang)}"
        if c.op == "=" and fact.kind in (CODE, BOOL):
            said.append((c.fact, shown, []))
        elif said and said[-1][0] == c.fact and said[-1][2]:
            said[-1][2].append(condition_test(c, lang))
        else:
            said.append((c.fact, shown, [condition_test(c, lang)]))
    joint = "，" if lang == "zh" else ", "
    return [f"{shown} ({joint.join(tests)})" if tests else shown for _, shown, tests in said]


def describe_condition(c: Condition, lang: str = "zh") -> str:
    """One condition in words: 购车年限 ≥ 7年 / Years owned ≥ 7 years."""
    fact = FACTS.get(c.fact)
    if fact is None:
        return c.fact
    name = fact.label(lang)
    if c.op == "unknown":
        return f"{name}：无记录" if lang == "zh" else f"{name}: none recorded"
    if c.op == "in":
        values = [fact_value_text(fact, v, lang) for v in (c.value or ())]  # type: ignore[attr-defined]
        if lang == "zh":
            return f"{name}为{'、'.join(values)}之一"
        return f"{name} is one of {', '.join(values)}"
    if fact.kind == BOOL:
        if lang == "zh":
            return name if c.value else f"非{name}"
        return name if c.value else f"not {name[0].lower()}{name[1:]}"
    return f"{name} {condition_test(c, lang)}"


def describe_when(rule: Rule, lang: str = "zh") -> str:
    """A rule's conditions in words, joined by 且 / and; "always" with none."""
    if not rule.when:
        return "总是" if lang == "zh" else "always"
    joiner = " 且 " if lang == "zh" else " and "
    return joiner.join(describe_condition(c, lang) for c in rule.when)


def purpose_text(code: str, lang: str = "zh") -> str:
    return text("purpose", code, lang)


def _c(fact: str, op: str, value: object = None) -> Condition:
    return Condition(fact, op, value)


# The built-in set, first match wins (a sales rule is held back while the customer has an open
# complaint, whatever its place; services/customers/suggest.py). The order follows the seed
# articles: care before anything when the customer is unhappy; a car that is hardly driven gets
# a maintenance reminder, not a replacement offer; money going up after seven years, one class
# up; reminders of what is due before general offers.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("未解决投诉先关怀", "care",
         "先致歉，询问「{complaint}」（{complaint_since} 起）的处理进展，约定解决时间；本次不谈"
         "任何销售",
         (_c("open_complaints", ">=", 1),)),
    Rule("满意度低先回访", "callback",
         "上次满意度 {satisfaction} 分：先倾听不满之处（维修质量、价格、速度、接待态度），记录"
         "改进；本次不推销",
         (_c("satisfaction", "<=", 6),)),
    Rule("到店后满意度回访", "callback",
         "{last_visit} 刚到店：回访这次服务是否满意，问维修质量、价格、速度、接待态度",
         (_c("days_since_visit", "<=", 7),)),
    Rule("建议维修项目到期", "reminder",
         "「{declined_item}」{declined_due} 到期：提醒尽快回厂处理，可直接预约时间",
         (_c("declined_due_days", "<=", 14),)),
    Rule("里程低：保养提醒而非换车", "reminder",
         # Both figures of the one km line, the rate with the day it is counted from: 104,000
         # km after 8 years is no "仅约 … 车况尚新" when the last year read only 6,000.
         "购车 {years_owned} 年，估算约 {km} 公里，{km_since} 以来每年约 {km_per_year} 公里，"
         "近来用车少：做保养提醒、关心用车，不主动推荐换车",
         # The recent rate and the whole time owned both low: one quiet year of a car driven
         # 13,000 km a year before is no car hardly driven.
         (_c("years_owned", ">=", 5), _c("km_per_year", "<=", 10000),
          _c("km_per_year_owned", "<=", 10000))),
    Rule("强意向跟进", "sales",
         "意向强，预计{intent_window}内购车，预算约 {intent_price}，关注 {intent_models}：邀约"
         "到店试驾",
         (_c("intent", "=", "strong"),)),
    Rule("七年以上升级换购", "sales",
         "购车 {years_owned} 年，满意度 {satisfaction} 分，经济状况上升：推荐比 {car} 高一级的"
         "车型（当年购车价 {price_paid}），旧车可免费评估置换",
         (_c("years_owned", ">=", 7), _c("satisfaction", ">=", 9), _c("economy", "=", "up"))),
    Rule("六年以上置换", "sales",
         "购车 {years_owned} 年，满意度 {satisfaction} 分：了解换车打算，介绍置换补贴和旧车"
         "免费评估",
         (_c("years_owned", ">=", 6), _c("satisfaction", ">=", 7))),
    # Half a year or more past due, most likely serviced elsewhere since (or never back): a
    # win-back call about the car, not a reminder to book (as the reminder lists' talking
    # points say it; their window ends OVERDUE_DAYS past due).
    Rule("保养久逾期挽回", "care",
         "{maintenance_car} {maintenance_what} {maintenance_due} 到期，已久未回店：先问车况、是否"
         "在别处保养，邀请回店检查；本次不推销",
         (_c("maintenance_due_days", "<=", -OVERDUE_DAYS),)),
    # No maintenance on record long after the 首保 (an owner imported with no service
    # history): most likely serviced elsewhere; the same win-back call, said as it is.
    Rule("无保养记录挽回", "care",
         "{no_record_car} 本店无保养记录（购车 {years_owned} 年）：先问车况、平时在哪里保养，邀请"
         "回店检查；本次不推销",
         (_c("maintenance_no_record", "=", True),)),
    Rule("保养到期提醒", "reminder",
         "{maintenance_car} {maintenance_what}到期 {maintenance_due}：提醒预约，报上次保养后的里程",
         (_c("maintenance_due_days", "<=", 14),)),
    Rule("保险到期续保", "reminder",
         "保险 {insurance_expiry} 到期：提醒续保，可先报价",
         (_c("insurance_days", ">=", 0), _c("insurance_days", "<=", 45))),
    Rule("质保到期推荐延保", "sales",
         "质保 {warranty_end} 到期：介绍延保，到期前购买更划算",
         (_c("warranty_days", ">=", 0), _c("warranty_days", "<=", 60))),
    Rule("感谢介绍新客户", "ref_thanks",
         "感谢介绍 {last_referral}：问对方用车情况，告知推荐礼",
         (_c("days_since_referral", "<=", 60),)),
    Rule("满意客户邀请推荐", "ref_ask",
         "满意度 {satisfaction} 分：邀请推荐亲友来店（老带新），介绍推荐礼",
         (_c("satisfaction", ">=", 9), _c("days_since_contact", ">=", 90))),
    Rule("久未联系关怀", "care",
         "已 {days_since_contact} 天未联系：问候用车情况，更新里程和联系方式",
         (_c("days_since_contact", ">=", 180),)),
    Rule("从未联系关怀", "care",
         "从未联系过：问候用车情况，确认联系方式和方便接听的时间",
         (_c("days_since_contact", "unknown"),)),
)

# Built-in talking points as earlier versions wrote them (renamed facts renamed), by the rule
# that has them now: a stored copy of the defaults says 公里 as the brief does, not km.
OLD_POINTS = {old: next(r.points for r in DEFAULT_RULES if r.name == name) for name, old in (
    ("里程低：保养提醒而非换车",
     "购车 {years_owned} 年，估算仅约 {km} km（每年约 {km_per_year} km），车况尚新：做保养提醒、"
     "关心用车，不主动推荐换车"),
    ("里程低：保养提醒而非换车",
     "购车 {years_owned} 年，估算仅约 {km} 公里（每年约 {km_per_year} 公里），车况尚新：做"
     "保养提醒、关心用车，不主动推荐换车"),
)}
# Built-in conditions as earlier versions wrote them, by rule: the low-km reminder tested the
# recent km rate alone.
OLD_WHEN = {
    ("里程低：保养提醒而非换车", (Condition("years_owned", ">=", 5),
                                  Condition("km_per_year", "<=", 10000))),
}
