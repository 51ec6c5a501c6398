"""The dashboard: every figure on a small fixed database against values worked out by hand, and
on the demo data against an independent pandas computation from the raw tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import delete, select

from models import AppSetting, ContactEvent, Customer, ServiceVisit, Vehicle
from services.reports.dashboard import dashboard
from services.segments import service as segments
from services.store.errors import RevisitError
from tests.services import report_data
from tests.services.report_data import END, START


@pytest.fixture
def fixed(database):
    return database, report_data.build(database)


def test_contact_figures_by_hand(fixed):
    database, ids = fixed
    d = dashboard(database.sessions, START, END)
    # In the week: appointment ×2 (phone), no_answer, reached (phone), refused (wechat), sent
    # (sms); the 9th and the 23rd are outside.
    assert {(c.key, c.sub): c.value for c in d.outcomes} == {
        ("appointment", "phone"): 2, ("no_answer", "phone"): 1, ("reached", "phone"): 1,
        ("refused", "wechat"): 1, ("sent", "sms"): 1}
    assert d.contacts == 6
    # Attempts leave out the one-way SMS; reached = reached, appointment, refused.
    assert {r.key: (r.attempts, r.reached) for r in d.reach_by_channel} == {
        "phone": (4, 3), "wechat": (1, 1), "sms": (0, 0)}
    assert (d.attempts, d.reached) == (5, 4)
    assert d.reach_rate == pytest.approx(0.8)
    # c1's appointment on the 16th was kept (visit on the 17th); b's on the 19th came after it.
    assert (d.appointments, d.kept) == (2, 1)
    work = {w.staff: w for w in d.staff_work}
    a, b, nobody = work["陈丽"], work["刘洋"], work[""]
    assert (a.contacts, a.attempts, a.reached, a.appointments, a.kept) == (3, 3, 2, 1, 1)
    # a's follow-ups: c2 asked for the 20th (due in the week, still overdue on the 22nd); c3's
    # for the 25th falls in the next week.
    assert (a.follow_ups_due, a.follow_ups_overdue) == (1, 1)
    assert (b.contacts, b.attempts, b.reached, b.appointments, b.kept) == (2, 2, 2, 1, 0)
    assert (b.follow_ups_due, b.follow_ups_overdue) == (0, 0)
    assert (nobody.contacts, nobody.attempts) == (1, 0)


def test_trends_by_hand(fixed):
    database, _ids = fixed
    d = dashboard(database.sessions, START, END)
    assert len(d.weeks) == 8 and d.weeks[-1] == START and d.weeks[-2] == dt.date(2026, 11, 9)
    assert {(c.key, c.sub): c.value for c in d.per_week_channel} == {
        ("2026-11-09", "phone"): 1, ("2026-11-16", "phone"): 4, ("2026-11-16", "wechat"): 1,
        ("2026-11-16", "sms"): 1}
    assert {(c.key, c.sub): c.value for c in d.per_week_staff} == {
        ("2026-11-09", "陈丽"): 1, ("2026-11-16", "陈丽"): 3, ("2026-11-16", "刘洋"): 2,
        ("2026-11-16", ""): 1}
    assert len(d.months) == 12 and d.months[-1] == dt.date(2026, 11, 1)
    monthly = {(c.key, c.sub): c.value for c in d.per_month}
    assert [monthly[("2026-11-01", k)] for k in ("contacts", "attempts", "reached",
                                                 "appointments")] == [7, 6, 5, 2]
    assert sum(v for (m, _k), v in monthly.items() if m != "2026-11-01") == 0


def test_owner_figures_by_hand(fixed):
    database, _ids = fixed
    d = dashboard(database.sessions, START, END)
    now = {f.key: f.value for f in d.matrix if f.value}
    then = {f.key: f.previous for f in d.matrix if f.previous}
    # c2's car turned 5 in the month; c3's first survey (score 5) came on the 20th.
    assert now == {"5-6/none": 1, "6-7/high": 1, "7+/low": 1}
    assert then == {"6-7/high": 1, "7+/none": 1}
    assert d.figure("matrix", "7+/none").change == -1
    # RFM now: c1 (5 days, 500) 重要价值, c3 (539 days, 300) 一般保持, c4 (205 days, 200)
    # 一般价值; means R 249.7, F 1, M 333.3. A month earlier (c1's spend not yet made):
    # means R 341, M 250: c3 重要保持, c4 一般价值.
    # No class: c2, c5 now; a month earlier c1, c2, c5 (today's customers less the two
    # classed then).
    rfm = {f.key: (f.value, f.previous) for f in d.rfm if f.value or f.previous}
    assert rfm == {"important_value": (1, 0), "general_keep": (1, 0),
                   "important_keep": (0, 1), "general_value": (1, 1), "none": (2, 3)}
    # Open on the 22nd: the complaint of the 20th (2 days) and the one of 1 August resolved
    # only on the 25th (113 days), both c5's. The ages count customers by their oldest open
    # complaint: c5 in 90+ only.
    assert {f.key: f.value for f in d.complaints} == {
        "open": 2, "customers": 1, "0-6": 0, "7-29": 0, "30-89": 0, "90+": 1}
    assert d.oldest_complaint_days == 113
    # No visit since 2025-11-22: c2 (never) and c3 (last 2025-06-01); since 2025-05-22: c2.
    assert {f.key: f.value for f in d.drift if f.value} == {
        "12/5-6/none": 1, "12/7+/low": 1, "18/5-6/none": 1}
    # Consent: c4 (c5 withdrew); refusals: c4 SMS, c5 every channel.
    assert {f.key: f.value for f in d.coverage} == {
        "customers": 5, "consent": 1, "dnc": 2, "dnc/phone": 1, "dnc/sms": 2, "dnc/mail": 1}


def test_a_past_periods_customers_are_those_known_by_its_end(fixed):
    """客户总数 counts the customers known on the period's end: a customer entered after it
    is not counted, unless a car bought, a visit or a contact dated by then says they were
    a customer already (a history imported later). Consent is a share of them."""
    database, _ids = fixed
    after = dt.datetime.combine(END + dt.timedelta(days=3), dt.time(9))
    with database.sessions.begin() as s:
        late = [Customer(code=f"L{i}", name=f"后来{i}", created_at=after) for i in range(1, 6)]
        s.add_all(late)
        s.flush()
        s.add(Vehicle(customer_id=late[0].id, brand="丰田", model="卡罗拉",
                      purchase_date=END))  # bought on the last day
        s.add(Vehicle(customer_id=late[1].id, brand="丰田", model="卡罗拉",
                      purchase_date=END + dt.timedelta(days=1)))  # the day after: not yet
        s.add(ServiceVisit(customer_id=late[2].id, visit_date=END - dt.timedelta(days=30),
                           visit_type="maintenance", amount=100))
        s.add(ContactEvent(customer_id=late[3].id, channel="phone", purpose="care",
                           outcome="reached", contact_at=dt.datetime.combine(END, dt.time(23))))
    d = dashboard(database.sessions, START, END)
    assert d.figure("coverage", "customers").value == 5 + 3
    # The RFM figures still add up to every customer, each opening its segment.
    assert sum(f.value for f in d.rfm) == 10
    for f in d.rfm:
        assert segments.count(database.sessions, f.filter, END).customers == f.value, f.key
    # Entered on the period's last day: known.
    with database.sessions.begin() as s:
        s.get(Customer, late[4].id).created_at = dt.datetime.combine(END, dt.time(18))
    assert dashboard(database.sessions, START, END).figure("coverage", "customers").value == 9


def test_figures_click_through_to_the_same_customers(fixed):
    """Each figure's segment counts what the figure counts."""
    database, _ids = fixed
    d = dashboard(database.sessions, START, END)
    for group in ("matrix", "drift"):
        for f in getattr(d, group):
            assert segments.count(database.sessions, f.filter, END).vehicles == f.value, f.key
    for f in (*d.rfm, *d.coverage[1:], *d.complaints[1:]):
        assert segments.count(database.sessions, f.filter, END).customers == f.value, f.key
    # A month earlier too, the "no class" row included: its segment on that date.
    for f in d.rfm:
        assert segments.count(database.sessions, f.filter, d.month_ago).customers == (
            f.previous), f.key


