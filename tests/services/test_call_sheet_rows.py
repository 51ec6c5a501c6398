"""The call sheet's member rows: as tall as the one-row reportlab table each used to be (so the
pages break where they did), their talking points printed whole however many lines they take,
the plate always under the model, and read back with pdftotext: a row that does not fit the
space left on a page moves whole to the next one, and every member is printed once."""

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


def test_talking_points_are_never_cut_the_row_grows_instead():
    st = sheet._Styles()
    points = "很长的一段话术" * 30
    for brief in (None, _brief(1, doc(1).as_of)):
        tall = sheet._member_row(member(5, talking_points=points), st, brief)
        assert len(tall.cells[7]) > 6 and "".join(tall.cells[7]) == points
        assert tall.row_height == len(tall.cells[7]) * sheet.LEADING[sheet.TEXT_PT] + 4
    short = sheet._member_row(member(6, talking_points="保险到期：可谈续保"), st)
    assert len(short.cells[7]) == 1
    # Only a row taller than a page is cut (a row is never split across pages): it fills one.
    huge = sheet._member_row(member(7, talking_points="话" * 5000), st, _brief(1, doc(1).as_of))
    assert huge.cells[7][-1].endswith("…")
    assert huge.height <= sheet.FRAME_HEIGHT < huge.height + sheet.LEADING[sheet.TEXT_PT]


def test_a_long_model_is_shortened_and_the_plate_always_shows():
    st = sheet._Styles()
    benz = member(1, brand="梅赛德斯-奔驰", model="GLE 450 4MATIC 轿跑SUV 豪华型 (进口) 2019款",
                  plate="沪AD12345")
    cell = sheet._member_row(benz, st).cells[4]
    assert len(cell) == 4 and cell[2].endswith("…") and cell[3] == "沪AD12345"
    assert sheet._member_row(member(2), st).cells[4] == ["丰田 凯美瑞", "粤A12345"]
    assert sheet._member_row(member(3, plate=None), st).cells[4] == ["丰田 凯美瑞"]
    assert sheet._member_row(member(4, brand=None, model=None), st).cells[4] == ["粤A12345"]


@needs_poppler
def test_the_whole_talking_points_and_the_plate_are_on_the_page(tmp_path):
    points = ("保养已逾期 28 天（2026-11-08 到期）：提醒预约；建议维修：更换后刹车片（2027-01-28 "
              "到期）、更换雨刮（2027-02-01 到期）等 3 项；估算里程约 124,269 km：提醒大保养；"
              "保险 2026-12-09 到期：可谈续保/延保；质保 2026-12-06 到期：可谈续保/延保")
    members = (member(1, caller="陈丽", talking_points=points, brand="梅赛德斯-奔驰",
                      model="GLE 450 4MATIC 轿跑SUV 豪华型 (进口) 2019款", plate="沪AD12345"),)
    d = dataclasses.replace(doc(1), members=members)
    path = sheet.write_call_sheet(d, tmp_path / "c.pdf", {"9-0001": _brief(1, d.as_of)})
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">'
                       r'([^<]*)<', html)

    def column(j: int) -> str:
        # In reading order, line by line: pdftotext's own order put the column's header
        # between two lines of a cell once the km beside it took three lines.
        left, right = sheet.MARGIN + sheet.EDGES[j], sheet.MARGIN + sheet.EDGES[j + 1]
        return "".join(w for _y, x0, x1, w in sorted(
            (float(y0), float(x0), float(x1), w) for x0, y0, x1, w in words
            if left <= float(x0) and float(x1) <= right))

    assert re.sub(r"\s", "", points) in column(7) and "…" not in column(7)
    assert "沪AD12345" in column(4)


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
    numbers = ("13800138080", "022-62722081", "0571-88881234", "0571-88881234-1234",
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
    assert shown == ["电话", "13800138080", "022-62722081", "0571-88881234", "0571-88881234",
                     "-1234", "020-81234567", "-12"]
