"""Paper a caller can use: lines never pass their cell's padding (not even a closing mark at a
line's end), times stay whole, a seven-digit km fits its column, the exclusions appendix is as
legible as the sheet; read back with pdftotext and checked on the page image."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import pytest

from services.outputs import pdf_call_sheet as sheet
from services.outputs.pdf_common import CANNOT_START, text_width, wrap_lines
from services.outputs.types import Excluded
from tests.services.test_outputs_files import doc, member, punctuated_doc, word_boxes

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler missing")

CLOSING = "，：。；！？、）」"


def _texts():
    """Chinese with a closing mark after every one to four characters, from every offset,
    runs of marks, brackets, numbers and the kept-together words among them."""
    base = "购车年限长可介绍置换保险到期提醒续保"
    for step in range(1, 5):
        for offset in range(step):
            yield "".join(ch + (CLOSING[i % len(CLOSING)] if (i + offset) % step == 0 else "")
                          for i, ch in enumerate(base * 2))
    yield "购车 11.0 年：可介绍置换，保险到期：提醒续保，里程 1,290,791 km：建议大保养。"
    yield "好，，，的。」」还有（括号）里的话：工作日 10–11点，9:00–12:00。"


@pytest.mark.parametrize("size", [8.5, 9.0])
def test_no_line_is_wider_than_its_width_and_none_starts_with_a_closing_mark(size):
    font = sheet.cjk_font()
    for chars in range(3, 16):
        width = text_width("保" * chars, font, size) + 0.01
        for text in _texts():
            lines = wrap_lines(text, width, font, size)
            assert "".join(lines).replace(" ", "") == text.replace(" ", ""), (chars, lines)
            for i, line in enumerate(lines):
                assert text_width(line, font, size) <= width, (chars, line)
                # Kinsoku kept: a mark starts a line only after a line with nothing that
                # could go down with it (a narrow cell filled by one word, or marks only).
                if i and line[0] in CANNOT_START:
                    before = lines[i - 1]
                    assert len(re.findall(r"[\u4e00-\u9fff]", before)) <= 1 or \
                        all(ch in CANNOT_START for ch in before), (chars, lines)


def test_a_mark_that_does_not_fit_takes_the_character_before_it_down():
    font = sheet.cjk_font()
    width = text_width("购车 11.0 年", font, 9) + 0.01
    assert wrap_lines("购车 11.0 年：可介绍", width, font, 9) == ["购车 11.0", "年：可介绍"]
    width = text_width("话" * 5, font, 9) + 0.01
    # Two marks together go down with the character before them.
    assert wrap_lines("话话话话话。」说", width, font, 9) == ["话话话话", "话。」说"]


@pytest.mark.parametrize("text", ["10–11点", "9:00–12:00", "3点半至5点", "10点", "8~9点"])
def test_a_time_or_time_range_is_never_split(text):
    font = sheet.cjk_font()
    for before in ("", "工作日", "客户说工作日"):
        full = before + text + "可以"
        for chars in range(len(text), len(full) + 1):
            width = text_width("保" * chars, font, 9)
            if text_width(text, font, 9) > width:
                continue
            lines = wrap_lines(full, width, font, 9)
            assert any(text in line for line in lines), (full, lines)


def test_a_seven_or_eight_digit_km_fits_its_column():
    st = sheet._Styles()
    room = sheet.WIDTHS[5] - 2 * sheet.PAD
    for km in (86_000, 1_290_791, 12_345_678):
        cell = sheet._member_row(member(1, km=km, years_owned=11.0), st).cells[5]
        assert cell[0] == "11.0年" and f"{km:,}" in cell[1]
        assert "".join(cell[1:]).replace(" ", "") == f"{km:,}公里"
        assert all(text_width(line, st.font, sheet.BODY_PT) <= room for line in cell), cell


@needs_poppler
def test_the_exclusions_appendix_is_legible_and_stays_in_its_columns(tmp_path):
    excluded = tuple(Excluded(name, "dnc", "勿扰", "电话勿扰：客户明确表示不接受销售电话，" * 6,
                              f"C{i:05d}", "13900000000")
                     for i, name in enumerate(("张三", "欧阳娜娜娜娜娜娜娜娜", "=SUM(1)", "")))
    d = dataclasses.replace(doc(2), excluded=excluded)
    path = sheet.write_call_sheet(d, tmp_path / "c.pdf")
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    last = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    words = word_boxes(path, last)
    head = next(y for _, y, _, _, w in words if w == "排除原因")
    body = [w for w in words if head + 10 < w[1] < 595 - 40]
    assert body and min(y1 - y0 for _, y0, _, y1, _ in body) >= 8.4
    edges = [sheet.MARGIN]
    for w in sheet.APPENDIX_WIDTHS:
        edges.append(edges[-1] + w)
    for x0, _, x1, _, w in body:
        inside = [i for i in range(len(edges) - 1) if edges[i] <= x0 < edges[i + 1]]
        assert inside and x1 <= edges[inside[0] + 1] - sheet.PAD + 0.01, w
    said = "".join(w for *_, w in body)
    assert "=SUM(1)" in said and "欧阳娜娜" in said and "客户明确表示" in said


@needs_poppler
def test_on_the_page_image_no_ink_is_in_a_cells_side_padding(tmp_path):
    """The page drawn at 288 dpi: in the 2 pt padding beside every column border of the member
    rows there is no ink but the grid's own rules, so no text reaches a border."""
    from PIL import Image

    path = sheet.write_call_sheet(punctuated_doc(), tmp_path / "c.pdf")
    subprocess.run(["pdftoppm", "-r", "288", "-gray", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    px = image.load()
    scale = 4  # pixels per point
    top = round((sheet.FRAME_TOP + 1) * scale)
    words = word_boxes(path)
    bottom = round(max(y1 for _, y0, _, y1, w in words if y0 < 595 - 40) * scale)
    assert bottom - top > 300
    edges = [sheet.MARGIN + e for e in sheet.EDGES]
    strips = []
    for i, edge in enumerate(edges):
        if i:  # the right padding of the column left of the border
            strips.append((edge - sheet.PAD + 0.6, edge - 0.6))
        if i < len(edges) - 1:
            strips.append((edge + 0.6, edge + sheet.PAD - 0.6))
    inked = []
    for x0, x1 in strips:
        xs = range(round(x0 * scale), round(x1 * scale) + 1)
        for y in range(top, bottom):
            row = [px[x, y] for x in xs]
            if min(row) < 128 and max(row) - min(row) > 40:  # ink, not a rule across
                inked.append((x0, y / scale))
    assert not inked, inked[:5]
