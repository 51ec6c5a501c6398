"""The weekly call sheet (周跟进表): A4 landscape, one section per caller, tick boxes for the
outcome, a notes box and a short row id per line, and under each member's facts their condensed
pre-call brief when one is given (services/customers/brief_batch.py `sheet_briefs`); then an
appendix of who was excluded and why. Text is wrapped to stay inside its cell's padding; the
talking points print whole (the row grows), the plate always under the model; a character no
font has prints as □, and `unprintable_members` says whose."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Table,
    TableStyle,
)

from services.labels import text as code_label
from services.outputs.fonts import cjk_font
from services.outputs.pdf_common import (
    Lines,
    NumberedCanvas,
    PartsLine,
    SectionMark,
    draw_string,
    text_line,
    text_width,
    unprintable,
    wrap_lines,
)
from services.outputs.types import (
    NO_STEPS,
    OUTCOME_BOXES,
    Excluded,
    ListDocument,
    ListMember,
    Steps,
)

if TYPE_CHECKING:
    from services.customers.brief_batch import CondensedBrief

PAGE = landscape(A4)
MARGIN = 10 * mm
TITLE_TOP = 8 * mm
HEAD_H = 9 * mm
FRAME_TOP = 27 * mm
FRAME_BOTTOM = 12 * mm
FRAME_HEIGHT = PAGE[1] - FRAME_TOP - FRAME_BOTTOM

# Sizes a caller reads at arm's length: the body at 9 pt, the longer texts (last feedback,
# talking points) at 8.5 pt, and a notes column wide enough for a handwritten sentence (45 mm).
# The phone column holds a landline with a 4-digit area code on one line (0571-88881234).
BODY_PT, TEXT_PT = 9, 8.5
COLUMNS = (  # header, width in mm: 277 mm between the margins of landscape A4
    ("编号", 15), ("姓名", 17), ("电话", 24), ("最佳时间", 17), ("车型 / 车牌", 25),
    ("车龄 / 里程", 18), ("上次联系 / 客户反馈", 36), ("话术要点", 42),
    ("结果（打勾）", 38), ("备注", 45),
)
WIDTHS = [w * mm for _, w in COLUMNS]
# Where each column starts, and the right edge last: summed as reportlab's Table sums them.
EDGES = list(accumulate(WIDTHS, initial=0.0))
TOTAL_WIDTH = EDGES[-1]
PAD = 2  # every cell's padding, on each side
SIZES = (BODY_PT,) * 6 + (TEXT_PT,) * 2  # the font size of the text columns
LEADING = {BODY_PT: BODY_PT * 1.2, TEXT_PT: TEXT_PT * 1.2}
# The condensed brief: one or two lines under the member's facts, across the columns from the
# row id to the talking points; the outcome boxes and the notes run down beside it.
BRIEF_SPAN = 8
BRIEF_WIDTH = sum(WIDTHS[:BRIEF_SPAN])
RED = "#B71C1C"
HEAD_SHADE = colors.HexColor("#E6E6E6")
ARROWS = {"up": "↑", "down": "↓", "same": ""}
APPENDIX_COLUMNS = (("序号", 14), ("姓名", 24), ("客户编号", 30), ("电话", 28),
                    ("排除原因", 40), ("说明", 141))
APPENDIX_WIDTHS = [w * mm for _, w in APPENDIX_COLUMNS]
# The appendix is read when someone asks why a customer is not on the sheet, so it is set in
# the talking points' 8.5 pt, not smaller: a reference page, but one read at the same desk.
APPENDIX_PT = TEXT_PT
APPENDIX_LINES = (1, 2, 2, 1, 2, 3)  # at most, per column: a row stays a few lines high


def _grid(font: str, size: float) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ] + [(side, (0, 0), (-1, -1), PAD) for side in ("LEFTPADDING", "RIGHTPADDING",
                                                      "TOPPADDING", "BOTTOMPADDING")]
    return TableStyle(cmds)


def _stamp(c: Canvas, name: str, x: float, y: float, draw: Callable[[Canvas], None]) -> None:
    """Put what `draw` draws at (x, y): drawn once per document as a form, then placed
    wherever it repeats (the outcome boxes in every row, the headings on every page)."""
    if not c.hasForm(name):
        # Bounded by the page, not the drawing: a form clips to its box, and nothing was
        # clipped when these were drawn in place.
        w, h = int(PAGE[0]) + 1, int(PAGE[1]) + 1
        c.beginForm(name, -w, -h, w, h)
        draw(c)
        c.endForm()
    c.saveState()
    c.translate(x, y)
    c.doForm(name)
    c.restoreState()


class OutcomeBoxes:
    """Six empty squares with their labels, two per line, to tick with a pen: one form,
    where drawn in each row their labels were a fifth of the strings a sheet drew."""

    BOX = 3.2 * mm
    LINE = 4.8 * mm
    FONT_PT = 8.5
    WIDTH = WIDTHS[8] - 2 * PAD
    HEIGHT = 3 * LINE

    @classmethod
    def draw_on(cls, c: Canvas, x: float, y: float) -> None:
        _stamp(c, "outcome_boxes", x, y, cls._draw)

    @classmethod
    def _draw(cls, c: Canvas) -> None:
        c.setLineWidth(0.6)
        c.setStrokeColor(colors.black)
        c.setFillColor(colors.black)
        half = cls.WIDTH / 2
        text = c.beginText()
        text.setFont(cjk_font(), cls.FONT_PT)
        for i, (_code, label) in enumerate(OUTCOME_BOXES):
            x = (i % 2) * half
            y = cls.HEIGHT - (i // 2 + 1) * cls.LINE + 0.6 * mm
            c.rect(x, y, cls.BOX, cls.BOX)
            text.setTextOrigin(x + cls.BOX + 1 * mm, y + 0.5 * mm)
            text.textOut(label)
        c.drawText(text)


def _years(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}年"




def _last_contact(m: ListMember) -> str:
    head = " ".join(p for p in (m.last_contact.isoformat() if m.last_contact else "",
                                m.last_outcome or "") if p)
    body = " ".join((m.last_feedback or "").split())
    if head and body:
        return f"{head}：{body}"
    return head or body


def _spend_kind(kind: str) -> str:
    visit = code_label("visit_type", kind)
    return visit if visit != kind else code_label("purchase_kind", kind)


def brief_parts(b: CondensedBrief) -> list[tuple[str, bool]]:
    """The condensed brief as printed: (phrase, in red) — the suggested purpose, open
    complaints, satisfaction and its direction, the last spend, intent and what changed since
    the car was bought; what is not known is said plainly or left out, never printed empty."""
    parts: list[tuple[str, bool]] = []
    if b.purpose:
        parts.append((f"建议：{code_label('purpose', b.purpose)}", False))
    if b.open_complaints:
        parts.append((f"未结投诉 {b.open_complaints} 件", True))
    if b.satisfaction is None:
        parts.append(("无满意度调查", False))
    else:
        score = f"满意度 {b.satisfaction}分"
        if b.satisfaction_before is not None:
            score = f"满意度 {b.satisfaction_before}→{b.satisfaction}分"
            score += ARROWS[b.satisfaction_trend or "same"]
        parts.append((score, b.satisfaction <= 6))
    spend = b.last_spend
    if spend is None:
        parts.append(("无消费记录", False))
    else:
        parts.append((f"上次消费 {spend.date.isoformat()} ¥{spend.amount:,.0f} "
                      f"{_spend_kind(spend.kind)}", False))
    if b.intent_strength:
        window = code_label("intent_window", b.intent_window) if b.intent_window else ""
        parts.append((f"意向{code_label('intent_strength', b.intent_strength)} {window}".strip(),
                      False))
    changes = [f"经济{ARROWS[b.economy]}"] if b.economy else []
    changes += ["家庭有变"] if b.family_changed else []
    changes += ["工作有变"] if b.work_changed else []
    if changes:
        parts.append(("购车后 " + " ".join(changes), False))
    return parts


class _Styles:
    def __init__(self) -> None:
        self.font = cjk_font()
        self.appendix = _grid(self.font, APPENDIX_PT)

    def wrap(self, text: str | None, col: int, size: float, max_lines: int = 6) -> list[str]:
        return wrap_lines(text or "", WIDTHS[col] - 2 * PAD, self.font, size, max_lines)

    def vehicle(self, model: str | None, plate: str | None) -> list[str]:
        """The model on at most three lines ("…" ends a longer one), then the plate in full on
        the lines under it: the plate is how the caller tells which car is meant."""
        lines = self.wrap(model, 4, BODY_PT, 3) if model else []
        if plate:
            lines += wrap_lines(plate, WIDTHS[4] - 2 * PAD, self.font, BODY_PT)
        return lines or [""]

    def km(self, value: int | None) -> str:
        """公里, as the window says it in Chinese (the sheet is printed in Chinese), beside the
        number when it fits the 18 mm column at 9 pt (up to 99,999公里), else under it: a
        wrap inside the unit printed 116,974公 with 里 on the next line (shrinking to 8.5 pt
        would not have made a 7-digit reading fit)."""
        if value is None:
            return ""
        whole = f"{value:,}公里"
        if text_width(whole, self.font, BODY_PT) <= WIDTHS[5] - 2 * PAD:
            return whole
        return f"{value:,}\n公里"

    def phone(self, number: str | None) -> list[str]:
        """A number on as few lines as its column takes, broken only before a dash: a landline
        with a 4-digit area code and an extension (0571-88881234-1234) is wider than the
        column, and a number cut between digits is misdialled."""
        width = WIDTHS[2] - 2 * PAD
        lines: list[str] = []
        for part in (number or "").split("\n"):
            line = ""
            for piece in re.findall(r"-*[^-]+|-+$", part) or [""]:
                if line and text_width(line + piece, self.font, BODY_PT) > width:
                    lines.append(line)
                    line = ""
                line += piece
            lines.append(line)
        return lines


def _member_row(m: ListMember, st: _Styles,
                brief: CondensedBrief | None = None) -> MemberRow:
    cells = [
        st.wrap(m.row_code, 0, BODY_PT, 2),
        # A company's 联系人 under its name, as whom the caller asks for ("找王经理": one line
        # of the narrow column, so the row grows no taller than its outcome boxes). A long
        # name takes up to four lines of it (a company, 欧阳·尼格买提·买买提) before it is cut.
        st.wrap(m.name, 1, BODY_PT, 4) + (
            st.wrap(f"找{m.contact_person}", 1, BODY_PT, 2) if m.contact_person else []),
        st.phone(m.mobile),
        st.wrap(m.best_time, 3, BODY_PT, 4),
        st.vehicle(m.vehicle, m.plate),
        st.wrap("\n".join(p for p in (_years(m.years_owned), st.km(m.km)) if p), 5, BODY_PT, 4),
        st.wrap(_last_contact(m), 6, TEXT_PT),
    ]
    line = None if brief is None else PartsLine(brief_parts(brief), BRIEF_WIDTH - 2 * PAD,
                                                st.font, TEXT_PT, red=RED)
    # The talking points are what the caller says, so the row grows to hold them all; only a
    # row taller than a page (which is never split) is cut, at the lines a page holds.
    below = 0.0 if line is None else line.height + 2 * PAD
    cells.append(st.wrap(m.talking_points, 7, TEXT_PT, _lines_on_a_page(below)))
    return MemberRow(cells, st.font, line)


def _lines_on_a_page(below: float) -> int:
    """How many lines of talking points a row holds and still fits an empty page's frame,
    with `below` taken by its brief."""
    return int((FRAME_HEIGHT - below - 2 * PAD) // LEADING[TEXT_PT])


class MemberRow(Flowable):
    """A member's row of pre-wrapped text, the outcome boxes and an empty notes cell, with
    their condensed brief (if any) under it across the columns up to the talking points, the
    outcome and notes cells running down beside it. One flowable, so a row is never cut across
    pages: one that does not fit moves whole to the next. Drawn straight on the canvas, its
    text in one text object: a reportlab Table per row (a style, a drawString per line, a
    saved state per cell) was most of the 2.2 s of CPU a 3,094-row sheet with briefs took;
    drawn so, its repeated parts as forms, the sheet takes 0.9 s."""

    SHADE = colors.HexColor("#F2F2F2")

    def __init__(self, cells: list[list[str]], font: str, brief: PartsLine | None) -> None:
        super().__init__()
        self.cells, self.font, self.brief = cells, font, brief
        # Measured as reportlab's Table measured the row (lines x leading + padding), so the
        # rows fill the pages as before.
        self.row_height = max([OutcomeBoxes.HEIGHT + 2 * PAD] + [
            LEADING[SIZES[j]] * len(lines) + 2 * PAD for j, lines in enumerate(cells)])
        self.below = 0.0 if brief is None else brief.height + 2 * PAD
        self.width = TOTAL_WIDTH
        self.height = self.row_height + self.below

    def wrap(self, *_args) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c, below, top = self.canv, self.below, self.height
        if self.brief is not None:
            c.setFillColor(self.SHADE)
            c.rect(0, 0, BRIEF_WIDTH, below, stroke=0, fill=1)
        c.setFillColor(colors.black)
        text = c.beginText()
        size = 0.0
        for j, lines in enumerate(self.cells):
            if lines == [""]:
                continue
            if SIZES[j] != size:
                size = SIZES[j]
                text.setFont(self.font, size, LEADING[size])
            text.setTextOrigin(EDGES[j] + PAD, top - PAD - size)
            for line in lines:
                text_line(text, line, self.font, size, LEADING[size])
        c.drawText(text)
        OutcomeBoxes.draw_on(c, EDGES[8] + PAD, top - PAD - OutcomeBoxes.HEIGHT)
        if self.brief is not None:
            self.brief.drawOn(c, PAD, PAD)
        # Rows come in a few heights: each height's grid is one form, placed in every row of
        # that height (drawing the 16 rules of each of 3,094 rows took 0.1 s).
        _stamp(c, f"rules_{below!r}_{top!r}", 0, 0, lambda c: _row_rules(c, below, top))


def _row_rules(c: Canvas, below: float, top: float) -> None:
    """A row's grid. With a brief under it, no rule under the outcome and notes cells
    (they run down beside the brief) and none between the brief's columns; the rules around
    the brief have square ends, the grid's round ones, as the table and the brief's own lines
    had them."""
    full = TOTAL_WIDTH
    _rules(c, [(0, top, full, top), (0, below, BRIEF_WIDTH if below else full, below)]
           + [(x, below, x, top) for x in EDGES], cap=1)
    if below:
        _rules(c, [(0, 0, full, 0)] + [(x, 0, x, below) for x in
                                       (0, BRIEF_WIDTH, EDGES[BRIEF_SPAN + 1], full)], cap=0)


def _rules(c: Canvas, rules: list[tuple[float, float, float, float]], cap: int = 1) -> None:
    """Half-point black rules; round ends (cap 1) as reportlab's table grid draws them."""
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.5)
    c.setLineCap(cap)
    c.setLineJoin(cap)
    if cap:
        # One stroke each, as the table drew them: as one path the corners came out a shade
        # lighter on screen.
        for r in rules:
            c.line(*r)
    else:
        c.lines(rules)


