"""Every channel's Excel and CSV list written with the text real customers bring (a rare
character beyond the basic plane, emoji, names that look like formulas, empty fields) and read
back by two independent readers, openpyxl and pandas (calamine): each value exactly as typed,
no cell a formula, formula-looking text marked with Excel's quote prefix instead of a visible
apostrophe; the CSV lists keep their guarding apostrophe, which `unsafe_text` removes again."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

from services.outputs import excel
from services.outputs.types import ListDocument
from tests.services.test_outputs_files import doc

ODD = (
    dict(name="𠮷田太郎", salutation="𠮷先生", street="光明西路1号😀", model="凯美瑞"),
    dict(name="王😀", salutation="王女士", model=None, brand=None),
    dict(name="=SUM(1)", salutation="=先生", street="=HYPERLINK(\"http://x\",\"y\")"),
    dict(name="+8613800138080", salutation="+先生", plate="@x"),
    dict(name="-2+3", salutation="-女士", last_feedback="@所有人 ❤️ 很满意"),
)
CHANNELS = ("call", "mail", "sms", "visit")


def odd_doc(channel: str) -> ListDocument:
    base = doc(len(ODD), channel)
    members = tuple(dataclasses.replace(m, **kw)
                    for m, kw in zip(base.members, ODD, strict=True))
    return dataclasses.replace(base, members=members)


def _typed(d: ListDocument, channel: str) -> list[list[object]]:
    """What each row's text columns hold as typed (None where a member has no value)."""
    columns = [c for c in excel.COLUMNS_BY_CHANNEL[channel] if c.kind == "text"]
    return [[c.get(m) if c.get(m) != "" else None for c in columns]
            for m in d.of_channel(channel)]


@pytest.mark.parametrize("channel", CHANNELS)
def test_excel_lists_hold_what_was_typed(tmp_path, channel):
    d = odd_doc(channel)
    path = excel.write_list(d, channel, tmp_path / f"{channel}.xlsx")
    columns = excel.COLUMNS_BY_CHANNEL[channel]
    text_at = [i for i, c in enumerate(columns) if c.kind == "text"]
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(ODD)
    got = [[row[i].value for i in text_at] for row in rows]
    assert got == _typed(d, channel)
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # never a formula
            if isinstance(cell.value, str):
                looks = cell.value.startswith(("=", "+", "-", "@"))
                assert bool(cell.quotePrefix) == looks, (cell.coordinate, cell.value)
    # calamine: a reader that shares no code with openpyxl.
    frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
    headers = [columns[i].header for i in text_at]
    want = [["" if v is None else v for v in r] for r in _typed(d, channel)]
    assert list(frame.columns[text_at]) == headers
    assert frame.iloc[:, text_at].values.tolist() == want


@pytest.mark.parametrize("channel", CHANNELS)
def test_csv_lists_guard_formulas_and_keep_every_character(tmp_path, channel):
    d = odd_doc(channel)
    path = excel.write_list(d, channel, tmp_path / f"{channel}.csv", fmt="csv")
    columns = excel.COLUMNS_BY_CHANNEL[channel]
    text_at = [i for i, c in enumerate(columns) if c.kind == "text"]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    got = [[row[i] for i in text_at] for row in rows]
    for line in got:
        for value in line:
            assert not value.startswith(("=", "+", "-", "@")), value  # guarded
    typed = [["" if v is None else v for v in r] for r in _typed(d, channel)]
    assert [[excel.unsafe_text(v) for v in line] for line in got] == typed
    assert any("𠮷" in v for line in got for v in line)
    assert any("😀" in v for line in got for v in line)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_what_was_typed(tmp_path):
    """LibreOffice (as WPS and Excel) honours the quote prefix: its own CSV export of the list
    shows every name as typed, with no apostrophe and nothing evaluated."""
    d = odd_doc("call")
    path = excel.write_list(d, "call", tmp_path / "call.xlsx")
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(out), str(path)], check=True, capture_output=True,
                   timeout=120)
    with open(out / "call.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    columns = excel.COLUMNS_BY_CHANNEL["call"]
    text_at = [i for i, c in enumerate(columns) if c.kind == "text"]
    typed = [["" if v is None else v for v in r] for r in _typed(d, "call")]
    assert [[row[i] for i in text_at] for row in rows] == typed
