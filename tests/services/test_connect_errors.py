"""The PostgreSQL server refuses Revisit: one sentence for each common refusal (a wrong password,
no such database, no permission, no room left, no SSL), naming the server, the user or the
database, never the driver's words and never the password; the driver's words are kept apart.
Against the real server of REVISIT_TEST_PG_URL, refusing for real: the databases refusing are
made and dropped here by the test login itself (an owner may revoke its own CONNECT)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from services.store import connect_errors as ce
from services.store.database import open_database, user_error
from services.store.errors import RevisitError
from tests.conftest import PG_URL_ENV, REQUIRE_PG_ENV, drop_pg_database
from tests.test_cli import assert_user_error, run

SECRET = "Wr0ng-pass-7731"  # a wrong password no message may show
# What psycopg and libpq say, in English and in PostgreSQL's Chinese: never in the sentence.
DRIVER_WORDS = ("connection failed", "connection to server", "FATAL", "致命错误", "failed for user",
                "pg_hba", "DETAIL", "SQLSTATE", "\n")


@pytest.fixture(scope="module")
def server() -> URL:
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        pytest.skip(f"PostgreSQL not configured ({PG_URL_ENV})")
    return make_url(url)


# A second server whose messages are Chinese in GBK (code page 936), as PostgreSQL on a Chinese
# Windows server says them: .ci/run starts one.
GBK_URL_ENV = "REVISIT_TEST_PG_GBK_URL"


@pytest.fixture(scope="module")
def gbk_server() -> URL:
    url = os.environ.get(GBK_URL_ENV, "").strip()
    if not url:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            raise pytest.UsageError(f"{REQUIRE_PG_ENV}=1 but {GBK_URL_ENV} is not set")
        pytest.skip(f"no PostgreSQL refusing in GBK configured ({GBK_URL_ENV})")
    return make_url(url)


@pytest.fixture
def admin(server) -> Iterator:
    engine = create_engine(server.set(drivername="postgresql+psycopg"),
                           isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def scratch(admin) -> Iterator[str]:
    """A database of the test login's own, dropped afterwards whatever it was made to refuse."""
    name = f"revisit_refuses_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield name
    drop_pg_database(admin, name)


def _url(server: URL, **changes) -> str:
    return server.set(**changes).render_as_string(hide_password=False)


