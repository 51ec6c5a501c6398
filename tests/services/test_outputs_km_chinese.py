"""The Chinese files say 公里 where the window says it: the call sheet's km column (beside the
number, or under it whole when the number is long, never split 公 / 里), its talking points,
and the Excel call list's km header — built and written on SQLite and PostgreSQL, the PDF read
back with pdftotext and the workbook with openpyxl."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import openpyxl
import pytest
from sqlalchemy import select

from models import MileageReading
from services.demo.generator import generate
from services.lists import build, outcomes, runs
from services.outputs import run_files
from services.segments import service as segments
from services.store.settings import load_settings
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it

AS_OF = dt.date(2026, 11, 23)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")


@needs_poppler
def test_the_call_sheet_and_call_list_say_gongli(database, tmp_path):
    generate(database, 150, seed=7, today=AS_OF)
    segments.save_segment(database.sessions, "全部", {"version": 1}, purpose="care")
    run_id = build.build_run(database.sessions, "全部", build.RunOptions(
        channel="call", staff=("chenli",), as_of=AS_OF)).run_id
    doc = runs.load_document(database.sessions, run_id)
    st = load_settings(database.sessions)
    calls = doc.of_channel("call")
    long_km = [m for m in calls if m.km is not None and m.km >= 100_000]
    short_km = [m for m in calls if m.km is not None and m.km < 100_000]
    assert long_km and short_km  # both ways of printing it are printed
    pdf, xlsx = tmp_path / "calls.pdf", tmp_path / "calls.xlsx"
    for request in (run_files.FileRequest(run_files.CALL_SHEET, pdf),
                    run_files.FileRequest(run_files.CALL_LIST, xlsx)):
        run_files.write_run_file(doc, request, st)
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert "km" not in raw
    lines = raw.splitlines()
    for m in short_km:
        assert f"{m.km:,}公里" in lines
    for m in long_km:  # the number alone, 公里 on the line under it
        at = lines.index(f"{m.km:,}")
        assert lines[at + 1] == "公里"
    assert not re.search(r"公\n里", raw)
    points = [m.talking_points for m in calls if "估算里程" in (m.talking_points or "")]
    assert points and all(re.search(r"估算里程约 [\d,]+ 公里：提醒大保养", p) for p in points)
    header = next(openpyxl.load_workbook(xlsx, read_only=True).active
                  .iter_rows(values_only=True))
    assert "里程(公里)" in header and "里程(km)" not in header


def test_a_call_list_headed_the_old_way_still_comes_back_with_its_km(listed):
    """Lists printed before the column said 公里 head it 当前里程(km): filled in, their km is
    read back as the new column's is."""
    database, path, col = listed
    assert "当前里程(公里)" in col and "当前里程(km)" not in col
    book = openpyxl.load_workbook(path)
    book.active.cell(1, col["当前里程(公里)"]).value = "当前里程(km)"
    book.save(path)
    old = {**{h: c for h, c in col.items() if h != "当前里程(公里)"},
           "当前里程(km)": col["当前里程(公里)"]}
    _fill(path, old, {(2, "结果"): "接通", (2, "当前里程(km)"): "32,000公里",
                      (3, "结果"): "无人接听", (3, "当前里程(km)"): 45000})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (report.stored, report.problems) == (2, ())
    with database.sessions() as s:
        read = sorted(s.scalars(select(MileageReading.km).where(
            MileageReading.source == "call")))
    assert read == [32000, 45000]
