"""The weekly call sheet (周跟进表): A4 landscape, one section per caller, tick boxes for the
outcome, a notes box and a short row id per line, and under each member's facts their condensed
pre-call brief when one is given (services/customers/brief_batch.py `sheet_briefs`); then an
appendix of who was excluded and why."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
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
from services.outputs.pdf_common import NumberedCanvas, PartsLine, SectionMark, clip, wrap_lines
from services.outputs.types import OUTCOME_BOXES, Excluded, ListDocument, ListMember

if TYPE_CHECKING:
    from services.customers.brief_batch import CondensedBrief

PAGE = landscape(A4)
MARGIN = 10 * mm
TITLE_TOP = 8 * mm
HEAD_H = 9 * mm
FRAME_TOP = 27 * mm
FRAME_BOTTOM = 12 * mm

# Sizes a caller reads at arm's length: the body at 9 pt, the longer texts (last feedback,
# talking points) at 8.5 pt, and a notes column wide enough for a handwritten sentence (45 mm).
BODY_PT, TEXT_PT = 9, 8.5
COLUMNS = (  # header, width in mm: 277 mm between the margins of landscape A4
    ("编号", 15), ("姓名", 17), ("手机", 22), ("最佳时间", 17), ("车型 / 车牌", 25),
    ("车龄 / 里程", 18), ("上次联系 / 客户反馈", 38), ("话术要点", 42),
    ("结果（打勾）", 38), ("备注", 45),
)
WIDTHS = [w * mm for _, w in COLUMNS]
# The condensed brief: one or two lines under the member's facts, across the columns from the
# row id to the talking points; the outcome boxes and the notes run down beside it.
BRIEF_SPAN = 8
BRIEF_WIDTH = sum(WIDTHS[:BRIEF_SPAN])
RED = "#B71C1C"
ARROWS = {"up": "↑", "down": "↓", "same": ""}
APPENDIX_COLUMNS = (("序号", 14), ("姓名", 24), ("客户编号", 30), ("手机", 28),
                    ("排除原因", 40), ("说明", 141))
APPENDIX_WIDTHS = [w * mm for _, w in APPENDIX_COLUMNS]


def _grid(font: str, size: float, header: bool = False) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP" if not header else "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#E6E6E6")))
    return TableStyle(cmds)


class OutcomeBoxes(Flowable):
    """Six empty squares with their labels, two per line, to tick with a pen."""

    BOX = 3.2 * mm
    LINE = 4.8 * mm
    FONT_PT = 8.5

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width = width
        self.height = 3 * self.LINE

    def wrap(self, *_args) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setLineWidth(0.6)
        c.setFont(cjk_font(), self.FONT_PT)
        half = self.width / 2
        for i, (_code, label) in enumerate(OUTCOME_BOXES):
            x = (i % 2) * half
            y = self.height - (i // 2 + 1) * self.LINE + 0.6 * mm
            c.rect(x, y, self.BOX, self.BOX)
            c.drawString(x + self.BOX + 1 * mm, y + 0.5 * mm, label)


def _years(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}年"


def _km(value: int | None) -> str:
    return "" if value is None else f"{value:,} km"


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
        self.row = _grid(self.font, BODY_PT)
        self.row.add("LEADING", (0, 0), (-1, -1), BODY_PT * 1.2)
        self.row.add("FONT", (6, 0), (7, 0), self.font, TEXT_PT, TEXT_PT * 1.2)
        # Above a brief: no line under the outcome and notes cells, which run on beside it.
        above: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.font, BODY_PT, BODY_PT * 1.2),
            ("FONT", (6, 0), (7, 0), self.font, TEXT_PT, TEXT_PT * 1.2),
            ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.black),
            ("LINEBEFORE", (0, 0), (0, 0), 0.5, colors.black),
            ("LINEAFTER", (-1, 0), (-1, 0), 0.5, colors.black),
            ("LINEBELOW", (0, 0), (BRIEF_SPAN - 1, 0), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ] + [(side, (0, 0), (-1, -1), 2) for side in ("LEFTPADDING", "RIGHTPADDING",
                                                       "TOPPADDING", "BOTTOMPADDING")]
        self.above_brief = TableStyle(above)
        self.appendix = _grid(self.font, 7.5)
        self.appendix.add("LEADING", (0, 0), (-1, -1), 9)

    def wrap(self, text: str | None, col: int, size: float, max_lines: int = 6) -> str:
        return "\n".join(wrap_lines(text or "", WIDTHS[col] - 4, self.font, size, max_lines))


def _member_row(m: ListMember, st: _Styles,
                brief: CondensedBrief | None = None) -> Flowable:
    cells = [
        st.wrap(m.row_code, 0, BODY_PT, 2),
        st.wrap(m.name, 1, BODY_PT, 2),
        m.mobile or "",
        st.wrap(m.best_time, 3, BODY_PT, 4),
        st.wrap("\n".join(p for p in (m.vehicle, m.plate or "") if p), 4, BODY_PT, 4),
        "\n".join(p for p in (_years(m.years_owned), _km(m.km)) if p),
        st.wrap(_last_contact(m), 6, TEXT_PT),
        st.wrap(m.talking_points, 7, TEXT_PT),
        OutcomeBoxes(WIDTHS[8] - 4),
        "",
    ]
    # One small table per row of pre-wrapped text: long lists never go through reportlab's
    # slow table splitting or paragraph wrapping, and a row is never cut across pages (the
    # outcome and notes cells span both lines of a row with a brief, so it cannot split).
    if brief is None:
        return Table([cells], colWidths=WIDTHS, style=st.row)
    line = PartsLine(brief_parts(brief), BRIEF_WIDTH - 4, st.font, TEXT_PT, red=RED)
    return WithBrief(Table([cells], colWidths=WIDTHS, style=st.above_brief), line)


class WithBrief(Flowable):
    """A member's row with their condensed brief under it, across the columns up to the
    talking points; the outcome and notes cells run down beside it. One flowable, so the two
    are never parted by a page break; drawn with a few lines rather than as a second table
    row, which cost more than the rest of the sheet's rows together."""

    PAD = 2
    SHADE = colors.HexColor("#F2F2F2")

    def __init__(self, row: Table, line: PartsLine) -> None:
        super().__init__()
        self.row, self.line = row, line
        self.width = sum(WIDTHS)
        self.below = line.height + 2 * self.PAD

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, row_height = self.row.wrap(avail_width, avail_height)
        self.height = row_height + self.below
        return self.width, self.height

    def draw(self) -> None:
        c, h = self.canv, self.below
        c.setFillColor(self.SHADE)
        c.rect(0, 0, BRIEF_WIDTH, h, stroke=0, fill=1)
        c.setFillColor(colors.black)
        self.row.drawOn(c, 0, h)
        self.line.drawOn(c, self.PAD, self.PAD)
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.5)
        c.lines([(0, 0, self.width, 0)] + [
            (x, 0, x, h) for x in (0, BRIEF_WIDTH, BRIEF_WIDTH + WIDTHS[BRIEF_SPAN], self.width)])


