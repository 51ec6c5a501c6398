"""A birthday written without its year (3月15日, as membership forms and WeChat sign-ups ask
it): its month and day are kept, so the birthday greeting reaches the customer; the age stays
unknown. Before, the cell was refused and the customer never came up for a greeting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import Customer, ProfileChange
from services.imports import batches
from services.imports.apply import apply
from services.imports.clean import clean_row
from services.imports.dates import MonthDay, month_day
from services.imports.mapping import auto_map
from services.imports.plan import ImportOptions, plan
from services.segments import service as segments
from tests.services.import_files import write_csv

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


@pytest.mark.parametrize(("typed", "month", "day"), [
    ("3月15日", 3, 15), ("03-15", 3, 15), ("3/15", 3, 15), ("15/3", 3, 15), ("12月5号", 12, 5),
    ("2月29日", 2, 29), ("0412", 4, 12), (1231, 12, 31), (315, 3, 15), (412.0, 4, 12)])
def test_a_day_without_its_year_is_its_month_and_day(typed, month, day):
    assert month_day(typed) == MonthDay(month, day)


@pytest.mark.parametrize("typed", ["2月30日", "13/13", "1985-03-15", "3月", "1985", 1985, 31048,
                                   "19850315", 0.5, True, None])
def test_what_is_no_day_of_the_year_is_none(typed):
    assert month_day(typed) is None


def test_a_birthday_row_keeps_the_month_and_day_and_says_the_year_is_missing():
    owners = auto_map(["姓名", "手机", "生日"], "customers")
    kept = clean_row(owners, ["张三", "13800138080", "3月15日"], today=TODAY)
    assert not kept.rejected and kept.values["birthday"] == MonthDay(3, 15)
    assert [(p.field, p.code, p.severity) for p in kept.problems] == [
        ("birthday", "birthday_year_missing", "warning")]
    impossible = clean_row(owners, ["张三", "13800138080", "2月30日"], today=TODAY)
    assert impossible.values["birthday"] is None
    assert [p.code for p in impossible.problems] == ["date_impossible"]


@pytest.mark.parametrize(("typed", "kept", "code"), [
    # Excel's 3/15 typed in 2026: that day of 2026, a newborn owner.
    (dt.datetime(2026, 3, 15), MonthDay(3, 15), "birthday_year_implausible"),
    ("2011-11-30", MonthDay(11, 30), "birthday_year_implausible"),  # 15 today
    ("2010-11-30", dt.date(2010, 11, 30), None),                     # 16 today
    ("2010-12-01", MonthDay(12, 1), "birthday_year_implausible")])   # 16 tomorrow
def test_a_birthday_of_someone_under_16_keeps_only_its_day(typed, kept, code):
    owners = auto_map(["姓名", "手机", "生日"], "customers")
    result = clean_row(owners, ["张三", "13800138080", typed], today=TODAY)
    assert result.values["birthday"] == kept
    assert [p.code for p in result.problems] == ([code] if code else [])


@pytest.mark.parametrize(("typed", "born"), [
    ("85-3-15", dt.date(1985, 3, 15)), ("85年3月15日", dt.date(1985, 3, 15)),
    ("85.03.15", dt.date(1985, 3, 15)), ("32/1/2", dt.date(1932, 1, 2)),
    ("15-Mar-85", dt.date(1985, 3, 15)),  # Excel's d-mmm-yy: 30-99 are the 1900s
    # A first number that can be a day or a month says nothing of the year: refused.
    ("05-3-15", None), ("31-3-15", None)])
def test_a_birthday_with_a_two_digit_year_above_31_is_of_the_1900s(typed, born):
    owners = auto_map(["姓名", "手机", "生日"], "customers")
    result = clean_row(owners, ["张三", "13800138080", typed], today=TODAY)
    assert result.values["birthday"] == born


def _birthdays(database) -> dict[str, tuple[dt.date | None, str | None]]:
    with database.sessions() as s:
        return {c.name: (c.birthday, c.birthday_md) for c in s.scalars(select(Customer))}


def test_owners_with_a_birthday_without_its_year_get_the_greeting(database, tmp_path):
    first = write_csv(tmp_path / "车主.csv", ["姓名", "手机", "生日"], [
        ["张三", "13800138001", "1985-04-02"],
        ["李四", "13800138002", None],
        ["王五", "13800138003", "1985-13-01"]])  # no day: refused, the row kept
    apply(database.sessions, first, CUSTOMERS)
    members = write_csv(tmp_path / "会员.csv", ["姓名", "手机", "生日"], [
        ["张三", "13800138001", "6月1日"],   # a full birthday stored: kept, and said
        ["李四", "13800138002", "12月5日"],  # none stored: the month and day
        ["赵六", "13800138004", "12/3"]])    # a new customer
    dry = plan(database.sessions, members, CUSTOMERS)
    done = apply(database.sessions, members, CUSTOMERS)
    for result in (dry, done):
        assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
        assert sorted((w.code, w.rows) for w in result.warnings) == [
            ("birthday_year_missing", 3), ("birthday_yearless_differs", 1)]
    assert _birthdays(database) == {"张三": (dt.date(1985, 4, 2), "0402"),
                                    "李四": (None, "1205"), "王五": (None, None),
                                    "赵六": (None, "1203")}
    with database.sessions() as s:
        history = s.execute(select(ProfileChange.attribute, ProfileChange.old_value,
                                   ProfileChange.new_value)
                            .where(ProfileChange.attribute == "birthday")).all()
    assert [tuple(h) for h in history] == [("birthday", None, "12月5日")]
    due = segments.members(database.sessions, {"version": 1, "where": {
        "field": "birthday", "op": "due_within", "value": 7}}, dt.date(2026, 11, 30))
    with database.sessions() as s:
        names = {s.get(Customer, r.customer_id).name for r in due.rows}
    assert names == {"李四", "赵六"}
    again = apply(database.sessions, members, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, done.batch_id)
    assert _birthdays(database) == {"张三": (dt.date(1985, 4, 2), "0402"),
                                    "李四": (None, None), "王五": (None, None)}


def test_an_id_card_number_gives_the_year_of_a_birthday_without_one(database, tmp_path):
    path = write_csv(tmp_path / "车主.csv", ["姓名", "手机", "生日", "身份证号"], [
        ["张三", "13800138001", "3月7日", "11010519491231002X"],   # another day: the file's
        ["李四", "13800138002", "12月31日", "11010519491231002X"]])  # the same: the card's year
    result = apply(database.sessions, path, CUSTOMERS)
    assert ("id_number_differs", 1) in [(w.code, w.rows) for w in result.warnings]
    assert _birthdays(database) == {"张三": (None, "0307"),
                                    "李四": (dt.date(1949, 12, 31), "1231")}
