"""The SMS estimate before a vendor file is written: the same messages, parts, exclusions and
flags as the file then written (read back), the cost in exact yuan at the price per part in
the settings, and no file made by the estimate itself; for a stored run on SQLite and
PostgreSQL as the CLI asks for it."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest

from services.demo import generator as demo
from services.lists import build, runs
from services.outputs import run_files, sms, sms_preview
from services.segments import service as segments
from services.store.errors import RevisitError
from services.store.settings import Settings, load_settings_versions, save_settings
from tests.services.test_outputs_files import member

SEND = dt.datetime(2026, 11, 24, 10, 0)
TPL = sms.SmsTemplate("尊敬的{称呼}，您的{车型}（{车牌}）该保养了，本周到店享9折。", "【广州丰田】")
PRICE = Decimal("0.045")


def _members():
    """Every case the vendor file treats apart: plain, a repeated number, a landline, a
    missing model (no fallback), an emoji and a rare character, and long messages."""
    return [
        member(1, channel="sms"),
        member(2, channel="sms", mobile="+86 138 0013 0001"),  # same number as 9-0001
        member(3, channel="sms", mobile="02088886666"),  # a landline
        member(4, channel="sms", brand="", model=""),  # 缺少合并字段：车型
        member(5, channel="sms", salutation="🚗陈先生"),
        member(6, channel="sms", salutation="𠮷女士", model="凯美瑞" * 12),
        member(7, channel="sms", model="凯美瑞双擎" * 20),
        member(8, channel="sms", brand="", model="", plate=""),  # lacks 车型 and 车牌
        *(member(i, channel="sms") for i in range(9, 15)),
    ]


def _file_rows(path) -> tuple[list[tuple], list[tuple]]:
    """(numbers sheet, preview sheet) rows without their headers, as the vendor reads them."""
    book = openpyxl.load_workbook(path)  # not read-only: it drops empty trailing cells
    sheets = [list(ws.iter_rows(values_only=True)) for ws in book.worksheets]
    return sheets[0][1:], sheets[1][1:]


def test_the_estimate_is_what_the_file_then_holds(tmp_path):
    ms = _members()
    estimate = sms_preview.estimate(ms, TPL, PRICE, first=4)
    assert list(tmp_path.iterdir()) == []  # counting writes nothing

    out = sms.write_sms_file(ms, TPL, tmp_path / "s.xlsx", vendor="aliyun", send_at=SEND)
    numbers, preview = _file_rows(out.path)
    header = [c.value for c in openpyxl.load_workbook(out.path).worksheets[1][1]]
    col = {name: header.index(name) for name in ("编号", "短信内容", "字数", "条数", "注意")}
    assert estimate.members == len(ms)
    assert estimate.messages == len(numbers) == len(preview) == 10
    assert estimate.parts == sum(r[col["条数"]] for r in preview) == out.total_parts
    assert estimate.skipped == out.skipped
    assert (estimate.same_number, estimate.invalid_mobiles, estimate.missing_fields) == (1, 1, 2)
    assert estimate.left_out == 4
    assert estimate.missing_by_field == (("车型", 2), ("车牌", 1))
    # The first messages exactly as the file has them, each with its units and parts.
    assert [(m.row_code, m.message, m.length, m.parts) for m in estimate.first] == [
        (r[col["编号"]], r[col["短信内容"]], r[col["字数"]], r[col["条数"]])
        for r in preview[:4]]
    assert [m.mobile for m in estimate.first][0] == "138****0001"  # masked in the preview
    # Flagged: the emoji and the rare character, counted as two units each.
    flagged_rows = [r for r in preview if r[col["注意"]]]
    assert estimate.flagged_messages == len(flagged_rows) == 2
    assert estimate.flagged_chars == "🚗𠮷"
    assert [m.flagged for m in estimate.first if m.flagged] == ["🚗", "𠮷"]
    emoji = next(m for m in estimate.first if m.flagged == "🚗")
    assert emoji.length == len(emoji.message) + 1
    # Parts per message add up, the longest message is the file's.
    assert sum(n for _, n in estimate.by_parts) == estimate.messages
    assert sum(p * n for p, n in estimate.by_parts) == estimate.parts
    assert {p for p, _ in estimate.by_parts} == {1, 2, 3}
    assert estimate.longest == max(r[col["字数"]] for r in preview)
    assert estimate.too_long == 0
    assert (estimate.parts, estimate.cost) == (13, Decimal("0.59"))  # 0.585, half up


def test_the_cost_is_exact_decimal_yuan_rounded_to_the_fen():
    ms = [member(i, channel="sms") for i in range(1, 4)]  # three one-part messages
    estimate = sms_preview.estimate(ms, TPL, Decimal("0.045"))
    assert estimate.parts == 3
    assert estimate.cost == Decimal("0.14")  # 0.135 rounds half up, never 0.13 by a float
    assert isinstance(estimate.cost, Decimal)
    data = estimate.to_data()
    assert (data["cost"], data["price_per_part"], data["parts"]) == ("0.14", "0.045", 3)
    assert sms_preview.estimate(ms, TPL, Decimal("0")).cost == Decimal("0.00")
    many = [member(i, channel="sms", mobile=f"1391234{i:04d}") for i in range(1, 1001)]
    assert sms_preview.estimate(many, TPL, Decimal("0.0333")).cost == Decimal("33.30")


def test_a_message_over_the_limit_is_counted_and_the_writer_refuses_it(tmp_path):
    long = member(1, channel="sms", model="很长的车型名称" * 80)
    estimate = sms_preview.estimate([long, member(2, channel="sms")], TPL, PRICE)
    assert estimate.too_long == 1 and estimate.longest > sms.MAX_LENGTH
    assert any("cannot be written" in line for line in sms_preview.as_text(estimate))
    with pytest.raises(RevisitError, match="limit is 500"):
        sms.write_sms_file([long], TPL, tmp_path / "x.xlsx", send_at=SEND)


def test_a_bad_template_is_refused_as_the_writer_refuses_it():
    with pytest.raises(RevisitError, match="生日快乐"):
        sms_preview.estimate([member(1, channel="sms")],
                             sms.SmsTemplate("{姓名}您好，{生日快乐}", "【广州丰田】"), PRICE)
    with pytest.raises(RevisitError, match="signature"):
        sms_preview.estimate([member(1, channel="sms")], sms.SmsTemplate("您好", "广州丰田"),
                             PRICE)


def test_the_text_for_the_terminal_names_every_figure():
    estimate = sms_preview.estimate(_members(), TPL, PRICE, first=2)
    lines = sms_preview.as_text(estimate)
    # "what: how many", never "1 messages".
    assert lines[0] == (f"SMS preview — messages: 10, billed parts: {estimate.parts}, about "
                        f"¥{estimate.cost} at ¥0.045 a part (SMS members: 14)")
    text = "\n".join(lines)
    assert "left out: 4 — 缺少合并字段 ×2 ({车型} ×2, {车牌} ×1); not a mainland mobile ×1; " \
           "same number as another member ×1" in text
    # The members left out for a missing merge field, by row code and name.
    assert "    缺少合并字段 车型：9-0004 陈国4、9-0008 陈国8\n" in text + "\n"
    assert "    缺少合并字段 车牌：9-0008 陈国8\n" in text + "\n"
    assert "messages with characters a vendor may reject or send as '?': 2 (🚗 𠮷)" in text
    assert estimate.first[0].message in text and estimate.first[1].message in text
    assert not any(re.search(r"\b1 (messages|parts)\b", line) for line in lines)


def test_one_message_is_counted_without_plural_trouble():
    estimate = sms_preview.estimate([member(1, channel="sms")], TPL, PRICE)
    lines = sms_preview.as_text(estimate)
    assert lines[0].startswith("SMS preview — messages: 1, billed parts: 1, about ¥0.05")
    assert lines[1] == f"  messages by parts: 1 ×1; longest: {estimate.longest} characters"
    assert not any(re.search(r"\b1 (messages|parts)\b", line) for line in lines)


def test_the_members_lacking_a_field_are_named_ten_then_counted():
    ms = [member(i, channel="sms", brand="", model="") for i in range(1, 14)]
    estimate = sms_preview.estimate(ms, TPL, PRICE)
    (lacking,) = estimate.lacking
    assert (lacking.field, lacking.count, lacking.more) == ("车型", 13, 3)
    assert lacking.named == tuple(f"9-{i:04d} 陈国{i}" for i in range(1, 11))
    assert lacking.as_text().endswith("9-0010 陈国10 … and 3 more")
    assert estimate.to_data()["missing_named"]["车型"][0] == "9-0001 陈国1"


@pytest.mark.parametrize("mark", ["❤️", "✅", "⭐", "✨", "☎", "1️⃣", "👍🏻", "👨‍👩‍👧"])
def test_emoji_of_the_basic_plane_and_their_invisible_marks_are_flagged(tmp_path, mark):
    ms = [member(1, channel="sms")]
    tpl = sms.SmsTemplate(f"{{称呼}}您好{mark}，本周到店享9折。", "【广州丰田】")
    estimate = sms_preview.estimate(ms, tpl, PRICE)
    flagged = estimate.first[0].flagged
    assert flagged and set(flagged) <= set(mark)
    assert set(flagged) >= {c for c in mark if c in sms.EMOJI_MARKS}
    out = sms.write_sms_file(ms, tpl, tmp_path / "s.xlsx", vendor="aliyun", send_at=SEND)
    _, preview = _file_rows(out.path)
    note = preview[0][-1]
    assert note.startswith("含平台可能拒发的字符：")
    # Invisible marks are named by code, so staff can see what is there.
    for c, code in sms.EMOJI_MARKS.items():
        assert (code in note) == (c in mark) and c not in note


def test_the_warning_names_an_invisible_variation_selector():
    tpl = sms.SmsTemplate("{称呼}您好❤️", "【广州丰田】")
    estimate = sms_preview.estimate([member(1, channel="sms")], tpl, PRICE)
    assert estimate.flagged_chars == "❤\ufe0f"
    assert "(❤ U+FE0F)" in "\n".join(sms_preview.as_text(estimate))
    assert estimate.first[0].length == sms.sms_length(estimate.first[0].message)


def test_symbols_chinese_texts_have_always_used_are_not_flagged():
    tpl = sms.SmsTemplate("★{称呼}您好★ 今日30℃，№1 车间 ■ 保养9折※", "【广州丰田】")
    estimate = sms_preview.estimate([member(1, channel="sms")], tpl, PRICE)
    assert estimate.flagged_messages == 0 and estimate.first[0].flagged == ""


def _csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("vendor", ["generic", "aliyun"])
def test_a_vendor_csv_holds_what_is_sent_without_the_formula_guard(tmp_path, vendor):
    evil = member(1, channel="sms", name="=SUM(1)", salutation="=先生")
    tpl = sms.SmsTemplate("{称呼}您好，{姓名}", "【广州丰田】")
    estimate = sms_preview.estimate([evil], tpl, PRICE)
    out = sms.write_sms_file([evil], tpl, tmp_path / "s.csv", vendor=vendor, fmt="csv",
                             send_at=SEND)
    head, row = _csv_rows(out.path)
    got = dict(zip(head, row, strict=True))
    side_head, side_row = _csv_rows(tmp_path / "s-preview.csv")
    side = dict(zip(side_head, side_row, strict=True))
    assert side["姓名"] == "'=SUM(1)"  # staff open this one, of any layout: still guarded
    if vendor == "aliyun":  # the variables the vendor puts into its registered template
        assert (got["title"], got["name"]) == ("=先生", "=SUM(1)")
        got = side
    else:
        assert got["姓名"] == "=SUM(1)"
        assert side["短信内容"] == got["短信内容"]
    # The message as sent, and its length is the length of what the file holds.
    assert got["短信内容"] == estimate.first[0].message == "【广州丰田】=先生您好，=SUM(1)，回T退订"
    assert int(got["字数"]) == sms.sms_length(got["短信内容"]) == estimate.first[0].length


def test_the_apps_own_csv_list_keeps_the_formula_guard(tmp_path):
    from services.outputs import excel
    from tests.services.test_outputs_files import doc

    d = doc(2, "sms")
    d = dataclasses.replace(d, members=(member(1, channel="sms", name="=SUM(1)"),
                                        *d.members[1:]))
    path = excel.write_list(d, "sms", tmp_path / "list.csv", "csv")
    head, *rows = _csv_rows(path)
    assert "'=SUM(1)" in [r[head.index("姓名")] for r in rows]


@pytest.fixture
def sms_run(database):
    """A stored run of 150 demo customers' SMS members (all sent by SMS)."""
    demo.generate(database, 150, seed=7, today=dt.date(2026, 11, 23))
    segments.save_segment(database.sessions, "5年以上车主", {
        "version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 5}},
        purpose="care")
    options = build.RunOptions(channel="sms", as_of=dt.date(2026, 11, 23))
    return build.build_run(database.sessions, "5年以上车主", options).run_id


def test_a_stored_run_is_estimated_with_the_shared_price_and_matches_its_file(
        database, supervisor, sms_run, tmp_path):
    text = "{称呼}您好，您的{车型|爱车}已到保养时间，欢迎预约到店。"
    loaded = load_settings_versions(database.sessions)
    save_settings(database.sessions, dataclasses.replace(
        loaded.settings, sms_price_per_part=Decimal("0.038"), sms_vendor="aliyun"),
        supervisor, loaded)
    estimate = sms_preview.estimate_run(database.sessions, sms_run, text, first=3)
    doc = runs.load_document(database.sessions, sms_run)
    assert estimate.members == len(doc.of_channel("sms")) > 10
    assert estimate.price_per_part == Decimal("0.038")
    assert len(estimate.first) == 3

    written = run_files.write_run_file(
        doc, run_files.FileRequest(run_files.SMS_FILE, tmp_path / "s.xlsx", sms_text=text,
                                   send_at=SEND), load_settings_versions(
            database.sessions).settings, supervisor)
    numbers, preview = _file_rows(written.path)
    assert estimate.messages == written.rows == len(numbers)
    assert estimate.parts == written.sms_parts == sum(r[5] for r in preview)
    assert estimate.skipped == written.skipped
    assert [m.message for m in estimate.first] == [r[3] for r in preview[:3]]
    assert estimate.cost == (Decimal("0.038") * written.sms_parts).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_run_without_sms_members_is_refused_like_the_writer(database, sms_run):
    segments.save_segment(database.sessions, "全部", {
        "version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 0}},
        purpose="care")
    calls = build.build_run(database.sessions, "全部", build.RunOptions(
        channel="call", as_of=dt.date(2026, 11, 23))).run_id
    with pytest.raises(RevisitError, match="to be sent an SMS"):
        sms_preview.estimate_run(database.sessions, calls, "您好")


def test_the_default_price_is_a_decimal_setting():
    assert Settings().sms_price_per_part == Decimal("0.045")
