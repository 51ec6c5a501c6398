"""The facts about one customer that suggestion rules test, read from the pre-call brief, with
their names in Chinese and English; and the merge fields a rule's talking points can name."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.labels import text

if TYPE_CHECKING:
    from services.customers.brief import Brief, CarLine

NUMBER, CODE, BOOL = "number", "code", "bool"
DIRECTIONS = ("up", "down", "same")
DIRECTION_LABELS = {"up": ("上升", "up"), "down": ("下降", "down"), "same": ("不变", "same")}
FAMILY = ("marital_status", "household")
WORK = ("occupation", "employment", "car_payer")
UNKNOWN_VALUE = "—"  # a merge field with nothing known, in the talking points
# Facts no longer offered, by the fact a stored rule testing them tests now: a km per year
# "since bought" (estimated km ÷ years owned) said another figure than the brief's car line
# beside it (每年 9,213 公里 there, 每年约 9,881 km in the talking points), where km per year is
# the estimated km's own line (DOMAIN.md).
RENAMED = {"avg_km_per_year": "km_per_year"}


@dataclass(frozen=True)
class Fact:
    key: str
    kind: str  # NUMBER, CODE or BOOL
    zh: str
    en: str
    unit_zh: str = ""
    unit_en: str = ""
    codes: tuple[str, ...] = ()  # a CODE fact's values
    vocabulary: str = ""  # where a CODE fact's values are labelled (services/labels.py)
    hint_zh: str = ""  # what the editor adds to the name when choosing a fact
    hint_en: str = ""
    due: bool = False  # days until a date: a negative value reads "overdue"

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def unit(self, lang: str) -> str:
        return self.unit_zh if lang == "zh" else self.unit_en

    def hint(self, lang: str) -> str:
        return self.hint_zh if lang == "zh" else self.hint_en


def _days(key: str, zh: str, en: str, *, due: bool = False) -> Fact:
    """A number of days; `due`: days until a date, negative once it has passed."""
    if due:
        return Fact(key, NUMBER, zh, en, "天", "days", hint_zh="负数为已逾期",
                    hint_en="below 0: overdue", due=True)
    return Fact(key, NUMBER, zh, en, "天", "days")


def _since_car(key: str, kind: str, zh: str, en: str, **more) -> Fact:
    return Fact(key, kind, zh, en, hint_zh="与购车时相比",
                hint_en="compared with when the car was bought", **more)
FACTS: dict[str, Fact] = {f.key: f for f in (
    Fact("years_owned", NUMBER, "购车年限", "Years owned", "年", "years"),
    # In Chinese 公里, as the brief's car line beside the suggestion says it.
    Fact("km", NUMBER, "估算里程", "Estimated km", "公里", "km"),
    Fact("km_per_year", NUMBER, "年均里程", "Km per year", "公里", "km",
         hint_zh="与估算里程同一条连线", hint_en="the estimated km's line"),
    # The whole time owned, beside the line's recent rate: a car driven 13,000 km a year for
    # 7 years and 6,000 in the year last read is not a car hardly driven.
    Fact("km_per_year_owned", NUMBER, "购车以来年均里程", "Km per year since bought", "公里",
         "km", hint_zh="估算里程 ÷ 购车年限", hint_en="the estimated km ÷ years owned"),
    Fact("satisfaction", NUMBER, "最近满意度", "Latest satisfaction", "分", "of 10"),
    Fact("satisfaction_trend", CODE, "满意度走向", "Satisfaction trend", codes=DIRECTIONS,
         vocabulary="direction"),
    _since_car("economy", CODE, "经济状况走向", "Economy", codes=DIRECTIONS,
               vocabulary="direction"),
    Fact("economic_band", NUMBER, "经济状况档", "Economic band", "档", ""),
    _since_car("family_changed", BOOL, "家庭有变化", "Family changed"),
    _since_car("work_changed", BOOL, "工作有变化", "Work changed"),
    Fact("open_complaints", NUMBER, "未解决投诉", "Open complaints", "件", ""),
    _days("days_since_contact", "距上次联系", "Days since contact"),
    _days("days_since_visit", "距上次到店", "Days since a service visit"),
    _days("days_since_spend", "距上次消费", "Days since a spend"),
    _days("maintenance_due_days", "距保养到期", "Days to maintenance due", due=True),
    # A car still owned with no maintenance visit on record long after its 首保
    # (services/segments/maintenance.py no_record): serviced elsewhere, or lost.
    Fact("maintenance_no_record", BOOL, "无保养记录", "No maintenance on record",
         hint_zh="首保到期一年多仍无保养记录", hint_en="none since the first service fell due "
         "over a year ago"),
    Fact("open_declined", NUMBER, "未完成建议维修项", "Open declined repairs", "项", ""),
    _days("declined_due_days", "距建议维修到期", "Days to a declined repair's due date",
          due=True),
    _days("insurance_days", "距保险到期", "Days to insurance expiry", due=True),
    _days("warranty_days", "距质保到期", "Days to warranty end", due=True),
    Fact("intent", CODE, "购车意向", "Purchase intent", codes=("strong", "medium", "weak"),
         vocabulary="intent_strength"),
    Fact("intent_window", CODE, "预计购车时间", "Expected purchase window",
         codes=("1w", "2w", "1m", "2m", "later"), vocabulary="intent_window"),
    Fact("referrals_made", NUMBER, "介绍人数", "People introduced", "人", ""),
    Fact("referrals_bought", NUMBER, "介绍成交人数", "Introduced who bought", "人", ""),
    _days("days_since_referral", "距最近一次介绍", "Days since they introduced someone"),
    Fact("marketing_ok", BOOL, "可做营销", "Marketing allowed",
         hint_zh="已同意营销且未拒绝", hint_en="consent given, no refusal"),
    Fact("temperament", CODE, "性格", "Temperament",
         codes=("frugal_careful", "car_lover", "impulsive", "steady"), vocabulary="temperament"),
    Fact("stage", CODE, "客户阶段", "Lifecycle stage",
         codes=("stranger", "potential", "intent", "first_purchase", "repeat", "super"),
         vocabulary="lifecycle_stage"),
    Fact("age", NUMBER, "年龄", "Age", "岁", ""),
)}

# Merge fields a talking point can name besides the facts: {name}, {car}, …
FIELDS: dict[str, tuple[str, str]] = {
    "name": ("客户姓名", "customer's name"),
    "car": ("现用车辆", "the car in use"),
    "price_paid": ("当年购车价", "price paid then"),
    "complaint": ("未解决投诉的事由", "what the open complaint is about"),
    "complaint_since": ("投诉日期", "when the complaint was opened"),
    "maintenance_due": ("保养到期日", "maintenance due date"),
    "maintenance_car": ("保养到期的车辆", "the car that is due"),
    "maintenance_what": ("首保或保养", "first service or maintenance"),
    "no_record_car": ("无保养记录的车辆", "the car with no maintenance on record"),
    "declined_item": ("建议维修项目", "the declined repair"),
    "declined_due": ("建议维修到期日", "its due date"),
    "insurance_expiry": ("保险到期日", "insurance expiry"),
    "warranty_end": ("质保到期日", "warranty end"),
    "intent_models": ("意向车型", "models of interest"),
    "intent_price": ("意向价格", "expected price"),
    "last_visit": ("上次到店日期", "last service visit"),
    # The day the km line starts (brief.py km_line): the km per year is counted from it.
    "km_since": ("年均里程起算日", "when the km per year is counted from"),
    "last_referral": ("最近介绍的人", "the person they last introduced"),
}
# {maintenance_what}: a first service, maintenance with none on record here, maintenance.
MAINTENANCE_WHAT = (("首保", "保养（本店无保养记录）", "保养"),
                    ("first service", "maintenance (none on record here)", "maintenance"))
MERGE_FIELD = re.compile(r"\{(\w+)\}")
_BRACED = re.compile(r"\{([^{}]+)\}")


def _field_names() -> dict[str, str]:
    """Every merge field's key -> its Chinese name (FIELDS and the facts): one name a key."""
    return {**{key: zh for key, (zh, _en) in FIELDS.items()},
            **{key: fact.label("zh") for key, fact in FACTS.items()}}


