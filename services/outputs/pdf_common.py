"""Shared reportlab pieces: paragraph styles on the CJK font, a canvas that prints
"第 x 页 / 共 y 页", a flowable that tells the page decorations which section is running, Chinese
line breaking that never passes the width, and drawing each character in a font that has it
(a fallback font for 𠮷 or 😀, else a visible □ that `unprintable` reports)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable

from services.outputs.fonts import (
    EXTRA_CANNOT_START,
    STAND_IN_FONT,
    cjk_font,
    font_runs,
    forget_glyphs,
    glyph_of,
    known_in_font,
    missing_glyphs,
    stand_in_shape,
)

# Characters a line must not start with: full-width closing punctuation and its ASCII kin.
CANNOT_START = EXTRA_CANNOT_START + ",.:;!?)]}%"


def style(size: float = 7.5, leading: float | None = None, name: str = "cell") -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=cjk_font(), fontSize=size, leading=leading or size * 1.25,
        wordWrap="CJK", splitLongWords=True,
    )


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class NumberedCanvas(rl_canvas.Canvas):
    """Holds pages until the end so each footer can say how many pages there are in all."""

    footer_y = 16.0
    font_size = 8.0
    # reportlab's Canvas has these; its stubs leave them out (declarations only, no values).
    _pagesize: tuple[float, float]
    _startPage: Callable[[], None]

    def __init__(self, *args, **kwargs) -> None:
        # Start every page on the embedded font, so no non-embedded Helvetica is referenced.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or cjk_font()
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(cjk_font(), self.font_size)
            self.drawCentredString(self._pagesize[0] / 2, self.footer_y,
                                   f"第 {number} 页 / 共 {total} 页")
            super().showPage()
        super().save()


class SectionMark(Flowable):
    """Zero-size marker: from here on the page decorations show this section's title."""

    def __init__(self, title: str, kind: str) -> None:
        super().__init__()
        self.title = title
        self.kind = kind
        self.width = self.height = 0

    def wrap(self, *_args) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        # A tag on the canvas for onPageEnd to read; Canvas declares no such attribute.
        self.canv._revisit_section = (self.title, self.kind)  # type: ignore[attr-defined]


def unprintable(who: str, fields: Iterable[tuple[str, str | None]], font: str) -> str | None:
    """One line for the warning when some field of `who` has characters no font here has:
    "9-0001 𠮷田太郎（姓名：𠮷 U+20BB7）"; None when everything prints as typed."""
    names: list[str] = []
    chars: list[str] = []
    for name, value in fields:
        gone = missing_glyphs(value, font)
        if gone and name not in names:
            names.append(name)
        chars += [ch for ch in gone if ch not in chars]
    if not chars:
        return None
    shown = ", ".join(f"{ch} U+{ord(ch):04X}" for ch in chars)
    return f"{who}（{'、'.join(names)}：{shown}）"


def text_out(text_obj: PDFTextObject, text: str, font: str, size: float,
             leading: float | None = None) -> None:
    """textOut of `text` in the text object's font (`font` at `size`, `leading` as it was set:
    reportlab's default is 1.2 × size), a character the font lacks in a fallback font (or as
    STAND_IN); the text object is left on `font` as it was."""
    runs = font_runs(text, font)
    if len(runs) == 1 and runs[0][1] == font:
        text_obj.textOut(runs[0][0])
        return
    leading = size * 1.2 if leading is None else leading
    for run, in_font in runs:
        if in_font == STAND_IN_FONT:  # an em wide and level with the characters around it
            scale, rise = stand_in_shape(font)
            text_obj.setFont(font, size * scale, leading)
            text_obj.setRise(rise * size)
            text_obj.textOut(run)
            text_obj.setRise(0)
        else:
            text_obj.setFont(in_font, size, leading)
            text_obj.textOut(run)
    text_obj.setFont(font, size, leading)


def text_line(text_obj: PDFTextObject, text: str, font: str, size: float,
              leading: float | None = None) -> None:
    """text_out, then on to the next line, as textLine (in one call when the font has every
    character: a second, empty textLine per line cost a third of a call sheet's drawing)."""
    if known_in_font(text, font):
        text_obj.textLine(text)
        return
    text_out(text_obj, text, font, size, leading)
    text_obj.textLine("")


def draw_string(c: rl_canvas.Canvas, x: float, y: float, text: str, font: str, size: float,
                anchor: str = "start") -> None:
    """drawString (anchor "start"), drawCentredString ("middle") or drawRightString ("end")
    of text that may need fallback fonts."""
    if anchor != "start":
        x -= text_width(text, font, size) / (2 if anchor == "middle" else 1)
    obj = c.beginText(x, y)
    obj.setFont(font, size)
    text_out(obj, text, font, size)
    c.drawText(obj)


