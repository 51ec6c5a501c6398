"""The one catalog of segment fields: key, type, operators, labels (中文 / English), level
(per customer or per vehicle) and how each is computed (stored column or derived SQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func
from sqlalchemy.sql.elements import ColumnElement

from models.codes import (
    CHANNELS,
    DAY_PREFERENCES,
    DNC_PURPOSES,
    GENDERS,
    INTENT_STRENGTHS,
    INTENT_WINDOWS,
    LIFECYCLE_STAGES,
    PAYMENT_METHODS,
)
from models.profile import PROFILE_ATTRIBUTES
from services.segments import derived as d
from services.segments import mileage, rfm
from services.segments.sqlx import no_index

OPERATORS: dict[str, tuple[str, ...]] = {
    "number": ("=", "!=", "<", "<=", ">", ">=", "between", "is_null", "not_null"),
    "text": ("=", "!=", "contains", "starts_with", "in", "not_in", "is_null", "not_null"),
    "code": ("=", "!=", "in", "not_in", "is_null", "not_null"),
    "date": (
        "=", "<", "<=", ">", ">=", "between", "due_within", "within_last", "is_null", "not_null",
    ),
    "bool": ("=",),
    "tags": ("has_any", "has_all", "has_none"),
}
# Operators that hold for a missing value (a customer with no vehicle, an unknown km…).
NEGATIVE_OPS = frozenset({"!=", "not_in", "is_null", "has_none"})
SATISFACTION_BANDS = ("low", "middle", "high", "none")
TRENDS = ("up", "down", "same", "changed")
# Attributes whose values have an order, so a change is "up" or "down".
ORDERED_ATTRIBUTES = {
    "economic_band": PROFILE_ATTRIBUTES["economic_band"],
    "lifecycle_stage": LIFECYCLE_STAGES,
    "household": PROFILE_ATTRIBUTES["household"][:5],
}

PROFILE_LABELS = {
    "marital_status": "婚姻状况", "household": "家庭结构", "occupation": "职业",
    "employment": "就业状况", "car_payer": "购车付款方", "economic_band": "经济状况（1–5）",
    "driving_experience": "驾驶经验", "temperament": "性格", "lifecycle_stage": "生命周期阶段",
}

Value = Callable[[d.Ctx, dict], ColumnElement]
Condition = Callable[[d.Ctx, str, Any, dict], ColumnElement[bool]]


@dataclass(frozen=True)
class Param:
    key: str
    type: str  # "int" | "number" | "code"
    default: Any
    zh: str
    en: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    level: str  # "customer" | "vehicle"
    group: str
    zh: str
    en: str
    value: Value | None = None
    condition: Condition | None = None
    choices: tuple[str, ...] | None = None
    params: tuple[Param, ...] = ()
    note: str = ""

    @property
    def operators(self) -> tuple[str, ...]:
        ops = OPERATORS[self.type]
        if self.key == "birthday":
            return ("due_within", "is_null", "not_null")
        if self.condition is not None and self.type == "number" and self.value is None:
            return ("=", "!=", "<", "<=", ">", ">=", "between", "is_null", "not_null")
        return ops


FIELDS: dict[str, Field] = {}


def _add(f: Field) -> None:
    assert f.key not in FIELDS, f.key
    FIELDS[f.key] = f


def _col(table, name: str) -> Value:
    return lambda ctx, p: table.c[name]


def _stored(table, level: str, group: str, rows: list[tuple]) -> None:
    for key, name, typ, zh, en, *choices in rows:
        _add(Field(key, typ, level, group, zh, en, value=_col(table, name),
                   choices=choices[0] if choices else None))


C, V = d.C, d.V
_stored(C, "customer", "customer", [
    ("customer_code", "code", "text", "客户编号", "Customer code"),
    ("name", "name", "text", "姓名", "Name"),
    ("gender", "gender", "code", "性别", "Gender", GENDERS),
    ("mobile", "mobile", "text", "手机", "Mobile"),
    ("other_phones", "other_phones", "text", "其他电话", "Other phones"),
    ("province", "province", "text", "省份", "Province"),
    ("city", "city", "text", "城市", "City"),
    ("district", "district", "text", "区县", "District"),
    ("street", "street", "text", "街道地址", "Street address"),
    ("postcode", "postcode", "text", "邮编", "Postcode"),
    ("wechat_id", "wechat_id", "text", "微信号", "WeChat ID"),
    ("employer", "employer", "text", "工作单位", "Employer"),
    ("customer_source", "source", "text", "客户来源", "Customer source"),
    ("owner_staff_id", "owner_staff_id", "number", "负责员工编号", "Owner staff id"),
])
_stored(V, "vehicle", "vehicle", [
    ("brand", "brand", "text", "品牌", "Brand"),
    ("model", "model", "text", "车型", "Model"),
    ("vin", "vin", "text", "车架号", "VIN"),
    ("plate", "plate", "text", "车牌", "Plate"),
    ("purchase_date", "purchase_date", "date", "购车日期", "Purchase date"),
    ("price_paid", "price_paid", "number", "购车价格（当时）", "Price paid (then)"),
    ("payment_method", "payment_method", "code", "付款方式", "Payment", PAYMENT_METHODS),
    ("loan_end", "loan_end", "date", "贷款到期", "Loan end"),
    ("insurance_expiry", "insurance_expiry", "date", "保险到期", "Insurance expiry"),
    ("warranty_end", "warranty_end", "date", "质保到期", "Warranty end"),
    ("inspection_due", "inspection_due", "date", "年检到期", "Inspection due"),
    ("vehicle_active", "active", "bool", "车辆在用", "Vehicle still owned"),
])


def _birthday(ctx: d.Ctx, op: str, value: Any, p: dict) -> ColumnElement[bool]:
    from services.segments.compiler import birthday_due

    if op == "due_within":
        return birthday_due(ctx.as_of, int(value))
    md = C.c.birthday_md  # the month and day is what "due" uses; the year may be unknown
    return md.is_(None) if op == "is_null" else md.is_not(None)


_add(Field("birthday", "date", "customer", "customer", "生日", "Birthday",
           condition=_birthday, note="due_within: the birthday (month and day) falls in the "
           "next N days; 29 Feb is due on 1 Mar in other years"))
_add(Field("lifecycle_stage", "code", "customer", "customer", "生命周期阶段", "Lifecycle stage",
           value=lambda ctx, p: d.lifecycle_stage(ctx.as_of), choices=LIFECYCLE_STAGES))
for _attr, _allowed in PROFILE_ATTRIBUTES.items():
    if _attr == "lifecycle_stage":
        continue
    _add(Field(f"profile.{_attr}", "text" if _allowed is None else "code", "customer", "profile",
               f"画像：{PROFILE_LABELS[_attr]}", f"Profile: {_attr.replace('_', ' ')}",
               value=(lambda a: lambda ctx, p: d.profile_value(a, ctx.as_of))(_attr),
               choices=_allowed))

_TREND_ATTRS = tuple(a for a in PROFILE_ATTRIBUTES if a != "occupation") + ("occupation",)
_attr_param = Param("attribute", "code", "economic_band", "属性", "Attribute", _TREND_ATTRS)


def _trend_value(ctx: d.Ctx, p: dict, since) -> ColumnElement[str]:
    attr = p["attribute"]
    now = d.lifecycle_stage(ctx.as_of) if attr == "lifecycle_stage" else d.profile_value(
        attr, ctx.as_of)
    return d.trend(now, d.profile_value(attr, since), ORDERED_ATTRIBUTES.get(attr))


_add(Field("trend_since_purchase", "code", "vehicle", "profile", "画像趋势（购车以来）",
           "Profile trend since purchase", choices=TRENDS, params=(_attr_param,),
           value=lambda ctx, p: _trend_value(ctx, p, V.c.purchase_date),
           note="value on the evaluation date vs. on this vehicle's purchase date"))
_add(Field("trend_over_months", "code", "customer", "profile", "画像趋势（近N个月）",
           "Profile trend over N months", choices=TRENDS,
           params=(_attr_param, Param("months", "int", 12, "月数", "Months", minimum=1)),
           value=lambda ctx, p: _trend_value(
               ctx, p, d.months_before(ctx.as_of, p["months"])),
           note="value on the evaluation date vs. N months before"))

# Vehicle derived
_add(Field("years_since_purchase", "number", "vehicle", "vehicle", "购车年限（年）",
           "Years since purchase",
           condition=lambda ctx, op, v, p: d.elapsed_condition(
               d.DayCol(no_index(V.c.purchase_date)), ctx.as_of, op, v, d.DAYS_PER_YEAR),
           # Age bands cover much of the fleet: a table scan beats the date index and a lookup
           # per row on SQLite without statistics (0.18 s against 0.69 s for 48k of 300k).
           note="days from purchase to the evaluation date ÷ 365.25"))
_add(Field("estimated_km", "number", "vehicle", "vehicle", "估算当前里程（公里）",
           "Estimated current km", value=lambda ctx, p: mileage.estimated_km(ctx)))
_add(Field("km_per_year", "number", "vehicle", "vehicle", "年均里程（公里/年）", "km per year",
           value=lambda ctx, p: mileage.km_per_year(ctx)))

# Satisfaction: the customer's latest survey on or before the evaluation date
for _col_name, _zh, _en in (
    ("overall_score", "满意度（总体）", "Satisfaction (overall)"),
    ("repair_quality", "满意度：维修质量", "Satisfaction: repair quality"),
    ("price", "满意度：价格", "Satisfaction: price"),
    ("speed", "满意度：速度", "Satisfaction: speed"),
    ("attitude", "满意度：接待态度", "Satisfaction: reception attitude"),
):
    _add(Field(f"satisfaction.{_col_name}", "number", "customer", "satisfaction", _zh, _en,
               value=(lambda n: lambda ctx, p: d.latest_survey(ctx).c[n])(_col_name)))
_add(Field("satisfaction_band", "code", "customer", "satisfaction", "满意度分档",
           "Satisfaction band", choices=SATISFACTION_BANDS,
           value=lambda ctx, p: d.satisfaction_band_value(d.latest_survey(ctx).c.overall_score),
           note="low 0–6, middle 7–8, high 9–10, none = no survey"))
_add(Field("satisfaction_date", "date", "customer", "satisfaction", "最近满意度调查日期",
           "Latest survey date", value=lambda ctx, p: d.latest_survey(ctx).c.survey_date))
_add(Field("unresolved_complaint", "bool", "customer", "satisfaction", "有未解决投诉",
           "Has an unresolved complaint", value=lambda ctx, p: d.unresolved_complaint(ctx.as_of)))


def _since(make, timestamp: bool = False) -> Condition:
    return lambda ctx, op, v, p: d.elapsed_condition(
        d.DayCol(make(ctx.as_of), timestamp, never_is_long_ago=True), ctx.as_of, op, v, 1)


_NEVER = "never counts as longer than any number of days; is_null = never"
_add(Field("days_since_last_contact", "number", "customer", "activity", "距上次联系天数",
           "Days since last contact", condition=_since(d.last_contact_moment, True), note=_NEVER))
_add(Field("days_since_last_visit", "number", "customer", "activity", "距上次进厂天数",
           "Days since last visit", condition=_since(d.last_visit_day), note=_NEVER))
_add(Field("days_since_last_spend", "number", "customer", "activity", "距上次消费天数",
           "Days since last spend", condition=_since(d.last_spend_day), note=_NEVER))

_months = Param("months", "int", 12, "窗口（月）", "Window (months)", minimum=1)
_add(Field("spend_count", "number", "customer", "spend", "消费次数（窗口内）",
           "Number of spends in window", params=(_months,),
           value=lambda ctx, p: func.coalesce(d.spend_agg(ctx, p["months"]).c.n, 0)))
_add(Field("spend_amount", "number", "customer", "spend", "消费金额（窗口内，元）",
           "Amount spent in window (yuan)", params=(_months,),
           value=lambda ctx, p: func.coalesce(d.spend_agg(ctx, p["months"]).c.amount, 0)))

_rfm_params = (
    Param("months", "int", rfm.DEFAULT_MONTHS, "窗口（月）", "Window (months)", minimum=1),
    Param("mode", "code", "mean", "阈值方式", "Thresholds", ("mean", "fixed")),
    Param("r_days", "number", None, "R阈值（天）", "R threshold (days)", minimum=0),
    Param("f", "number", None, "F阈值（次）", "F threshold (spends)", minimum=0),
    Param("m", "number", None, "M阈值（元）", "M threshold (yuan)", minimum=0),
)


def _rfm_value(i: int) -> Value:
    def value(ctx: d.Ctx, p: dict) -> ColumnElement:
        agg = d.spend_agg(ctx, p["months"])
        return rfm.rfm_values(agg, ctx.as_of)[i]
    return value


_add(Field("rfm_r", "number", "customer", "rfm", "R：距上次消费天数（窗口内）",
           "R: days since last spend in window", params=_rfm_params[:1], value=_rfm_value(0)))
_add(Field("rfm_f", "number", "customer", "rfm", "F：消费次数（窗口内）",
           "F: spends in window", params=_rfm_params[:1], value=_rfm_value(1)))
_add(Field("rfm_m", "number", "customer", "rfm", "M：消费金额（窗口内，元）",
           "M: amount in window (yuan)", params=_rfm_params[:1],
           value=lambda ctx, p: d.spend_agg(ctx, p["months"]).c.amount))
_add(Field("rfm_class", "code", "customer", "rfm", "RFM分类", "RFM class",
           choices=rfm.CLASS_KEYS, params=_rfm_params,
           note="no spend in the window = no class (is_null)"))

# Intent, preferences, consent, tags
for _key, _name, _typ, _zh, _en, _choices in (
    ("intent_strength", "strength", "code", "意向强度", "Intent strength", INTENT_STRENGTHS),
    ("intent_window", "time_window", "code", "预计购买时间", "Intent window", INTENT_WINDOWS),
    ("intent_price", "expected_price", "number", "预期价格", "Expected price", None),
    ("intent_date", "recorded_date", "date", "意向记录日期", "Intent recorded", None),
):
    _add(Field(_key, _typ, "customer", "intent", _zh, _en, choices=_choices,
               value=(lambda n: lambda ctx, p: d.latest_intent(ctx).c[n])(_name)))
for _key, _name, _typ, _zh, _en, _choices in (
    ("preferred_channel", "first_channel", "code", "首选渠道", "Preferred channel", CHANNELS),
    ("channel_order", "channel_order", "text", "渠道顺序", "Channel order", None),
    ("preferred_days", "preferred_days", "code", "偏好日期", "Preferred days", DAY_PREFERENCES),
    ("time_windows", "time_windows", "text", "偏好时段", "Preferred time windows", None),
    ("language", "language", "text", "语言", "Language", None),
):
    _add(Field(_key, _typ, "customer", "preferences", _zh, _en, choices=_choices,
               value=(lambda n: lambda ctx, p: d.preference(ctx).c[n])(_name)))
_add(Field("marketing_consent", "bool", "customer", "preferences", "营销同意", "Marketing consent",
           value=lambda ctx, p: func.coalesce(d.latest_consent(ctx).c.granted, false()),
           note="the latest consent event on or before the evaluation date; none = no consent"))
_add(Field("do_not_contact", "bool", "customer", "preferences", "勿扰（拒绝联系）",
           "Do not contact", params=(
               Param("channel", "code", None, "渠道", "Channel", CHANNELS),
               Param("purpose", "code", None, "目的", "Purpose", DNC_PURPOSES)),
           value=lambda ctx, p: d.do_not_contact(ctx.as_of, p["channel"], p["purpose"]),
           note="a refusal in force on the evaluation date covering the channel and purpose"))
_add(Field("tags", "tags", "customer", "tags", "标签", "Tags",
           note='values are "group/tag" names'))

GROUPS = {
    "customer": ("客户", "Customer"), "vehicle": ("车辆", "Vehicle"),
    "profile": ("画像", "Profile"), "satisfaction": ("满意度与投诉", "Satisfaction"),
    "activity": ("联系与进厂", "Activity"), "spend": ("消费", "Spend"), "rfm": ("RFM", "RFM"),
    "intent": ("购买意向", "Intent"), "preferences": ("偏好与同意", "Preferences and consent"),
    "tags": ("标签", "Tags"),
}