def points_shown(points: str, lang: str) -> str:
    """Talking points as a supervisor reads and edits them: in Chinese, each merge field by its
    name ({购车年限} for {years_owned}); in English by its key, as stored."""
    if lang != "zh":
        return points
    names = _field_names()
    return MERGE_FIELD.sub(lambda m: "{" + names.get(m[1], m[1]) + "}", points)


def points_typed(points: str) -> str:
    """Talking points as stored: a merge field typed by its Chinese name ({购车年限}) by its
    key ({years_owned}); a key, or what is no field, as typed."""
    keys = {name: key for key, name in _field_names().items()}
    return _BRACED.sub(lambda m: "{" + keys.get(m[1].strip(), m[1]) + "}", points)


def fact_value_text(fact: Fact, value: object, lang: str = "zh") -> str:
    """A fact's value as a sentence shows it: 7.2, 上升, 是."""
    if value is None:
        return "未知" if lang == "zh" else "unknown"
    if fact.kind == BOOL:
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if fact.kind == CODE:
        if fact.vocabulary == "direction":
            return DIRECTION_LABELS[str(value)][0 if lang == "zh" else 1]
        return text(fact.vocabulary, str(value), lang)
    if isinstance(value, float):
        if not value.is_integer():  # nor infinite nor NaN
            return f"{value:,.1f}"
        value = int(value)  # a count read or typed as 1.0 reads 1 (件, 人)
    return f"{value:,}" if isinstance(value, int) else str(value)


