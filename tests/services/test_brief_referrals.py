"""The brief's referral and service lines against the stored rows, on SQLite and PostgreSQL:
who introduced the customer and whom they introduced (and what came of it), each car's next
maintenance, the declined repairs open on the day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models import Customer, MileageReading, ServiceVisit, Vehicle
from services.customers import referrals, reminders
from services.customers.brief import load_brief

D = dt.date
AS_OF = D(2026, 11, 23)


def _setup(database, supervisor) -> tuple[int, int, int, int]:
    with database.sessions.begin() as s:
        me, friend, cousin = (Customer(code=c, name=n) for c, n in (
            ("M1", "李敏英"), ("F1", "赵六"), ("F2", "钱七")))
        s.add_all([me, friend, cousin])
        s.flush()
        car = Vehicle(customer_id=me.id, brand="丰田", model="凯美瑞", plate="粤A22222",
                      purchase_date=D(2023, 3, 5))
        sold = Vehicle(customer_id=me.id, brand="大众", model="宝来", plate="粤A11111",
                       purchase_date=D(2015, 1, 1), active=False)
        new = Vehicle(customer_id=me.id, brand="丰田", model="汉兰达", plate="粤A33333",
                      purchase_date=D(2026, 10, 1))
        s.add_all([car, sold, new])
        s.add(Vehicle(customer_id=friend.id, brand="丰田", model="卡罗拉",
                      purchase_date=D(2026, 6, 1)))
        s.flush()
        s.add_all([
            ServiceVisit(customer_id=me.id, vehicle_id=car.id, visit_date=D(2026, 6, 15),
                         visit_type="maintenance", amount=Decimal("800"), km=40000),
            MileageReading(vehicle_id=car.id, reading_date=D(2026, 6, 15), km=40000),
            MileageReading(vehicle_id=car.id, reading_date=D(2026, 3, 15), km=36000),
            ServiceVisit(customer_id=cousin.id, visit_date=D(2026, 8, 1),
                         visit_type="repair", amount=Decimal("200")),
        ])
        ids = me.id, friend.id, cousin.id, car.id
    me_id, friend_id, cousin_id, _ = ids
    referrals.record_referral(database.sessions, supervisor, me_id, referred_on=D(2022, 12, 1),
                              by_org="温州商会", today=AS_OF)
    for who in (friend_id, cousin_id):
        referrals.record_referral(database.sessions, supervisor, who,
                                  referred_on=D(2026, 5, 1), by_customer=me_id, today=AS_OF)
    return ids


def test_the_brief_shows_referrals_both_ways_with_what_came_of_them(database, supervisor):
    me, friend, cousin, _ = _setup(database, supervisor)
    r = load_brief(database.sessions, me, AS_OF).referrals
    assert [(x.kind, x.referrer_name, x.referred_on) for x in r.introduced_by] == [
        ("org", "温州商会", D(2022, 12, 1))]
    got = {x.introduced_id: (x.bought_on, x.came_on) for x in r.introduced}
    assert got == {friend: (D(2026, 6, 1), None), cousin: (None, D(2026, 8, 1))}
    assert (r.count, r.bought, r.came) == (2, 1, 1)
    friend_side = load_brief(database.sessions, friend, AS_OF).referrals
    assert [(x.referrer_code, x.referrer_name) for x in friend_side.introduced_by] == [
        ("M1", "李敏英")]


def test_the_brief_shows_the_next_maintenance_of_each_car_still_owned(database, supervisor):
    me, _, _, car = _setup(database, supervisor)
    due = load_brief(database.sessions, me, AS_OF).maintenance
    # Soonest first. The new car's 首保: 3 months from 1 October (no reading, no km date).
    # The Camry: maintenance on 15 June at 40,000 km, 4,000 km per 92 days: 45,000 km on day
    # ceil(5000·92/4000) = 115 after 15 June, 8 October — before 15 December (six months).
    assert [(m.name, m.due, m.first_service) for m in due] == [
        ("丰田 凯美瑞 粤A22222", D(2026, 10, 8), False),
        ("丰田 汉兰达 粤A33333", D(2027, 1, 1), True),
    ]
    assert (due[0].vehicle_id, due[0].last_visit, due[0].last_km) == (car, D(2026, 6, 15),
                                                                      40000)


def test_the_brief_lists_the_declined_repairs_open_on_its_day(database, supervisor):
    me, _, _, car = _setup(database, supervisor)
    later = reminders.record_declined(database.sessions, supervisor, me, item="更换轮胎",
                                      recorded_on=D(2026, 11, 1), due_on=D(2027, 2, 1),
                                      today=AS_OF)
    soon = reminders.record_declined(database.sessions, supervisor, me, item="更换刹车片",
                                     recorded_on=D(2026, 10, 1), due_on=D(2026, 11, 30),
                                     vehicle_id=car, today=AS_OF)
    done = reminders.record_declined(database.sessions, supervisor, me, item="空调清洗",
                                     recorded_on=D(2026, 9, 1), today=AS_OF)
    reminders.close_declined(database.sessions, supervisor, done.id, "done",
                             closed_on=D(2026, 11, 20))
    brief = load_brief(database.sessions, me, AS_OF)
    assert [(d.id, d.due_on, d.vehicle) for d in brief.declined] == [
        (soon.id, D(2026, 11, 30), "丰田 凯美瑞 粤A22222"), (later.id, D(2027, 2, 1), "")]
    earlier = load_brief(database.sessions, me, D(2026, 10, 15))
    assert [d.item for d in earlier.declined] == ["更换刹车片", "空调清洗"]
