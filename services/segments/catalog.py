"""The segment field catalog as plain data: keys, types, operators, groups, labels, parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from models.codes import (
    CHANNELS,
    DAY_PREFERENCES,
    DNC_PURPOSES,
    GENDERS,
    INTENT_STRENGTHS,
    INTENT_WINDOWS,
    LIFECYCLE_STAGES,
    OUTCOMES,
    PAYMENT_METHODS,
    PROFILE_ATTRIBUTES,
    PURCHASE_KINDS,
    PURPOSES,
    REFERRER_KINDS,
)
from services.labels import both, text

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


def _coded(attribute: str) -> tuple[str, ...]:
    """The allowed values of a profile attribute that is a code, not free text."""
    values = PROFILE_ATTRIBUTES[attribute]
    assert values is not None, f"{attribute} is free text"
    return values


# Attributes whose values have an order, so a change is "up" or "down".
ORDERED_ATTRIBUTES = {
    "economic_band": _coded("economic_band"),
    "lifecycle_stage": LIFECYCLE_STAGES,
    "household": _coded("household")[:5],
}
# Profile attributes other than the lifecycle stage, which is a field of its own.
PROFILE_FIELDS = tuple(a for a in PROFILE_ATTRIBUTES if a != "lifecycle_stage")
TREND_ATTRIBUTES = tuple(a for a in PROFILE_ATTRIBUTES if a != "occupation") + ("occupation",)

RFM_DEFAULT_MONTHS = 24
# (key, 中文, English, R up, F up, M up): the eight classes by their usual Chinese names, the
# 重要 (M up) ones first; R up means fewer days since the last spend than the threshold. The
# names come from services/labels.py (kind "rfm_class").
RFM_CLASSES: tuple[tuple[str, str, str, bool, bool, bool], ...] = tuple(
    (key, text("rfm_class", key, "zh"), text("rfm_class", key, "en"), r_up, f_up, m_up)
    for key, r_up, f_up, m_up in (
        ("important_value", True, True, True),
        ("important_develop", True, False, True),
        ("important_keep", False, True, True),
        ("important_retain", False, False, True),
        ("general_value", True, True, False),
        ("general_develop", True, False, False),
        ("general_keep", False, True, False),
        ("general_retain", False, False, False),
    )
)
RFM_CLASS_KEYS = tuple(c[0] for c in RFM_CLASSES)


@dataclass(frozen=True)
class Param:
    key: str
    type: str  # "int" | "number" | "code"
    default: Any
    zh: str
    en: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


# The largest windows and thresholds a segment takes: a window of a century of spending (a
# longer one counts back past the first car, and past what a date can hold); a century of
# days; a million spends; ten billion yuan (amounts are NUMERIC(12, 2), below 10¹⁰).
MAX_MONTHS = 1200
MAX_DAYS = 36_500
MAX_SPENDS = 1_000_000
MAX_YUAN = 10**10


@dataclass(frozen=True)
class Field:
    """One field a condition can name. `only` narrows the operators of its type."""

    key: str
    type: str
    level: str  # "customer" | "vehicle"
    group: str
    zh: str
    en: str
    choices: tuple[str, ...] | None = None
    params: tuple[Param, ...] = ()
    note: str = ""
    only: tuple[str, ...] | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        return self.only if self.only is not None else OPERATORS[self.type]


FIELDS: dict[str, Field] = {}


def _add(f: Field) -> None:
    assert f.key not in FIELDS, f.key
    FIELDS[f.key] = f


def _rows(level: str, group: str, rows: list[tuple]) -> None:
    for key, typ, zh, en, *choices in rows:
        _add(Field(key, typ, level, group, zh, en, choices=choices[0] if choices else None))


_rows("customer", "customer", [
    ("customer_code", "text", "客户编号", "Customer code"),
    ("name", "text", "姓名", "Name"),
    # Set for a company's car: "is set" finds the customers who are companies.
    ("contact_name", "text", "联系人", "Contact person"),
    ("gender", "code", "性别", "Gender", GENDERS),
    ("mobile", "text", "手机", "Mobile"),
    ("other_phones", "text", "其他电话", "Other phones"),
    ("province", "text", "省份", "Province"),
    ("city", "text", "城市", "City"),
    ("district", "text", "区县", "District"),
    ("street", "text", "街道地址", "Street address"),
    ("postcode", "text", "邮编", "Postcode"),
    ("wechat_id", "text", "微信号", "WeChat ID"),
    ("employer", "text", "工作单位", "Employer"),
    ("customer_source", "text", "客户来源", "Customer source"),
    # Chosen and shown by the staff member's name in the builder (the filter keeps the id).
    ("owner_staff_id", "number", "负责员工", "Staff in charge"),
])
# The customer's fields that name a province or a city: the compiler compares a place by every
# name it is stored under (services/customers/places.py).
PLACE_COLUMNS = ("province", "city")
for _place in PLACE_COLUMNS:
    FIELDS[_place] = replace(FIELDS[_place], note="`=` `!=` `in` `not_in` find the place by its "
                             "full or its short name alike (深圳市 or 深圳)")
_rows("vehicle", "vehicle", [
    ("brand", "text", "品牌", "Brand"),
    ("model", "text", "车型", "Model"),
    ("vin", "text", "车架号", "VIN"),
    ("plate", "text", "车牌", "Plate"),
    ("purchase_date", "date", "购车日期", "Purchase date"),
    ("price_paid", "number", "购车价格（当时）", "Price paid (then)"),
    ("payment_method", "code", "付款方式", "Payment", PAYMENT_METHODS),
    ("loan_end", "date", "贷款到期", "Loan end"),
    ("insurance_expiry", "date", "保险到期", "Insurance expiry"),
    ("warranty_end", "date", "质保到期", "Warranty end"),
    ("inspection_due", "date", "年检到期", "Inspection due"),
    ("vehicle_active", "bool", "车辆在用", "Vehicle still owned"),
])
# Dates that come round every year: "due within N days" of one already past is its next
# anniversary (derived.falls_due).
YEARLY_DATES = ("insurance_expiry",)
for _yearly in YEARLY_DATES:
    FIELDS[_yearly] = replace(FIELDS[_yearly], note="due_within: the date, or for one already "
                              "past its anniversary (a policy renewed elsewhere keeps its day), "
                              "falls in the next N days; 29 Feb is due on 1 March in other years")

_add(Field("birthday", "date", "customer", "customer", "生日", "Birthday",
           only=("due_within", "is_null", "not_null"),
           note="due_within: the birthday (month and day) falls in the next N days; 29 Feb is "
           "due on 1 Mar in other years"))
_add(Field("lifecycle_stage", "code", "customer", "customer", "生命周期阶段", "Lifecycle stage",
           choices=LIFECYCLE_STAGES))
for _attr in PROFILE_FIELDS:
    _allowed = PROFILE_ATTRIBUTES[_attr]
    _add(Field(f"profile.{_attr}", "text" if _allowed is None else "code", "customer", "profile",
               f"画像：{text('attribute', _attr, 'zh')}",
               f"Profile: {text('attribute', _attr, 'en')}",
               choices=_allowed))

_attr_param = Param("attribute", "code", "economic_band", "属性", "Attribute", TREND_ATTRIBUTES)
_add(Field("trend_since_purchase", "code", "vehicle", "profile", "画像趋势（购车以来）",
           "Profile trend since purchase", choices=TRENDS, params=(_attr_param,),
           note="value on the evaluation date vs. on this vehicle's purchase date"))
_add(Field("trend_over_months", "code", "customer", "profile", "画像趋势（近N个月）",
           "Profile trend over N months", choices=TRENDS,
           params=(_attr_param, Param("months", "int", 12, "月数", "Months", minimum=1,
                                    maximum=MAX_MONTHS)),
           note="value on the evaluation date vs. N months before"))

_add(Field("years_since_purchase", "number", "vehicle", "vehicle", "购车年限（年）",
           "Years since purchase", note="days from purchase to the evaluation date ÷ 365.25"))
_rows("vehicle", "vehicle", [
    ("estimated_km", "number", "估算当前里程（公里）", "Estimated current km"),
    ("km_per_year", "number", "年均里程（公里/年）", "km per year"),
])

# Satisfaction: the customer's latest survey on or before the evaluation date
_rows("customer", "satisfaction", [
    ("satisfaction.overall_score", "number", "满意度（总体）", "Satisfaction (overall)"),
    ("satisfaction.repair_quality", "number", "满意度：维修质量", "Satisfaction: repair quality"),
    ("satisfaction.price", "number", "满意度：价格", "Satisfaction: price"),
    ("satisfaction.speed", "number", "满意度：速度", "Satisfaction: speed"),
    ("satisfaction.attitude", "number", "满意度：接待态度", "Satisfaction: reception attitude"),
])
_add(Field("satisfaction_band", "code", "customer", "satisfaction", "满意度分档",
           "Satisfaction band", choices=SATISFACTION_BANDS,
           note="low 0–6, middle 7–8, high 9–10, none = no survey"))
_rows("customer", "satisfaction", [
    ("satisfaction_date", "date", "最近满意度调查日期", "Latest survey date"),
    ("unresolved_complaint", "bool", "有未解决投诉", "Has an unresolved complaint"),
])
_add(Field("oldest_complaint_days", "number", "customer", "satisfaction",
           "最早未解决投诉已开启天数", "Days the oldest open complaint has been open",
           note="of the complaints open on the evaluation date (opened by then, not resolved by "
           "then), the oldest: days from its opening to the evaluation date; is_null = no open "
           "complaint"))

_NEVER = "never counts as longer than any number of days; is_null = never"
for _key, _zh, _en in (
    ("days_since_last_contact", "距上次联系天数", "Days since last contact"),
    ("days_since_last_visit", "距上次进厂天数", "Days since last visit"),
    ("days_since_last_spend", "距上次消费天数", "Days since last spend"),
):
    _add(Field(_key, "number", "customer", "activity", _zh, _en, note=_NEVER))

# Contact events: a contact on a day or in a range (what the dashboard's contact figures open
# as), and the follow-up the latest contact asked for. Staff ids are not a closed vocabulary, so
# the staff member is a number; 0 (what the filter editor's number box starts at) means anyone.
CONTACT_RESULTS = ("attempt", "reached", "kept")
CONTACT_MADE_BY = ("staff", "automatic")
_staff = Param("staff", "int", None, "员工编号（0 = 任何人）", "Staff id (0 = anyone)", minimum=0)
_made_by = Param("made_by", "code", None, "由谁联系", "Made by", CONTACT_MADE_BY)
_add(Field("contact_date", "date", "customer", "activity", *both("contact_field", "contact_date"),
           params=(Param("channel", "code", None, "渠道", "Channel", CHANNELS),
                   Param("purpose", "code", None, "目的", "Purpose", PURPOSES),
                   _staff, _made_by,
                   Param("outcome", "code", None, "结果", "Outcome", OUTCOMES),
                   Param("result", "code", None, "算作", "Counted as", CONTACT_RESULTS)),
           only=("=", "<", "<=", ">", ">=", "between", "within_last", "is_null", "not_null"),
           note="a contact on or before the evaluation date, on a day the operator accepts, "
           "matching every parameter given (staff: a staff id, 0 = anyone); is_null = no such "
           "contact; result: attempt = not a "
           "one-way message (sent, failed), reached = reached, appointment, bought or refused, "
           "kept = an appointment followed by a service visit within 14 days"))
_add(Field("follow_up_date", "date", "customer", "activity",
           *both("contact_field", "follow_up_date"), params=(_staff, _made_by),
           note="the next follow-up the customer's latest contact on or before the evaluation "
           "date asked for (unknown when it asked for none); staff (a staff id, 0 = anyone) and "
           "made_by: who made that contact"))

# A renewal campaign asks who renewed their insurance with the dealer last year, and who not.
_add(Field("days_since_purchase", "number", "customer", "spend", "距上次购买（该类）天数",
           "Days since last purchase of a kind",
           params=(Param("purchase_kind", "code", "insurance", "类别", "Kind", PURCHASE_KINDS),),
           note="the customer's last other purchase of that kind (insurance, accessory, "
           "extended_warranty, other) on or before the evaluation date, whatever its amount "
           "(a free one counts; a refund, or a purchase given back whole, does not); "
           + _NEVER))

_months = Param("months", "int", 12, "窗口（月）", "Window (months)", minimum=1,
                maximum=MAX_MONTHS)
_add(Field("spend_count", "number", "customer", "spend", "消费次数（窗口内）",
           "Number of spends in window", params=(_months,)))
_add(Field("spend_amount", "number", "customer", "spend", "消费金额（窗口内，元）",
           "Amount spent in window (yuan)", params=(_months,)))

_rfm_params = (
    Param("months", "int", RFM_DEFAULT_MONTHS, "窗口（月）", "Window (months)", minimum=1,
          maximum=MAX_MONTHS),
    Param("mode", "code", "mean", "阈值方式", "Thresholds", ("mean", "fixed")),
    Param("r_days", "number", None, "R阈值（天）", "R threshold (days)", minimum=0,
          maximum=MAX_DAYS),
    Param("f", "number", None, "F阈值（次）", "F threshold (spends)", minimum=0,
          maximum=MAX_SPENDS),
    Param("m", "number", None, "M阈值（元）", "M threshold (yuan)", minimum=0, maximum=MAX_YUAN),
)
for _key, _zh, _en in (
    ("rfm_r", "R：距上次消费天数（窗口内）", "R: days since last spend in window"),
    ("rfm_f", "F：消费次数（窗口内）", "F: spends in window"),
    ("rfm_m", "M：消费金额（窗口内，元）", "M: amount in window (yuan)"),
):
    _add(Field(_key, "number", "customer", "rfm", _zh, _en, params=_rfm_params[:1]))
_add(Field("rfm_class", "code", "customer", "rfm", "RFM分类", "RFM class",
           choices=RFM_CLASS_KEYS, params=_rfm_params,
           note="no spend in the window = no class (is_null)"))

_rows("customer", "intent", [
    ("intent_strength", "code", "意向强度", "Intent strength", INTENT_STRENGTHS),
    ("intent_window", "code", "预计购买时间", "Intent window", INTENT_WINDOWS),
    ("intent_price", "number", "预期价格", "Expected price"),
    ("intent_date", "date", "意向记录日期", "Intent recorded"),
])
_rows("customer", "preferences", [
    ("preferred_channel", "code", "首选渠道", "Preferred channel", CHANNELS),
    ("channel_order", "text", "渠道顺序", "Channel order"),
    ("preferred_days", "code", "偏好日期", "Preferred days", DAY_PREFERENCES),
    ("time_windows", "text", "偏好时段", "Preferred time windows"),
    ("language", "text", "语言", "Language"),
])
_add(Field("marketing_consent", "bool", "customer", "preferences", "营销同意", "Marketing consent",
           note="the latest consent event on or before the evaluation date; none = no consent"))
_add(Field("do_not_contact", "bool", "customer", "preferences", "勿扰（拒绝联系）",
           "Do not contact", params=(
               Param("channel", "code", None, "渠道", "Channel", CHANNELS),
               Param("purpose", "code", None, "目的", "Purpose", DNC_PURPOSES)),
           note="a refusal in force on the evaluation date covering the channel and purpose"))
_add(Field("tags", "tags", "customer", "tags", "标签", "Tags",
           note='values are "group/tag" names'))

# --- referrals (老带新) and service reminders ------------------------------------------------

_ref_months = Param("months", "int", None, "窗口（月）", "Window (months)", minimum=1,
                    maximum=MAX_MONTHS)
_ON_OR_AFTER = "introduced on or before the evaluation date (in the last N months when given)"
_add(Field("referrals", "number", "customer", "referrals", "介绍人数", "People introduced",
           params=(_ref_months,), note=_ON_OR_AFTER + "; each person counted once"))
_add(Field("referrals_bought", "number", "customer", "referrals", "介绍成交人数（购车）",
           "People introduced who bought a car", params=(_ref_months,),
           note="of those introduced, who bought a car on or after the day they were "
           "introduced, up to the evaluation date"))
_add(Field("referrals_came", "number", "customer", "referrals", "介绍到店人数（进厂）",
           "People introduced who came for service", params=(_ref_months,),
           note="of those introduced, who had a service visit on or after the day they were "
           "introduced, up to the evaluation date"))
_add(Field("referred_by", "code", "customer", "referrals", "介绍来源", "Introduced by",
           choices=REFERRER_KINDS,
           note="who introduced the customer (their first referral); is_null = nobody"))
_add(Field("maintenance_due", "date", "vehicle", "service", "保养到期日", "Maintenance due",
           note="the earlier of the last maintenance visit + M months and the day the estimated "
           "km reaches its km + N (首保: from the purchase and 0 km); with no maintenance visit "
           "on record and the 首保 due more than 12 months before (an owner imported with no "
           "service history), the next milestone of the regular schedule from the purchase "
           "and 0 km (purchase + k·M months, k·N km) on or after the evaluation date, never "
           "overdue; intervals per brand or model; where that visit says the next service its "
           "advisor told the owner (下次保养日期, 下次保养里程, from the DMS), that date and km "
           "stand for its M months and N km, so the reminder says what the owner was told"))
_add(Field("days_to_maintenance", "number", "vehicle", "service", "距保养到期天数",
           "Days to maintenance due",
           note="from the evaluation date to maintenance_due; below 0 = overdue, so <= N is "
           "due within N days or overdue"))
_add(Field("open_declined_items", "bool", "customer", "service", "有未完成的建议维修项目",
           "Has open declined repair items",
           params=(Param("days", "int", None, "到期天数内", "Due within (days)", minimum=0),),
           note="an item recorded by the evaluation date and not done or refused by then; with "
           "days, one due within that many days of it (overdue included); an item with no due "
           "date of its own (most from a DMS work order) is due 30 days after the visit or "
           "call that recorded it"))

GROUPS = {
    "customer": ("客户", "Customer"), "vehicle": ("车辆", "Vehicle"),
    "profile": ("画像", "Profile"), "satisfaction": ("满意度与投诉", "Satisfaction"),
    "activity": ("联系与进厂", "Activity"), "spend": ("消费", "Spend"), "rfm": ("RFM", "RFM"),
    "intent": ("购买意向", "Intent"), "preferences": ("偏好与同意", "Preferences and consent"),
    "tags": ("标签", "Tags"),
    "referrals": ("老带新", "Referrals"),
    "service": ("保养与建议维修", "Maintenance and declined repairs"),
}
