"""A template is saved as a segment only once its list has somebody on it: a template none of
whose members can be contacted is refused with nothing saved and nothing audited, on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import AuditLog, Customer, DoNotContact, ListRun, SavedSegment
from services.demo.generator import generate
from services.lists import asked as asking
from services.lists import build
from services.segments import service as segments

AS_OF = dt.date(2026, 11, 23)
TEMPLATE = "rfm.general_keep"


def _counts(db) -> tuple[int, int, int]:
    with db.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))  # type: ignore[return-value]
                     for t in (SavedSegment, AuditLog, ListRun))


def test_a_template_nobody_can_be_contacted_in_is_refused_with_nothing_saved(database):
    generate(database, 120, seed=5, today=AS_OF)
    with database.sessions.begin() as s:  # everyone asked never to be contacted
        for cid in s.scalars(select(Customer.id)):
            s.add(DoNotContact(customer_id=cid, channel=None, purpose=None, reason="test",
                               set_on=AS_OF))
    before = _counts(database)
    options = build.RunOptions(as_of=AS_OF)
    asked = asking.check_asked(database.sessions, TEMPLATE, options, count=True)
    assert asked.customers and asked.customers > 0  # in the template, none contactable
    with pytest.raises(asking.NobodyToContact):
        build.build_run(database.sessions, TEMPLATE, options, sink=asking.RefuseEmpty())
    assert _counts(database) == before
    said = asking.nobody_to_contact(database.sessions, TEMPLATE, asked, AS_OF)
    assert f"None of the {asked.customers} customers" in str(said)


def test_a_template_with_somebody_to_contact_is_saved_with_its_run(database):
    generate(database, 120, seed=5, today=AS_OF)
    summary = build.build_run(database.sessions, TEMPLATE, build.RunOptions(as_of=AS_OF),
                              sink=asking.RefuseEmpty())
    saved = segments.get_segment(database.sessions, TEMPLATE)
    with database.sessions() as s:
        run = s.get(ListRun, summary.run_id)
        assert run is not None and run.segment_id == saved.info.id
    assert summary.members > 0
    # Built again: the same segment, and the first run is the previous one once finished.
    again = build.build_run(database.sessions, TEMPLATE, build.RunOptions(as_of=AS_OF))
    with database.sessions() as s:
        assert s.get(ListRun, again.run_id).segment_id == saved.info.id  # type: ignore[union-attr]
