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
    # Each sheet's table from row 3; its notes stand under it, after an empty row.
    def table(name: str) -> pd.DataFrame:
        frame = pd.read_excel(out, sheet_name=name, header=2, engine="openpyxl")
        blank = frame.isna().all(axis=1)
        return frame[: blank.idxmax()] if blank.any() else frame

    summary = table("概览")
    values = dict(zip(summary["指标"], summary["数值"], strict=True))
    assert values["联系次数"] == d.contacts and values["接通率"] == pytest.approx(d.reach_rate)
    assert book["概览"]["B7"].number_format == "0.0%"  # the reach rate: a number shown as %
    matrix = table("九宫格")
    assert matrix["现在"].tolist() == [f.value for f in d.matrix]
    assert matrix["上月"].tolist() == [f.previous for f in d.matrix]
    staff = table("员工")
    assert staff["联系次数"].sum() == d.contacts
    targets = table("目标")
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


@pytest.fixture
def decided(database):
    """Three customers with decisions on suggestions in November 2026, and what followed."""
    from decimal import Decimal

    from models import ContactEvent, Customer, ServiceVisit
    from services.customers.suggest_decisions import record_decision

    with database.sessions.begin() as s:
        people = [Customer(code=f"S{i}", name=f"客户{i}") for i in range(3)]
        s.add_all(people)
        s.flush()
        ids = [c.id for c in people]
        s.add(ContactEvent(customer_id=ids[0], contact_at=dt.datetime(2026, 11, 10, 10),
                           channel="phone", purpose="care", outcome="reached"))
        s.add(ServiceVisit(customer_id=ids[1], visit_date=dt.date(2026, 12, 1),
                           visit_type="maintenance", amount=Decimal("500")))
    for cid, action in ((ids[0], "accepted"), (ids[1], "accepted"), (ids[2], "dismissed")):
        record_decision(database.sessions, None, cid, dt.date(2026, 11, 10), "保养到期提醒",
                        "reminder", action)
    return database


def test_suggestions_report_as_json_text_and_file(capsys, decided, tmp_path):
    """On SQLite and PostgreSQL, through main() as typed: the service's figures."""
    import json

    import main
    from services.reports.suggestion_effect import suggestion_effect

    args = ["--db", decided.url, "report", "suggestions", "--from", "2026-11-01",
            "--to", "2026-11-30"]
    want = suggestion_effect(decided.sessions, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert main.main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["start"], data["end"]) == ("2026-11-01", "2026-11-30")
    [rule] = want.rules
    got = data["rules"][0]
    assert got["rule"] == rule.rule == "保养到期提醒"
    for action, outcome in rule.actions:
        shown = got["actions"][action]
        assert shown["customers"] == outcome.customers
        for window, measure, n in outcome.counts:
            assert shown["followed"][f"{measure}_{window}d"] == n
    assert got["actions"]["accepted"]["customers"] == 2
    assert got["actions"]["accepted"]["followed"]["reached_30d"] == 1
    assert got["actions"]["accepted"]["followed"]["came_back_30d"] == 1
    assert main.main(args) == 0
    text = capsys.readouterr().out
    assert "保养到期提醒" in text
    accepted = next(line for line in text.splitlines() if line.strip().startswith("accepted"))
    assert accepted.split()[1] == "2" and "reached 30d 1" in accepted
    out = tmp_path / "suggestions.json"
    assert main.main([*args, "--format", "json", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8")) == data
    assert not list(tmp_path.glob("*.part"))
    # A file ending .json is written as JSON unless told otherwise; one that is neither text
    # nor JSON is refused, nothing written.
    out = tmp_path / "s2.json"
    assert main.main([*args, "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == data
    for name in ("s.xlsx", "s.pdf"):
        assert main.main([*args, "--out", str(tmp_path / name)]) != 0
        assert f"not '{name}'" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_one_end_of_the_period_means_the_rest_of_its_week(demo_file, tmp_path):
    # 2026-11-18 is a Wednesday: its week runs 11-16 to 11-22.
    for args, period in ((("--to", "2026-11-18"), "2026-11-16 至 2026-11-18"),
                         (("--from", "2026-11-18"), "2026-11-18 至 2026-11-22")):
        out = tmp_path / "d.xlsx"
        proc = run(demo_file, "dashboard", *args, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        sheet = openpyxl.load_workbook(out).worksheets[0]
        assert period in str(sheet["A1"].value)


def test_a_file_ending_without_a_name_is_refused(demo_file, tmp_path):
    proc = run(demo_file, "weekly", "--out", str(tmp_path / ".pdf"))
    assert proc.returncode == 2
    assert "is a file ending without a name" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
