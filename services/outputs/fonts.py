"""Find and embed a TrueType CJK font for reportlab, and fallback fonts for the characters it
lacks (CJK Extension B such as 𠮷, emoji); teach reportlab's line breaker not to start a line
with full-width punctuation, and its ToUnicode maps to name characters beyond U+FFFF."""

from __future__ import annotations

import os
import struct
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from services.store.errors import N_, RevisitError

FONT_NAME = "RevisitCJK"
FONT_ENV = "REVISIT_CJK_FONT"
RESOURCE_FONTS = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"

# (path, subfont index). Noto CJK .ttc files are CFF outlines, which reportlab cannot embed.
_LINUX = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc", 0),
)
_WINDOWS_NAMES = (("msyh.ttc", 0), ("simsun.ttc", 0), ("simhei.ttf", 0), ("msyh.ttf", 0))
_MAC = (("/Library/Fonts/Arial Unicode.ttf", 0),
        ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0))

# Fonts for what the main font has no glyph for, tried in order, each only if the main font lacks
# a character. Windows: SimSun-ExtB and MingLiU-ExtB (Extension B), Segoe UI Symbol (emoji in
# outline). Linux: fonts-hanazono (Extension A and B in TrueType; the Noto CJK .ttc of
# fonts-noto-cjk-extra are CFF, which reportlab cannot embed), fonts-symbola and DejaVu Sans
# (emoji and symbols, drawn in outline).
FALLBACK_ENV = "REVISIT_FALLBACK_FONTS"  # more fallback .ttf/.ttc files, os.pathsep between
FALLBACK_NAME = "RevisitFallback"
_WINDOWS_FALLBACKS = (("simsunb.ttf", 0), ("mingliub.ttc", 0), ("seguisym.ttf", 0))
_LINUX_FALLBACKS = (
    ("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0),
    ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0),
    ("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf", 0),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
)

# reportlab's ALL_CANNOT_START lacks these; without them a line can start with "，" or "：".
EXTRA_CANNOT_START = "，：；！？、。）》」』】〕…"


def candidates() -> list[tuple[Path, int]]:
    found: list[tuple[Path, int]] = []
    env = os.environ.get(FONT_ENV)
    if env:
        found.append((Path(env), 0))
    if RESOURCE_FONTS.is_dir():
        found += [(p, 0) for p in sorted(RESOURCE_FONTS.glob("*.tt[fc]"))]
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        found += [(windir / name, idx) for name, idx in _WINDOWS_NAMES]
    found += [(Path(p), i) for p, i in (*_LINUX, *_MAC)]
    return found


def fallback_candidates() -> list[tuple[Path, int]]:
    found = [(Path(p), 0) for p in os.environ.get(FALLBACK_ENV, "").split(os.pathsep) if p]
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        found += [(windir / name, idx) for name, idx in _WINDOWS_FALLBACKS]
    found += [(Path(p), i) for p, i in _LINUX_FALLBACKS]
    return found


def _patch_kinsoku() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    # paragraph copies the name from textsplit at import, so both modules' copies are patched. The
    # stubs declare it in textsplit only, as Final: through vars() is the honest way to rebind it.
    for module in (textsplit, paragraph):
        names = vars(module)
        current: str = names["ALL_CANNOT_START"]
        missing = "".join(ch for ch in EXTRA_CANNOT_START if ch not in current)
        if missing:
            names["ALL_CANNOT_START"] = current + missing


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap with every code written as UTF-16BE: reportlab writes
    "%04X", five digits for U+20BB7, and a reader (pdftotext, copy and paste) then gets "₻"
    for 𠮷. Otherwise as reportlab.pdfbase.ttfonts.makeToUnicodeCMap writes it."""
    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()

    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(code)}>" for i, code in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


def _patch_to_unicode() -> None:
    from reportlab.pdfbase import ttfonts

    vars(ttfonts)["makeToUnicodeCMap"] = _to_unicode_cmap


# Texts a font remembers splitting per document; beyond this, new texts are split afresh (a
# 100,000-row sheet has hundreds of thousands of one-off texts).
SPLIT_MEMO = 50_000


@cache
def _remembering_font_class() -> Any:
    """reportlab's TTFont, remembering how each text it split for a document splits. Once a
    text's characters have their codes in a document they keep them, so the same text always
    splits the same way; a call sheet draws the same pieces again and again (the brief's
    words, talking points, "工作日"): 19,768 of the 34,997 texts of 1,836 rows, and splitting
    was reportlab's costliest step in drawing them."""
    from reportlab.pdfbase.ttfonts import TTFont

    class RememberingTTFont(TTFont):
        def splitString(self, text, doc, encoding="utf-8"):
            state = self.state.get(doc)
            memo = None if state is None else vars(state).setdefault("revisit_split", {})
            if memo is not None:
                got = memo.get(text)
                if got is not None:
                    return got
            got = super().splitString(text, doc, encoding)
            if memo is not None and len(memo) < SPLIT_MEMO:
                memo[text] = got
            return got

    return RememberingTTFont


