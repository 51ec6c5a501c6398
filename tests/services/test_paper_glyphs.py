"""Characters the Chinese font lacks (𠮷 of CJK Extension B, 😀) on the call sheet, labels and
envelopes: drawn in a fallback font when one is installed, else printed as a visible □ and
reported with the written file; a request's files all checked before the first is written; the
label layouts named in English too."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from services.outputs import fonts, labels, pdf_call_sheet, run_files
from services.outputs.pdf_common import forget_fonts
from services.outputs.run_files import FileRequest
from services.outputs.types import Excluded, ListDocument
from services.store.errors import RevisitError
from services.store.settings import Settings
from tests.services.test_outputs_files import doc, member, word_boxes

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")
RARE, EMOJI = "𠮷", "😀"
SENDER = labels.Sender("广州丰田4S店", "广州市天河区黄埔大道100号", "510630")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
REAL_CANDIDATES = fonts.fallback_candidates  # before any test sets its own


def nasty(channel: str) -> ListDocument:
    """A rare character, an emoji, a formula-looking name and empty merge fields."""
    ms = (member(1, channel=channel, name=f"{RARE}田太郎", salutation="田女士"),
          member(2, channel=channel, name=f"{EMOJI}王小明"),
          member(3, channel=channel, name="=SUM(1)", brand=None, model=None, plate=None,
                 best_time="", km=None, years_owned=None, last_feedback=None,
                 talking_points="", postcode=None))
    return dataclasses.replace(doc(1), members=ms, excluded=(
        Excluded(f"{RARE}田花子", "dnc", "勿扰", "电话勿扰", "C9", "13900000000"),))


@pytest.fixture
def fallbacks(monkeypatch):
    """No fallback fonts for the test, or the font files it names (`fallbacks(path)`): the
    glyph and width caches are built anew for it, and again after it."""
    def use(*paths: Path) -> None:
        monkeypatch.setattr(fonts, "fallback_candidates", lambda: [(p, 0) for p in paths])
        forget_fonts()

    use()
    yield use
    monkeypatch.undo()
    forget_fonts()


def pdf_text(path: Path) -> str:
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s", "", raw)


def pdf_fonts(path: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    lines = out.splitlines()[2:]
    assert lines and all(" yes yes yes " in line for line in lines), out  # all embedded
    return [line.split()[0].split("+")[-1] for line in lines]


def _write_all(tmp_path: Path) -> dict[str, Path]:
    written = {"sheet": pdf_call_sheet.write_call_sheet(nasty("call"), tmp_path / "c.pdf")}
    for name in labels.layouts():
        written[name] = labels.write_labels(nasty("mail"), tmp_path / f"{name}.pdf", name,
                                            SENDER)
    return written


@needs_poppler
def test_what_no_font_has_prints_as_a_visible_stand_in_and_is_reported(tmp_path, fallbacks):
    from PIL import Image

    for name, path in _write_all(tmp_path).items():
        said = pdf_text(path)
        assert "□田太郎" in said and "□王小明" in said and "=SUM(1)" in said, name
        assert RARE not in said and EMOJI not in said
        if name != "sheet":
            assert "□田太郎女士收" in said, name
        assert len(pdf_fonts(path)) == 1  # the Chinese font alone
    # The stand-in has ink, a character wide: the label's first name is not "  田太郎".
    subprocess.run(["pdftoppm", "-r", "144", "-gray", "-png", "-f", "1", "-l", "1",
                    str(tmp_path / "a4-3x8.pdf"), str(tmp_path / "l")], check=True)
    page = Image.open(next(tmp_path.glob("l*.png"))).convert("L")
    boxes = word_boxes(tmp_path / "a4-3x8.pdf")
    name = next(b for b in boxes if b[4] == "田太郎")
    x0, y0, x1, y1, _ = next(b for b in boxes if b[4] == "□" and abs(b[2] - name[0]) < 1)
    assert x1 - x0 == pytest.approx((name[2] - name[0]) / 3, rel=0.02)  # a character wide
    box = page.crop((round(x0 * 2), round(y0 * 2), round(x1 * 2), round(y1 * 2)))
    assert sum(box.histogram()[:128]) > 40  # dark pixels: a box, not a blank

    who = pdf_call_sheet.unprintable_members(nasty("call"))
    assert who == (f"9-0001 {RARE}田太郎（姓名：{RARE} U+20BB7）",
                   f"9-0002 {EMOJI}王小明（姓名：{EMOJI} U+1F600）",
                   f"C9 {RARE}田花子（姓名：{RARE} U+20BB7）")
    assert labels.unprintable_members(nasty("mail"), "envelope-dl", SENDER) == who[:2]
    assert pdf_call_sheet.unprintable_members(doc(3)) == ()


@needs_poppler
def test_a_fallback_font_draws_what_the_main_font_lacks(tmp_path, fallbacks):
    if not DEJAVU.is_file():
        pytest.skip("DejaVu Sans (fonts-dejavu-core) is not installed")
    fallbacks(DEJAVU)  # has 😀 in outline; no Extension B
    for name, path in _write_all(tmp_path).items():
        said = pdf_text(path)
        # Read back as typed: the ToUnicode map names characters beyond U+FFFF correctly.
        assert f"{EMOJI}王小明" in said and "□田太郎" in said, name
        assert "DejaVuSans" in pdf_fonts(path) and len(pdf_fonts(path)) == 2, name
    who = pdf_call_sheet.unprintable_members(nasty("call"))
    assert len(who) == 2 and all(RARE in w and EMOJI not in w for w in who)


@needs_poppler
def test_extension_b_prints_when_a_font_with_it_is_installed(tmp_path, fallbacks):
    """With SimSun-ExtB on Windows, fonts-hanazono on Linux (or a file in
    REVISIT_FALLBACK_FONTS), 𠮷 is printed as typed and nobody is reported."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    def has_ext_b(path: Path) -> bool:
        try:
            return ord(RARE) in TTFont("RevisitProbe", str(path)).face.charToGlyph
        except (TTFError, OSError):
            return False

    found = next((p for p, _ in REAL_CANDIDATES() if p.is_file() and has_ext_b(p)), None)
    if found is None:
        pytest.skip("no TrueType font with CJK Extension B here (fonts-hanazono)")
    fallbacks(found)
    d = dataclasses.replace(nasty("mail"), members=nasty("mail").members[::2])  # no emoji
    for name in ("a4-3x8", "envelope-dl"):
        path = labels.write_labels(d, tmp_path / f"{name}.pdf", name, SENDER)
        assert f"{RARE}田太郎女士收" in pdf_text(path)
        assert len(pdf_fonts(path)) == 2
    assert labels.unprintable_members(d, "envelope-dl", SENDER) == ()


