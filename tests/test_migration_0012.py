"""Revision 0012 on SQLite and PostgreSQL: the referral purposes are accepted after it, other
codes still refused, list members survive (the CHECK is widened in place, no table is
re-created), and going down maps the new purposes onto old ones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from models.db import make_engine
from services.store.database import upgrade_schema
from tests import test_migrations as base

empty_url = base.empty_url  # an empty database on each backend (a fixture)

AT = dt.datetime(2026, 11, 1, 9, 0)


def _rows(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customer (id, code, name, name_pinyin, name_initials, "
                          "name_sort, created_at, updated_at, version) VALUES (1, 'C1', '张伟', "
                          "'zhangwei', 'zw', 'zhang wei', :at, :at, 1)"), {"at": AT})
        conn.execute(text("INSERT INTO list_run (id, segment_name, filter_json, as_of, purpose, "
                          "channel_mode, settings_json, created_at) VALUES (1, 's', '{}', "
                          ":d, 'care', 'auto', '{}', :at)"), {"d": AT.date(), "at": AT})
        conn.execute(text("INSERT INTO list_run_member (run_id, customer_id, channel, position, "
                          "row_code, attempts, status) VALUES (1, 1, 'phone', 0, 'A1', 0, "
                          "'open')"))


def _contact(engine: Engine, purpose: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO contact_event (customer_id, contact_at, channel, purpose, "
                          "outcome, created_at) VALUES (1, :at, 'phone', :p, 'reached', :at)"),
                     {"at": AT, "p": purpose})


@pytest.fixture
def engine(empty_url):
    eng = make_engine(empty_url)
    yield eng
    eng.dispose()


def test_the_referral_purposes_come_in_and_go_back_out(engine):
    upgrade_schema(engine, "0011")
    _rows(engine)
    upgrade_schema(engine, "0012")
    for purpose in ("ref_thanks", "ref_ask", "care"):
        _contact(engine, purpose)
    with engine.begin() as conn:
        conn.execute(text("UPDATE list_run SET purpose = 'ref_ask'"))
    with pytest.raises(IntegrityError):
        _contact(engine, "gossip")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM list_run_member")) == 1
        if engine.dialect.name == "sqlite":
            assert conn.scalar(text("PRAGMA integrity_check")) == "ok"
    base._downgrade(engine, "0011")
    with engine.connect() as conn:
        purposes = sorted(conn.scalars(text("SELECT purpose FROM contact_event")))
        assert purposes == ["care", "care", "marketing"]
        assert conn.scalar(text("SELECT purpose FROM list_run")) == "marketing"
        assert conn.scalar(text("SELECT count(*) FROM list_run_member")) == 1
    with pytest.raises(IntegrityError):
        _contact(engine, "ref_thanks")
    upgrade_schema(engine, "0012")
    _contact(engine, "ref_thanks")
