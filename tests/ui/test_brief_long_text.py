"""A caller's feedback or a customer's note of thousands of characters is shown cut, its whole
text in the line's tooltip, so the lines below it stay on the brief. (No translator: the
English source.)"""

from __future__ import annotations

import datetime as dt

from models import ContactEvent, Customer
from services.customers.brief import load_brief
from ui.views.brief_view import SHOWN_CHARS, BriefView

TODAY = dt.date(2026, 11, 26)


def test_a_long_feedback_and_note_are_cut_with_the_whole_text_in_the_tooltip(qtbot, database):
    feedback = "客户说车子异响，" * 1350  # 10,800 characters pasted in from a chat
    note = "老客户，" + "喜欢周末来店。" * 60
    with database.sessions.begin() as s:
        c = Customer(code="C1", name="张伟", note=note)
        s.add(c)
        s.flush()
        s.add(ContactEvent(customer_id=c.id, contact_at=dt.datetime(2026, 11, 20, 10),
                           channel="phone", purpose="care", outcome="reached",
                           feedback=feedback))
        cid = c.id
    view = BriefView()
    qtbot.addWidget(view)
    view.show_brief(load_brief(database.sessions, cid, TODAY))
    shown = view.text_of("contact")
    assert "客户说车子异响" in shown and "…" in shown
    assert len(shown) < SHOWN_CHARS + 100
    assert view._rows["contact"].toolTip() == feedback
    assert view.text_of("note").startswith("老客户，喜欢周末来店。") and "…" in view.text_of("note")
    assert view._rows["note"].toolTip() == note
    view.show_brief(None)  # the next customer's brief has no tooltip of this one's
    assert view._rows["contact"].toolTip() == "" and view._rows["note"].toolTip() == ""
