"""Each segment field and operator on a small hand-made database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import String, case, literal, select

from models import (
    Complaint,
    ConsentEvent,
    ContactEvent,
    ContactPreference,
    Customer,
    CustomerTag,
    DoNotContact,
    MileageReading,
    OtherPurchase,
    ProfileChange,
    PurchaseIntent,
    SatisfactionSurvey,
    ServiceVisit,
    Tag,
    TagGroup,
    Vehicle,
)
from services.segments import service
from services.segments.sqlx import digits_only

D = dt.date
AS_OF = D(2026, 11, 23)


@pytest.fixture
def world(database):
    """张伟 (1): Passat (1) bought 5.998 years ago, a sold BMW (2), a Golf (3); happy, spends.
    李娜 (2): an old Buick (4) on a loan; never surveyed, open complaint, no SMS for marketing.
    王芳 (3): no car, unhappy, potential, strong intent; her 北京 written 北京市."""
    with database.sessions.begin() as s:
        s.add_all([
            Customer(id=1, code="C1", name="张伟", city="北京", mobile="13912345678",
                     birthday_md="1201", gender="M"),
            Customer(id=2, code="C2", name="李娜", city="上海", mobile="13800001111",
                     birthday_md="0229", gender="F"),
            # Her city stored by its full name, 张伟's by its short one: one place.
            Customer(id=3, code="C3", name="王芳", city="北京市", lifecycle_stage="potential"),
        ])
        s.flush()
        s.add_all([
            Vehicle(id=1, customer_id=1, brand="VW", model="Passat", purchase_date=D(2020, 11, 23),
                    price_paid=Decimal("180000")),
            Vehicle(id=2, customer_id=1, brand="BMW", model="X1", purchase_date=D(2018, 1, 10),
                    active=False),
            Vehicle(id=3, customer_id=1, brand="VW", model="Golf", purchase_date=D(2024, 6, 1),
                    insurance_expiry=D(2026, 12, 10)),
            Vehicle(id=4, customer_id=2, brand="Buick", model="GL8", purchase_date=D(2019, 3, 1),
                    price_paid=Decimal("300000"), payment_method="loan",
                    loan_end=D(2026, 12, 20)),
        ])
        s.flush()
        s.add_all([
            MileageReading(vehicle_id=1, reading_date=D(2025, 11, 23), km=50000),
            MileageReading(vehicle_id=1, reading_date=D(2026, 5, 23), km=60000),
            MileageReading(vehicle_id=1, reading_date=D(2026, 6, 1), km=60100),
            MileageReading(vehicle_id=3, reading_date=D(2025, 6, 1), km=12000),
            SatisfactionSurvey(customer_id=1, survey_date=D(2025, 1, 1), overall_score=3),
            SatisfactionSurvey(customer_id=1, survey_date=D(2026, 10, 1), overall_score=9,
                               repair_quality=8, price=7),
            SatisfactionSurvey(customer_id=3, survey_date=D(2026, 6, 1), overall_score=6),
            ServiceVisit(customer_id=1, visit_date=D(2026, 10, 1), visit_type="maintenance",
                         amount=Decimal("800")),
            ServiceVisit(customer_id=1, visit_date=D(2025, 3, 1), visit_type="warranty",
                         amount=Decimal("0")),
            OtherPurchase(customer_id=1, purchase_date=D(2025, 12, 1), kind="insurance",
                          amount=Decimal("3200")),
            ServiceVisit(customer_id=2, visit_date=D(2024, 12, 1), visit_type="repair",
                         amount=Decimal("1500")),
            ContactEvent(customer_id=1, contact_at=dt.datetime(2026, 11, 20, 10), channel="phone",
                         purpose="care", outcome="reached"),
            ConsentEvent(customer_id=1, granted=True, event_date=D(2024, 1, 1), source="call"),
            ConsentEvent(customer_id=1, granted=False, event_date=D(2026, 12, 1), source="call"),
            Complaint(customer_id=2, opened_date=D(2026, 9, 1), topic="noise"),
            Complaint(customer_id=1, opened_date=D(2025, 9, 1), topic="wait", resolved=True,
                      resolved_date=D(2025, 9, 5)),
            DoNotContact(customer_id=2, channel="sms", purpose="marketing", reason="回T退订",
                         set_on=D(2026, 1, 1)),
            ContactPreference(customer_id=2, first_channel="sms", channel_order="sms,phone"),
            PurchaseIntent(customer_id=3, recorded_date=D(2026, 11, 1), strength="strong",
                           time_window="1m"),
            ProfileChange(customer_id=1, attribute="economic_band", new_value="2",
                          effective_date=D(2019, 1, 1), source="call"),
            ProfileChange(customer_id=1, attribute="economic_band", new_value="4",
                          effective_date=D(2025, 1, 1), source="call"),
            ProfileChange(customer_id=1, attribute="lifecycle_stage", new_value="first_purchase",
                          effective_date=D(2020, 11, 23), source="visit"),
            ProfileChange(customer_id=1, attribute="lifecycle_stage", new_value="repeat",
                          effective_date=D(2024, 6, 1), source="visit"),
        ])
        group = TagGroup(name="客群")
        s.add(group)
        s.flush()
        tag = Tag(group_id=group.id, name="老年")
        s.add(tag)
        s.flush()
        s.add(CustomerTag(customer_id=1, tag_id=tag.id))
    return database


def members(database, where, as_of=AS_OF, vehicles="active"):
    flt = {"version": 1, "vehicles": vehicles, "where": where}
    return {(m.customer_id, m.vehicle_id)
            for m in service.members(database.sessions, flt, as_of, limit=None).rows}


def c(field, op, value=None, **params):
    out = {"field": field, "op": op}
    if value is not None:
        out["value"] = value
    if params:
        out["params"] = params
    return out


CASES = [
    # stored customer fields, text and code operators
    (c("name", "=", "张伟"), {(1, None)}),
    (c("city", "!=", "北京"), {(2, None)}),
    # 张伟 bought insurance on 2025-12-01, 357 days before; nobody bought accessories.
    (c("days_since_purchase", "=", 357, purchase_kind="insurance"), {(1, None)}),
    (c("days_since_purchase", "<", 357, purchase_kind="insurance"), set()),
    (c("days_since_purchase", "<=", 365, purchase_kind="insurance"), {(1, None)}),
    (c("days_since_purchase", "is_null", purchase_kind="insurance"), {(2, None), (3, None)}),
    (c("days_since_purchase", ">", 1000, purchase_kind="accessory"),
     {(1, None), (2, None), (3, None)}),
    (c("city", "=", "北京市"), {(1, None), (3, None)}),
    (c("city", "in", ["北京", "广州"]), {(1, None), (3, None)}),
    (c("city", "not_in", ["北京市"]), {(2, None)}),
    (c("city", "contains", "北京市"), {(3, None)}),
    (c("mobile", "starts_with", "139"), {(1, None)}),
    (c("mobile", "contains", "0001"), {(2, None)}),
    (c("name", "in", ["王芳", "李娜"]), {(2, None), (3, None)}),
    (c("gender", "not_in", ["M"]), {(2, None), (3, None)}),
    (c("gender", "is_null"), {(3, None)}),
    (c("mobile", "not_null"), {(1, None), (2, None)}),
    # stored vehicle fields: any active vehicle, and which one
    (c("brand", "=", "VW"), {(1, 1), (1, 3)}),
    (c("brand", "=", "BMW"), set()),
    (c("price_paid", "between", [200000, 400000]), {(2, 4)}),
    (c("payment_method", "=", "loan"), {(2, 4)}),
    (c("loan_end", "due_within", 30), {(2, 4)}),
    (c("loan_end", "due_within", 20), set()),
    (c("insurance_expiry", "<=", "2026-12-10"), {(1, 3)}),
    (c("purchase_date", "within_last", 1000), {(1, 3)}),
    (c("vehicle_active", "=", False), set()),
    # years since purchase: 2191 days / 365.25 = 5.998
    (c("years_since_purchase", ">=", 6), {(2, 4)}),  # the BMW is sold
    (c("years_since_purchase", "between", [5, 6]), {(1, 1)}),
    (c("years_since_purchase", "<", 6), {(1, 1), (1, 3)}),
    (c("years_since_purchase", ">", 7.5), {(2, 4)}),
    # estimated km: Passat from the last two readings ≥ 30 days apart (not the 9-day pair)
    (c("estimated_km", ">=", 69000), {(1, 1)}),  # 60100 + 10100·175/190
    (c("estimated_km", "between", [29000, 30000]), {(1, 3)}),
    (c("estimated_km", "is_null"), {(2, 4), (3, None)}),  # no readings; no car
    (c("km_per_year", ">", 19000), {(1, 1)}),
    (c("km_per_year", "<", 12500), {(1, 3)}),
    # satisfaction (latest survey on or before the date) and complaints
    (c("satisfaction_band", "=", "high"), {(1, None)}),
    (c("satisfaction_band", "=", "none"), {(2, None)}),
    (c("satisfaction_band", "in", ["low", "none"]), {(2, None), (3, None)}),
    (c("satisfaction_band", "!=", "high"), {(2, None), (3, None)}),
    (c("satisfaction.overall_score", "<=", 6), {(3, None)}),
    (c("satisfaction.repair_quality", "=", 8), {(1, None)}),
    (c("satisfaction.price", "is_null"), {(2, None), (3, None)}),
    (c("satisfaction_date", "<", "2026-07-01"), {(3, None)}),
    (c("unresolved_complaint", "=", True), {(2, None)}),
    (c("unresolved_complaint", "=", False), {(1, None), (3, None)}),
    # activity: never counts as longer ago than any number of days
    (c("days_since_last_contact", ">=", 30), {(2, None), (3, None)}),
    (c("days_since_last_contact", "<=", 3), {(1, None)}),
    (c("days_since_last_contact", "is_null"), {(2, None), (3, None)}),
    (c("days_since_last_visit", ">", 365), {(2, None), (3, None)}),
    (c("days_since_last_visit", "=", 53), {(1, None)}),
    (c("days_since_last_spend", "<", 60), {(1, None)}),
    # spend in a window: amount > 0 only
    (c("spend_count", ">=", 2), {(1, None)}),
    (c("spend_count", "=", 0), {(2, None), (3, None)}),
    (c("spend_count", "=", 1, months=36), {(2, None)}),
    (c("spend_amount", ">", 3000), {(1, None)}),
    (c("spend_amount", "=", 0, months=12), {(2, None), (3, None)}),
    # RFM over 24 months: R 53 / 722, F 2 / 1, M 4000 / 1500 → means 387.5, 1.5, 2750
    (c("rfm_r", "<", 100), {(1, None)}),
    (c("rfm_f", "=", 1), {(2, None)}),
    (c("rfm_m", ">=", 4000), {(1, None)}),
    (c("rfm_class", "=", "important_value"), {(1, None)}),
    (c("rfm_class", "=", "general_retain"), {(2, None)}),
    (c("rfm_class", "is_null"), {(3, None)}),
    (c("rfm_class", "not_in", ["important_value"]), {(2, None), (3, None)}),
    (c("rfm_class", "=", "important_keep", mode="fixed", r_days=30, f=2, m=1000),
     {(1, None)}),
    # profile and trends
    (c("profile.economic_band", "=", "4"), {(1, None)}),
    (c("trend_since_purchase", "=", "up"), {(1, 1), (1, 3)}),
    (c("trend_over_months", "=", "same", months=12), {(1, None)}),
    (c("trend_over_months", "=", "up", months=36), {(1, None)}),
    (c("lifecycle_stage", "=", "repeat"), {(1, None)}),
    (c("lifecycle_stage", "=", "potential"), {(3, None)}),
    (c("lifecycle_stage", "is_null"), {(2, None)}),
    # intent, preferences, consent, do-not-contact, tags, birthday
    (c("intent_strength", "=", "strong"), {(3, None)}),
    (c("intent_window", "in", ["1w", "1m"]), {(3, None)}),
    (c("preferred_channel", "=", "sms"), {(2, None)}),
    (c("marketing_consent", "=", True), {(1, None)}),
    (c("do_not_contact", "=", True, channel="sms"), {(2, None)}),
    (c("do_not_contact", "=", True, channel="phone"), set()),
    (c("do_not_contact", "=", False, channel="sms", purpose="sales"), {(1, None), (2, None),
                                                                       (3, None)}),
    (c("tags", "has_any", ["客群/老年"]), {(1, None)}),
    (c("tags", "has_none", ["客群/老年"]), {(2, None), (3, None)}),
    (c("birthday", "due_within", 8), {(1, None)}),
    (c("birthday", "is_null"), {(3, None)}),
]


@pytest.mark.parametrize(("where", "expected"), CASES,
                         ids=[f"{w['field']} {w['op']} {w.get('value', '')}" for w, _ in CASES])
def test_field_operator(world, where, expected):
    assert members(world, where) == expected


def test_groups_and_not_two_valued(world):
    # NOT of a condition on a missing value is true: customers without a km estimate match.
    assert members(world, {"not": c("estimated_km", ">=", 69000)}) == {(1, 3), (2, 4), (3, None)}
    tree = {"and": [c("brand", "=", "VW"), {"or": [c("estimated_km", ">", 69000),
                                                   c("insurance_expiry", "due_within", 30)]}]}
    assert members(world, tree) == {(1, 1), (1, 3)}
    assert members(world, {"or": [c("city", "=", "上海"), c("brand", "=", "VW")]}) == {
        (1, 1), (1, 3), (2, 4)}


def test_sold_vehicles_only_with_scope_all(world):
    assert members(world, c("brand", "=", "BMW"), vehicles="all") == {(1, 2)}
    assert members(world, c("vehicle_active", "=", False), vehicles="all") == {(1, 2)}


def test_evaluation_date_reproduces_the_past(world):
    # On 2025-06-01 the last survey was the 3, the stage repeat, the consent given.
    day = D(2025, 6, 1)
    assert members(world, c("satisfaction_band", "=", "low"), day) == {(1, None)}
    assert members(world, c("years_since_purchase", ">=", 5), day) == {(2, 4)}
    assert members(world, c("birthday", "due_within", 0), D(2027, 3, 1)) == {(2, None)}
    assert members(world, c("birthday", "due_within", 0), D(2028, 2, 29)) == {(2, None)}
    assert members(world, c("birthday", "due_within", 0), D(2028, 3, 1)) == set()


def test_count_and_members_page(world):
    flt = {"version": 1, "where": c("brand", "in", ["VW", "Buick"])}
    counted = service.count(world.sessions, flt, AS_OF)
    assert (counted.customers, counted.vehicles) == (2, 3)
    page = service.members(world.sessions, flt, AS_OF, offset=1, limit=1)
    assert page.total == 3 and [(m.customer_id, m.vehicle_id, m.plate, m.model)
                                for m in page.rows] == [(1, 3, None, "Golf")]
    assert service.count(world.sessions, {"version": 1, "where": None}, AS_OF).vehicles is None


def test_do_not_contact_ends_on_its_expiry_day_and_when_lifted(world):
    with world.sessions.begin() as s:
        s.add_all([
            DoNotContact(customer_id=1, channel="phone", purpose="sales", reason="暂不考虑换车",
                         set_on=D(2026, 6, 1), expires_on=D(2026, 12, 1)),
            DoNotContact(customer_id=3, channel=None, purpose=None, reason="投诉期间暂停",
                         set_on=D(2026, 1, 1), lifted_on=D(2026, 3, 1)),
        ])
    phone_sales = c("do_not_contact", "=", True, channel="phone", purpose="sales")
    assert members(world, phone_sales, D(2026, 11, 30)) == {(1, None)}
    assert members(world, phone_sales, D(2026, 12, 1)) == set()  # the expiry day is free again
    assert members(world, phone_sales, D(2026, 2, 1)) == {(3, None)}
    assert members(world, phone_sales, D(2026, 3, 1)) == set()  # lifted that day


@pytest.mark.parametrize(("value", "expected"), [
    ("13912345678", True), ("", True), ("139 1234", False), ("１３９", False), ("12a", False),
    ("٣٤", False), ("0", True), ("9*", False), ("[0-9]", False), (None, None)])
def test_digits_only_reads_the_same_on_both_databases(database, value, expected):
    """ASCII digits only: full-width and Arabic-Indic digits, spaces and pattern characters
    are not digits; NULL stays unknown."""
    with database.sessions() as s:
        got = s.scalar(select(case((digits_only(literal(value, String)), True),
                                   (literal(value, String).is_(None), None), else_=False)))
    assert got is expected


def test_oldest_open_complaint_age(world):
    """oldest_complaint_days: days since the opening of the customer's oldest complaint open on
    the evaluation date (the dashboard's complaint-age bars open these customers)."""
    with world.sessions.begin() as s:
        s.add_all([
            # 李娜 (2): a newer open complaint besides the one of 1 September (83 days).
            Complaint(customer_id=2, opened_date=D(2026, 11, 20), topic="price"),
            # 王芳 (3): open on the 23rd, resolved only afterwards: open then, 22 days.
            Complaint(customer_id=3, opened_date=D(2026, 11, 1), topic="parts", resolved=True,
                      resolved_date=D(2026, 11, 30)),
        ])
    age = "oldest_complaint_days"
    assert members(world, c(age, "=", 83)) == {(2, None)}  # the oldest, not the newest
    assert members(world, c(age, "between", [0, 6])) == set()
    assert members(world, c(age, "between", [7, 29])) == {(3, None)}
    assert members(world, c(age, "between", [30, 89])) == {(2, None)}
    assert members(world, c(age, ">=", 90)) == set()
    assert members(world, c(age, "<", 83)) == {(3, None)}
    assert members(world, c(age, "is_null")) == {(1, None)}  # none open
    assert members(world, c(age, "not_null")) == {(2, None), (3, None)}
    assert members(world, c(age, "!=", 83)) == {(1, None), (3, None)}
    # On 3 September 2025 张伟's complaint (1 September, resolved the 5th) was open, 2 days.
    assert members(world, c(age, "=", 2), D(2025, 9, 3)) == {(1, None)}
    assert members(world, c(age, "not_null"), D(2025, 9, 3)) == {(1, None)}


def test_insurance_falls_due_again_on_the_anniversary_of_a_past_expiry(database):
    # A DMS keeps the expiry of the policy the dealer sold; one renewed elsewhere keeps its day,
    # so a past expiry comes round again each year. On 2026-11-23, within 30 days:
    expiries = {
        11: D(2024, 12, 10),  # due: its anniversary is 2026-12-10
        12: D(2025, 11, 22),  # not due: its anniversary was yesterday, the next is a year off
        13: D(2026, 12, 20),  # due: ahead, within the window
        14: D(2026, 12, 24),  # not due: ahead, beyond it
        15: D(2023, 12, 23),  # due: on the window's last day
        16: None,
    }
    with database.sessions.begin() as s:
        s.add(Customer(id=10, code="C10", name="周强"))
        s.flush()
        s.add_all([Vehicle(id=vid, customer_id=10, brand="VW", model="Passat",
                           insurance_expiry=day) for vid, day in expiries.items()])
    assert members(database, c("insurance_expiry", "due_within", 30)) == {
        (10, 11), (10, 13), (10, 15)}
    # The other comparisons read the stored date as it is.
    assert members(database, c("insurance_expiry", "<", "2026-01-01")) == {
        (10, 11), (10, 12), (10, 15)}
    counts = {g.key: g.count for g in service.due_soon(database.sessions, AS_OF, 30)}
    assert counts["insurance_expiry"] == 3
    # A 29 February expiry is due on 1 March in a year without one.
    with database.sessions.begin() as s:
        s.get_one(Vehicle, 16).insurance_expiry = D(2024, 2, 29)
    assert (10, 16) in members(database, c("insurance_expiry", "due_within", 3),
                               as_of=D(2027, 2, 27))
    assert (10, 16) not in members(database, c("insurance_expiry", "due_within", 3),
                                   as_of=D(2027, 3, 2))
