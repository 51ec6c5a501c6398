"""The plain, frozen figures the reports hand to the window, the CLI and the printed report, and
the segment filters behind them (a figure clicks through to the customers it counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# What an attempt, a reached contact and a kept appointment are: the segment fields on contacts
# and the reports share these rules (a figure opens as its customers).
from services.segments.contact_fields import KEPT_WITHIN_DAYS as KEPT_WITHIN_DAYS
from services.segments.contact_fields import ONE_WAY as ONE_WAY
from services.segments.contact_fields import REACHED as REACHED

# Complaint age bands in days: under a week, under a month, under a quarter, older.
COMPLAINT_AGES = (("0-6", 0, 7), ("7-29", 7, 30), ("30-89", 30, 90), ("90+", 90, None))
DRIFT_MONTHS = (12, 18)


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard with an optional comparison and the segment behind it."""

    key: str
    label_zh: str
    label_en: str
    value: int
    previous: int | None = None  # the same figure a month earlier, where it is compared
    filter: dict[str, Any] | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.value - self.previous


@dataclass(frozen=True)
class Count:
    """A count under one or two keys (a week and a channel, a staff member and an outcome)."""

    key: str
    sub: str
    value: int
    staff_id: int | None = None  # per staff member: whose (sub is their name)


@dataclass(frozen=True)
class Reach:
    """Attempts and reached contacts of one group (a channel or a staff member)."""

    key: str
    attempts: int
    reached: int

    @property
    def rate(self) -> float | None:
        return self.reached / self.attempts if self.attempts else None


@dataclass(frozen=True)
class StaffWork:
    staff: str  # display name; "" for contacts without a caller (automatic SMS)
    contacts: int
    attempts: int
    reached: int
    appointments: int
    kept: int
    follow_ups_due: int
    follow_ups_overdue: int
    staff_id: int | None = None

    @property
    def reach_rate(self) -> float | None:
        return self.reached / self.attempts if self.attempts else None


@dataclass(frozen=True)
class Dashboard:
    start: dt.date  # the period of the flow figures (contacts, outcomes, appointments)
    end: dt.date  # also the as-of date of the stock figures (owners, complaints, consent)
    month_ago: dt.date
    staff: str | None  # the one person the contact figures cover, None for everybody
    matrix: tuple[Figure, ...]  # 12 cells, years band major, keys "5-6/low"
    rfm: tuple[Figure, ...]  # 8 classes, then "none" (customers with no spend in the window)
    weeks: tuple[dt.date, ...]  # Mondays of the weekly trend, oldest first
    per_week_channel: tuple[Count, ...]  # key: week Monday ISO, sub: channel
    per_week_staff: tuple[Count, ...]  # key: week Monday ISO, sub: staff name
    months: tuple[dt.date, ...]  # first days of the monthly trend, oldest first
    per_month: tuple[Count, ...]  # key: month first day ISO, sub: "contacts" | "reached" | …
    outcomes: tuple[Count, ...]  # key: outcome, sub: channel
    reach_by_channel: tuple[Reach, ...]
    staff_work: tuple[StaffWork, ...]
    appointments: int
    kept: int
    complaints: tuple[Figure, ...]  # open complaints per age band
    oldest_complaint_days: int | None
    drift: tuple[Figure, ...]  # keys "12/5-6/low": matrix vehicles with no visit in 12/18 months
    coverage: tuple[Figure, ...]  # customers, consent, refusals per channel
    complete: bool = True  # False: no month-earlier counts, drift or follow-ups yet
    staff_id: int | None = None
    # The customers behind each contact figure (services/reports/behind.py keys): a contact
    # figure counts contacts, and one customer may have several; empty until counted.
    behind: dict[str, int] = field(default_factory=dict)

    @property
    def contacts(self) -> int:
        return sum(c.value for c in self.outcomes)

    @property
    def attempts(self) -> int:
        return sum(r.attempts for r in self.reach_by_channel)

    @property
    def reached(self) -> int:
        return sum(r.reached for r in self.reach_by_channel)

    @property
    def reach_rate(self) -> float | None:
        return self.reached / self.attempts if self.attempts else None

    def outcome_totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.outcomes:
            out[c.key] = out.get(c.key, 0) + c.value
        return out

    def figure(self, group: str, key: str) -> Figure:
        return next(f for f in getattr(self, group) if f.key == key)


def segment(*conditions: dict[str, Any]) -> dict[str, Any]:
    """A segment filter (version 1) of the conditions, all of which must hold."""
    where: dict[str, Any] = conditions[0] if len(conditions) == 1 else {"and": list(conditions)}
    return {"version": 1, "where": where}


def and_filter(base: dict[str, Any], *more: dict[str, Any]) -> dict[str, Any]:
    """`base` (a filter whose where is a condition or an "and") with more conditions."""
    where = base["where"]
    conds = list(where["and"]) if "and" in where else [where]
    return segment(*conds, *more)
