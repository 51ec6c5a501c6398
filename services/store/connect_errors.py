"""Why the PostgreSQL server refused Revisit or could not be reached, as one sentence naming the
server, the user or the database, and whom to ask; the driver's own words are kept apart, for the
log and the window's "Show Details…".

A refused statement carries its SQLSTATE. A refused connection does not: libpq reads the code
the server sends but passes on only the text ("connection failed: connection to server at …
failed: FATAL:  password authentication failed for user …"), so a refusal at connection time is
told apart by what the server said, in English or in the Simplified Chinese of PostgreSQL's own
message catalogue (a server whose lc_messages is Chinese refuses in Chinese)."""

from __future__ import annotations

import getpass
import logging
import os
import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from services.store.errors import N_, RevisitError

log = logging.getLogger(__name__)

# What the PostgreSQL driver says when the server cannot be reached or went away mid-step: stopped
# ("Connection refused", "terminating connection due to administrator command", "the database
# system is shutting down"), the network or the name of the host failing, a time-out.
UNREACHABLE_MARKERS = (
    "connection refused", "is the server running", "could not connect", "timeout expired",
    "timed out", "no route to host", "network is unreachable", "could not translate host name",
    "name or service not known", "failed to resolve host", "temporary failure in name resolution",
    "nodename nor servname", "server closed the connection", "connection is closed",
    "terminating connection", "connection reset", "ssl syscall", "shutting down",
    "starting up", "connection is lost", "consuming input failed",
)
# The server ended a session it had let in: an administrator's pg_terminate_backend or a fast
# shutdown (SQLSTATE 57P01 admin_shutdown), a crash of another server process (57P02); the
# words of PostgreSQL 15's zh_CN catalogue too. Not a server that cannot be reached: it
# answered, then hung up. libpq's "server closed the connection unexpectedly" alone says
# nothing of who closed it: a network cut between this PC and the server ends with it too.
ENDED_SQLSTATES = {"57P01", "57P02"}
ENDED_MARKERS = (
    "terminating connection due to administrator command",
    "terminating connection because of crash",
    "由于管理员命令中断该连接", "由于管理员命令中断联接",
)
# The host's name is unknown (a mistyped name, or a PC off the network), not a server that is
# down: getaddrinfo's EAI_NONAME and EAI_NODATA as glibc, macOS and Windows (11001) word them.
HOST_UNKNOWN_MARKERS = (
    "name or service not known", "nodename nor servname", "no address associated with hostname",
    "errno 11001", "no such host is known",
)
SERVER_UNREACHABLE = N_(
    "The database server {server} cannot be reached, so nothing was saved, but nothing you "
    "typed is lost: try again in a moment, or ask whoever runs the server.")
SERVER_UNREACHABLE_AT_START = N_(
    "The database server {server} cannot be reached, so Revisit cannot open its data: try "
    "again in a moment, or ask whoever runs the server.")
SERVER_ENDED = N_(
    "The database server {server} ended Revisit's connection (it was closed on the server, by "
    "its administrator or a restart), so the step in progress was not saved: do it again; if "
    "it keeps happening, ask whoever runs the server.")
HOST_UNKNOWN = N_(
    "No database server named {host} can be found on the network (database address {where}): "
    "check that this PC is connected to the network and that the server's name is right, or "
    "ask whoever runs the server.")

LOGIN_REFUSED = N_(
    "The database server {server} refused the user name {user} or its password (database "
    "address {where}): a supervisor or the server's administrator sets them, so ask them for "
    "the right ones.")
NO_SUCH_DATABASE = N_(
    "The database server {server} has no database named {database} (database address "
    "{where}): check the name with a supervisor, or ask the server's administrator to create "
    "the database.")
NO_PERMISSION = N_(
    "The user {user} has no permission to use the database {database} on the server {server}: "
    "ask the server's administrator to grant it.")
NO_PERMISSION_FOR_STEP = N_(
    "The user {user} has no permission for this step in the database {database} on the server "
    "{server}, so nothing was changed: ask the server's administrator to grant it.")
TOO_MANY_CONNECTIONS = N_(
    "The database server {server} accepts no more connections right now: close Revisit on PCs "
    "that do not need it and try again in a moment, or ask the server's administrator to "
    "allow more.")
NOT_ALLOWED_FROM_HERE = N_(
    "The database server {server} does not let this PC connect to the database {database} as "
    "{user}: ask the server's administrator to allow it.")
