"""The customers behind the dashboard's contact figures: each figure's segment filter (the
segment fields contact_date and follow_up_date) and how many customers it opens. A contact
figure counts contacts and one customer may have several (two appointments in a week are two
appointments and one customer), so the customers are counted apart, in the database: one pass
over the weeks and the period, one over the months.

Figures are named by keys:
  week/<Monday>/channel/<channel>     week/<Monday>/staff/<id or none>
  month/<first day>/<contacts|reached|appointments>
  outcome/<outcome>                   channel/<channel>/<attempts|reached>
  staff/<id or none>/<column>         all/<column>
where a column is one of COLUMNS and "none" is the contacts no staff member made (automatic
messages)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from models import ContactEvent
from services.labels import both
from services.reports import week_state
from services.reports.figures import Dashboard
from services.segments.contact_fields import ONE_WAY, REACHED, kept

COLUMNS = ("contacts", "attempts", "reached", "appointments", "kept", "due", "overdue")
MONTH_SERIES = ("contacts", "reached", "appointments")
# What a column asks of a contact, as contact_date parameters.
_ASKS: dict[str, dict[str, str]] = {
    "contacts": {}, "attempts": {"result": "attempt"}, "reached": {"result": "reached"},
    "appointments": {"outcome": "appointment"}, "kept": {"result": "kept"},
}
# Follow-ups "due" fell due in the period, each while it was still asked for
# (week_state.follow_ups_due): no segment evaluated on one date holds them (a follow-up answered
# on its day is gone by the end of the week), so that figure opens nothing.
NOT_OPENED = ("due",)


@dataclass(frozen=True)
class Behind:
    """A contact figure's customers: the segment filter, a name for it and how many."""

    key: str
    label_zh: str
    label_en: str
    customers: int | None  # None until counted (dashboard.with_customers)
    filter: dict[str, Any]


def _sid(staff_id: int | None) -> str:
    return "none" if staff_id is None else str(staff_id)


def week_channel(week: dt.date, channel: str) -> str:
    return f"week/{week.isoformat()}/channel/{channel}"


def week_staff(week: dt.date, staff_id: int | None) -> str:
    return f"week/{week.isoformat()}/staff/{_sid(staff_id)}"


def month(first: dt.date, series: str) -> str:
    return f"month/{first.isoformat()}/{series}"


def outcome(code: str) -> str:
    return f"outcome/{code}"


def channel(code: str, column: str) -> str:
    return f"channel/{code}/{column}"


def staff(staff_id: int | None, column: str) -> str:
    return f"staff/{_sid(staff_id)}/{column}"


def total(column: str) -> str:
    return f"all/{column}"


# --- counting ---------------------------------------------------------------------------------

def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _bucket(at: Any, starts: Sequence[dt.date], until: dt.datetime) -> ColumnElement[int]:
    """The index of the range [starts[i], starts[i+1]) holding `at`; -1 before the first."""
    bounds = [_moment(d) for d in starts[1:]] + [until]
    return case((at < _moment(starts[0]), -1), *((at < b, i) for i, b in enumerate(bounds)),
                else_=-1)


def _distinct(cond: ColumnElement[bool] | None, customer: Any) -> ColumnElement[int]:
    return func.count((customer if cond is None else case((cond, customer))).distinct())


