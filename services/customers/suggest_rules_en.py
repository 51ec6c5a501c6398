"""The built-in suggestion rules in English: each rule's name and talking points, by its
Chinese name, for a window in English (services/labels.py's way: both languages in the
service, the window picks). A rule a supervisor made or renamed reads as typed; built-in
points read in English only while they are as built in."""

from __future__ import annotations

from services.customers.suggest_rules import DEFAULT_RULES, Rule

# Chinese name -> (English name, English talking points, with the same merge fields).
BUILT_IN_EN: dict[str, tuple[str, str]] = {
    "未解决投诉先关怀": (
        "Open complaint: care first",
        "Apologise first; ask how “{complaint}” (since {complaint_since}) is being handled and "
        "agree when it will be solved; no sales of any kind this time"),
    "满意度低先回访": (
        "Low satisfaction: call back first",
        "Last satisfaction {satisfaction} of 10: listen first to what was wrong (repair "
        "quality, price, speed, reception), note what to improve; no selling this time"),
    "到店后满意度回访": (
        "Satisfaction call after a visit",
        "Came in on {last_visit}: ask whether this service was satisfactory — repair quality, "
        "price, speed, reception"),
    "建议维修项目到期": (
        "Declined repair due",
        "“{declined_item}” due {declined_due}: remind them to come back for it soon; offer to "
        "book a time now"),
    "里程低：保养提醒而非换车": (
        "Low km: maintenance reminder, not replacement",
        "Owned {years_owned} years, about {km} km estimated, about {km_per_year} km a year "
        "since {km_since}, little driving lately: remind of maintenance, ask how the car is "
        "doing, do not offer a replacement"),
    "强意向跟进": (
        "Strong intent: follow up",
        "Strong intent, expects to buy within {intent_window}, budget about {intent_price}, "
        "interested in {intent_models}: invite them for a test drive"),
    "七年以上升级换购": (
        "Over seven years: upgrade",
        "Owned {years_owned} years, satisfaction {satisfaction} of 10, economy up: offer a "
        "model one class above {car} (price paid then {price_paid}); free valuation of the "
        "old car for a trade-in"),
    "六年以上置换": (
        "Over six years: trade-in",
        "Owned {years_owned} years, satisfaction {satisfaction} of 10: ask about plans to "
        "change cars; explain the trade-in bonus and the free valuation of the old car"),
    "保养久逾期挽回": (
        "Maintenance long overdue: win back",
        "{maintenance_car} {maintenance_what} was due {maintenance_due} and they have not been "
        "back for long: ask how the car is, whether it is serviced elsewhere, invite them for "
        "a check; no selling this time"),
    "无保养记录挽回": (
        "No maintenance on record: win back",
        "{no_record_car} has no maintenance on record here (owned {years_owned} years): ask "
        "how the car is and where it is usually serviced, invite them for a check; no "
        "selling this time"),
    "保养到期提醒": (
        "Maintenance due reminder",
        "{maintenance_car} {maintenance_what} due {maintenance_due}: remind them to book; ask "
        "the km since the last service"),
    "保险到期续保": (
        "Insurance renewal",
        "Insurance expires {insurance_expiry}: remind them to renew; a quote can come first"),
    "质保到期推荐延保": (
        "Warranty ending: extended warranty",
        "Warranty ends {warranty_end}: introduce the extended warranty, better value bought "
        "before it ends"),
    "感谢介绍新客户": (
        "Thanks for a referral",
        "Thank them for introducing {last_referral}: ask how that person's car is doing, "
        "mention the referral gift"),
    "满意客户邀请推荐": (
        "Happy customer: ask for a referral",
        "Satisfaction {satisfaction} of 10: invite them to recommend friends and family (老带新), "
        "mention the referral gift"),
    "久未联系关怀": (
        "Not contacted for long: care",
        "Not contacted for {days_since_contact} days: ask how the car is doing, update the km "
        "and contact details"),
    "从未联系关怀": (
        "Never contacted: care",
        "Never contacted: ask how the car is doing, confirm the contact details and a good "
        "time to call"),
}
_BUILT_IN_POINTS = {r.name: r.points for r in DEFAULT_RULES}


def rule_name(name: str, lang: str = "zh") -> str:
    """A rule's name as the window shows it: a built-in rule's in English when `lang` is
    not Chinese; any other name as typed."""
    if lang == "zh" or name not in BUILT_IN_EN:
        return name
    return BUILT_IN_EN[name][0]


def rule_points(rule: Rule, lang: str = "zh") -> str:
    """A rule's talking points as stored, or in English for a built-in rule whose points are
    still the built-in ones (a supervisor's own wording stays as typed)."""
    if lang == "zh" or _BUILT_IN_POINTS.get(rule.name) != rule.points:
        return rule.points
    return BUILT_IN_EN[rule.name][1]


def stored_name(shown: str, original: str) -> str:
    """The name to store for a rule the editor showed as `shown` (its original `original`):
    the original while the shown English name was left as it was."""
    return original if shown == rule_name(original, "en") else shown
