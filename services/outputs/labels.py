"""Mailing labels and DL envelopes in Chinese address order (province → city → district →
street, postcode). Layouts are data (resources/layouts/labels.json), named in Chinese and English
(`layout_title`); text shrinks, wraps and at worst is cut with "…", so it never leaves its label;
a character no font has prints as □ and is reported (`unprintable_members`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from services.outputs.fonts import cjk_font
from services.outputs.label_layouts import (  # noqa: F401 - callers read them here too
    DEFAULT_LAYOUT,
    layout,
    layout_title,
    layouts,
)
from services.outputs.pdf_common import draw_string, text_width, unprintable, wrap_lines
from services.outputs.types import NO_STEPS, ListDocument, ListMember, Steps
from services.store.errors import N_, RevisitError

MIN_SIZE = 5.0
# Text grows with the label up to this many times its base size (a 99 mm label is not printed
# in the 70 mm label's type), in steps of GROW_STEP.
MAX_GROW, GROW_STEP = 1.6, 1.06


@dataclass(frozen=True)
class Sender:
    """The dealer, printed as the return address on envelopes."""

    name: str = ""
    address: str = ""
    postcode: str = ""

    @classmethod
    def from_settings(cls, settings) -> Sender:
        """The shop as the shared settings name it (services/settings.py)."""
        return cls(settings.shop_name, settings.shop_address, settings.shop_postcode)


def addressee(m: ListMember) -> str:
    """"陈国 先生 收": the full name, then the honorific taken from the salutation; a customer
    with a contact person, the company, then "王经理 收" on a line of its own (a long company
    name wrapped onto the contact's line broke the contact's name in two)."""
    if m.contact_person:
        return f"{m.name}\n{m.contact_person} 收"
    title = next((t for t in ("先生", "女士") if m.salutation.endswith(t)), "")
    return " ".join(p for p in (m.name, title, "收") if p)


@dataclass(frozen=True)
class Fitted:
    size: float
    lines: tuple[str, ...]


def _height(fitted: list[Fitted]) -> float:
    return sum(len(f.lines) * f.size * 1.2 for f in fitted)


def _lines(blocks: list[tuple[str, float]], width: float, font: str,
           scale: float) -> list[Fitted]:
    return [Fitted(s * scale, tuple(wrap_lines(t, width, font, s * scale))) for t, s in blocks]


def fit(blocks: list[tuple[str, float]], width: float, height: float, font: str,
        grow: bool = False) -> list[Fitted]:
    """Size all blocks together (each keeps its relative size) so the wrapped lines fill the
    box: larger on a larger label (`grow`, up to MAX_GROW), smaller until they fit; below
    MIN_SIZE the last block is cut with "…" instead of overflowing."""
    scale = 1.0
    if grow and _height(_lines(blocks, width, font, 1.0)) <= height:
        while scale * GROW_STEP <= MAX_GROW and \
                _height(_lines(blocks, width, font, scale * GROW_STEP)) <= height:
            scale *= GROW_STEP
        return _lines(blocks, width, font, scale)
    while True:
        out = [Fitted(s * scale, tuple(wrap_lines(t, width, font, s * scale))) for t, s in blocks]
        needed = sum(len(f.lines) * f.size * 1.2 for f in out)
        if needed <= height:
            return out
        if min(s for _, s in blocks) * scale * 0.92 < MIN_SIZE:
            break
        scale *= 0.92
    # At the smallest size: keep whole blocks first, cut the last one to what is left.
    left = height
    result: list[Fitted] = []
    for f in out:
        fits = int(left // (f.size * 1.2))
        if fits <= 0:
            break
        if fits < len(f.lines):
            text = "".join(f.lines)
            f = Fitted(f.size, tuple(wrap_lines(text, width, font, f.size, fits)))
        result.append(f)
        left -= len(f.lines) * f.size * 1.2
    return result


def _draw_block(c: Canvas, x: float, top: float, fitted: list[Fitted], font: str,
                height: float | None = None) -> None:
    """The lines from `top` down; with `height`, centred in that height."""
    y = top if height is None else top - max(0.0, (height - _height(fitted)) / 2)
    for f in fitted:
        for line in f.lines:
            y -= f.size * 1.2
            draw_string(c, x, y + f.size * 0.25, line, font, f.size)


# The row code's size on a label: small, on a line of its own under the address.
CODE_PT = 5.5


def _label(c: Canvas, m: ListMember, x: float, y: float, lay: dict, font: str) -> None:
    """The address block, and the row code under it at the right, both inside the label's
    padding: on an edge-to-edge sheet (3×8) the labels touch the page's edges, where a printer
    prints nothing (laser printers leave some 4 mm)."""
    pad = lay["padding"] * mm
    code_h = CODE_PT * 1.2
    w, h = lay["width"] * mm - 2 * pad, lay["height"] * mm - 2 * pad - code_h
    blocks = [(m.postcode or "", 10.0), (m.address, 9.0), (addressee(m), 12.0)]
    blocks = [b for b in blocks if b[0]]
    _draw_block(c, x + pad, y + lay["height"] * mm - pad, fit(blocks, w, h, font, grow=True),
                font, h)
    draw_string(c, x + lay["width"] * mm - pad, y + pad + CODE_PT * 0.25, m.row_code, font,
                CODE_PT, "end")


def _sheet(c: Canvas, members: Iterable[ListMember], lay: dict, font: str) -> None:
    per_page = lay["columns"] * lay["rows"]
    page_h = lay["page"][1] * mm
    for i, m in enumerate(members):
        slot = i % per_page
        if i and slot == 0:
            c.showPage()
        col, row = slot % lay["columns"], slot // lay["columns"]
        x = (lay["left"] + col * lay["pitch_x"]) * mm
        y = page_h - (lay["top"] + row * lay["pitch_y"] + lay["height"]) * mm
        _label(c, m, x, y, lay, font)


def _box(part: dict, page_h: float) -> tuple[float, float, float, float]:
    """(x, top y, width, height) in points from a layout part given from the top-left."""
    return (part["left"] * mm, page_h - part["top"] * mm, part["width"] * mm,
            part["height"] * mm)


def _envelope(c: Canvas, m: ListMember, lay: dict, sender: Sender, font: str) -> None:
    page_h = lay["page"][1] * mm
    pc = lay["postcode_box"]
    c.setLineWidth(0.8)
    c.setStrokeColorRGB(0.8, 0.1, 0.1)  # the red 邮政编码 boxes of Chinese envelopes
    digits = (m.postcode or "")[:6]
    for i in range(6):
        x = (pc["left"] + i * (pc["width"] + pc["gap"])) * mm
        y = page_h - (pc["top"] + pc["height"]) * mm
        c.rect(x, y, pc["width"] * mm, pc["height"] * mm)
        if i < len(digits):
            draw_string(c, x + pc["width"] * mm / 2, y + 2.5 * mm, digits[i], font, 16,
                        "middle")
    c.setStrokeColorRGB(0, 0, 0)
    for part, blocks in (
        ("address", [(m.address, 14.0)]),
        ("name", [(addressee(m), 22.0)]),
        ("sender", [(sender.address, 9.0), (sender.name, 10.0),
                    (f"邮政编码：{sender.postcode}" if sender.postcode else "", 9.0)]),
    ):
        x, top, w, h = _box(lay[part], page_h)
        blocks = [b for b in blocks if b[0]]
        if blocks:
            _draw_block(c, x, top, fit(blocks, w, h, font), font)
    draw_string(c, lay["page"][0] * mm - 4 * mm, 4 * mm, m.row_code, font, 6, "end")


def check_labels(layout_name: str, sender: Sender | None) -> dict[str, Any]:
    """The layout, once it is known and, for envelopes, the shop's return address is filled
    in; else the refusal. Checked before anything is written (run_files checks every file of
    a request so, before writing the first)."""
    lay = layout(layout_name)
    if lay.get("envelope") and not (sender and sender.address.strip()):
        # Post returned from an envelope without a sender goes nowhere; nothing is written.
        raise RevisitError(N_("Envelopes need the shop's return address: fill in the shop "
                              "address in Settings (shared settings), then print again."))
    return lay


def write_labels(doc: ListDocument, path: Path | str, layout_name: str = DEFAULT_LAYOUT,
                 sender: Sender | None = None, steps: Steps = NO_STEPS) -> Path:
    """Labels (or one envelope per page) for the document's mail members
    (services/outputs/run_files.py refuses a run with none)."""
    path = Path(path)
    lay = check_labels(layout_name, sender)
    font = cjk_font()
    members = steps.counted(doc.of_channel("mail"))
    size = (lay["page"][0] * mm, lay["page"][1] * mm)
    # types-reportlab types initialFontName as a float; reportlab takes a font name there.
    c = Canvas(str(path), pagesize=size, invariant=1,
               initialFontName=font)  # type: ignore[arg-type]
    c.setTitle(f"邮寄标签 {doc.segment}")
    if lay.get("envelope"):
        for i, m in enumerate(members):
            if i:
                c.showPage()
            _envelope(c, m, lay, sender or Sender(), font)
    else:
        _sheet(c, members, lay, font)
    c.showPage()
    c.save()
    return path


def unprintable_members(doc: ListDocument, layout_name: str = DEFAULT_LAYOUT,
                        sender: Sender | None = None) -> tuple[str, ...]:
    """One line per addressee (and the shop, on envelopes) with characters no font on this
    computer has, printed as □: who, which part of the label, which characters."""
    font = cjk_font()
    found = [unprintable(f"{m.row_code} {m.name}", (
        ("姓名", addressee(m)), ("地址", m.address), ("邮编", m.postcode)), font)
        for m in doc.of_channel("mail")]
    if sender is not None and layout(layout_name).get("envelope"):
        found.append(unprintable(f"寄件人 {sender.name}".strip(), (
            ("寄件人", sender.name), ("寄件地址", sender.address),
            ("邮编", sender.postcode)), font))
    return tuple(f for f in found if f)


def label_fits(text_blocks: list[tuple[str, float]], width_mm: float, height_mm: float) -> bool:
    """True when the fitted blocks stay inside the box (for tests and layout checks)."""
    font = cjk_font()
    fitted = fit(text_blocks, width_mm * mm, height_mm * mm, font)
    if sum(len(f.lines) * f.size * 1.2 for f in fitted) > height_mm * mm + 0.01:
        return False
    return all(text_width(line, font, f.size) <= width_mm * mm + 0.01
               for f in fitted for line in f.lines)