def test_the_written_file_carries_a_warning_naming_who_could_not_be_printed(tmp_path,
                                                                            fallbacks):
    st = Settings(shop_address=SENDER.address)
    got = run_files.write_run_file(nasty("mail"), FileRequest(run_files.LABELS,
                                                              tmp_path / "l.pdf", "pdf"), st)
    assert got.path == tmp_path / "l.pdf" and got.path.exists() and got.rows == 3
    assert got.unprintable == (f"9-0001 {RARE}田太郎（姓名：{RARE} U+20BB7）",
                               f"9-0002 {EMOJI}王小明（姓名：{EMOJI} U+1F600）")
    warning = got.warning
    assert isinstance(warning, run_files.PrintWarning) and isinstance(warning, RevisitError)
    assert warning.template == run_files.UNPRINTABLE  # translated as the errors are
    for part in ("l.pdf", "□", "9-0001", "U+20BB7", "9-0002", "U+1F600", fonts.FALLBACK_ENV):
        assert part in warning.message, part
    sheet = run_files.write_run_file(nasty("call"), FileRequest(run_files.CALL_SHEET,
                                                                tmp_path / "c.pdf", "pdf"), st)
    assert len(sheet.unprintable) == 3  # the excluded customer in the appendix too
    plain = run_files.write_run_file(doc(2), FileRequest(run_files.CALL_SHEET,
                                                         tmp_path / "p.pdf", "pdf"), st)
    assert plain.unprintable == () and plain.warning is None


def both_files(tmp_path: Path) -> tuple[ListDocument, tuple[FileRequest, ...]]:
    d = dataclasses.replace(doc(1), members=(member(1), member(2, channel="mail")))
    requests = run_files.plan_run_files(d, tmp_path / "week.pdf", "pdf",
                                        label_layout="envelope-dl")
    assert [r.kind for r in requests] == [run_files.CALL_SHEET, run_files.LABELS]
    return d, requests


