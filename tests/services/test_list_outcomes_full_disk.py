"""A read back that the database's full disk stops after some chunks were committed says how
many rows were stored and that reading the file again finishes it, never "nothing was
changed": through the service and `main.py list outcomes` (the window's in
tests/ui/test_list_readback_counts.py). Reading it again with
room on the disk stores the rest, nothing twice. On SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

import main
from services.lists import outcomes
from services.staff import accounts
from services.store.errors import RevisitError
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import TODAY, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _full_after_first_chunk(monkeypatch) -> None:
    """Chunks of 2 rows; the second fails as SQLite fails on a full disk."""
    real = outcomes._store_chunk
    calls = []

    def store(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise OperationalError("INSERT INTO contact_event", {},
                                   sqlite3.OperationalError("database or disk is full"))
        return real(*args, **kwargs)

    monkeypatch.setattr(outcomes, "_store_chunk", store)
    monkeypatch.setattr(outcomes, "CHUNK", 2)


def _filled(path, col):
    _fill(path, col, {(row, "结果"): "接通" for row in range(2, 7)})


def test_a_full_disk_after_a_chunk_says_what_is_stored(listed, monkeypatch):
    database, path, col = listed
    _filled(path, col)
    _full_after_first_chunk(monkeypatch)
    with pytest.raises(RevisitError) as stop:
        outcomes.read_outcomes(database.sessions, path, today=TODAY, chunk=2)
    said = str(stop.value)
    assert said.startswith(f"Reading {path.name} back stopped after 2 contact(s) from its "
                           f"first 2 rows were stored, because the disk holding ")
    assert "read the same file again to finish it" in said and "nothing was changed" not in said
    assert stop.value.technical == "database or disk is full"
    monkeypatch.undo()  # room on the disk again
    again = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert (again.stored, again.already) == (3, 2)


def test_a_full_disk_before_anything_is_stored_says_nothing_was_changed(listed, monkeypatch):
    database, path, col = listed
    _filled(path, col)
    _full_after_first_chunk(monkeypatch)
    monkeypatch.setattr(outcomes, "_store_chunk", lambda *a, **k: (_ for _ in ()).throw(
        OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))))
    with pytest.raises(OperationalError):  # the database's own sentence: nothing stored
        outcomes.read_outcomes(database.sessions, path, today=TODAY, chunk=2)


def test_the_cli_says_it(listed, monkeypatch, capsys):
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    _filled(path, col)
    _full_after_first_chunk(monkeypatch)
    monkeypatch.setattr(outcomes, "read_outcomes", lambda *a, **k: _real_read(*a, chunk=2, **k))
    monkeypatch.setenv("REVISIT_USER", "boss")
    monkeypatch.setenv("REVISIT_PASSWORD", SUPERVISOR_PASSWORD)
    capsys.readouterr()
    code = main.main(["--db", database.url, "list", "outcomes", str(path)])
    out, err = capsys.readouterr()
    assert code != 0
    assert "stopped after 2 contact(s) from its first 2 rows were stored" in err, (out, err)
    assert "nothing was changed" not in err


_real_read = outcomes.read_outcomes