def _masked(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _refused(url: str) -> RevisitError:
    with pytest.raises(RevisitError) as raised:
        open_database(url)
    return raised.value


def _server_name(server: URL) -> str:
    return f"{server.host or 'localhost'}:{server.port}" if server.port else server.host


def _one_clean_sentence(error: RevisitError, password: str | None) -> None:
    said, technical = str(error), error.technical or ""
    assert not any(word in said for word in DRIVER_WORDS), said
    assert f":{password}@" not in said + technical
    if password == SECRET:  # the test login's own may also be its user name
        assert SECRET not in said + technical
    assert technical  # the driver's words, apart, for support


def test_a_wrong_password_names_the_user_and_the_server_and_who_sets_it(server):
    url = _url(server, password=SECRET)
    error = _refused(url)
    assert error.template == ce.LOGIN_REFUSED
    assert str(error) == (
        f"The database server {_server_name(server)} refused the user name {server.username} or "
        f"its password (database address {_masked(url)}): a supervisor or the server's "
        "administrator sets them, so ask them for the right ones.")
    assert ":***@" in str(error)
    _one_clean_sentence(error, SECRET)
    assert f'"{server.username}"' in error.technical  # the server's words, quoting the user


def test_a_user_the_server_does_not_know_is_the_same_refusal(server):
    """PostgreSQL answers an unknown user as a wrong password (not to tell which exists)."""
    url = _url(server, username=f"nobody_{uuid.uuid4().hex[:6]}", password=SECRET)
    error = _refused(url)
    assert error.template == ce.LOGIN_REFUSED
    assert make_url(url).username in str(error)
    _one_clean_sentence(error, SECRET)


def test_a_missing_database_is_named_with_the_server(server):
    url = _url(server, database="revisit_no_such_db")
    error = _refused(url)
    assert error.template == ce.NO_SUCH_DATABASE
    assert str(error) == (
        f"The database server {_server_name(server)} has no database named revisit_no_such_db "
        f"(database address {_masked(url)}): check the name with a supervisor, or ask the "
        "server's administrator to create the database.")
    _one_clean_sentence(error, server.password)
    assert '"revisit_no_such_db"' in error.technical


def test_a_server_refusing_in_gbk_as_on_chinese_windows_gets_the_same_sentences(gbk_server):
    """Before it knows the client's encoding, such a server says why it refuses in GBK, which
    the driver reads as UTF-8 (replacement characters only): its words are read again."""
    url = _url(gbk_server, password=SECRET)
    error = _refused(url)
    assert error.template == ce.LOGIN_REFUSED
    assert gbk_server.username in str(error)
    _one_clean_sentence(error, SECRET)
    assert f'用户 "{gbk_server.username}" Password 认证失败' in error.technical
    assert "\ufffd" not in error.technical
    url = _url(gbk_server, database="revisit_no_such_db")
    error = _refused(url)
    assert error.template == ce.NO_SUCH_DATABASE
    assert '数据库 "revisit_no_such_db" 不存在' in error.technical
    line = assert_user_error(run("--db", _url(gbk_server, password=SECRET), "segment", "list"),
                             "refused the user name", _server_name(gbk_server))
    assert not any(word in line for word in DRIVER_WORDS) and "\ufffd" not in line


def test_a_user_without_connect_permission_is_told_whom_to_ask(server, admin, scratch):
    with admin.connect() as conn:
        conn.execute(text(f'REVOKE CONNECT ON DATABASE "{scratch}" FROM PUBLIC'))
        conn.execute(text(f'REVOKE CONNECT ON DATABASE "{scratch}" FROM CURRENT_USER'))
    error = _refused(_url(server, database=scratch))
    assert error.template == ce.NO_PERMISSION
    assert str(error) == (
        f"The user {server.username} has no permission to use the database {scratch} on the "
        f"server {_server_name(server)}: ask the server's administrator to grant it.")
    _one_clean_sentence(error, server.password)


def test_a_user_who_may_connect_but_not_read_revisits_tables(server, admin, scratch):
    """Refused by a statement (SQLSTATE 42501) while opening, and while working."""
    url = _url(server, database=scratch)
    open_database(url).dispose()  # Revisit's tables, owned by the test login
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.begin() as conn:
            conn.execute(text("REVOKE ALL ON alembic_version, customer FROM CURRENT_USER"))
        error = _refused(url)
        assert error.template == ce.NO_PERMISSION
        with pytest.raises(Exception) as raised, engine.begin() as conn:
            conn.execute(text("INSERT INTO customer (code, name) VALUES ('C1', '张伟')"))
        step = user_error(raised.value, url)
    finally:
        engine.dispose()
    assert step is not None and step.template == ce.NO_PERMISSION_FOR_STEP
    assert str(step).startswith(f"The user {server.username} has no permission for this step "
                                f"in the database {scratch}")
    _one_clean_sentence(step, server.password)


def test_a_database_with_no_connection_left(server, admin):
    name = f"revisit_full_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" CONNECTION LIMIT 0'))
    try:
        error = _refused(_url(server, database=name))
    finally:
        drop_pg_database(admin, name)
    assert error.template == ce.TOO_MANY_CONNECTIONS
    assert str(error).startswith(
        f"The database server {_server_name(server)} accepts no more connections right now")
    _one_clean_sentence(error, server.password)


def test_ssl_asked_of_a_server_without_it(server):
    url = _url(server, query={"sslmode": "require"})
    try:
        open_database(url).dispose()
    except RevisitError as error:
        assert error.template == ce.SSL_NOT_OFFERED
        assert f"The database address {_masked(url)} asks for an encrypted (SSL)" in str(error)
        _one_clean_sentence(error, server.password)
    else:
        pytest.skip("this server offers SSL")


def test_a_server_name_nobody_knows(server):
    host = "revisit-no-such-server.invalid"  # RFC 6761: never resolves
    try:
        socket.getaddrinfo(host, 5432)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"names cannot be looked up here ({exc})")
    url = _url(server, host=host, password=SECRET)
    error = _refused(url)
    assert error.template == ce.HOST_UNKNOWN
    assert str(error).startswith(f"No database server named {host} can be found on the network "
                                 f"(database address {_masked(url)})")
    _one_clean_sentence(error, SECRET)


def test_a_refusal_without_a_sentence_keeps_the_short_reason(server):
    error = _refused(_url(server, query={"sslmode": "requir"}))
    assert str(error).startswith("Cannot connect to the database server ")
    assert str(error).endswith(': invalid sslmode value: "requir"')
    assert "connection is bad" not in str(error) and "connection is bad" in error.technical


def test_the_command_line_says_the_wrong_password_in_one_line(server):
    line = assert_user_error(run("--db", _url(server, password=SECRET), "segment", "list"),
                             "refused the user name", _server_name(server))
    assert not any(word in line for word in DRIVER_WORDS) and SECRET not in line
