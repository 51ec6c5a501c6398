"""Contact details, cars and km readings recorded outside a call: read as an import reads them,
history and audit kept, a stale save refused naming who saved, a mobile or VIN another customer
has refused naming that customer."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from models import AuditLog, Customer, MileageReading, ProfileChange, StaffUser, Vehicle
from services.customers import contact_details as cd
from services.customers import search
from services.store.errors import RevisitError, StaleEdit

TODAY = dt.date.today()


@pytest.fixture
def ids(database) -> tuple[int, int, int, int]:
    """王芳 and 李强 (staff), 张伟 (C1, with a car) and 李娜 (C2, mobile 13912346789)."""
    with database.sessions.begin() as s:
        wang, li = StaffUser(username="wf", display_name="王芳"), StaffUser(username="lq",
                                                                             display_name="李强")
        zhang = Customer(code="C1", name="张伟", mobile="13800138080")
        other = Customer(code="C2", name="李娜", mobile="13912346789")
        s.add_all([wang, li, zhang, other])
        s.flush()
        s.add(Vehicle(customer_id=zhang.id, brand="大众", model="朗逸", plate="粤A12345",
                      vin="LSVAU2180N2183294"))
        return wang.id, li.id, zhang.id, other.id


def _changes(database, cid: int) -> dict[str, tuple[str | None, str | None]]:
    with database.sessions() as s:
        return {r.attribute: (r.old_value, r.new_value) for r in s.scalars(
            select(ProfileChange).where(ProfileChange.customer_id == cid)
            .order_by(ProfileChange.id))}


def test_new_mobile_phones_and_address_are_stored_normalised_with_history(database, ids):
    wang, _li, cid, _other = ids
    loaded, version = cd.load_details(database.sessions, cid)
    saved = cd.save_contact_details(
        database.sessions, cid,
        cd.ContactDetails(mobile="+86 139-0013-9000", other_phones="02087654321；13800138080",
                          province="广东", city="广州", district="天河区",
                          street="  体育西路 100号 ", postcode="510620"),
        expected_version=version, staff_id=wang)
    assert saved.version == version + 1
    with database.sessions() as s:
        c = s.get_one(Customer, cid)
        assert (c.mobile, c.other_phones, c.street, c.postcode) == (
            "13900139000", "13800138080, 020-87654321", "体育西路 100号", "510620")
        # Typed by their short names, the province and city are stored by their full ones.
        assert (c.province, c.city, c.district) == ("广东省", "广州市", "天河区")
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "save_contact_details")).one()
        assert entry.staff_id == wang and entry.entity_id == cid
    changes = _changes(database, cid)
    assert changes["mobile"] == ("13800138080", "13900139000")
    assert changes["city"] == (None, "广州市")
    assert loaded.mobile == "13800138080"
    # Searching by the new numbers finds the customer (the search reads these columns).
    for typed in ("13900139000", "020-8765", "张伟"):
        assert cid in search.find_ids(database.engine.connect, typed)


def test_a_municipalitys_address_names_it_once(database, ids):
    """北京 is stored as both province and city: the customer's page read 北京市北京市朝阳区…"""
    from services.customers import detail

    wang, _li, cid, _other = ids
    _loaded, version = cd.load_details(database.sessions, cid)
    cd.save_contact_details(
        database.sessions, cid,
        cd.ContactDetails(mobile="13800138080", province="北京", city="北京",
                          district="朝阳区", street="建国路88号"),
        expected_version=version, staff_id=wang)
    with database.sessions() as s:
        c = s.get_one(Customer, cid)
        assert (c.province, c.city) == ("北京市", "北京市")
    assert detail.load(database.sessions, cid).address == "北京市朝阳区建国路88号"


@pytest.mark.parametrize("field, typed, sentence", [
    ("mobile", "1380013800", "is not a mainland mobile"),
    ("mobile", "020-87654321", "put a landline under other phones"),
    ("mobile", "13800000000", "“13800000000” is no one's mobile, a placeholder"),
    ("mobile", "13800138000", "“13800138000” is no one's mobile, a placeholder"),
    ("other_phones", "020-8765432x, 无", "is not a phone number"),
    ("postcode", "51062", "is not 6 digits"),
    ("street", "路" * 201, "Street is longer than 200"),
])
def test_a_wrong_value_is_refused_in_one_sentence_and_nothing_stored(database, ids, field,
                                                                      typed, sentence):
    _wang, _li, cid, _other = ids
    details = cd.ContactDetails(**{"mobile": "13800138080", field: typed})
    with pytest.raises(RevisitError, match=sentence):
        cd.save_contact_details(database.sessions, cid, details, expected_version=1)
    assert _changes(database, cid) == {}