def test_one_person_and_bad_periods(fixed):
    database, ids = fixed
    d = dashboard(database.sessions, START, END, staff_id=ids["b"])
    assert d.staff == "刘洋"
    assert d.contacts == 2 and [w.staff for w in d.staff_work] == ["刘洋"]
    with pytest.raises(RevisitError, match="before it starts"):
        dashboard(database.sessions, END, START)
    with pytest.raises(RevisitError, match="no staff member"):
        dashboard(database.sessions, START, END, staff_id=9999)


# --- against pandas on the demo data ---------------------------------------------------------

def _frames(database) -> dict[str, pd.DataFrame]:
    names = ("contact_event", "service_visit", "complaint", "staff_user", "vehicle",
             "satisfaction_survey", "consent_event", "do_not_contact", "customer")
    with database.engine.connect() as conn:
        frames = {n: pd.read_sql_table(n, conn) for n in names}
    for n, cols in {"contact_event": ["contact_at"], "service_visit": ["visit_date"],
                    "complaint": ["opened_date", "resolved_date"], "vehicle": ["purchase_date"],
                    "satisfaction_survey": ["survey_date"], "consent_event": ["event_date"],
                    "do_not_contact": ["set_on", "lifted_on", "expires_on"],
                    "customer": ["created_at"]}.items():
        for c in cols:
            frames[n][c] = pd.to_datetime(frames[n][c])
    return frames


