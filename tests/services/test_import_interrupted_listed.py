"""An import stopped part-way (the server ended its session, a full disk) takes back what it
had written: the batch list says it was interrupted and nothing of it is stored, not that
someone undid it. On SQLite and PostgreSQL; on PostgreSQL the session is ended for real
with pg_terminate_backend from a second connection."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
from sqlalchemy import text

from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.store.database import DRIVER_ERRORS, user_error
from tests.services.import_files import DMS_HEADERS, counts, customer_rows, write_csv
from ui.cli import import_commands

CUSTOMERS = ImportOptions("customers", today=dt.date(2026, 11, 30))


def _interrupt(database):
    """The progress callback that stops the import after its first chunk: on PostgreSQL an
    administrator ends its session, on SQLite the disk fills up."""
    def progress(done: int, _total: int) -> None:
        if database.engine.dialect.name != "postgresql":
            raise OSError(28, "No space left on device")
        with database.engine.connect() as admin:
            admin.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    return progress


def test_an_interrupted_import_is_listed_as_interrupted_not_undone(database, tmp_path,
                                                                   capsys):
    before = counts(database)
    path = write_csv(tmp_path / "三月.csv", DMS_HEADERS, customer_rows(600))
    with pytest.raises((OSError, *DRIVER_ERRORS)) as failed:
        apply(database.sessions, path, CUSTOMERS, progress=_interrupt(database))
    if database.engine.dialect.name == "postgresql":
        # Ended mid-statement, libpq says only "server closed the connection unexpectedly",
        # as it does when the network to the server is cut: said as a lost server, the step
        # not saved.
        said = str(user_error(failed.value, database.url))
        assert "localhost" in said and "nothing was saved" in said
    assert counts(database) == before
    [batch] = batches.list_batches(database.sessions)
    assert batch.interrupted
    assert batches.get_batch(database.sessions, batch.id).interrupted
    import_commands._batches(argparse.Namespace(limit=30, kind=None),
                             lambda: database)
    line = capsys.readouterr().out
    assert "三月.csv" in line and "interrupted" in line and "not stored" in line
    assert "undone" not in line


def test_an_import_undone_by_a_supervisor_is_still_listed_as_undone(database, tmp_path,
                                                                    supervisor, capsys):
    done = apply(database.sessions, write_csv(tmp_path / "四月.csv", DMS_HEADERS,
                                              customer_rows(3)), CUSTOMERS)
    batches.undo_batch(database.sessions, done.batch_id, supervisor)
    [batch] = batches.list_batches(database.sessions)
    assert batch.undone and not batch.interrupted
    import_commands._batches(argparse.Namespace(limit=30, kind=None), lambda: database)
    line = capsys.readouterr().out
    assert "undone" in line and "interrupted" not in line
