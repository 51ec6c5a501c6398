"""Backing up a PostgreSQL database with the server's own tool, pg_dump (custom format, restored
with pg_restore). The password goes to pg_dump through PGPASSWORD, never on its command line,
where other users of the PC could read it."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from services.store.backup import (
    DUMP_SUFFIX,
    MANUAL,
    BackupPlace,
    clear_leftovers,
    put_under_new_name,
    target_file,
)
from services.store.errors import N_, RevisitError

# Where PostgreSQL installs pg_dump when it is not on PATH (Windows installer, Debian/Ubuntu).
PG_DUMP_PLACES = (
    r"C:\Program Files\PostgreSQL\*\bin\pg_dump.exe",
    "/usr/lib/postgresql/*/bin/pg_dump",
)
PG_DUMP_TIMEOUT = 6 * 3600
# How long pg_dump waits for a table another program holds locked (a schema change, a summary
# rebuilt, a LOCK TABLE by hand) before it gives up; without a limit it waited silently.
LOCK_WAIT_SECONDS = 60
LOCKED = re.compile(r"Query was: LOCK TABLE (?:public\.)?(\S+)")

NO_PG_DUMP = N_(
    "pg_dump was not found on this PC; back up the PostgreSQL database on its server with "
    "pg_dump -Fc (restore it with pg_restore), or install PostgreSQL's client tools here and "
    "run the backup again."
)


def _version(path: str) -> tuple[int, ...]:
    digits = Path(path).parent.parent.name
    return tuple(int(p) for p in digits.split(".") if p.isdigit()) or (0,)


def find_pg_dump() -> str | None:
    """pg_dump on PATH, else the newest one in PostgreSQL's usual install folders."""
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = [p for pattern in PG_DUMP_PLACES for p in glob.glob(pattern)
                  if os.access(p, os.X_OK)]
    return max(candidates, key=_version) if candidates else None


def dump_postgresql(url: str, place: BackupPlace, target: Path | None = None, *,
                    replace: bool = False) -> Path:
    """`pg_dump -Fc` of the database at `url` into the backup folder (or `target`; an
    earlier backup there replaced only when `replace`)."""
    program = find_pg_dump()
    if program is None:
        raise RevisitError(NO_PG_DUMP)
    parsed = make_url(url)
    where = parsed.render_as_string(hide_password=True)
    named = target is not None and not target.is_dir()  # else a new name is chosen for it
    target = target_file(place, target, place.database_name, MANUAL, DUMP_SUFFIX, where,
                         replace=replace)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    # libpq reads the URL itself; only the driver name SQLAlchemy needs is taken out.
    libpq_url = parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    # A part of this process's own, given its name only when whole: two backups started in
    # the same second choose the same name, and would write into one part and then one file.
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    clear_leftovers(target.parent, place.database_name, target.name)
    try:
        done = subprocess.run(
            [program, "--format=custom", f"--file={part}", f"--dbname={libpq_url}",
             f"--lock-wait-timeout={LOCK_WAIT_SECONDS * 1000}"],
            env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT, check=False,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0 and (locked := LOCKED.search(done.stderr)):
            raise RevisitError(N_(
                "The backup of {where} waited {seconds} s for the table {table}, which another "
                "program holds locked, and stopped; nothing was backed up. Run it again when "
                "that work is done."), where=where, seconds=LOCK_WAIT_SECONDS,
                table=locked.group(1))
        if done.returncode != 0:
            lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
            detail = lines[0].removeprefix("pg_dump: error: ") if lines else str(done.returncode)
            raise RevisitError(N_("pg_dump could not back up {where}: {detail}"), where=where,
                               detail=detail)
        if named:
            os.replace(part, target)
        else:
            target = put_under_new_name(part, target, place.database_name, MANUAL,
                                        DUMP_SUFFIX)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RevisitError(N_("pg_dump could not back up {where}: {detail}"), where=where,
                           detail=getattr(exc, "strerror", None) or str(exc)) from exc
    finally:
        part.unlink(missing_ok=True)
    return target