def _open_complaints(database) -> None:
    """Complaints open at the end of the period in every age band (the small demo has few):
    one customer with two, one resolved only after the end."""
    from sqlalchemy import select

    from models import Complaint, Customer

    with database.sessions.begin() as s:
        ids = s.scalars(select(Customer.id).order_by(Customer.id).limit(5)).all()
        for cid, opened, resolved in ((ids[0], (2026, 11, 20), None),
                                      (ids[0], (2026, 6, 1), None),
                                      (ids[1], (2026, 11, 1), (2026, 11, 30)),
                                      (ids[2], (2026, 9, 15), None),
                                      (ids[3], (2026, 11, 18), None),
                                      (ids[4], (2026, 11, 2), (2026, 11, 10))):
            s.add(Complaint(customer_id=cid, opened_date=dt.date(*opened), topic="测试",
                            resolved=resolved is not None,
                            resolved_date=dt.date(*resolved) if resolved else None))



def matrix_vehicles(f: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """The matrix's vehicles on a day (active, owned 5 years or more), each with its years
    band and its owner's latest satisfaction band."""
    e = pd.Timestamp(as_of)
    v = f["vehicle"]
    v = v[v.active.astype(bool) & v.purchase_date.notna()].copy()
    years = (e - v.purchase_date).dt.days / 365.25
    v = v[years >= 5].assign(years=years[years >= 5])
    sv = f["satisfaction_survey"]
    sv = sv[sv.survey_date <= e].sort_values(["customer_id", "survey_date", "id"])
    latest = sv.groupby("customer_id").tail(1).set_index("customer_id").overall_score
    score = v.customer_id.map(latest)
    v["band"] = pd.cut(v.years, [5, 6, 7, 1000], right=False, labels=["5-6", "6-7", "7+"])
    v["sat"] = score.map(lambda x: "none" if pd.isna(x) else
                         "low" if x <= 6 else "middle" if x <= 8 else "high")
    return v

def test_against_pandas_on_demo_data(database):
    from services.demo import generator as demo

    today = dt.date(2026, 11, 23)
    demo.generate(database, 150, seed=7, today=today)
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 22)
    _open_complaints(database)
    d = dashboard(database.sessions, start, end)
    f = _frames(database)
    ev, visits = f["contact_event"], f["service_visit"]
    names = dict(zip(f["staff_user"].id, f["staff_user"].display_name, strict=True))
    e = pd.Timestamp(end)
    until = e + pd.Timedelta(days=1)
    period = ev[(ev.contact_at >= pd.Timestamp(start)) & (ev.contact_at < until)].copy()
    assert len(period) > 20  # the demo has contacts in the period: the check means something
    expected = period.groupby(["outcome", "channel"]).size().to_dict()
    assert {(c.key, c.sub): c.value for c in d.outcomes} == expected
    period["attempt"] = ~period.outcome.isin(["sent", "failed"])
    period["reached"] = period.outcome.isin(["reached", "appointment", "bought", "refused"])
    period["appt"] = period.outcome == "appointment"
    day = period.contact_at.dt.normalize()
    period["kept"] = [
        bool(a) and bool(((visits.customer_id == c) & (visits.visit_date >= t)
                          & (visits.visit_date <= t + pd.Timedelta(days=14))).any())
        for a, c, t in zip(period.appt, period.customer_id, day, strict=True)
    ]
    period["staff"] = period.staff_id.map(names).fillna("")
    per_staff = period.groupby("staff")[["attempt", "reached", "appt", "kept"]].sum()
    got = {w.staff: (w.contacts, w.attempts, w.reached, w.appointments, w.kept)
           for w in d.staff_work}
    want = {s: (int((period.staff == s).sum()), *(int(v) for v in row))
            for s, row in per_staff.iterrows()}
    assert got.keys() >= want.keys()
    assert {k: got[k] for k in want} == want
    # Follow-ups: each customer's latest contact up to the end, when it asked for one.
    upto = ev[ev.contact_at < until].sort_values(["customer_id", "contact_at"])
    last = upto.groupby("customer_id").tail(1)
    last = last[last.next_follow_up.notna()].copy()
    last["follow"] = pd.to_datetime(last.next_follow_up)
    last["staff"] = last.staff_id.map(names).fillna("")
    overdue = last[last.follow < e].groupby("staff").size().to_dict()
    # Due: every follow-up dated in the period, asked for by its end, that no later contact
    # with the customer came before its day.
    asked = ev[ev.next_follow_up.notna() & (ev.contact_at < until)].copy()
    asked["follow"] = pd.to_datetime(asked.next_follow_up)
    asked = asked[(asked.follow >= pd.Timestamp(start)) & (asked.follow <= e)]
    pairs = asked.reset_index().merge(ev, on="customer_id", suffixes=("", "_later"))
    answered = pairs[((pairs.contact_at_later > pairs.contact_at)
                      | ((pairs.contact_at_later == pairs.contact_at)
                         & (pairs.id_later > pairs.id)))
                     & (pairs.contact_at_later < pairs.follow)]["index"]
    due = asked[~asked.index.isin(answered)]
    assert len(due) > 3 and len(due) < len(asked)  # some answered early: the rule is tried
    due = due.assign(staff=due.staff_id.map(names).fillna("")).groupby("staff").size().to_dict()
    assert {w.staff: w.follow_ups_overdue for w in d.staff_work if w.follow_ups_overdue} == overdue
    assert {w.staff: w.follow_ups_due for w in d.staff_work if w.follow_ups_due} == due
    # Complaints open at the end, by age.
    c = f["complaint"]
    open_ = c[(c.opened_date <= e) & ((~c.resolved.astype(bool))
                                      | (c.resolved_date.notna() & (c.resolved_date > e)))]
    # The ages: customers by their oldest open complaint, each once; every bar opens them.
    ages = (e - open_.groupby("customer_id").opened_date.min()).dt.days
    bands = pd.cut(ages, [-1, 6, 29, 89, 10**6], labels=["0-6", "7-29", "30-89", "90+"])
    assert {x.key: x.value for x in d.complaints[2:]} == bands.value_counts().to_dict()
    assert sum(x.value for x in d.complaints[2:]) == open_.customer_id.nunique() > 0
    assert d.figure("complaints", "open").value == len(open_)
    for x in d.complaints[2:]:
        assert segments.count(database.sessions, x.filter, end).customers == x.value, x.key
    # Weekly contacts per channel over the eight weeks.
    monday = pd.Timestamp(end - dt.timedelta(days=end.weekday()))
    first = monday - pd.Timedelta(weeks=7)
    w = ev[(ev.contact_at >= first) & (ev.contact_at < until)].copy()
    weekday = pd.to_timedelta(w.contact_at.dt.day_of_week, unit="D")
    w["week"] = w.contact_at.dt.normalize() - weekday
    want_w = {(k.date().isoformat(), ch): n for (k, ch), n in
              w.groupby(["week", "channel"]).size().items()}
    assert {(x.key, x.sub): x.value for x in d.per_week_channel} == want_w
    # The matrix from vehicles and latest surveys.
    v = matrix_vehicles(f, end)
    want_m = {f"{b}/{s}": n for (b, s), n in
              v.groupby(["band", "sat"], observed=True).size().items() if n}
    assert {x.key: x.value for x in d.matrix if x.value} == want_m
    # Drift: matrix vehicles whose owner has no visit in the 12 months up to the end.
    cut = pd.Timestamp(dt.date(2025, 11, 22))
    recent = set(visits[(visits.visit_date > cut) & (visits.visit_date <= e)].customer_id)
    drift = v[~v.customer_id.isin(recent)]
    want_d = {f"12/{b}/{s}": n for (b, s), n in
              drift.groupby(["band", "sat"], observed=True).size().items() if n}
    assert {x.key: x.value for x in d.drift if x.value and x.key.startswith("12/")} == want_d
    # Consent in force at the end.
    ce = f["consent_event"]
    ce = ce[(ce.kind == "marketing") & (ce.event_date <= e)].sort_values(
        ["customer_id", "event_date", "id"])
    consent = int(ce.groupby("customer_id").tail(1).granted.astype(bool).sum())
    assert d.figure("coverage", "consent").value == consent
    # The customers known on the end: entered by then, or a car, visit or contact dated so;
    # on an end years before, only some of them.
    cust = f["customer"]
    for last, got in ((e, d), (pd.Timestamp(2016, 1, 31), dashboard(
            database.sessions, dt.date(2016, 1, 1), dt.date(2016, 1, 31), complete=False))):
        until = last + pd.Timedelta(days=1)
        dated = (set(f["vehicle"][f["vehicle"].purchase_date <= last].customer_id)
                 | set(visits[visits.visit_date <= last].customer_id)
                 | set(ev[ev.contact_at < until].customer_id))
        known = int(((cust.created_at < until) | cust.id.isin(dated)).sum())
        assert got.figure("coverage", "customers").value == known
    assert 0 < known < len(cust)


