"""Every output file opened with an independent reader: pdftotext/pdffonts, openpyxl, csv."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import shutil
import subprocess

import openpyxl
import pytest

from services.outputs import excel, labels, pdf_call_sheet, sms
from services.outputs.types import Excluded, ListDocument, ListMember
from services.outputs.wechat import WechatRow
from services.store.errors import RevisitError
from services.store.settings import Settings

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")


def member(i: int, **kw) -> ListMember:
    base = dict(row_code=f"9-{i:04d}", name=f"陈国{i}", caller="陈丽" if i % 2 else "刘洋",
                customer_code=f"C{i:05d}", salutation="陈先生", mobile=f"1380013{i:04d}",
                province="广东省", city="广州市", district="海珠区", street="光明西路18号202室",
                postcode="510000", brand="丰田", model="凯美瑞", plate="粤A12345",
                purchase_date=dt.date(2018, 5, 1), years_owned=7.6, km=86000,
                last_contact=dt.date(2026, 10, 1), last_outcome="接通",
                last_feedback="客户说最近很忙" + "，下个月再联系" * 8,
                best_time="工作日 下午", talking_points="购车7.6年：可介绍置换" + "；保险到期" * 6)
    base.update(kw)
    return ListMember(**base)


def doc(n: int = 12, channel: str = "call") -> ListDocument:
    ms = tuple(member(i, channel=channel) for i in range(1, n + 1))
    ms = tuple(sorted(ms, key=lambda m: m.caller))
    ex = (Excluded("张三", "dnc", "勿扰", "电话勿扰：客户明确表示不接受销售电话", "C9",
                   "13900000000"),)
    return ListDocument("回访名单", "老车主", 9, dt.date(2026, 11, 23),
                        dt.datetime(2026, 11, 23, 9, 0), "销售", ms, ex)


def text_of(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@needs_poppler
def test_call_sheet_content_fonts_and_pages(tmp_path):
    path = pdf_call_sheet.write_call_sheet(doc(30), tmp_path / "c.pdf")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all(" yes " in line for line in lines), fonts  # every font embedded
    assert "Helvetica" not in fonts
    text = text_of(path)
    pages = text.split("\f")[:-1]
    assert "回访员：陈丽（15 人）" in text and "回访员：刘洋（15 人）" in text
    for page in pages:  # header repeated on every page, and page x of y
        assert "话术要点" in page or "排除原因" in page
    flat = text.replace(" ", "")
    assert f"第1页/共{len(pages)}页" in flat and f"第{len(pages)}页/共{len(pages)}页" in flat
    for word in ("9-0001", "13800130001", "凯美瑞", "粤A12345", "7.6年", "86,000", "接通",
                 "无人接听", "关机", "空号/错号", "拒绝", "预约", "2026年第48周"):
        assert word in text, word
    assert "排除名单" in text and "客户明确表示不接受销售电话" in text
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    starts = [ln for ln in raw.splitlines() if ln and ln[0] in "，：；！？"]
    assert starts == []


# Punctuation at every possible break: a closing mark after every one, two or three
# characters, from a different start in each row, so in some row every line end meets one.
PUNCTUATED = "购车 11.0 年：可介绍置换，保险到期，提醒续保。里程 1,290,791 km：建议大保养，" \
    "好，的，客户说：下个月，再联系。" * 3


def punctuated_doc(n: int = 6) -> ListDocument:
    ms = tuple(member(i, caller="陈丽", km=1_290_791, best_time="工作日 10–11点，周末不限",
                      talking_points="话" * i + PUNCTUATED,
                      last_feedback="很" * (i + 3) + PUNCTUATED[::-1]) for i in range(n))
    return dataclasses.replace(doc(1), members=ms)


def word_boxes(path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path),
                           "-"], capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
        html)]


@needs_poppler
def test_call_sheet_is_legible_and_every_word_stays_in_its_column(tmp_path):
    """Read back with poppler's word boxes: the table's words are at least 8.5 pt tall (the
    body 9 pt), every word inside its cell's padding (none on or across a column border, not
    even a closing mark at a line's end), the notes column at least 45 mm wide, and the km of
    the talking point is the km of the km column, 1,290,791 and its 公里 fitting its column."""
    path = pdf_call_sheet.write_call_sheet(punctuated_doc(), tmp_path / "c.pdf")
    words = word_boxes(path)
    to_pt = 72 / 25.4
    pad = pdf_call_sheet.PAD
    edges = [pdf_call_sheet.MARGIN]
    for w in pdf_call_sheet.WIDTHS:
        edges.append(edges[-1] + w)
    head = next(y for _, y, _, _, w in words if w == "话术要点")
    body = [w for w in words if w[1] > head + 10 and w[1] < 595 - 40]  # the rows, not footer
    assert body
    assert min(y1 - y0 for _, y0, _, y1, _ in body) >= 8.4
    ends = 0
    for x0, _, x1, _, w in body:
        inside = [i for i in range(len(edges) - 1) if edges[i] <= x0 < edges[i + 1]]
        assert inside, w
        left, right = edges[inside[0]] + pad, edges[inside[0] + 1] - pad
        assert left - 0.01 <= x0 and x1 <= right + 0.01, (w, x1 - right)
        ends += w[-1] in "，：。" and x1 > right - 9  # a closing mark at a full line's end
    assert ends >= 5  # the data did reach the case: lines ending in punctuation at the border
    assert pdf_call_sheet.WIDTHS[-1] >= 45 * to_pt
    kms = [w for *_, w in body if re.fullmatch(r"\d{1,3}(,\d{3})+", w)]
    assert kms and set(kms) == {"1,290,791"}  # in the km column and in the talking point
    km_column = [w for x0, *_, w in body if edges[5] <= x0 < edges[6]]
    assert "1,290,791" in km_column and "公里" in km_column  # as the window says it


def test_time_words_are_never_split_across_lines():
    from services.outputs.pdf_common import text_width, wrap_lines

    font = pdf_call_sheet.cjk_font()
    narrow = text_width("工作日上", font, 9)  # room for 工作日 and one more character
    for text in ("工作日上午", "周末下午", "工作日晚上/上午"):
        lines = wrap_lines(text, narrow, font, 9)
        assert "".join(lines) == text
        for word in ("工作日", "上午", "下午", "晚上", "周末"):
            if word in text:
                assert any(word in line for line in lines), (word, lines)


@needs_poppler
def test_call_sheet_reprints_identically(tmp_path):
    a = pdf_call_sheet.write_call_sheet(doc(5), tmp_path / "a.pdf")
    b = pdf_call_sheet.write_call_sheet(doc(5), tmp_path / "b.pdf")
    assert a.read_bytes() == b.read_bytes()


@needs_poppler
@pytest.mark.parametrize("layout", ["a4-3x8", "a4-2x7", "a4-3x7", "envelope-dl"])
def test_labels_in_chinese_order_and_fit(tmp_path, layout):
    long = member(2, street="光明西路18号15栋3单元202室" * 5, channel="mail")
    d = dataclasses.replace(doc(3, "mail"), members=(member(1, channel="mail"), long))
    path = labels.write_labels(d, tmp_path / "l.pdf", layout,
                               labels.Sender("广州丰田4S店", "广州市天河区黄埔大道100号", "510630"))
    # In drawing order (label by label): labels side by side share lines in a layout view.
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    flat = text.replace("\n", "")
    assert "广东省广州市海珠区光明西路18号202室" in flat
    assert "陈国1先生收" in text and "510000" in flat
    lay = labels.layout(layout)
    if not lay.get("envelope"):
        box = (lay["width"] - 2 * lay["padding"], lay["height"] - 2 * lay["padding"])
        assert labels.label_fits([("510000", 10), (long.address, 9), ("陈国2 先生 收", 12)],
                                 *box)


@needs_poppler
@pytest.mark.parametrize("layout", ["a4-3x8", "a4-2x7", "a4-3x7"])
def test_every_word_of_a_label_sheet_is_where_a_printer_prints(tmp_path, layout):
    """A full sheet read back with poppler's word boxes: every word, the row codes too, at
    least 4 mm inside the page's edges (on the edge-to-edge 3×8 sheet the codes were 1.5 mm
    from them, where a laser printer prints nothing), and no code on an address's words."""
    long = "光明西路18号15栋3单元202室" * 5
    members = tuple(member(i, channel="mail", street=long if i % 3 == 0 else "光明西路18号")
                    for i in range(1, 25))
    d = dataclasses.replace(doc(1, "mail"), members=members)
    path = labels.write_labels(d, tmp_path / "l.pdf", layout)
    page_w, page_h = (v * 72 / 25.4 for v in labels.layout(layout)["page"])
    edge = 4 * 72 / 25.4
    words = word_boxes(path)
    codes = [w for w in words if re.fullmatch(r"\d+-\d+", w[4])]
    assert len(codes) == min(24, labels.layout(layout)["columns"] * labels.layout(layout)["rows"])
    for x0, y0, x1, y1, w in words:
        assert edge - 0.5 <= x0 and x1 <= page_w - edge + 0.5, w
        assert edge - 0.5 <= y0 and y1 <= page_h - edge + 0.5, w
    for cx0, cy0, cx1, cy1, code in codes:
        for x0, y0, x1, y1, w in words:
            if w != code:
                assert x1 <= cx0 or cx1 <= x0 or y1 <= cy0 or cy1 <= y0, (code, w)


