"""The one SQL query behind a list run: each segment member with every fact routing and
exclusion need (do-not-contact, consent, complaint, recent and failed contacts) computed in the
database as grouped joins, never as a per-customer loop (200k customers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement, FromClause, Select

from models import (
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    Customer,
    DeclinedItem,
    DoNotContact,
    ListRun,
    ListRunMember,
    ProfileChange,
    SatisfactionSurvey,
    Vehicle,
)
from services.lists.snapshot import REMINDER_DAYS
from services.segments import maintenance
from services.segments.context import Ctx, Question
from services.segments.derived import refusal_in_force, unresolved_complaint
from services.segments.mileage import estimated_km
from services.segments.sqlx import date_of, day

C = Customer.__table__
V = Vehicle.__table__
DONE = ("reached", "appointment", "bought", "refused", "sent")
FAILED = ("no_answer", "phone_off")
# A list for one purpose is blocked by a refusal of that purpose (or of every purpose);
# sales and marketing refuse each other, since customers do not tell them apart.
DNC_PURPOSES = {
    "care": ("reminder",), "callback": ("survey",), "survey": ("survey",),
    "reminder": ("reminder",), "recall": ("recall",), "sales": ("sales", "marketing"),
    "marketing": ("marketing", "sales"),
    # Asking a customer to introduce friends is an offer: a sales or marketing refusal blocks it.
    "ref_ask": ("marketing", "sales"),
}
SALES_PURPOSES = ("sales", "marketing", "ref_ask")
# A recall is the maker's safety notice: it goes out whatever other contact the owner had
# these days, and whatever other list they wait on (contact fatigue holds back nothing of it);
# a refusal of recalls still blocks it.
UNHELD_PURPOSES = ("recall",)
LOOKBACK_DAYS = 365  # failed calls further back do not count towards moving a customer on


def refuses(purpose: str) -> ColumnElement[bool]:
    """A do-not-contact row blocks a list for `purpose` (DNC_PURPOSES)."""
    d = DoNotContact
    return or_(d.purpose.is_(None), d.purpose.in_(DNC_PURPOSES.get(purpose, (purpose,))))


def _flag(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.max(case((cond, 1), else_=0))


def _declined_due(m: FromClause, as_of: dt.date) -> FromClause:
    """Per member with open declined repairs due within REMINDER_DAYS (overdue included, as the
    segment field open_declined_items counts them): how many, and the first two by due date
    (then the newest noted, as the brief lists them), each item and its due date (an item's
    own, else maintenance.DECLINED_DUE_DAYS after it was noted). Read from the members through
    the items' customer index, never the whole table."""
    di = DeclinedItem.__table__
    due = maintenance.declined_due_on()
    order = (due, di.c.recorded_on.desc(), di.c.id.desc())
    ranked = (
        select(m.c.customer_id, di.c.item, due.label("due_on"),
               func.row_number().over(partition_by=m.c.customer_id, order_by=order).label("n"),
               func.count().over(partition_by=m.c.customer_id).label("total"))
        .select_from(m.join(di, and_(*maintenance.open_declined_where(
            as_of, REMINDER_DAYS, m.c.customer_id))))
        .subquery("declined_ranked")
    )
    r = ranked.c
    return (
        select(r.customer_id, func.max(r.total).label("total"),
               *(func.max(case((r.n == n, col))).label(f"{name}{n}")
                 for n in (1, 2) for name, col in (("item", r.item), ("due", r.due_on))))
        .where(r.n <= 2).group_by(r.customer_id).subquery("declined_due")
    )


def list_members(members: Select) -> Select:
    """The segment's members as a list contacts them: one row per customer (customer_id) with
    the car the list is about (vehicle_id)."""
    seg = members.subquery("seg")
    newest = (select(V.c.id).where(V.c.customer_id == seg.c.customer_id, V.c.active.is_(True))
              .order_by(V.c.purchase_date.desc(), V.c.id.desc()).limit(1).scalar_subquery())
    # A matrix segment lists vehicles; a list contacts each customer once (lowest vehicle id).
    return (select(seg.c.customer_id, func.coalesce(func.min(seg.c.vehicle_id), newest)
                   .label("vehicle_id")).group_by(seg.c.customer_id))


def still_waiting(member, run) -> ColumnElement[bool]:
    """A list member whose contact is still to be made (`member`'s status open) on a run handed
    out: an unfinished run (killed before its files were complete) hands out nothing, a
    re-print finishes it; nor does a withdrawn one, until it is put back. `member` and `run`:
    the list_run_member and list_run rows (ORM classes, aliases or table columns)."""
    return and_(member.status == "open", run.finished_at.is_not(None),
                run.withdrawn_at.is_(None))