def test_month_earlier_rfm_is_kept_until_a_spend_changes(fixed, monkeypatch):
    from decimal import Decimal

    from models import ServiceVisit
    from services.reports import rfm_history

    database, ids = fixed
    # As the window does at start: the summaries for today (which makes the spend stamp).
    segments.prepare_summaries(database.sessions, END + dt.timedelta(days=1))
    dashboard(database.sessions, START, END)
    first = dashboard(database.sessions, START, END).figure("rfm", "important_keep").previous
    live = rfm_history.segments.rfm

    def no_live(*args, **kw):
        if kw.get("use_summary", True):
            return live(*args, **kw)  # today's classes, from the summary
        raise AssertionError("asked live although nothing changed")

    monkeypatch.setattr(rfm_history.segments, "rfm", no_live)
    again = dashboard(database.sessions, START, END)
    assert again.figure("rfm", "important_keep").previous == first == 1
    assert again.figure("rfm", "important_value").value == 1  # now: kept too
    monkeypatch.setattr(rfm_history.segments, "rfm", live)
    with database.sessions.begin() as s:
        # c5 spends 1,000 on 1 October: a month earlier (22 October) the means become R 245,
        # F 1, M 500: c3 (508 days, 300) falls from 重要保持 to 一般保持, c5 is 重要价值.
        s.add(ServiceVisit(customer_id=ids["c5"], visit_date=dt.date(2026, 10, 1),
                           visit_type="repair", amount=Decimal("1000")))
    changed = {f.key: f.previous for f in dashboard(database.sessions, START, END).rfm
               if f.previous}
    assert changed == {"general_keep": 1, "general_value": 1, "important_value": 1, "none": 2}