@needs_poppler
def test_label_text_is_centred_and_grows_with_the_label(tmp_path):
    """Read back with poppler's word boxes: a short label's text sits in the middle of its
    label, and the same person's name is printed larger on a larger label."""
    # An address of three lines: on the smaller label it cannot grow as far.
    one = dataclasses.replace(doc(1, "mail"), members=(member(
        1, channel="mail", street="光明西路18号15栋3单元202室，近地铁站"),))
    heights = {}
    for name in ("a4-3x8", "a4-2x7"):
        path = labels.write_labels(one, tmp_path / f"{name}.pdf", name)
        html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        boxes = [(float(y0), float(y1), w) for y0, y1, w in re.findall(
            r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', html)]
        text = [b for b in boxes if b[2] != "9-0001"]  # the small row code in the corner
        lay = labels.layout(name)
        top = lay["top"] * 72 / 25.4
        middle = top + lay["height"] * 72 / 25.4 / 2
        used = (min(b[0] for b in text), max(b[1] for b in text))
        assert abs((used[0] + used[1]) / 2 - middle) < 4, (name, used, middle)
        heights[name] = max(b[1] - b[0] for b in text if b[2].startswith("陈国1"))
    assert heights["a4-2x7"] > heights["a4-3x8"] > 12  # the name's base size is 12 pt


def test_envelopes_refuse_to_print_without_the_shops_return_address(tmp_path):
    with pytest.raises(RevisitError, match="return address"):
        labels.write_labels(doc(2, "mail"), tmp_path / "e.pdf", "envelope-dl",
                            labels.Sender("广州丰田4S店", "", ""))
    assert not (tmp_path / "e.pdf").exists()


@needs_poppler
def test_envelopes_of_a_shop_without_a_name_print_its_address_alone(tmp_path):
    """A new database has no shop name: the envelope's sender is the return address and
    postcode, with no blank or "None" line in place of the name; labels print no sender."""
    st = Settings(shop_address="广州市天河区黄埔大道100号", shop_postcode="510630")
    envelope = labels.write_labels(doc(1, "mail"), tmp_path / "e.pdf", "envelope-dl",
                                   labels.Sender.from_settings(st))
    sender_top = labels.layout("envelope-dl")["sender"]["top"] * 72 / 25.4
    sender = [w for _x0, y0, _x1, _y1, w in word_boxes(envelope)
              if y0 >= sender_top - 1 and w != "9-0001"]  # not the row code in the corner
    assert "".join(sender) == "广州市天河区黄埔大道100号邮政编码：510630"
    assert "None" not in text_of(envelope)
    sheet = labels.write_labels(doc(2, "mail"), tmp_path / "l.pdf", "a4-3x8",
                                labels.Sender.from_settings(st))
    assert "黄埔大道" not in text_of(sheet) and "None" not in text_of(sheet)


@pytest.mark.parametrize(("channel", "orientation", "across", "titles"), [
    # 22 columns: on one page across they print at 43 %; two keep them readable, each with
    # the row id.
    ("call", "landscape", 2, "$A:$A"),
    ("mail", "landscape", 1, None),
    ("sms", "portrait", 1, None),
])
def test_an_excel_list_prints_as_staff_print_it(tmp_path, channel, orientation, across, titles):
    """A4, the header row on every page, the columns on as few pages across as keep the print
    readable, and the page number at each page's foot (before, a call list printed in
    portrait at full size, its columns over five pages across, the header on the first)."""
    ws = openpyxl.load_workbook(excel.write_list(doc(3, channel), channel,
                                                 tmp_path / "l.xlsx")).active
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation) == (9, orientation)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (across, 0)
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == titles
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_unknown_label_layout_is_refused(tmp_path):
    with pytest.raises(RevisitError, match="no label layout"):
        labels.write_labels(doc(1), tmp_path / "x.pdf", "a5-9x9")


def test_excel_list_header_dates_text_and_formula_safety(tmp_path):
    evil = member(1, name="=HYPERLINK(\"x\")", last_feedback="+1", plate="@A", street="-x")
    d = dataclasses.replace(doc(4), members=(evil, *doc(4).members[1:]))
    path = excel.write_list(d, "call", tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.max_row == 1 + len(d.members)
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c for c in ws[2]], strict=True))
    # Shown as typed, never a formula: text with Excel's quote prefix, no visible apostrophe.
    assert row["姓名"].value == "=HYPERLINK(\"x\")" and row["姓名"].data_type == "s"
    assert row["姓名"].quotePrefix
    assert row["上次反馈"].value == "+1" and row["车牌"].value == "@A"
    assert row["上次反馈"].quotePrefix and row["车牌"].quotePrefix
    assert not row["客户编号"].quotePrefix
    assert row["电话"].data_type == "s" and row["电话"].value == "13800130001"
    assert row["购车日期"].is_date and row["购车日期"].value.date() == dt.date(2018, 5, 1)
    assert ws.column_dimensions["A"].width == 10
    assert {"结果", "联系日期", "当前里程(公里)", "画像变化"} <= set(header)


