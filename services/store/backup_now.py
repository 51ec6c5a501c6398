"""A backup someone asks for ("Back up now", `db backup`): the SQLite file through SQLite's
backup API, a PostgreSQL database through pg_dump."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from models import db
from services.staff.accounts import confirm
from services.staff.permissions import MANAGE_DATABASE, Actor, NotPassed, require_passed
from services.store.backup import MANUAL, backup_sqlite, place_of
from services.store.pg_backup import dump_postgresql


def back_up_now(sessions: sessionmaker[Session], actor: Actor | None | NotPassed,
                target: Path | None = None, *, replace: bool = False) -> Path:
    """A backup someone asked for (supervisors only): a SQLite file through the backup API, a
    PostgreSQL database through pg_dump. `target`: a file or folder (default: the backup
    folder; an earlier backup at that file name is replaced only when `replace`). Never
    pruned."""
    with sessions() as s:
        require_passed(actor if isinstance(actor, NotPassed) else confirm(s, actor),
                       MANAGE_DATABASE)
    engine = sessions.kw["bind"]
    url = engine.url.render_as_string(hide_password=False)
    place = place_of(sessions)
    path = db.sqlite_path(url)
    if engine.dialect.name == "sqlite" and path is not None:
        return backup_sqlite(path, MANUAL, place=place, target=target, replace=replace)
    return dump_postgresql(url, place, target, replace=replace)