def _appendix_rows(excluded: Iterable[Excluded], st: _Styles) -> list[Flowable]:
    out: list[Flowable] = []
    rows: list[list[Flowable]] = []
    leading = APPENDIX_PT * 1.2
    for i, e in enumerate(excluded, start=1):
        texts = (str(i), e.name, e.customer_code, e.mobile or "", e.reason_label, e.detail)
        rows.append([Lines(wrap_lines(" ".join(text.split()), w - 2 * PAD, st.font,
                                      APPENDIX_PT, most), st.font, APPENDIX_PT, leading)
                     for text, w, most in zip(texts, APPENDIX_WIDTHS, APPENDIX_LINES,
                                              strict=True)])
        if len(rows) == 25:
            out.append(Table(rows, colWidths=APPENDIX_WIDTHS, style=st.appendix))
            rows = []
    if rows:
        out.append(Table(rows, colWidths=APPENDIX_WIDTHS, style=st.appendix))
    return out


def _head(columns: tuple[tuple[str, int], ...]) -> Callable[[Canvas], None]:
    """A page's column headings on grey, as a one-row table would draw them: 8 pt, centred
    top to bottom in HEAD_H, ruled."""
    edges = list(accumulate((w * mm for _, w in columns), initial=0.0))
    size, leading = 8, 8 * 1.2

    def draw(c: Canvas) -> None:
        c.setFillColor(HEAD_SHADE)
        c.rect(0, HEAD_H, edges[-1], -HEAD_H, stroke=0, fill=1)  # top down, as a Table fills
        c.setFillColor(colors.black)
        text = c.beginText()
        text.setFont(cjk_font(), size, leading)
        for left, (head, _) in zip(edges[:-1], columns, strict=True):
            text.setTextOrigin(left + PAD, (PAD + HEAD_H - PAD + leading) / 2.0 - size)
            text.textOut(head)
        c.drawText(text)
        _rules(c, [(0, HEAD_H, edges[-1], HEAD_H), (0, 0, edges[-1], 0)]
               + [(e, 0, e, HEAD_H) for e in edges])

    return draw


