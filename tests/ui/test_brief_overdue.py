"""How long a service is overdue, said the way a caller says it: days, then months, then years,
at each boundary (90 / 91 days, 730 / 731 days), in the window and in the CLI alike."""

from __future__ import annotations

import pytest

from ui.cli.brief_text import overdue
from ui.views.brief_view import BriefView

CASES = [(1, "1 day overdue"), (90, "90 days overdue"), (91, "3 months overdue"),
         (730, "24 months overdue"), (731, "2 years overdue"), (3037, "8 years overdue"),
         (30 * 13, "13 months overdue")]


@pytest.mark.parametrize(("days", "said"), CASES)
def test_overdue_in_the_unit_a_caller_uses(qtbot, days, said):
    view = BriefView()
    qtbot.addWidget(view)
    # No translator in the tests: Qt's numerus source text with %n filled in, which reads
    # right for one and for many ("1 day(s) overdue", not "1 days overdue").
    number, unit, rest = said.split(" ", 2)
    assert view._overdue(days) == f"{number} {unit.removesuffix('s')}(s) {rest}"
    assert overdue(days) == said
