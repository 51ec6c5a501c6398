"""A workbook of one sheet per month, on SQLite and PostgreSQL: the sheets on which the columns
an import read stand again (wherever they stand there) are found, each imported with that
import's columns as its own batch, and a sheet imported already is neither offered again nor
said to be "imported before" when another sheet of the file is read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from models import Customer, Vehicle
from services.imports import batches
from services.imports.apply import apply
from services.imports.mapping import Mapping
from services.imports.plan import ImportOptions, plan
from services.imports.results import source_name
from services.imports.sheets import AlikeSheet, alike_sheets, sheets_left
from tests.services.import_files import (
    MONTH_HEADERS,
    monthly_workbook,
    write_csv,
    write_xlsx,
)

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def _owners(database) -> dict[str, tuple[str | None, str | None]]:
    """Each customer's name: (their car's plate, their address)."""
    with database.sessions() as s:
        rows = s.execute(select(Customer.name, Vehicle.plate, Customer.street)
                         .join(Vehicle, Vehicle.customer_id == Customer.id, isouter=True))
        return {name: (plate, street) for name, plate, street in rows}


def january_mapping() -> Mapping:
    """The mapping of 1月 as the import worked it out from its headers."""
    return Mapping("customers", (("name", 0), ("mobile", 1), ("plate", 2),
                                 ("purchase_date", 3), ("street", 4)), tuple(MONTH_HEADERS))


def test_the_sheets_with_the_same_columns_are_found_wherever_the_columns_stand(tmp_path):
    path = monthly_workbook(tmp_path / "2026保有客户.xlsx")
    first = january_mapping()
    # 2月 holds every column in another order, one more, and no title row above them; 3月
    # lacks the plate; 汇总 is other columns; 4月 is hidden.
    assert alike_sheets(path, first, "1月") == [AlikeSheet("2月", 1), AlikeSheet("5月", 1)]
    # From another sheet, 1月 is found under its title row.
    assert alike_sheets(path, first, "5月") == [AlikeSheet("1月", 2), AlikeSheet("2月", 1)]
    # A column left out of the import is not asked for: 3月 then has them all.
    no_plate = first.with_column("plate", None)
    assert [a.name for a in alike_sheets(path, no_plate, "1月")] == ["2月", "3月", "5月"]


def test_a_file_of_one_table_or_a_mapping_without_headers_has_no_other_sheets(tmp_path):
    csv = write_csv(tmp_path / "客户.csv", MONTH_HEADERS,
                    [["张一", "13800138001", "粤A10001", "2020-01-05", None]])
    assert alike_sheets(csv, january_mapping(), None) == []
    one = write_xlsx(tmp_path / "一张.xlsx", MONTH_HEADERS, [])
    assert alike_sheets(one, january_mapping(), "Sheet") == []
    path = monthly_workbook(tmp_path / "2026保有客户.xlsx")
    by_number = Mapping("customers", january_mapping().columns)  # a profile without headers
    assert alike_sheets(path, by_number, "1月") == []


def test_each_sheet_is_imported_with_the_first_ones_columns_as_its_own_batch(database,
                                                                              tmp_path):
    path = monthly_workbook(tmp_path / "2026保有客户.xlsx")
    first = apply(database.sessions, path, CUSTOMERS)
    assert first.sheet == "1月" and first.created == 2
    left = sheets_left(database.sessions, path, first.mapping, first.sheet, "customers")
    assert [a.name for a in left] == ["2月", "5月"]

    feb = left[0]
    options = dataclasses.replace(CUSTOMERS, sheet=feb.name, header_row=feb.header_row,
                                  mapping=first.mapping)
    dry = plan(database.sessions, path, options)
    # Another sheet of the same file is other rows: not "imported before".
    assert dry.earlier_batches == ()
    second = apply(database.sessions, path, options)
    assert (second.sheet, second.created, second.rejected) == ("2月", 1, 0)
    # Each column read under its header on that sheet, not at the first sheet's place.
    assert _owners(database)["李三"] == ("粤A20003", "中山路3号")
    assert second.batch_id != first.batch_id
    # What is left: 5月 only; the same sheet read again says it was imported before.
    assert [a.name for a in sheets_left(database.sessions, path, first.mapping, "2月",
                                        "customers")] == ["5月"]
    assert plan(database.sessions, path, options).earlier_batches == (second.batch_id,)

    # Undone, 2月 is left to import again; imported as visits it would be other work.
    batches.undo_batch(database.sessions, second.batch_id)
    assert [a.name for a in sheets_left(database.sessions, path, first.mapping, "1月",
                                        "customers")] == ["2月", "5月"]
    assert "李三" not in _owners(database)
    assert [a.name for a in sheets_left(database.sessions, path, first.mapping, "5月",
                                        "visits")] == ["1月", "2月"]


@pytest.mark.parametrize(("sheet", "shown"), [
    ("2月", "2026保有客户.xlsx · 2月"), ("明细", "2026保有客户.xlsx · 明细"),
    # A spreadsheet's default name for a first sheet tells nothing; a CSV has no sheet.
    ("Sheet1", "2026保有客户.xlsx"), ("sheet", "2026保有客户.xlsx"),
    ("工作表1", "2026保有客户.xlsx"), (None, "2026保有客户.xlsx"),
    ("Sheet2", "2026保有客户.xlsx · Sheet2")])
def test_a_batch_is_named_by_its_file_and_its_sheet(sheet, shown):
    assert source_name("2026保有客户.xlsx", sheet) == shown