def _decorate(doc: ListDocument) -> Callable:
    heads = {"calls": _head(COLUMNS), "appendix": _head(APPENDIX_COLUMNS)}

    def on_page_end(canv, _doc) -> None:
        title, kind = getattr(canv, "_revisit_section", ("", "calls"))
        w, h = PAGE
        font = cjk_font()
        left = "回访跟进表" if kind == "calls" else "排除名单（附录）"
        draw_string(canv, MARGIN, h - TITLE_TOP - 5 * mm, f"{left}　{title}", font, 13)
        facts = f"{doc.week_label}　分群：{doc.segment}"
        if doc.purpose_label:
            facts += f"　目的：{doc.purpose_label}"
        run = f"名单 #{doc.run_id}　" if doc.run_id is not None else ""
        draw_string(canv, w - MARGIN, h - TITLE_TOP - 5 * mm, facts, font, 8.5, "end")
        canv.setFont(cjk_font(), 7)
        canv.drawString(MARGIN, NumberedCanvas.footer_y,
                        f"{run}生成于 {doc.created_at:%Y-%m-%d %H:%M}")
        canv.drawRightString(w - MARGIN, NumberedCanvas.footer_y, "结果按编号录入系统")
        _stamp(canv, f"{kind}_head", MARGIN, h - FRAME_TOP, heads[kind])

    return on_page_end


