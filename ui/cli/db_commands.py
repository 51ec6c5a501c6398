"""`db upgrade`, `db info`, `db check`, `db copy`, `db backup`, `db backups` and `db restore`:
schema migrations, what a database holds, whether a SQLite file is intact, moving it, and its
backups."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

from models import db as db_urls
from services.store.database import check_sqlite, current_revision, database_info, head_revision
from services.store.errors import N_, RevisitError
from ui.cli import auth
from ui.cli.auth import NONE, READ, WRITE
from ui.cli.language import to_stderr


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser(
        "upgrade",
        help="apply pending schema migrations (a SQLite file is backed up first)",
        description="Apply pending schema migrations. A SQLite file is copied beside itself "
        "before its schema changes. Opening the database from the app does the same.",
    )
    up.set_defaults(handler=_upgrade, access=NONE, creates=True)
    info = db_sub.add_parser(
        "info", help="show where the database is, its schema version and row counts"
    )
    info.add_argument("--format", choices=("text", "json"), default="text")
    info.set_defaults(handler=_info)
    check = db_sub.add_parser(
        "check",
        help="read every page of a SQLite file and report damage (opening checks only the start)",
    )
    check.set_defaults(handler=_check, access=NONE)
    copy = db_sub.add_parser(
        "copy",
        help="copy every table of this database into another, empty one (e.g. to PostgreSQL)",
        description="Copy every table, history and setting into an empty database at the same "
        "schema revision (created and migrated if needed), then compare row counts and "
        "checksums table by table. One PC's SQLite file moves to a department's server with: "
        "db copy --to postgresql://user:password@server/revisit",
    )
    copy.add_argument("--to", required=True, metavar="URL", help="the target database URL")
    copy.set_defaults(handler=_copy, access=WRITE)
    backup = db_sub.add_parser(
        "backup",
        help="back up the database now (supervisor): a SQLite file with SQLite's backup API, "
        "a PostgreSQL database with pg_dump",
        description="Back up the database now. A SQLite file is copied with SQLite's online "
        "backup API (safe while others work) into the backup folder of the shared settings "
        "(default: a backups folder beside the file), or to PATH (a file, or a folder to put "
        "it in). A PostgreSQL database is dumped with pg_dump -Fc when pg_dump is installed; "
        "restore such a dump with pg_restore. Backups made this way are never pruned.",
    )
    backup.add_argument("path", nargs="?", metavar="PATH",
                        help="where to write the backup (default: the backup folder)")
    backup.add_argument("--replace", action="store_true",
                        help="replace an earlier backup at the file name PATH (refused "
                        "without it)")
    backup.set_defaults(handler=_backup, access=WRITE)
    listing = db_sub.add_parser("backups", help="list the backups in the backup folder")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(handler=_backups, access=READ)
    restore = db_sub.add_parser(
        "restore",
        help="put a backup in place of the SQLite database (supervisor; nobody may have it open)",
        description="Replace the SQLite database with the backup PATH after checking it is an "
        "intact Revisit database this version can open. The replaced file is kept in the "
        "backup folder first. Close Revisit on every PC before restoring. A database too "
        "damaged to open is restored without signing in. A PostgreSQL database is restored on "
        "its server with pg_restore.",
    )
    restore.add_argument("path", metavar="PATH", help="the backup file to restore")
    restore.set_defaults(handler=_restore, access=NONE, creates=True)


def _upgrade(args, open_db) -> int:
    database = open_db()
    print(
        f"{database.display_url}: schema at revision {current_revision(database.engine)} "
        f"(latest {head_revision()})"
    )
    return 0


def _info(args, open_db) -> int:
    info = database_info(open_db())
    if args.format == "json":
        print(json.dumps(info.__dict__, ensure_ascii=False, indent=2))
        return 0
    print(f"database:  {info.url}")
    print(f"backend:   {info.backend}")
    print(f"schema:    {info.revision} (latest {info.head})")
    if info.file_size is not None:
        print(f"file size: {info.file_size / 1_048_576:.1f} MiB")
    width = max(len(name) for name in info.row_counts)
    for name, count in info.row_counts.items():
        print(f"  {name:<{width}}  {count:>10,}")
    return 0


def _check(args, _open_db) -> int:
    url = args.db or db_urls.default_url()
    path = db_urls.sqlite_path(url) if db_urls.is_sqlite(url) else None
    if path is None:
        print("PostgreSQL checks its own pages as it reads them; for a full check run "
              "pg_amcheck on the server.")
        return 0
    if not path.is_file():
        raise RevisitError(N_("There is no database file at {where}."), where=str(path))
    if path.stat().st_size == 0:  # SQLite finds no damage in an empty file
        from services.store.database import refuse_empty

        refuse_empty(path)
    result = check_sqlite(path, full=True)
    if not result.ok:  # SQLite's own words only with -v (the log)
        from services.store.database import is_sqlite_file, refuse_damaged, translate_db_error

        if not is_sqlite_file(path):  # another kind of file, not damaged: as opening says it
            raise translate_db_error(sqlite3.DatabaseError(result.problems[0]), url)
        refuse_damaged(path, result.problems)
    print(f"{path}: every page read, no damage found.")
    return 0


def _copy(args, open_db) -> int:
    from services.store.copy import copy_to
    from ui.cli.progress import TerminalProgress

    report = copy_to(open_db(), args.to, actor=args.actor, progress=TerminalProgress("copy"))
    width = max(len(t.name) for t in report.tables)
    for t in report.tables:
        print(f"  {t.name:<{width}}  {t.rows:>10,}  sha256 {t.checksum[:12]}")
    print(f"copied {report.rows:,} rows in {len(report.tables)} tables from {report.source} to "
          f"{report.target} (schema {report.revision}); every table's rows and checksum match.")
    return 0


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MiB" if size >= 104_858 else f"{size / 1024:.0f} KiB"


def _backup(args, open_db) -> int:
    from services.store.backup_now import back_up_now

    database = open_db()
    target = Path(args.path).expanduser() if args.path else None
    written = back_up_now(database.sessions, auth.acting(args, open_db), target,
                          replace=args.replace)
    print(f"backed up {database.display_url} to {written} ({_size(written.stat().st_size)})")
    return 0


def _backups(args, open_db) -> int:
    from services.store.backup import list_backups, place_of

    place = place_of(open_db().sessions)
    found = list_backups(place)
    if args.format == "json":
        print(json.dumps([{"path": str(b.path), "time": b.time.isoformat(sep=" "),
                           "reason": b.reason, "size": b.size, "ok": b.ok,
                           "revision": b.revision} for b in found], ensure_ascii=False, indent=2))
        return 0
    print(f"backup folder: {place.folder} (the newest {place.kept} automatic backups are kept)")
    for b in found:
        state = "" if b.ok else "  NOT A REVISIT DATABASE"
        print(f"  {b.time:%Y-%m-%d %H:%M:%S}  {b.reason:<14} {_size(b.size):>10}  "
              f"{b.path.name}{state}")
    if not found and place.folder.exists() and not place.folder.is_dir():
        # Stored before such a setting was refused: backups cannot be made there.
        print(f"  (none: {place.folder} is a file, not a folder; choose another with "
              "`settings set backup_folder=FOLDER`)")
    elif not found:
        print("  (no backups yet)")
    return 0


def _restore(args, open_db) -> int:
    from services.staff.permissions import MANAGE_DATABASE, require_passed
    from services.store.database import QUICK_CHECK_SECONDS
    from services.store.restore import check_backup, restore_backup

    url = args.db or db_urls.default_url()
    path = db_urls.sqlite_path(url) if db_urls.is_sqlite(url) else None
    if path is None:
        raise RevisitError(N_("Revisit restores SQLite files only: restore a PostgreSQL "
                              "database on its server with pg_restore, from a pg_dump -Fc "
                              "file."))
    backup = Path(args.path).expanduser()
    check_backup(backup)  # a bad backup is refused before anyone is asked for a password
    if path.is_file() and path.stat().st_size > 0:
        try:
            database = open_db()
        except RevisitError:
            if check_sqlite(path, QUICK_CHECK_SECONDS).ok:
                raise
            # Too damaged to open: there is nobody to sign in as; the damaged file is kept.
            to_stderr(args.lang, N_("revisit: warning: {path} is damaged, so the restore runs "
                                    "without signing in."), path=str(path))
        else:
            args.access = WRITE
            auth.sign_in(args, open_db)
            require_passed(auth.acting(args, open_db), MANAGE_DATABASE)
            database.dispose()  # this command's own connections must not hold the file
    done = restore_backup(path, backup)
    print(f"restored {done.backup} (schema {done.revision}) to {done.target}.")
    if done.replaced_copy is not None:
        print(f"the file it replaced is kept as {done.replaced_copy}")
    if done.revision != head_revision():
        print("Revisit brings it up to the current schema the next time it opens it.")
    return 0