def test_a_new_end_date_leaves_the_rfm_summary_alone(fixed, monkeypatch):
    """The RFM summary holds today's classes (the window's Segments area); a dashboard for
    another end date answers from the live query, never rebuilding the summary (1.3 s at
    200,000 customers), with the same figures; counts asked once are kept for the next
    questions, each week's, while no spend changes."""
    from services.reports import rfm_history
    from services.segments import summaries

    database, _ids = fixed
    today = END + dt.timedelta(days=1)
    segments.prepare_summaries(database.sessions, today)
    rebuilt = []
    real_ensure = summaries.ensure

    def ensure(session, summary, as_of, months=None):
        if not summaries.is_current(session, summary, as_of, months):
            rebuilt.append((summary.name, as_of))
        return real_ensure(session, summary, as_of, months)

    monkeypatch.setattr(summaries, "ensure", ensure)
    weeks = [(START - dt.timedelta(days=7 * k), END - dt.timedelta(days=7 * k))
             for k in range(3)]
    shown = {end: dashboard(database.sessions, start, end) for start, end in weeks}
    assert rebuilt == []
    with database.sessions() as s:
        assert summaries.is_current(s, summaries.RFM, today, 24)
    for end, d in shown.items():
        live = segments.rfm(database.sessions, end, use_summary=False)
        assert {f.key: f.value for f in d.rfm[:-1]} == {c.key: c.customers
                                                        for c in live.classes}
        assert d.rfm[-1].value == 5 - live.customers_with_class
    # Asked again, each week in turn: nothing live, nothing rebuilt, the same figures.
    live_rfm = rfm_history.segments.rfm

    def no_live(*args, **kw):
        raise AssertionError("asked again although nothing changed")

    monkeypatch.setattr(rfm_history.segments, "rfm", no_live)
    for start, end in reversed(weeks):
        again = dashboard(database.sessions, start, end)
        assert again.rfm == shown[end].rfm
    monkeypatch.setattr(rfm_history.segments, "rfm", live_rfm)
    # When the summary holds the end date, it is read (not the live query).
    segments.prepare_summaries(database.sessions, END - dt.timedelta(days=28))

    early = END - dt.timedelta(days=28)

    def from_summary(sessions, as_of, **kw):
        if as_of == early:  # (a month before it, the live query)
            assert kw.get("use_summary", True), "asked live although the summary holds it"
        return live_rfm(sessions, as_of, **kw)

    monkeypatch.setattr(rfm_history.segments, "rfm", from_summary)
    d = dashboard(database.sessions, early - dt.timedelta(days=6), early)
    monkeypatch.setattr(rfm_history.segments, "rfm", live_rfm)
    live = segments.rfm(database.sessions, early, use_summary=False)
    assert {f.key: f.value for f in d.rfm[:-1]} == {c.key: c.customers for c in live.classes}