def _appendix_rows(excluded: tuple[Excluded, ...], st: _Styles) -> list[Flowable]:
    out: list[Flowable] = []
    rows = []
    for i, e in enumerate(excluded, start=1):
        detail = wrap_lines(e.detail, APPENDIX_WIDTHS[5] - 4, st.font, 7.5, 3)
        rows.append([str(i), clip(e.name, 10), e.customer_code, e.mobile or "",
                     clip(e.reason_label, 16), "\n".join(detail)])
        if len(rows) == 25:
            out.append(Table(rows, colWidths=APPENDIX_WIDTHS, style=st.appendix))
            rows = []
    if rows:
        out.append(Table(rows, colWidths=APPENDIX_WIDTHS, style=st.appendix))
    return out


def _decorate(doc: ListDocument) -> Callable:
    header_style = _grid(cjk_font(), 8, header=True)
    heads = {
        "calls": Table([[h for h, _ in COLUMNS]], colWidths=WIDTHS, rowHeights=[HEAD_H],
                       style=header_style),
        "appendix": Table([[h for h, _ in APPENDIX_COLUMNS]], colWidths=APPENDIX_WIDTHS,
                          rowHeights=[HEAD_H], style=header_style),
    }

    def on_page_end(canv, _doc) -> None:
        title, kind = getattr(canv, "_revisit_section", ("", "calls"))
        w, h = PAGE
        canv.setFont(cjk_font(), 13)
        left = "回访跟进表" if kind == "calls" else "排除名单（附录）"
        canv.drawString(MARGIN, h - TITLE_TOP - 5 * mm, f"{left}　{title}")
        canv.setFont(cjk_font(), 8.5)
        facts = f"{doc.week_label}　分群：{doc.segment}"
        if doc.purpose_label:
            facts += f"　目的：{doc.purpose_label}"
        run = f"名单 #{doc.run_id}　" if doc.run_id is not None else ""
        canv.drawRightString(w - MARGIN, h - TITLE_TOP - 5 * mm, facts)
        canv.setFont(cjk_font(), 7)
        canv.drawString(MARGIN, NumberedCanvas.footer_y,
                        f"{run}生成于 {doc.created_at:%Y-%m-%d %H:%M}")
        canv.drawRightString(w - MARGIN, NumberedCanvas.footer_y, "结果按编号录入系统")
        table = heads[kind]
        table.wrapOn(canv, w, h)
        table.drawOn(canv, MARGIN, h - FRAME_TOP)

    return on_page_end


