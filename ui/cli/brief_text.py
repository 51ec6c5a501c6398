"""The pre-call brief as `customer brief` prints it: one labelled line per thing, codes in
Chinese as staff read them, dates in ISO form, the suggested next step first; or all of it as
JSON."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from services.customers.brief import Brief
from services.customers.suggest import HOLD_TEXTS
from services.customers.suggest_facts import FACTS
from services.customers.suggest_rules import describe_condition, met_texts
from services.labels import text

WIDTH = 14  # the labels' column


def overdue(days: int) -> str:
    """How long overdue, in the unit a caller says it in: 12 days, 5 months, 7 years."""
    if days <= 90:
        return _counted(days, "day") + " overdue"
    if days <= 730:
        return _counted(days // 30, "month") + " overdue"
    return _counted(days // 365, "year") + " overdue"


def _counted(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _code(kind: str, code: str | None) -> str:
    return text(kind, code, "zh")


def _spend_kind(kind: str) -> str:
    """A spend's kind is a visit type or a purchase kind."""
    visit = _code("visit_type", kind)
    return visit if visit != kind else _code("purchase_kind", kind)


def _money(value) -> str:
    return f"¥{value:,.2f}"


def suggestion(brief: Brief) -> dict[str, Any] | None:
    """The suggested next step for the customer now: the purpose, the rule that proposed it,
    the facts that triggered it (each with the customer's value and the condition it met) and
    the talking points; None when no rule fits."""
    s = brief.suggestion
    if s is None:
        return None
    return {
        "purpose": s.purpose,
        "purpose_label": _code("purpose", s.purpose),
        "rule": s.rule,
        "facts": [{"fact": f.fact, "label": FACTS[f.fact].zh, "value": f.value,
                   "condition": describe_condition(f.condition)} for f in s.facts],
        "talking_points": s.talking_points,
        "held": [{"rule": rule, "reason": why} for rule, why in s.held],
        "also": list(s.also),
        "rules_version": s.rules_version,
    }


def as_json(brief: Brief) -> str:
    data = dataclasses.asdict(brief)
    if brief.referrals is not None:
        data["referrals"].update(count=brief.referrals.count, bought=brief.referrals.bought,
                                 came=brief.referrals.came)
    data["suggestion"] = suggestion(brief)
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _suggestion_lines(b: Brief) -> list[str]:
    s = b.suggestion
    if s is None:
        return ["no rule fits"]
    because = "; ".join(met_texts((f.condition, f.value) for f in s.facts)) or "always"
    out = [f"{_code('purpose', s.purpose)} — {s.rule}: {s.talking_points}",
           f"because {because}"]
    if s.held:
        out.append("held back: " + "; ".join(f"{rule} ({HOLD_TEXTS[why][0]})"
                                             for rule, why in s.held))
    d = b.decision
    if d is not None:
        chosen = f" as {_code('purpose', d.chosen)}" if d.action == "changed" else ""
        out.append(f"{d.action}{chosen} by {d.staff or 'nobody signed in'} "
                   f"({d.at:%Y-%m-%d %H:%M} UTC)")
    return out


