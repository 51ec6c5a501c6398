"""Importing customer files on SQLite and PostgreSQL: the dry run, matching stored customers,
history, cars changing hands, re-import changing nothing, undo, and a cancel or a failure
halfway leaving the database as it was before the file. Event files (visits, surveys,
complaints, contacts): test_import_events.py."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from models import (
    AuditLog,
    ContactEvent,
    Customer,
    ImportBatch,
    MileageReading,
    ProfileChange,
    ServiceVisit,
    StaffUser,
    Vehicle,
)
from services.imports import batches, customers, profiles
from services.imports.apply import apply
from services.imports.mapping import Mapping
from services.imports.plan import ImportOptions, plan
from services.staff.permissions import Actor, NotAllowed
from services.store.errors import Cancelled, CancelToken, RevisitError
from tests.conftest import non_root
from tests.services.import_files import (
    DMS_FIRST_ROW,
    DMS_HEADERS,
    DMS_ROWS,
    V_ACCORD,
    V_CAMRY,
    V_LANGYI,
    V_TIGUAN,
    VISIT_HEADERS,
    VISIT_ROWS,
    counts,
    customer_rows,
    dms_export,
    snapshot,
    vin,
    write_csv,
    write_spreadsheet_xml,
    write_xlsx,
)

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def _customers(database) -> dict[str, Customer]:
    with database.sessions() as s:
        return {c.name: c for c in s.scalars(select(Customer))}


def _vehicles(database) -> dict[str, Vehicle]:
    with database.sessions() as s:
        return {v.vin: v for v in s.scalars(select(Vehicle))}


def test_dry_run_tells_what_would_happen_and_writes_nothing(database, tmp_path):
    path = dms_export(tmp_path / "保有客户明细.xlsx")
    before = snapshot(database)
    result = plan(database.sessions, path, CUSTOMERS, errors_path=tmp_path / "errors.xlsx")
    assert result.dry_run and result.batch_id is None
    assert (result.rows_total, result.created, result.updated, result.unchanged,
            result.rejected) == (7, 4, 0, 0, 3)
    # profile_change: each new owner's lifecycle stage, from the cars bought (stages.py); the
    # owner of two cars gets 首单 then 复购
    assert result.records == {"customer": 3, "vehicle": 4, "mileage_reading": 4,
                              "profile_change": 4}
    assert {r.zh for r in result.reasons} == {
        "缺少可关联的手机、车牌、车架号或客户编号", "客户姓名：必填项为空", "合计或小计行，未导入"}
    assert {r.zh for r in result.warnings} >= {
        "车架号（VIN）：车架号校验位（第9位）不符", "购车日期：日期不存在",
        "手机：手机栏填的是固定电话，已存为其他电话"}
    assert [s.number for s in result.samples["create"]] == [4, 5, 6, 7]
    assert "新客户" in result.samples["create"][0].summary
    assert snapshot(database) == before
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert (tmp_path / "errors.xlsx").exists()


def test_dms_export_is_imported_and_every_other_row_is_in_the_error_file(database, tmp_path):
    path = dms_export(tmp_path / "保有客户明细.xlsx")
    dry = plan(database.sessions, path, CUSTOMERS)
    errors = tmp_path / "未导入.xlsx"
    result = apply(database.sessions, path, CUSTOMERS, errors_path=errors)
    assert result.batch_id is not None
    assert (result.created, result.updated, result.unchanged, result.rejected) == (
        dry.created, dry.updated, dry.unchanged, dry.rejected)
    assert result.imported + result.rejected == len(DMS_ROWS)

    people = _customers(database)
    assert set(people) == {"张三", "李四", "王五"}  # the trailing full-width space is gone
    zhang, li, wang = people["张三"], people["李四"], people["王五"]
    assert zhang.mobile == "13800138080" and zhang.code == f"C{zhang.id:07d}"
    # The one address column is split (services/imports/addresses.py).
    assert (zhang.province, zhang.city, zhang.district, zhang.street) == (
        "广东省", "广州市", "天河区", "体育西路1号")
    assert zhang.name_pinyin == "zhangsan"
    assert li.mobile is None and li.other_phones == "020-87654321"
    assert wang.mobile == "13900139000"
    cars = _vehicles(database)
    assert {cars[V_LANGYI].customer_id, cars[V_TIGUAN].customer_id} == {zhang.id}
    assert cars[V_LANGYI].plate == "粤A12345" and cars[V_TIGUAN].plate == "粤A67890"
    assert cars[V_LANGYI].price_paid == Decimal("158000.00")
    assert cars[V_LANGYI].payment_method == "loan" and cars[V_TIGUAN].payment_method == "cash"
    assert cars[V_TIGUAN].purchase_date == dt.date(2023, 6, 1)
    assert cars[V_CAMRY].purchase_date is None  # 2020-02-30 kept out, the car kept in
    with database.sessions() as s:
        readings = {(r.vehicle_id, r.km, r.source, r.reading_date)
                    for r in s.scalars(select(MileageReading))}
    # Dated the day the title says the file was exported (导出时间：2026-11-28), not today.
    exported = dt.date(2026, 11, 28)
    assert (cars[V_LANGYI].id, 32000, "import", exported) in readings
    assert (cars[V_ACCORD].id, 60000, "import", exported) in readings

    rows = list(openpyxl.load_workbook(errors).active.iter_rows(values_only=True))
    assert rows[0] == ("原行号", *DMS_HEADERS, "问题")
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {DMS_FIRST_ROW + 4, DMS_FIRST_ROW + 5, DMS_FIRST_ROW + 6}
    assert by_number[DMS_FIRST_ROW + 4][3] == "赵六"  # original values
    assert "手机号码无效" in by_number[DMS_FIRST_ROW + 4][-1]
    assert "缺少可关联" in by_number[DMS_FIRST_ROW + 4][-1]
    assert by_number[DMS_FIRST_ROW + 5][-1] == "客户姓名：必填项为空"
    # The rows imported with a note, on a sheet of their own: 李四's landline moved, his
    # car's impossible date left out, its VIN's check digit wrong (and nobody else).
    noted = list(openpyxl.load_workbook(errors)["已导入但有提示的行"].iter_rows(values_only=True))
    assert noted[0] == ("原行号", *DMS_HEADERS, "提示")
    assert [r[0] for r in noted[1:]] == [DMS_FIRST_ROW + 2] and result.noted == 1
    assert noted[1][3] == "李四" and noted[1][-1].split("；") == [
        "手机：手机栏填的是固定电话，已存为其他电话", "车架号（VIN）：车架号校验位（第9位）不符",
        "购车日期：日期不存在"]
    assert sum(r.rows for r in result.warnings) == 3


def test_km_without_a_date_is_dated_when_the_file_was_exported_else_today(database, tmp_path):
    headers = ["车主姓名", "联系电话", "车牌号码", "品牌", "车型", "行驶里程"]
    rows = [["钱七", "13500135000", "粤E44444", "大众", "帕萨特", "3.2万公里"]]
    titled = write_xlsx(tmp_path / "有标题.xlsx", headers, rows,
                        title=("保有客户", "打印日期：2026年11月20日"))
    apply(database.sessions, titled, CUSTOMERS)
    later = write_xlsx(tmp_path / "明天.xlsx", headers,  # an export "after" today: not trusted
                       [["孙八", "13600136000", "粤E55555", "大众", "速腾", "1万公里"]],
                       title=("保有客户", "导出时间：2026-12-25"))
    apply(database.sessions, later, CUSTOMERS)
    with database.sessions() as s:
        days = {r.km: r.reading_date for r in s.scalars(select(MileageReading))}
    assert days == {32000: dt.date(2026, 11, 20), 10000: TODAY}


def test_a_row_in_another_encoding_is_reported_not_stored_as_garbage(database, tmp_path):
    # A UTF-8 export with one row pasted in from a GBK file: that row's Chinese cannot be
    # read; the others import as they are.
    good = "车主姓名,联系电话,车牌号码,品牌,车型\n" + "".join(
        f"钱七{i},135001350{i:02d},粤E444{i:02d},大众,帕萨特\n" for i in range(20))
    path = tmp_path / "混合编码.csv"
    path.write_bytes(good.encode("utf-8") + "欧阳修,13600136000,粤E55555,大众,速腾\n"
                     .encode("gbk"))
    result = apply(database.sessions, path, CUSTOMERS, errors_path=tmp_path / "e.xlsx")
    assert (result.created, result.rejected) == (20, 1)
    assert [r.code for r in result.reasons] == ["text_garbled"]
    assert len(_customers(database)) == 20 and "欧阳修" not in _customers(database)


def test_the_problems_file_has_a_sheet_only_for_what_there_is(database, tmp_path):
    headers = ["车主姓名", "联系电话", "车牌号码", "品牌", "车型"]
    noted_only = write_xlsx(tmp_path / "有提示.xlsx", headers, [
        ["钱七", "13500135000", "粤E44444", "大众", "帕萨特"],
        ["孙八", "0755-12345678", "粤E55555", "大众", "速腾"]])  # a landline: kept, noted
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, noted_only, CUSTOMERS, errors_path=errors)
    assert (result.created, result.rejected, result.noted) == (2, 0, 1)
    book = openpyxl.load_workbook(errors)
    assert book.sheetnames == ["已导入但有提示的行"]
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == [3]
    clean = write_xlsx(tmp_path / "干净.xlsx", headers,
                       [["周九", "13600136000", "粤E66666", "大众", "宝来"]])
    clean_errors = tmp_path / "无问题.xlsx"
    done = apply(database.sessions, clean, CUSTOMERS, errors_path=clean_errors)
    assert (done.created, done.noted, done.errors_file) == (1, 0, None)
    assert not clean_errors.exists()


def test_importing_the_same_file_again_changes_nothing(database, tmp_path):
    path = dms_export(tmp_path / "保有客户明细.xlsx")
    apply(database.sessions, path, CUSTOMERS)
    before = snapshot(database)
    again = plan(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert again.earlier_batches
    second = apply(database.sessions, path, CUSTOMERS, errors_path=tmp_path / "e.xlsx")
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 4, 3)
    assert snapshot(database) == before
    # A day later the file still changes nothing (km readings are not dated again).
    later = apply(database.sessions, path,
                  ImportOptions("customers", today=TODAY + dt.timedelta(days=1)))
    assert (later.created, later.updated) == (0, 0)
    assert snapshot(database) == before


def test_a_row_with_neither_mobile_nor_vin_is_found_again_by_plate_and_name(database,
                                                                           tmp_path):
    # A masked or missing phone: before, every import of the file made these owners again.
    headers = ["客户姓名", "手机号码", "车牌号", "品牌", "车型", "购车日期"]
    path = write_csv(tmp_path / "车主.csv", headers, [
        ["刘洋", "136****7152", "粤B34567", "大众", "朗逸", "2023-05-06"],
        ["何平", "", "粤B11111", "大众", "宝来", "2022-01-01"]])
    first = apply(database.sessions, path, CUSTOMERS)
    assert (first.created, first.rejected) == (2, 0)
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # Another person's name on the plate (no phone to tell more) is another customer.
    other = write_csv(tmp_path / "另一位.csv", headers, [
        ["周敏", "", "粤B11111", "大众", "宝来", "2022-01-01"]])
    assert apply(database.sessions, other, CUSTOMERS).created == 1
    assert sorted(_customers(database)) == ["何平", "刘洋", "周敏"]


def test_a_plate_another_customers_car_has_is_noted_with_that_customer(database, tmp_path):
    headers = ["客户姓名", "手机号码", "车牌号", "车架号", "品牌", "车型", "购车日期"]
    first = apply(database.sessions, write_csv(tmp_path / "车主.csv", headers, [
        ["刘洋", "13600001111", "粤B34567", V_LANGYI, "大众", "朗逸", "2023-05-06"],
        ["何平", "13700002222", "粤B34567", V_TIGUAN, "大众", "途观L", "2022-01-01"],
        ["周敏", "13800003333", "粤B77777", V_ACCORD, "本田", "雅阁", "2020-01-01"]]),
        CUSTOMERS)
    codes = {c.name: c.code for c in _customers(database).values()}
    assert [(w.code, w.rows) for w in first.warnings] == [("plate_shared", 1)]
    assert first.samples["create"][1].reasons == (
        "车牌：另一位客户的车也是这个车牌（按车牌导入的到店记录将无法确定是哪辆车），请核对"
        f"（“{codes['刘洋']}”）",)
    assert first.samples["create"][0].reasons == first.samples["create"][2].reasons == ()
    # A stored car's plate changed to one other customers' cars have is noted too, naming
    # them; the same owner's new car given the plate the old one had is not.
    later = apply(database.sessions, write_csv(tmp_path / "更新.csv", headers, [
        ["周敏", "13800003333", "粤B34567", V_ACCORD, "本田", "雅阁", "2020-01-01"],
        ["周敏", "13800003333", "粤B77777", vin("LFV2A21K7M4056789"), "丰田", "凯美瑞",
         "2026-10-01"]]),
        CUSTOMERS)
    assert (later.created, later.updated) == (1, 1)  # a new car is a row that creates
    assert [(w.code, w.rows) for w in later.warnings] == [("plate_shared", 1)]
    assert later.samples["update"][0].reasons[0].endswith(
        f"（“{'、'.join(sorted([codes['刘洋'], codes['何平']]))}”）")
    assert later.samples["create"][0].reasons == ()


def test_a_stored_customer_is_updated_with_history_and_undo_restores(database, tmp_path):
    first = apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    after_first = snapshot(database, versions=False)
    changed = [list(r) for r in DMS_ROWS[:2]]
    changed[0][11] = "广州市越秀区东风中路2号"  # 张三 moved
    changed[0][1] = "粤A54321"  # and the 朗逸 has a new plate
    changed[1][3] = "13800138080"
    new_car = [9, "粤C77777", "王五", "13900139000", "丰田", "汉兰达", None, "2025-01-02",
               "30万", None, None, None, None]
    path = dms_export(tmp_path / "更新.xlsx", [*changed, new_car])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    # 王五's second car makes him a repeat buyer (the first file gave him 首单 from his first).
    assert result.changed_fields == {"district": 1, "street": 1, "plate": 1,
                                     "lifecycle_stage": 1}
    assert [w.code for w in result.warnings] == ["address_replaced"]
    zhang = _customers(database)["张三"]
    assert (zhang.district, zhang.street) == ("越秀区", "东风中路2号")
    # An edit form opened before the import is now stale: refused, not written over it.
    assert zhang.version == 2
    assert _vehicles(database)[V_LANGYI].plate == "粤A54321"
    with database.sessions() as s:
        history = {(c.attribute, c.old_value, c.new_value, c.source)
                   for c in s.scalars(select(ProfileChange))}
        notes = {c.note for c in s.scalars(select(ProfileChange))}
    assert ("street", "体育西路1号", "东风中路2号", "import") in history
    assert ("district", "天河区", "越秀区", "import") in history
    assert ("plate", "粤A12345", "粤A54321", "import") in history
    assert ("vehicle", None, "丰田 汉兰达 粤C77777", "import") in history
    assert ("lifecycle_stage", "first_purchase", "repeat", "import") in history
    assert all("更新.xlsx" in n for n in notes if not n.startswith("导入 a.xlsx；按购车记录推定"))

    with pytest.raises(RevisitError, match=f"#{result.batch_id}"):
        batches.undo_batch(database.sessions, first.batch_id)  # the later batch changed them
    undone = batches.undo_batch(database.sessions, result.batch_id)
    assert undone.restored == 4 and undone.kept == 0  # district, street, plate, stage
    assert snapshot(database, versions=False) == after_first
    assert _customers(database)["张三"].version == 3
    batches.undo_batch(database.sessions, first.batch_id)
    assert counts(database) == {}
    listed = batches.list_batches(database.sessions)
    assert [b.id for b in listed] == [result.batch_id, first.batch_id]
    assert all(b.undone for b in listed)
    with pytest.raises(RevisitError, match="already undone"):
        batches.undo_batch(database.sessions, first.batch_id)


def test_undo_keeps_values_changed_by_hand_and_refuses_to_delete_later_records(database,
                                                                               tmp_path):
    first = apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    moved = [list(DMS_ROWS[0])]
    moved[0][11] = "新地址"
    second = apply(database.sessions, dms_export(tmp_path / "b.xlsx", moved), CUSTOMERS)
    zhang = _customers(database)["张三"]
    with database.sessions.begin() as s:
        s.get_one(Customer, zhang.id).street = "手工改的地址"
    undone = batches.undo_batch(database.sessions, second.batch_id)
    assert (undone.restored, undone.kept) == (0, 1)
    assert _customers(database)["张三"].street == "手工改的地址"

    with database.sessions.begin() as s:
        s.add(ContactEvent(customer_id=zhang.id, contact_at=dt.datetime(2026, 11, 30, 10),
                           channel="phone", purpose="care", outcome="reached"))
    # Said in staff words: the customer and what was recorded, not the table holding it.
    with pytest.raises(RevisitError, match=r"张三 13800138080: a call or contact\)"):
        batches.undo_batch(database.sessions, first.batch_id)


def test_two_rows_of_one_owner_disagreeing_keep_the_first_and_stay_idempotent(database,
                                                                               tmp_path):
    rows = [list(DMS_ROWS[0]), list(DMS_ROWS[1])]
    rows[1][2] = "张叁"  # the same mobile under another spelling
    path = dms_export(tmp_path / "a.xlsx", rows)
    result = apply(database.sessions, path, CUSTOMERS)
    assert set(_customers(database)) == {"张三"}
    assert any(w.code == "differs_in_file" for w in result.warnings)
    before = snapshot(database)
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated) == (0, 0)
    assert snapshot(database) == before


def test_a_relative_on_a_stored_mobile_is_a_customer_of_their_own(database, tmp_path):
    # Before, 李梅 on her husband's phone renamed him (and took his cars along).
    apply(database.sessions, dms_export(tmp_path / "a.xlsx", [DMS_ROWS[0]]), CUSTOMERS)
    wife = [20, "粤A88888", "李梅", "13800138080", "大众", "高尔夫", None, None, None, None,
            None, None, None]
    path = dms_export(tmp_path / "b.xlsx", [wife])
    family = ImportOptions("customers", today=TODAY, match=("name_mobile", "vin"))
    assert plan(database.sessions, path, family).records["customer"] == 1
    by_mobile = plan(database.sessions, path, CUSTOMERS)
    assert (by_mobile.records["customer"], by_mobile.renamed) == (1, 0)
    apply(database.sessions, path, CUSTOMERS)
    people = _customers(database)
    assert set(people) == {"张三", "李梅"}
    assert people["李梅"].mobile == people["张三"].mobile == "13800138080"
    assert _owners(database)[V_LANGYI] == "张三"


def test_a_name_that_can_be_the_stored_customers_is_theirs(database, tmp_path):
    # The same sounds (a pinyin input slip) or a form of address with their surname.
    apply(database.sessions, dms_export(tmp_path / "a.xlsx", [DMS_ROWS[0]]), CUSTOMERS)
    rows = [[20, "粤A88888", "张叁", "13800138080", "大众", "高尔夫", None, None, None, None,
             None, None, None],
            [21, "粤A77777", "张先生", "13800138080", "大众", "宝来", None, None, None, None,
             None, None, None]]
    path = dms_export(tmp_path / "b.xlsx", rows)
    variants = plan(database.sessions, path, CUSTOMERS)
    # Besides the cars' changes, 张先生 says 张三 is a man, which his row did not.
    assert variants.records == {"vehicle": 2, "profile_change": 4}
    assert variants.renamed == 1  # 张叁: the dry run says so (the window: in red)
    exact = plan(database.sessions, path, ImportOptions("customers", today=TODAY,
                                                        match=("name_mobile", "vin")))
    assert exact.records["customer"] == 2
    only_title = dms_export(tmp_path / "c.xlsx", rows[1:])
    result = apply(database.sessions, only_title, CUSTOMERS)
    # A car, and 张三 kept, now known as a man.
    assert result.records == {"vehicle": 1, "profile_change": 2}
    assert set(_customers(database)) == {"张三"}


OWNER_HEADERS = ["车主姓名", "联系电话", "车架号", "品牌", "车型", "车牌号码"]


def _owners(database) -> dict[str, str]:
    """Each car's VIN and its owner's name."""
    with database.sessions() as s:
        return dict(s.execute(select(Vehicle.vin, Customer.name)
                              .join(Customer, Customer.id == Vehicle.customer_id)).all())


def test_a_car_that_changed_hands_goes_to_its_new_owner(database, tmp_path):
    # Before, the VIN found the former owner, who was renamed to the buyer and given the
    # buyer's phone, with his other car.
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    visits = write_csv(tmp_path / "进厂记录.csv", VISIT_HEADERS, VISIT_ROWS)
    apply(database.sessions, visits, ImportOptions("visits", today=TODAY))
    before = snapshot(database, versions=False)
    path = write_xlsx(tmp_path / "保有客户.xlsx", OWNER_HEADERS, [
        ["陈明", "13911112222", V_TIGUAN, "大众", "途观L", "粤A88888"]])
    dry = plan(database.sessions, path, CUSTOMERS)
    assert (dry.created, dry.updated, dry.renamed) == (1, 0, 0)
    assert dry.changed_fields == {"owner": 1, "plate": 1}
    assert "车主（过户） 张三 → 陈明" in dry.samples["create"][0].summary
    result = apply(database.sessions, path, CUSTOMERS)
    assert result.created == 1 and result.rejected == 0
    people = _customers(database)
    assert people["张三"].mobile == "13800138080" and people["陈明"].mobile == "13911112222"
    assert _owners(database) == {V_LANGYI: "张三", V_TIGUAN: "陈明", V_CAMRY: "李四",
                                 V_ACCORD: "王五"}
    cars = _vehicles(database)
    assert cars[V_TIGUAN].plate == "粤A88888"
    with database.sessions() as s:
        # What the former owner spent on the car stays his.
        assert {v.customer_id for v in s.scalars(select(ServiceVisit).where(
            ServiceVisit.vehicle_id == cars[V_TIGUAN].id))} == {people["张三"].id}
        history = {(c.customer_id, c.attribute, c.old_value, c.new_value)
                   for c in s.scalars(select(ProfileChange).where(
                       ProfileChange.note.contains("过户")))}
    assert history == {(people["张三"].id, "vehicle", f"大众 途观L {V_TIGUAN}", None)}
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database, versions=False) == before


def test_a_car_that_changed_hands_to_a_stored_customer_joins_their_cars(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "保有客户.xlsx", OWNER_HEADERS, [
        ["王五", "13900139000", V_LANGYI, "大众", "朗逸", None],  # 王五 bought 张三's 朗逸
        ["张三", "13722223333", V_TIGUAN, "大众", "途观L", None],  # 张三 with a new phone
    ])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.updated, result.rejected) == (0, 2, 0)
    assert _owners(database) == {V_LANGYI: "王五", V_TIGUAN: "张三", V_CAMRY: "李四",
                                 V_ACCORD: "王五"}
    people = _customers(database)
    assert set(people) == {"张三", "李四", "王五"}
    assert people["张三"].mobile == "13722223333"
    with database.sessions() as s:
        notes = {(c.customer_id, c.note.split("；")[-1]) for c in s.scalars(
            select(ProfileChange).where(ProfileChange.attribute == "vehicle"))}
    assert notes == {(people["张三"].id, "过户给 王五"), (people["王五"].id, "由 张三 过户")}


def test_a_car_is_handed_over_once_in_a_file(database, tmp_path):
    # The buyer's row, then the former owner's from an older part of the export: the car
    # stays with the buyer, not handed back; the former owner's row is kept, said, without
    # the car (no purchase date says which of the two owns it now).
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    path = write_xlsx(tmp_path / "保有客户.xlsx", OWNER_HEADERS, [
        ["陈明", "13911112222", V_TIGUAN, "大众", "途观L", None],
        ["张三", "13800138080", V_TIGUAN, "大众", "途观L", None]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.unchanged, result.rejected) == (1, 1, 0)
    assert [w.code for w in result.warnings] == ["owner_unclear"]
    assert _owners(database)[V_TIGUAN] == "陈明"
    assert _customers(database)["张三"].mobile == "13800138080"


def test_a_mistyped_mobile_is_kept_among_the_other_phones_never_as_the_mobile(database,
                                                                              tmp_path):
    path = write_xlsx(tmp_path / "客户.xlsx", ["车主姓名", "联系电话", "车架号", "品牌", "车型"], [
        ["赵六", "1380013800", V_CAMRY, "丰田", "凯美瑞"],  # a digit short
        ["钱七", "10012345678 / 020-87654321", V_ACCORD, "本田", "雅阁"]])  # no such mobile
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (2, 0)
    assert "手机：手机号码无效，已原样存为其他电话，请核对" in {w.zh for w in result.warnings}
    people = _customers(database)
    assert (people["赵六"].mobile, people["赵六"].other_phones) == (None, "1380013800")
    assert (people["钱七"].mobile, people["钱七"].other_phones) == (
        None, "020-87654321, 10012345678")


def test_a_dms_blank_date_of_1970_is_left_empty_and_said(database, tmp_path):
    headers = ["客户姓名", "手机", "生日", "购车日期", "车架号", "品牌", "车型"]
    path = write_xlsx(tmp_path / "客户.xlsx", headers, [
        ["赵六", "13700137000", dt.datetime(1970, 1, 1, 8), "1970-01-01 08:00:00", V_CAMRY,
         "丰田", "凯美瑞"],
        ["钱七", "13500135000", "1970-01-02", "2020-05-01", V_ACCORD, "本田", "雅阁"]])
    result = apply(database.sessions, path, CUSTOMERS, errors_path=tmp_path / "问题.xlsx")
    assert (result.created, result.rejected) == (2, 0)
    assert {w.zh for w in result.warnings} >= {
        "生日：1970-01-01 是系统的空日期，按未填处理（如确为此日请手工录入）"}
    people = _customers(database)
    assert people["赵六"].birthday is None and people["钱七"].birthday == dt.date(1970, 1, 2)
    cars = _vehicles(database)
    assert cars[V_CAMRY].purchase_date is None
    assert cars[V_ACCORD].purchase_date == dt.date(2020, 5, 1)


def test_mysqls_zero_date_is_an_empty_date_with_nothing_said(database, tmp_path):
    """A web DMS on MySQL exports the dates never filled in as 0000-00-00: no date, and no
    line in the problems file for each owner without one."""
    headers = ["客户姓名", "手机", "生日", "购车日期", "保险到期", "车架号", "品牌", "车型"]
    path = write_csv(tmp_path / "客户.csv", headers, [
        ["赵六", "13700137000", "0000-00-00", "2019-03-15", "0000-00-00 00:00:00", V_CAMRY,
         "丰田", "凯美瑞"],
        ["钱七", "13500135000", "1985-07-02", "0000-00-00", "2027-01-01", V_ACCORD, "本田",
         "雅阁"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (2, 0)
    # Only the fixture's VIN with a wrong check digit is noted.
    assert [(w.code, w.field) for w in result.warnings] == [("vin_check_digit", "vin")]
    people = _customers(database)
    assert people["赵六"].birthday is None and people["钱七"].birthday == dt.date(1985, 7, 2)
    cars = _vehicles(database)
    assert (cars[V_CAMRY].purchase_date, cars[V_CAMRY].insurance_expiry) == (
        dt.date(2019, 3, 15), None)
    assert (cars[V_ACCORD].purchase_date, cars[V_ACCORD].insurance_expiry) == (
        None, dt.date(2027, 1, 1))


def test_a_cancel_midway_leaves_nothing(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    path = dms_export(tmp_path / "big.xlsx", customer_rows(2500))
    token = CancelToken()

    def progress(done: int, total: int) -> None:
        if done >= 1000:  # the first chunk is written by now
            token.cancel()

    with pytest.raises(Cancelled):
        apply(database.sessions, path, CUSTOMERS, progress=progress, cancel=token)
    assert snapshot(database) == before
    with database.sessions() as s:
        # The cancelled import's batch stays in the list, taken back (undone).
        undone = s.scalars(select(ImportBatch.undone_at).order_by(ImportBatch.id)).all()
        assert len(undone) == 2 and undone[0] is None and undone[1] is not None


def test_a_failure_at_row_n_leaves_the_database_as_before(database, tmp_path, monkeypatch):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    before = snapshot(database)
    real = customers.process

    def failing(ctx, rows):
        real(ctx, rows)
        if any(result.number >= 1500 for result, _ in rows):
            raise RuntimeError("disk pulled out at row 1500")

    monkeypatch.setattr(customers, "process", failing)
    with pytest.raises(RuntimeError):
        apply(database.sessions, dms_export(tmp_path / "big.xlsx", customer_rows(2500)),
              CUSTOMERS)
    assert snapshot(database) == before


def test_a_problems_file_that_cannot_be_written_refuses_the_import_before_any_row(
        database, tmp_path, monkeypatch):
    """Found only once every row was stored, it withdrew the whole import."""
    folder = tmp_path / "导出"
    folder.mkdir()
    path = dms_export(folder / "保有客户明细.xlsx")
    before = snapshot(database)
    read: list[int] = []
    real = customers.process
    monkeypatch.setattr(customers, "process", lambda ctx, rows: read.append(len(rows)) or
                        real(ctx, rows))
    taken = folder / "保有客户明细-导入问题.xlsx"
    taken.mkdir()  # a folder at its name
    for run in (plan, apply):
        with pytest.raises(RevisitError) as refused:
            run(database.sessions, path, CUSTOMERS, errors_path=taken)
        assert str(taken) in str(refused.value) and "nothing was imported" in str(refused.value)
    assert read == [] and snapshot(database) == before
    assert counts(database) == {} and sorted(p.name for p in folder.iterdir()) == [
        "保有客户明细-导入问题.xlsx", "保有客户明细.xlsx"]
    taken.rmdir()
    # Last time's file is replaced as before.
    taken.write_bytes(b"last time's problems")
    assert apply(database.sessions, path, CUSTOMERS, errors_path=taken).errors_file == taken
    assert taken.read_bytes().startswith(b"PK")


@non_root
def test_a_read_only_folder_for_the_problems_file_refuses_the_import(database, tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    path = dms_export(folder / "保有客户明细.xlsx")
    folder.chmod(0o555)
    try:
        with pytest.raises(RevisitError, match="cannot be written there"):
            apply(database.sessions, path, CUSTOMERS,
                  errors_path=folder / "保有客户明细-导入问题.xlsx")
        assert counts(database) == {}
        assert os.listdir(folder) == ["保有客户明细.xlsx"]
    finally:
        folder.chmod(0o755)


def test_a_saved_mapping_is_used_for_the_next_file(database, tmp_path):
    headers = ["A列", "B列", "C列", "D列", "E列"]
    rows = [["张三", "13800138080", "大众", "朗逸", V_LANGYI]]
    first = write_xlsx(tmp_path / "one.xlsx", headers, rows)
    mapping = Mapping("customers", (("name", 0), ("mobile", 1), ("brand", 2), ("model", 3),
                                    ("vin", 4)), tuple(headers))
    profiles.save_profile(database.sessions, "手工表", mapping)
    assert [p.name for p in profiles.list_profiles(database.sessions, "customers")] == ["手工表"]
    saved = profiles.load_profile(database.sessions, "customers", "手工表").mapping
    # The next file has its columns in another order: each field follows its header.
    moved = write_xlsx(tmp_path / "two.xlsx", list(reversed(headers)),
                       [list(reversed(r)) for r in rows])
    options = ImportOptions("customers", today=TODAY, mapping=saved)
    assert apply(database.sessions, first, options).created == 1
    again = apply(database.sessions, moved, options)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    with pytest.raises(RevisitError, match="no saved mapping"):
        profiles.load_profile(database.sessions, "customers", "没有这个")


def test_a_saved_mapping_whose_column_a_file_lacks_names_that_column(database, tmp_path):
    headers = ["结算日期", "车牌号", "结算金额"]
    mapping = Mapping("visits", (("visit_date", 0), ("plate", 1), ("amount", 2)),
                      tuple(headers))
    profiles.save_profile(database.sessions, "结算表", mapping)
    saved = profiles.load_profile(database.sessions, "visits", "结算表").mapping
    other = write_xlsx(tmp_path / "进厂.xlsx", ["进厂日期", "车牌号", "结算金额"],
                       [["2026-11-02", "粤A12345", 300]])
    options = ImportOptions("visits", today=TODAY, mapping=saved)
    before = snapshot(database)
    for run in (plan, apply):
        with pytest.raises(RevisitError) as refused:
            run(database.sessions, other, options)
        assert str(refused.value) == (
            "The saved mapping reads 进厂日期 from the column 结算日期, which 进厂.xlsx does not "
            "have: import it without the saved mapping, or save one for its columns.")
    assert snapshot(database) == before
    # Without it, the file's own headers are read.
    assert apply(database.sessions, other, ImportOptions("visits", today=TODAY)).rejected == 1


def test_a_car_stored_without_vin_gets_it_and_km_take_the_files_date(database, tmp_path):
    headers = ["车主", "手机", "车牌", "车型", "车架号", "行驶里程", "最近进厂日期"]
    first = write_xlsx(tmp_path / "手工.xlsx", headers, [
        ["张三", "13800138080", "粤A12345", "朗逸", None, "3万", "2026-10-01"]])
    apply(database.sessions, first, CUSTOMERS)
    later = write_xlsx(tmp_path / "DMS.xlsx", headers, [
        ["张三", "13800138080", "粤A12345", "朗逸", V_LANGYI, "3.5万", "2026-11-20"]])
    result = apply(database.sessions, later, CUSTOMERS)
    assert result.records == {"mileage_reading": 1, "profile_change": 1}
    assert result.changed_fields == {"vin": 1, "km": 1}
    cars = _vehicles(database)
    assert list(cars) == [V_LANGYI]
    with database.sessions() as s:
        readings = sorted((r.reading_date, r.km) for r in s.scalars(select(MileageReading)))
    assert readings == [(dt.date(2026, 10, 1), 30000), (dt.date(2026, 11, 20), 35000)]


def test_only_a_supervisor_may_undo_and_both_people_are_kept(database, tmp_path):
    with database.sessions.begin() as s:
        clerk = StaffUser(username="chenli", display_name="陈丽", role="clerk")
        boss = StaffUser(username="wang", display_name="王主管", role="supervisor")
        s.add_all([clerk, boss])
        s.flush()
        clerk_actor = Actor(clerk.id, clerk.username, clerk.role)
        boss_actor = Actor(boss.id, boss.username, boss.role)
    options = ImportOptions("customers", today=TODAY, staff_id=clerk_actor.id)
    result = apply(database.sessions, dms_export(tmp_path / "a.xlsx"), options)
    with pytest.raises(NotAllowed):
        batches.undo_batch(database.sessions, result.batch_id, clerk_actor)
    batches.undo_batch(database.sessions, result.batch_id, boss_actor)
    with database.sessions() as s:
        batch = s.get_one(ImportBatch, result.batch_id)
        assert (batch.staff_id, batch.undone_by) == (clerk_actor.id, boss_actor.id)
        logged = {(a.action, a.staff_id) for a in s.scalars(select(AuditLog))}
    assert {("import", clerk_actor.id), ("import_undo", boss_actor.id)} <= logged
    assert counts(database) == {"staff_user": 2}


def test_profile_attributes_in_a_file_enter_the_history_once(database, tmp_path):
    headers = ["姓名", "手机", "婚姻状况", "职业"]
    path = write_xlsx(tmp_path / "画像.xlsx", headers, [["张三", "13800138080", "已婚", "教师"]])
    apply(database.sessions, path, CUSTOMERS)
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = write_xlsx(tmp_path / "画像2.xlsx", headers,
                         [["张三", "13800138080", "离异", None]])
    assert apply(database.sessions, changed, CUSTOMERS).changed_fields == {"marital_status": 1}
    with database.sessions() as s:
        history = [(c.attribute, c.old_value, c.new_value) for c in s.scalars(
            select(ProfileChange).where(ProfileChange.attribute != "name"))]
    assert sorted(history, key=repr) == sorted([
        ("marital_status", None, "married"), ("marital_status", "married", "divorced"),
        ("occupation", None, "教师")], key=repr)


def test_a_stage_stored_without_history_is_kept_as_the_old_value_an_import_changes(
        database, tmp_path):
    """A lifecycle stage written around the app has no history: a file's new stage records
    it as the old value, and the same stage in a file is no change at all."""
    headers = ["姓名", "手机", "生命周期阶段"]
    apply(database.sessions, write_xlsx(tmp_path / "a.xlsx", headers,
                                        [["张三", "13800138080", None]]), CUSTOMERS)
    with database.sessions.begin() as s:
        s.scalars(select(Customer)).one().lifecycle_stage = "intent"
    same = apply(database.sessions, write_xlsx(tmp_path / "b.xlsx", headers,
                                               [["张三", "13800138080", "意向"]]), CUSTOMERS)
    assert (same.updated, same.unchanged) == (0, 1)
    apply(database.sessions, write_xlsx(tmp_path / "c.xlsx", headers,
                                        [["张三", "13800138080", "首单"]]), CUSTOMERS)
    with database.sessions() as s:
        history = [(c.old_value, c.new_value) for c in s.scalars(
            select(ProfileChange).where(ProfileChange.attribute == "lifecycle_stage"))]
        assert s.scalars(select(Customer)).one().lifecycle_stage == "first_purchase"
    assert history == [("intent", "first_purchase")]


def test_an_import_whose_customers_were_merged_since_is_not_undone(database, tmp_path):
    """Undoing the import would delete cars the merge moved to the kept customer: refused
    until the merge is undone, then the import undoes cleanly."""
    from services.customers import merge

    with database.sessions.begin() as s:
        s.add(Customer(code="K1", name="张三丰", mobile="13700137000"))
    result = apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    zhang = _customers(database)["张三"]
    kept = _customers(database)["张三丰"]
    merged = merge.merge_customers(database.sessions, kept.id, zhang.id)
    with pytest.raises(RevisitError, match=f"merge #{merged.merge_id}"):
        batches.undo_batch(database.sessions, result.batch_id)
    assert _customers(database)["张三丰"].id == kept.id
    merge.undo_merge(database.sessions, merged.merge_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert set(_customers(database)) == {"张三丰"}


def test_an_edit_opened_before_an_import_changed_the_customer_is_refused(database, tmp_path):
    from services.customers import profile
    from services.store.errors import StaleEdit

    apply(database.sessions, dms_export(tmp_path / "a.xlsx"), CUSTOMERS)
    zhang = _customers(database)["张三"]
    opened = zhang.version  # what the customer page read
    moved = [list(DMS_ROWS[0])]
    moved[0][11] = "广州市越秀区东风中路2号"
    apply(database.sessions, dms_export(tmp_path / "b.xlsx", moved), CUSTOMERS)
    with pytest.raises(StaleEdit, match="changed"):
        profile.record_change(database.sessions, zhang.id, "occupation", "教师",
                              effective_date=dt.date(2026, 11, 1), source="call",
                              expected_version=opened)
    assert _customers(database)["张三"].street == "东风中路2号"


def test_a_dms_export_saved_as_excel_2003_xml_imports_as_its_xlsx_does(database, tmp_path):
    title = ("保有客户明细", "导出时间：2026-11-28 10:00:00  操作员：admin")
    xml = write_spreadsheet_xml(tmp_path / "保有客户明细.xls", DMS_HEADERS, DMS_ROWS, title)
    xlsx = dms_export(tmp_path / "保有客户明细.xlsx")
    planned = plan(database.sessions, xlsx, CUSTOMERS)
    done = apply(database.sessions, xml, CUSTOMERS)
    assert (done.created, done.rejected, done.records) == (planned.created, planned.rejected,
                                                            planned.records)
    assert {r.zh for r in done.reasons} == {r.zh for r in planned.reasons}
    # The same rows: importing the xlsx after it finds nothing new.
    again = apply(database.sessions, xlsx, CUSTOMERS)
    assert again.created == 0 and again.updated == 0
