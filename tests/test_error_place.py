"""A driver's failure reported without the database's URL (a window task's sentence) names
the database the process opened, not "the database Revisit's database"."""

from __future__ import annotations

import sqlite3

from services.store.database import open_database, user_error


def test_a_failure_without_its_url_names_the_open_database(tmp_path):
    path = tmp_path / "desk.sqlite3"
    database = open_database(f"sqlite:///{path}")
    try:
        said = user_error(sqlite3.OperationalError("database is locked"), None)
    finally:
        database.engine.dispose()
    assert said is not None
    assert said.params["where"] == str(path)
    assert "Revisit's database" not in str(said)
