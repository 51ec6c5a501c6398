"""The dashboard's questions about owners as of a date: open complaints by age, owners drifting
away (no service visit in 12 / 18 months) by replacement-matrix cell, and consent and
do-not-contact coverage. Each figure carries the segment filter of the customers it counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from models import (
    ConsentEvent,
    ContactEvent,
    Customer,
    DoNotContact,
    SatisfactionSurvey,
    ServiceVisit,
    Vehicle,
)
from services.labels import both
from services.reports.figures import COMPLAINT_AGES, DRIFT_MONTHS, Figure, and_filter, segment
from services.segments import templates as tpl
from services.segments.derived import complaint_open_on, months_before, refusal_in_force
from services.segments.field_sql import oldest_open_complaint
from services.segments.matrix import latest_score
from services.segments.sqlx import day, no_index

COVERAGE_CHANNELS = ("phone", "sms", "mail")


def complaints(s: Session, end: dt.date) -> tuple[tuple[Figure, ...], int | None]:
    """Open complaints on `end`: how many ("open", per complaint), the customers with one
    ("customers"), and those customers by the age of their oldest open complaint (one bar per
    COMPLAINT_AGES band, per customer, so each bar opens as the segment of its customers:
    field oldest_complaint_days); with the oldest complaint's age in days."""
    oldest = oldest_open_complaint(end)
    # Age bands as opening-date cut-offs: age ≥ a days ⇔ opened on or before end − a.
    band = case(
        *((oldest.c.opened > day(end - dt.timedelta(days=hi)), key)
          for key, _lo, hi in COMPLAINT_AGES if hi is not None),
        else_=COMPLAINT_AGES[-1][0],
    )
    rows: dict[str, int] = {
        k: n for k, n in s.execute(select(band, func.count()).select_from(oldest).group_by(band))}
    complaints_open = s.scalar(select(func.count()).where(complaint_open_on(end))) or 0
    first = s.scalar(select(func.min(oldest.c.opened)))
    figures = [Figure("open", *both("report", "open_complaints"), complaints_open),
               Figure("customers", *both("report", "complaint_customers"), sum(rows.values()),
                      None, segment({"field": "unresolved_complaint", "op": "=", "value": True}))]
    for key, lo, hi in COMPLAINT_AGES:
        age: dict[str, Any] = ({"field": "oldest_complaint_days", "op": ">=", "value": lo}
                               if hi is None else
                               {"field": "oldest_complaint_days", "op": "between",
                                "value": [lo, hi - 1]})
        figures.append(Figure(key, f"最早未解决投诉 {key} 天的客户",
                              f"Customers whose oldest open complaint is {key} days old",
                              int(rows.get(key, 0)), None, segment(age)))
    return tuple(figures), (end - first).days if first is not None else None


def drift(s: Session, end: dt.date) -> tuple[Figure, ...]:
    """Matrix vehicles (owned ≥ 5 years) whose owner has had no service visit in the last 12 /
    18 months up to `end`, by matrix cell."""
    V = Vehicle.__table__
    cuts = {m: months_before(end, m) for m in DRIFT_MONTHS}
    short, long_ = DRIFT_MONTHS
    source: Any = V
    if s.get_bind().dialect.name == "postgresql":
        # Each vehicle's owner's last visit in the longer window and latest score as LATERAL
        # joins: PostgreSQL runs a subquery in the select list as a subplan per row and per
        # mention, and this took 0.5–0.7 s against 0.8–0.9 s at 200,000 customers.
        last = (select(func.max(ServiceVisit.visit_date).label("day"))
                .where(ServiceVisit.customer_id == V.c.customer_id,
                       ServiceVisit.visit_date > day(cuts[long_]),
                       ServiceVisit.visit_date <= day(end))
                .lateral("last_visit"))
        survey = SatisfactionSurvey.__table__.c
        latest = (select(survey.overall_score)
                  .where(survey.customer_id == V.c.customer_id, survey.survey_date <= day(end))
                  .order_by(survey.survey_date.desc(), survey.id.desc())
                  .limit(1)
                  .lateral("latest_survey"))
        source = V.outerjoin(last, true()).outerjoin(latest, true())
        drifted = case((last.c.day > day(cuts[short]), 0), (last.c.day.is_not(None), short),
                       else_=long_).label("drift")
        score: ColumnElement = latest.c.overall_score.label("score")
    else:
        # SQLite copies a scalar subquery into every CASE branch that names it: two EXISTS,
        # the second asked only when the first fails. The id, not "*", keeps each probe
        # inside the (customer, date, amount) index.
        def visited_since(cut: dt.date) -> ColumnElement[bool]:
            return (select(ServiceVisit.id)
                    .where(ServiceVisit.customer_id == V.c.customer_id,
                           ServiceVisit.visit_date > day(cut),
                           ServiceVisit.visit_date <= day(end))
                    .exists())

        drifted = case((visited_since(cuts[short]), 0), (visited_since(cuts[long_]), short),
                       else_=long_).label("drift")
        score = latest_score(end, V.c.customer_id).label("score")
    band = case(
        (V.c.purchase_date <= day(tpl._years_cut(end, 7)), "7+"),
        (V.c.purchase_date <= day(tpl._years_cut(end, 6)), "6-7"),
        else_="5-6",
    ).label("band")
    rows = s.execute(
        select(band, score, drifted, func.count())
        .select_from(source)
        .where(V.c.active.is_(True), no_index(V.c.purchase_date) <= day(tpl._years_cut(end, 5)))
        .group_by(band, score, drifted)
    ).all()
    counts: dict[tuple[int, str, str], int] = {}
    for b, sc, months, n in rows:
        for m in DRIFT_MONTHS:
            if months >= m:  # no visit in 18 months is no visit in 12 months too
                key = (m, b, tpl.score_band(sc))
                counts[key] = counts.get(key, 0) + n
    out = []
    for m in DRIFT_MONTHS:
        days = (end - cuts[m]).days
        for yb in tpl.YEAR_BANDS:
            for sb in tpl.MATRIX_SAT_BANDS:
                zh, en = both("satisfaction_band", sb)
                flt = and_filter(tpl.matrix_cell_filter(yb, sb),
                                 {"field": "days_since_last_visit", "op": ">=", "value": days})
                out.append(Figure(f"{m}/{yb}/{sb}", f"{m}个月未进厂 {yb}年 × {zh}",
                                  f"No visit in {m} months, {yb} years × {en}",
                                  counts.get((m, yb, sb), 0), None, flt))
    return tuple(out)


