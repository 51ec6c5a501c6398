"""What other PCs stored since a moment (services/store/news.py), on SQLite and PostgreSQL, read
through a second engine as another PC reads the same database: a colleague's call names its
customer, a saved segment tells the segments, this PC's own writes and sign-ins tell nothing,
and a flood of rows is news about everything."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from models import AuditLog, ContactEvent, Customer
from services.contacts import calls
from services.segments.saved import save_segment
from services.store import news
from services.store.database import open_database


def _customers(database, n: int = 2) -> list[int]:
    with database.sessions.begin() as s:
        people = [Customer(code=f"N{i}", name=f"客户{i}") for i in range(n)]
        s.add_all(people)
        s.flush()
        return [c.id for c in people]


def test_a_colleagues_call_is_news_about_its_customer(database, supervisor, staff):
    ids = _customers(database)
    other_pc = open_database(database.url, upgrade=False)
    try:
        mark = news.mark_now(other_pc.sessions)
        assert news.news_since(other_pc.sessions, mark, supervisor.id) is None
        calls.record_call(database.sessions, ids[1], staff.id,
                          calls.CallResult(outcome="reached"), purpose="care")
        got = news.news_since(other_pc.sessions, mark, supervisor.id)
        assert got is not None and got.kinds == news.CONTACT
        assert got.customer_ids == {ids[1]}
        # The caller's own PC announced it already.
        mine = news.news_since(other_pc.sessions, mark, staff.id)
        assert mine is not None and not mine.kinds and mine.mark == got.mark
        assert news.news_since(other_pc.sessions, got.mark, supervisor.id) is None
    finally:
        other_pc.dispose()


def test_a_saved_segment_is_news_for_the_segments_and_a_sign_in_is_none(
        database, supervisor, staff):
    mark = news.mark_now(database.sessions)
    with database.sessions.begin() as s:
        s.add(AuditLog(action="sign_in", entity="staff_user", entity_id=staff.id,
                       staff_id=staff.id, detail="{}"))
    quiet = news.news_since(database.sessions, mark, supervisor.id)
    assert quiet is not None and not quiet.kinds
    save_segment(database.sessions, "本周回访", {"version": 1, "where": {
        "field": "customer_code", "op": "starts_with", "value": "N"}}, staff_id=staff.id)
    got = news.news_since(database.sessions, quiet.mark, supervisor.id)
    assert got is not None and got.kinds == {"segments"} and not got.customer_ids


def test_more_rows_than_are_read_one_by_one_is_news_about_everything(database, supervisor):
    ids = _customers(database, 1)
    mark = news.mark_now(database.sessions)
    at = dt.datetime(2026, 11, 30, 9)
    with database.sessions.begin() as s:
        s.execute(insert(ContactEvent), [
            {"customer_id": ids[0], "contact_at": at + dt.timedelta(minutes=n),
             "channel": "sms", "purpose": "care", "outcome": "sent"}
            for n in range(news.MOST_ROWS + 1)])
    got = news.news_since(database.sessions, mark, supervisor.id)
    assert got is not None and got.kinds == news.EVERYTHING and not got.customer_ids
