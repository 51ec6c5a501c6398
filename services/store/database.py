"""Opening a Revisit database: connect, check and back up a SQLite file, apply migrations
(backups themselves: services/store/backup.py)."""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    SQLAlchemyError,
)

from models import db
from services.store import checked_files, connect_errors
from services.store.errors import N_, RevisitError, from_os_error
from services.store.integrity import check_sqlite
from services.store.network import network_warning, on_network_drive
from services.store.schema import (
    HEAD_REVISION,
    alembic_config,
    current_revision,
    head_revision,
    revision_history,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session, sessionmaker

    from services.store.backup import DailyBackup

log = logging.getLogger(__name__)

# How long a command waits for the day's backup before saying why it has not ended: the
# 20,000-customer demo's file copies in well under that, the 200,000's 1.5 GB in 2–10 s.
BACKUP_PATIENCE = 0.5


@dataclass(frozen=True)
class Database:
    """An open database: the engine and a session factory (one session per user action)."""

    url: str
    engine: Engine
    warnings: tuple[RevisitError, ...] = ()  # worth telling the user, not worth refusing
    # The SQLite file as opened sound: its state when closed is remembered as sound too
    # (services/store/checked_files.py).
    sound_file: Path | None = None
    # The day's backup being copied beside the work (open_database(daily_backup=True)).
    backup: DailyBackup | None = None

    @functools.cached_property
    def sessions(self) -> sessionmaker[Session]:
        # Made when first asked for: the ORM costs 0.07 s to import, and a command reading
        # through Core alone (`segment matrix`) never needs it.
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def finish_backup(self, waiting: Callable[[], None] | None = None,
                      patience: float = BACKUP_PATIENCE) -> RevisitError | None:
        """Waits for the day's backup if one is being copied; what stopped it, as a warning
        for the caller to report (it is not a reason to refuse the work done meanwhile).
        `waiting()` is called first if the copy is still going after `patience` seconds, so
        that someone waiting is told why."""
        if self.backup is None:
            return None
        if waiting is not None and not self.backup.wait(patience):
            waiting()
        try:
            self.backup.finish()
        except RevisitError as exc:
            return exc
        return None

    def dispose(self) -> None:
        self.finish_backup()
        self.engine.dispose()
        if self.sound_file is not None:
            checked_files.record_sound(self.sound_file)


@dataclass(frozen=True)
class DatabaseInfo:
    url: str
    backend: str
    revision: str | None
    head: str
    row_counts: dict[str, int]
    file_size: int | None


def _describe(url: str) -> str:
    try:
        path = db.sqlite_path(url)
        if path is not None:
            return str(path)
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)  # the password hidden still


DRIVER_ERRORS: tuple[type[Exception], ...] = (DBAPIError, sqlite3.Error)

def user_error(exc: BaseException, url: str | None) -> RevisitError | None:
    """The one mapping of what the database or the disk refused into a sentence for the user;
    None for anything else (a bug, to be logged with its traceback)."""
    if isinstance(exc, RevisitError):
        return exc
    if isinstance(exc, DRIVER_ERRORS):
        return translate_db_error(exc, url)
    if isinstance(exc, OSError):
        return from_os_error(exc)
    return None


# The database this process opened last: what a failure reported without its URL (a window
# task's, a stored import's sentences) names, instead of no place at all ("The database
# Revisit's database is busy").
_opened_url: str | None = None


