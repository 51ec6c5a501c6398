"""The customers behind the dashboard's contact figures: counted by hand on the small fixed
database, and each figure's segment (the contact_date and follow_up_date fields) opens exactly
that many customers — on SQLite and PostgreSQL, on the fixed data and on the demo data."""

from __future__ import annotations

import datetime as dt

import pytest

from services import labels
from services.reports import behind
from services.reports.dashboard import completed, dashboard, with_customers
from services.segments import catalog, spec
from services.segments import service as segments
from tests.services import report_data
from tests.services.report_data import END, START

WEEK, EARLIER = "2026-11-16", "2026-11-09"


@pytest.fixture
def fixed(database):
    return database, report_data.build(database)


def test_customers_behind_by_hand(fixed):
    database, ids = fixed
    d = dashboard(database.sessions, START, END)
    a, b = ids["a"], ids["b"]
    got = d.behind
    # The week: phone c1 (16th and 19th), c2, c3; WeChat c5; SMS c4. The week before: c1.
    assert {k: got[k] for k in got if k.startswith("week/")} == {
        f"week/{WEEK}/channel/phone": 3, f"week/{WEEK}/channel/wechat": 1,
        f"week/{WEEK}/channel/sms": 1, f"week/{EARLIER}/channel/phone": 1,
        f"week/{WEEK}/staff/{a}": 3, f"week/{WEEK}/staff/{b}": 2, f"week/{WEEK}/staff/none": 1,
        f"week/{EARLIER}/staff/{a}": 1}
    # Two appointments, both c1's: one customer.
    assert {k: got[k] for k in got if k.startswith("outcome/")} == {
        "outcome/appointment": 1, "outcome/no_answer": 1, "outcome/reached": 1,
        "outcome/refused": 1, "outcome/sent": 1}
    assert {k: got[k] for k in got if k.startswith("channel/")} == {
        "channel/phone/attempts": 3, "channel/phone/reached": 2, "channel/wechat/attempts": 1,
        "channel/wechat/reached": 1, "channel/sms/attempts": 0, "channel/sms/reached": 0}
    columns = ("contacts", "attempts", "reached", "appointments", "kept")
    assert [got[f"staff/{a}/{c}"] for c in columns] == [3, 3, 2, 1, 1]
    # b's appointment with c1 on the 19th: c1's visit was on the 17th, before it.
    assert [got[f"staff/{b}/{c}"] for c in columns] == [2, 2, 2, 1, 0]
    assert [got[f"staff/none/{c}"] for c in columns] == [1, 0, 0, 0, 0]
    assert [got[f"all/{c}"] for c in columns] == [5, 4, 3, 1, 1]
    # November: c1 (the 9th too) … c5; reached c1, c3, c5; an appointment: c1.
    assert [got[f"month/2026-11-01/{s}"] for s in behind.MONTH_SERIES] == [5, 3, 1]
    assert sum(got[f"month/2026-10-01/{s}"] for s in behind.MONTH_SERIES) == 0


def test_every_contact_figure_opens_as_many_customers(fixed):
    database, ids = fixed
    d = dashboard(database.sessions, START, END)
    keys = behind.keys(d)
    assert len(keys) > 40
    for key in keys:
        opened = behind.opens(d, key)
        assert opened is not None and opened.customers is not None, key
        assert segments.count(database.sessions, opened.filter, END).customers == (
            opened.customers), (key, opened.filter)
    # Follow-ups due in the period open nothing: no segment on one date holds them (one
    # answered on its day is gone by the end). Overdue ones are one per customer already: a's
    # c2 (asked for the 20th).
    assert behind.opens(d, behind.staff(ids["a"], "due")) is None
    assert behind.opens(d, behind.total("due")) is None
    overdue = behind.opens(d, behind.total("overdue"))
    assert overdue is not None and overdue.customers == 1
    members = segments.members(database.sessions, overdue.filter, END)
    assert [row.customer_id for row in members.rows] == [ids["c2"]]


def test_an_opened_figure_reads_as_its_rule(fixed):
    database, ids = fixed
    d = dashboard(database.sessions, START, END)
    opened = behind.opens(d, behind.week_channel(START, "phone"))
    assert opened is not None
    assert opened.filter == {"version": 1, "where": {
        "field": "contact_date", "op": "between", "value": [WEEK, "2026-11-22"],
        "params": {"channel": "phone"}}}
    assert opened.label_zh == "有联系：2026-11-16 至 2026-11-22 电话"
    assert opened.label_en == "Contacted: 2026-11-16 to 2026-11-22, Phone"
    kept = behind.opens(d, behind.staff(ids["a"], "kept"))
    assert kept is not None and kept.label_zh.endswith(" 陈丽")
    assert kept.filter["where"]["params"] == {"staff": ids["a"], "result": "kept"}
    sms = behind.opens(d, behind.week_staff(START, None))
    assert sms is not None and sms.filter["where"]["params"] == {"made_by": "automatic"}
    assert behind.opens(d, "no/such/figure") is None
    # Every filter is a valid segment filter and survives a JSON round trip.
    for key in behind.keys(d):
        flt = behind.opens(d, key).filter  # type: ignore[union-attr]
        assert spec.to_data(spec.parse(flt)) == flt, key