def count(s: Session, start: dt.date, end: dt.date, weeks: Sequence[dt.date],
          mine: list) -> dict[str, int]:
    """Customers behind the weekly and the period's contact figures: the contacts of both
    ranges are read once into a common table, then counted per week and channel, week and
    staff member, outcome, channel and staff member."""
    at = ContactEvent.contact_at
    until = _moment(end + dt.timedelta(days=1))
    in_period = at >= _moment(start)
    rows = (
        select(
            ContactEvent.customer_id.label("customer"), ContactEvent.channel.label("channel"),
            ContactEvent.staff_id.label("staff"), ContactEvent.outcome.label("outcome"),
            _bucket(at, weeks, until).label("week"),
            case((in_period, 1), else_=0).label("period"),
            case((ContactEvent.outcome != "appointment", 0), (in_period, case((kept(), 1),
                                                                             else_=0)),
                 else_=0).label("kept"),
        )
        .where(at >= _moment(min(start, weeks[0])), at < until, *mine)
        # Read once by every part below: both databases materialise a common table that is
        # referenced more than once.
        .cte("contact_rows")
    )
    c = rows.c
    no_int, no_text = cast(null(), Integer), cast(null(), String)
    attempt, reached = c.outcome.not_in(ONE_WAY), c.outcome.in_(REACHED)
    per_column = [_distinct(None, c.customer), _distinct(attempt, c.customer),
                  _distinct(reached, c.customer),
                  _distinct(c.outcome == "appointment", c.customer),
                  _distinct(c.kept == 1, c.customer)]
    blank = [no_int] * 4

    def part(kind: str, week: Any, sub: Any, sid: Any, counts: list, where: Any, by: list):
        stmt = select(literal(kind, String).label("kind"), week.label("w"), sub.label("sub"),
                      sid.label("sid"), *(n.label(f"n{i}") for i, n in enumerate(counts)))
        return stmt.select_from(rows).where(where).group_by(*by)

    in_weeks, period = c.week >= 0, c.period == 1
    query = union_all(
        part("wc", c.week, c.channel, no_int, [per_column[0], *blank], in_weeks,
             [c.week, c.channel]),
        part("ws", c.week, no_text, c.staff, [per_column[0], *blank], in_weeks,
             [c.week, c.staff]),
        part("o", no_int, c.outcome, no_int, [per_column[0], *blank], period, [c.outcome]),
        part("ch", no_int, c.channel, no_int, [per_column[1], per_column[2], *blank[:3]],
             period, [c.channel]),
        part("st", no_int, no_text, c.staff, per_column, period, [c.staff]),
        part("all", no_int, no_text, no_int, per_column, period, []),
    )
    out: dict[str, int] = {}
    for kind, w, sub, sid, *ns in s.execute(query):
        if kind == "wc":
            out[week_channel(weeks[w], sub)] = ns[0]
        elif kind == "ws":
            out[week_staff(weeks[w], sid)] = ns[0]
        elif kind == "o":
            out[outcome(sub)] = ns[0]
        elif kind == "ch":
            out[channel(sub, "attempts")], out[channel(sub, "reached")] = ns[0], ns[1]
        else:
            for name, n in zip(COLUMNS[:5], ns, strict=True):  # due, overdue: per customer
                out[staff(sid, name) if kind == "st" else total(name)] = n
    return out


def count_months(s: Session, end: dt.date, months: Sequence[dt.date],
                 mine: list) -> dict[str, int]:
    """Customers behind the monthly trend: contacted, reached and given an appointment."""
    at = ContactEvent.contact_at
    until = _moment(end + dt.timedelta(days=1))
    m = _bucket(at, months, until).label("month")
    customer = ContactEvent.customer_id
    got = s.execute(
        select(m, _distinct(None, customer),
               _distinct(ContactEvent.outcome.in_(REACHED), customer),
               _distinct(ContactEvent.outcome == "appointment", customer))
        .where(at >= _moment(months[0]), at < until, *mine)
        .group_by(m)
    ).all()
    out = {month(first, series): 0 for first in months for series in MONTH_SERIES}
    for i, *ns in got:
        if i >= 0:
            for series, n in zip(MONTH_SERIES, ns, strict=True):
                out[month(months[i], series)] = n
    return out


def keys(d: Dashboard) -> tuple[str, ...]:
    """Every contact figure of `d` that opens as customers."""
    weeks = [week_channel(dt.date.fromisoformat(c.key), c.sub) for c in d.per_week_channel]
    weeks += [week_staff(dt.date.fromisoformat(c.key), c.staff_id) for c in d.per_week_staff]
    months = [month(first, series) for first in d.months for series in MONTH_SERIES]
    outcomes = [outcome(code) for code in d.outcome_totals()]
    reach = [channel(r.key, column) for r in d.reach_by_channel
             for column in ("attempts", "reached")]
    opened = [c for c in COLUMNS if c not in NOT_OPENED]
    people = [staff(w.staff_id, column) for w in d.staff_work for column in opened]
    return (*weeks, *months, *outcomes, *reach, *people, *(total(c) for c in opened))


