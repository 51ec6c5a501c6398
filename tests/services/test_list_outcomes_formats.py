"""A filled-in call list read back whatever the caller's spreadsheet program saved it as: the
list Revisit wrote as CSV, filled and saved by Excel on Chinese Windows (GBK, dates typed
2026/11/24); the .xlsx saved again as .xls or .ods by LibreOffice, an independent writer, with
a date merged over a block of rows and a second sheet per caller. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from models import ContactEvent, Customer
from services.lists import outcome_file, outcomes, runs
from services.outputs import excel
from tests.services.test_lists_runs import _run, setup

TODAY = dt.date(2026, 11, 25)
DAY = dt.date(2026, 11, 24)


def _document(database):
    setup(database)
    return runs.load_document(database.sessions, _run(database).run_id)


def _stored(database) -> list[tuple[str, str, dt.date, str | None]]:
    """(customer code, outcome, contact day, feedback) of each contact read back."""
    with database.sessions() as s:
        got = s.execute(select(Customer.code, ContactEvent.outcome, ContactEvent.contact_at,
                               ContactEvent.feedback)
                        .join(Customer, Customer.id == ContactEvent.customer_id)
                        .where(ContactEvent.list_run_id.is_not(None))).all()
    return sorted((code, outcome, at.date(), feedback) for code, outcome, at, feedback in got)


def test_a_csv_list_saved_by_excel_in_gbk_is_read_back(database, tmp_path):
    path = excel.write_list(_document(database), "call", tmp_path / "calls.csv", fmt="csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    at = {h: header.index(h) for h in ("结果", "联系日期", "客户反馈", "客户编号")}
    rows[1][at["结果"]], rows[1][at["联系日期"]] = "接通", "2026/11/24"
    rows[1][at["客户反馈"]] = "对保养满意"
    rows[2][at["结果"]] = "未接通"  # no date typed: the day it is read
    with path.open("w", encoding="gbk", newline="") as fh:  # Excel's "CSV (逗号分隔)"
        csv.writer(fh).writerows(rows)
    assert outcome_file.is_filled_list(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems, report.blank) == (2, (), 3)
    assert _stored(database) == sorted([
        (rows[1][at["客户编号"]], "reached", DAY, "对保养满意"),
        (rows[2][at["客户编号"]], "no_answer", TODAY, None)])


def _filled_workbook(database, path: Path) -> dict[str, tuple[str, dt.date]]:
    """The call list as .xlsx, filled in by two callers: a date merged over rows 2-4 of the
    first sheet, row 5 moved to a sheet of its own. What each customer's row says."""
    excel.write_list(_document(database), "call", path)
    book = openpyxl.load_workbook(path)
    first = book.active
    col = {c.value: c.column for c in first[1]}
    letter = get_column_letter(col["联系日期"])
    first[f"{letter}2"] = "2026-11-24"
    first.merge_cells(f"{letter}2:{letter}4")
    for row in (2, 3, 4):
        first.cell(row, col["结果"], "接通")
    second = book.create_sheet("李四")
    second.append([c.value for c in first[1]])
    second.append([c.value for c in first[5]])
    first.delete_rows(5)
    second.cell(2, col["结果"], "已预约")
    second.cell(2, col["联系日期"], dt.date(2026, 11, 23))
    book.save(path)
    expected = {first.cell(r, col["客户编号"]).value: ("reached", DAY) for r in (2, 3, 4)}
    expected[second.cell(2, col["客户编号"]).value] = ("appointment", dt.date(2026, 11, 23))
    return expected


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_a_list_saved_again_as_xls_or_ods_is_read_back(database, tmp_path, kind):
    expected = _filled_workbook(database, tmp_path / "calls.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", kind, "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "calls.xlsx")], check=True, capture_output=True,
                   timeout=120)
    path = tmp_path / "out" / f"calls.{kind}"
    assert outcome_file.is_filled_list(path)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems, report.blank) == (4, (), 1)  # one not called
    assert {code: (outcome, day) for code, outcome, day, _ in _stored(database)} == expected


def test_customer_codes_a_spreadsheet_took_for_numbers_still_match(database, tmp_path):
    # A DMS's codes of digits; Excel opens the CSV list and saves it again: 00012 is 12, and a
    # date typed is written as Chinese Windows shows it. Another customer's digits stay wrong.
    setup(database)
    with database.sessions.begin() as s:
        for customer in s.scalars(select(Customer)):
            customer.code = "000" + customer.code.removeprefix("C")
    doc = runs.load_document(database.sessions, _run(database).run_id)
    path = excel.write_list(doc, "call", tmp_path / "calls.csv", fmt="csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    at = {h: rows[0].index(h) for h in ("结果", "联系日期", "客户编号")}
    codes = [r[at["客户编号"]] for r in rows[1:]]
    assert all(c.startswith("000") for c in codes)
    for r in rows[1:]:
        r[at["客户编号"]] = str(int(r[at["客户编号"]]))
        r[at["结果"]], r[at["联系日期"]] = "接通", "2026/11/24"
    rows[2][at["客户编号"]] = str(int(codes[0]))  # the first row's customer: not this one's
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(rows)
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.stored == len(codes) - 1
    assert [(p.row, p.en.split(";")[0]) for p in report.found] == [
        (3, f"row {rows[2][0]} is customer {codes[1]} in this database, not "
            f"{int(codes[0])} as in the file (a row code changed or swapped?)")]
    assert {code for code, *_ in _stored(database)} == set(codes) - {codes[1]}