def _sections(members: tuple[ListMember, ...]) -> list[tuple[str, list[ListMember]]]:
    """Members grouped by caller in first-seen order (the run already ordered them)."""
    groups: dict[str, list[ListMember]] = {}
    for m in members:
        groups.setdefault(m.caller or "未分配", []).append(m)
    return list(groups.items())


def unprintable_members(doc: ListDocument) -> tuple[str, ...]:
    """One line per person (or heading) of the call sheet with characters no font on this
    computer has, printed as □: who it is, which columns, which characters."""
    font = cjk_font()
    found = [unprintable("分群", (("分群", doc.segment), ("目的", doc.purpose_label)), font)]
    callers = dict.fromkeys(m.caller for m in doc.of_channel("call"))
    found += [unprintable(f"回访员 {c}", (("回访员", c),), font) for c in callers]
    found += [unprintable(f"{m.row_code} {m.name}", (
        ("姓名", m.name), ("联系人", m.contact_person), ("最佳时间", m.best_time),
        ("车型 / 车牌", m.vehicle),
        ("车型 / 车牌", m.plate), ("上次联系 / 客户反馈", _last_contact(m)),
        ("话术要点", m.talking_points),
    ), font) for m in doc.of_channel("call")]
    found += [unprintable(f"{e.customer_code} {e.name}", (
        ("姓名", e.name), ("排除原因", e.reason_label), ("说明", e.detail),
    ), font) for e in doc.excluded]
    return tuple(f for f in found if f)