def test_a_busy_database_does_not_hold_up_the_month_earlier_counts(fixed):
    """While another PC holds SQLite's write lock (a long import), the counts are answered
    without waiting the usual 8 s for it, and simply not kept."""
    import sqlite3
    import time

    from sqlalchemy import select

    from models import AppSetting
    from services.reports import rfm_history

    database, _ids = fixed
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's file lock")
    segments.prepare_summaries(database.sessions, END)  # makes the spend stamp
    other = sqlite3.connect(database.engine.url.database, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        began = time.perf_counter()
        counts = rfm_history.class_counts(database.sessions, dt.date(2026, 10, 22))
        assert time.perf_counter() - began < 3
    finally:
        other.rollback()
        other.close()
    assert counts["important_keep"] == 1
    with database.sessions() as s:
        assert s.scalar(select(AppSetting.value).where(AppSetting.key == rfm_history.KEY)) is None
    assert rfm_history.class_counts(database.sessions, dt.date(2026, 10, 22)) == counts
    with database.sessions() as s:  # kept once the lock was free
        assert s.scalar(select(AppSetting.value).where(AppSetting.key == rfm_history.KEY))


def test_the_dashboards_questions_run_one_process_each_on_postgresql(database):
    """The dashboard asks three questions at once; on PostgreSQL each runs without JIT and
    without parallel helpers (nine processes on two cores made each twice as slow), in its
    own sessions only: the application's other sessions keep the server's settings."""
    from sqlalchemy import text

    from services.reports import dashboard as dash

    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's settings")
    tuned = dash._questions(database.sessions)
    assert dash._questions(tuned) is tuned
    with tuned() as s:
        assert s.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
        assert s.scalar(text("SHOW jit")) == "off"
        s.commit()  # a new transaction is tuned again
        assert s.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
    with database.sessions() as s:
        assert s.scalar(text("SHOW max_parallel_workers_per_gather")) != "0"


def test_rfm_counts_kept_ready_answer_the_first_dashboard(fixed, monkeypatch):
    """What the window keeps ready at start, after today's summaries (last week's dashboard's
    RFM counts, that day's and a month earlier's), is what that dashboard then shows, without
    asking RFM again."""
    from services.reports import dashboard as dash
    from services.segments import service as seg

    database, _ids = fixed
    want = dashboard(database.sessions, START, END)
    seg.prepare_summaries(database.sessions, END + dt.timedelta(days=1))  # as the window does
    dash.keep_rfm_ready(database.sessions, END)
    asked: list[dt.date] = []
    real = seg.rfm
    monkeypatch.setattr(seg, "rfm", lambda s, as_of, **kw: asked.append(as_of) or real(
        s, as_of, **kw))
    got = dashboard(database.sessions, START, END)
    assert asked == []
    assert [(f.key, f.value, f.previous) for f in got.rfm] == [
        (f.key, f.value, f.previous) for f in want.rfm]


def test_two_dates_asked_at_once_are_both_kept(fixed):
    """The dashboard asks for its end date's and a month earlier's RFM counts at once; when
    nothing is kept yet both store the row at the same moment, and both dates are kept."""
    import threading

    from services.reports import rfm_history
    from services.segments import service as seg

    database, _ids = fixed
    seg.prepare_summaries(database.sessions, END + dt.timedelta(days=1))
    for round_ in range(4):
        days = [END - dt.timedelta(days=7 * (2 * round_ + k)) for k in (0, 1)]
        with database.sessions.begin() as s:  # nothing kept yet
            s.execute(delete(AppSetting).where(AppSetting.key == rfm_history.KEY))
        start = threading.Barrier(2)

        def ask(day_: dt.date, barrier: threading.Barrier) -> None:
            barrier.wait()
            rfm_history.class_counts(database.sessions, day_)

        threads = [threading.Thread(target=ask, args=(d, start)) for d in days]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with database.sessions() as s:
            stored = s.scalar(select(AppSetting.value).where(AppSetting.key == rfm_history.KEY))
        assert all(f"{d.isoformat()} 24m" in stored for d in days), round_


def test_in_a_week_not_over_a_follow_up_due_later_is_not_overdue(database):
    from models import Customer, StaffUser
    from services.contacts import calls

    today = dt.date.today()
    with database.sessions.begin() as s:
        staff = StaffUser(username="chenli", display_name="陈丽")
        early, later = Customer(code="C1", name="张三"), Customer(code="C2", name="李四")
        s.add_all([staff, early, later])
        s.flush()
        ids = staff.id, early.id, later.id
    asked = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(10))
    for customer, due in ((ids[1], today - dt.timedelta(days=1)),
                          (ids[2], today + dt.timedelta(days=2))):
        calls.record_call(database.sessions, customer, ids[0],
                          calls.CallResult(outcome="no_answer", next_follow_up=due), at=asked)
    d = dashboard(database.sessions, today - dt.timedelta(days=3), today + dt.timedelta(days=3))
    [work] = [w for w in d.staff_work if w.staff == "陈丽"]
    # Both fall due in the week; on this day only the one due yesterday is overdue.
    assert (work.follow_ups_due, work.follow_ups_overdue) == (2, 1)