NOT_ALLOWED_UNENCRYPTED = N_(
    "The database server {server} does not let this PC connect to the database {database} as "
    "{user} without encryption: ask the server's administrator whether the database address "
    "{where} needs sslmode=require, or to allow this PC.")
SSL_NOT_OFFERED = N_(
    "The database address {where} asks for an encrypted (SSL) connection, but the database "
    "server {server} does not offer one: ask the server's administrator to turn SSL on, or a "
    "supervisor to change the address.")
SSL_CERTIFICATE = N_(
    "Revisit did not connect to the database server {server} because its security certificate "
    "could not be verified (database address {where}): ask the server's administrator.")

# A refusal's SQLSTATE (PostgreSQL's Appendix A) and the sentence it gets. 28000
# (invalid_authorization_specification) covers several refusals, told apart by their words.
BY_SQLSTATE = {
    "28P01": LOGIN_REFUSED,  # invalid_password
    "3D000": NO_SUCH_DATABASE,  # invalid_catalog_name
    "42501": NO_PERMISSION,  # insufficient_privilege
    "53300": TOO_MANY_CONNECTIONS,  # too_many_connections
}
# What the server (or libpq, for SSL) says when it refuses a connection, first match winning:
# English, then the wording of PostgreSQL 15's zh_CN catalogue (a server in Chinese was tried).
# "authentication failed" before "certificate": a client certificate refused is a refused
# sign-in.
BY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (LOGIN_REFUSED, re.compile(
        r'authentication failed for user|no password supplied|role "[^"]*" does not exist'
        r'|认证失败|角色 ?"[^"]*" ?不存在')),
    (NO_PERMISSION, re.compile(
        r'permission denied for database|CONNECT privilege|is not permitted to log in'
        r'|访问数据库.*权限不够|CONNECT ?权限|不允许角色')),
    (NO_SUCH_DATABASE, re.compile(r'database "[^"]*" does not exist|数据库 ?"[^"]*" ?不存在')),
    (TOO_MANY_CONNECTIONS, re.compile(
        r'too many connections for|too many clients|remaining connection slots are reserved'
        r'|连接太多|太多的客户|已保留的连接位置')),
    (NOT_ALLOWED_FROM_HERE, re.compile(r'pg_hba\.conf')),
    (SSL_NOT_OFFERED, re.compile(r'does not support SSL|SSL was required|不支持 ?SSL')),
    (SSL_CERTIFICATE, re.compile(r'certificate|证书', re.IGNORECASE)),
)


def _driver_text(exc: BaseException) -> str:
    """What the driver said. A server on Chinese Windows refuses a connection in its own code
    page (936, GBK) before it knows the client's encoding, and psycopg reads those words as
    UTF-8, leaving only replacement characters ("��������:  �û� …" for "致命错误:  用户 …"): they
    are read again from libpq's bytes, which the error keeps."""
    orig = getattr(exc, "orig", exc)
    said = str(orig)
    raw = getattr(getattr(orig, "pgconn", None), "error_message", None)
    if "\ufffd" not in said or not isinstance(raw, bytes):
        return said
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        garbled = raw.decode("utf-8", "replace").strip()
        read = raw.decode("gb18030", "replace").strip()
        return said.replace(garbled, read) if garbled in said else read
    return said


def technical_words(exc: BaseException) -> str:
    """The driver's message on one line (libpq adds hints on lines of their own)."""
    return " ".join(_driver_text(exc).split())


def _parsed(url: str | None) -> URL | None:
    try:
        parsed = make_url(url) if url else None
    except ArgumentError:
        return None
    return None if parsed is None or parsed.get_backend_name() == "sqlite" else parsed


def server_of(url: str | None) -> str:
    """The server as its administrator names it: host and port (no user, no password)."""
    parsed = _parsed(url)
    if parsed is None:
        return "?"
    host = parsed.host or "localhost"
    return f"{host}:{parsed.port}" if parsed.port else host


def _user_and_database(parsed: URL) -> tuple[str, str]:
    """Whom the server was asked to let in, and where: what libpq asks for when the address
    leaves them out (PGUSER, else the name signed in to this PC; PGDATABASE, else the user)."""
    user = parsed.username or os.environ.get("PGUSER", "")
    if not user:
        try:
            user = getpass.getuser()
        except (OSError, KeyError, ImportError):
            user = "?"
    return user, parsed.database or os.environ.get("PGDATABASE", "") or user


