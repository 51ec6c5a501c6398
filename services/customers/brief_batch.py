"""The condensed pre-call brief of many customers at once, for the call sheet: last spend,
satisfaction and its direction, open complaints, intent, how money, family and work changed
since the car was bought, and the purpose the suggestion rules propose — read with a few
grouped queries per chunk of customers, never one brief per customer.

Every item means what it means in the full brief (services/customers/brief.py) on the same
day: the pieces read here are put together into a Brief holding what the suggestion rules test
(`facts_of`), so the rules see the same facts as in the follow-up workspace."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import (
    Complaint,
    ConsentEvent,
    ContactEvent,
    Customer,
    DeclinedItem,
    DoNotContact,
    ListRunMember,
    MileageReading,
    OtherPurchase,
    ProfileChange,
    PurchaseIntent,
    Referral,
    ReferralByCustomer,
    SatisfactionSurvey,
    ServiceVisit,
    Vehicle,
)
from services.customers.birthdays import age_on
from services.customers.brief import (
    READINGS_APART_DAYS,
    TRACKED,
    Brief,
    CarLine,
    Spend,
    car_line,
    trends_of,
)
from services.customers.detail import ComplaintInfo, IntentInfo, Refusal, SurveyInfo, VehicleInfo
from services.customers.referrals import ReferralInfo, Referrals
from services.customers.reminders import DeclinedInfo, due_rows
from services.customers.suggest import chosen_rule, load_rules_in
from services.customers.suggest_rules import RuleSet
from services.outputs.types import ListDocument
from services.segments.context import V
from services.segments.maintenance import declined_due_on
from services.segments.sqlx import add_days
from services.store.errors import CancelToken

# Customers per round of queries. SQLite (3.32 and later; Python 3.11 ships 3.40) allows
# 32,766 bound parameters in a statement and PostgreSQL 65,535; no query here binds the ids
# more than twice. A whole weekly sheet in one round: 2,000 members in rounds of 900 took
# 0.03 s longer.
CHUNK = 2500


@dataclass(frozen=True)
class CondensedBrief:
    """What a caller reads in ten seconds: each item None (or 0, False) when nothing is known."""

    customer_id: int
    as_of: dt.date
    last_spend: Spend | None
    satisfaction: int | None  # the latest survey's overall score
    satisfaction_date: dt.date | None
    satisfaction_before: int | None  # the survey before it
    open_complaints: int
    intent_strength: str | None
    intent_window: str | None
    economy: str | None  # "up", "down" since the car was bought; None: unchanged or unknown
    family_changed: bool
    work_changed: bool
    purpose: str | None  # the suggested next step's purpose; None: no rule fits
    rule: str | None

    @property
    def satisfaction_trend(self) -> str | None:
        """"up", "down" or "same" against the survey before; None with fewer than two."""
        now, before = self.satisfaction, self.satisfaction_before
        if now is None or before is None:
            return None
        return "up" if now > before else "down" if now < before else "same"


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i:i + CHUNK])


class _Chunk:
    """Everything read for one chunk of customers, in one session. Core statements on the
    session's connection: no ORM objects, plain rows."""

    def __init__(self, s: Session, ids: list[int], as_of: dt.date) -> None:
        self.s, self.ids, self.as_of = s, ids, as_of
        self.run = s.connection().execute
        self.owner: dict[int, int] = {}  # car → customer, cars still owned

    def customers(self) -> dict[int, tuple[Any, ...]]:
        rows = self.run(select(Customer.id, Customer.code, Customer.name, Customer.birthday,
                               Customer.lifecycle_stage).where(Customer.id.in_(self.ids)))
        return {r[0]: tuple(r) for r in rows}

    def cars(self) -> dict[int, list[CarLine]]:
        """Each customer's cars still owned, in the brief's order, with the km estimate of
        the first (the one the rules look at). Sold cars play no part in the rules."""
        v = Vehicle
        by_customer: dict[int, list] = defaultdict(list)
        for r in self.run(
                select(v.id, v.customer_id, v.brand, v.model, v.plate, v.purchase_date,
                       v.price_paid, v.payment_method, v.insurance_expiry, v.warranty_end)
                .where(v.customer_id.in_(self.ids), v.active.is_(True))
                .order_by(v.purchase_date, v.id)):
            by_customer[r[1]].append(r)
        self.owner = {r[0]: customer for customer, cars in by_customer.items() for r in cars}
        for cars in by_customer.values():  # stable: equals keep the stored order
            cars.sort(key=lambda r: -(r[5].toordinal() if r[5] else 0))
        readings = self.km_readings([cars[0][0] for cars in by_customer.values()])
        out = {}
        for customer, cars in by_customer.items():
            first = cars[0]
            lines = [car_line(VehicleInfo(
                first[0], first[2], first[3], first[4], None, first[5], first[6], first[7],
                None, first[8], first[9], None, True, readings.get(first[0], ())), self.as_of)]
            # The others' dates only: the rules read the km of the first car alone.
            lines += [CarLine(r[0], "", r[5], None, r[6], r[7], None, None, None, True, r[8],
                              r[9]) for r in cars[1:]]
            out[customer] = lines
        return out

    def km_readings(self, vehicle_ids: list[int]) -> dict[int, tuple]:
        """The two readings of each car the km estimate draws its line through (brief.py
        `estimate_km`): the last one up to the day and the last one at least 30 days before
        it — the highest km on a day with two."""
        m, day = MileageReading, self.as_of
        a, b = m.__table__.alias("older_pick"), m.__table__.alias("older")
        last_id = (select(a.c.id).where(a.c.vehicle_id == Vehicle.id, a.c.reading_date <= day)
                   .order_by(a.c.reading_date.desc(), a.c.km.desc(), a.c.id.desc()).limit(1)
                   .scalar_subquery())
        last = m.__table__
        picked = (select(Vehicle.id.label("vehicle_id"), last_id.label("last_id"))
                  .where(Vehicle.id.in_(vehicle_ids)).subquery())
        older_id = (select(b.c.id).where(
                        b.c.vehicle_id == picked.c.vehicle_id,
                        b.c.reading_date <= add_days(last.c.reading_date,
                                                     -READINGS_APART_DAYS))
                    .order_by(b.c.reading_date.desc(), b.c.km.desc(), b.c.id.desc()).limit(1)
                    .scalar_subquery())
        rows = self.run(select(picked.c.vehicle_id, last.c.reading_date, last.c.km,
                               older_id).join(last, last.c.id == picked.c.last_id)).all()
        wanted = [r[3] for r in rows if r[3] is not None]
        older = {i: (d, km) for i, d, km in self.run(
            select(m.id, m.reading_date, m.km).where(m.id.in_(wanted)))}
        out = {}
        for vid, d1, k1, before in rows:
            pair = [(d1, k1, "")]
            if before is not None:
                pair.insert(0, (*older[before], ""))
            out[vid] = tuple(pair)
        return out

    def latest(self, table, columns: Sequence[str], where, order) -> Sequence[Any]:
        """`columns` of the row of `table` each customer has first by `order(t)` among the
        rows `where(t)` keeps (t: the table), found one customer at a time through the
        table's customer index rather than by ranking all their rows."""
        t, x = table.__table__, table.__table__.alias()
        pick = (select(x.c.id).where(x.c.customer_id == Customer.id, *where(x))
                .order_by(*order(x)).limit(1).scalar_subquery())
        chosen = select(pick).where(Customer.id.in_(self.ids))
        return self.run(select(t.c.customer_id, *(t.c[n] for n in columns))
                        .where(t.c.id.in_(chosen))).all()

    def last_spends(self) -> tuple[dict[int, Spend], dict[int, dt.date]]:
        """The latest spend (a visit or a purchase with an amount) and the latest visit's day;
        on one day a visit before a purchase, the later stored first, as in the brief."""
        day = self.as_of
        visits = self.latest(ServiceVisit, ("visit_date", "amount", "visit_type"),
                             lambda t: (t.c.amount > 0, t.c.visit_date <= day),
                             lambda t: (t.c.visit_date.desc(), t.c.id.desc()))
        spends = {c: Spend(d, a, k) for c, d, a, k in visits}
        bought = self.latest(OtherPurchase, ("purchase_date", "amount", "kind"),
                             lambda t: (t.c.amount > 0, t.c.purchase_date <= day),
                             lambda t: (t.c.purchase_date.desc(), t.c.id.desc()))
        for c, d, a, k in bought:
            if c not in spends or d > spends[c].date:
                spends[c] = Spend(d, a, k)
        sv = ServiceVisit
        last_visit = dict(self.run(
            select(sv.customer_id, func.max(sv.visit_date))
            .where(sv.customer_id.in_(self.ids), sv.visit_date <= day)
            .group_by(sv.customer_id)).all())
        return spends, last_visit

    def surveys(self) -> dict[int, list[SurveyInfo]]:
        """The last two surveys up to the day, in the brief's order: by day, and on one day
        the first stored last (its sort keeps the page's newest-first order of equals)."""
        ss = SatisfactionSurvey
        out: dict[int, list[SurveyInfo]] = defaultdict(list)
        for c, d, score in self.run(
                select(ss.customer_id, ss.survey_date, ss.overall_score)
                .where(ss.customer_id.in_(self.ids), ss.survey_date <= self.as_of)
                .order_by(ss.customer_id, ss.survey_date, ss.id.desc())):
            out[c].append(SurveyInfo(d, score, None, None, None, None, None))
        return {c: taken[-2:] for c, taken in out.items()}

    def open_complaints(self) -> dict[int, list[ComplaintInfo]]:
        c = Complaint
        out: dict[int, list[ComplaintInfo]] = defaultdict(list)
        for cid, opened, topic, resolved, resolved_date in self.run(
                select(c.customer_id, c.opened_date, c.topic, c.resolved, c.resolved_date)
                .where(c.customer_id.in_(self.ids), c.opened_date <= self.as_of,
                       or_(c.resolved.is_(False), c.resolved_date > self.as_of))
                .order_by(c.opened_date.desc())):
            out[cid].append(ComplaintInfo(opened, topic, resolved, resolved_date, None))
        return out

    def intents(self) -> dict[int, IntentInfo]:
        day = self.as_of
        rows = self.latest(PurchaseIntent, ("recorded_date", "strength", "time_window"),
                           lambda t: (t.c.recorded_date <= day,),
                           lambda t: (t.c.recorded_date.desc(), t.c.id.desc()))
        return {c: IntentInfo(d, strength, None, window, None, None)
                for c, d, strength, window in rows}

    def last_contacts(self) -> dict[int, dt.date]:
        ce = ContactEvent
        after = dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time())
        rows = self.run(select(ce.customer_id, func.max(ce.contact_at))
                              .where(ce.customer_id.in_(self.ids), ce.contact_at < after)
                              .group_by(ce.customer_id))
        return {c: (at.date() if isinstance(at, dt.datetime) else
                    dt.datetime.fromisoformat(str(at)).date()) for c, at in rows}

    def profile(self) -> dict[int, dict[str, list[tuple[dt.date, str | None]]]]:
        """Each customer's changes of the attributes the brief follows, up to the day, in the
        order they took effect (then were recorded)."""
        p = ProfileChange
        out: dict[int, dict[str, list[tuple[dt.date, str | None]]]] = defaultdict(dict)
        for cid, attribute, value, day in self.run(
                select(p.customer_id, p.attribute, p.new_value, p.effective_date)
                .where(p.customer_id.in_(self.ids), p.attribute.in_(TRACKED + ("temperament",)),
                       p.effective_date <= self.as_of)
                .order_by(p.customer_id, p.effective_date, p.recorded_at, p.id)):
            out[cid].setdefault(attribute, []).append((day, value))
        return out

    def refusals(self) -> dict[int, list[Refusal]]:
        d = DoNotContact
        out: dict[int, list[Refusal]] = defaultdict(list)
        for row in self.run(
                select(d.id, d.customer_id, d.channel, d.purpose, d.set_on, d.expires_on,
                       d.lifted_on)
                .where(d.customer_id.in_(self.ids), d.set_on <= self.as_of)):
            refusal = Refusal(row.id, row.channel, row.purpose, "", "", row.set_on,
                              row.expires_on, row.lifted_on, None)
            if refusal.active_on(self.as_of):
                out[row.customer_id].append(refusal)
        return out

    def consent(self) -> dict[int, bool]:
        """The latest consent event's answer, whatever its day (as the customer page)."""
        rows = self.latest(ConsentEvent, ("granted",), lambda t: (),
                           lambda t: (t.c.event_date.desc(), t.c.id.desc()))
        return {c: bool(g) for c, g in rows}

    def declined(self) -> dict[int, list[DeclinedInfo]]:
        d = DeclinedItem
        out: dict[int, list[DeclinedInfo]] = defaultdict(list)
        for row in self.run(
                select(d.id, d.customer_id, d.vehicle_id, d.item, d.recorded_on, d.source,
                       declined_due_on().label("due"), d.status, d.closed_on,
                       d.due_on.is_not(None).label("given"))
                .where(d.customer_id.in_(self.ids), d.recorded_on <= self.as_of,
                       or_(d.closed_on.is_(None), d.closed_on > self.as_of))):
            out[row.customer_id].append(DeclinedInfo(
                row.id, row.customer_id, row.vehicle_id, "", row.item, row.recorded_on,
                row.source, row.due, row.status, row.closed_on, "", "", None, bool(row.given)))
        return out

    def referrals(self) -> dict[int, Referrals]:
        """Whom each customer introduced up to the day, and whether they bought since."""
        r, by = Referral, ReferralByCustomer
        bought = (select(func.min(Vehicle.purchase_date))
                  .where(Vehicle.customer_id == r.customer_id,
                         Vehicle.purchase_date >= r.referred_on,
                         Vehicle.purchase_date <= self.as_of)
                  .scalar_subquery())
        made: dict[int, list[ReferralInfo]] = defaultdict(list)
        for rid, referrer, introduced, on, bought_on in self.run(
                select(r.id, by.customer_id, r.customer_id, r.referred_on, bought)
                .join(by, by.referral_id == r.id)
                .where(by.customer_id.in_(self.ids), r.referred_on <= self.as_of,
                       r.customer_id != by.customer_id)):
            made[referrer].append(ReferralInfo(rid, on, "customer", introduced, "", "",
                                               referrer, "", "", bought_on, None, None))
        return {c: Referrals(self.as_of, (), tuple(infos)) for c, infos in made.items()}

    def maintenance(self) -> dict[int, list]:
        """Each car still owned and its next maintenance (after `cars`, which knows whose
        each car is)."""
        out: dict[int, list] = defaultdict(list)
        for due in due_rows(self.s, V.c.customer_id.in_(self.ids), self.as_of):
            out[self.owner[due.vehicle_id]].append(due)
        return out