@pytest.mark.parametrize(("channel", "offered"), [
    ("call", ["接通", "无人接听", "关机", "空号/错号", "拒绝", "已预约"]),
    ("visit", ["接通", "无人接听", "拒绝", "已预约", "已购买"]),
    ("wechat", ["已发送", "发送失败", "接通", "拒绝", "已预约"]),
])
def test_the_outcome_is_picked_from_a_drop_down_in_excel(tmp_path, channel, offered):
    d = doc(7, channel)
    if channel == "wechat":  # a row per member and the message pasted to them
        rows = [WechatRow(m, f"{m.salutation}您好") for m in d.members]
        path = excel.write_rows(rows, channel, tmp_path / f"{channel}.xlsx")
    else:
        path = excel.write_list(d, channel, tmp_path / f"{channel}.xlsx")
    ws = openpyxl.load_workbook(path).active
    column = [c.column_letter for c in ws[1] if c.value == "结果"][0]
    profile = [c.column_letter for c in ws[1] if c.value == "画像变化"][0]
    drop_down, hint = ws.data_validations.dataValidation
    assert drop_down.type == "list" and str(drop_down.sqref) == f"{column}2:{column}8"
    assert drop_down.formula1 == '"' + ",".join(offered) + '"'
    assert drop_down.allow_blank and not drop_down.showErrorMessage  # other words may be typed
    # What the profile column takes, beside each of its cells: nothing refused.
    assert hint.type is None and str(hint.sqref) == f"{profile}2:{profile}8"
    assert hint.showInputMessage and not hint.showErrorMessage
    assert hint.prompt.startswith("每项一行或用；隔开，如：婚姻=已婚") and "退休" in hint.prompt
    if shutil.which("soffice") is not None:  # another program keeps it as it saves the file
        out = tmp_path / "lo"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                        "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=120)
        again = openpyxl.load_workbook(out / path.name).active.data_validations.dataValidation
        assert ("list", drop_down.formula1) in [(v.type, v.formula1) for v in again]
        assert hint.prompt in [v.prompt for v in again]