class Lines(Flowable):
    """Pre-wrapped lines at one size, drawn with fallback fonts: a table cell's text."""

    def __init__(self, lines: list[str], font: str, size: float, leading: float) -> None:
        super().__init__()
        self.lines, self.font, self.size, self.leading = lines, font, size, leading

    def wrap(self, avail_width: float, *_args) -> tuple[float, float]:
        self.width = max((text_width(line, self.font, self.size) for line in self.lines),
                         default=0.0)
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def draw(self) -> None:
        obj = self.canv.beginText(0, self.height - self.size)
        obj.setFont(self.font, self.size, self.leading)
        for line in self.lines:
            text_line(obj, line, self.font, self.size, self.leading)
        self.canv.drawText(obj)


class _Widths(dict):
    """One font's character widths at 1 pt, each measured once, on first use, in the font the
    character is drawn in (a fallback font's width for 𠮷, the stand-in's when none has it)."""

    def __init__(self, font: str) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, ch: str) -> float:
        drawn, font = glyph_of(self.font, ch)
        if font == STAND_IN_FONT:
            width = 1.0
        else:
            width = pdfmetrics.stringWidth(drawn, font, 1) if drawn else 0.0
        self[ch] = width
        return width


@cache
def _widths(font: str) -> _Widths:
    return _Widths(font)


def forget_fonts() -> None:
    """fonts.forget_glyphs, and the widths measured with what it knew."""
    forget_glyphs()
    _widths.cache_clear()


def text_width(text: str, font: str, size: float) -> float:
    # Summed in C from a dict: wrapping the cells of a 3,094-row call sheet took 0.24 s with
    # a cached function called per character (270,000 calls), 0.09 s so.
    return sum(map(_widths(font).__getitem__, text)) * size