def _condense(b: Brief, rules: RuleSet) -> CondensedBrief:
    trends = {t.attribute: t for t in b.trends}
    economy = trends.get("economic_band")
    family = any(trends[a].direction != "same" for a in ("marital_status", "household")
                 if a in trends)
    work = any(trends[a].direction != "same" for a in ("occupation", "employment")
               if a in trends)
    chosen = chosen_rule(b, rules)  # the same choice as the full brief's
    return CondensedBrief(
        customer_id=b.customer_id, as_of=b.as_of, last_spend=b.last_spend,
        satisfaction=b.last_survey.overall if b.last_survey else None,
        satisfaction_date=b.last_survey.date if b.last_survey else None,
        satisfaction_before=b.survey_trend[-2] if len(b.survey_trend) > 1 else None,
        open_complaints=len(b.open_complaints),
        intent_strength=b.intent.strength if b.intent else None,
        intent_window=b.intent.window if b.intent else None,
        economy=economy.direction if economy and economy.direction in ("up", "down") else None,
        family_changed=family, work_changed=work,
        purpose=chosen.purpose if chosen else None, rule=chosen.name if chosen else None)


def _briefs_of_chunk(s: Session, ids: list[int], as_of: dt.date,
                     rules: RuleSet) -> Iterator[tuple[int, Brief]]:
    part = _Chunk(s, ids, as_of)
    customers = part.customers()
    cars = part.cars()
    spends, last_visit = part.last_spends()
    surveys, complaints = part.surveys(), part.open_complaints()
    intents, contacts = part.intents(), part.last_contacts()
    profile, refusals, consent = part.profile(), part.refusals(), part.consent()
    declined, referrals, maintenance = part.declined(), part.referrals(), part.maintenance()
    for cid in ids:
        if cid not in customers:
            continue  # erased or merged away since the list was made
        _, code, name, birthday, stage = customers[cid]
        owned = cars.get(cid, [])
        newest_bought = next((c.bought for c in owned if c.bought), None)
        trends, kept = trends_of(profile.get(cid, {}), newest_bought)
        taken = surveys.get(cid, [])
        contacted = contacts.get(cid)
        due = sorted(maintenance.get(cid, ()), key=lambda m: (m.due is None, m.due or as_of))
        visited = last_visit.get(cid)
        yield cid, Brief(
            customer_id=cid, code=code, name=name, mobile=None, gender=None,
            age=age_on(birthday, as_of), stage=stage, as_of=as_of, last_contact=None,
            days_since_contact=None if contacted is None else (as_of - contacted).days,
            last_spend=spends.get(cid), last_survey=taken[-1] if taken else None,
            survey_trend=tuple(x.overall for x in taken), trends=tuple(trends),
            kept=tuple(kept), cars=tuple(owned),
            open_complaints=tuple(complaints.get(cid, ())), resolved_complaints=0,
            intent=intents.get(cid), preferences=None, refusals=tuple(refusals.get(cid, ())),
            marketing_consent=consent.get(cid), referrals=referrals.get(cid),
            maintenance=tuple(due), declined=tuple(declined.get(cid, ())),
            last_visit=None if visited is None else Spend(visited, Decimal(0), ""))


