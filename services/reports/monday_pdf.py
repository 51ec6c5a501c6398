"""The Monday report as a printable PDF (A4 landscape): each section's chart drawn by
reportlab.graphics and its table, Chinese on the embedded CJK font, "第 x 页 / 共 y 页" below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from services.outputs.fonts import cjk_font
from services.outputs.pdf_common import NumberedCanvas, escape, style, text_width
from services.reports import effect as eff
from services.reports.monday import Chart, Report, Section

# The window's chart colours (Okabe–Ito, colour-blind safe), so screen and paper agree.
PALETTE = [colors.HexColor(c) for c in ("#0072B2", "#E69F00", "#009E73", "#D55E00",
                                        "#CC79A7", "#56B4E9", "#F0E442", "#000000")]
PAGE = landscape(A4)
WIDTH = PAGE[0] - 24 * mm


# A difference of two rates, as the window says it (ui/views/report_effect.py, "%1 pt" in
# Chinese): percentage points, not a percentage of anything.
POINTS = "{} 个百分点"


def _number(value: float, signed: bool) -> str:
    """A count or amount: whole when it is (a weekly target of 50 over two weeks is 100, not
    100.0), else to one place (50 over one day is 7.1); a difference with its sign, as the
    window's targets tab shows it (+3, -2.5, 0)."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return "+" + text if signed and value > 0 else text


def _cell(value: Any, percent: bool, signed: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, int | float):
        return str(value)
    if percent and signed:
        points = f"{value * 100:.1f}"
        return POINTS.format("+" + points if value > 0 else points)
    if percent:
        return f"{value * 100:.1f}%"
    return _number(value, signed)


def _effect_rows(section: Section) -> tuple[list[str], list[list[str]]]:
    """The effect table folded for paper: each measure's count, rate and difference in one
    cell, one above the other ("12", "40.0%", "+5.0%"): on one line the narrow columns broke
    "17.1%" and "-10.6%" inside themselves."""
    measures = [(m, w) for m in eff.MEASURES for w in eff.WINDOWS]
    heads = list(section.headers[:4]) + [section.headers[4 + 3 * i]
                                         for i in range(len(measures))] + [section.headers[-1]]
    rows = []
    for row in section.rows:
        cells = [_cell(v, False) for v in row[:4]]
        for i in range(len(measures)):
            n, rate, diff = row[4 + 3 * i: 7 + 3 * i]
            text = f"{n}\n{_cell(rate, True)}"
            if diff is not None:
                text += f"\n{_cell(diff, True, signed=True)}"
            cells.append(text)
        cells.append(str(row[-1]))
        rows.append(cells)
    return heads, rows


CELL_PT = 7.5
PADDING = 14  # a cell's own padding (6 pt a side) and a little room


def _points_width() -> float:
    """A column as wide as the longest difference in percentage points, on one line."""
    return text_width(POINTS.format("+100.0"), cjk_font(), CELL_PT) + PADDING


def _effect_widths(columns: int) -> list[float]:
    """The effect table's columns: each measure's as wide as its longest difference
    ("+100.0 个百分点" on one line: the equal widths reportlab gives broke it as 个百分 / 点);
    the run's date, segment, group and size, and the note, sharing the rest."""
    measure = _points_width()
    rest = WIDTH - measure * (columns - 5)
    date, segment, group, size, note = (rest * share for share in (0.16, 0.22, 0.22, 0.1, 0.3))
    return [date, segment, group, size, *[measure] * (columns - 5), note]


def _points_widths(section: Section) -> list[float] | None:
    """A table with a column of percentage-point gaps ("+40.0 个百分点"): that column as wide as
    the longest such gap on one line, the others sharing the rest (a target table of 13 equal
    columns broke it as 个百分 / 点); None, reportlab's equal widths, for any other table."""
    points = section.percent_columns & section.signed_columns
    if not points:
        return None
    measure = _points_width()
    count = len(section.headers)
    other = (WIDTH - measure * len(points)) / (count - len(points))
    return [measure if c in points else other for c in range(count)]


def _table(section: Section) -> Table:
    cell = style(CELL_PT)
    head = style(CELL_PT, name="head")
    widths: list[float] | None = None
    if section.key == "联系效果":
        headers, rows = _effect_rows(section)
        widths = _effect_widths(len(headers))
    else:
        headers = list(section.headers)
        widths = _points_widths(section)
        rows = [[_cell(v, section.is_percent(i, c), c in section.signed_columns)
                 for c, v in enumerate(row)] for i, row in enumerate(section.rows)]
    data = [[Paragraph(escape(h), head) for h in headers]]
    data += [[Paragraph("<br/>".join(map(escape, v.split("\n"))), cell) for v in row]
             for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), cjk_font()),  # the default would be Helvetica
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f6f6")]),
    ]))
    return table


def _legend(d: Drawing, chart: Chart, x: float, y: float) -> None:
    if len(chart.series) < 2:
        return
    legend: Any = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = cjk_font(), 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 6
    legend.deltax = 60
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name)
                             for i, (name, _v) in enumerate(chart.series)]
    d.add(legend)


def _drawing(width: float, height: float) -> Drawing:
    # The drawing's starting font: reportlab's default (Helvetica) would be referenced in the
    # PDF without being embedded.
    return Drawing(width, height, initialFontName=cjk_font())


LABEL_PT = 7  # the axes' labels


def _fitted(labels: tuple[str, ...], room: float, font: str) -> list[str]:
    """Each label cut to `room` points at LABEL_PT, ending "…" where cut: a long category name
    (a run's segment) would run over its neighbours' and off the page."""
    fitted = []
    for label in labels:
        if text_width(label, font, LABEL_PT) > room:
            while label and text_width(label + "…", font, LABEL_PT) > room:
                label = label[:-1]
            label += "…"
        fitted.append(label)
    return fitted


