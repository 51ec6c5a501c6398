"""The QPainter charts drawn offscreen: the numbers written beside the bars."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPainter

from ui import widgets_charts
from ui.widgets_charts import BarChart


@pytest.fixture
def drawn(monkeypatch):
    """Every text the charts draw at a point, as (text, x, y)."""
    texts: list[tuple[str, float, float]] = []

    class Recording(QPainter):
        def drawText(self, *args):  # Qt's name
            if len(args) == 2 and isinstance(args[1], str):
                texts.append((args[1], args[0].x(), args[0].y()))
            return super().drawText(*args)

    monkeypatch.setattr(widgets_charts, "QPainter", Recording)
    return texts


def _rfm_chart(qtbot, height: int, classes: int = 2) -> BarChart:
    """Classes beyond the first two are 1 now and 2 a month earlier."""
    chart = BarChart("RFM", horizontal=True)
    qtbot.addWidget(chart)
    more = classes - 2
    chart.set_data(["重要价值", "一般发展", *(f"类{k}" for k in range(more))],
                   [("现在", [120, 54, *[1] * more]), ("一个月前", [110, 59, *[2] * more])])
    chart.resize(420, height)
    return chart


def test_each_horizontal_bar_shows_its_own_number(qtbot, drawn):
    chart = _rfm_chart(qtbot, 400)
    chart.grab()
    numbers = [t for t in drawn if t[0] in ("120", "110", "54", "59")]
    assert sorted(t[0] for t in numbers) == ["110", "120", "54", "59"]
    # Beside its own bar: the month-earlier 59 below the current 54, and further right.
    now, before = (next(t for t in numbers if t[0] == v) for v in ("54", "59"))
    assert before[2] > now[2] and before[1] > now[1]


def test_thin_bars_show_the_current_number_only(qtbot, drawn):
    """With no room for two numbers a class shows the current one, never last month's."""
    chart = _rfm_chart(qtbot, 240, classes=8)  # the dashboard's eight classes, 240 px high
    chart.grab()
    shown = [t[0] for t in drawn]
    assert {"120", "54", "1"} <= set(shown) and not {"110", "59", "2"} & set(shown)
    assert shown.count("1") == 6


def test_a_trend_charts_points_stand_in_their_months_clear_of_the_axis(qtbot):
    """The first month sat on the y axis (its label over the axis's 0), the last one on the
    right edge: each point stands in the middle of its own slot."""
    from ui.widgets_charts import TrendChart

    chart = TrendChart("按月")
    qtbot.addWidget(chart)
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    chart.set_data(months, [("联系次数", [float(10 + m) for m in range(12)])])
    chart.resize(600, 300)
    chart.grab()
    xs = [rect.center().x() for rect, _i, _s, _tip in chart._hits]
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert len(xs) == 12 and max(gaps) - min(gaps) < 0.01
    step = gaps[0]
    plot_left, plot_right = xs[0] - step / 2, xs[-1] + step / 2
    assert plot_left > 20  # the y axis's numbers stand left of the first slot
    assert plot_right <= chart.width()


def test_an_empty_charts_axis_counts_in_whole_numbers(qtbot, monkeypatch):
    """A week with no contacts yet: the axis read 0, .2, .5, .8, 1 (quarters cut to fit)."""
    labels: list[str] = []

    class Recording(QPainter):
        def drawText(self, *args):  # Qt's name
            if len(args) == 3 and isinstance(args[2], str):
                labels.append(args[2])
            return super().drawText(*args)

    monkeypatch.setattr(widgets_charts, "QPainter", Recording)
    chart = BarChart("每周联系次数")
    qtbot.addWidget(chart)
    chart.set_data(["10-05", "10-12"], [])
    chart.resize(420, 240)
    chart.grab()
    assert [t for t in labels if t != "每周联系次数"][:5] == ["0", "1", "2", "3", "4"]


def test_an_unfinished_last_month_is_drawn_as_such(qtbot, monkeypatch):
    """The last month of the trend covers 6 days: its note stands beside its points, its
    tooltip says it, and its label is shown however many labels are left out."""
    from ui.widgets_charts import TrendChart

    texts: list[str] = []

    class Recording(QPainter):
        def drawText(self, *args):  # Qt's name
            if isinstance(args[-1], str):
                texts.append(args[-1])
            return super().drawText(*args)

    monkeypatch.setattr(widgets_charts, "QPainter", Recording)
    chart = TrendChart("按月")
    qtbot.addWidget(chart)
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    chart.set_data(months, [("联系次数", [300.0] * 11 + [60.0]), ("已接通", [120.0] * 12)])
    chart.set_unfinished("12月仅前 6 天")
    chart.resize(420, 240)  # too narrow for every label
    chart.grab()
    assert "12月仅前 6 天" in texts
    shown = [t for t in texts if t in months]
    assert "2026-12" in shown and len(shown) < len(months)
    tips = {(i, s): tip for _rect, i, s, tip in chart._hits}
    assert tips[(11, 0)] == "2026-12 · 联系次数: 60 (12月仅前 6 天)"
    assert tips[(10, 0)] == "2026-11 · 联系次数: 300"


def test_a_finished_last_month_has_no_note(qtbot):
    from ui.widgets_charts import TrendChart

    chart = TrendChart("按月")
    qtbot.addWidget(chart)
    chart.set_data(["2026-10", "2026-11"], [("联系次数", [300.0, 290.0])])
    chart.set_unfinished("")
    chart.resize(420, 240)
    chart.grab()
    assert [tip for _r, _i, _s, tip in chart._hits][-1] == "2026-11 · 联系次数: 290"
