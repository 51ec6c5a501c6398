"""Did the suggested next steps work? For the decisions of a period, per rule: how many were
accepted, changed and dismissed, and how many of those customers then had a reached contact,
came back for service or bought a car within 30 and 90 days.

Definitions (counted by the database in one grouped statement):
- a decision belongs to the period by its day (`as_of`, the brief's day), both ends included;
- each customer counts once per rule and action, from their first such decision in the period;
- the window of a decision is its day and the N days after it, [day, day + N]: the day itself
  counts, since the call a decision leads to is usually made right after it;
- reached: a contact with a reached outcome (services/reports/figures.py REACHED); came back:
  a service visit; bought: a vehicle with its purchase date in the window — the measures of the
  effect-of-contact report (services/reports/effect.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from models import ContactEvent, ServiceVisit, SuggestionDecision, Vehicle
from models.suggestion import SUGGESTION_ACTIONS
from services.reports.dashboard import check_period
from services.reports.figures import REACHED
from services.segments.sqlx import add_days, day

WINDOWS = (30, 90)
MEASURES = ("reached", "came_back", "bought")


@dataclass(frozen=True)
class ActionOutcome:
    """The customers one action was taken for, and how many of them did each measure."""

    customers: int
    counts: tuple[tuple[int, str, int], ...]  # (window days, measure, customers)

    def count(self, window: int, measure: str) -> int:
        return next(n for w, m, n in self.counts if (w, m) == (window, measure))

    def rate(self, window: int, measure: str) -> float | None:
        return self.count(window, measure) / self.customers if self.customers else None


EMPTY = ActionOutcome(0, tuple((w, m, 0) for w in WINDOWS for m in MEASURES))


@dataclass(frozen=True)
class RuleEffect:
    rule: str
    actions: tuple[tuple[str, ActionOutcome], ...]  # every action of SUGGESTION_ACTIONS

    def of(self, action: str) -> ActionOutcome:
        return dict(self.actions)[action]

    @property
    def decisions(self) -> int:
        return sum(o.customers for _, o in self.actions)


@dataclass(frozen=True)
class SuggestionEffect:
    start: dt.date
    end: dt.date
    complete_windows: tuple[int, ...]  # windows whose last day, for the period's last
    # decision, is on or before `today`: later windows are still filling up
    rules: tuple[RuleEffect, ...]  # most decisions first


def _measures(customer: ColumnElement[int], first: ColumnElement[dt.date]) -> list:
    cols = []
    for window in WINDOWS:
        until = add_days(first, window)
        after_last = add_days(first, window + 1)
        reached = exists().where(
            ContactEvent.customer_id == customer, ContactEvent.outcome.in_(REACHED),
            # contact_at is a time: from the first moment of the day up to (not including)
            # the day after the window.
            ContactEvent.contact_at >= first, ContactEvent.contact_at < after_last)
        came = exists().where(ServiceVisit.customer_id == customer,
                              ServiceVisit.visit_date >= first, ServiceVisit.visit_date <= until)
        bought = exists().where(Vehicle.customer_id == customer, Vehicle.purchase_date >= first,
                                Vehicle.purchase_date <= until)
        cols += [func.sum(case((c, 1), else_=0)) for c in (reached, came, bought)]
    return cols


def suggestion_effect(sessions: sessionmaker[Session], start: dt.date, end: dt.date,
                      today: dt.date | None = None) -> SuggestionEffect:
    """Decisions on suggestions made for days `start`–`end`, per rule and action."""
    check_period(start, end)
    today = today or dt.date.today()
    d = SuggestionDecision
    first = (
        select(d.rule_name.label("rule"), d.action.label("action"),
               d.customer_id.label("customer_id"), func.min(d.as_of).label("first"))
        .where(and_(d.as_of >= day(start), d.as_of <= day(end)))
        .group_by(d.rule_name, d.action, d.customer_id)
        .subquery("first_decision")
    )
    stmt = (
        select(first.c.rule, first.c.action, func.count(),
               *_measures(first.c.customer_id, first.c.first))
        .group_by(first.c.rule, first.c.action)
    )
    with sessions() as s:
        rows = s.execute(stmt).all()
    found: dict[str, dict[str, ActionOutcome]] = {}
    for rule, action, customers, *values in rows:
        counts = []
        it = iter(values)
        for window in WINDOWS:
            for measure in MEASURES:
                counts.append((window, measure, int(next(it) or 0)))
        found.setdefault(rule, {})[action] = ActionOutcome(int(customers), tuple(counts))
    rules = [RuleEffect(rule, tuple((a, by_action.get(a, EMPTY)) for a in SUGGESTION_ACTIONS))
             for rule, by_action in found.items()]
    rules.sort(key=lambda r: (-r.decisions, r.rule))
    complete = tuple(w for w in WINDOWS if end + dt.timedelta(days=w) <= today)
    return SuggestionEffect(start, end, complete, tuple(rules))