def lines(b: Brief) -> list[str]:
    out = [f"{b.code} {b.name}  " + "  ".join(x for x in (
        b.contact_name and f"联系人 {b.contact_name}", _code("gender", b.gender),
        f"{b.age}岁" if b.age is not None else "", b.mobile or "",
        _code("lifecycle_stage", b.stage)) if x) + f"  (as of {b.as_of.isoformat()})"]

    def add(label: str, value: object) -> None:
        out.append(f"{label + ':':<{WIDTH}} {value or '-'}")

    first, *more = _suggestion_lines(b)
    add("suggested", first)
    out += [f"{'':<{WIDTH}} {line}" for line in more]

    c = b.last_contact
    if c is not None:
        said = f' — "{c.feedback}"' if c.feedback else ""
        add("last contact", f"{c.at:%Y-%m-%d} {_code('channel', c.channel)} "
            f"{_code('purpose', c.purpose)} {_code('outcome', c.outcome)} {c.staff or ''}"
            f" ({_ago(b.days_since_contact or 0)}){said}")
    else:
        add("last contact", "never")
    s = b.last_spend
    add("last spend", s and f"{s.date} {_money(s.amount)} {_spend_kind(s.kind)}")
    v = b.last_survey
    add("satisfaction", v and f"{v.date} {v.overall}/10" + (
        f" (trend {' → '.join(map(str, b.survey_trend))})" if len(b.survey_trend) > 1 else "")
        + (f' — "{v.comment}"' if v.comment else ""))
    add("since the car", "; ".join(
        f"{_code('attribute', t.attribute)} {_code(t.attribute, t.before)} → "
        f"{_code(t.attribute, t.now)}{' ' + t.direction if t.direction in ('up', 'down') else ''}"
        f" (since {t.since})" if t.direction != "same" else
        f"{_code('attribute', t.attribute)} {_code(t.attribute, t.now)}" for t in b.trends))
    add("money/person", "; ".join(f"{_code('attribute', a)} {_code(a, v)} ({since})"
                                  for a, v, since in b.kept))
    for car in b.cars:
        bits = [car.name if car.active else f"earlier: {car.name}"]
        if car.bought:
            bits.append(f"bought {car.bought} ({car.years:.1f} years)")
        if car.km is not None:
            since = f" since {car.km_since}" if car.km_since is not None else ""
            per = f" ({car.km_per_year:,} km/yr{since})" if car.km_per_year is not None else ""
            bits.append(f"about {car.km:,} km{per}")
        if car.price_paid is not None:
            bits.append(f"{_money(car.price_paid)} {_code('payment_method', car.payment)}")
        add("car", ", ".join(bits))
    add("complaints", "; ".join(f"OPEN since {x.opened}: {x.topic}" for x in b.open_complaints)
        or f"none open ({b.resolved_complaints} resolved)")
    i = b.intent
    add("intent", i and ", ".join([str(i.date)] + [f"{what} {x}" for what, x in (
        ("interest", _code("intent_strength", i.strength)),
        ("buying", _code("intent_window", i.window)),
        ("budget", _money(i.expected_price) if i.expected_price is not None else ""),
        ("models", i.models or "")) if x]))
    add("reach", _reach(b))
    add("note", b.note and " / ".join(b.note.splitlines()))
    add("referrals", _referrals(b))
    for m in b.maintenance:
        if m.due is not None:
            days = (m.due - b.as_of).days
            when = overdue(-days) if days < 0 else f"in {days} days"
            if m.told:
                when = f"as told at the last service, {when}"
            kind = ("first service (首保)" if m.first_service else
                    "maintenance (none on record: by the regular interval)" if m.no_record
                    else "maintenance")
            add("due", f"{m.name}: {kind} {m.due} ({when})")
    for d in b.declined:
        due = (f" due {d.due_on}" if d.due_on and d.due_given
               else f" due about {d.due_on} (a month after it was advised)" if d.due_on
               else "")
        add("declined", f"#{d.id} {d.item}{due} (noted {d.recorded_on}"
            + (f", {d.vehicle}" if d.vehicle else "") + ")")
    return out


def _reach(b: Brief) -> str:
    parts = []
    p = b.preferences
    if p is not None:
        parts.append(" > ".join(_code("channel", c) for c in p.channel_order))
        if p.hour_from is not None:
            parts.append(f"{p.hour_from}:00–{p.hour_to}:00")
        else:
            parts.append("、".join(x for x in [_code("preferred_days", p.preferred_days)]
                                   + [_code("time_window", w) for w in p.time_windows] if x))
    parts.append({True: "marketing consent given", False: "no marketing consent",
                  None: "marketing consent not asked"}[b.marketing_consent])
    for r in b.refusals:
        what = "/".join(x for x in (_code("channel", r.channel), _code("purpose", r.purpose))
                        if x) or "all"
        parts.append(f"do not contact: {what} ({r.set_on})")
    return "; ".join(parts)


def _referrals(b: Brief) -> str:
    r = b.referrals
    if r is None:
        return ""
    parts = [f"introduced by {_code('referrer_kind', x.kind)} {x.referrer_name}"
             + (f" ({x.referrer_code})" if x.referrer_code else "") + f" on {x.referred_on}"
             for x in r.introduced_by]
    if r.introduced:
        names = ", ".join(
            f"{x.introduced_name} ({x.introduced_code}, introduced {x.referred_on}"
            + (f", bought {x.bought_on}" if x.bought_on else "")
            + (f", came {x.came_on}" if x.came_on and not x.bought_on else "") + ")"
            for x in r.introduced)
        parts.append(f"introduced {r.count}, {r.bought} bought, {r.came} came for service: "
                     f"{names}")
    return "; ".join(parts)


def _ago(days: int) -> str:
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