def fact_text(fact: Fact, value: object, lang: str = "zh") -> str:
    """A fact's value with its unit: 7.2年, 86,000公里 (86,000 km in English), 上升, 逾期12天."""
    if fact.due and isinstance(value, int) and value < 0:
        return f"逾期{-value:,}天" if lang == "zh" else f"{-value:,} days overdue"
    shown = fact_value_text(fact, value, lang)
    unit = fact.unit(lang)
    if value is None or not unit:
        return shown
    return f"{shown} {unit}" if lang != "zh" or unit.isascii() else f"{shown}{unit}"


def _until(day: dt.date | None, as_of: dt.date) -> int | None:
    return None if day is None else (day - as_of).days


def renewal(expiry: dt.date | None, as_of: dt.date) -> dt.date | None:
    """When a yearly policy expiring on `expiry` is next renewed on or after `as_of`: the
    expiry itself, or for one already past its next anniversary (a policy renewed elsewhere
    keeps its day; 29 February is renewed on 1 March in other years), as the segments count
    insurance falling due."""
    if expiry is None or expiry >= as_of:
        return expiry
    for year in (as_of.year, as_of.year + 1):
        try:
            day = expiry.replace(year=year)
        except ValueError:  # 29 February in a year without one
            day = dt.date(year, 3, 1)
        if day >= as_of:
            return day
    raise AssertionError("an anniversary comes within a year")


def _since(day: dt.date | None, as_of: dt.date) -> int | None:
    return None if day is None else (as_of - day).days


def _car(b: Brief) -> CarLine | None:
    """The car a suggestion is about: the newest one still owned (the brief lists it first)."""
    return next((c for c in b.cars if c.active), None)


def _soonest(days: list[int | None]) -> int | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _marketing_ok(b: Brief) -> bool:
    refused = any(r.channel is None and r.purpose in (None, "sales", "marketing")
                  for r in b.refusals)
    return b.marketing_consent is True and not refused


def _per_year_owned(car: CarLine | None) -> int | None:
    """The car's estimated km ÷ its years owned (the brief's two figures); None for a car
    bought less than a month ago, whose rate says nothing yet."""
    if car is None or car.km is None or car.years is None or car.years < 1 / 12:
        return None
    return round(car.km / car.years)


def facts_of(b: Brief) -> dict[str, object]:
    """Every fact of FACTS for the customer of `b` on its day; None where nothing is known."""
    car = _car(b)
    trends = {t.attribute: t for t in b.trends}
    economy = trends.get("economic_band")
    owned = [c for c in b.cars if c.active]
    maintenance = [m.due for m in b.maintenance if m.due is not None]
    # Every open item is due: its own date, else DECLINED_DUE_DAYS after it was noted (reminders).
    declined_due = [d.due_on for d in b.declined]
    referrals = b.referrals
    made = referrals.introduced if referrals is not None else ()
    trend = b.survey_trend
    intent = b.intent
    return {
        # Exact, as the segment bands compare it; shown to a tenth like the brief's car line.
        "years_owned": car.years if car else None,
        "km": car.km if car else None,
        "km_per_year": car.km_per_year if car else None,  # the brief's, from the same line
        "km_per_year_owned": _per_year_owned(car),
        "satisfaction": b.last_survey.overall if b.last_survey else None,
        "satisfaction_trend": None if len(trend) < 2 else
        "up" if trend[-1] > trend[-2] else "down" if trend[-1] < trend[-2] else "same",
        "economy": economy.direction if economy is not None else None,
        "economic_band": int(economy.now) if economy and economy.now and economy.now.isdigit()
        else None,
        "family_changed": any(trends[a].direction != "same" for a in FAMILY if a in trends),
        "work_changed": any(trends[a].direction != "same" for a in WORK if a in trends),
        "open_complaints": len(b.open_complaints),
        "days_since_contact": b.days_since_contact,
        "days_since_visit": _since(b.last_visit.date if b.last_visit else None, b.as_of),
        "days_since_spend": _since(b.last_spend.date if b.last_spend else None, b.as_of),
        "maintenance_due_days": _until(min(maintenance), b.as_of) if maintenance else None,
        "maintenance_no_record": any(m.no_record for m in b.maintenance),
        "open_declined": len(b.declined),
        "declined_due_days": _until(min(declined_due), b.as_of) if declined_due else None,
        "insurance_days": _soonest([_until(renewal(c.insurance_expiry, b.as_of), b.as_of)
                                    for c in owned]),
        "warranty_days": _soonest([_until(c.warranty_end, b.as_of) for c in owned]),
        "intent": intent.strength if intent else None,
        "intent_window": intent.window if intent else None,
        "referrals_made": referrals.count if referrals is not None else 0,
        "referrals_bought": referrals.bought if referrals is not None else 0,
        "days_since_referral": _since(max(r.referred_on for r in made), b.as_of) if made
        else None,
        "marketing_ok": _marketing_ok(b),
        "temperament": dict((a, v) for a, v, _ in b.kept).get("temperament"),
        "stage": b.stage,
        "age": b.age,
    }


