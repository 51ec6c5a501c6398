"""The condensed brief of many customers at once, on SQLite and PostgreSQL: each item the same
as the full brief of each customer says on the same day (demo customers, and one customer with
an open complaint, a falling satisfaction and an intent), and on the call sheet read back with
pdftotext: the stored facts, the open complaint in red, nothing printed empty."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Customer
from services.customers import brief_batch
from services.customers.brief import load_brief
from services.demo import generator as demo
from services.outputs import pdf_call_sheet
from services.outputs.types import ListDocument, ListMember
from tests.services.test_brief import AS_OF, _customer

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")
DEMO_TODAY = dt.date(2026, 11, 23)


def _same_as_the_full_brief(database, customer_id: int, got: brief_batch.CondensedBrief,
                            as_of: dt.date) -> None:
    b = load_brief(database.sessions, customer_id, as_of)
    trends = {t.attribute: t for t in b.trends}
    assert got.last_spend == b.last_spend, customer_id
    assert got.satisfaction == (b.last_survey.overall if b.last_survey else None)
    assert got.satisfaction_before == (b.survey_trend[-2] if len(b.survey_trend) > 1 else None)
    assert got.open_complaints == len(b.open_complaints)
    assert (got.intent_strength, got.intent_window) == (
        (b.intent.strength, b.intent.window) if b.intent else (None, None))
    economy = trends.get("economic_band")
    assert got.economy == (economy.direction if economy and economy.direction in ("up", "down")
                           else None)
    assert got.family_changed == any(trends[a].direction != "same"
                                     for a in ("marital_status", "household") if a in trends)
    assert got.work_changed == any(trends[a].direction != "same"
                                   for a in ("occupation", "employment") if a in trends)
    s = b.suggestion
    assert (got.rule, got.purpose) == ((s.rule, s.purpose) if s else (None, None)), customer_id


def test_every_demo_customer_condensed_as_their_full_brief(database):
    demo.generate(database, 60, seed=11, today=DEMO_TODAY)
    with database.sessions() as s:
        ids = s.scalars(select(Customer.id).order_by(Customer.id)).all()
    for as_of in (DEMO_TODAY, dt.date(2025, 6, 1)):
        got = brief_batch.condensed_briefs(database.sessions, ids, as_of)
        assert sorted(got) == sorted(ids)
        for cid in ids:
            _same_as_the_full_brief(database, cid, got[cid], as_of)
    # Spread across the chunks of the IN lists, and a customer not stored is left out.
    many = brief_batch.condensed_briefs(database.sessions, [*ids, 10**9], DEMO_TODAY)
    assert sorted(many) == sorted(ids)


def test_one_customer_condensed(database, monkeypatch):
    cid = _customer(database)
    monkeypatch.setattr(brief_batch, "CHUNK", 1)  # each customer in a chunk of its own
    with database.sessions.begin() as s:
        s.add(Customer(code="B2", name="王小明"))  # no car, no spend, no survey
    with database.sessions() as s:
        other = s.scalar(select(Customer.id).where(Customer.code == "B2"))
    got = brief_batch.condensed_briefs(database.sessions, [cid, other], AS_OF)
    b = got[cid]
    assert (b.last_spend.date, b.last_spend.amount, b.last_spend.kind) == (
        dt.date(2026, 8, 8), Decimal("4200"), "insurance")
    assert (b.satisfaction_before, b.satisfaction, b.satisfaction_trend) == (9, 5, "down")
    assert b.open_complaints == 1 and b.purpose == "care"  # an open complaint: care first
    assert (b.intent_strength, b.intent_window) == ("strong", "1m")
    assert (b.economy, b.family_changed, b.work_changed) == ("up", True, False)
    empty = got[other]
    assert (empty.last_spend, empty.satisfaction, empty.open_complaints) == (None, None, 0)
    for cid_ in (cid, other):
        _same_as_the_full_brief(database, cid_, got[cid_], AS_OF)


def _member(code: str, customer_code: str, name: str) -> ListMember:
    return ListMember(row_code=code, name=name, caller="陈丽", customer_code=customer_code,
                      mobile="13800138080", brand="丰田", model="凯美瑞", best_time="工作日 上午",
                      talking_points="问候用车情况")


@needs_poppler
def test_the_call_sheet_prints_the_condensed_brief(database, tmp_path):
    _customer(database)
    with database.sessions.begin() as s:
        s.add(Customer(code="B2", name="王小明"))
    doc = ListDocument("回访名单", "老车主", None, AS_OF, dt.datetime(2026, 11, 23, 9, 0), "关怀",
                       (_member("1-0001", "B1", "李敏英"), _member("1-0002", "B2", "王小明")))
    briefs = brief_batch.sheet_briefs(database.sessions, doc)
    assert set(briefs) == {"1-0001", "1-0002"}
    path = pdf_call_sheet.write_call_sheet(doc, tmp_path / "c.pdf", briefs)
    flat = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout.replace(" ", "")
    # The stored facts of 李敏英 on the day, as printed.
    for words in ("建议：关怀", "未结投诉1件", "满意度9→5分↓", "上次消费2026-08-08¥4,200保险",
                  "意向强一个月内", "购车后经济↑家庭有变"):
        assert words in flat, words
    # 王小明 has nothing stored: said plainly, nothing printed empty.
    assert "无消费记录" in flat and "无满意度调查" in flat
    assert "None" not in flat and "（）" not in flat and "()" not in flat
    # The open complaint (and the low score) in red, the spend in black: the pixels inside each
    # phrase's box on the page rendered at 100 dpi.
    assert _colour_of(path, "未结投诉", tmp_path) == "red"
    assert _colour_of(path, "满意度", tmp_path) == "red"  # 5 of 10: low
    assert _colour_of(path, "上次消费", tmp_path) == "black"
    without = pdf_call_sheet.write_call_sheet(doc, tmp_path / "plain.pdf")
    plain = subprocess.run(["pdftotext", "-raw", str(without), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "建议" not in plain and "未结投诉" not in plain


@needs_poppler
def test_a_stored_run_prints_its_members_briefs_on_its_day(database, tmp_path):
    """Through the run's own member rows, on the run's evaluation date."""
    from services.lists import build, runs
    from services.segments import service as segments

    demo.generate(database, 60, seed=11, today=DEMO_TODAY)
    segments.save_segment(database.sessions, "全部", {"version": 1}, purpose="care")
    as_of = dt.date(2026, 10, 1)
    summary = build.build_run(database.sessions, "全部",
                              build.RunOptions(channel="call", as_of=as_of, purpose="care"))
    doc = runs.load_document(database.sessions, summary.run_id)
    calls = doc.of_channel("call")
    assert calls
    briefs = brief_batch.sheet_briefs(database.sessions, doc)
    assert set(briefs) == {m.row_code for m in calls}
    with database.sessions() as s:
        ids = dict(s.execute(select(Customer.code, Customer.id)).all())
    for m in calls[:10]:
        assert briefs[m.row_code].as_of == as_of
        _same_as_the_full_brief(database, ids[m.customer_code], briefs[m.row_code], as_of)
    small = dataclasses.replace(doc, members=calls[:6], excluded=())
    path = pdf_call_sheet.write_call_sheet(small, tmp_path / "run.pdf", briefs)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout.replace(" ", "")
    for m in calls[:6]:
        b = briefs[m.row_code]
        if b.last_spend is not None:
            assert f"上次消费{b.last_spend.date.isoformat()}" in text
        else:
            assert "无消费记录" in text


@needs_poppler
def test_the_run_file_writer_puts_briefs_on_the_call_sheet_and_only_there(database, tmp_path):
    """What `list build` and the window's save and preview call: with a database the call sheet
    carries the briefs; a preview reads them without recording an export."""
    from models import AuditLog
    from services.lists import build, runs
    from services.outputs import run_files
    from services.segments import service as segments
    from services.store.settings import Settings

    demo.generate(database, 40, seed=5, today=DEMO_TODAY)
    segments.save_segment(database.sessions, "全部", {"version": 1}, purpose="care")
    summary = build.build_run(database.sessions, "全部",
                              build.RunOptions(channel="call", as_of=DEMO_TODAY, purpose="care"))
    doc = runs.load_document(database.sessions, summary.run_id)
    briefs = brief_batch.sheet_briefs(database.sessions, doc)
    sheet = run_files.FileRequest(run_files.CALL_SHEET, tmp_path / "s.pdf", "pdf")

    def text_of(path) -> str:
        return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout.replace(" ", "")

    def audits() -> int:
        with database.sessions() as s:
            return s.query(AuditLog).count()

    before = audits()
    saved = text_of(run_files.write_run_file(doc, sheet, Settings(), None,
                                             sessions=database.sessions).path)
    assert audits() == before + 1
    spends = [b.last_spend for b in briefs.values() if b.last_spend is not None]
    assert spends and all(f"上次消费{sp.date.isoformat()}" in saved for sp in spends)
    assert saved.count("建议：") == sum(1 for b in briefs.values() if b.purpose)
    preview = run_files.FileRequest(run_files.CALL_SHEET, tmp_path / "p.pdf", "pdf")
    printed = text_of(run_files.write_run_file(doc, preview, Settings(), None,
                                               briefs_from=database.sessions,
                                               for_printing=True).path)
    assert audits() == before + 1
    assert printed.count("建议：") == saved.count("建议：")
    # Without a database the sheet is as before: no briefs.
    bare = run_files.FileRequest(run_files.CALL_SHEET, tmp_path / "b.pdf", "pdf")
    assert "上次消费" not in text_of(run_files.write_run_file(doc, bare, Settings(), None).path)


def _colour_of(pdf, word: str, tmp_path) -> str:
    """"red" or "black": the ink of the first word starting with `word` on page 1."""
    from PIL import Image

    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    found = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                      r'yMax="([\d.]+)">' + word, boxes)
    assert found, word
    subprocess.run(["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", str(pdf),
                    str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    scale = 100 / 72
    x0, y0, x1, y1 = (float(v) * scale for v in found.groups())
    inks = [image.getpixel((x, y)) for x in range(int(x0), int(x1) + 1)
            for y in range(int(y0), int(y1) + 1)]
    dark = [p for p in inks if sum(p) < 500]
    assert dark, word
    reddish = sum(1 for r, g, b in dark if r > g + 60 and r > b + 60)
    return "red" if reddish > len(dark) / 2 else "black"
