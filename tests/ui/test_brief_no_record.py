"""A car with no maintenance on record long after its first service reads as such in the brief,
not as a first service years overdue. (No translator: the English source.)"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from services.customers.reminders import MaintenanceDue
from ui.views.brief_view import BriefView


def test_a_car_with_no_maintenance_on_record_says_so(qtbot):
    view = BriefView()
    qtbot.addWidget(view)
    lost = MaintenanceDue(1, "丰田 凯美瑞 粤A12345", dt.date(2027, 2, 27), False, None, None,
                          no_record=True)
    new = MaintenanceDue(2, "本田 雅阁 粤B12345", dt.date(2026, 12, 1), True, None, None)
    brief = SimpleNamespace(maintenance=(lost, new), declined=(), as_of=dt.date(2026, 11, 26))
    said = view._service(brief)
    assert ("粤A12345: maintenance (none on record: by the regular interval) 2027-02-27 "
            "(in 93 day(s))") in said
    assert "粤B12345: first service 2026-12-01 (in 5 day(s))" in said
    assert "overdue" not in said
