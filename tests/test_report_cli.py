"""`report weekly|effect|dashboard --from --to [--staff] --out` through main.py on a real SQLite
file: the PDF read back by poppler (Chinese text, embedded fonts only), the Excel by openpyxl and
pandas against the services' own numbers, and mistakes as one line without a traceback."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from services.demo import generator as demo
from services.reports import dashboard, kpi
from services.store.database import open_database

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)
START, END = "2026-11-16", "2026-11-22"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report-cli") / "demo.sqlite3"
    db = open_database(f"sqlite:///{path}")
    demo.generate(db, 150, seed=7, today=TODAY)
    db.dispose()
    return path


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REVISIT_DB", "REVISIT_USER", "REVISIT_PASSWORD")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{db}",
                           "report", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300, encoding="utf-8")
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_weekly_excel_has_the_service_numbers(demo_file, tmp_path):
    out = tmp_path / "weekly.xlsx"
    proc = run(demo_file, "weekly", "--from", START, "--to", END, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout
    assert not list(tmp_path.glob("*.part"))  # written under a temporary name, then renamed
    db = open_database(f"sqlite:///{demo_file}")
    d = dashboard.dashboard(db.sessions, dt.date.fromisoformat(START), dt.date.fromisoformat(END))
    rows = kpi.kpi(db.sessions, dt.date.fromisoformat(START), dt.date.fromisoformat(END))
    db.dispose()
    book = openpyxl.load_workbook(out)
    assert {"概览", "九宫格", "RFM", "每周联系", "月度趋势", "联系结果", "员工", "投诉", "流失预警",
            "同意与勿扰", "目标", "联系效果"} <= set(book.sheetnames)
    summary = pd.read_excel(out, sheet_name="概览", header=2, engine="openpyxl")
    values = dict(zip(summary["指标"], summary["数值"], strict=True))
    assert values["联系次数"] == d.contacts and values["接通率"] == pytest.approx(d.reach_rate)
    assert book["概览"]["B7"].number_format == "0.0%"  # the reach rate: a number shown as %
    matrix = pd.read_excel(out, sheet_name="九宫格", header=2, engine="openpyxl")
    assert matrix["现在"].tolist() == [f.value for f in d.matrix]
    assert matrix["上月"].tolist() == [f.previous for f in d.matrix]
    staff = pd.read_excel(out, sheet_name="员工", header=2, engine="openpyxl")
    assert staff["联系次数"].sum() == d.contacts
    targets = pd.read_excel(out, sheet_name="目标", header=2, engine="openpyxl")
    assert targets["尝试次数"].tolist() == [r.attempts for r in rows]


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_one_person_pdf_is_chinese_with_embedded_fonts(demo_file, tmp_path):
    out = tmp_path / "chenli.pdf"
    proc = run(demo_file, "dashboard", "--from", START, "--to", END, "--staff", "chenli",
               "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                          text=True).stdout
    assert "仪表盘 · 陈丽" in text and "换车九宫格" in text
    assert re.search(r"第\s*1\s*页", text)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), fonts  # emb column


def test_effect_report_and_mistakes(demo_file, tmp_path):
    out = tmp_path / "effect.xlsx"
    proc = run(demo_file, "effect", "--from", START, "--to", END, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert openpyxl.load_workbook(out).sheetnames == ["联系效果"]
    for args, fragment in (
        (("weekly", "--out", str(tmp_path / "x.docx")), ".pdf or .xlsx"),
        (("weekly", "--staff", "nobody", "--out", str(tmp_path / "x.pdf")), "nobody"),
        (("weekly", "--from", END, "--to", START, "--out", str(tmp_path / "x.pdf")),
         "before it starts"),
    ):
        proc = run(demo_file, *args)
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], proc.stderr
    assert not list(tmp_path.glob("x.*"))
