"""The pre-call brief against the rows stored for one customer, on SQLite and PostgreSQL, and
the km estimate against the independent reference of the segment rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from models import (
    Complaint,
    ContactEvent,
    Customer,
    MileageReading,
    OtherPurchase,
    PurchaseIntent,
    SatisfactionSurvey,
    ServiceVisit,
    Vehicle,
)
from services.customers import preferences, profile
from services.customers.brief import estimate_km, load_brief
from tests.services.segments_reference import V, est_km

D = dt.date
AS_OF = D(2026, 11, 23)


def _customer(database) -> int:
    with database.sessions.begin() as s:
        c = Customer(code="B1", name="李敏英", mobile="13800138080", gender="F",
                     birthday=D(1980, 11, 24))
        s.add(c)
        s.flush()
        old = Vehicle(customer_id=c.id, brand="大众", model="宝来", plate="粤A11111",
                      purchase_date=D(2012, 5, 1), active=False)
        car = Vehicle(customer_id=c.id, brand="丰田", model="凯美瑞", plate="粤A22222",
                      purchase_date=D(2019, 3, 5), price_paid=Decimal("189000"),
                      payment_method="loan")
        s.add_all([old, car])
        s.flush()
        s.add_all([
            MileageReading(vehicle_id=car.id, reading_date=D(2025, 11, 23), km=60000,
                           source="visit"),
            MileageReading(vehicle_id=car.id, reading_date=D(2026, 5, 23), km=66000,
                           source="visit"),
            ServiceVisit(customer_id=c.id, vehicle_id=car.id, visit_date=D(2026, 5, 23),
                         visit_type="maintenance", amount=Decimal("880"), km=66000),
            ServiceVisit(customer_id=c.id, vehicle_id=car.id, visit_date=D(2026, 9, 1),
                         visit_type="warranty", amount=Decimal("0")),  # free: not a spend
            OtherPurchase(customer_id=c.id, purchase_date=D(2026, 8, 8), kind="insurance",
                          amount=Decimal("4200")),
            OtherPurchase(customer_id=c.id, purchase_date=D(2026, 12, 1), kind="accessory",
                          amount=Decimal("300")),  # after the evaluation date
            SatisfactionSurvey(customer_id=c.id, survey_date=D(2024, 6, 1), overall_score=9),
            SatisfactionSurvey(customer_id=c.id, survey_date=D(2026, 5, 25), overall_score=5,
                               comment="等太久"),
            Complaint(customer_id=c.id, opened_date=D(2026, 5, 26), topic="保养等待时间长"),
            Complaint(customer_id=c.id, opened_date=D(2023, 1, 2), topic="洗车不干净",
                      resolved=True, resolved_date=D(2023, 1, 9)),
            ContactEvent(customer_id=c.id, contact_at=dt.datetime(2026, 10, 3, 10, 15),
                         channel="phone", purpose="callback", outcome="reached",
                         feedback="刚结婚，想换个大点的车"),
            ContactEvent(customer_id=c.id, contact_at=dt.datetime(2026, 6, 1, 9, 0),
                         channel="sms", purpose="reminder", outcome="sent"),
            PurchaseIntent(customer_id=c.id, recorded_date=D(2026, 10, 3), strength="strong",
                           time_window="1m", expected_price=Decimal("260000"),
                           models_of_interest="汉兰达"),
        ])
        cid = c.id
    for attribute, value, day in (("economic_band", "2", D(2018, 1, 1)),
                                  ("marital_status", "single", D(2018, 1, 1)),
                                  ("economic_band", "4", D(2025, 7, 1)),
                                  ("marital_status", "married", D(2026, 9, 20)),
                                  ("temperament", "car_lover", D(2020, 1, 1))):
        profile.record_change(database.sessions, cid, attribute, value, effective_date=day,
                              source="call")
    preferences.set_preferences(database.sessions, cid, channel_order=["phone", "sms"],
                                time_windows=["evening"])
    preferences.add_refusal(database.sessions, cid, channel="sms", purpose="marketing",
                            reason="不要活动短信", set_on=D(2026, 2, 1))
    return cid


def test_the_brief_says_what_is_stored(database):
    cid = _customer(database)
    b = load_brief(database.sessions, cid, AS_OF)
    assert (b.name, b.age) == ("李敏英", 45)  # 46 only on 24 November
    assert b.last_contact.feedback == "刚结婚，想换个大点的车"
    assert b.days_since_contact == (AS_OF - D(2026, 10, 3)).days
    assert (b.last_spend.date, b.last_spend.amount, b.last_spend.kind) == (
        D(2026, 8, 8), Decimal("4200"), "insurance")
    assert (b.last_survey.overall, b.survey_trend) == (5, (9, 5))
    trends = {t.attribute: t for t in b.trends}
    # Since the car was bought (2019-03-05): the band went up, they married.
    assert (trends["economic_band"].before, trends["economic_band"].now,
            trends["economic_band"].direction) == ("2", "4", "up")
    assert (trends["marital_status"].before, trends["marital_status"].now,
            trends["marital_status"].since) == ("single", "married", D(2026, 9, 20))
    assert ("temperament", "car_lover", D(2020, 1, 1)) in b.kept
    newest, earlier = b.cars
    assert (newest.name, newest.active, earlier.active) == ("丰田 凯美瑞 粤A22222", True, False)
    assert round(newest.years, 2) == round((AS_OF - D(2019, 3, 5)).days / 365.25, 2)
    # 6,000 km between the two readings, then on along the same line to the day.
    between = (D(2026, 5, 23) - D(2025, 11, 23)).days
    after = (AS_OF - D(2026, 5, 23)).days
    assert newest.km == round(66000 + 6000 / between * after)
    assert newest.km_per_year == round(6000 / between * 365.25)
    assert [c.topic for c in b.open_complaints] == ["保养等待时间长"]
    assert b.resolved_complaints == 1
    assert (b.intent.strength, b.intent.window, b.intent.models) == ("strong", "1m", "汉兰达")
    assert b.preferences.channel_order == ("phone", "sms")
    assert [(r.channel, r.purpose) for r in b.refusals] == [("sms", "marketing")]


def test_the_brief_gives_the_number_to_dial(database):
    cid = _customer(database)
    assert load_brief(database.sessions, cid, AS_OF).mobile == "13800138080"
    with database.sessions.begin() as s:
        c = s.get(Customer, cid)
        c.mobile, c.other_phones = None, "1380013800, 020-81234567-12"
    assert load_brief(database.sessions, cid, AS_OF).mobile == "020-81234567-12"


def test_the_brief_of_an_earlier_day_knows_only_that_day(database):
    cid = _customer(database)
    b = load_brief(database.sessions, cid, D(2026, 5, 24))
    assert b.last_contact is None  # both contacts came later
    assert b.last_survey.overall == 9 and b.open_complaints == ()
    assert {t.attribute: t.now for t in b.trends}["marital_status"] == "single"
    assert b.refusals and b.intent is None


readings = st.lists(
    st.tuples(st.dates(D(2015, 1, 1), D(2026, 11, 1)), st.integers(0, 400_000)),
    max_size=5)


@settings(max_examples=200, deadline=None)
@given(readings, st.one_of(st.none(), st.dates(D(2010, 1, 1), D(2020, 1, 1))))
def test_km_estimate_follows_the_segment_rule(points, bought):
    """Same answer as the segment rule's independent reference for any readings."""
    stored = tuple((d, km, "visit") for d, km in points)
    mine = estimate_km(stored, bought, AS_OF)
    ref = est_km(V(1, "x", bought, True, None, None, list(points)), AS_OF)
    for a, b in zip(mine, ref, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            assert abs(a - b) < 1e-6 * max(1.0, abs(b))
