"""Putting a backup in place of a SQLite database: only an intact Revisit database of a schema
this program knows; never while the file is in use; the replaced file kept as a backup first;
the swap itself one atomic rename. Also: finding the latest good backup of a damaged file."""

from __future__ import annotations

import glob
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory

from models import Base
from services.store.backup import (
    BACKUP_SUFFIX,
    BEFORE_RESTORE,
    FOLDER_NAME,
    SQLITE_HEADER,
    BackupPlace,
    backup_sqlite,
    copy_database,
    inspect_file,
    list_backups,
    remove_killed,
    stored_place,
    unique_name,
)
from services.store.errors import N_, RevisitError
from services.store.integrity import check_sqlite
from services.store.schema import alembic_config
from services.store.staging import discard, remove_stale_scratch

log = logging.getLogger(__name__)
SIDECARS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Restored:
    target: Path
    backup: Path
    revision: str  # the restored schema; an older one is migrated when the file is next opened
    replaced_copy: Path | None  # the file that was replaced, kept (None: there was none)


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_backup(backup: Path) -> str:
    """The schema revision of `backup` if it is an intact Revisit database this program can
    open; otherwise a RevisitError saying why it cannot be restored."""
    if not backup.is_file():
        raise RevisitError(N_("There is no backup file at {where}."), where=str(backup))
    try:
        with backup.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise RevisitError(N_("Cannot use the file {path}: {reason}."), path=str(backup),
                           reason=exc.strerror or str(exc)) from exc
    if header != SQLITE_HEADER:
        raise RevisitError(N_("{where} is not a Revisit backup (not a SQLite database); "
                              "nothing was restored."), where=str(backup))
    result = check_sqlite(backup, full=True)
    if not result.ok:
        # SQLite's words ("*** in database main *** On tree page …", a thousand characters
        # for a few bad pages) for the log and "Show Details…", not the sentence.
        log.info("the backup %s failed SQLite's check: %s", backup, "\n".join(result.problems))
        error = RevisitError(N_("The backup {where} is damaged; nothing was restored. Choose "
                                "another backup."), where=str(backup))
        error.technical = "\n".join(result.problems)
        raise error
    conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                 if not r[0].startswith("sqlite_")}
        row = (conn.execute("SELECT version_num FROM alembic_version").fetchone()
               if "alembic_version" in names else None)
    finally:
        conn.close()
    if row is None or names - set(Base.metadata.tables) - {"alembic_version"}:
        raise RevisitError(N_("{where} is not a Revisit database (it holds other tables or no "
                              "schema version); nothing was restored."), where=str(backup))
    revision = str(row[0])
    if revision not in _known_revisions():
        raise RevisitError(N_("The backup {where} was written by a newer version of Revisit "
                              "(schema {revision}); update Revisit before restoring it."),
                           where=str(backup), revision=revision)
    return revision


def _take_over(target: Path) -> None:
    """Make sure nobody has the file open and fold its write-ahead log into it: leaving WAL
    mode needs every other connection closed, so SQLite itself tells whether it is in use."""
    try:
        conn = sqlite3.connect(target, timeout=2, isolation_level=None)
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
            return  # a damaged file: nobody can be using it; it is kept aside below
        mode = "wal"
    except sqlite3.DatabaseError:
        return  # not readable as a database at all: the same
    if str(mode).lower() != "delete":
        raise RevisitError(N_("{where} is open in Revisit or another program (on this PC or "
                              "another); close it everywhere, then restore again. Nothing "
                              "was restored."), where=str(target))


def _keep_copy(target: Path, place: BackupPlace) -> Path:
    """The file about to be replaced, kept in the backup folder (never pruned)."""
    try:
        return backup_sqlite(target, BEFORE_RESTORE, place=place)
    except RevisitError:
        # Too damaged for SQLite to read: keep the bytes as they are, log and all.
        copy = unique_name(place.folder, target.name, BEFORE_RESTORE, BACKUP_SUFFIX)
        try:
            place.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, copy)
            wal = target.with_name(target.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError as exc:
            copy.unlink(missing_ok=True)
            raise RevisitError(N_("Cannot keep a copy of {where} in {folder} ({detail}); "
                                  "nothing was restored."), where=str(target),
                               folder=str(place.folder), detail=exc.strerror or str(exc)) from exc
        return copy


def restore_backup(target_path: Path, backup_path: Path) -> Restored:
    """Put the backup `backup_path` in place of the SQLite file `target_path`."""
    revision = check_backup(backup_path)
    if target_path.exists() and target_path.resolve() == backup_path.resolve():
        raise RevisitError(N_("{where} is the database itself, not a backup of it."),
                           where=str(target_path))
    if not target_path.parent.is_dir():
        raise RevisitError(N_("The folder {where} does not exist; check the database path. "
                              "Nothing was created."), where=str(target_path.parent))
    copy = None
    if target_path.exists():
        _take_over(target_path)
        copy = _keep_copy(target_path, stored_place(target_path))
    # Of this process's own; a killed restore's (and its journal) go once stale.
    part = target_path.with_name(f".{target_path.name}.{os.getpid()}.restoring")
    remove_stale_scratch(target_path.parent, files=f".{glob.escape(target_path.name)}.*restoring")
    remove_killed(target_path.parent, f".{glob.escape(target_path.name)}.*.restoring")
    try:
        # Through the backup API, not a byte copy: a backup that has a -wal of its own (a copy
        # someone made by hand) is restored with what that log holds.
        copy_database(sqlite3.connect(f"{backup_path.resolve().as_uri()}?mode=ro", uri=True),
                      part)
        # A log or index left by the replaced file would be applied to the restored one and
        # damage it; nobody has the file open (checked above), so they are stale.
        for suffix in SIDECARS:
            target_path.with_name(target_path.name + suffix).unlink(missing_ok=True)
        os.replace(part, target_path)
    except BaseException as exc:
        discard(part)  # and the journal SQLite wrote beside it
        if not isinstance(exc, (sqlite3.Error, OSError)):
            raise
        detail = getattr(exc, "strerror", None) or str(exc)
        raise RevisitError(N_("Restoring {backup} to {where} failed ({detail}); the database "
                              "was not replaced."), backup=str(backup_path),
                           where=str(target_path), detail=detail) from exc
    log.info("restored %s from %s (replaced file kept as %s)", target_path, backup_path, copy)
    return Restored(target_path, backup_path, revision, copy)


def latest_good_backup(path: Path) -> Path | None:
    """The newest backup of `path` that is an intact Revisit database: in the backup folder
    its settings name, in the default folder, or beside the file (where earlier versions of
    Revisit put them)."""

    place = stored_place(path)
    default = BackupPlace(path.resolve().parent / FOLDER_NAME, place.kept, path.name)
    candidates = {b.path for p in {place, default} for b in list_backups(p) if b.ok}
    candidates |= set(path.parent.glob(path.name + ".*" + BACKUP_SUFFIX))

    def newest_first(p: Path) -> float:
        try:
            return -p.stat().st_mtime
        except OSError:
            return 0.0

    for candidate in sorted(candidates, key=newest_first):
        if inspect_file(candidate)[0] and check_sqlite(candidate, 2.0).ok:
            return candidate
    return None
