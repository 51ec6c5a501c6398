"""A work order export's 建议维修项目 imported as declined repairs of its visit, on SQLite and
PostgreSQL: one item a line or parted by ；, each once however often the file or a later one
repeats it, with its due date; a work order written as several rows gives its visit every row's
work; a later export without a column takes nothing away from the visit's note; a later visit
of the car whose work says an item was done closes it as done."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import DeclinedItem, ServiceVisit
from services.customers import reminders
from services.imports import batches
from services.imports.apply import apply
from services.imports.declined import done_in, work_done
from services.imports.normalise import normalise_items
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import counts, dms_export, write_csv

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
VISITS = ImportOptions("visits", today=TODAY)
HEADERS = ["工单号", "车牌号码", "进厂时间", "维修类别", "结算金额", "服务顾问", "维修项目",
           "建议维修项目", "建议维修日期"]


def _items(database) -> list[tuple]:
    with database.sessions() as s:
        return sorted((d.item, d.recorded_on, d.due_on, d.status, d.source, d.visit_id,
                       d.vehicle_id is not None) for d in s.scalars(select(DeclinedItem)))


def _visit(database, order: str) -> ServiceVisit:
    with database.sessions() as s:
        return s.scalars(select(ServiceVisit).where(ServiceVisit.work_order == order)).one()


@pytest.fixture
def owners(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "owners.xlsx"), CUSTOMERS)
    return database


def test_the_advice_of_a_work_order_becomes_open_declined_repairs_of_its_visit(owners, tmp_path):
    path = write_csv(tmp_path / "工单.csv", HEADERS, [
        ["W1", "粤A12345", "2026-11-20 10:00", "保养", "500", "陈刚", "更换机油",
         "1. 建议更换刹车片\n2、四轮定位\n3.5T 以上举升检查", "2026-12-20"],
        ["W2", "粤C22222", "2026-11-21", "机修", "800", "李丽", "更换水泵", "无", ""],
        ["W3", "粤B11111", "2026-11-22", "机修", "300", "李丽", "", "更换轮胎；更换电瓶", ""]])
    dry = plan(owners.sessions, path, VISITS)
    assert dry.records.get("declined_item") == 5
    assert "declined_item" not in counts(owners)
    result = apply(owners.sessions, path, VISITS)
    assert (result.created, result.rejected) == (3, 0)
    assert result.records["declined_item"] == 5
    w1, w3 = _visit(owners, "W1"), _visit(owners, "W3")
    noted, due = dt.date(2026, 11, 20), dt.date(2026, 12, 20)
    day3 = dt.date(2026, 11, 22)
    assert _items(owners) == sorted([
        ("建议更换刹车片", noted, due, "open", "visit", w1.id, True),
        ("四轮定位", noted, due, "open", "visit", w1.id, True),
        # A number followed by a digit is the item's own ("3.5T"), not its place in the list.
        ("3.5T 以上举升检查", noted, due, "open", "visit", w1.id, True),
        ("更换轮胎", day3, None, "open", "visit", w3.id, True),
        ("更换电瓶", day3, None, "open", "visit", w3.id, True)])
    # Staff see them where they look before a call.
    shown = reminders.declined_items(owners.sessions, w1.customer_id)
    assert {d.item for d in shown} == {"建议更换刹车片", "四轮定位", "3.5T 以上举升检查"}
    sample = next(s for s in result.samples["create"] if s.number == 2)
    assert "建议维修项目 → 四轮定位" in sample.summary


def test_reading_the_file_again_adds_nothing_and_leaves_a_closed_item_closed(owners, tmp_path):
    path = write_csv(tmp_path / "工单.csv", HEADERS, [
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "更换机油",
         "更换刹车片；四轮定位", ""]])
    apply(owners.sessions, path, VISITS)
    brakes = next(d for d in reminders.declined_items(owners.sessions, _visit(owners, "W1")
                                                       .customer_id) if d.item == "更换刹车片")
    reminders.close_declined(owners.sessions, None, brakes.id, "refused",
                             closed_on=dt.date(2026, 11, 25))
    before = _items(owners)
    again = apply(owners.sessions, path, VISITS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert "declined_item" not in again.records
    assert _items(owners) == before
    assert sorted(x[3] for x in before) == ["open", "refused"]


def test_a_work_order_on_several_rows_gives_its_visit_each_rows_work_and_each_item_once(
        owners, tmp_path):
    # A DMS writes a work order a row per line of work, repeating the advisor's advice on each.
    path = write_csv(tmp_path / "工单明细.csv", HEADERS, [
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "更换机油机滤", "更换刹车片", ""],
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "更换空滤", "更换刹车片", ""],
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "更换空滤", "更换刹车片", ""]])
    result = apply(owners.sessions, path, VISITS)
    assert result.rejected == 0
    assert not [w for w in result.warnings if w.key == "note"]
    visit = _visit(owners, "W1")
    assert visit.note == "工单号 W1；服务顾问 陈刚；更换机油机滤；更换空滤"
    assert [x[0] for x in _items(owners)] == ["更换刹车片"]


def test_a_later_export_without_the_advisor_keeps_the_advisor_in_the_note(owners, tmp_path):
    apply(owners.sessions, write_csv(tmp_path / "一.csv", HEADERS[:7], [
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "更换机油"]]), VISITS)
    later = apply(owners.sessions, write_csv(tmp_path / "二.csv", ["工单号", "车牌号码",
                                                                   "进厂时间", "维修项目"], [
        ["W1", "粤A12345", "2026-11-20", "更换机油"]]), VISITS)
    assert (later.updated, later.unchanged) == (0, 1)
    assert _visit(owners, "W1").note == "工单号 W1；服务顾问 陈刚；更换机油"
    more = apply(owners.sessions, write_csv(tmp_path / "三.csv", ["工单号", "车牌号码",
                                                                  "进厂时间", "维修项目"], [
        ["W1", "粤A12345", "2026-11-20", "更换雨刮"]]), VISITS)
    assert more.updated == 1
    assert _visit(owners, "W1").note == "工单号 W1；服务顾问 陈刚；更换机油；更换雨刮"


def test_a_due_date_before_the_visit_is_left_out_and_said(owners, tmp_path):
    path = write_csv(tmp_path / "工单.csv", HEADERS, [
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "", "更换刹车片", "2026-11-01"]])
    result = apply(owners.sessions, path, VISITS)
    assert [(w.code, w.field, w.rows) for w in result.warnings] == [
        ("declined_due_before_visit", "declined_due", 1)]
    assert [(x[0], x[2]) for x in _items(owners)] == [("更换刹车片", None)]


def test_undo_takes_the_declined_repairs_back_with_the_visits(owners, tmp_path):
    before = counts(owners)
    path = write_csv(tmp_path / "工单.csv", HEADERS, [
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "", "更换刹车片；四轮定位", ""]])
    result = apply(owners.sessions, path, VISITS)
    assert len(_items(owners)) == 2
    batches.undo_batch(owners.sessions, result.batch_id)
    assert counts(owners) == before


@pytest.mark.parametrize(("typed", "items"), [
    ("1. 更换刹车片\n2、四轮定位", ("更换刹车片", "四轮定位")),
    ("（1）更换刹车片；(2)四轮定位;③更换雨刮", ("更换刹车片", "四轮定位", "更换雨刮")),
    ("1.5T 涡轮检查", ("1.5T 涡轮检查",)),
    ("更换刹车片\r\n\r\n更换刹车片", ("更换刹车片",)),
    ("无", None), ("-；/", None), (None, None),
])
def test_items_typed_in_one_cell(typed, items):
    assert normalise_items(typed, 200).value == items


def test_an_item_longer_than_its_column_is_cut_and_said():
    cut = normalise_items("刹" * 250 + "；四轮定位", 200)
    assert cut.value == ("刹" * 200, "四轮定位")
    assert [p.code for p in cut.problems] == ["text_truncated"]


def _statuses(database) -> dict[str, tuple[str, dt.date | None]]:
    with database.sessions() as s:
        return {d.item: (d.status, d.closed_on) for d in s.scalars(select(DeclinedItem))}


def test_a_later_visit_that_did_the_work_closes_the_item_as_done(owners, tmp_path):
    advised = write_csv(tmp_path / "工单1.csv", HEADERS, [
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "更换机油",
         "1. 建议更换刹车片\n2、四轮定位\n3. 更换雨刮", ""]])
    apply(owners.sessions, advised, VISITS)
    staff_closed = next(d for d in reminders.declined_items(
        owners.sessions, _visit(owners, "W1").customer_id) if d.item == "更换雨刮")
    reminders.close_declined(owners.sessions, None, staff_closed.id, "refused",
                             closed_on=dt.date(2026, 11, 21))
    later = write_csv(tmp_path / "工单2.csv", HEADERS, [
        # The owner's other car had its brake pads changed: not this car's item.
        ["W8", "粤A67890", "2026-11-25", "机修", "900", "陈刚", "更换刹车片", "", ""],
        # This car: the brakes done, the alignment still only advised, the wipers too.
        ["W9", "粤A12345", "2026-11-28", "机修", "1200", "陈刚",
         "1.更换前刹车片 更换刹车片 2.建议四轮定位 3.更换雨刮", "", ""]])
    result = apply(owners.sessions, later, VISITS)
    assert result.created == 2
    assert _statuses(owners) == {
        "建议更换刹车片": ("done", dt.date(2026, 11, 28)),
        "四轮定位": ("open", None),
        "更换雨刮": ("refused", dt.date(2026, 11, 21))}
    (w9,) = [r for r in result.samples["create"] if r.number == 3]
    assert "建议维修已完成：建议更换刹车片" in w9.summary
    assert "declined repair done: 建议更换刹车片" in w9.summary_en
    # Read again: nothing more; undone: open again, as before the file.
    again = apply(owners.sessions, later, VISITS)
    assert (again.created, again.updated) == (0, 0)
    for batch in (again.batch_id, result.batch_id):
        batches.undo_batch(owners.sessions, batch)
    assert _statuses(owners)["建议更换刹车片"] == ("open", None)


def test_one_file_with_the_advice_and_the_later_work_closes_it_too(owners, tmp_path):
    path = write_csv(tmp_path / "工单.csv", HEADERS, [
        ["W1", "粤A12345", "2026-11-20", "保养", "500", "陈刚", "更换机油", "四轮定位", ""],
        # Done the same day as advised: that visit's own work, not a later one's.
        ["W2", "粤A12345", "2026-11-20", "机修", "100", "陈刚", "四轮定位检查", "", ""],
        ["W3", "粤A12345", "2026-11-27", "机修", "300", "陈刚", "做四轮定位", "", ""]])
    apply(owners.sessions, path, VISITS)
    assert _statuses(owners) == {"四轮定位": ("done", dt.date(2026, 11, 27))}


@pytest.mark.parametrize(("item", "work", "done"), [
    # The finding before the advice, as the DMS (and the demo) write it: the part is done.
    ("减震器渗油，建议更换", "更换前减震器（两侧）", True),
    # The same work in another order, or with its side in brackets.
    ("更换前刹车片", "更换刹车片（前）", True),
    ("节气门清洗", "清洗节气门", True),
    ("更换轮胎（两条）", "更换轮胎", True),
    ("后视镜", "更换左后视镜", True),
    # Another side, another part that shares words: still open.
    ("更换前刹车片", "更换后刹车片", False),
    ("更换刹车片（后）", "更换前刹车片", False),
    ("更换刹车片", "更换刹车油", False),
    ("更换空调滤芯", "更换空气滤芯", False),
    ("更换正时皮带", "更换发电机皮带", False),
    ("四轮定位", "2.建议四轮定位", False),
])
def test_an_item_is_done_by_the_work_that_names_its_part(item, work, done):
    assert done_in(item, work_done(work)) is done
