"""A number typed over the one printed in a call list's 电话 column is said by its row, the
row's contact stored and the customer's number left as it is; the same number written
another way, an emptied cell, a placeholder or a row without an outcome says nothing. On
SQLite and PostgreSQL, through the service and `main.py list outcomes`."""

from __future__ import annotations

from sqlalchemy import select

from models import Customer
from services.lists import outcomes
from services.outputs.types import mask_phone
from services.staff import accounts
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_cli import _outcomes
from tests.services.test_list_outcomes_rows import TODAY, _cell, _events, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _mobiles(database) -> dict[str, tuple[str | None, str | None]]:
    """Each customer's code: their mobile and other phones."""
    with database.sessions() as s:
        return {code: (mobile, others) for code, mobile, others in s.execute(
            select(Customer.code, Customer.mobile, Customer.other_phones))}


def test_a_number_typed_over_the_printed_one_is_said_and_not_stored(listed):
    """Before: the row's contact was stored and the 139… typed over the 138… printed was
    dropped without a word."""
    database, path, col = listed
    printed = _cell(path, col, 2, "电话")
    customer = _cell(path, col, 2, "客户编号")
    before = _mobiles(database)
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24",
                      (2, "电话"): "139 0013 9000",
                      (3, "结果"): "接通", (3, "联系日期"): "2026-11-24"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (2, ())
    assert [p.row for p in report.phones_typed] == [2]
    note = report.phones_typed[0]
    assert note.en == (
        f"the contact is stored; the 电话 cell says 139 0013 9000, not the {printed} printed: "
        f"the number is not changed — if the customer has a new number, change it on the "
        f"customer's page")
    assert note.zh == (
        f"联系结果已保存；电话一格写的是 139 0013 9000，不是名单上的 {printed}：号码未更改，"
        f"如客户换了号码，请在客户页面修改")
    # Listed with the rows stored without a cell, in the window's and the CLI's rows.
    assert report.stored_without == (note,)
    assert report.problems == ((2, note.en),)
    assert _events(database)[customer] == "reached"
    assert _mobiles(database) == before
    # Read again: the contact is not stored twice, and the number is said again.
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already, [p.row for p in again.phones_typed]) == (0, 2, [2])
    assert _mobiles(database) == before


def test_the_printed_number_written_another_way_says_nothing(listed):
    """Spaces, dashes, +86, a number Excel keeps as a number or the number masked as a list
    prints it (138****8000) are the number printed."""
    database, path, col = listed
    cells: dict[tuple[int, str], object] = {}
    for row in range(2, 6):
        cells[(row, "结果")] = "接通"
    digits = [str(_cell(path, col, row, "电话")) for row in range(2, 6)]
    assert all(len(d) == 11 and d.isdigit() for d in digits)  # printed bare, as the test knows
    cells[(2, "电话")] = f"{digits[0][:3]} {digits[0][3:7]}-{digits[0][7:]}"
    cells[(3, "电话")] = f"+86 {digits[1]}"
    cells[(4, "电话")] = int(digits[2])
    cells[(5, "电话")] = mask_phone(digits[3])  # a list printed with numbers masked
    cells[(6, "结果")], cells[(6, "电话")] = "接通", "13900139000"  # another number: said
    _fill(path, col, cells)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (5, ())
    assert [p.row for p in report.phones_typed] == [6]


def test_an_emptied_cell_or_a_placeholder_says_nothing(listed):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "电话"): None,
                      (3, "结果"): "接通", (3, "电话"): "-",
                      (4, "结果"): "接通", (4, "电话"): "无",
                      (5, "结果"): "接通", (5, "电话"): "13900139000"})  # another: said
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (4, ())
    assert [p.row for p in report.phones_typed] == [5]


def test_a_row_without_an_outcome_says_nothing_of_its_phone(listed):
    database, path, col = listed
    _fill(path, col, {(2, "电话"): "13900139000",
                      (3, "结果"): "接通", (3, "电话"): "13900139001"})  # with one: said
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.found) == (1, ())
    assert [p.row for p in report.phones_typed] == [3]
    assert report.blank >= 1


def test_the_cli_warns_of_a_number_typed_over_and_succeeds(listed, monkeypatch, capsys):
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    printed = _cell(path, col, 3, "电话")
    # Typed as a number, as Excel keeps digits typed into a General cell.
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "接通", (3, "电话"): 13900139000})
    code, out, err = _outcomes(database, path, monkeypatch, capsys)
    assert code == 0
    assert (f"  row 3: the contact is stored; the 电话 cell says 13900139000, not the "
            f"{printed} printed: the number is not changed") in out
    assert ("revisit: warning: 1 row(s) give a phone number other than the one printed in "
            "电话 (row 3): the customer's number is not changed; if they have a new number, "
            "change it on the customer's page") in err