def condensed_briefs(sessions: sessionmaker[Session], customer_ids: Iterable[int],
                     as_of: dt.date, cancel: CancelToken | None = None
                     ) -> dict[int, CondensedBrief]:
    """The condensed brief of each customer on `as_of`, by customer id; customers no longer
    stored are left out. `cancel` is looked at between rounds."""
    ids = sorted(set(customer_ids))
    out: dict[int, CondensedBrief] = {}
    with sessions() as s:
        rules = load_rules_in(s)
        for chunk in _chunks(ids):
            if cancel is not None:
                cancel.check()
            for cid, brief in _briefs_of_chunk(s, chunk, as_of, rules):
                out[cid] = _condense(brief, rules)
    return out


def sheet_briefs(sessions: sessionmaker[Session], doc: ListDocument,
                 cancel: CancelToken | None = None) -> dict[str, CondensedBrief]:
    """The condensed briefs of a list's call members on the run's day, by row code: for a
    stored run through its members' rows, otherwise by customer code."""
    members = doc.of_channel("call")
    with sessions() as s:
        if doc.run_id is not None:
            lm = ListRunMember
            called = {m.row_code for m in members}
            # A run stores the list channel "call" as the contact channel "phone".
            rows = [(code, cid) for code, cid in s.execute(
                select(lm.row_code, lm.customer_id)
                .where(lm.run_id == doc.run_id, lm.channel == "phone")) if code in called]
        else:
            codes = [m.customer_code for m in members if m.customer_code]
            by_code: dict[str, int] = {}
            for chunk in (codes[i:i + CHUNK] for i in range(0, len(codes), CHUNK)):
                by_code.update(s.execute(select(Customer.code, Customer.id)
                                         .where(Customer.code.in_(chunk))).all())
            rows = [(m.row_code, by_code[m.customer_code]) for m in members
                    if m.customer_code in by_code]
    customer_of = dict(rows)
    briefs = condensed_briefs(sessions, customer_of.values(), doc.as_of, cancel)
    return {code: briefs[cid] for code, cid in customer_of.items() if cid in briefs}