def _remembering_font(name: str, path: str, index: int) -> Any:
    return _remembering_font_class()(name, path, subfontIndex=index)


@cache
def cjk_font() -> str:
    """Register the first usable CJK TrueType font and return its reportlab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError

    _patch_kinsoku()
    _patch_to_unicode()
    tried = []
    for path, index in candidates():
        if not path.is_file():
            continue
        try:
            pdfmetrics.registerFont(_remembering_font(FONT_NAME, str(path), index))
        except TTFError as exc:
            tried.append(f"{path} ({exc})")
            continue
        return FONT_NAME
    raise RevisitError(
        N_("No Chinese TrueType font was found to print with. Install one (Linux: the package "
           "fonts-wqy-microhei; Windows has SimSun/Microsoft YaHei) or set {env} to a .ttf/.ttc "
           "file. Tried: {tried}"),
        env=FONT_ENV, tried="; ".join(tried) or "no candidate file exists",
    )


@cache
def fallback_fonts() -> tuple[str, ...]:
    """Register the fallback fonts found on this computer (none is no error: what no font has
    is printed as a stand-in and reported) and return their reportlab names, in order."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError

    names: list[str] = []
    for path, index in dict.fromkeys(fallback_candidates()):
        if not path.is_file():
            continue
        # One name per file for the life of the process: reportlab keeps the first font
        # registered under a name and ignores another registered under it later.
        name = _FALLBACK_NAMES.setdefault((str(path), index),
                                          f"{FALLBACK_NAME}{len(_FALLBACK_NAMES)}")
        try:
            pdfmetrics.registerFont(_remembering_font(name, str(path), index))
        except (TTFError, OSError):
            continue  # a CFF/OpenType or damaged file: the next one may do
        names.append(name)
    return tuple(names)


_FALLBACK_NAMES: dict[tuple[str, int], str] = {}


def has_glyph(font: str, ch: str) -> bool:
    """True when the registered TrueType font `font` has a glyph for the character `ch`."""
    from reportlab.pdfbase import pdfmetrics

    face = getattr(pdfmetrics.getFont(font), "face", None)
    return face is not None and ord(ch) in face.charToGlyph


# What is printed for a character no font on this computer has: the 缺字 mark of Chinese
# typesetting, visible to whoever reads the paper. Fonts draw □ narrower than a character
# (0.6 em in WenQuanYi), easy to miss; it is drawn enlarged to a full em (STAND_IN_FONT).
STAND_IN = "□"
STAND_IN_FONT = ""  # the font of a stand-in run: STAND_IN in the main font, an em wide
# Drawn as nothing and never reported: variation selectors (the emoji form of ❤️), joiners.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def _invisible(ch: str) -> bool:
    code = ord(ch)
    return (ch in _INVISIBLE or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
            or unicodedata.category(ch) in ("Cc", "Cf"))