def test_a_mobile_another_customer_has_is_refused_naming_them(database, ids):
    _wang, _li, cid, _other = ids
    with pytest.raises(RevisitError, match=r"13912346789 is already customer C2's \(李娜\)"):
        cd.save_contact_details(database.sessions, cid,
                                cd.ContactDetails(mobile="139 1234 6789"), expected_version=1)
    with database.sessions() as s:
        assert s.get_one(Customer, cid).mobile == "13800138080"


def test_a_stale_save_is_refused_naming_who_saved(database, ids):
    """Two members of staff open the customer; the second save is refused with who and when."""
    wang, li, cid, _other = ids
    _, seen_by_wang = cd.load_details(database.sessions, cid)
    _, seen_by_li = cd.load_details(database.sessions, cid)
    cd.save_contact_details(database.sessions, cid, cd.ContactDetails(
        mobile="13800138080", city="广州市"), expected_version=seen_by_wang, staff_id=wang)
    with pytest.raises(StaleEdit, match=r"王芳 changed this customer at \d\d:\d\d"):
        cd.save_contact_details(database.sessions, cid, cd.ContactDetails(
            mobile="13800138080", city="深圳市"), expected_version=seen_by_li, staff_id=li)
    with pytest.raises(StaleEdit, match="王芳 changed this customer"):
        cd.add_vehicle(database.sessions, cid, cd.NewVehicle("丰田", "凯美瑞"),
                       expected_version=seen_by_li, staff_id=li)
    with database.sessions() as s:
        assert s.get_one(Customer, cid).city == "广州市"


