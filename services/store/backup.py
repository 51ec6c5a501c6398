"""Backups of a SQLite database, made with SQLite's online backup API (a consistent copy even
while other PCs write), kept in one folder under names that say which database, when and why,
pruned to a count, and listed. Restoring one is services/store/restore.py; a PostgreSQL server
is dumped with pg_dump (services/store/pg_backup.py).

A backup file is `<database file name>.<reason>-<YYYYmmdd-HHMMSS>.bak` in the backup folder (a
`backups` folder beside the database file unless the shared settings name another). Automatic
backups (daily, before a migration, an import or an erase) are pruned to the newest
`backups_kept`; backups someone asked for and the copies kept by a restore are never pruned."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import glob
import logging
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from models import db
from services.store.errors import N_, RevisitError
from services.store.settings import Settings, load_settings, nearest_allowed
from services.store.staging import SQLITE_SIDECARS, discard, remove_stale_scratch
from services.store.writable import check_folder

log = logging.getLogger(__name__)

DAILY, MIGRATION, IMPORT, ERASE = "daily", "migration", "import", "erase"
MANUAL, BEFORE_RESTORE = "manual", "before-restore"
REASONS = (DAILY, MIGRATION, IMPORT, ERASE, MANUAL, BEFORE_RESTORE)
AUTOMATIC = frozenset({DAILY, MIGRATION, IMPORT, ERASE})
BACKUP_SUFFIX = ".bak"
DUMP_SUFFIX = ".dump"  # pg_dump's custom format, for a PostgreSQL database
FOLDER_NAME = "backups"
STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<db>.+)\.(?P<reason>[a-z]+(?:-[a-z]+)*)-(?P<stamp>\d{8}-\d{6})"
                   r"(?:-(?P<n>\d+))?(?P<suffix>\.bak|\.dump)$")
SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_FULL = 13  # SQLite's "database or disk is full"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file, as the settings window and `db backups` list it."""

    path: Path
    time: dt.datetime  # local time it was made, from its name
    reason: str
    size: int
    ok: bool  # a SQLite file holding a Revisit schema (a pg_dump file: its header)
    revision: str | None  # its schema revision (None for a pg_dump file or a bad file)


@dataclass(frozen=True)
class BackupPlace:
    """Where a database's backups go and how many automatic ones are kept."""

    folder: Path
    kept: int
    database_name: str  # the start of every backup's file name


def folder_for(path: Path | None, setting: str) -> Path:
    """The backup folder of the SQLite file `path` (None: a PostgreSQL database, whose dumps go
    to Revisit's data folder) for the `backup_folder` setting ("" = the default)."""
    base = path.resolve().parent if path is not None else db.default_data_dir()
    if not setting.strip():
        return base / FOLDER_NAME
    chosen = Path(setting.strip()).expanduser()
    return chosen if chosen.is_absolute() else base / chosen


def check_folder_setting(sessions: sessionmaker[Session], setting: str) -> Path:
    """The backup folder the `backup_folder` setting `setting` names for the database behind
    `sessions`, refused (RevisitError) unless it is a folder where a file can be written, or
    can be made in a folder where one can. Nothing is made or left there: a setting accepted
    with a file's name or /proc/… stopped every import and daily backup afterwards."""
    engine = sessions.kw["bind"]
    folder = folder_for(db.sqlite_path(engine.url.render_as_string(hide_password=False)),
                        setting)
    nearest = folder
    while not nearest.exists() and nearest.parent != nearest:
        nearest = nearest.parent
    try:
        if not nearest.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(nearest))
        check_folder(nearest)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RevisitError(N_("The backup folder {folder} cannot be used ({reason}: {where}); "
                              "choose a folder that exists or can be made, and can be "
                              "written. Nothing was saved."),
                           folder=str(folder), reason=reason, where=str(nearest)) from exc
    return folder