def test_one_persons_dashboard_opens_their_contacts_only(fixed):
    database, ids = fixed
    d = dashboard(database.sessions, START, END, staff_id=ids["b"])
    assert d.behind["all/contacts"] == 2  # c5 and c1
    opened = behind.opens(d, behind.outcome("appointment"))
    assert opened is not None and opened.filter["where"]["params"] == {
        "outcome": "appointment", "staff": ids["b"]}
    for key in behind.keys(d):
        opened = behind.opens(d, key)
        assert opened is not None
        assert segments.count(database.sessions, opened.filter, END).customers == (
            opened.customers), key


def test_quick_part_opens_without_a_count_until_counted(fixed):
    database, _ids = fixed
    quick = dashboard(database.sessions, START, END, complete=False)
    opened = behind.opens(quick, behind.total("reached"))
    assert opened is not None and opened.customers is None
    full = completed(database.sessions, quick)
    assert full.complete and full.behind == {}  # the window counts them in a third step
    counted = with_customers(database.sessions, full)
    assert counted.behind == dashboard(database.sessions, START, END).behind
    assert behind.opens(counted, behind.total("reached")).customers == 3  # type: ignore
    # The printed report opens nothing, so it does not count the customers behind.
    printed = dashboard(database.sessions, START, END, clickable=False)
    assert printed.complete and printed.behind == {}
    assert printed.staff_work == full.staff_work


def test_contact_conditions_by_hand(fixed):
    """The field's operators and parameters on the fixed contacts (as of the 22nd: the contact
    on the 23rd is after the evaluation date and counts nowhere)."""
    database, ids = fixed

    def who(cond: dict) -> set[int]:
        page = segments.members(database.sessions, {"version": 1, "where": cond}, END)
        return {row.customer_id for row in page.rows}

    c = {k: ids[k] for k in ("c1", "c2", "c3", "c4", "c5")}
    on = {"field": "contact_date"}
    assert who({**on, "op": "=", "value": "2026-11-17"}) == {c["c2"]}
    assert who({**on, "op": "<", "value": "2026-11-16"}) == {c["c1"]}
    assert who({**on, "op": ">", "value": "2026-11-19"}) == {c["c4"], c["c5"]}
    assert who({**on, "op": "within_last", "value": 2}) == {c["c4"], c["c5"]}
    assert who({**on, "op": "not_null"}) == set(c.values())
    # c2's only other contact is on the 23rd: as of the 22nd they had no contact reached.
    assert who({**on, "op": "is_null", "params": {"result": "reached"}}) == {c["c2"], c["c4"]}
    assert who({**on, "op": "not_null", "params": {"purpose": "sales"}}) == set()
    assert who({**on, "op": "not_null", "params": {"made_by": "staff", "staff": 0}}) == {
        c["c1"], c["c2"], c["c3"], c["c5"]}
    assert who({**on, "op": "not_null", "params": {"staff": ids["b"], "channel": "wechat"}}) == {
        c["c5"]}
    follow = {"field": "follow_up_date"}
    assert who({**follow, "op": "not_null"}) == {c["c2"], c["c3"]}
    assert who({**follow, "op": "<", "value": "2026-11-22"}) == {c["c2"]}
    assert who({**follow, "op": "not_null", "params": {"staff": ids["b"]}}) == set()
    # A day later c2's latest contact (the 23rd, by b) asked for nothing.
    later = segments.members(database.sessions, {"version": 1, "where": {
        **follow, "op": "not_null"}}, END + dt.timedelta(days=1))
    assert {row.customer_id for row in later.rows} == {c["c3"]}


def test_the_new_fields_and_their_codes_are_labelled():
    for key in ("contact_date", "follow_up_date"):
        f = catalog.FIELDS[key]
        assert (f.zh, f.en) == labels.both("contact_field", key)
    for values, kind in ((catalog.CONTACT_RESULTS, "contact_result"),
                         (catalog.CONTACT_MADE_BY, "made_by"),
                         (behind.COLUMNS, "contact_figure")):
        for code in values:
            zh, en = labels.both(kind, code)
            assert zh.strip() and en.strip() and zh != en, (kind, code)


def test_demo_figures_open_as_many_customers(database):
    """On generated data with many contacts per customer, for every contact figure."""
    from services.demo import generator as demo

    demo.generate(database, 150, seed=7, today=dt.date(2026, 11, 23))
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 22)
    d = dashboard(database.sessions, start, end)
    assert d.behind["all/contacts"] < d.contacts  # several contacts per customer: it matters
    for key in behind.keys(d):
        opened = behind.opens(d, key)
        assert opened is not None and opened.customers is not None
        assert segments.count(database.sessions, opened.filter, end).customers == (
            opened.customers), key
