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
    assert "2 Low → 3 Middle ↑ (since 2025-01-02)" in said


def test_a_person_introduced_reads_with_what_each_date_is(qtbot):
    view = BriefView()
    qtbot.addWidget(view)
    bought = ReferralInfo(1, dt.date(2023, 4, 3), "customer", 2, "C2", "丁益", 1, "C1", "田建",
                          dt.date(2023, 5, 25), dt.date(2023, 5, 25), None)
    assert view._introduced(bought) == "丁益 (introduced 2023-04-03, bought 2023-05-25)"
    came = ReferralInfo(2, dt.date(2023, 4, 3), "customer", 3, "C3", "陈德超", 1, "C1", "田建",
                        None, dt.date(2023, 6, 1), None)
    assert view._introduced(came) == "陈德超 (introduced 2023-04-03, came 2023-06-01)"


def test_a_service_due_on_the_day_the_owner_was_told_says_so(qtbot):
    # The day a work order's 下次保养日期 gave: what the caller reminds the owner of.
    from types import SimpleNamespace

    from services.customers.reminders import MaintenanceDue

    view = BriefView()
    qtbot.addWidget(view)
    day = dt.date(2026, 12, 1)
    told = MaintenanceDue(1, "丰田 凯美瑞 粤A12345", day, False, dt.date(2026, 8, 1), 40000,
                          told=True)
    counted = MaintenanceDue(2, "本田 雅阁 粤B12345", day, False, dt.date(2026, 6, 1), 30000)
    brief = SimpleNamespace(maintenance=(told, counted), declined=(), as_of=dt.date(2026, 11, 26))
    said = view._service(brief)
    assert "粤A12345: maintenance 2026-12-01 (as told at the last service, in 5 day(s))" in said
    assert "本田 雅阁 粤B12345: maintenance 2026-12-01 (in 5 day(s))" in said


def test_a_declined_repair_says_whether_its_due_date_was_given_or_worked_out(qtbot):
    from types import SimpleNamespace

    from services.customers.reminders import DeclinedInfo

    view = BriefView()
    qtbot.addWidget(view)

    def item(n: int, name: str, due: dt.date, given: bool) -> DeclinedInfo:
        return DeclinedInfo(n, 1, None, "", name, dt.date(2026, 11, 2), "visit", due, "open",
                            None, "", "", None, due_given=given)

    brief = SimpleNamespace(maintenance=(), as_of=dt.date(2026, 11, 26), declined=(
        item(1, "更换刹车片", dt.date(2026, 12, 20), True),
        item(2, "轮胎老化", dt.date(2026, 12, 2), False)))
    said = view._service(brief)
    assert "declined: 更换刹车片 due 2026-12-20 (2026-11-02)" in said
    assert "declined: 轮胎老化 due about 2026-12-02 (a month after it was advised)" in said
