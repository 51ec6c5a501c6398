"""A customers file that gives a stored customer another mobile, on SQLite and PostgreSQL: the
mobile it replaces stays among their other phones (once, not when empty, not when it is another
customer's mobile now), a number the file makes the mobile leaves the other phones, and undoing
the batch puts back exactly what was stored before."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Customer, ProfileChange
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import snapshot, vin, write_csv

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["车主", "手机", "其他电话", "车架号", "车型"]
V1, V2, V3 = vin("LSVAB2BM4MN12345"), vin("LSVCD3CN5NP23456"), vin("LHGCR2650E800123")


def _phones(database) -> dict[str, tuple[str | None, str | None]]:
    with database.sessions() as s:
        found = {c.name: (c.mobile, c.other_phones) for c in s.scalars(select(Customer))}
        assert len(found) == len(s.scalars(select(Customer)).all())  # one customer a name
        return found


def _import(database, path, rows):
    return apply(database.sessions, write_csv(path, HEADERS, rows), CUSTOMERS)


def test_the_replaced_mobile_is_kept_among_the_other_phones_and_undo_restores(database,
                                                                               tmp_path):
    _import(database, tmp_path / "a.csv", [["张三", "13800138001", "020-87654321", V1, "朗逸"],
                                           ["李四", "13900139002", None, V2, "途观L"]])
    before = snapshot(database, versions=False)
    path = write_csv(tmp_path / "b.csv", HEADERS,
                     [["张三", "13600136003", None, V1, "朗逸"],
                      ["李四", "13700137004", None, V2, "途观L"]])
    dry = plan(database.sessions, path, CUSTOMERS)
    assert dry.changed_fields == {"mobile": 2, "other_phones": 2}
    result = apply(database.sessions, path, CUSTOMERS)
    assert _phones(database) == {"张三": ("13600136003", "020-87654321, 13800138001"),
                                 "李四": ("13700137004", "13900139002")}
    with database.sessions() as s:
        history = {(c.attribute, c.old_value, c.new_value)
                   for c in s.scalars(select(ProfileChange))}
    assert ("other_phones", "020-87654321", "020-87654321, 13800138001") in history
    assert ("mobile", "13800138001", "13600136003") in history
    # The same file again: the number is neither added twice nor the mobile changed back.
    again = apply(database.sessions, path, CUSTOMERS)
    assert again.changed_fields == {} and again.unchanged == 2

    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database, versions=False) == before


def test_a_second_number_made_the_mobile_swaps_with_it(database, tmp_path):
    _import(database, tmp_path / "a.csv", [["张三", "13800138001", "13600136003", V1, "朗逸"]])
    before = snapshot(database, versions=False)
    result = _import(database, tmp_path / "b.csv", [["张三", "13600136003", None, V1, "朗逸"]])
    assert _phones(database) == {"张三": ("13600136003", "13800138001")}
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database, versions=False) == before


def test_no_mobile_before_or_one_that_is_another_customers_is_not_kept(database, tmp_path):
    _import(database, tmp_path / "a.csv", [["张三", None, None, V1, "朗逸"],
                                           ["李四", "13900139002", None, V2, "途观L"],
                                           ["赵五", "13500135005", None, V3, "雅阁"]])
    # 张三 gets his first mobile; 李四 a new one, his old number now his wife's (a row above
    # his); 赵五 a new one, his old number now his son's, stored before.
    _import(database, tmp_path / "son.csv", [["赵小五", "13500135005", None, None, None]])
    _import(database, tmp_path / "b.csv", [["张三", "13800138001", None, V1, "朗逸"],
                                           ["王芳", "13900139002", None, None, None],
                                           ["李四", "13700137004", None, V2, "途观L"],
                                           ["赵五", "13300133006", None, V3, "雅阁"]])
    assert _phones(database) == {"张三": ("13800138001", None),
                                 "李四": ("13700137004", None),
                                 "王芳": ("13900139002", None),
                                 "赵五": ("13300133006", None),
                                 "赵小五": ("13500135005", None)}
