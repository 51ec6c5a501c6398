"""A week change on the dashboard, made fast (docs/benchmarks.md, "Reports: a week change"):
its figures for week after week, on SQLite and PostgreSQL, against a straightforward count from
the raw rows; the RFM classes shifted from the RFM summary against the live count for dates on
both sides of the summary's; and on SQLite the plans that keep it fast at 200,000 customers
(contacts read by time from an index, follow-ups from theirs, never every contact)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from models import ContactEvent, Customer, ServiceVisit, StaffUser
from services.reports import dashboard as dash
from services.reports import rfm_history, rfm_shift
from services.segments import service as segments
from services.segments import summaries
from services.segments.derived import months_before

TODAY = dt.date(2026, 11, 23)
ONE_WAY = ("sent", "failed")  # a message out, not an attempt to reach someone
REACHED = ("reached", "appointment", "bought", "refused")
# Sundays stepping back week by week from the demo's last full week, as ◀ does.
ENDS = tuple(dt.date(2026, 11, 22) - dt.timedelta(weeks=k) for k in range(5))


@pytest.fixture
def demo(database):
    from services.demo import generator

    generator.generate(database, 150, seed=7, today=TODAY)
    # As the window leaves it at start: the RFM summary on today (the Segments area's grid).
    segments.prepare_summaries(database.sessions, TODAY)
    return database


def _live_rfm(database, as_of: dt.date) -> dict[str, int]:
    result = segments.rfm(database.sessions, as_of, use_summary=False)
    return {c.key: c.customers for c in result.classes}


def _contacts(database) -> list:
    with database.sessions() as s:
        return s.execute(select(ContactEvent.id, ContactEvent.customer_id,
                                ContactEvent.contact_at, ContactEvent.channel,
                                ContactEvent.staff_id, ContactEvent.outcome,
                                ContactEvent.next_follow_up)).all()


def _expected(database, rows, start: dt.date, end: dt.date) -> dict:
    """Every contact figure of the dashboard, counted one contact at a time."""
    with database.sessions() as s:
        names = dict(s.execute(select(StaffUser.id, StaffUser.display_name)).all())
        visits = s.execute(select(ServiceVisit.customer_id, ServiceVisit.visit_date)).all()
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    monday = end - dt.timedelta(days=end.weekday())
    first_week = monday - dt.timedelta(weeks=7)
    first_month = months_before(end.replace(day=1), 11)
    weekly, monthly, outcomes = Counter(), Counter(), Counter()
    work: dict[str, list[int]] = {}
    for _id, customer, at, channel, staff, outcome, _follow in rows:
        if at >= until:
            continue
        attempt, reached = outcome not in ONE_WAY, outcome in REACHED
        appointment = outcome == "appointment"
        day = at.date()
        if day >= first_week:
            week = day - dt.timedelta(days=day.weekday())
            weekly[(week.isoformat(), channel)] += 1
        if day >= first_month:
            month = day.replace(day=1).isoformat()
            for name, add in (("contacts", 1), ("attempts", attempt), ("reached", reached),
                              ("appointments", appointment)):
                monthly[(month, name)] += add
        if day >= start:
            outcomes[(outcome, channel)] += 1
            kept = appointment and any(
                c == customer and day <= v <= day + dt.timedelta(days=14) for c, v in visits)
            w = work.setdefault(names.get(staff, "") if staff is not None else "", [0] * 5)
            for i, add in enumerate((1, attempt, reached, appointment, kept)):
                w[i] += add
    # Overdue at the end: each customer's latest contact up to then (of two at one moment the
    # later recorded) asked for a follow-up dated before the end.
    latest: dict[int, tuple] = {}
    for row in rows:
        if row[2] < until and (row[1] not in latest
                               or (row[2], row[0]) > (latest[row[1]][2], latest[row[1]][0])):
            latest[row[1]] = row
    overdue = Counter(names.get(r[4], "") if r[4] is not None else ""
                      for r in latest.values() if r[6] is not None and r[6] < end)
    return {"weekly": weekly, "monthly": monthly, "outcomes": outcomes, "work": work,
            "overdue": overdue}


def _drift(database, end: dt.date) -> dict[str, int]:
    """Matrix vehicles whose owner had no visit in the 12 / 18 months up to `end`, per cell,
    one vehicle at a time."""
    from models import SatisfactionSurvey, Vehicle
    from services.segments.matrix import score_band, years_cut

    with database.sessions() as s:
        cars = s.execute(select(Vehicle.customer_id, Vehicle.purchase_date)
                         .where(Vehicle.active.is_(True))).all()
        surveys = s.execute(select(SatisfactionSurvey.customer_id, SatisfactionSurvey.survey_date,
                                   SatisfactionSurvey.id, SatisfactionSurvey.overall_score)).all()
        visits = s.execute(select(ServiceVisit.customer_id, ServiceVisit.visit_date)).all()
    latest: dict[int, tuple] = {}
    for customer, day, sid, score in surveys:
        if day <= end and (customer not in latest or (day, sid) > latest[customer][:2]):
            latest[customer] = (day, sid, score)
    last: dict[int, dt.date] = {}
    for customer, day in visits:
        if day <= end and day > last.get(customer, dt.date.min):
            last[customer] = day
    out: Counter = Counter()
    for customer, bought in cars:
        if bought is None or bought > years_cut(end, 5):
            continue
        band = "7+" if bought <= years_cut(end, 7) else "6-7" if bought <= years_cut(end, 6) \
            else "5-6"
        sat = score_band(latest[customer][2] if customer in latest else None)
        for months in (12, 18):
            if last.get(customer, dt.date.min) <= months_before(end, months):
                out[f"{months}/{band}/{sat}"] += 1
    return dict(out)


def test_week_after_week_the_figures_equal_a_straightforward_count(demo):
    rows = _contacts(demo)
    for end in ENDS:
        start = end - dt.timedelta(days=6)
        # As the window asks: the quick part, then the rest.
        d = dash.completed(demo.sessions,
                           dash.dashboard(demo.sessions, start, end, complete=False))
        want = _expected(demo, rows, start, end)
        assert sum(want["outcomes"].values()) > 0, end  # the weeks have contacts to count
        assert {(c.key, c.sub): c.value for c in d.per_week_channel} == +want["weekly"], end
        got_months = {(c.key, c.sub): c.value for c in d.per_month}
        assert {k: v for k, v in got_months.items() if v} == +want["monthly"], end
        assert {(c.key, c.sub): c.value for c in d.outcomes} == +want["outcomes"], end
        assert {w.staff: [w.contacts, w.attempts, w.reached, w.appointments, w.kept]
                for w in d.staff_work if w.contacts} == want["work"], end
        assert {w.staff: w.follow_ups_overdue for w in d.staff_work
                if w.follow_ups_overdue} == +want["overdue"], end
        # The matrix on both dates as the Segments area counts it (the month-earlier one now
        # comes out of the drift pass over the vehicles).
        for as_of, figures in ((end, {f.key: f.value for f in d.matrix}),
                               (months_before(end, 1), {f.key: f.previous for f in d.matrix})):
            cells = segments.matrix(demo.sessions, as_of, use_summary=False).cells
            assert figures == {f"{c.years_band}/{c.satisfaction_band}": c.vehicles
                               for c in cells}, as_of
        assert {f.key: f.value for f in d.drift if f.value} == _drift(demo, end), end
        # The RFM classes, on the end date and a month before it, as the live count finds them.
        for as_of, figures in ((end, {f.key: f.value for f in d.rfm}),
                               (months_before(end, 1), {f.key: f.previous for f in d.rfm})):
            live = _live_rfm(demo, as_of)
            assert {k: figures[k] for k in live} == live, as_of
        # Those were shifted from the summary, not counted live.
        with demo.sessions() as s:
            assert rfm_shift.summary_date(s, 24) == TODAY
            assert rfm_shift.shifted_counts(s, TODAY, end, 24) is not None


def test_shifted_rfm_equals_the_live_count_on_either_side_of_the_summary(demo):
    """Dates before and after the summary's, across the edges of both windows (a spend on the
    window's first or last day), each as the live query counts it."""
    from models import OtherPurchase

    with demo.sessions.begin() as s:
        ids = s.scalars(select(Customer.id).order_by(Customer.id).limit(4)).all()
        # Spends on the days where the windows of the dates below start and end.
        for cid, when, amount in ((ids[0], dt.date(2024, 10, 20), "120.50"),
                                  (ids[1], dt.date(2026, 11, 9), "88.00"),
                                  (ids[2], dt.date(2024, 11, 23), "300.10"),
                                  (ids[3], dt.date(2026, 11, 24), "45.55")):
            s.add(ServiceVisit(customer_id=cid, visit_date=when, visit_type="repair",
                               amount=Decimal(amount)))
        s.add(OtherPurchase(customer_id=ids[0], purchase_date=dt.date(2026, 10, 20),
                            kind="insurance", amount=Decimal("999.99")))
    segments.prepare_summaries(demo.sessions, TODAY)  # current again after those spends
    for days in (-38, -9, -1, 1, 2, 14, 30, 34, 38):
        as_of = TODAY - dt.timedelta(days=days)
        with demo.sessions() as s:
            shifted = rfm_shift.shifted_counts(s, TODAY, as_of, 24)
        assert shifted is not None, as_of
        assert shifted == _live_rfm(demo, as_of), as_of
    with demo.sessions() as s:  # further away the live count is asked
        assert rfm_shift.shifted_counts(s, TODAY, TODAY - dt.timedelta(days=90), 24) is None


