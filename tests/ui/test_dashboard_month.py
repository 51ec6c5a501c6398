"""The dashboard's monthly trend says when its last month is unfinished (the period ends inside
it), so a few days' contacts do not read as a collapse against a whole month."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from services.reports import dashboard
from tests.ui.conftest import DEMO_TODAY
from ui.views.report_dashboard import DashboardTab


def test_month_so_far_counts_the_days_of_an_unfinished_month():
    assert dashboard.month_so_far(dt.date(2026, 12, 6)) == 6
    assert dashboard.month_so_far(dt.date(2026, 11, 30)) is None
    assert dashboard.month_so_far(dt.date(2028, 2, 28)) == 28  # a leap year's February
    assert dashboard.month_so_far(dt.date(2027, 2, 28)) is None


@pytest.mark.parametrize(("translated", "note"), [("zh_CN", "11月仅前 22 天"),
                                                   ("en", "Nov: first 22 day(s) only")],
                         indirect=["translated"])
def test_the_monthly_trend_marks_the_month_so_far(qtbot, demo_db, translated, note):
    end = DEMO_TODAY - dt.timedelta(days=1)  # 2026-11-22
    d = dashboard.dashboard(demo_db.sessions, end - dt.timedelta(days=6), end, complete=False)
    tab = DashboardTab()
    qtbot.addWidget(tab)
    tab.show_dashboard(d)
    assert tab.monthly.unfinished == note
    tab.show_dashboard(dataclasses.replace(d, end=dt.date(2026, 11, 30)))
    assert tab.monthly.unfinished == ""