def translate_db_error(exc: Exception, url: str | None, *,
                       opening: bool = False) -> RevisitError:
    """Turn a driver error into one clear sentence naming the database. `opening`: the error
    came while opening it, before anyone could type anything."""
    url = url or _opened_url
    where = _describe(url) if url else "Revisit's database"
    text_ = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    low = text_.lower()
    # The server said no (a wrong password, no such database, no permission…) or cannot be
    # reached: a sentence of their own, the driver's words apart (services/store/connect_errors).
    refused = connect_errors.refusal(exc, url, where, opening=opening)
    if refused is not None:
        return refused
    if connect_errors.server_unreachable(exc):
        return connect_errors.unreachable(exc, url, where, opening=opening)
    if connect_errors.connection_failed(exc):  # a refusal without a sentence of its own
        return connect_errors.with_technical(RevisitError(
            N_("Cannot connect to the database server {where}: {detail}"),
            where=where, detail=connect_errors.short_reason(exc)), exc)
    if isinstance(exc, IntegrityError) or isinstance(getattr(exc, "orig", None),
                                                     sqlite3.IntegrityError):
        return RevisitError(
            N_("Someone saved a clashing change to {where} at the same moment; nothing was "
               "saved. Look at the record again and repeat the step."),
            where=where,
        )
    # SQLite after busy_timeout, PostgreSQL after lock_timeout (models/db.py): a colleague's
    # long job, or another program, is writing.
    if "locked" in low or "busy" in low or "lock timeout" in low:
        return RevisitError(
            N_("The database {where} is busy with another person's or program's work; nothing "
               "was saved. Wait a moment and try again."),
            where=where,
        )
    if ("unable to open" in low or "readonly" in low or "read-only" in low) and (
            folder := _read_only_folder(url)) is not None:
        return RevisitError(
            N_("The folder {folder} is read-only, so the database {where} cannot be opened, "
               "not even to read it: SQLite makes two working files beside the database to "
               "open it. Ask whoever looks after this PC to let you write to that folder, or "
               "open a copy kept in a folder you may write to."),
            folder=str(folder), where=where)
    if "unable to open" in low:
        return RevisitError(
            N_("Cannot open the database file {where}: missing folder or no permission."),
            where=where,
        )
    if "file is not a database" in low or "malformed" in low:
        return RevisitError(
            N_("{where} is not a Revisit database (the file is damaged or of another kind)."),
            where=where,
        )
    if "disk is full" in low or "no space" in low or ("disk i/o error" in low
                                                      and _disk_full(url)):
        return RevisitError(
            N_("The disk holding {where} is full; nothing was changed."), where=where
        )
    if "disk i/o error" in low:
        return RevisitError(
            N_("The disk holding {where} reported an error while Revisit read or wrote the "
               "database; nothing was changed. Check the disk, or the connection to the shared "
               "folder, and try again."), where=where)
    if "readonly" in low or "read-only" in low:
        companion = _read_only_companion(url)
        if companion is not None:
            return RevisitError(
                N_("The database {where} cannot be saved to: its companion file {file} is "
                   "read-only. SQLite keeps that file beside the database and writes every "
                   "change through it; ask whoever looks after this PC to let you write to it "
                   "as well (do not delete it: it may hold changes not yet in the database)."),
                where=where, file=str(companion))
        return RevisitError(
            N_("The database {where} is read-only: nothing can be saved in it. Ask whoever "
               "looks after this PC to let you write to the file and its folder, or open a copy "
               "kept in a folder you may write to."), where=where)
    return RevisitError(N_("Database error on {where}: {detail}"), where=where, detail=text_)


# Less room than this on a SQLite file's disk: a write refused there is the full disk's (a
# change needs its pages, their write-ahead log frames and the 32 KiB shared-memory file).
FULL_BELOW = 1 << 20


def _disk_full(url: str | None) -> bool:
    """Whether the disk holding a SQLite database has (almost) no room left: SQLite says
    "disk I/O error", not "disk is full", when it cannot even make the -shm file it opens a
    WAL database with."""
    path = db.sqlite_path(url) if url else None
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < FULL_BELOW
    except OSError:
        return False


def _read_only_folder(url: str | None) -> Path | None:
    """The folder of a SQLite database stored there that cannot be written to, when the
    database's shared-memory file (-shm) is not there already: SQLite opens a WAL database
    only by making it (and its log) beside it, so even reading it fails."""
    path = db.sqlite_path(url) if url else None
    if path is None or not path.exists() or path.with_name(path.name + "-shm").exists():
        return None
    return None if os.access(path.parent, os.W_OK) else path.parent


def _read_only_companion(url: str | None) -> Path | None:
    """The write-ahead log or shared-memory file (-wal, -shm) of a SQLite database that may
    itself be written but whose companion may not (copied in or its permissions changed on
    their own): every change SQLite saves in WAL mode goes through both."""
    path = db.sqlite_path(url) if url else None
    if path is None or not os.access(path, os.W_OK):
        return None
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists() and not os.access(companion, os.W_OK):
            return companion
    return None


def _bad_url(url: str) -> RevisitError:
    return RevisitError(
        N_(
            "'{url}' is not a database URL Revisit understands (e.g. sqlite:///file.db or "
            "postgresql://user:password@host/dbname)."
        ),
        url=_describe(url),  # its password hidden, as in every other message
    )


