"""Opening a Revisit database: connect, back up a SQLite file, apply migrations."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models import db
from services.store.errors import N_, RevisitError

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "models" / "migrations"


@dataclass(frozen=True)
class Database:
    """An open database: the engine and a session factory (one session per user action)."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True)
class DatabaseInfo:
    url: str
    backend: str
    revision: str | None
    head: str
    row_counts: dict[str, int]
    file_size: int | None


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _describe(url: str) -> str:
    path = db.sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def translate_db_error(exc: Exception, url: str) -> RevisitError:
    """Turn a driver error into one clear sentence naming the database."""
    where = _describe(url)
    text_ = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    low = text_.lower()
    if "locked" in low or "busy" in low:
        return RevisitError(
            N_("The database {where} is locked by another program; close it and try again."),
            where=where,
        )
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
    if "disk is full" in low or "no space" in low:
        return RevisitError(
            N_("The disk holding {where} is full; nothing was changed."), where=where
        )
    if "readonly" in low or "read-only" in low:
        return RevisitError(N_("The database {where} is read-only."), where=where)
    if "password authentication" in low or "connection refused" in low or "could not" in low:
        return RevisitError(
            N_("Cannot connect to the database server {where}: {detail}"),
            where=where,
            detail=text_,
        )
    if "does not exist" in low:
        return RevisitError(
            N_("The database {where} does not exist: {detail}"), where=where, detail=text_
        )
    return RevisitError(N_("Database error on {where}: {detail}"), where=where, detail=text_)


def _bad_url(url: str) -> RevisitError:
    return RevisitError(
        N_(
            "'{url}' is not a database URL Revisit understands (e.g. sqlite:///file.db or "
            "postgresql://user:password@host/dbname)."
        ),
        url=url,
    )


def _make_engine(url: str) -> Engine:
    try:
        return db.make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise _bad_url(url) from exc


def _refuse_foreign_sqlite(path: Path, url: str) -> None:
    """Look at an existing file read-only before the engine touches it: connecting through the
    engine switches the file to WAL, which would already change a file that is not ours."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise translate_db_error(exc, url) from exc
    names = {n for n in names if not n.startswith("sqlite_")}
    if names and "alembic_version" not in names:
        raise RevisitError(
            N_("{where} holds tables that are not Revisit's; refusing to change it."),
            where=str(path),
        )


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy a SQLite file with SQLite's own backup API (safe with WAL) beside it."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _has_user_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return bool(names - {"alembic_version"})


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Connect to `url` (default: REVISIT_DB or the per-user SQLite file), creating the SQLite
    file's folder, backing up an existing SQLite file before a schema upgrade, and applying
    pending migrations. Raises RevisitError with a clear message on any failure."""
    url = url or db.default_url()
    try:
        path = db.sqlite_path(url) if db.is_sqlite(url) else None
    except ArgumentError as exc:
        raise _bad_url(url) from exc
    if path is not None:
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
        if path.is_file() and path.stat().st_size > 0:
            _refuse_foreign_sqlite(path, url)
    engine = _make_engine(url)
    try:
        if upgrade:
            _upgrade(engine, path)
        else:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
    except RevisitError:
        engine.dispose()
        raise
    except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
        engine.dispose()
        raise translate_db_error(exc, url) from exc
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def _upgrade(engine: Engine, path: Path | None) -> None:
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    scripts = ScriptDirectory.from_config(alembic_config())
    known = {script.revision for script in scripts.walk_revisions()}
    if current is not None and current not in known:
        raise RevisitError(
            N_(
                "{where} was written by a newer version of Revisit (schema {revision}); "
                "update Revisit to open it."
            ),
            where=engine.url.render_as_string(hide_password=True) if path is None else str(path),
            revision=current,
        )
    if path is not None and path.exists() and current is None and _has_user_tables(engine):
        raise RevisitError(
            N_("{where} holds tables that are not Revisit's; refusing to change it."),
            where=str(path),
        )
    if path is not None and current is not None and path.stat().st_size > 0:
        backup = backup_sqlite(path, f"before-{head}")
        log.info("backed up %s to %s before upgrading", path, backup)
    upgrade_schema(engine, head)


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
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
