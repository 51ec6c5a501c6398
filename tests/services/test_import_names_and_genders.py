"""Names and genders as hand-kept sheets and DMS exports write them. A title or a remark after
a full name (张三 先生, 李四（VIP）) was stored with the name and printed on every call sheet and
SMS (尊敬的李四（VIP）先生); a gender written as the national code (1 male, 2 female) was
refused, so a DMS export's whole gender column was lost."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import Customer
from services.imports import normalise as n
from services.imports import words as w
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from tests.services.import_files import write_csv, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
REMOVED = [("name_note_removed", "warning")]


def _codes(result: n.Clean) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in result.problems]


@pytest.mark.parametrize(("typed", "name"), [
    ("张三 先生", "张三"), ("张三先生", "张三"), ("欧阳娜女士", "欧阳娜"), ("李四（先生）", "李四"),
    ("王五（VIP）", "王五"), ("赵六(老客户)", "赵六"), ("钱七【本人】", "钱七"),
    ("孙小八[13800138080]", "孙小八"),
    # A mark beside the name, as a hand-kept sheet stars a customer for the caller.
    ("*张三", "张三"), ("张三**", "张三"), ("★李四★", "李四"), ("#王五", "王五"),
    ("*赵六（VIP）", "赵六")])
def test_a_title_or_remark_after_a_full_name_is_left_out(typed, name):
    result = n.normalise_name(typed)
    assert (result.value, _codes(result)) == (name, REMOVED)


@pytest.mark.parametrize("typed", [
    # A surname and a title is how a sheet names someone whose full name it does not know.
    "张先生", "欧阳先生", "王总", "李小姐",
    # A company's brackets, a couple, names in Latin letters or with the middle dot.
    "广州某某汽车服务（集团）有限公司", "华为（深圳）分公司", "张三-李四", "张三/李四",
    "Zhang San (VIP)", "阿依古丽·买买提"])
def test_names_that_are_written_so_stay_as_written(typed):
    result = n.normalise_name(typed)
    assert (result.value, _codes(result)) == (typed, [])


@pytest.mark.parametrize(("typed", "code"), [
    (1, "M"), ("2", "F"), (1.0, "M"), ("1", "M"), (0, None), ("9", None), ("保密", None),
    ("未说明", None),
    # As text with its decimals: a CSV written from a column of numbers with gaps in it.
    ("1.0", "M"), ("2.0", "F"), ("0.0", None), ("9.0", None)])
def test_the_national_code_of_sex_is_read(typed, code):
    result = w.normalise_gender(typed)
    assert (result.value, result.problems) == (code, ())


def test_an_owners_file_with_national_gender_codes_and_remarks_after_names(database, tmp_path):
    rows = [["张三 先生", "13902849001", 1], ["李四（VIP）", "13902849002", 2],
            ["王五", "13902849003", 0]]
    path = write_xlsx(tmp_path / "车主.xlsx", ["客户姓名", "手机", "性别"], rows)
    dry = plan(database.sessions, path, CUSTOMERS)
    done = apply(database.sessions, path, CUSTOMERS)
    for result in (dry, done):
        assert (result.created, result.rejected) == (3, 0)
        assert [(x.code, x.rows) for x in result.warnings] == [("name_note_removed", 2)]
    with database.sessions() as s:
        stored = dict(s.execute(select(Customer.name, Customer.gender)).all())
    assert stored == {"张三": "M", "李四": "F", "王五": None}


def test_a_customer_known_by_title_alone_has_the_gender_it_says(database, tmp_path):
    """付女士 with the gender cell empty is a woman; 王总 says nothing; a gender typed wins."""
    path = write_xlsx(tmp_path / "车主.xlsx", ["客户姓名", "手机", "性别"], [
        ["付女士", "13902849101", None], ["郑先生", "13902849102", ""],
        ["王总", "13902849103", None], ["欧阳小姐", "13902849104", "男"]])
    done = apply(database.sessions, path, CUSTOMERS)
    assert (done.created, done.rejected) == (4, 0)
    with database.sessions() as s:
        stored = dict(s.execute(select(Customer.name, Customer.gender)).all())
    assert stored == {"付女士": "F", "郑先生": "M", "王总": None, "欧阳小姐": "M"}


def test_a_gender_column_of_0_and_1_alone_is_said_once(database, tmp_path):
    """Some systems write 0 for female: read by the national code, where 0 is not known, their
    women would be kept with no gender unsaid."""
    rows = [["甲一", "13902849101", 1], ["甲二", "13902849102", 0], ["甲三", "13902849103", 0]]
    path = write_xlsx(tmp_path / "车主.xlsx", ["客户姓名", "手机", "性别"], rows)
    result = plan(database.sessions, path, CUSTOMERS)
    assert [(x.code, x.rows) for x in result.warnings] == [("gender_zero_one", 2)]
    assert "如该系统以0表示女" in result.warnings[0].zh


def test_a_name_stored_with_its_remark_is_the_same_customer_and_is_put_right(database,
                                                                             tmp_path):
    """A customer an earlier version stored as 李四（VIP）: the same file read again finds
    them (李四 is their name), rather than making a second customer of the same phone, and
    their name is put right."""
    with database.sessions.begin() as s:
        s.add(Customer(code="C9000001", name="李四（VIP）", mobile="13902849002"))
    path = write_xlsx(tmp_path / "车主.xlsx", ["客户姓名", "手机"],
                      [["李四（VIP）", "13902849002"]])
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.updated) == (0, 1)
    with database.sessions() as s:
        assert s.scalars(select(Customer.name)).all() == ["李四"]


@pytest.mark.parametrize(("name", "stored", "same"), [
    ("李四", "李四（VIP）", True), ("李四（老客户）", "李四", True),
    ("李先生", "李四（VIP）", True), ("王五", "李四（VIP）", False)])
def test_a_title_or_remark_says_nothing_against_being_the_same_person(name, stored, same):
    from services.customers.names import same_person

    assert same_person(name, stored, "M") is same


def test_a_csv_of_codes_written_with_decimals_is_read_and_said_like_numbers(database, tmp_path):
    """1.0 and 0.0 as text (a CSV from a program that held the column as numbers with gaps):
    the codes are read, and a column of 0.0 and 1.0 alone is said once, like 0 and 1."""
    rows = [["乙一", "13902849201", "1.0"], ["乙二", "13902849202", "0.0"],
            ["乙三", "13902849203", ""]]
    path = write_csv(tmp_path / "车主.csv", ["客户姓名", "手机", "性别"], rows)
    result = apply(database.sessions, path, CUSTOMERS)
    assert (result.created, result.rejected) == (3, 0)
    assert [(x.code, x.rows) for x in result.warnings] == [("gender_zero_one", 1)]
    with database.sessions() as s:
        stored = dict(s.execute(select(Customer.name, Customer.gender)).all())
    assert stored == {"乙一": "M", "乙二": None, "乙三": None}


def test_a_given_name_in_a_column_of_its_own_is_joined_to_the_surname(database, tmp_path):
    """First Name / Last Name (an export in English) or 姓 / 名 (a form): the customer's name
    is both, in the order the language writes them; a row with only one of them is named by
    it."""
    english = write_csv(tmp_path / "owners.csv", ["First Name", "Last Name", "Mobile"], [
        ["John", "Smith", "13902849101"], ["Mary", "", "13902849102"],
        ["", "Wang", "13902849103"]])
    mapping = plan(database.sessions, english, CUSTOMERS).mapping
    assert (mapping.headers[mapping.column("name")],
            mapping.headers[mapping.column("given_name")]) == ("Last Name", "First Name")
    assert apply(database.sessions, english, CUSTOMERS).created == 3
    chinese = write_xlsx(tmp_path / "登记表.xlsx", ["姓", "名", "手机"], [
        ["欧阳", "娜娜", "13902849104"], ["张", "三", "13902849105"]])
    assert apply(database.sessions, chinese, CUSTOMERS).created == 2
    # Name beside First Name and Last Name holds the whole name already.
    whole = write_csv(tmp_path / "crm.csv", ["Name", "First Name", "Last Name", "Mobile"], [
        ["Anna Berg", "Anna", "Berg", "13902849106"]])
    assert apply(database.sessions, whole, CUSTOMERS).created == 1
    with database.sessions() as s:
        names = set(s.scalars(select(Customer.name)))
    assert names == {"John Smith", "Mary", "Wang", "欧阳娜娜", "张三", "Anna Berg"}
