"""Small charts drawn with QPainter: bars (grouped or stacked, vertical or horizontal), a heat
grid and trend lines. QtCharts lives in PySide6-Addons, which the installer does not ship
(docs/charts.md); these few shapes need nothing more than QPainter. Each chart shows its exact
numbers in a tooltip and says which bar or cell was clicked, so a figure opens its customers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

# Colour-blind-safe qualitative colours (Okabe–Ito), in the order series use them.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
GRID = QColor("#d0d0d0")


def nice_top(top: float, ticks: int = 4) -> float:
    """The smallest round axis end ≥ `top` whose `ticks` steps are 1, 2, 2.5 or 5 × 10^k, so the
    axis labels are whole numbers."""
    if top <= ticks:
        return float(ticks)
    raw = top / ticks
    power = 10 ** (len(str(int(raw))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw and float(m * power).is_integer():
            return float(m * power * ticks)
    return float(10 * power * ticks)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class Chart(QWidget):
    """Title, legend and hit areas shared by the charts; `clicked(index, series)`."""

    clicked = Signal(int, int)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.series: list[tuple[str, list[float]]] = []
        self.labels: list[str] = []
        self._hits: list[tuple[QRectF, int, int, str]] = []
        # More to say on hover for a bar or point, by (index, series): the customers behind it.
        self.tips: dict[tuple[int, int], str] = {}
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(260, 180)

    def sizeHint(self) -> QSize:
        return QSize(420, 240)

    def set_data(self, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]
                 ) -> None:
        self.labels = list(labels)
        self.series = [(name, [float(v or 0) for v in values]) for name, values in series]
        self.update()

    def _color(self, i: int) -> QColor:
        return QColor(PALETTE[i % len(PALETTE)])

    def _frame(self, p: QPainter) -> QRectF:
        """Draw title and legend; return the plot area left for the chart."""
        fm = QFontMetrics(self.font())
        area = QRectF(self.rect()).adjusted(6, 4, -6, -4)
        if self.title:
            p.setPen(self.palette().windowText().color())
            p.drawText(area.adjusted(0, 0, 0, 0), Qt.AlignmentFlag.AlignLeft,
                       fm.elidedText(self.title, Qt.TextElideMode.ElideRight, int(area.width())))
            area.setTop(area.top() + fm.height() + 4)
        if len(self.series) > 1:
            x = area.left()
            for i, (name, _v) in enumerate(self.series):
                w = fm.horizontalAdvance(name) + 18
                if x + w > area.right():
                    break
                p.fillRect(QRectF(x, area.top() + 3, 10, 10), self._color(i))
                p.setPen(self.palette().windowText().color())
                p.drawText(QPointF(x + 13, area.top() + fm.ascent()), name)
                x += w + 6
            area.setTop(area.top() + fm.height() + 4)
        return area

    def set_tips(self, tips: dict[tuple[int, int], str]) -> None:
        self.tips = dict(tips)

    def _hit(self, rect: QRectF, index: int, series: int, tip: str) -> None:
        more = self.tips.get((index, series))
        self._hits.append((rect, index, series, f"{tip} · {more}" if more else tip))

    def _at(self, pos) -> tuple[int, int, str] | None:
        for rect, index, series, tip in self._hits:
            if rect.contains(QPointF(pos)):
                return index, series, tip
        return None

    def mouseMoveEvent(self, event) -> None:
        hit = self._at(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)
        if hit:
            QToolTip.showText(event.globalPosition().toPoint(), hit[2], self)
        else:
            QToolTip.hideText()

    def mouseReleaseEvent(self, event) -> None:
        hit = self._at(event.position())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(hit[0], hit[1])

    def paintEvent(self, _event) -> None:
        self._hits = []
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self._frame(p)
        if self.labels and area.height() > 20:
            self.draw(p, area)
        p.end()

    def draw(self, p: QPainter, area: QRectF) -> None:
        raise NotImplementedError


class BarChart(Chart):
    """Bars per label, one per series side by side, or stacked; horizontal bars leave room for
    long (Chinese) category names on the left."""

    def __init__(self, title: str = "", *, stacked: bool = False, horizontal: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.stacked = stacked
        self.horizontal = horizontal

    def _top(self) -> float:
        if not self.series:  # an empty chart's axis is counted in whole numbers too
            return nice_top(0)
        if self.stacked:
            top = max((sum(s[1][i] for s in self.series) for i in range(len(self.labels))),
                      default=0)
        else:
            top = max((max(v, default=0) for _n, v in self.series), default=0)
        return nice_top(top)

    def draw(self, p: QPainter, area: QRectF) -> None:
        fm = QFontMetrics(self.font())
        top = self._top()
        n = len(self.labels)
        groups = 1 if self.stacked else max(len(self.series), 1)
        text = self.palette().windowText().color()
        if self.horizontal:
            label_w = min(max(fm.horizontalAdvance(t) for t in self.labels) + 8,
                          area.width() * 0.45)
            value_w = fm.horizontalAdvance(_number(top)) + 8
            plot = area.adjusted(label_w, 0, -value_w, 0)
            step = plot.height() / n
            for i, label in enumerate(self.labels):
                y = plot.top() + i * step
                p.setPen(text)
                p.drawText(QRectF(area.left(), y, label_w - 6, step),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           fm.elidedText(label, Qt.TextElideMode.ElideMiddle, int(label_w - 6)))
                x, total = plot.left(), 0.0
                bar_h = max(step * 0.7 / groups, 2)
                for s, (name, values) in enumerate(self.series):
                    w = plot.width() * values[i] / top
                    if self.stacked:
                        r = QRectF(x, y + step * 0.15, w, step * 0.7)
                        x += w
                    else:
                        r = QRectF(plot.left(), y + step * 0.15 + s * bar_h, w, bar_h)
                    total += values[i]
                    p.fillRect(r, self._color(s))
                    self._hit(r.adjusted(0, 0, 2, 0), i, s, f"{label} · {name}: "
                              f"{_number(values[i])}")
                p.setPen(text)
                if self.stacked:
                    p.drawText(QPointF(x + 4, y + step / 2 + fm.ascent() / 2 - 1),
                               _number(total))
                    continue
                # Each bar its own number; too thin for that, the first (current) series' only,
                # never one bar's number beside another (the larger of two, say).
                each = bar_h >= fm.capHeight() + 2
                for s, (_name, values) in enumerate(self.series if each else self.series[:1]):
                    end = plot.left() + plot.width() * values[i] / top
                    middle = y + step * 0.15 + s * bar_h + bar_h / 2
                    p.drawText(QPointF(end + 4, middle + fm.capHeight() / 2),
                               _number(values[i]))
            return
        lines = max(label.count("\n") + 1 for label in self.labels)
        plot = area.adjusted(fm.horizontalAdvance(_number(top)) + 6, 0, 0,
                             -lines * fm.height() - 4)
        p.setPen(QPen(GRID))
        for k in range(5):
            y = plot.bottom() - plot.height() * k / 4
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(area.left(), y - fm.height() / 2, plot.left() - area.left() - 4,
                              fm.height()), Qt.AlignmentFlag.AlignRight, _number(top * k / 4))
            p.setPen(QPen(GRID))
        step = plot.width() / n
        for i, label in enumerate(self.labels):
            x0 = plot.left() + i * step + step * 0.15
            bar_w = step * 0.7 / groups
            base = plot.bottom()
            for s, (name, values) in enumerate(self.series):
                h = plot.height() * values[i] / top
                if self.stacked:
                    r = QRectF(x0, base - h, step * 0.7, h)
                    base -= h
                else:
                    r = QRectF(x0 + s * bar_w, plot.bottom() - h, bar_w, h)
                p.fillRect(r, self._color(s))
                self._hit(r.adjusted(0, -2, 0, 0), i, s,
                          f"{label.replace(chr(10), ' ')} · {name}: {_number(values[i])}")
            p.setPen(text)
            shown = "\n".join(fm.elidedText(line, Qt.TextElideMode.ElideRight, int(step))
                              for line in label.split("\n"))
            p.drawText(QRectF(plot.left() + i * step, plot.bottom() + 2, step,
                              lines * fm.height()), Qt.AlignmentFlag.AlignHCenter, shown)


class TrendChart(Chart):
    """One line per series over the labels (months, weeks), with a dot on each value. The last
    period may be unfinished (the month so far): `set_unfinished(note)` draws its points
    hollow at the end of a dashed line, with the note beside them, so a month of 6 days
    does not read as a fall against a month of 30."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.unfinished = ""  # what the last period covers when unfinished, else ""

    def set_unfinished(self, note: str) -> None:
        """The last label's period is unfinished, as `note` says ("" when it is complete)."""
        self.unfinished = note
        self.update()

    def draw(self, p: QPainter, area: QRectF) -> None:
        fm = QFontMetrics(self.font())
        top = nice_top(max((max(v, default=0) for _n, v in self.series), default=0))
        plot = area.adjusted(fm.horizontalAdvance(_number(top)) + 6, 4, -8, -fm.height() - 4)
        text = self.palette().windowText().color()
        for k in range(5):
            y = plot.bottom() - plot.height() * k / 4
            p.setPen(QPen(GRID))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(QRectF(area.left(), y - fm.height() / 2, plot.left() - area.left() - 4,
                              fm.height()), Qt.AlignmentFlag.AlignRight, _number(top * k / 4))
        # Each label in the middle of its own slot, as a bar chart's: the first one stood on
        # the axis, over its 0, and the last one past the right edge.
        n = len(self.labels)
        step = plot.width() / max(n, 1)
        every = max(1, int((fm.horizontalAdvance(max(self.labels, key=len)) + 8) // step) + 1)
        for i, label in enumerate(self.labels):
            # Counted back from the last label, which is always shown: the latest period is
            # the one read first.
            if (n - 1 - i) % every == 0:
                p.drawText(QRectF(plot.left() + i * step - 20, plot.bottom() + 2,
                                  step + 40, fm.height()), Qt.AlignmentFlag.AlignHCenter, label)
        last = n - 1 if self.unfinished else n  # the index of an unfinished period's points
        ends: list[QPointF] = []
        for s, (name, values) in enumerate(self.series):
            points = [QPointF(plot.left() + (i + 0.5) * step,
                              plot.bottom() - plot.height() * v / top)
                      for i, v in enumerate(values)]
            p.setPen(QPen(self._color(s), 2))
            p.drawPolyline(QPolygonF(points[:last]))
            if last < len(points):
                p.setPen(QPen(self._color(s), 2, Qt.PenStyle.DashLine))
                p.drawPolyline(QPolygonF(points[max(last - 1, 0):]))
                ends.append(points[last])
            for i, pt in enumerate(points):
                # Hollow for the unfinished period: not a count to compare like the others.
                p.setPen(QPen(self._color(s), 2 if i == last else 1))
                p.setBrush(self.palette().base() if i == last else self._color(s))
                p.drawEllipse(pt, 3, 3)
                tip = f"{self.labels[i]} · {name}: {_number(values[i])}"
                self._hit(QRectF(pt.x() - 6, pt.y() - 6, 12, 12), i, s,
                          f"{tip} ({self.unfinished})" if i == last else tip)
            p.setBrush(Qt.BrushStyle.NoBrush)
        if ends:
            self._unfinished_note(p, plot, ends, fm)

    def _unfinished_note(self, p: QPainter, plot: QRectF, ends: list[QPointF],
                         fm: QFontMetrics) -> None:
        """The note over the unfinished period's highest point, or under its lowest one when
        there is no room above; ending at the plot's right edge, in grey."""
        width = fm.horizontalAdvance(self.unfinished) + 4
        top = min(pt.y() for pt in ends) - 8 - fm.height()
        if top < plot.top():
            top = max(pt.y() for pt in ends) + 8
        box = QRectF(plot.right() - width, top, width, fm.height())
        back = self.palette().window().color()
        back.setAlphaF(0.8)  # readable over a line running under it
        p.fillRect(box, back)
        p.setPen(QColor("#555555"))
        p.drawText(box, Qt.AlignmentFlag.AlignRight, self.unfinished)


class HeatGrid(Chart):
    """Rows × columns of counts, darker for more; each cell may carry a note (the change)."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.columns: list[str] = []
        self.values: list[list[float]] = []
        self.notes: list[list[str]] = []

    def set_grid(self, rows: Sequence[str], columns: Sequence[str],
                 values: Sequence[Sequence[float]], notes: Sequence[Sequence[str]] | None = None
                 ) -> None:
        self.labels, self.columns = list(rows), list(columns)
        self.values = [[float(v) for v in r] for r in values]
        self.notes = [list(r) for r in notes] if notes else [[""] * len(columns) for _ in rows]
        self.update()

    def draw(self, p: QPainter, area: QRectF) -> None:
        fm = QFontMetrics(self.font())
        top = max((max(r, default=0) for r in self.values), default=0) or 1.0
        row_w = max(fm.horizontalAdvance(t) for t in self.labels) + 10
        grid = area.adjusted(row_w, fm.height() + 4, 0, 0)
        cw, ch = grid.width() / len(self.columns), grid.height() / len(self.labels)
        text = self.palette().windowText().color()
        p.setPen(text)
        for j, col in enumerate(self.columns):
            p.drawText(QRectF(grid.left() + j * cw, area.top(), cw, fm.height()),
                       Qt.AlignmentFlag.AlignHCenter,
                       fm.elidedText(col, Qt.TextElideMode.ElideRight, int(cw)))
        for i, row in enumerate(self.labels):
            p.setPen(text)
            p.drawText(QRectF(area.left(), grid.top() + i * ch, row_w - 6, ch),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, row)
            for j, col in enumerate(self.columns):
                v = self.values[i][j]
                share = v / top
                r = QRectF(grid.left() + j * cw + 1, grid.top() + i * ch + 1, cw - 2, ch - 2)
                color = QColor(PALETTE[0])
                color.setAlphaF(0.08 + 0.85 * share)
                p.fillRect(r, color)
                p.setPen(QColor("white") if share > 0.5 else text)
                note = self.notes[i][j]
                shown = _number(v) + (f"\n{note}" if note and ch > 2.2 * fm.height() else
                                      f" ({note})" if note else "")
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, shown)
                self._hit(r, i * len(self.columns) + j, 0,
                          f"{row} × {col}: {_number(v)}" + (f" ({note})" if note else ""))
