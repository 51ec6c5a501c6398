"""Values longer than their columns, on SQLite (which stores them) and PostgreSQL (which refuses
them): a company's long name imports with its pinyin keys cut to their columns and is still
found by all its initials; a name longer than its column is kept cut with a note naming the
limit; other phones keep whole numbers and name those without room; and whatever else would
not fit is cut by the import's writer and noted on the row, never failing the file."""

from __future__ import annotations

import datetime as dt

import openpyxl
from sqlalchemy import select

from models import Customer, ImportBatch, ImportChange
from services.customers.search import find_ids
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from services.imports.results import Issue, RowResult
from services.imports.writes import Writer
from tests.services.import_files import write_csv

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["车主", "手机", "品牌", "车型", "车牌"]
COMPANY_18 = "深圳市南山区某某电子信息科技有限公司"
COMPANY_28 = "深圳市南山区科技园某某信息技术服务股份有限公司第一分公司"
KEYS = ("name_pinyin", "name_initials", "name_sort")


def _stored(database) -> dict[str, Customer]:
    with database.sessions() as s:
        return {c.name: c for c in s.scalars(select(Customer))}


def _fits(customer: Customer) -> bool:
    table = Customer.__table__
    return all(len(getattr(customer, c.name)) <= c.type.length for c in table.c
               if isinstance(getattr(customer, c.name), str) and getattr(c.type, "length", None))


def test_a_company_with_a_long_name_imports_sorts_and_is_found_by_its_initials(
        database, tmp_path):
    path = write_csv(tmp_path / "公司客户.csv", HEADERS, [
        [COMPANY_18, "13902847604", "大众", "帕萨特", "粤B66604"],
        [COMPANY_28, "13902847605", "大众", "迈腾", "粤B66605"],
        ["张伟", "13902847606", "丰田", "凯美瑞", "粤B66606"],
    ])
    dry = plan(database.sessions, path, CUSTOMERS)
    assert (dry.created, dry.rejected, dry.noted) == (3, 0, 0)
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected, result.noted) == (3, 0, 0)
    stored = _stored(database)
    assert all(_fits(c) for c in stored.values())
    company = stored[COMPANY_18]
    # 16 of its 18 initials (the column's length); its full pinyin fits whole.
    assert company.name_initials == "szsnsqmmdzxxkjyx"
    assert company.name_pinyin == "shenzhenshinanshanqumoumoudianzixinxikejiyouxiangongsi"
    for typed in ("szsnsqmmdzxxkjyxgs", "szsnsqmm", "shenzhenshinanshanqumoumou"):
        assert company.id in find_ids(database.engine.connect, typed), typed
    # By pinyin: shen zhen … ke ji (科技园) before shen zhen … mou mou, then zhang wei.
    assert find_ids(database.engine.connect, "", sort="name") == [
        stored[COMPANY_28].id, company.id, stored["张伟"].id]
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_name_longer_than_its_column_is_kept_cut_with_a_note_of_the_limit(database, tmp_path):
    name = "杭州某某汽车服务有限公司" * 7  # 84 characters; the column holds 64
    path = write_csv(tmp_path / "长名称.csv", HEADERS,
                     [[name, "13902847511", "大众", "朗逸", "浙A10011"],
                      ["李四", "13902847512", "大众", "朗逸", "浙A10012"]])
    result = apply(database.sessions, path, CUSTOMERS, errors_path=tmp_path / "问题.xlsx")
    assert (result.created, result.rejected, result.noted) == (2, 0, 1)
    assert [(w.zh, w.en) for w in result.warnings] == [(
        "客户姓名：文字过长，已截断（最多 64 个字）",
        "Customer name: text too long, cut short (at most 64 characters)")]
    stored = _stored(database)
    assert set(stored) == {name[:64], "李四"}
    assert all(_fits(c) for c in stored.values())
    assert len(stored[name[:64]].name_sort) == 160  # cut, as its pinyin is longer
    sheet = openpyxl.load_workbook(result.errors_file).active
    assert any("最多 64 个字" in str(cell.value) for row in sheet.iter_rows() for cell in row)


def test_other_phones_keep_whole_numbers_and_name_the_ones_without_room(database, tmp_path):
    numbers = [f"0571-8888000{i}" for i in range(1, 7)] + ["13902848002", "13902848003"]
    headers = ["车主", "手机", "其他电话", "品牌", "车型", "车牌"]
    path = write_csv(tmp_path / "多个电话.csv", headers,
                     [["张三丰", "13902848001", "/".join(numbers), "大众", "迈腾", "浙A50001"]])
    result = apply(database.sessions, path, CUSTOMERS, errors_path=tmp_path / "问题.xlsx")
    assert (result.created, result.noted) == (1, 1)
    stored = _stored(database)["张三丰"]
    kept = stored.other_phones.split(", ")
    assert len(stored.other_phones) <= 100 and set(kept) <= set(numbers)
    left_out = [n for n in numbers if n not in kept]
    assert left_out  # 8 numbers need 114 characters
    assert [w.zh for w in result.warnings] == [
        "其他电话：最多存 100 个字，放不下的号码未存入，请核对"]
    said = " ".join(result.samples["create"][0].reasons)
    assert all(n in said for n in left_out), said
    # The problem file lists the row with the numbers left out.
    sheet = openpyxl.load_workbook(result.errors_file).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert all(n in cells for n in left_out)


def _batch(s) -> int:
    batch = ImportBatch(kind="customers", file_name="x.csv", file_hash="0" * 64, sheet=None,
                        mapping_json="{}", staff_id=None, rows_total=0, rows_created=0,
                        rows_updated=0, rows_unchanged=0, rows_rejected=0)
    s.add(batch)
    s.flush()
    return batch.id


def test_the_writer_cuts_what_its_column_cannot_hold_and_notes_it_on_the_row(database):
    with database.sessions.begin() as s:
        old = Customer(code="C0000100", name="王五")
        s.add(old)
        s.flush()
        old_id = old.id
    first, second, third = RowResult(2, ()), RowResult(3, ()), RowResult(4, ())
    with database.sessions() as s:
        writer = Writer(s.connection(), _batch(s))
        now = writer.now
        writer.row = first
        new = writer.insert("customer", {
            "code": "C0000200", "name": "赵六", "name_pinyin": "zhaoliu", "name_initials": "zl",
            "name_sort": "zhao liu", "employer": "某" * 150, "source": None,
            "created_at": now, "updated_at": now})
        writer.row = second
        change = {"street": "路" * 250}
        writer.amend("customer", old_id, change, {"street": None})
        assert change == {"street": "路" * 200}  # the caller goes on with what is stored
        # A later row of the chunk changing the waiting row's dict itself (as the lookup does).
        writer.row = third
        new["source"] = "来" * 40
        writer.flush()
        s.commit()
    assert first.issues == [Issue("text_truncated", "employer", "warning", limit=100),
                            Issue("text_truncated", "source", "warning", limit=30)]
    assert second.issues == [Issue("text_truncated", "street", "warning", limit=200)]
    stored = {c.code: c for c in _stored(database).values()}
    assert stored["C0000200"].employer == "某" * 100
    assert stored["C0000200"].source == "来" * 30
    assert stored["C0000100"].street == "路" * 200
    with database.sessions() as s:
        undo = s.scalars(select(ImportChange.new_value)
                         .where(ImportChange.column_name == "street")).all()
    assert undo == ["路" * 200]
