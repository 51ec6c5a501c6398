"""`db upgrade` and `db info`: schema migrations and what a database holds."""

from __future__ import annotations

import argparse
import json

from services.store.database import current_revision, database_info, head_revision


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser(
        "upgrade",
        help="apply pending schema migrations (a SQLite file is backed up first)",
        description="Apply pending schema migrations. A SQLite file is copied beside itself "
        "before its schema changes. Opening the database from the app does the same.",
    )
    up.set_defaults(handler=_upgrade)
    info = db_sub.add_parser(
        "info", help="show where the database is, its schema version and row counts"
    )
    info.add_argument("--format", choices=("text", "json"), default="text")
    info.set_defaults(handler=_info)


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
