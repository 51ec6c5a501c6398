"""Templates: replacement matrix, RFM classes, lifecycle, tags and due soon — counts from one
query that agree with the members of each cell's own filter, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import (
    Customer,
    CustomerTag,
    MileageReading,
    ProfileChange,
    SatisfactionSurvey,
    ServiceVisit,
    Tag,
    TagGroup,
    Vehicle,
)
from services.segments import rfm as rfm_mod
from services.segments import service
from services.store.errors import RevisitError

D = dt.date
AS_OF = D(2026, 11, 23)


def _years_ago(years: float) -> dt.date:
    return AS_OF - dt.timedelta(days=round(years * 365.25))


@pytest.fixture
def fleet(database):
    """Customer 1 has two old cars (5.5 and 7.5 years) and a 9; customer 2 a 6.5-year car and a
    5; customer 3 a 5.2-year car and no survey; customer 4 a new car; customer 5 a sold 8-year
    car. Spends: 1 often and much, 2 once long ago, 3 once recently and little."""
    with database.sessions.begin() as s:
        for i in range(1, 6):
            s.add(Customer(id=i, code=f"C{i}", name=f"客户{i}", birthday_md="1201" if i == 1
                           else None, lifecycle_stage="repeat" if i < 3 else None))
        s.flush()
        s.add_all([
            Vehicle(id=1, customer_id=1, brand="VW", model="A", purchase_date=_years_ago(5.5)),
            Vehicle(id=2, customer_id=1, brand="VW", model="B", purchase_date=_years_ago(7.5),
                    insurance_expiry=D(2026, 12, 1)),
            Vehicle(id=3, customer_id=2, brand="VW", model="C", purchase_date=_years_ago(6.5),
                    warranty_end=D(2026, 11, 30)),
            Vehicle(id=4, customer_id=3, brand="VW", model="D", purchase_date=_years_ago(5.2)),
            Vehicle(id=5, customer_id=4, brand="VW", model="E", purchase_date=_years_ago(1)),
            Vehicle(id=6, customer_id=5, brand="VW", model="F", purchase_date=_years_ago(8),
                    active=False),
        ])
        s.flush()
        s.add_all([
            MileageReading(vehicle_id=1, reading_date=_years_ago(1), km=80_000),
            MileageReading(vehicle_id=1, reading_date=_years_ago(0.5), km=100_000),
            MileageReading(vehicle_id=2, reading_date=_years_ago(0.5), km=60_000),
            SatisfactionSurvey(customer_id=1, survey_date=D(2026, 1, 1), overall_score=9),
            SatisfactionSurvey(customer_id=2, survey_date=D(2026, 1, 1), overall_score=5),
            SatisfactionSurvey(customer_id=2, survey_date=D(2027, 1, 1), overall_score=10),
        ])
        for day, amount in ((D(2026, 10, 1), 2000), (D(2026, 3, 1), 3000), (D(2025, 6, 1), 500)):
            s.add(ServiceVisit(customer_id=1, visit_date=day, visit_type="repair",
                               amount=Decimal(amount)))
        s.add(ServiceVisit(customer_id=2, visit_date=D(2025, 1, 1), visit_type="repair",
                           amount=Decimal(4000)))
        s.add(ServiceVisit(customer_id=3, visit_date=D(2026, 11, 1), visit_type="repair",
                           amount=Decimal(200)))
        s.add(ServiceVisit(customer_id=4, visit_date=D(2024, 11, 23), visit_type="repair",
                           amount=Decimal(9999)))  # the day before the window starts
        s.add(ProfileChange(customer_id=3, attribute="lifecycle_stage", new_value="intent",
                            effective_date=D(2026, 1, 1), source="call"))
        group = TagGroup(name="客群")
        s.add(group)
        s.flush()
        old, biz = Tag(group_id=group.id, name="老年"), Tag(group_id=group.id, name="企业主")
        s.add_all([old, biz])
        s.flush()
        s.add_all([CustomerTag(customer_id=1, tag_id=old.id),
                   CustomerTag(customer_id=2, tag_id=old.id)])
    return database


def test_matrix_counts_vehicles_per_cell_with_no_score_band(fleet):
    m = service.matrix(fleet.sessions, AS_OF)
    assert len(m.cells) == 12
    got = {(c.years_band, c.satisfaction_band): c.vehicles for c in m.cells if c.vehicles}
    assert got == {("5-6", "high"): 1, ("7+", "high"): 1, ("6-7", "low"): 1, ("5-6", "none"): 1}
    assert m.cell("5-6", "high").customers == 1
    for cell in m.cells:  # every cell's own filter finds exactly the vehicles counted
        page = service.members(fleet.sessions, cell.filter, AS_OF, limit=None)
        assert page.total == cell.vehicles, cell


def test_matrix_km_floor(fleet):
    m = service.matrix(fleet.sessions, AS_OF, km_floor=90_000)
    # Car 1: 100,000 km six months ago at 40,000 km/yr → about 120,000 now. Car 2: one reading
    # at 7 years → 60,000 / 7 · 7.5 ≈ 64,000.
    assert {(c.years_band, c.satisfaction_band) for c in m.cells if c.vehicles} == {("5-6", "high")}
    cell = m.cell("5-6", "high")
    assert [r.vehicle_id for r in service.members(fleet.sessions, cell.filter, AS_OF).rows] == [1]


def test_matrix_as_of_earlier_date(fleet):
    m = service.matrix(fleet.sessions, D(2025, 6, 1))
    assert {(c.years_band, c.satisfaction_band): c.vehicles for c in m.cells if c.vehicles} == {
        ("6-7", "none"): 1, ("5-6", "none"): 1}


def test_rfm_mean_thresholds_and_names(fleet):
    r = service.rfm(fleet.sessions, AS_OF)
    assert [c.name_zh for c in r.classes] == [
        "重要价值", "重要发展", "重要保持", "重要挽留",
        "一般价值", "一般发展", "一般保持", "一般挽留",
    ]
    assert r.window_start == D(2024, 11, 24)
    # R: 53, 691, 22 days; F: 3, 1, 1; M: 5500, 4000, 200 yuan.
    assert r.customers_with_class == 3
    assert r.r_days == pytest.approx((53 + 691 + 22) / 3)
    assert r.f == pytest.approx(5 / 3) and r.m == pytest.approx(9700 / 3)
    got = {c.key: c.customers for c in r.classes if c.customers}
    assert got == {"important_value": 1, "important_retain": 1, "general_develop": 1}
    for c in r.classes:
        assert service.count(fleet.sessions, c.filter, AS_OF).customers == c.customers


def test_rfm_fixed_and_quantile(fleet):
    fixed = service.rfm(fleet.sessions, AS_OF,
                        thresholds=rfm_mod.Thresholds("fixed", r_days=60, f=1, m=300))
    assert {c.key: c.customers for c in fixed.classes if c.customers} == {
        "important_value": 1, "important_keep": 1, "general_value": 1}
    for c in fixed.classes:
        assert service.count(fleet.sessions, c.filter, AS_OF).customers == c.customers
    q = service.rfm(fleet.sessions, AS_OF, quantile=0.5)
    assert (q.mode, q.r_days, q.f, q.m) == ("quantile", 53, 1, 4000)
    for c in q.classes:
        assert service.count(fleet.sessions, c.filter, AS_OF).customers == c.customers
    with pytest.raises(RevisitError, match="quantile"):
        service.rfm(fleet.sessions, AS_OF, quantile=2)


def test_lifecycle_tags_and_due(fleet):
    stages = {g.key: g.count for g in service.lifecycle(fleet.sessions, AS_OF)}
    assert stages["repeat"] == 2 and stages["intent"] == 1 and stages["unknown"] == 2
    assert {g.key: g.count for g in service.lifecycle(fleet.sessions, D(2025, 1, 1))}[
        "unknown"] == 3  # customer 3's stage starts in 2026
    tags = {g.key: g.count for g in service.tag_groups(fleet.sessions)}
    assert tags == {"客群/企业主": 0, "客群/老年": 2}
    assert {g.key for g in service.tag_groups(fleet.sessions, "客群")} == set(tags)
    with pytest.raises(RevisitError, match="There is no tag group '兴趣' \\(groups: 客群\\)"):
        service.tag_groups(fleet.sessions, "兴趣")
    due = {g.key: g.count for g in service.due_soon(fleet.sessions, AS_OF, 10)}
    assert due == {"insurance_expiry": 1, "warranty_end": 1, "loan_end": 0, "inspection_due": 0,
                   "birthday": 1}
    for group in (*service.due_soon(fleet.sessions, AS_OF, 10), *service.tag_groups(
            fleet.sessions), *service.lifecycle(fleet.sessions, AS_OF)):
        assert service.count(fleet.sessions, group.filter, AS_OF).customers == group.count


def test_templates_can_be_saved_and_changed(fleet):
    keys = [t.key for t in service.template_segments()]
    # Matrix cells, RFM classes, stages, due soon, referrals, service reminders.
    assert len(keys) == 12 + 8 + 6 + 5 + 3 + 2 and "matrix.7+.none" in keys
    info = service.save_template(fleet.sessions, "rfm.important_value")
    # Saved under its key (typed without quotes), its Chinese name kept as the description.
    assert info.name == "rfm.important_value" and info.template == "rfm.important_value"
    assert info.description == "RFM：重要价值"
    seg = service.get_segment(fleet.sessions, info.name)
    assert service.count(fleet.sessions, seg.filter, AS_OF).customers == 1
    # A template key stands for the template until a segment of that name exists.
    used = service.segment_or_template(fleet.sessions, "lifecycle.super")
    assert used.info.name == "lifecycle.super" and used.info.template == "lifecycle.super"
    assert service.segment_or_template(fleet.sessions, "lifecycle.super").info.id == used.info.id
    with pytest.raises(RevisitError, match="no-such"):
        service.segment_or_template(fleet.sessions, "no-such")


def test_rfm_quantile_position_is_the_floor_on_both_databases(fleet):
    with fleet.sessions.begin() as s:
        s.add(ServiceVisit(customer_id=5, visit_date=D(2026, 11, 20), visit_type="repair",
                           amount=Decimal("100.50")))
    # n = 4 → position floor(0.5 · 3) = 1: the second smallest of each measure.
    q = service.rfm(fleet.sessions, AS_OF, quantile=0.5)
    assert (q.customers_with_class, q.r_days, q.f, q.m) == (4, 22, 1, 200)