def test_a_list_without_entry_columns_has_no_drop_down(tmp_path):
    path = excel.write_list(doc(3, "mail"), "mail", tmp_path / "mail.xlsx")
    assert openpyxl.load_workbook(path).active.data_validations.dataValidation == []


def test_csv_list_has_bom_and_one_row_per_member(tmp_path):
    path = excel.write_list(doc(7, "mail"), "mail", tmp_path / "m.csv", "csv")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 8 and rows[1][8] == "广东省广州市海珠区光明西路18号202室"


SEND = dt.datetime(2026, 11, 24, 10, 0)
TPL = sms.SmsTemplate("尊敬的{称呼}，您的{车型}（{车牌}）该保养了，本周到店享9折。", "【广州丰田】")


def test_sms_counts_parts_dedupes_and_validates(tmp_path):
    ms = [member(1, channel="sms"), member(2, channel="sms", mobile="+86 138 0013 0001"),
          member(3, channel="sms", mobile="02088886666"),
          member(4, channel="sms", salutation="欧阳先生", model="凯美瑞" * 20)]
    out = sms.write_sms_file(ms, TPL, tmp_path / "s.xlsx", send_at=SEND)
    ws = openpyxl.load_workbook(out.path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("编号", "手机号码", "姓名", "短信内容", "字数", "条数")
    assert len(rows) == 3  # one duplicate number and one landline left out
    first = rows[1]
    assert first[3].startswith("【广州丰田】尊敬的陈先生") and first[3].endswith("回T退订")
    assert first[4] == len(first[3]) and first[5] == 1
    assert rows[2][4] > 70 and rows[2][5] == -(-rows[2][4] // 67)
    assert ws["B2"].data_type == "s"
    assert [why for _, why in out.skipped] == ["same number as 9-0001",
                                               "not a mainland mobile: 02088886666"]


def test_sms_parts_rule():
    assert [sms.parts(n) for n in (1, 70, 71, 134, 135, 160)] == [1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize(("text", "opt_out", "sent"), [
    ("您的车该保养了", "回T退订", "【广州丰田】您的车该保养了，回T退订"),
    ("您的车该保养了。", "回T退订", "【广州丰田】您的车该保养了。回T退订"),
    ("您的车该保养了！退订回T", "退订回T", "【广州丰田】您的车该保养了！退订回T"),
    ("您的车该保养了", "，拒收请回复R", "【广州丰田】您的车该保养了，拒收请回复R")])
def test_the_opt_out_text_follows_the_message_as_a_sentence_of_its_own(text, opt_out, sent):
    template = sms.SmsTemplate(text, "【广州丰田】", opt_out)
    assert template.render(member(1, channel="sms")) == sent


def test_sms_length_is_counted_as_carriers_bill_in_utf16_units(tmp_path):
    # 68 basic-plane characters with the signature and opt-out, then one emoji: 70 by code
    # points but 71 UTF-16 units, so 2 parts; 𠮷 (outside the basic plane) also counts 2.
    signature, opt_out = "【广州丰田】", "回T退订"
    # Each template ends its sentence (。), so no comma comes before the opt-out text.
    body = "保" * (68 - len(signature) - len(opt_out) - 1) + "。"
    plain = sms.SmsTemplate(body, signature)
    smile = sms.SmsTemplate(body[:-1] + "😀。", signature)
    rare = sms.SmsTemplate(body[:-2] + "𠮷。", signature)
    out = sms.write_sms_file([member(1, channel="sms")], plain, tmp_path / "p.xlsx",
                             send_at=SEND)
    assert (out.rows[0].length, out.rows[0].parts, out.rows[0].flagged) == (68, 1, "")
    out = sms.write_sms_file([member(1, channel="sms")], smile, tmp_path / "e.xlsx",
                             vendor="aliyun", send_at=SEND)
    assert len(out.rows[0].message) == 69 and out.rows[0].length == 70
    assert out.rows[0].parts == 1 and out.rows[0].flagged == "😀"
    out = sms.write_sms_file([member(1, channel="sms")], sms.SmsTemplate(
        body[:-1] + "保😀。", signature), tmp_path / "f.xlsx", vendor="aliyun", send_at=SEND)
    assert (len(out.rows[0].message), out.rows[0].length, out.rows[0].parts) == (70, 71, 2)
    preview = openpyxl.load_workbook(out.path).worksheets[1]
    header = [c.value for c in preview[1]]
    assert preview.cell(2, header.index("注意") + 1).value == "含平台可能拒发的字符：😀"
    assert preview.cell(2, header.index("字数") + 1).value == 71
    out = sms.write_sms_file([member(1, channel="sms")], rare, tmp_path / "r.xlsx",
                             send_at=SEND)
    assert out.rows[0].length == 69 and out.rows[0].flagged == "𠮷"


def test_a_merge_field_without_a_value_uses_its_fallback_or_leaves_the_member_out(tmp_path):
    no_model = member(2, channel="sms", brand="", model="")
    ms = [member(1, channel="sms"), no_model]
    strict = sms.SmsTemplate("您的{车型}该保养了", "【广州丰田】")
    out = sms.write_sms_file(ms, strict, tmp_path / "s.xlsx", send_at=SEND)
    assert [r.row_code for r in out.rows] == [ms[0].row_code]
    assert out.skipped == ((no_model.row_code, "缺少合并字段：车型"),)
    assert sms.skipped_summary(out.skipped) == "缺少合并字段：车型 ×1"
    assert all("您的该保养了" not in r.message for r in out.rows)
    kind = sms.SmsTemplate("{车型|您的爱车}该保养了", "【广州丰田】")
    out = sms.write_sms_file(ms, kind, tmp_path / "k.xlsx", vendor="aliyun", send_at=SEND)
    assert not out.skipped and out.rows[1].message == "【广州丰田】您的爱车该保养了，回T退订"
    assert out.rows[1].variables == (("model", "您的爱车"),)
    assert out.rows[0].variables[0][1] in out.rows[0].message


def test_sms_refuses_unknown_field_and_late_time_before_writing(tmp_path):
    bad = sms.SmsTemplate("{姓名}您好，{生日快乐}", "【广州丰田】")
    with pytest.raises(RevisitError, match="生日快乐"):
        sms.write_sms_file([member(1)], bad, tmp_path / "x.xlsx", send_at=SEND)
    with pytest.raises(RevisitError, match="between 08:00 and 20:00"):
        sms.write_sms_file([member(1)], TPL, tmp_path / "x.xlsx",
                           send_at=SEND.replace(hour=20, minute=30))
    assert not (tmp_path / "x.xlsx").exists()


def test_sms_vendor_layouts(tmp_path):
    ms = [member(1), member(2)]
    ali = sms.write_sms_file(ms, TPL, tmp_path / "a.csv", vendor="aliyun", fmt="csv",
                             send_at=SEND)
    rows = list(csv.reader(ali.path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["手机号码", "title", "model", "plate"] and rows[1][0] == "13800130001"
    assert (tmp_path / "a-preview.csv").exists()
    with pytest.raises(RevisitError, match="Huawei"):
        sms.write_sms_file(ms, sms.SmsTemplate("{姓名}您好", "【广州丰田】"),
                           tmp_path / "h.xlsx", vendor="huawei", send_at=SEND)
    hw = sms.write_sms_file(ms, sms.SmsTemplate("本周保养9折", "【广州丰田】", "拒收请回复R"),
                            tmp_path / "h.xlsx", vendor="huawei", send_at=SEND)
    wb = openpyxl.load_workbook(hw.path)
    assert wb.worksheets[0].max_column == 1 and wb.worksheets[0]["A2"].data_type == "s"
    assert wb.worksheets[1]["D2"].value.endswith("拒收请回复R")


@needs_poppler
def test_condensed_briefs_stay_under_their_columns_and_legible(tmp_path):
    """With a brief under every member: each line's words inside the columns it spans (row id
    to talking points), at least 8.5 pt; the other words still in their own columns; a brief
    too long for two lines ends with "…"."""
    from decimal import Decimal

    from services.customers.brief import Spend
    from services.customers.brief_batch import CondensedBrief

    d = doc(6)
    briefs = {m.row_code: CondensedBrief(
        i, d.as_of, Spend(dt.date(2026, 3, 2), Decimal("1280"), "maintenance"), 9,
        dt.date(2026, 5, 1), 7, i % 3, "strong", "1m", "up", True, bool(i % 2),
        "care" if i % 3 else "sales", "规则") for i, m in enumerate(d.members)}
    path = pdf_call_sheet.write_call_sheet(d, tmp_path / "c.pdf", briefs)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = [(float(a), float(b), float(c), float(e), w) for a, b, c, e, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
        html)]
    edges = [pdf_call_sheet.MARGIN]
    for w in pdf_call_sheet.WIDTHS:
        edges.append(edges[-1] + w)
    head = next(y for _, y, _, _, w in words if w == "话术要点")
    body = [w for w in words if head + 10 < w[1] < 595 - 40]
    brief_lines = {round(y0) for _, y0, _, _, w in body if w.startswith("建议")}
    rows_on_page = {w for *_, w in body if re.fullmatch(r"9-\d{4}", w)}
    assert len(brief_lines) == len(rows_on_page) >= 2  # one brief under each row
    in_brief = [w for w in body if any(abs(w[1] - y) < 8 for y in brief_lines)
                and w[0] < edges[pdf_call_sheet.BRIEF_SPAN]]
    said = "".join(w[4] for w in in_brief)
    for phrase in ("未结投诉", "满意度7→9分↑", "上次消费", "2026-03-02", "¥1,280", "保养",
                   "意向强", "一个月内", "经济↑", "家庭有变"):
        assert phrase in said, phrase
    for x0, y0, x1, y1, w in body:
        assert y1 - y0 >= 8.4, w
        if any(abs(y0 - y) < 8 for y in brief_lines) and x0 < edges[pdf_call_sheet.BRIEF_SPAN]:
            assert x1 <= edges[pdf_call_sheet.BRIEF_SPAN] + 0.5, w  # within the brief's span
        else:
            inside = [i for i in range(len(edges) - 1) if edges[i] - 0.5 <= x0 < edges[i + 1]]
            assert inside and x1 <= edges[inside[0] + 1] + 0.5, w
    long = {code: dataclasses.replace(b, rule="x", purpose="ref_thanks", intent_window="later",
                                      family_changed=True, work_changed=True)
            for code, b in briefs.items()}
    from services.outputs.pdf_common import PartsLine

    line = PartsLine([("很长的一段话" * 8, False)] * 4, 200, pdf_call_sheet.cjk_font(), 8.5)
    assert len(line.lines) == 2 and line.lines[-1][-1][0].endswith("…")
    assert pdf_call_sheet.write_call_sheet(d, tmp_path / "l.pdf", long).exists()


@pytest.mark.parametrize(("brand", "model", "shown"), [
    ("丰田", "凯美瑞", "丰田 凯美瑞"), ("丰田", None, "丰田"), ("", "凯美瑞", "凯美瑞"),
    (None, None, ""), ("", "", "")])
def test_a_members_vehicle_is_brand_and_model_either_alone(brand, model, shown):
    assert member(1, brand=brand, model=model).vehicle == shown
