"""Shared reportlab pieces: paragraph styles on the CJK font, a canvas that prints
"第 x 页 / 共 y 页", and a flowable that tells the page decorations which section is running."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable

from services.outputs.fonts import EXTRA_CANNOT_START, cjk_font

# Characters a line must not start with: full-width closing punctuation and its ASCII kin.
CANNOT_START = EXTRA_CANNOT_START + ",.:;!?)]}%"


def style(size: float = 7.5, leading: float | None = None, name: str = "cell") -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=cjk_font(), fontSize=size, leading=leading or size * 1.25,
        wordWrap="CJK", splitLongWords=True,
    )


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str | None, limit: int) -> str:
    """Bound a free-text cell so one chatty note cannot make a row a page high."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


class _Widths(dict):
    """One font's character widths at 1 pt, each measured once, on first use."""

    def __init__(self, font: str) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, ch: str) -> float:
        width = self[ch] = pdfmetrics.stringWidth(ch, self.font, 1)
        return width


@cache
def _widths(font: str) -> _Widths:
    return _Widths(font)


def text_width(text: str, font: str, size: float) -> float:
    # Summed in C from a dict: wrapping the cells of a 3,094-row call sheet took 0.24 s with
    # a cached function called per character (270,000 calls), 0.09 s so.
    return sum(map(_widths(font).__getitem__, text)) * size


# Words a caller reads at a glance, never split across lines (a time of day split as 上 / 午
# reads wrongly); longer ones first so 工作日 wins over a shorter match.
KEEP_TOGETHER = ("工作日", "周末", "上午", "中午", "下午", "晚上", "不限", "早上")
# An opening bracket or quote never ends a line: it goes with what follows it.
_KEEP = re.compile("[（(“‘《【「『〈]*(?:" + "|".join(KEEP_TOGETHER)
                   + r"|[A-Za-z0-9][A-Za-z0-9,.:/-]*[A-Za-z0-9]|.)", re.S)


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character alone, except the words of KEEP_TOGETHER;
    runs of Latin letters and digits (with the , . : / - inside numbers and dates) together;
    opening brackets with the token after them."""
    return _KEEP.findall(text)


def wrap_lines(text: str, width: float, font: str, size: float,
               max_lines: int | None = None) -> list[str]:
    """Greedy line breaking for Chinese text. A closing punctuation mark that would start a
    line hangs at the end of the previous one instead (kinsoku); when `max_lines` cuts the
    text, the last line ends with "…"."""
    lines: list[str] = []
    width_of = _widths(font).__getitem__
    for para in (text or "").split("\n"):
        line, used = "", 0.0
        for tok in _tokens(para):
            # Most tokens are one character; the same sum as text_width either way.
            w = (width_of(tok) if len(tok) == 1 else sum(map(width_of, tok))) * size
            if line and used + w > width and tok[0] not in CANNOT_START:
                lines.append(line.rstrip())
                line, used = "", 0.0
                if tok == " ":
                    continue
            if not line and w > width and len(tok) > 1:  # a very long Latin run: split it
                for ch in tok:
                    cw = width_of(ch) * size
                    if line and used + cw > width:
                        lines.append(line)
                        line, used = "", 0.0
                    line, used = line + ch, used + cw
                continue
            line, used = line + tok, used + w
        lines.append(line.rstrip())
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
                text.textOut(run)
        if red_now:
            text.setFillColor(_BLACK)
        self.canv.drawText(text)