def _money(value) -> str:
    return UNKNOWN_VALUE if value is None else f"¥{value:,.0f}"


def _date(day: dt.date | None) -> str:
    return UNKNOWN_VALUE if day is None else day.isoformat()


def merge_values(b: Brief, facts: dict[str, object], lang: str = "zh") -> dict[str, str]:
    """Every merge field's text for the talking points of `b` (in Chinese, what staff read;
    "en" for the built-in points in an English window)."""
    car = _car(b)
    owned = [c for c in b.cars if c.active]
    complaint = min(b.open_complaints, key=lambda c: c.opened, default=None)
    dues = [(m.due, m) for m in b.maintenance if m.due is not None]
    due = min(dues, key=lambda x: x[0])[1] if dues else None
    declined = min(b.declined, key=lambda d: d.due_on, default=None)
    made = b.referrals.introduced if b.referrals is not None else ()
    last_made = max(made, key=lambda r: r.referred_on, default=None)
    insurance = [day for c in owned if (day := renewal(c.insurance_expiry, b.as_of))]
    warranty = [c.warranty_end for c in owned if c.warranty_end]
    intent = b.intent
    values = {key: fact_value_text(FACTS[key], value, lang) if value is not None
              else UNKNOWN_VALUE for key, value in facts.items()}
    what = MAINTENANCE_WHAT[0 if lang == "zh" else 1]
    values.update({
        "name": b.name,
        "car": car.name if car else UNKNOWN_VALUE,
        "price_paid": _money(car.price_paid if car else None),
        "complaint": complaint.topic if complaint else UNKNOWN_VALUE,
        "complaint_since": _date(complaint.opened if complaint else None),
        "maintenance_due": _date(due.due if due else None),
        "maintenance_car": due.name if due else UNKNOWN_VALUE,
        "maintenance_what": UNKNOWN_VALUE if due is None else what[0] if due.first_service
        else what[1] if due.no_record else what[2],
        "no_record_car": next((m.name for m in b.maintenance if m.no_record), UNKNOWN_VALUE),
        "declined_item": declined.item if declined else UNKNOWN_VALUE,
        "declined_due": _date(declined.due_on if declined else None),
        "insurance_expiry": _date(min(insurance) if insurance else None),
        "warranty_end": _date(min(warranty) if warranty else None),
        "intent_models": (intent.models if intent else None) or UNKNOWN_VALUE,
        "intent_price": _money(intent.expected_price if intent else None),
        "last_visit": _date(b.last_visit.date if b.last_visit else None),
        "km_since": _date(car.km_since if car else None),
        "last_referral": last_made.introduced_name if last_made else UNKNOWN_VALUE,
    })
    return values


def render(points: str, values: dict[str, str]) -> str:
    """The talking points with each {field} replaced; an unknown name stays as typed. Points
    that give a maintenance due date name its car: {car} there is the car that is due (a
    customer's cars fall due apart, and rules written before {maintenance_car} said {car})."""
    if "{maintenance_due}" in points and "maintenance_car" in values:
        values = {**values, "car": values["maintenance_car"]}
    return MERGE_FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), points)


def merge_field_names() -> tuple[str, ...]:
    return (*FIELDS, *FACTS)