def _laid_out(template: BaseDocTemplate, steps: Steps, rows: int) -> None:
    """reportlab's word on how much of the story it has laid out, told to `steps` as the
    second half of 2 × `rows` (the first: making the story's rows)."""
    if steps is NO_STEPS:
        return
    size = [1]

    def told(kind: str, value: int) -> None:
        if kind == "SIZE_EST":
            size[0] = max(value, 1)
        elif kind == "PROGRESS" and value % Steps.EVERY == 0:
            steps.at(rows + rows * min(value, size[0]) // size[0], 2 * rows)

    template.setProgressCallBack(told)


def write_call_sheet(doc: ListDocument, path: Path | str,
                     briefs: Mapping[str, CondensedBrief] | None = None,
                     steps: Steps = NO_STEPS) -> Path:
    """Write the call sheet for the document's call members (services/outputs/run_files.py
    refuses a run with none); `briefs`, by row code, puts each member's condensed brief under
    their line (a member without one has none). `steps` hears of it row by row, while the
    rows are made and while they are laid out on pages."""
    path = Path(path)
    members = doc.of_channel("call")
    told = steps.progress
    if told is not None:  # counted twice over (made, then laid out), told as rows
        steps = Steps(lambda done, whole: told(done // 2, whole // 2), steps.cancel)
    st = _Styles()
    frame = Frame(MARGIN, FRAME_BOTTOM, PAGE[0] - 2 * MARGIN, FRAME_HEIGHT, 0, 0, 0, 0,
                  id="body")
    on_end = _decorate(doc)
    template = BaseDocTemplate(
        str(path), pagesize=PAGE, title=f"回访跟进表 {doc.segment}", author="Revisit",
        invariant=1,  # same run, same bytes: re-prints are identical
        pageTemplates=[PageTemplate("calls", [frame], onPageEnd=on_end),
                       PageTemplate("appendix", [frame], onPageEnd=on_end)],
    )
    story: list[Flowable] = []
    sections = _sections(members) or [("（本周无回访对象）", [])]
    total, made = len(members) + len(doc.excluded), 0
    for i, (caller, rows) in enumerate(sections):
        if i:
            story.append(PageBreak())
        story.append(SectionMark(f"回访员：{caller}（{len(rows)} 人）", "calls"))
        story += [_member_row(m, st, briefs.get(m.row_code) if briefs else None)
                  for m in steps.counted(rows, made, 2 * total)]
        made += len(rows)
    if doc.excluded:
        story += [NextPageTemplate("appendix"), PageBreak(),
                  SectionMark(f"共 {len(doc.excluded)} 人未列入", "appendix")]
        story += _appendix_rows(steps.counted(doc.excluded, made, 2 * total), st)
    _laid_out(template, steps, total)
    template.build(story, canvasmaker=NumberedCanvas)
    steps.at(2 * total, 2 * total)
    return path