def stored_place(path: Path) -> BackupPlace:
    """The backup folder and count stored in the SQLite file itself, read with plain SQLite so
    it works on a file of any schema revision (before a migration) and on a damaged file
    (where the defaults are used)."""
    folder, kept = Settings.backup_folder, Settings.backups_kept
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = dict(conn.execute(
                "SELECT key, value FROM app_setting WHERE key IN ('backup_folder', "
                "'backups_kept')").fetchall())
        finally:
            conn.close()
        folder = str(rows.get("backup_folder", folder))
        kept = nearest_allowed("backups_kept", int(rows.get("backups_kept", kept)))
    except (sqlite3.Error, ValueError, OSError):
        pass  # no settings table yet, or unreadable: the defaults
    return BackupPlace(folder_for(path, folder), kept, path.name)


def place_of(sessions: sessionmaker[Session]) -> BackupPlace:
    """Where the backups of the database behind `sessions` go."""
    engine = sessions.kw["bind"]
    path = db.sqlite_path(engine.url.render_as_string(hide_password=False))
    settings = load_settings(sessions)
    name = path.name if path is not None else (engine.url.database or "revisit")
    return BackupPlace(folder_for(path, settings.backup_folder), settings.backups_kept, name)


def unique_name(folder: Path, name: str, reason: str, suffix: str) -> Path:
    stamp = dt.datetime.now().strftime(STAMP)
    target = folder / f"{name}.{reason}-{stamp}{suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{name}.{reason}-{stamp}-{n}{suffix}"
    return target


def _failed(path: Path, where: Path, exc: BaseException) -> RevisitError:
    if (getattr(exc, "errno", None) in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
            or getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL):
        return RevisitError(N_("Backing up {where} to {target} failed: the disk is full. Free "
                               "some space or choose another backup folder; the database "
                               "itself was not changed."), where=str(path), target=str(where))
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return RevisitError(N_("Backing up {where} to {target} failed: {detail}. The database "
                           "itself was not changed."), where=str(path), target=str(where),
                        detail=detail)