def _make_engine(url: str) -> Engine:
    try:
        if make_url(url).get_backend_name() not in ("sqlite", "postgresql"):
            raise _bad_url(url)  # MySQL and others: no driver shipped, schema not tested
        return db.make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
        raise _bad_url(url) from exc


SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` begins with the 16 bytes every SQLite database begins with (True when it
    cannot be read: SQLite's own error then says why). Of a file SQLite cannot read ("file is
    not a database"), one that does not is of another kind (a text file, a spreadsheet
    renamed) and one that does is damaged: opening and `db check` say so alike."""
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return True


def _refuse_foreign_sqlite(path: Path, url: str) -> None:
    """Look at an existing file read-only before the engine touches it: connecting through the
    engine switches the file to WAL, which would already change a file that is not ours."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=db.SQLITE_BUSY_MS / 1000)
        try:
            names = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except sqlite3.Error as exc:
        said = str(exc).lower()
        if "malformed" in said or ("not a database" in said and is_sqlite_file(path)):
            _refuse_damaged(path, QUICK_CHECK_SECONDS)  # the advice naming a good backup
        raise translate_db_error(exc, url) from exc
    names = {n for n in names if not n.startswith("sqlite_")}
    if names and "alembic_version" not in names:
        raise RevisitError(
            N_("{where} holds tables that are not Revisit's; refusing to change it."),
            where=str(path),
        )


def _without_leftovers(path: Path, check) -> None:
    """Run `check`; if it refuses the file, remove the -wal/-shm files that merely looking at
    it created (an empty log, and the shared-memory index SQLite rebuilds whenever it is
    missing), so a refused file is left exactly as it was found."""
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    created = [p for p in (wal, shm) if not p.exists()]
    try:
        check()
    except RevisitError:
        for sidecar in created:
            if sidecar.exists() and (sidecar is shm or sidecar.stat().st_size == 0):
                sidecar.unlink(missing_ok=True)
        raise


# How long opening may spend checking a SQLite file for damage. quick_check reads every page:
# 0.23 s for a 33 MB file of 5,000 demo customers here (2 cores), so about the first 140 MB of
# a file are checked at each start that finds it changed (services/store/checked_files.py);
# `db check` checks all of it.
QUICK_CHECK_SECONDS = 1.0


def _refuse_damaged(path: Path, seconds: float) -> None:
    result = check_sqlite(path, seconds)
    if not result.ok:
        refuse_damaged(path, result.problems)


def refuse_damaged(path: Path, problems: tuple[str, ...]) -> None:
    """Refuse the damaged file `path` in one sentence: the latest good backup and how to
    restore it, else where none was found. SQLite's own words (`problems`: "*** in database
    main *** On tree page 3912 cell 58: …", over a thousand characters for a few bad pages)
    go to the log and the window's "Show Details…", never into the sentence."""
    from services.store.backup import stored_place
    from services.store.restore import latest_good_backup  # Alembic: only for a damaged file

    technical = "\n".join(problems)
    log.info("%s failed SQLite's check: %s", path, technical)
    backup = latest_good_backup(path)
    if backup is None:
        error = RevisitError(
            N_("{where} is damaged; nothing was changed. No intact backup of it was found in "
               "{folder}: restore a copy kept elsewhere with the command revisit db restore "
               "followed by that file (a supervisor)."),
            where=str(path), folder=str(stored_place(path).folder))
    else:
        error = RevisitError(
            N_("{where} is damaged; nothing was changed. The latest good backup is {backup}: "
               "restore it with the command revisit db restore followed by that file (a "
               "supervisor), or close Revisit and put it in place of the damaged file."),
            where=str(path), backup=str(backup))
    error.technical = technical
    raise error


def refuse_empty(path: Path) -> None:
    """Refuse a database file of 0 bytes: SQLite would take it for a new database, and Revisit
    made it one, empty, in place of the department's (a shared file emptied by a sync conflict
    or a failed copy). Revisit never makes one itself: a new file holds SQLite's header page
    from its first moment (models/db.py switches it to WAL on connecting)."""
    from services.store.backup import stored_place
    from services.store.restore import latest_good_backup  # Alembic: only for a bad file

    backup = latest_good_backup(path)
    if backup is None:
        raise RevisitError(
            N_("{where} is empty (0 bytes), perhaps emptied by a failed copy or a sync "
               "conflict; nothing was changed. No intact backup of it was found in {folder}: "
               "restore a copy kept elsewhere with the command revisit db restore followed by "
               "that file, or delete the empty file to start a new database."),
            where=str(path), folder=str(stored_place(path).folder))
    raise RevisitError(
        N_("{where} is empty (0 bytes), perhaps emptied by a failed copy or a sync conflict; "
           "nothing was changed. The latest good backup is {backup}: restore it with the "
           "command revisit db restore followed by that file (a supervisor), or close Revisit "
           "and put it in place of the empty file."),
        where=str(path), backup=str(backup))


def _has_user_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return bool(names - {"alembic_version"})


# Told of an upgrade about to start: the stored revision, the one it goes to, and the copy of
# the SQLite file as it was (None on a server).
Announce = Callable[[str, str, Path | None], None]


def open_database(url: str | None = None, *, upgrade: bool = True,
                  daily_backup: bool = False, create: bool = True,
                  memory: bool = False, announce: Announce | None = None) -> Database:
    """Connect to `url` (default: REVISIT_DB or the per-user SQLite file), creating the SQLite
    file's folder, backing up an existing SQLite file before a schema upgrade, and applying
    pending migrations. Raises RevisitError with a clear message on any failure.

    With `daily_backup` (commands that write) a SQLite file gets its backup of the day unless
    it has one, of the file as opened, copied while the caller works (Database.finish_backup
    waits for it); a backup that fails is a warning, not a reason not to open.

    Without `create`, a SQLite file that is not there is refused, not made: a command that
    only reads, given a mistyped path, would otherwise leave an empty database there and
    report nothing found. A database in memory (sqlite://) is refused unless `memory`: what is
    stored in it is gone when the program ends.

    `announce` is told of an upgrade of an existing schema just before it starts (the CLI says
    so on stderr: a scheduled task's log then tells why that run took longer)."""
    named = url is not None or bool(os.environ.get(db.ENV_DB_URL, "").strip())
    url = db.spelled_out(url or db.default_url())
    try:
        path = db.sqlite_path(url) if db.is_sqlite(url) else None
        sqlite_options = make_url(url).query if db.is_sqlite(url) else {}
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise _bad_url(url) from exc
    if sqlite_options:
        # The driver ignores them (a read-only ?mode=ro would still be written to).
        raise RevisitError(N_("Revisit opens a SQLite file by its path alone; leave "
                              "'?{options}' out of {url}."),
                           options=url.partition("?")[2], url=url)
    if db.is_sqlite(url) and path is None and not memory:
        raise RevisitError(N_("{url} is a database in memory, gone when Revisit ends; name a "
                              "file instead, e.g. sqlite:///C:/Revisit/revisit.sqlite3."),
                           url=url)
    if path is not None:
        if not path.parent.is_dir() and path != db.default_data_dir() / db.DB_FILENAME:
            # Only Revisit's own data folder is made; a missing folder in a named path is more
            # likely a typing mistake than a wish for a new empty database there.
            raise RevisitError(
                N_("The folder {where} does not exist; check the database path. Nothing was "
                   "created."), where=str(path.parent))
        if not create and not path.exists():
            if named:
                raise RevisitError(N_("There is no database {where}; nothing was created. "
                                      "Check the path given with --db (or REVISIT_DB)."),
                                   where=str(path))
            raise RevisitError(N_("There is no database at {where} yet; nothing was created. "
                                  "Start Revisit, or run `demo` or `import`, to make one."),
                               where=str(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RevisitError(
                N_("Cannot create the folder {where}: {detail}"),
                where=str(path.parent),
                detail=exc.strerror or str(exc),
            ) from exc
        if path.exists() and path.is_dir():
            raise RevisitError(N_("{where} is a folder, not a database file."), where=str(path))
        if path.is_file() and path.stat().st_size == 0:
            refuse_empty(path)
        if path.is_file() and path.stat().st_size > 0:
            _without_leftovers(path, lambda: _refuse_foreign_sqlite(path, url))
            if not checked_files.unchanged_since_seen(path):
                _without_leftovers(path, lambda: _refuse_damaged(path, QUICK_CHECK_SECONDS))
                checked_files.record_sound(path)
    engine = _make_engine(url)
    try:
        if upgrade:
            _upgrade(engine, path, announce)
        else:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
    except RevisitError:
        engine.dispose()
        raise
    except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
        engine.dispose()
        raise translate_db_error(exc, url, opening=True) from exc
    warnings: tuple[RevisitError, ...] = (
        (network_warning(path),) if path is not None and on_network_drive(path) else ())
    backup = None
    if daily_backup and path is not None:
        from services.store.backup import DailyBackup

        try:
            backup = DailyBackup(path)
        except RevisitError as exc:
            warnings += (exc,)
    for warning in warnings:  # the caller shows them (the window, the CLI's stderr)
        log.info("%s", warning)
    global _opened_url
    _opened_url = url
    return Database(url=url, engine=engine, warnings=warnings, sound_file=path, backup=backup)


def schema_due(database: Database) -> bool:
    """Whether the database opened with `upgrade=False` has a schema to make or bring up to
    this version's (upgrade_database does it); False for the usual start."""
    try:
        return current_revision(database.engine) != HEAD_REVISION
    except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
        raise translate_db_error(exc, database.url, opening=True) from exc


def upgrade_database(database: Database) -> None:
    """What `open_database` does to the schema, for a database opened with `upgrade=False`:
    the window does it with a dialog shown, a big file's copy and upgrade taking a while."""
    try:
        _upgrade(database.engine, database.sound_file)
    except RevisitError:
        raise
    except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
        raise translate_db_error(exc, database.url, opening=True) from exc


def _upgrade(engine: Engine, path: Path | None, announce: Announce | None = None) -> None:
    current = current_revision(engine)
    if current == HEAD_REVISION:  # the usual start: no Alembic at all
        return
    head, known = revision_history()
    if current == head:  # HEAD_REVISION is behind the scripts (a test says so): nothing due
        return
    if current is not None and current not in known:
        raise RevisitError(
            N_(
                "{where} was written by a newer version of Revisit (schema {revision}); "
                "update Revisit to open it."
            ),
            where=_where(engine, path),
            revision=current,
        )
    if path is not None and path.exists() and current is None and _has_user_tables(engine):
        raise RevisitError(
            N_("{where} holds tables that are not Revisit's; refusing to change it."),
            where=str(path),
        )
    backup = None
    if path is not None and current is not None and path.stat().st_size > 0:
        from services.store.backup import MIGRATION, backup_sqlite

        backup = backup_sqlite(path, MIGRATION)
        log.info("backed up %s to %s before upgrading to %s", path, backup, head)
    if announce is not None and current is not None:
        announce(current, head, backup)
    try:
        upgrade_schema(engine)
    except (RevisitError, DBAPIError, SQLAlchemyError, sqlite3.Error):
        raise
    except Exception as exc:  # a migration's own check (an unexpected CHECK), Alembic's errors
        raise upgrade_failed(engine, path, exc) from exc


# Said when a schema upgrade stopped on something other than the database's refusal.
UPGRADE_FAILED = N_("{where} could not be brought up to this version of Revisit ({detail}); "
                    "nothing of the upgrade was kept.")


def upgrade_failed(engine: Engine, path: Path | None, exc: BaseException) -> RevisitError:
    return RevisitError(UPGRADE_FAILED, where=_where(engine, path),
                        detail=str(exc) or type(exc).__name__)


def _where(engine: Engine, path: Path | None) -> str:
    """The database an upgrade is about: its SQLite file, else its URL without the password."""
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Every migration up to `revision` in one transaction: all of them or, when one fails or
    the process is killed, none. On SQLite it is begun by hand: Python's sqlite3 begins a
    transaction only before an INSERT, UPDATE or DELETE, so a migration's first ALTER TABLE
    was committed at once (a killed upgrade left the new column behind, and the next start
    failed on "duplicate column name")."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def count_rows(database: Database, tables: list[str] | None = None) -> dict[str, int]:
    """Rows per table (every table of the dealer's data by default, not the summaries)."""
    from models import Base
    from models.summary import DERIVED_TABLES

    names = sorted(set(Base.metadata.tables) - DERIVED_TABLES) if tables is None else tables
    with database.engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(Base.metadata.tables[name]))
            .scalar_one()
            for name in names
        }


def database_info(database: Database) -> DatabaseInfo:
    path = db.sqlite_path(database.url)
    return DatabaseInfo(
        url=database.display_url,
        backend=database.engine.dialect.name,
        revision=current_revision(database.engine),
        head=head_revision(),
        row_counts=count_rows(database),
        file_size=path.stat().st_size if path and path.exists() else None,
    )