# Words a caller reads at a glance, never split across lines (a time of day split as 上 / 午
# reads wrongly); longer ones first so 工作日 wins over a shorter match.
KEEP_TOGETHER = ("工作日", "周末", "上午", "中午", "下午", "晚上", "不限", "早上")
# A time, or a range of times, is one word too: 10点, 10–11点, 9:00–12:00, 9点半至11点.
_TIME = r"\d{1,2}(?:[:：]\d{2})?(?:点半|点钟|点|时)?"
TIME_RANGE = _TIME + r"\s?[-–—~～至到]\s?" + _TIME + r"|\d{1,2}(?:[:：]\d{2})?(?:点半|点钟|点|时)"
# An opening bracket or quote never ends a line: it goes with what follows it.
_KEEP = re.compile("[（(“‘《【「『〈]*(?:" + TIME_RANGE + "|" + "|".join(KEEP_TOGETHER)
                   + r"|[A-Za-z0-9][A-Za-z0-9,.:/-]*[A-Za-z0-9]|.)", re.S)


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character alone, except the words of KEEP_TOGETHER and
    times (TIME_RANGE); runs of Latin letters and digits (with the , . : / - inside numbers and
    dates) together; opening brackets with the token after them."""
    return _KEEP.findall(text)


def _starts_line(tok: str) -> bool:
    return tok[0] not in CANNOT_START and not tok.isspace()


def _kinsoku_keep(line: list[str], widths: list[float], w: float, width: float) -> int:
    """How many of the line's tokens stay when a closing mark (`w` wide) does not fit after
    them: the last token that may start a line moves down with the mark, and any marks
    between them (so "年：" goes down together). All stay when that cannot fit either (a
    line filled by one long run): then, and only then, the mark starts the next line."""
    for keep in range(len(line) - 1, 0, -1):
        if _starts_line(line[keep]):
            return keep if sum(widths[keep:]) + w <= width else len(line)
    return len(line)


def wrap_lines(text: str, width: float, font: str, size: float,
               max_lines: int | None = None) -> list[str]:
    """Greedy line breaking for Chinese text, no line wider than `width`. No line starts with
    a closing punctuation mark (kinsoku): one that does not fit at the end of a line takes the
    character before it down to the next line; when `max_lines` cuts the text, the last line
    ends with "…"."""
    width_of = _widths(font).__getitem__
    if text and "\n" not in text and (max_lines is None or max_lines > 0) \
            and sum(map(width_of, text)) * size < width - 1e-6:
        # Most cells of a list fit on one line: summed at C speed, not token by token (a
        # third of the 2,000-member call sheet's line breaking). Too close to call falls
        # through to the loop below.
        return [text.rstrip()]
    lines: list[str] = []
    for para in (text or "").split("\n"):
        line: list[str] = []
        widths: list[float] = []
        used = 0.0
        for tok in _tokens(para):
            # Most tokens are one character; the same sum as text_width either way.
            w = (width_of(tok) if len(tok) == 1 else sum(map(width_of, tok))) * size
            if line and used + w > width:
                keep = _kinsoku_keep(line, widths, w, width) if tok[0] in CANNOT_START \
                    else len(line)
                lines.append("".join(line[:keep]).rstrip())
                line, widths = line[keep:], widths[keep:]
                used = sum(widths)
                if not line and tok.isspace():
                    continue
            if not line and w > width and len(tok) > 1:  # a very long Latin run: split it
                for ch in tok:
                    cw = width_of(ch) * size
                    if line and used + cw > width:
                        lines.append("".join(line))
                        line, widths, used = [], [], 0.0
                    line.append(ch)
                    widths.append(cw)
                    used += cw
                continue
            line.append(tok)
            widths.append(w)
            used += w
        lines.append("".join(line).rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


_BLACK = colors.black
_RED: dict[str, colors.Color] = {}


class PartsLine(Flowable):
    """Short phrases side by side on at most `max_lines` lines, each in black or red: a phrase
    moves whole to the next line rather than being split (one longer than the whole width is
    wrapped like any text), and the last line that fits ends with "…" when some are left."""

    SEPARATOR = "  ·  "

    def __init__(self, parts: list[tuple[str, bool]], width: float, font: str, size: float,
                 max_lines: int = 2, red: str = "#B71C1C") -> None:
        super().__init__()
        self.font, self.size, self.red = font, size, red
        _RED.setdefault(red, colors.HexColor(red))
        self.leading = size * 1.2
        self.width = width
        self.lines = self._lay_out(parts, max_lines)
        self.height = len(self.lines) * self.leading

    def _lay_out(self, parts: list[tuple[str, bool]],
                 max_lines: int) -> list[list[tuple[str, bool]]]:
        sep = text_width(self.SEPARATOR, self.font, self.size)
        pieces: list[tuple[str, bool]] = []
        for text, red in parts:
            if text_width(text, self.font, self.size) <= self.width:
                pieces.append((text, red))
            else:
                pieces += [(line, red) for line in
                           wrap_lines(text, self.width, self.font, self.size)]
        lines: list[list[tuple[str, bool]]] = [[]]
        used = 0.0
        for text, red in pieces:
            w = text_width(text, self.font, self.size)
            if lines[-1] and used + sep + w > self.width:
                if len(lines) == max_lines:
                    self._end_cut(lines[-1], used)
                    return lines
                lines.append([])
                used = 0.0
            used += (sep if lines[-1] else 0.0) + w
            lines[-1].append((text, red))
        return lines

    def _end_cut(self, line: list[tuple[str, bool]], used: float) -> None:
        """Mark the cut: "…" after the line's last phrase, shortened until it fits."""
        text, red = line[-1]
        before = used - text_width(text, self.font, self.size)
        while text and before + text_width(text + "…", self.font, self.size) > self.width:
            text = text[:-1]
        line[-1] = (text + "…", red)

    def wrap(self, *_args) -> tuple[float, float]:
        return self.width, self.height

    def _runs(self, line: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
        """The line as few strings as possible: neighbours of one colour, separators between
        them included, drawn as one."""
        runs: list[tuple[str, bool]] = []
        for j, (text, red) in enumerate(line):
            if j:
                text = self.SEPARATOR + text if not red else text
                if red:
                    runs = self._join(runs, self.SEPARATOR, False)
            runs = self._join(runs, text, red)
        return runs

    @staticmethod
    def _join(runs: list[tuple[str, bool]], text: str, red: bool) -> list[tuple[str, bool]]:
        if runs and runs[-1][1] == red:
            runs[-1] = (runs[-1][0] + text, red)
        else:
            runs.append((text, red))
        return runs

    def draw(self) -> None:
        # One text object for every line: far fewer PDF operators than a drawString each.
        text = self.canv.beginText()
        text.setFont(self.font, self.size)
        red_now = False
        for i, line in enumerate(self.lines):
            text.setTextOrigin(0, self.height - (i + 1) * self.leading + 0.25 * self.size)
            for run, red in self._runs(line):
                if red != red_now:
                    text.setFillColor(_RED[self.red] if red else _BLACK)
                    red_now = red
                text_out(text, run, self.font, self.size)
        if red_now:
            text.setFillColor(_BLACK)
        self.canv.drawText(text)