def make_folder(folder: Path, path: Path | str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _failed(Path(path), folder, exc) from exc


def target_file(place: BackupPlace, target: Path | None, name: str, reason: str, suffix: str,
                where: Path | str, *, replace: bool = False) -> Path:
    """Where a backup of the database called `name` goes: a new name in the backup folder
    (made if missing), in the folder `target` names, or `target` itself when it names a file
    in a folder that exists (an earlier backup there replaced only when `replace`). The
    folder is checked to be writable first: SQLite's own word for a read-only folder is
    "unable to open database file", which sounds like the database is broken."""
    if target is not None and target.is_dir():
        return writable(unique_name(target, name, reason, suffix), where)
    if target is None:
        make_folder(place.folder, where)
        return writable(unique_name(place.folder, name, reason, suffix), where)
    if not target.parent.is_dir():
        raise RevisitError(N_("The folder {where} does not exist; nothing was written."),
                           where=str(target.parent))
    if target.exists():
        live = Path(where) if isinstance(where, Path) else None
        if live is not None and live.exists() and target.samefile(live):
            raise RevisitError(N_("{target} is the database itself; a backup goes to another "
                                  "file. Nothing was written."), target=str(target))
        if not _a_backup(target):
            raise RevisitError(N_("{target} already exists and is not a backup; nothing was "
                                  "written over it. Choose another file name."),
                               target=str(target))
        if not replace:
            raise RevisitError(N_("The backup {target} already exists; nothing was written "
                                  "over it. Choose another file name, or replace it on "
                                  "purpose (db backup --replace)."), target=str(target))
    return writable(target, where)


def writable(target: Path, where: Path | str) -> Path:
    """`target`, once a file can be made in its folder (nothing is left there)."""
    try:
        check_folder(target.parent)
    except OSError as exc:
        raise RevisitError(N_("Backing up {where} failed: the folder {folder} cannot be "
                              "written ({reason}). The database itself was not changed."),
                           where=str(where), folder=str(target.parent),
                           reason=exc.strerror or str(exc)) from exc
    return target


# How the files a backup may replace begin: an earlier backup of the same kind, a SQLite file
# or a pg_dump archive (custom format). Any other file is someone's work.
_BACKUP_HEADERS = (b"SQLite format 3\0", b"PGDMP")


def _a_backup(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return head.startswith(_BACKUP_HEADERS)


def copy_database(src: sqlite3.Connection, part: Path) -> None:
    """Copy the database open as `src` (closed afterwards) into the new file `part`, a file of
    its own (not in WAL mode). One step: the whole copy is read in one read transaction, so it
    is one consistent state however much others write meanwhile (WAL lets them)."""
    try:
        dst = sqlite3.connect(part)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup_sqlite(path: Path, reason: str, *, place: BackupPlace | None = None,
                  target: Path | None = None, source: sqlite3.Connection | None = None,
                  prune_now: bool = True, replace: bool = False) -> Path:
    """Copy the SQLite file `path` with SQLite's backup API into the backup folder (or to
    `target`: a file, or a folder to put it in), then prune the automatic backups. The copy
    is written under a temporary name and renamed when whole, so a backup file is never half
    written; it is a self-contained file (no -wal beside it). `source`: a connection to the
    file already open, in WAL mode already in the read transaction whose state is to be
    copied (closed afterwards)."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    place = place or stored_place(path)
    named = target is not None and not target.is_dir()  # else a new name is chosen for it
    try:
        target = target_file(place, target, path.name, reason, BACKUP_SUFFIX, path,
                             replace=replace)
    except RevisitError:
        if source is not None:
            source.close()
        raise
    # A part of this process's own: two programs backing up the same file in the same
    # second (two imports started together) chose the same name, and the second one's copy
    # into the shared part was refused ("attempt to write a readonly database").
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    clear_leftovers(target.parent, path.name, target.name)
    try:
        copy_database(source or sqlite3.connect(path, timeout=30), part)
        if named:
            os.replace(part, target)
        else:
            target = put_under_new_name(part, target, path.name, reason, BACKUP_SUFFIX)
    except BaseException as exc:
        # The part and the journal SQLite wrote beside it (a full disk left the journal).
        discard(part)
        if isinstance(exc, (sqlite3.Error, OSError)):
            raise _failed(path, target.parent, exc) from exc
        raise
    log.info("backed up %s to %s (%s)", path, target, reason)
    if reason in AUTOMATIC and prune_now:
        prune(place)
    return target


def clear_leftovers(folder: Path, *names: str) -> None:
    """The part files (`.NAME.….PID.part` and their journals) of backups of `names` that a
    killed or failed process left in `folder`, removed once stale (services/store/staging.py)
    or once their process is gone (remove_killed)."""
    for name in dict.fromkeys(names):
        remove_stale_scratch(folder, files=f".{glob.escape(name)}.*.part")
        remove_killed(folder, f".{glob.escape(name)}.*.part")


# A killed writer's part is removed once its process is gone from this PC and the part has not
# changed for this long. A backup's or restore's copy writes without pausing; a process of the
# same number on another PC sharing the folder would be writing its own part meanwhile.
KILLED_QUIET = dt.timedelta(minutes=2)
_PID = re.compile(r"\.(?P<pid>\d+)\.(?:part|restoring)$")


def remove_killed(folder: Path, files: str) -> None:
    """The files matching the glob `files` (a part named `….PID.part` or `….PID.restoring`)
    and the journal, log and index SQLite wrote beside each, whose process is no longer
    running: a `db backup` killed part way left a 42 MiB part and its journal, kept an hour
    before (remove_stale_scratch)."""
    cutoff = time.time() - KILLED_QUIET.total_seconds()
    groups: dict[Path, list[Path]] = {}
    try:
        found = [p for pattern in (files, *(files + s for s in SQLITE_SIDECARS))
                 for p in folder.glob(pattern)]
    except OSError:
        return
    for leftover in found:
        part = leftover
        for sidecar in SQLITE_SIDECARS:
            part = part.with_name(part.name.removesuffix(sidecar))
        groups.setdefault(part, []).append(leftover)
    for part, group in groups.items():
        number = _PID.search(part.name)
        if number is None or int(number["pid"]) == os.getpid():
            continue
        try:
            quiet = all(p.is_file() and p.stat().st_mtime < cutoff for p in group)
        except OSError:
            continue
        if quiet and process_gone(int(number["pid"])):
            discard(part)


def process_gone(pid: int) -> bool:
    """Whether no process numbered `pid` runs on this PC (False when it cannot be told)."""
    if sys.platform == "win32":
        import ctypes

        kernel = ctypes.windll.kernel32
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel.GetLastError() == 87  # ERROR_INVALID_PARAMETER: no such process
        try:
            code = ctypes.c_ulong()
            kernel.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value != 259  # STILL_ACTIVE
        finally:
            kernel.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # another user's process (PermissionError): running
        return False
    return False


def put_under_new_name(part: Path, target: Path, name: str, reason: str, suffix: str) -> Path:
    """Give the whole copy `part` the free name `target`, or the next one free: never over
    another program's backup. Two imports started together chose the same name, and the one
    that finished second renamed its copy over the other's (a check for the name, then a
    rename, leaves the moment between them). A hard link is refused where the name exists, in
    one step; where the file system has no hard links (FAT, some network shares), the check
    and rename are kept."""
    while True:
        try:
            os.link(part, target)
        except FileExistsError:  # the other one's backup, finished first
            target = unique_name(target.parent, name, reason, suffix)
            continue
        except OSError:  # no hard links here
            if target.exists():
                target = unique_name(target.parent, name, reason, suffix)
            os.replace(part, target)
            return target
        part.unlink()
        return target


def _parse(path: Path, database_name: str) -> tuple[str, dt.datetime, int] | None:
    found = _NAME.match(path.name)
    if found is None or found["db"] != database_name or found["reason"] not in REASONS:
        return None
    try:
        when = dt.datetime.strptime(found["stamp"], STAMP)
    except ValueError:
        return None
    return found["reason"], when, int(found["n"] or 1)


def _backup_files(place: BackupPlace) -> list[tuple[dt.datetime, int, str, Path]]:
    """This database's backups in its folder, newest first."""
    try:
        entries = list(place.folder.iterdir()) if place.folder.is_dir() else []
    except OSError:
        return []
    found = []
    for entry in entries:
        parsed = _parse(entry, place.database_name)
        try:
            if parsed is None or not entry.is_file():
                continue
            # Names have whole seconds; backups made in the same second go by their mtime.
            made_ns = entry.stat().st_mtime_ns
        except OSError:
            continue  # deleted meanwhile
        reason, when, n = parsed
        found.append((when, n, made_ns, reason, entry))
    found.sort(key=lambda item: item[:3], reverse=True)
    return [(when, n, reason, entry) for when, n, _, reason, entry in found]


def prune(place: BackupPlace) -> list[Path]:
    """Delete the automatic backups beyond the newest `place.kept`; returns what was deleted.
    A backup that cannot be deleted (open elsewhere) stays until the next time."""
    automatic = [p for _, _, reason, p in _backup_files(place) if reason in AUTOMATIC]
    removed = []
    for old in automatic[place.kept:]:
        try:
            old.unlink()
            removed.append(old)
        except FileNotFoundError:  # pruned by another program at the same moment
            continue
        except OSError as exc:
            log.warning("could not delete the old backup %s: %s", old, exc)
    return removed


def inspect_file(path: Path) -> tuple[bool, str | None]:
    """(a Revisit database?, its schema revision), reading only its first pages."""
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
        if path.suffix == DUMP_SUFFIX:
            return header.startswith(b"PGDMP"), None
        if header != SQLITE_HEADER:
            return False, None
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, OSError):
        return False, None
    return row is not None, row[0] if row else None