class _Glyphs(dict):
    """For one main font, each character as drawn: (text, font). The character itself in the
    main font when it has it, else in the first fallback font that has it; STAND_IN (in
    STAND_IN_FONT) when none has; "" for an invisible one. `plain` holds the characters the
    main font draws itself, so a line of them is checked in one C-level pass."""

    def __init__(self, font: str) -> None:
        super().__init__()
        self.font = font
        self.plain: set[str] = set()
        self.missing: set[str] = set()

    def __missing__(self, ch: str) -> tuple[str, str]:
        if has_glyph(self.font, ch):
            self.plain.add(ch)
            found = (ch, self.font)
        elif ch.isspace():
            found = (" ", self.font)
        elif _invisible(ch):
            found = ("", self.font)
        else:
            font = next((f for f in fallback_fonts() if has_glyph(f, ch)), None)
            if font is None:
                self.missing.add(ch)
            found = (ch, font) if font else (STAND_IN, STAND_IN_FONT)
        self[ch] = found
        return found


@cache
def _glyphs(font: str) -> _Glyphs:
    return _Glyphs(font)


def glyph_of(font: str, ch: str) -> tuple[str, str]:
    """(text, font) that draws `ch` for text set in `font` (see _Glyphs)."""
    return _glyphs(font)[ch]


def known_in_font(text: str, font: str) -> bool:
    """Every character of `text` is already known to be drawn in `font` itself (False also
    for characters not yet looked at: `font_runs` sorts them)."""
    return _glyphs(font).plain.issuperset(text)


def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """`text` as it is drawn: (text, font) runs, each character in a font that has it."""
    glyphs = _glyphs(font)
    if glyphs.plain.issuperset(text):
        return [(text, font)]
    runs: list[tuple[str, str]] = []
    for ch in text:
        drawn, in_font = glyphs[ch]
        if not drawn:
            continue
        if runs and runs[-1][1] == in_font:
            runs[-1] = (runs[-1][0] + drawn, in_font)
        else:
            runs.append((drawn, in_font))
    return runs


def missing_glyphs(text: str | None, font: str) -> list[str]:
    """The characters of `text` no font here has (printed as STAND_IN), each once, in order."""
    glyphs = _glyphs(font)
    if not text or glyphs.plain.issuperset(text):
        return []
    gone = []
    for ch in dict.fromkeys(text):
        glyphs[ch]  # sorts the character into plain or missing when first seen
        if ch in glyphs.missing:
            gone.append(ch)
    return gone


def _glyph_middle(font: str, ch: str) -> float | None:
    """The height of the middle of `ch`'s outline above the baseline, in em, read from the
    font's glyf table (reportlab parses the offsets but does not keep glyph boxes); None when
    the font or reportlab does not say."""
    from reportlab.pdfbase import pdfmetrics

    try:
        face: Any = getattr(pdfmetrics.getFont(font), "face", None)
        at = face.table["glyf"]["offset"] + face.glyphPos[face.charToGlyph[ord(ch)]]
        _contours, _x0, y0, _x1, y1 = struct.unpack(">hhhhh", face._ttf_data[at:at + 10])
        return (y0 + y1) / 2 / face.unitsPerEm
    except (AttributeError, KeyError, IndexError, TypeError, struct.error):
        return None


@cache
def stand_in_shape(font: str) -> tuple[float, float]:
    """(scale, rise), rise in em: STAND_IN drawn at `scale` times the text's size is an em wide
    (WenQuanYi's □ is 0.6 em), raised by `rise` its middle is at the middle of 田, so the mark
    reads as a missing character in the line, not a bullet above it."""
    from reportlab.pdfbase import pdfmetrics

    scale = 1 / (pdfmetrics.stringWidth(STAND_IN, font, 1) or 1.0)
    box, han = _glyph_middle(font, STAND_IN), _glyph_middle(font, "田")
    if box is None or han is None:
        return scale, 0.0
    return scale, han - box * scale


def forget_glyphs() -> None:
    """Look for fallback fonts again and sort every character anew (after a font was
    installed, or a test changed FALLBACK_ENV); see also pdf_common.forget_fonts."""
    fallback_fonts.cache_clear()
    _glyphs.cache_clear()
    stand_in_shape.cache_clear()
