"""A file or sheet with column headers and no row below them is refused in one sentence, by a
dry run and an import alike, and nothing is stored (no batch of 0 rows to undo); a sheet of a
monthly workbook that has only its headers is not offered among the sheets left to import."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from models import ImportBatch
from services.imports.apply import apply
from services.imports.plan import ImportOptions, plan
from services.imports.sheets import AlikeSheet, alike_sheets, sheets_left
from services.store.errors import RevisitError
from tests.services.import_files import MONTH_HEADERS, counts, write_csv, write_xlsx
from tests.services.test_import_sheets import january_mapping

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def _refused(database, path, options=CUSTOMERS) -> str:
    """The sentence both a dry run and an import refuse `path` with (they must agree)."""
    said = []
    for run in (plan, apply):
        with pytest.raises(RevisitError) as caught:
            run(database.sessions, path, options)
        said.append(caught.value.message)
    assert said[0] == said[1]
    return said[0]


def _batches(database) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(ImportBatch)) or 0


def test_a_file_of_headers_only_is_refused_and_nothing_is_stored(database, tmp_path):
    before = counts(database)
    csv = write_csv(tmp_path / "客户.csv", ["车主", "手机", "车牌"], [])
    assert _refused(database, csv) == ("The file 客户.csv has no rows below its column "
                                       "headers, so nothing was imported.")
    # Blank lines below the headers are no rows either.
    csv.write_text("车主,手机,车牌\n,,\n\n", encoding="utf-8")
    assert "客户.csv has no rows below its column headers" in _refused(database, csv)
    sheet = write_xlsx(tmp_path / "客户.xlsx", ["车主", "手机", "车牌"], [],
                       title=["2026年12月保有客户"])
    assert _refused(database, sheet) == ("The sheet Sheet of 客户.xlsx has no rows below its "
                                         "column headers, so nothing was imported.")
    # A sheet named in the options, with its header row given, the same.
    named = ImportOptions("customers", today=TODAY, sheet="Sheet", header_row=2)
    assert "The sheet Sheet of 客户.xlsx" in _refused(database, sheet, named)
    assert _batches(database) == 0 and counts(database) == before


def test_the_sheet_with_rows_is_read_after_a_sheet_of_headers_only(database, tmp_path):
    path = tmp_path / "客户.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "模板"
    wb.active.append(MONTH_HEADERS)
    rows = wb.create_sheet("明细")
    rows.append(MONTH_HEADERS)
    rows.append(["张一", "13800138001", "粤A10001", "2020-01-05", None])
    wb.save(path)
    result = plan(database.sessions, path, CUSTOMERS)
    assert (result.sheet, result.created) == ("明细", 1)


def test_a_totals_row_alone_is_a_row_still_reported(database, tmp_path):
    # Not "no rows": the row is listed as left out, as in any other file.
    csv = write_csv(tmp_path / "客户.csv", ["车主", "手机", "车牌"], [["合计", "", "共0台"]])
    result = plan(database.sessions, csv, CUSTOMERS)
    assert result.rows_total == 1 and result.rejected == 1


def test_a_sheet_of_headers_only_is_not_offered_with_the_others(database, tmp_path):
    path = tmp_path / "2026保有客户.xlsx"
    wb = openpyxl.Workbook()
    for name, rows in (("11月", [["张一", "13800138001", "粤A10001", "2020-01-05", None]]),
                       ("12月", []), ("1月", [["张二", "13800138002", "粤A10002", None, None]])):
        ws = wb.active if name == "11月" else wb.create_sheet(name)
        ws.title = name
        ws.append(MONTH_HEADERS)
        for row in rows:
            ws.append(row)
    wb.save(path)
    assert alike_sheets(path, january_mapping(), "11月") == [
        AlikeSheet("12月", 1, rows=False), AlikeSheet("1月", 1)]
    assert sheets_left(database.sessions, path, january_mapping(), "11月", "customers") == [
        AlikeSheet("1月", 1)]
