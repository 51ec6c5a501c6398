"""Ready-made segment templates: the replacement matrix (its query in services/segments/matrix.py),
RFM classes, lifecycle stages, groups by tag and due-soon lists. Each returns every cell's count
from one grouped query, and each cell is also a plain filter a user can save and change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import Select, case, func, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from models import CustomerTag, Tag, TagGroup
from models.codes import LIFECYCLE_STAGES
from services.labels import both
from services.segments import derived as d
from services.segments import rfm
from services.segments.context import C, V
from services.segments.matrix import (  # noqa: F401 - as the templates' callers know them
    MATRIX_SAT_BANDS,
    YEAR_BANDS,
    matrix_cell_filter,
    matrix_query,
    score_band,
)
from services.segments.matrix import years_cut as _years_cut  # noqa: F401 - reports/owners.py

DUE_FIELDS = ("insurance_expiry", "warranty_end", "loan_end", "inspection_due", "birthday")


@dataclass(frozen=True)
class TemplateSegment:
    key: str
    zh: str
    en: str
    filter: dict[str, Any]
    # The purpose a list of it is for, when the template says it (a maintenance reminder):
    # saved with it, so a list built from it is that kind of list unless staff choose another.
    purpose: str | None = None


# --- RFM ------------------------------------------------------------------------------------

def rfm_query(as_of: dt.date, months: int, th: rfm.Thresholds,
              stored: FromClause | None = None) -> Select:
    """Customers per class key (4·R up + 2·F up + M up), plus the totals the mean thresholds
    came from. From the live spends, R, F and M are computed once per customer in a
    materialised CTE; `stored` (summaries.rfm_values) has them already."""
    vals = stored if stored is not None else rfm.window_values(as_of, months).cte("rfm_values")
    tot = None
    source = vals
    if th.mode == "mean":
        tot = select(
            func.count().label("n"), func.sum(vals.c.r).label("sum_r"),
            func.sum(vals.c.f).label("sum_f"), func.sum(vals.c.m).label("sum_m"),
        ).select_from(vals).subquery("rfm_totals")
        source = vals.join(tot, true())
        r_up = vals.c.r * tot.c.n <= tot.c.sum_r
        f_up = vals.c.f * tot.c.n >= tot.c.sum_f
        m_up = vals.c.m * tot.c.n >= tot.c.sum_m
    else:
        r_up, f_up, m_up = (vals.c.r <= th.r_days, vals.c.f >= th.f,
                            vals.c.m >= round((th.m or 0) * 100))
    key = case((r_up, 4), else_=0) + case((f_up, 2), else_=0) + case((m_up, 1), else_=0)
    cols: list[ColumnElement[Any]] = [key.label("k")]
    if tot is not None:
        cols += [tot.c.n, tot.c.sum_r, tot.c.sum_f, tot.c.sum_m]
    keyed = select(*cols).select_from(source).subquery("keyed")
    extra = [func.max(c) for c in list(keyed.c)[1:]]
    return select(keyed.c.k, func.count().label("customers"), *extra).group_by(keyed.c.k)


def rfm_quantiles(as_of: dt.date, months: int, q: Fraction,
                  stored: FromClause | None = None) -> Select:
    """In one statement: how many customers have a class, and the value at position
    floor(q·(n−1)) of each sorted measure (R days, F, M cents). Integer arithmetic keeps the
    position the same on both databases. `stored` as for rfm_query."""
    agg = stored if stored is not None else rfm.window_values(as_of, months).cte("rfm_values")
    values = (agg.c.r, agg.c.f, agg.c.m)
    n = select(func.count()).select_from(agg).scalar_subquery()
    position = select((func.count() - 1) * q.numerator // q.denominator).select_from(
        agg).scalar_subquery()

    def at(value):
        return select(value).select_from(agg).order_by(value).offset(position).limit(
            1).scalar_subquery()
    return select(n, *(at(v) for v in values))


def rfm_class_filter(key: str, months: int = rfm.DEFAULT_MONTHS,
                     th: rfm.Thresholds | None = None) -> dict:
    params: dict[str, Any] = {}
    if months != rfm.DEFAULT_MONTHS:
        params["months"] = months
    if th is not None and th.mode == "fixed":
        params.update(mode="fixed", r_days=th.r_days, f=th.f, m=th.m)
    cond: dict[str, Any] = {"field": "rfm_class", "op": "=", "value": key}
    if params:
        cond["params"] = params
    return {"version": 1, "where": cond}


# --- lifecycle, tags, due soon --------------------------------------------------------------

def lifecycle_query(as_of: dt.date) -> Select:
    stages = select(d.lifecycle_stage(as_of).label("stage")).select_from(C).subquery("stages")
    return select(stages.c.stage, func.count()).group_by(stages.c.stage)


def lifecycle_filter(stage: str | None) -> dict:
    if stage is None:
        return {"version": 1, "where": {"field": "lifecycle_stage", "op": "is_null"}}
    return {"version": 1, "where": {"field": "lifecycle_stage", "op": "=", "value": stage}}


def tag_query(group: str | None = None) -> Select:
    # Each tag's count is a range of the (tag, customer) index: no join rows to sort.
    tagged = (select(func.count()).select_from(CustomerTag)
              .where(CustomerTag.tag_id == Tag.id).scalar_subquery())
    stmt = (
        select(TagGroup.name, Tag.name, tagged)
        .select_from(Tag)
        .join(TagGroup, Tag.group_id == TagGroup.id)
        .where(Tag.active.is_(True))
        .order_by(TagGroup.sort_order, TagGroup.name, Tag.name)
    )
    return stmt.where(TagGroup.name == group) if group else stmt


def tag_filter(group: str, tag: str) -> dict:
    return {"version": 1, "where": {"field": "tags", "op": "has_any", "value": [f"{group}/{tag}"]}}


def due_query(as_of: dt.date, days: int) -> Select:
    """Active vehicles whose date falls due in [as_of, as_of + days], and customers whose
    birthday does: all five counts in one statement."""
    counts = [
        select(func.count()).select_from(V).where(
            V.c.active.is_(True), d.falls_due(name, V.c[name], as_of, days)
        ).scalar_subquery().label(name)
        for name in DUE_FIELDS[:-1]
    ]
    birthdays = select(func.count()).select_from(C).where(d.birthday_due(as_of, days))
    return select(*counts, birthdays.scalar_subquery().label("birthday"))


def due_filter(name: str, days: int) -> dict:
    return {"version": 1, "where": {"field": name, "op": "due_within", "value": days}}


# --- referrals and service reminders --------------------------------------------------------

# Article 000: the few people who bring in many. Two people introduced already sets a customer
# apart from nearly all others.
BEST_REFERRER_MIN = 2
THANKS_MONTHS = 3  # someone they introduced bought a car in the last three months
# A car overdue longer than this has most likely gone to another garage: a win-back call, not
# a maintenance reminder.
OVERDUE_DAYS = 180


def referral_templates() -> list[TemplateSegment]:
    best = {"field": "referrals", "op": ">=", "value": BEST_REFERRER_MIN}
    thanks = {"field": "referrals_bought", "op": ">=", "value": 1,
              "params": {"months": THANKS_MONTHS}}
    ask = {"and": [{"field": "satisfaction_band", "op": "=", "value": "high"},
                   {"field": "unresolved_complaint", "op": "=", "value": False},
                   {"field": "referrals", "op": "=", "value": 0}]}
    return [
        TemplateSegment("referral.best", "老带新：最佳介绍人",
                        f"Referrals: best referrers ({BEST_REFERRER_MIN}+ people introduced)",
                        {"version": 1, "where": best}),
        TemplateSegment("referral.thanks", f"老带新：近{THANKS_MONTHS}个月介绍成交，致谢",
                        f"Referrals: thank them (someone they introduced bought in the last "
                        f"{THANKS_MONTHS} months)", {"version": 1, "where": thanks}, "ref_thanks"),
        TemplateSegment("referral.ask", "老带新：满意度高、未介绍过，邀请介绍",
                        "Referrals: ask for one (high satisfaction, no open complaint, nobody "
                        "introduced yet)", {"version": 1, "where": ask}, "ref_ask"),
    ]


def service_templates(due_days: int) -> list[TemplateSegment]:
    due = {"field": "days_to_maintenance", "op": "between", "value": [-OVERDUE_DAYS, due_days]}
    declined = {"field": "open_declined_items", "op": "=", "value": True,
                "params": {"days": due_days}}
    return [
        TemplateSegment("service.maintenance_due",
                        f"{due_days}天内保养到期（含逾期{OVERDUE_DAYS}天内）",
                        f"Maintenance due within {due_days} days (or overdue up to "
                        f"{OVERDUE_DAYS} days)", {"version": 1, "where": due}, "reminder"),
        TemplateSegment("service.declined_due", f"建议维修项目{due_days}天内到期（含逾期）",
                        f"Declined repairs due within {due_days} days (or overdue)",
                        {"version": 1, "where": declined}, "reminder"),
    ]


def catalog(km_floor: float | None = None, due_days: int = 30) -> tuple[TemplateSegment, ...]:
    """Every template cell as a filter the user can save (under its key or a name of their
    own) or build a list from by its key."""
    out: list[TemplateSegment] = []
    for yb in YEAR_BANDS:
        for sb in MATRIX_SAT_BANDS:
            zh_s, en_s = both("satisfaction_band", sb)
            # A satisfied owner of an old car is offered a new one (a sales list: marketing
            # consent asked, an open complaint holds it); an unhappy one, or one never asked,
            # gets care, never a sales call.
            out.append(TemplateSegment(
                f"matrix.{yb}.{sb}", f"换车九宫格：{yb}年 × 满意度{zh_s}",
                f"Replacement matrix: {yb} years × {en_s}", matrix_cell_filter(yb, sb, km_floor),
                "sales" if sb in ("middle", "high") else "care"))
    for key, zh, en, *_ in rfm.CLASSES:
        out.append(TemplateSegment(f"rfm.{key}", f"RFM：{zh}", f"RFM: {en}", rfm_class_filter(key)))
    for stage in LIFECYCLE_STAGES:
        zh, en = both("lifecycle_stage", stage)
        out.append(TemplateSegment(f"lifecycle.{stage}", f"生命周期：{zh}", f"Lifecycle: {en}",
                                   lifecycle_filter(stage)))
    for name in DUE_FIELDS:
        zh, en = both("due", name)
        out.append(TemplateSegment(f"due.{name}", f"{due_days}天内{zh}",
                                   f"{en} within {due_days} days", due_filter(name, due_days)))
    out += referral_templates()
    out += service_templates(due_days)
    return tuple(out)