def _whole_step(chart: Chart, top: float) -> float | None:
    """A tick step of 1, 2 or 5 × 10ⁿ, five ticks or so up to `top`, when every value is a
    whole count (a tick at 0.5 calls means nothing); None for other values (rates)."""
    if not all(float(x).is_integer() for _n, v in chart.series for x in v):
        return None
    step = 1.0
    while top / step > 5:
        step *= 2.5 if str(int(step)).startswith("2") else 2
    return step


def drawing(chart: Chart, width: float = WIDTH * 0.62, height: float = 150) -> Drawing:
    if chart.kind == "heat":
        return _heat(chart, width, height)
    d = _drawing(width, height)
    font = cjk_font()
    # No series (no contacts in the weeks shown): zero bars on the same axes.
    series = chart.series or (("", (0.0,) * len(chart.labels)),)
    top = max((max(v, default=0.0) for _n, v in series), default=0.0)
    if chart.kind in ("bar", "stacked", "hbar"):
        c: Any = HorizontalBarChart() if chart.kind == "hbar" else VerticalBarChart()
        label_room = 90 if chart.kind == "hbar" else 30
        c.x, c.y = label_room, 20
        c.width, c.height = width - label_room - 10, height - 40
        c.data = [list(v) for _n, v in series]
        room = label_room - 6 if chart.kind == "hbar" else c.width / len(chart.labels) - 4
        c.categoryAxis.categoryNames = _fitted(chart.labels, room, font)
        c.categoryAxis.labels.fontName = font
        c.categoryAxis.labels.fontSize = LABEL_PT
        c.valueAxis.labels.fontName = font
        c.valueAxis.labels.fontSize = LABEL_PT
        c.valueAxis.valueMin = 0
        if chart.kind == "stacked":
            c.categoryAxis.style = "stacked"
            top = max((sum(v[i] for _n, v in series) for i in range(len(chart.labels))),
                      default=0)
        c.valueAxis.valueMax = max(top * 1.1, 1)
        c.valueAxis.valueStep = _whole_step(chart, c.valueAxis.valueMax)
        for i in range(len(series)):
            c.bars[i].fillColor = PALETTE[i % len(PALETTE)]
            c.bars[i].strokeColor = None
        if chart.kind == "hbar":
            c.categoryAxis.reverseDirection = True
        d.add(c)
    else:
        line: Any = HorizontalLineChart()
        line.x, line.y, line.width, line.height = 30, 20, width - 40, height - 40
        line.data = [list(v) for _n, v in series]
        line.categoryAxis.categoryNames = _fitted(chart.labels,
                                                  line.width / len(chart.labels) - 4, font)
        for axis in (line.categoryAxis, line.valueAxis):
            axis.labels.fontName, axis.labels.fontSize = font, LABEL_PT
        line.valueAxis.valueMin = 0
        line.valueAxis.valueMax = max(top * 1.1, 1)
        line.valueAxis.valueStep = _whole_step(chart, line.valueAxis.valueMax)
        for i in range(len(series)):
            line.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            line.lines[i].strokeWidth = 1.5
        d.add(line)
    _legend(d, chart, width - 5, height - 8)
    return d


def _heat(chart: Chart, width: float, height: float) -> Drawing:
    """A grid of counts, darker for more (reportlab has no heat map of its own)."""
    d = _drawing(width, height)
    font = cjk_font()
    rows, cols = chart.labels, chart.columns
    values = [list(v) for _n, v in chart.series]
    top = max((max(r, default=0.0) for r in values), default=0.0) or 1.0
    left, head = 50, 14
    cw, ch = (width - left) / len(cols), (height - head) / len(rows)
    for j, col in enumerate(cols):
        d.add(String(left + j * cw + cw / 2, height - 10, col, fontName=font, fontSize=7,
                     textAnchor="middle"))
    for i, row in enumerate(rows):
        y = height - head - (i + 1) * ch
        d.add(String(left - 4, y + ch / 2 - 3, row, fontName=font, fontSize=7,
                     textAnchor="end"))
        for j, v in enumerate(values[i]):
            share = v / top
            shade = colors.Color(0, 0.447, 0.698, alpha=0.08 + 0.85 * share)
            cell = Rect(left + j * cw + 1, y + 1, cw - 2, ch - 2)
            cell.fillColor, cell.strokeWidth = shade, 0
            d.add(cell)
            d.add(String(left + j * cw + cw / 2, y + ch / 2 - 3, f"{v:,.0f}", fontName=font,
                         fontSize=8, textAnchor="middle",
                         fillColor=colors.white if share > 0.5 else colors.black))
    return d


def render(report: Report, path: Path) -> None:
    doc = SimpleDocTemplate(str(path), pagesize=PAGE, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=report.title,
                            author="Revisit")
    story: list[Any] = [Paragraph(escape(report.title), style(15, name="title")),
                        Spacer(1, 4 * mm)]
    note = style(8, name="note")
    for section in report.sections:
        block: list[Any] = [Paragraph(escape(section.title), style(12, name="h2")),
                            Spacer(1, 2 * mm)]
        block += [Paragraph(escape(n), note) for n in section.notes]
        if section.chart is not None and section.chart.labels:
            block.append(drawing(section.chart))
            block.append(Spacer(1, 2 * mm))
        story.append(CondPageBreak(60 * mm))
        story.append(KeepTogether(block))
        story.append(_table(section) if section.rows else Paragraph("—", note))
        story.append(Spacer(1, 6 * mm))
    doc.build(story, canvasmaker=NumberedCanvas)
