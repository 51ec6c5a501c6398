"""`db upgrade`, `db info` and `db check`: schema migrations, what a database holds, and
whether a SQLite file is intact."""

from __future__ import annotations

import argparse
import json

from models import db as db_urls
from services.store.database import check_sqlite, current_revision, database_info, head_revision
from services.store.errors import N_, RevisitError
from ui.cli.auth import NONE, WRITE


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser(
        "upgrade",
        help="apply pending schema migrations (a SQLite file is backed up first)",
        description="Apply pending schema migrations. A SQLite file is copied beside itself "
        "before its schema changes. Opening the database from the app does the same.",
    )
    up.set_defaults(handler=_upgrade, access=NONE)
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
    result = check_sqlite(path, full=True)
    if not result.ok:
        raise RevisitError(N_("{where} is damaged: {problem}"), where=str(path),
                           problem="; ".join(result.problems[:3]))
    print(f"{path}: every page read, no damage found.")
    return 0


def _copy(args, open_db) -> int:
    from services.store.copy import copy_database
    from services.store.database import open_database
    from ui.cli.progress import TerminalProgress

    source = open_db()
    target = open_database(args.to)
    try:
        report = copy_database(source, target, actor=args.actor,
                               progress=TerminalProgress("copy"))
    finally:
        target.dispose()
    width = max(len(t.name) for t in report.tables)
    for t in report.tables:
        print(f"  {t.name:<{width}}  {t.rows:>10,}  sha256 {t.checksum[:12]}")
    print(f"copied {report.rows:,} rows in {len(report.tables)} tables from {report.source} to "
          f"{report.target} (schema {report.revision}); every table's rows and checksum match.")
    return 0
