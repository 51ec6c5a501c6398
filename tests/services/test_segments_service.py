"""Saved segments: save, rename, duplicate, delete, list, get, export and import."""

from __future__ import annotations

import json

import pytest

from services.segments import service
from services.store.errors import RevisitError

OLD_CARS = {"version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}}


def test_save_list_get_rename_duplicate_delete(database):
    s = database.sessions
    info = service.save_segment(s, " 老车 ", OLD_CARS, description="5年以上", purpose="sales")
    assert info.name == "老车" and info.purpose == "sales"
    with pytest.raises(RevisitError, match="already exists"):
        service.save_segment(s, "老车", OLD_CARS)
    changed = dict(OLD_CARS, where={"field": "years_since_purchase", "op": ">=", "value": 6})
    service.save_segment(s, "老车", changed, replace=True)
    assert service.get_segment(s, "老车").filter.where.value == 6
    assert service.get_segment(s, "老车").info.description == "5年以上"
    service.duplicate_segment(s, "老车", "老车副本")
    service.rename_segment(s, "老车副本", "七年车")
    with pytest.raises(RevisitError, match="already exists"):
        service.rename_segment(s, "七年车", "老车")
    assert [i.name for i in service.list_segments(s)] == sorted(["七年车", "老车"])
    service.delete_segment(s, "七年车")
    with pytest.raises(RevisitError, match="no segment named '七年车'"):
        service.get_segment(s, "七年车")
    with pytest.raises(RevisitError, match="1 to 100 characters"):
        service.save_segment(s, "  ", OLD_CARS)


def test_invalid_filter_is_not_saved(database):
    with pytest.raises(RevisitError, match="unknown field"):
        service.save_segment(database.sessions, "坏", {"version": 1, "where": {"field": "x"}})
    assert service.list_segments(database.sessions) == ()


def test_export_import_round_trip(database):
    s = database.sessions
    service.save_segment(s, "老车", OLD_CARS, description="d")
    text = service.export_segment(s, "老车")
    assert json.loads(text)["filter"] == OLD_CARS
    with pytest.raises(RevisitError, match="already exists"):
        service.import_segment(s, text)
    assert service.import_segment(s, text, name="老车2").description == "d"
    bare = json.dumps(OLD_CARS)
    with pytest.raises(RevisitError, match="does not say the segment's name"):
        service.import_segment(s, bare, source="f.json")
    assert service.import_segment(s, bare, name="老车3").name == "老车3"
    with pytest.raises(RevisitError, match="f.json is not valid JSON"):
        service.import_segment(s, "{", source="f.json")
    # Written by hand with the name beside the conditions rather than around a "filter".
    flat = json.dumps({"name": "老车4", "purpose": "care", **OLD_CARS})
    imported = service.import_segment(s, flat, source="f.json")
    assert (imported.name, imported.purpose) == ("老车4", "care")
    assert json.loads(service.export_segment(s, "老车4"))["filter"] == OLD_CARS


def test_stored_filter_that_no_longer_validates_names_the_segment(database):
    from models import SavedSegment

    with database.sessions.begin() as session:
        session.add(SavedSegment(name="旧", filter_json='{"version": 1, "where": {"field": '
                                 '"gone", "op": "="}}'))
    with pytest.raises(RevisitError, match="segment '旧' cannot be read.*unknown field 'gone'"):
        service.get_segment(database.sessions, "旧")


def test_preview_is_the_count_and_the_first_members_from_one_compile(database, monkeypatch):
    import datetime as dt

    from models import Customer, Vehicle
    from services.segments import compiler

    with database.sessions.begin() as s:
        for i, years in enumerate(((8, 6), (2,), (7,), ()), start=1):
            s.add(Customer(id=i, code=f"C{i}", name=f"客户{i}", mobile=f"1380013000{i}"))
            s.flush()
            for y in years:
                s.add(Vehicle(customer_id=i, brand="丰田", model="凯美瑞", plate=f"粤A0{i}{y}",
                              purchase_date=dt.date(2026 - y, 1, 1)))
                s.flush()  # stored in this order: the first car stored is the oldest
    as_of = dt.date(2026, 11, 23)
    compiled = []

    def counting(*args, **kwargs):
        compiled.append(1)
        return compiler.compile_filter(*args, **kwargs)

    monkeypatch.setattr(service, "compile_filter", counting)
    shown = service.preview(database.sessions, OLD_CARS, as_of, limit=2)
    assert len(compiled) == 1
    assert shown.count == service.count(database.sessions, OLD_CARS, as_of)
    assert (shown.count.customers, shown.count.vehicles) == (2, 3)
    everyone = service.members(database.sessions, OLD_CARS, as_of, limit=None)
    assert shown.page.rows == everyone.rows[:2] and shown.page.total == everyone.total == 3
    whole = service.preview(database.sessions, {"version": 1, "where": None}, as_of)
    assert whole.count.vehicles is None and whole.page.total == whole.count.customers == 4
    # Rows of a filter on the customer alone have no car: the preview brings each one's car
    # as the customer list shows it, the latest bought, and how many they own (customer 4 has
    # none); rows of a car filter need none.
    assert all(r.vehicle_id is None for r in whole.page.rows)
    assert whole.cars == {1: ("凯美瑞", "粤A016", 2), 2: ("凯美瑞", "粤A022", 1),
                          3: ("凯美瑞", "粤A037", 1)}
    assert shown.cars == {}