def known_by(end: dt.date) -> ColumnElement[bool]:
    """A customer known on `end`: entered by then, or with a car bought, a service visit or
    a contact on or before it. A department that imports its history starts with every
    customer entered today; a report of a past period counts those its own records date
    before the period's end, and not the customers entered since (0.04–0.08 s for the
    200,000-customer demo on SQLite)."""
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    return or_(Customer.created_at < until,
               exists().where(Vehicle.customer_id == Customer.id,
                              Vehicle.purchase_date <= day(end)),
               exists().where(ServiceVisit.customer_id == Customer.id,
                              ServiceVisit.visit_date <= day(end)),
               exists().where(ContactEvent.customer_id == Customer.id,
                              ContactEvent.contact_at < until))


def coverage(s: Session, end: dt.date) -> tuple[Figure, ...]:
    """The customers known on `end` (known_by) and how many of them consented to marketing
    or refused contact then. The consents and refusals are counted from their tables
    themselves (a fraction of the customers), not by probing them once per customer; the
    same rules as the segment fields marketing_consent and do_not_contact."""
    customers = s.scalar(select(func.count()).select_from(Customer).where(known_by(end))) or 0
    ce, later = ConsentEvent, aliased(ConsentEvent)
    # The latest marketing event on or before `end` per customer, granted: no later one
    # exists (a probe of the (customer, kind, date, id) index per event).
    consent = s.scalar(select(func.count()).where(
        ce.kind == "marketing", ce.event_date <= day(end), ce.granted.is_(True),
        ~exists().where(later.customer_id == ce.customer_id, later.kind == "marketing",
                        later.event_date <= day(end),
                        or_(later.event_date > ce.event_date,
                            and_(later.event_date == ce.event_date, later.id > ce.id))))) or 0
    dnc = DoNotContact
    in_force = refusal_in_force(end)
    cols: list[Any] = [func.count(dnc.customer_id.distinct())]
    cols += [func.count(case((or_(dnc.channel.is_(None), dnc.channel == ch), dnc.customer_id))
                        .distinct()) for ch in COVERAGE_CHANNELS]
    refusals = [int(v or 0) for v in s.execute(select(*cols).where(*in_force)).one()]
    values = [consent, *refusals]
    out = [
        Figure("customers", *both("report", "customers"), customers, None, None),
        Figure("consent", *both("report", "consent"), values[0], None,
               segment({"field": "marketing_consent", "op": "=", "value": True})),
        Figure("dnc", *both("report", "dnc"), values[1], None,
               segment({"field": "do_not_contact", "op": "=", "value": True})),
    ]
    for ch, v in zip(COVERAGE_CHANNELS, values[2:], strict=True):
        zh, en = both("channel", ch)
        out.append(Figure(f"dnc/{ch}", f"勿扰：{zh}", f"Do-not-contact: {en}", v, None,
                          segment({"field": "do_not_contact", "op": "=", "value": True,
                                   "params": {"channel": ch}})))
    return tuple(out)