def server_unreachable(exc: BaseException) -> bool:
    """Whether a driver error says the database server cannot be reached (stopped, the network
    down, the connection dropped), not that it refused what was asked."""
    text_ = _driver_text(exc).lower()
    return (isinstance(exc, DBAPIError) and "password authentication" not in text_
            and any(marker in text_ for marker in UNREACHABLE_MARKERS))


def ended_by_server(exc: BaseException) -> bool:
    """Whether the server ended a connection it had let in (terminated by an administrator,
    shut down or restarted mid-step), as against one it never answered."""
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    text_ = _driver_text(exc).lower()
    return code in ENDED_SQLSTATES or any(m in text_ for m in ENDED_MARKERS)


def connection_failed(exc: BaseException) -> bool:
    """Whether psycopg could not connect at all (as against a statement the server refused)."""
    text_ = _driver_text(exc).lower()
    return isinstance(exc, OperationalError) and (
        text_.startswith(("connection failed", "connection is bad"))
        or "connection to server" in text_)


def short_reason(exc: BaseException) -> str:
    """What the server or libpq said, without libpq's "connection to server at … failed:"
    and the severity: for a refusal Revisit has no sentence of its own for."""
    lines = _driver_text(exc).strip().splitlines()
    reason = lines[0].rsplit(" failed: ", 1)[-1] if lines else ""
    reason = re.sub(r"^connection (failed|is bad): ", "", reason)
    return re.sub(r"^(FATAL|ERROR|致命错误|错误):\s+", "", reason).strip()


def _template(exc: BaseException, *, opening: bool) -> str | None:
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if code == "42501" and not opening:
        return NO_PERMISSION_FOR_STEP
    if code and code != "28000":  # a statement refused
        return BY_SQLSTATE.get(code)
    if not code and not connection_failed(exc):
        return None
    text_ = _driver_text(exc)
    found = next((template for template, words in BY_WORDS if words.search(text_)), None)
    if found == NOT_ALLOWED_FROM_HERE and _unencrypted_only(text_):
        return NOT_ALLOWED_UNENCRYPTED
    return found or (LOGIN_REFUSED if code else None)


def _unencrypted_only(text_: str) -> bool:
    """Whether only a connection without encryption was refused: the server's rules may let the
    same user in over SSL (sslmode=prefer tries SSL first, so this is sslmode=disable, or a
    server with SSL off). The words stay English in PostgreSQL's Chinese messages too."""
    return (re.search(r"no encryption|SSL off", text_) is not None
            and re.search(r"SSL encryption|GSS encryption|SSL on\b", text_) is None)


def refusal(exc: BaseException, url: str | None, where: str, *,
            opening: bool) -> RevisitError | None:
    """The server refused the connection or the user (a wrong password, no such database, no
    permission, no room, SSL) as one sentence; None for anything else."""
    parsed = _parsed(url)
    template = _template(exc, opening=opening) if parsed is not None else None
    if parsed is None or template is None:
        return None
    user, database = _user_and_database(parsed)
    error = RevisitError(template, server=server_of(url), user=user, database=database,
                         where=where)
    return with_technical(error, exc)


def unreachable(exc: BaseException, url: str | None, where: str, *,
                opening: bool) -> RevisitError:
    """The server cannot be reached: a name nobody knows when opening, else stopped or cut off
    (the sentence for a step says nothing typed is lost)."""
    parsed = _parsed(url)
    low = _driver_text(exc).lower()
    if opening and parsed is not None and any(m in low for m in HOST_UNKNOWN_MARKERS):
        error = RevisitError(HOST_UNKNOWN, host=parsed.host or "localhost", where=where)
    elif not opening and ended_by_server(exc):
        error = RevisitError(SERVER_ENDED, server=server_of(url))
    else:
        error = RevisitError(SERVER_UNREACHABLE_AT_START if opening else SERVER_UNREACHABLE,
                             server=server_of(url))
    return with_technical(error, exc)


def with_technical(error: RevisitError, exc: BaseException) -> RevisitError:
    """The driver's words (English, with hosts and ports) go to the log, for whoever supports
    the users, and under the window's "Show Details…", never into the sentence."""
    error.technical = technical_words(exc)
    log.info("%s — the driver said: %s", error, error.technical)
    return error
