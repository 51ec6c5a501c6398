"""`list build` killed (SIGKILL) after its files were put in place and before its run was
marked finished, on SQLite and PostgreSQL: `list show` (one run, or the list of runs) finishes
it first, as `list print` and the next build do, and shows it finished; a file changed since
leaves it unfinished, shown so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

from tests.test_fault_harness import cli, fresh_database
from tests.test_list_killed_after_files import _killed_run, _runs
from ui.cli import list_commands
from ui.cli.list_commands import UNFINISHED


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, sqlite_template, pg_server_url) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path, sqlite_template, pg_server_url)


def test_list_show_finishes_a_run_killed_once_its_files_are_in_place(url, tmp_path):
    folder, run_id = _killed_run(url, tmp_path)
    sms_file = folder / "w-sms.xlsx"
    written = sms_file.read_bytes()

    # A file changed since it was written (opened and saved again): not the run's own, so
    # the run stays unfinished, and is shown so, in the list and on its own.
    sms_file.write_bytes(written + b"\0")
    listed = cli(url, "list", "show").stdout
    assert f"#{run_id:<5}" in listed and UNFINISHED in listed, listed
    shown = cli(url, "list", "show", str(run_id)).stdout
    assert f"{UNFINISHED}: its files were never completed" in shown, shown
    assert _runs(url) == [(run_id, False)]

    # Every file as written: finished by `list show N`, said, and shown finished.
    sms_file.write_bytes(written)
    shown = cli(url, "list", "show", str(run_id)).stdout
    assert (f"list run #{run_id} finished: its files were complete at their names, written "
            "before it stopped: its calls are in the callers' queues") in shown, shown
    assert UNFINISHED not in shown and f"list run #{run_id}: " in shown
    assert _runs(url) == [(run_id, True)]


def test_the_list_of_runs_finishes_a_run_killed_once_its_files_are_in_place(url, tmp_path):
    _folder, run_id = _killed_run(url, tmp_path)
    listed = cli(url, "list", "show").stdout
    assert f"list run #{run_id} finished: its files were complete at their names" in listed
    (row,) = [line for line in listed.splitlines() if line.startswith(f"#{run_id:<5}")]
    assert UNFINISHED not in row, listed
    assert _runs(url) == [(run_id, True)]


def test_showing_on_a_connection_that_may_only_read_leaves_such_a_run_unfinished(url, tmp_path):
    """Finishing the run is a write: on a database that refuses writes (a read-only PostgreSQL
    login, a SQLite connection with query_only), `list show` shows the run as stored,
    unfinished, instead of refusing the whole command."""
    _folder, run_id = _killed_run(url, tmp_path)
    engine = create_engine(url)
    refuse = ("PRAGMA query_only = ON" if url.startswith("sqlite")
              else "SET default_transaction_read_only = on")

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(refuse)
        cursor.close()
        dbapi_connection.commit()  # PostgreSQL's SET is undone with its transaction

    try:
        assert list_commands._finished_if_it_can(sessionmaker(engine), run_id) is False
    finally:
        engine.dispose()
    assert _runs(url) == [(run_id, False)]
