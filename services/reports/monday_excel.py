"""The Monday report as an Excel workbook: one sheet per section, real numbers (rates as
fractions shown as percentages, dates as dates), a frozen heading row and filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from services.reports.monday import Report

# Characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(report: Report, path: Path) -> None:
    wb = Workbook()
    for sheet in list(wb.worksheets):
        wb.remove(sheet)
    for section in report.sections:
        ws = wb.create_sheet(section.key[:31])
        ws.append([report.title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([section.title])
        head = 3
        ws.append(list(section.headers))
        for cell in ws[head]:
            cell.font = Font(bold=True)
        widths = [len(h) * 2 + 2 for h in section.headers]
        for i, row in enumerate(section.rows):
            ws.append(list(row))
            r = ws.max_row
            for c, value in enumerate(row):
                cell = ws.cell(r, c + 1)
                if isinstance(value, str) and value.startswith(FORMULA_START):
                    cell.value = value
                    cell.data_type = "s"  # shown as typed, never evaluated
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif section.is_percent(i, c) and value is not None:
                    cell.number_format = ("+0.0%;-0.0%;0.0%" if c in section.signed_columns
                                          else "0.0%")
                elif isinstance(value, float):
                    # Whole when it is (a target of 100, not 100.0), as on paper; a gap signed.
                    shape = "0" if value.is_integer() else "0.0"
                    cell.number_format = (f"+{shape};-{shape};{shape}"
                                          if c in section.signed_columns else shape)
                shown = len(str(value)) * (2 if isinstance(value, str) else 1) + 2
                widths[c] = max(widths[c], min(shown, 40))
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = w
        ws.freeze_panes = ws.cell(head + 1, 1)
        if section.rows:
            ws.auto_filter.ref = (f"A{head}:{get_column_letter(len(section.headers))}"
                                  f"{head + len(section.rows)}")
        # The notes under the table, one a row in column A: side by side in row 2 each was
        # cut off by the next.
        if section.notes:
            ws.append([])
            for note in section.notes:
                ws.append([note])
                ws.cell(ws.max_row, 1).data_type = "s"  # text, never a formula
    wb.properties.title = report.title
    wb.properties.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # as wb.save does
    # openpyxl's wb.save leaves its zip archive open when a write fails (a full disk): closed
    # later by the garbage collector, it failed again, printed as "Exception ignored in
    # ZipFile.__del__" with a traceback. Closed here, whatever happens.
    with ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
