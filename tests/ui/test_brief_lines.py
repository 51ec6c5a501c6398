"""Lines of the pre-call brief read as sentences: each date says what happened on it, an
arrow only where a band went up or down. (No translator in the tests: the English source.)"""

from __future__ import annotations

import datetime as dt

from services.customers.brief import Trend
from services.customers.referrals import ReferralInfo
from ui.views.brief_view import BriefView


def test_a_changed_attribute_says_since_when_without_a_stray_arrow(qtbot):
    view = BriefView()
    qtbot.addWidget(view)
    married = Trend("marital_status", "single", "married", dt.date(2024, 5, 1), "changed")
    richer = Trend("economic_band", "2", "3", dt.date(2025, 1, 2), "up")
    said = view._changes((married, richer))
    assert "Single → Married (since 2024-05-01)" in said
    assert "→ → " not in said and "→ (" not in said
    assert "2 → 3 ↑ (since 2025-01-02)" in said


def test_a_person_introduced_reads_with_what_each_date_is(qtbot):
    view = BriefView()
    qtbot.addWidget(view)
    bought = ReferralInfo(1, dt.date(2023, 4, 3), "customer", 2, "C2", "丁益", 1, "C1", "田建",
                          dt.date(2023, 5, 25), dt.date(2023, 5, 25), None)
    assert view._introduced(bought) == "丁益 (introduced 2023-04-03, bought 2023-05-25)"
    came = ReferralInfo(2, dt.date(2023, 4, 3), "customer", 3, "C3", "陈德超", 1, "C1", "田建",
                        None, dt.date(2023, 6, 1), None)
    assert view._introduced(came) == "陈德超 (introduced 2023-04-03, came 2023-06-01)"
