"""A list run is marked finished once, on SQLite and PostgreSQL: a second program that read the
run unfinished before the first marked it (a build placing its last file while `list show`
finds every file in place) changes nothing and records nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from models import ListRun
from services.lists import runs
from tests.test_fault_harness import SEGMENT, TODAY, _demo_with_segment, _open, cli, fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path, sqlite_template, pg_server_url)


def test_a_run_read_unfinished_by_two_programs_is_finished_by_the_first_only(url, tmp_path):
    _demo_with_segment(url, 200)
    cli(url, "list", "build", SEGMENT, "--as-of", TODAY, "--channel", "call", "--format",
        "xlsx", "--out", str(tmp_path / "week.xlsx"))
    database = _open(url)
    try:
        with database.sessions.begin() as s:
            run_id = s.scalar(select(ListRun.id))
            s.execute(update(ListRun).values(finished_at=None))  # as a build before its end
        with database.sessions() as late:
            seen = late.get(ListRun, run_id)  # the second program reads it unfinished…
            assert seen is not None and seen.finished_at is None
            assert runs.finish_run(database.sessions, run_id)  # …the first finishes it…
            assert runs._mark_finished(late, run_id) is None  # …and the second changes nothing
            late.commit()
        with database.sessions() as s:
            finished = s.scalar(select(ListRun.finished_at).where(ListRun.id == run_id))
            assert finished is not None
            assert not runs.finish_run(database.sessions, run_id)  # a re-print: already
    finally:
        database.dispose()