def test_envelopes_without_a_return_address_are_refused_before_any_file_is_written(tmp_path):
    d, requests = both_files(tmp_path)
    no_address = Settings(shop_address="  ")
    with pytest.raises(RevisitError, match="return address"):
        run_files.check_run_files(d, requests, no_address)
    with pytest.raises(RevisitError, match="return address"):  # and on its own
        run_files.write_run_file(d, requests[1], no_address)
    assert list(tmp_path.iterdir()) == []
    run_files.check_run_files(d, requests, Settings(shop_address=SENDER.address))
    assert list(tmp_path.iterdir()) == []  # checking writes nothing


def test_no_chinese_font_is_refused_before_any_file_is_written(tmp_path, monkeypatch):
    d, requests = both_files(tmp_path)

    def no_font() -> str:
        raise RevisitError("No Chinese TrueType font was found to print with.")

    monkeypatch.setattr(run_files, "cjk_font", no_font)
    lists = run_files.plan_run_files(d, tmp_path / "week.xlsx", "xlsx")
    run_files.check_run_files(d, lists, Settings())  # Excel lists need no font
    with pytest.raises(RevisitError, match="No Chinese TrueType font"):
        run_files.check_run_files(d, lists + requests, Settings(shop_address="广州"))
    with pytest.raises(RevisitError, match="No Chinese TrueType font"):
        run_files.write_run_file(d, requests[0], Settings())
    assert list(tmp_path.iterdir()) == []


def test_label_layouts_have_english_names():
    for key in labels.layouts():
        zh, en = labels.layout_title(key), labels.layout_title(key, "en")
        assert zh == labels.layouts()[key]["title"] and re.search(r"[\u4e00-\u9fff]", zh)
        assert not re.search(r"[\u4e00-\u9fff]", en) and re.search(r"\d×\d", en), en
    assert labels.layout_title("a4-3x8", "en") == "A4 3×8 labels 70×37 mm"
    assert labels.layout_title("envelope-dl", "en_US") == "DL envelope 220×110 mm"
    assert labels.layout_title("a5-9x9", "en") == "a5-9x9"


def test_an_sms_file_planned_outside_the_window_is_refused_before_any_file(tmp_path):
    """A marketing SMS given a sending time outside the window is refused with the other files
    of the request, not after the call sheet was written. (With no time given it is planned
    for the window's next opening instead: tests/services/test_list_asked.py.)"""
    import datetime as dt

    st = Settings(sms_signature="【某某丰田】", sms_window_start=dt.time(8, 0),
                  sms_window_end=dt.time(20, 0))
    d = dataclasses.replace(doc(1), members=(member(1), member(2, channel="sms")))
    late = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(21, 30))
    requests = (FileRequest(run_files.CALL_SHEET, tmp_path / "week.pdf", "pdf"),
                FileRequest(run_files.SMS_FILE, tmp_path / "week-sms.xlsx", "xlsx",
                            sms_text="{称呼}您好，保养季到了", send_at=late))
    with pytest.raises(RevisitError, match="Marketing SMS may only be sent between"):
        run_files.check_run_files(d, requests, st)
    assert list(tmp_path.iterdir()) == []


def test_a_font_remembering_its_splits_splits_as_reportlab_does():
    """The call sheet's font remembers how each text splits into subsets for a document; the
    codes it gives must be those of reportlab's own TTFont, however texts repeat, more than one
    256-code subset is filled, and two documents are drawn at once."""
    from reportlab.pdfbase.pdfdoc import PDFDocument
    from reportlab.pdfbase.ttfonts import TTFont

    path = next(str(p) for p, _ in fonts.candidates() if p.is_file())
    remembering, plain = fonts._remembering_font("MemoCheck", path, 0), TTFont("PlainCheck", path)
    common = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你"
    texts = ["工作日", "建议：满意度回访", "工作日"] + [common[i:] + common[:i]
                                                for i in range(0, len(common), 3)]
    texts += ["".join(chr(0x4E00 + 40 * k + j) for j in range(40)) for k in range(20)]
    again = texts[::-1]  # each seen before, now in another order
    one, two = PDFDocument(), PDFDocument()
    # Each document in its own order: what one document remembers is not the other's.
    for pdf, order in ((one, texts + again), (two, again + texts)):
        mine = PDFDocument()
        for text in order:
            assert remembering.splitString(text, pdf) == plain.splitString(text, mine), text
    assert remembering.splitString("工作日", one) == plain.splitString("工作日", PDFDocument())
    assert len(remembering.state[one].subsets) > 2  # the texts filled more than one subset