# --- opening a figure ---------------------------------------------------------------------------

def _staff_params(sid: str) -> dict[str, Any]:
    return {"made_by": "automatic"} if sid == "none" else {"staff": int(sid)}


def _names(d: Dashboard) -> dict[str, str]:
    names = {_sid(c.staff_id): c.sub for c in d.per_week_staff}
    names |= {_sid(w.staff_id): w.staff for w in d.staff_work}
    return names


def _span(first: dt.date, last: dt.date, lang: int) -> str:
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()} {both('contact_figure', 'to')[lang]} {last.isoformat()}"


def opens(d: Dashboard, key: str) -> Behind | None:
    """The customers behind the contact figure `key` of `d`; None for a key it has not."""
    params: dict[str, Any] = {}
    first, last = d.start, d.end
    what, who, title = "contacts", ("", ""), None
    match key.split("/"):
        case ["week", day, "channel", code]:
            first = dt.date.fromisoformat(day)
            last = min(first + dt.timedelta(days=6), d.end)
            params["channel"], who = code, both("channel", code)
        case ["week", day, "staff", sid]:
            first = dt.date.fromisoformat(day)
            last = min(first + dt.timedelta(days=6), d.end)
            params, who = _staff_params(sid), _who(d, sid)
        case ["month", day, series] if series in MONTH_SERIES:
            first = dt.date.fromisoformat(day)
            following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            last, what = min(following - dt.timedelta(days=1), d.end), series
        case ["outcome", code]:
            params["outcome"], what = code, "outcome"
            title = tuple(f"{a}“{b}”" for a, b in zip(both("contact_figure", "outcome"),
                                                     both("outcome", code), strict=True))
        case ["channel", code, column] if column in ("attempts", "reached"):
            params["channel"], what, who = code, column, both("channel", code)
        case ["staff", sid, column] if column in COLUMNS:
            params, what, who = _staff_params(sid), column, _who(d, sid)
        case ["all", column] if column in COLUMNS:
            what = column
        case _:
            return None
    if what in NOT_OPENED:
        return None
    if d.staff_id is not None and not params.keys() & {"staff", "made_by"}:
        params["staff"] = d.staff_id  # the dashboard of one person: their contacts only
    customers = d.behind.get(key)
    if what == "overdue":
        by = week_state.overdue_by(d.end)
        cond: dict[str, Any] = {"field": "follow_up_date", "op": "<", "value": by.isoformat()}
        customers = _follow_ups(d, key, what) if d.complete else None
        first = last = by
    else:
        cond = {"field": "contact_date", "op": "between",
                "value": [first.isoformat(), last.isoformat()]}
        params |= _ASKS.get(what, {})
    if params:
        cond["params"] = params
    title = title or both("contact_figure", what)
    zh = f"{title[0]}：{_span(first, last, 0)}" + (f" {who[0]}" if who[0] else "")
    en = f"{title[1]}: {_span(first, last, 1)}" + (f", {who[1]}" if who[1] else "")
    return Behind(key, zh, en, customers, {"version": 1, "where": cond})


def _who(d: Dashboard, sid: str) -> tuple[str, str]:
    if sid == "none":
        return both("made_by", "automatic")
    name = _names(d).get(sid, sid)
    return name, name


def _follow_ups(d: Dashboard, key: str, what: str) -> int:
    """Overdue follow-ups are counted once per customer already (their latest contact's)."""
    sid = key.split("/")[1]
    return sum(w.follow_ups_overdue
               for w in d.staff_work if key.startswith("all/") or _sid(w.staff_id) == sid)
