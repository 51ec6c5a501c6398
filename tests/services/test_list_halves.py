"""A list run's facts made in two halves at once on a SQLite file (services/lists/halves.py):
the same rows as the one statement makes, for every purpose; the same when the second
connection or the working folder cannot be had; no working file left behind."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
import time
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text

from services.demo import generator as demo
from services.lists import build, halves
from services.lists.snapshot import member_data
from services.segments import service as segments
from services.segments.sqlx import CreateTempAs

AS_OF = dt.date(2026, 11, 23)
NAME = "facts_under_test"


@pytest.fixture
def world(sqlite_database, tmp_path, monkeypatch):
    demo.generate(sqlite_database, 300, seed=5, today=AS_OF)
    segments.save_segment(sqlite_database.sessions, "全部", {"version": 1}, purpose="care")
    work = tmp_path / "temporary"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))  # the working folders land here
    return sqlite_database, work


def _facts(db, purpose: str, *, halved: bool) -> list[tuple]:
    """The facts of the whole demo for `purpose`, halved or in one statement, by customer."""
    _, member_query = build.segment_members(db.sessions, "全部", AS_OF)
    facts_of = partial(build._facts_query, as_of=AS_OF, purpose=purpose, dialect="sqlite",
                       fatigue_days=14, segment_id=None)
    with db.sessions() as s:
        raw = s.connection().connection.dbapi_connection
        for name, count, function in build.SQLITE_FUNCTIONS:
            raw.create_function(name, count, function, deterministic=True)
        if halved:
            halves.make_facts(s, NAME, member_query, facts_of, build.SQLITE_FUNCTIONS)
        else:
            s.execute(CreateTempAs(NAME, facts_of(member_query)))
        rows = s.execute(text(f"SELECT * FROM temp.{NAME} ORDER BY customer_id")).all()
        s.execute(text(f"DROP TABLE temp.{NAME}"))
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("purpose", ["care", "sales", "reminder"])
def test_two_halves_make_what_one_statement_makes(world, monkeypatch, purpose):
    db, work = world
    one = _facts(db, purpose, halved=False)
    monkeypatch.setattr(halves, "MIN_MEMBERS", 2)
    made: list[str] = []
    real_run = halves._SecondHalf._run

    def run(self):  # watched, not changed: the second half was made by the second connection
        real_run(self)
        made.append("second" if self._error is None else f"failed: {self._error}")

    monkeypatch.setattr(halves._SecondHalf, "_run", run)
    two = _facts(db, purpose, halved=True)
    assert made == ["second"]
    assert len(one) > 250
    assert two == one
    assert not list(work.iterdir())  # the working folder went with its files


def test_below_the_threshold_one_statement_from_the_members(world, monkeypatch):
    db, work = world
    one = _facts(db, "care", halved=False)
    started: list[int] = []
    monkeypatch.setattr(halves._SecondHalf, "start", lambda self: started.append(1))
    assert _facts(db, "care", halved=True) == one  # 300 members < MIN_MEMBERS
    assert started == []
    assert not list(work.iterdir())


def test_a_second_connection_that_cannot_open_leaves_the_half_to_the_first(world, monkeypatch):
    db, work = world
    one = _facts(db, "sales", halved=False)
    monkeypatch.setattr(halves, "MIN_MEMBERS", 2)

    def refused(*_args, **_kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(halves, "_open", refused)
    assert _facts(db, "sales", halved=True) == one
    assert not list(work.iterdir())


def test_no_working_folder_means_one_statement(world, monkeypatch, tmp_path):
    db, _ = world
    one = _facts(db, "care", halved=False)
    monkeypatch.setattr(halves, "MIN_MEMBERS", 2)
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    assert _facts(db, "care", halved=True) == one


def test_a_folder_a_killed_build_left_goes_a_day_later(world):
    db, work = world
    old, recent = work / f"{halves.PREFIX}old", work / f"{halves.PREFIX}recent"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "members.sqlite3").write_bytes(b"left")
    two_days_ago = time.time() - 2 * 24 * 3600
    for left in (old / "members.sqlite3", old):  # a killed build's folder and what it wrote
        os.utime(left, (two_days_ago, two_days_ago))
    _facts(db, "care", halved=True)
    assert sorted(p.name for p in work.iterdir()) == [recent.name]


def test_a_whole_run_in_halves_is_the_run_in_one_statement(world, monkeypatch):
    """Members with their channel, caller, place and snapshot, and the left-out with their
    reasons: the same whether the facts were halved."""
    db, _ = world

    def stored(run_id: int) -> tuple[list[tuple], list[tuple]]:
        with db.sessions() as s:
            members = s.execute(text(
                "SELECT customer_id, vehicle_id, channel, assigned_staff_id, position, "
                "substr(row_code, instr(row_code, '-')), snapshot FROM list_run_member "
                "WHERE run_id = :r ORDER BY id"), {"r": run_id}).all()
            left = s.execute(text(
                "SELECT customer_id, reason, detail, snapshot FROM list_run_exclusion "
                "WHERE run_id = :r ORDER BY id"), {"r": run_id}).all()
        def without_code(snapshot: str) -> dict:
            data = member_data(snapshot)
            assert data.pop("row_code").startswith(f"{run_id}-")
            return data

        return ([(*m[:-1], without_code(m[-1])) for m in members], [tuple(x) for x in left])

    options = build.RunOptions(as_of=AS_OF, channel="auto")
    one = build.build_run(db.sessions, "全部", options)
    monkeypatch.setattr(halves, "MIN_MEMBERS", 2)
    two = build.build_run(db.sessions, "全部", options)
    members, left = stored(two.run_id)
    assert (members, left) == stored(one.run_id)
    assert len(members) > 100 and left
    assert (two.by_channel, two.excluded) == (one.by_channel, one.excluded)


def test_halves_work_from_a_path_with_chinese_and_spaces(tmp_path, sqlite_template, monkeypatch):
    """A Windows user's folder may be named in Chinese, with spaces."""
    import shutil

    from services.store.database import open_database

    folder = tmp_path / "回访 数据"
    folder.mkdir()
    path = folder / "revisit.sqlite3"
    shutil.copy(sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    try:
        demo.generate(db, 60, seed=2, today=AS_OF)
        segments.save_segment(db.sessions, "全部", {"version": 1}, purpose="care")
        work = tmp_path / "临时 文件夹"
        work.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(work))
        one = _facts(db, "care", halved=False)
        monkeypatch.setattr(halves, "MIN_MEMBERS", 2)
        assert _facts(db, "care", halved=True) == one
        assert not list(Path(work).iterdir())
    finally:
        db.dispose()
