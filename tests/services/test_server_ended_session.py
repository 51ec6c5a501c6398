"""A session the PostgreSQL server ended (an administrator's pg_terminate_backend, a shutdown,
a restart) is said as that — the server closed it, the step was not saved — not as a server
that cannot be reached, which stays the sentence for a server that never answered."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from services.store.database import DRIVER_ERRORS, user_error


def _postgresql(database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no server to end a session")


def test_a_session_terminated_on_the_server_is_said_as_ended_not_unreachable(database):
    _postgresql(database)
    with database.sessions() as s:
        pid = s.scalar(text("SELECT pg_backend_pid()"))
        # A second connection (the session holds its own) plays the administrator.
        with database.engine.connect() as admin:
            assert admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DRIVER_ERRORS) as failed:
            s.execute(text("SELECT count(*) FROM customer"))
    said = str(user_error(failed.value, database.url))
    assert "ended Revisit's connection" in said
    assert "not saved" in said
    assert "cannot be reached" not in said
    # The pool notices and the next step gets a connection of its own.
    with database.sessions() as s:
        assert s.scalar(text("SELECT 1")) == 1


def test_a_server_that_does_not_answer_still_cannot_be_reached(database):
    _postgresql(database)
    # Port 9 (discard) has no PostgreSQL listening: the connection is refused.
    url = database.engine.url.set(port=9)
    engine = create_engine(url)
    try:
        with pytest.raises(DRIVER_ERRORS) as failed, engine.connect():
            pass
    finally:
        engine.dispose()
    said = str(user_error(failed.value, url.render_as_string(hide_password=False)))
    assert "cannot be reached" in said
    assert "ended" not in said