def test_two_saves_at_once_one_stands(database, ids):
    """Two sessions save at the same moment on the same version: one stands, the other is
    refused, and the stored city is the one that stood."""
    wang, li, cid, _other = ids
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(who: int, city: str) -> None:
        barrier.wait()
        try:
            results[city] = cd.save_contact_details(
                database.sessions, cid, cd.ContactDetails(mobile="13800138080", city=city),
                expected_version=1, staff_id=who)
        except StaleEdit as exc:
            results[city] = exc
    threads = [threading.Thread(target=save, args=(wang, "广州市")),
               threading.Thread(target=save, args=(li, "深圳市"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stale = [c for c, r in results.items() if isinstance(r, StaleEdit)]
    stood = [c for c, r in results.items() if isinstance(r, cd.Saved)]
    assert len(stale) == 1 and len(stood) == 1
    with database.sessions() as s:
        assert s.get_one(Customer, cid).city == stood[0]


def test_a_car_is_added_and_marked_sold_with_history(database, ids):
    wang, _li, cid, _other = ids
    added = cd.add_vehicle(database.sessions, cid, cd.NewVehicle(
        "丰田", "凯美瑞", plate="粤b·88888", vin="lsvau2180n2183295",
        purchase_date=TODAY - dt.timedelta(days=30), price="15.8万"),
        expected_version=1, staff_id=wang)
    assert added.version == 2
    with database.sessions() as s:
        car = s.get_one(Vehicle, added.vehicle_id)
        assert (car.plate, car.vin, int(car.price_paid), car.active) == (
            "粤B88888", "LSVAU2180N2183295", 158000, True)
    sold = cd.mark_vehicle_sold(database.sessions, cid, added.vehicle_id,
                                expected_version=added.version, staff_id=wang)
    assert sold.version == 3
    with database.sessions() as s:
        assert s.get_one(Vehicle, added.vehicle_id).active is False
        assert {a for (a,) in s.execute(select(AuditLog.action))} >= {"add_vehicle",
                                                                      "vehicle_sold"}
        rows = s.execute(select(ProfileChange.old_value, ProfileChange.new_value)
                         .where(ProfileChange.attribute == "vehicle")
                         .order_by(ProfileChange.id)).all()
    label = "丰田 凯美瑞 LSVAU2180N2183295"
    assert rows == [(None, label), (label, None)]
    with pytest.raises(RevisitError, match="already marked"):
        cd.mark_vehicle_sold(database.sessions, cid, added.vehicle_id, expected_version=3)


@pytest.mark.parametrize("car, sentence", [
    (cd.NewVehicle("", "朗逸"), "brand and model"),
    (cd.NewVehicle("大众", "朗逸", vin="LSVAU2180N218329"), "is not 17 letters"),
    (cd.NewVehicle("大众", "朗逸", vin="lsvau2180n2183294"),
     r"already on a car of customer C1 \(张伟\)"),
    (cd.NewVehicle("大众", "朗逸", purchase_date=TODAY + dt.timedelta(days=1)), "in the future"),
    (cd.NewVehicle("大众", "朗逸", price="很贵"), "is not a price"),
])
def test_a_wrong_car_is_refused(database, ids, car, sentence):
    _wang, _li, _cid, other = ids
    with pytest.raises(RevisitError, match=sentence):
        cd.add_vehicle(database.sessions, other, car, expected_version=1)
    with database.sessions() as s:
        assert s.scalars(select(Vehicle).where(Vehicle.customer_id == other)).all() == []


def test_km_readings_follow_the_call_rules(database, ids):
    wang, _li, cid, other = ids
    with database.sessions() as s:
        car = s.scalars(select(Vehicle.id).where(Vehicle.customer_id == cid)).one()
    cd.record_km(database.sessions, cid, car, "8.6万公里", day=TODAY - dt.timedelta(days=10),
                 staff_id=wang)
    with pytest.raises(RevisitError, match="less than the 86000 km read on"):
        cd.record_km(database.sessions, cid, car, "85000")
    with pytest.raises(RevisitError, match="more than a car is driven"):
        cd.record_km(database.sessions, cid, car, "186000")
    with pytest.raises(RevisitError, match="is not a km reading"):
        cd.record_km(database.sessions, cid, car, "abc")
    with pytest.raises(RevisitError, match="in the future"):
        cd.record_km(database.sessions, cid, car, "87000", day=TODAY + dt.timedelta(days=1))
    with pytest.raises(RevisitError, match="no longer this customer's"):
        cd.record_km(database.sessions, other, car, "87000")
    cd.record_km(database.sessions, cid, car, "87000", staff_id=wang)
    with database.sessions() as s:
        kms = s.scalars(select(MileageReading.km).where(MileageReading.vehicle_id == car)
                        .order_by(MileageReading.reading_date)).all()
        assert kms == [86000, 87000]
        assert s.scalar(select(AuditLog.action).where(AuditLog.action == "add_reading")
                        .limit(1)) == "add_reading"


def test_the_person_is_put_right_with_history_keys_and_birthday_day(database, ids):
    wang, li, cid, _other = ids
    editor = cd.load_editor(database.sessions, cid)
    assert editor.person == cd.Person(name="张伟")
    saved = cd.save_person(
        database.sessions, cid,
        cd.Person(name=" 张 玮 ", gender="M", birthday=dt.date(1988, 2, 29),
                  wechat_id=" zw_1988 ", employer="广州华盛贸易有限公司", dms_code="ＫＨ 0012"),
        expected_version=editor.version, staff_id=wang, today=TODAY)
    assert saved.version == editor.version + 1
    with database.sessions() as s:
        c = s.get_one(Customer, cid)
        assert (c.name, c.gender, c.birthday, c.birthday_md, c.wechat_id, c.employer,
                c.dms_code) == ("张玮", "M", dt.date(1988, 2, 29), "0229", "zw_1988",
                                "广州华盛贸易有限公司", "KH0012")
        assert (c.name_pinyin, c.name_initials) == ("zhangwei", "zw")
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "save_person")).one()
        assert entry.staff_id == wang and '"birthday": "1988-02-29"' in entry.detail
        assert '"dms_code": "KH0012"' in entry.detail
    assert _changes(database, cid)["birthday"] == (None, "1988-02-29")
    assert _changes(database, cid)["name"] == ("张伟", "张玮")
    assert "dms_code" not in _changes(database, cid)  # a key: the audit trail has it
    assert cid in search.find_ids(database.engine.connect, "张玮")
    assert search.find_ids(database.engine.connect, "KH0012") == [cid]
    # Nothing changed: nothing written, the version as it was.
    same = cd.load_editor(database.sessions, cid)
    assert cd.save_person(database.sessions, cid, same.person, expected_version=same.version,
                          today=TODAY).version == same.version
    # Based on what another saved since: refused, naming them.
    with pytest.raises(StaleEdit, match="王芳 changed this customer"):
        cd.save_person(database.sessions, cid, cd.Person(name="张三"),
                       expected_version=editor.version, staff_id=li, today=TODAY)


@pytest.mark.parametrize("person, said", [
    (cd.Person(name="  "), "Write the customer's name."),
    (cd.Person(name="张伟", birthday=TODAY + dt.timedelta(days=1)), "is in the future"),
    (cd.Person(name="张伟", birthday=dt.date(TODAY.year - 111, 1, 1)), "check the year"),
    (cd.Person(name="张伟", wechat_id="小张 😀"), "is not a WeChat ID"),
    (cd.Person(name="张伟", gender="X"), "The gender is M, F or not known"),
    (cd.Person(name="张" * 65), "Name is longer than 64"),
    (cd.Person(name="张伟", note="备" * 2001), "Note is longer than 2000"),
    (cd.Person(name="张伟", dms_code="K" * 41), "DMS customer number is longer than 40"),
    (cd.Person(name="张伟", dms_code="2.00801E+15"), "its digits lost; type it in full"),
], ids=["no name", "future", "too old", "nickname", "gender", "long", "long note",
        "long DMS number", "DMS number as Excel shows it"])
def test_a_wrong_value_of_the_person_is_refused_and_nothing_stored(database, ids, person, said):
    _wang, _li, cid, _other = ids
    editor = cd.load_editor(database.sessions, cid)
    with pytest.raises(RevisitError, match=said):
        cd.save_person(database.sessions, cid, person, expected_version=editor.version,
                       today=TODAY)
    assert cd.load_editor(database.sessions, cid) == editor


def test_a_note_keeps_its_lines_and_shows_on_the_brief(database, ids):
    from services.customers import detail
    from services.customers.brief import brief_for

    _wang, _li, cid, _other = ids
    editor = cd.load_editor(database.sessions, cid)
    cd.save_person(database.sessions, cid, cd.Person(
        name="张伟", note="\n  VIP客户  \n\n周末不要打电话\n\n"), expected_version=editor.version,
        today=TODAY)
    assert cd.load_editor(database.sessions, cid).person.note == "VIP客户\n\n周末不要打电话"
    assert _changes(database, cid)["note"] == (None, "VIP客户\n\n周末不要打电话")
    brief = brief_for(database.sessions, detail.load(database.sessions, cid), TODAY)
    assert brief.note == "VIP客户\n\n周末不要打电话"


def test_an_imports_remark_goes_under_the_note_staff_typed_never_in_its_place(database, ids,
                                                                              tmp_path):
    from services.imports.apply import apply
    from services.imports.plan import ImportOptions
    from tests.services.import_files import write_xlsx

    _wang, _li, cid, _other = ids
    editor = cd.load_editor(database.sessions, cid)
    cd.save_person(database.sessions, cid, cd.Person(name="张伟", note="VIP，周末不要打电话"),
                   expected_version=editor.version, today=TODAY)
    path = write_xlsx(tmp_path / "保有客户.xlsx", ["车主姓名", "手机", "车牌", "备注"], [
        ["张伟", "13800138080", "粤A12345", "二手置换"]])
    options = ImportOptions("customers", today=TODAY)
    assert apply(database.sessions, path, options).changed_fields == {"note": 1}
    assert cd.load_editor(database.sessions, cid).person.note == "VIP，周末不要打电话\n二手置换"
    assert apply(database.sessions, path, options).changed_fields == {}
    assert cd.load_editor(database.sessions, cid).person.note == "VIP，周末不要打电话\n二手置换"


def test_a_name_staff_put_right_is_not_undone_by_a_file_that_still_has_the_slip(database, ids,
                                                                                 tmp_path):
    from services.imports.apply import apply
    from services.imports.plan import ImportOptions
    from tests.services.import_files import write_xlsx

    _wang, _li, cid, _other = ids
    options = ImportOptions("customers", today=TODAY)
    headers = ["车主姓名", "手机", "车牌"]

    def imported(name: str) -> str:
        apply(database.sessions, write_xlsx(tmp_path / f"{name}.xlsx", headers, [
            [name, "13800138080", "粤A12345"]]), options)
        return cd.load_editor(database.sessions, cid).person.name

    # Without a correction by staff, the file's spelling is taken, as ever.
    assert imported("张玮") == "张玮"
    editor = cd.load_editor(database.sessions, cid)
    cd.save_person(database.sessions, cid, cd.Person(name="张伟"),
                   expected_version=editor.version, today=TODAY)
    assert imported("张玮") == "张伟"  # the DMS's slip, week after week: the correction stays
    assert imported("张玮") == "张伟"


def test_the_customers_owner_is_named_apart_from_another_of_the_same_name(database, ids):
    from services.customers import detail

    wang, _li, cid, _other = ids
    with database.sessions.begin() as s:
        s.get(Customer, cid).owner_staff_id = wang
    assert detail.load(database.sessions, cid).owner == "王芳"
    with database.sessions.begin() as s:
        s.add(StaffUser(username="wf2", display_name="王芳"))
    assert detail.load(database.sessions, cid).owner == "王芳 (wf)"
