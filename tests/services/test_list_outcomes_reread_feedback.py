"""A paper list read back, a screen call then adding its words to that contact's feedback, and
the same paper read again: the screen's words stay (the row was not typed into since); a
feedback typed over on the paper still corrects it. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from services.contacts.calls import CallResult
from services.lists import outcomes
from tests.services import test_calls_after_paper as paper
from tests.services.test_calls_after_paper import DAY, _contacts, _member, _type_on_screen
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = paper.listed


def test_reading_the_paper_again_keeps_what_a_screen_call_added(listed):
    database, path, col = listed
    code = _cell(path, col, 2, "编号")
    opened = _member(database, code)
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): DAY.isoformat(),
                      (2, "客户反馈"): "下周来店"})
    assert outcomes.read_outcomes(database.sessions, path, today=TODAY).stored == 1
    _type_on_screen(database, opened, CallResult("reached", feedback="要保养"),
                    dt.datetime.combine(DAY, dt.time(15, 30)))
    assert _contacts(database, opened) == [("reached", "下周来店；要保养", None)]
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already, again.corrected) == (0, 1, 0)
    assert _contacts(database, opened) == [("reached", "下周来店；要保养", None)]
    # Typed over on the paper since: the caller's correction, as before.
    _fill(path, col, {(2, "客户反馈"): "不来了"})
    typed = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert typed.corrected == 1
    assert _contacts(database, opened) == [("reached", "不来了", None)]