def list_backups(place: BackupPlace) -> list[BackupInfo]:
    """Every backup of the database in its backup folder, newest first."""
    listed = []
    for when, _, reason, path in _backup_files(place):
        try:
            size = path.stat().st_size
        except OSError:
            continue  # deleted meanwhile
        ok, revision = inspect_file(path)
        listed.append(BackupInfo(path, when, reason, size, ok, revision))
    return listed


def _daily_due(path: Path) -> BackupPlace | None:
    """Where today's backup of the SQLite file goes, None when one was made today (the newest
    daily backup's name says its day, so the check reads a folder listing only)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    place = stored_place(path)
    today = dt.datetime.now().date()
    for when, _, reason, _ in _backup_files(place):
        if reason == DAILY:
            if when.date() == today:
                return None
            break
    return place


def daily_backup(path: Path) -> Path | None:
    """Today's backup of the SQLite file unless one was made today."""
    place = _daily_due(path)
    return None if place is None else backup_sqlite(path, DAILY, place=place)


class DailyBackup:
    """Today's backup of a SQLite file (daily_backup) of the state it is in when this is made,
    copied on a thread while the caller goes on, writing if it likes. The copy's read
    transaction starts here, and WAL keeps that state readable however much is written
    meanwhile. Copying the 1.5 GB file of the 200,000-customer demo takes 2–5 s on a 2-core
    VM (9 s on a slower one), which the day's first changing command used to wait before its
    own work. A file not in WAL mode is copied here and now, as before: its reader would lock
    the writer out."""

    def __init__(self, path: Path) -> None:
        self._made: Path | None = None
        self._error: RevisitError | None = None
        self._thread: threading.Thread | None = None
        place = _daily_due(path)
        if place is None:
            return
        try:
            source = sqlite3.connect(path, timeout=30, check_same_thread=False)
            try:
                wal = source.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
                if wal:
                    source.execute("BEGIN")
                    # A read transaction takes its state at its first read.
                    source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.Error:
                source.close()
                raise
        except sqlite3.Error as exc:
            raise _failed(path, place.folder, exc) from exc
        if not wal:
            self._made = backup_sqlite(path, DAILY, place=place, source=source)
            return

        def copy() -> None:
            try:  # backup_sqlite closes the source, whatever happens
                self._made = backup_sqlite(path, DAILY, place=place, source=source)
            except RevisitError as exc:
                self._error = exc

        # Not a daemon: a process ending meanwhile finishes the copy before it exits.
        self._thread = threading.Thread(target=copy, name="daily backup")
        self._thread.start()

    def wait(self, seconds: float) -> bool:
        """Waits up to `seconds` for the copy; whether it is done."""
        if self._thread is None:
            return True
        self._thread.join(seconds)
        return not self._thread.is_alive()

    def finish(self) -> Path | None:
        """Waits for the copy: its file (None: today's was made already), or raises the
        RevisitError daily_backup would."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._made


def safety_backup(sessions: sessionmaker[Session], reason: str, *, prune_now: bool = True
                  ) -> Path | None:
    """A backup before a risky write (an import, an erase): on SQLite a new file in the backup
    folder, older automatic ones pruned (unless not `prune_now`); None on PostgreSQL, where
    the server's own backups apply. Raises RevisitError (the disk is full, the folder cannot
    be written) so the risky write does not start without it."""
    engine = sessions.kw["bind"]
    path = db.sqlite_path(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name != "sqlite" or path is None:
        return None
    return backup_sqlite(path, reason, place=place_of(sessions), prune_now=prune_now)


@contextlib.contextmanager
def backed_up(sessions: sessionmaker[Session], reason: str,
              stored_nothing: Callable[[], bool]) -> Iterator[Path | None]:
    """safety_backup around a risky write: the older automatic backups are pruned only once
    the write succeeded or stored something. When it fails having stored nothing (a file
    that cannot be read, a cancel before its first commit: `stored_nothing()` says so, asked
    after the failure) the database is as this backup holds it, and the backup is removed:
    three failed attempts at importing an unreadable file made three full copies (45 MB each
    for the 3,000-customer demo) and pushed the day's backup out of the newest 14 kept. When
    that cannot be told, the backup is kept."""
    made = safety_backup(sessions, reason, prune_now=False)
    try:
        yield made
    except BaseException:
        if made is not None:
            try:
                nothing = stored_nothing()
            except Exception:  # the database itself failed: keep the backup
                log.warning("whether the failed %s stored anything is unknown", reason,
                            exc_info=True)
                nothing = False
            if nothing:
                discard(made)
            else:
                prune(place_of(sessions))
        raise
    if made is not None:
        prune(place_of(sessions))