def _sections(members: tuple[ListMember, ...]) -> list[tuple[str, list[ListMember]]]:
    """Members grouped by caller in first-seen order (the run already ordered them)."""
    groups: dict[str, list[ListMember]] = {}
    for m in members:
        groups.setdefault(m.caller or "未分配", []).append(m)
    return list(groups.items())


def write_call_sheet(doc: ListDocument, path: Path | str,
                     briefs: Mapping[str, CondensedBrief] | None = None) -> Path:
    """Write the call sheet for the document's call members (services/outputs/run_files.py
    refuses a run with none); `briefs`, by row code, puts each member's condensed brief under
    their line (a member without one has none)."""
    path = Path(path)
    members = doc.of_channel("call")
    st = _Styles()
    frame = Frame(MARGIN, FRAME_BOTTOM, PAGE[0] - 2 * MARGIN,
                  PAGE[1] - FRAME_TOP - FRAME_BOTTOM, 0, 0, 0, 0, id="body")
    on_end = _decorate(doc)
    template = BaseDocTemplate(
        str(path), pagesize=PAGE, title=f"回访跟进表 {doc.segment}", author="Revisit",
        invariant=1,  # same run, same bytes: re-prints are identical
        pageTemplates=[PageTemplate("calls", [frame], onPageEnd=on_end),
                       PageTemplate("appendix", [frame], onPageEnd=on_end)],
    )
    story: list[Flowable] = []
    sections = _sections(members) or [("（本周无回访对象）", [])]
    for i, (caller, rows) in enumerate(sections):
        if i:
            story.append(PageBreak())
        story.append(SectionMark(f"回访员：{caller}（{len(rows)} 人）", "calls"))
        story += [_member_row(m, st, briefs.get(m.row_code) if briefs else None)
                  for m in rows]
    if doc.excluded:
        story += [NextPageTemplate("appendix"), PageBreak(),
                  SectionMark(f"共 {len(doc.excluded)} 人未列入", "appendix")]
        story += _appendix_rows(doc.excluded, st)
    template.build(story, canvasmaker=NumberedCanvas)
    return path