def on_another_list(customer_id, as_of: dt.date, fatigue_days: int,
                    segment_id: int | None) -> ColumnElement[int]:
    """The latest other list run the customer is still waiting on: finished and not withdrawn,
    of another segment, dated within the `fatigue_days` up to `as_of`, and their contact there
    still open (not called, not texted as far as Revisit knows). NULL when none. A customer in
    this week's reminder list and its birthday list was called twice, by two callers; a run
    of the same segment is the week's list again, and takes back whoever is still due."""
    if fatigue_days <= 0:
        return literal(None, Integer)
    lm = ListRunMember.__table__.alias("waiting_member")
    lr = ListRun.__table__.alias("waiting_run")
    other = lr.c.segment_id.is_(None) if segment_id is None else or_(
        lr.c.segment_id.is_(None), lr.c.segment_id != segment_id)
    return (select(func.max(lr.c.id)).select_from(lm.join(lr, lr.c.id == lm.c.run_id))
            .where(lm.c.customer_id == customer_id, still_waiting(lm.c, lr.c),
                   lr.c.as_of > day(as_of - dt.timedelta(days=fatigue_days)),
                   lr.c.as_of <= day(as_of), other)
            .scalar_subquery())


def candidate_query(members: Select | FromClause, as_of: dt.date, purpose: str, *,
                    ordered: bool = True, lateral: bool = False, fatigue_days: int = 0,
                    segment_id: int | None = None) -> Select:
    """One row per customer of the segment: contact facts, flags and what prints (by customer
    id when `ordered`). `members` is the segment's member query, or its list_members already
    made (a table of customer_id and vehicle_id). A reminder run's rows also say when the car
    is next due for maintenance and which declined repairs are due (REMINDER_FACTS); no other
    run pays for them. `lateral`: the database joins latest rows LATERAL (PostgreSQL), which a
    reminder run's maintenance visits want. `fatigue_days` and `segment_id` (the run's
    segment) say which other runs a member may still be waiting on (on_another_list)."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    m = (list_members(members) if isinstance(members, Select) else select(members)).cte("m")

    d = DoNotContact
    dnc = (
        select(d.customer_id, _flag(d.channel.is_(None)).label("all_channels"),
               _flag(d.channel == "phone").label("phone"), _flag(d.channel == "sms").label("sms"),
               _flag(d.channel == "mail").label("mail"),
               _flag(d.channel == "wechat").label("wechat"),
               _flag(d.channel == "visit").label("visit"),
               func.max(d.reason).label("reason"))
        .where(*refusal_in_force(as_of), refuses(purpose))
        .group_by(d.customer_id).subquery("dnc")
    )
    e = ContactEvent
    since = dt.datetime.combine(as_of - dt.timedelta(days=LOOKBACK_DAYS), dt.time())
    phone = e.channel == "phone"
    good_call = and_(phone, e.outcome.in_(DONE))
    # Each member's contacts of the last year, read once from the members through the
    # (customer, time) index (a 2,000-member list never reads everyone's year).
    failed_call = and_(phone, e.outcome.in_(FAILED))
    stats = (
        select(m.c.customer_id,
               func.max(case((e.outcome.in_(DONE), e.contact_at))).label("last_done"),
               func.max(case((good_call, e.contact_at))).label("last_ok"),
               func.max(case((failed_call, e.contact_at))).label("last_fail"),
               func.max(case((and_(phone, e.outcome == "wrong_number"), e.contact_at)))
               .label("last_wrong"))
        .select_from(m.join(e, and_(e.customer_id == m.c.customer_id, e.contact_at >= since,
                                    e.contact_at < end)))
        .group_by(m.c.customer_id).subquery("stats")
    )
    # The days with a failed call since the last good one (a dealer call centre's rule: five
    # failed days, then another channel; three calls unanswered in one afternoon are one
    # day), counted only for a customer whose last failure came after it (18,550 of 114,187
    # members): counted beside the grouping above, with each contact's last good call as a
    # window over the year's contacts, the year's 254,082 contacts were sorted for it (0.56 s
    # against 0.40 s).
    after = func.coalesce(stats.c.last_ok, since)
    fails = e.__table__.alias("fails")
    failed_days = func.count(date_of(fails.c.contact_at).distinct())
    failed = case((stats.c.last_fail > after, select(failed_days).where(
        fails.c.customer_id == stats.c.customer_id, fails.c.channel == "phone",
        fails.c.outcome.in_(FAILED), fails.c.contact_at > after, fails.c.contact_at < end)
        .scalar_subquery()), else_=0)
    consent = (select(ConsentEvent.granted)
               .where(ConsentEvent.customer_id == C.c.id, ConsentEvent.kind == "marketing",
                      ConsentEvent.event_date <= day(as_of))
               .order_by(ConsentEvent.event_date.desc(), ConsentEvent.id.desc())
               .limit(1).scalar_subquery())
    last_id = (select(e.id).where(e.customer_id == C.c.id, e.contact_at < end)
               .order_by(e.contact_at.desc(), e.id.desc()).limit(1).scalar_subquery())
    last = e.__table__.alias("last_contact")
    score = (select(SatisfactionSurvey.overall_score)
             .where(SatisfactionSurvey.customer_id == C.c.id,
                    SatisfactionSurvey.survey_date <= day(as_of))
             .order_by(SatisfactionSurvey.survey_date.desc(), SatisfactionSurvey.id.desc())
             .limit(1).scalar_subquery())
    # A number found wrong stops calls (routing.block_sql) until a later good call, or until
    # the customer's numbers were changed on or after that day: staff put the right one in.
    # Looked up only for the few with a wrong number this year.
    pc = ProfileChange
    changed = (select(func.max(pc.effective_date))
               .where(pc.customer_id == C.c.id, pc.attribute.in_(("mobile", "other_phones")))
               .scalar_subquery())
    wrong_day = date_of(stats.c.last_wrong)
    last_wrong = case((stats.c.last_wrong.is_(None), None), (changed >= wrong_day, None),
                      else_=wrong_day)
    reminder = purpose == "reminder"
    # A reminder run's latest rows (the last maintenance visit, the interval, the readings)
    # joined LATERAL on PostgreSQL: looked up by "id = (subquery)" instead, its facts of the
    # 20,000 customers of a demo took 4.1 s against 1.8 s. Other runs keep their joins.
    ctx = Ctx(Question(as_of), lateral=lateral and reminder)
    km = estimated_km(ctx)
    extra: list[ColumnElement[Any]] = []
    if reminder:
        # The same due date, first-service and no-record rules as the segment field and the
        # brief.
        extra += [maintenance.due_date(ctx).label("maintenance_due"),
                  case((maintenance.first_service(ctx), 1), else_=0).label("first_service"),
                  maintenance.told(ctx).label("maintenance_told"),
                  case((maintenance.no_record(ctx), 1), else_=0).label("no_record")]
    p = ContactPreference.__table__
    source: FromClause = (m.join(C, C.c.id == m.c.customer_id)
              .outerjoin(V, V.c.id == m.c.vehicle_id)
              .outerjoin(p, p.c.customer_id == C.c.id)
              .outerjoin(dnc, dnc.c.customer_id == C.c.id)
              .outerjoin(stats, stats.c.customer_id == C.c.id)
              .outerjoin(last, last.c.id == last_id))
    source = ctx.outerjoin_all(source)
    if reminder:
        declined = _declined_due(m, as_of)
        source = source.outerjoin(declined, declined.c.customer_id == C.c.id)
        extra += [func.coalesce(declined.c.total, 0).label("declined_total"),
                  *(declined.c[f"{name}{n}"].label(f"declined_{name}{n}")
                    for n in (1, 2) for name in ("item", "due"))]
    sales = purpose in SALES_PURPOSES
    query = (
        select(
            C.c.id.label("customer_id"), V.c.id.label("vehicle_id"), C.c.code, C.c.name,
            C.c.contact_name, C.c.gender, C.c.mobile, C.c.other_phones, C.c.province,
            C.c.city, C.c.district, C.c.street, C.c.postcode, C.c.wechat_id,
            C.c.owner_staff_id, C.c.birthday_md, C.c.name_sort, V.c.brand, V.c.model,
            V.c.plate, V.c.purchase_date, V.c.insurance_expiry, V.c.warranty_end,
            km.label("km"),
            p.c.channel_order, p.c.preferred_days, p.c.time_windows, p.c.hour_from, p.c.hour_to,
            func.coalesce(dnc.c.all_channels, 0).label("dnc_all"),
            func.coalesce(dnc.c.phone, 0).label("dnc_phone"),
            func.coalesce(dnc.c.sms, 0).label("dnc_sms"),
            func.coalesce(dnc.c.mail, 0).label("dnc_mail"),
            func.coalesce(dnc.c.wechat, 0).label("dnc_wechat"),
            func.coalesce(dnc.c.visit, 0).label("dnc_visit"),
            dnc.c.reason.label("dnc_reason"),
            (consent if sales else literal(True)).label("consent"),
            (case((unresolved_complaint(as_of), 1), else_=0) if sales
             else literal(0, Integer)).label("complaint"),
            # Days, not moments: the rules compare calendar days (a wrong number "on or after"
            # the last good call, a fatigue window counted in days).
            date_of(stats.c.last_done).label("last_done"),
            date_of(stats.c.last_ok).label("last_ok"),
            date_of(stats.c.last_fail).label("last_fail"),
            last_wrong.label("last_wrong"),
            failed.label("failed_calls"),
            on_another_list(C.c.id, as_of, fatigue_days, segment_id).label("on_list"),
            last.c.contact_at.label("last_at"), last.c.outcome.label("last_outcome"),
            last.c.feedback.label("last_feedback"), score.label("score"), *extra,
        )
        .select_from(source)
    )
    return query.order_by(C.c.id) if ordered else query
