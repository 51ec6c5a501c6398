"""The call sheet's member rows: as tall as the one-row reportlab table each used to be (so the
pages break where they did), cut at six lines, and read back with pdftotext: a row that does not
fit the space left on a page moves whole to the next one, and every member is printed once."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from reportlab.platypus import Spacer, Table, TableStyle

from services.customers.brief import Spend
from services.customers.brief_batch import CondensedBrief
from services.outputs import pdf_call_sheet as sheet
from tests.services.test_outputs_files import doc, member

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")


def _brief(i: int, as_of) -> CondensedBrief:
    # A spend of ¥1,000 + i: a phrase only this member's brief prints.
    spend = Spend(as_of.replace(month=3, day=2), Decimal(1000 + i), "maintenance")
    return CondensedBrief(
        customer_id=i, as_of=as_of, last_spend=spend, satisfaction=5 + i % 5,
        satisfaction_date=None, satisfaction_before=None, open_complaints=i % 2,
        intent_strength=None, intent_window=None, economy=None, family_changed=False,
        work_changed=False, purpose="care", rule="规则")


def _table_height(row: sheet.MemberRow) -> float:
    """The height reportlab's Table gives one row of the same cells and style."""
    font = sheet.cjk_font()
    style = TableStyle([
        ("FONT", (0, 0), (-1, -1), font, sheet.BODY_PT, sheet.BODY_PT * 1.2),
        ("FONT", (6, 0), (7, 0), font, sheet.TEXT_PT, sheet.TEXT_PT * 1.2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ] + [(side, (0, 0), (-1, -1), 2) for side in ("LEFTPADDING", "RIGHTPADDING",
                                                  "TOPPADDING", "BOTTOMPADDING")])
    boxes = Spacer(sheet.OutcomeBoxes.WIDTH, sheet.OutcomeBoxes.HEIGHT)
    cells = ["\n".join(lines) for lines in row.cells] + [boxes, ""]
    return Table([cells], colWidths=sheet.WIDTHS, style=style).wrap(0, 10_000)[1]


def test_a_row_is_as_tall_as_the_table_row_it_replaced():
    d = doc(1)
    st = sheet._Styles()
    for m in (member(1), member(2, talking_points="短", last_feedback=None),
              member(3, talking_points="很长的一段话术" * 30, best_time=None, km=None),
              member(4, mobile=None, plate=None, years_owned=None, talking_points="")):
        for brief in (None, _brief(1, d.as_of)):
            row = sheet._member_row(m, st, brief)
            assert row.row_height == _table_height(row), m.row_code
            below = 0.0 if row.brief is None else row.brief.height + 4
            assert row.wrap(0, 0) == (sum(sheet.WIDTHS), row.row_height + below)
    tall = sheet._member_row(member(5, talking_points="很长的一段话术" * 30), st)
    assert len(tall.cells[7]) == 6 and tall.cells[7][-1].endswith("…")  # cut at six lines


@needs_poppler
def test_rows_that_do_not_fit_move_whole_to_the_next_page_and_print_once(tmp_path):
    # Talking points of one to six lines and most rows with a brief: rows of many heights,
    # so at the foot of many pages the next row has too little room and must move on.
    members = tuple(member(i, caller="陈丽", talking_points=f"开始{i}，" + "保险到期，" * (i % 14)
                           + f"结束{i}") for i in range(1, 91))
    d = dataclasses.replace(doc(1), members=members)
    briefs = {m.row_code: _brief(i, d.as_of) for i, m in enumerate(members, start=1) if i % 4}
    path = sheet.write_call_sheet(d, tmp_path / "c.pdf", briefs)

    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = [re.sub(r"\s", "", p) for p in raw.split("\f")[:-1]]
    assert len(pages) > 10
    for i, m in enumerate(members, start=1):
        on = [n for n, p in enumerate(pages) if m.row_code in p]
        assert len(on) == 1, (m.row_code, on)  # printed once
        page = pages[on[0]]
        assert page.count(m.row_code) == 1
        # The whole row on that page: its first and last words, and its brief.
        assert f"开始{i}，" in page and f"结束{i}" in page, m.row_code
        assert (f"¥{1000 + i:,}" in page) == bool(i % 4), m.row_code

    # Nothing runs into the foot of a page: every word of the rows above the frame's bottom.
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    height = sheet.PAGE[1]
    footer = height - 30  # the page number and the run's line sit 16 pt above the edge
    lowest = max(float(y) for y in re.findall(r'yMax="([\d.]+)"', html) if float(y) < footer)
    assert lowest <= height - sheet.FRAME_BOTTOM


@needs_poppler
def test_a_landline_stays_in_its_column_broken_only_before_a_dash(tmp_path):
    numbers = ("13800138000", "022-62722081", "0571-88881234", "0571-88881234-1234",
               "020-81234567-12")
    members = tuple(member(i, mobile=n, caller="陈丽") for i, n in enumerate(numbers, start=1))
    path = sheet.write_call_sheet(dataclasses.replace(doc(1), members=members),
                                  tmp_path / "c.pdf")
    html = subprocess.run(["pdftotext", "-l", "1", "-bbox", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                       html)
    left, right = sheet.MARGIN + sheet.EDGES[2], sheet.MARGIN + sheet.EDGES[3]
    bottom = sheet.PAGE[1] - sheet.FRAME_BOTTOM  # the rows' frame, not the page's foot
    shown = [w for x0, x1, y1, w in words
             if left <= float(x0) and float(x1) <= right and float(y1) <= bottom]
    # Whole numbers on one line where the column has room; an extension goes under its number.
    assert shown == ["电话", "13800138000", "022-62722081", "0571-88881234", "0571-88881234",
                     "-1234", "020-81234567", "-12"]