def test_a_stale_summary_is_never_shifted(demo):
    """A spend changed since the summary was built: it is not current, so nothing is shifted
    from it, and the dashboard's counts come live, still right."""
    with demo.sessions.begin() as s:
        visit = s.scalars(select(ServiceVisit).where(ServiceVisit.amount > 0)
                          .order_by(ServiceVisit.visit_date.desc()).limit(1)).one()
        visit.amount = visit.amount + Decimal("5000")
    with demo.sessions() as s:
        assert rfm_shift.summary_date(s, 24) is None
    as_of = ENDS[1]
    assert rfm_history.class_counts(demo.sessions, as_of) == _live_rfm(demo, as_of)
    with demo.sessions() as s:
        assert not summaries.is_current(s, summaries.RFM, TODAY, 24)


def _statements(database, ask) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "contact_event" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", keep)
    try:
        ask()
    finally:
        event.remove(database.engine, "before_cursor_execute", keep)
    return seen


def test_sqlite_plans_never_read_every_contact(demo):
    """SQLite keeps no statistics here (no ANALYZE), so its plans are the same on a small file
    as at 200,000 customers: each contact question of the dashboard reads a range of an index
    (the contact time, the follow-up date, the customer's contacts), never all contacts."""
    if demo.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plans")
    end = ENDS[0]
    start = end - dt.timedelta(days=6)

    def week_change() -> None:  # every step of the window's, as it asks them
        quick = dash.dashboard(demo.sessions, start, end, complete=False)
        dash.with_customers(demo.sessions, dash.completed(demo.sessions, quick))

    seen = _statements(demo, week_change)
    assert len(seen) >= 4
    with demo.engine.connect() as conn:
        for statement, parameters in seen:
            plan = "\n".join(r[3] for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
            # A full pass over contacts, by the table or in staff order, is what made a week
            # change take 3.4 s.
            assert "SCAN contact_event" not in plan, (statement, plan)
            if "next_follow_up <" in statement:
                assert "COVERING INDEX ix_contact_event_follow_up" in plan, plan
