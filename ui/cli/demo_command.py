"""`demo`: fill a database with realistic, deterministic demo customers."""

from __future__ import annotations

import argparse
import datetime as dt

from services.store.database import count_rows
from ui.cli.progress import TerminalProgress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="add realistic demo customers (deterministic for a given seed)",
        description="Add N demo customers with their cars, service visits, surveys, complaints, "
        "contacts, profile histories, preferences, consent and tags. Data already stored is "
        "kept; an interrupted run removes what it added.",
    )
    p.add_argument("--customers", type=int, default=5000, metavar="N", help="how many (5000)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (1)")
    p.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the day the data is generated relative to (default: today)",
    )
    p.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the database already has customers (for start-up scripts)",
    )
    p.set_defaults(handler=_run)


def _run(args, open_db) -> int:
    from services.demo import (
        generator as demo,  # imported here: names and pinyin tables load slowly
    )

    demo.check_count(args.customers)  # before the database is created or touched
    database = open_db()
    if args.if_empty:
        existing = count_rows(database, ["customer"])["customer"]
        if existing:
            print(f"{database.display_url} already has {existing:,} customers; nothing added")
            return 0
    summary = demo.generate(
        database,
        args.customers,
        seed=args.seed,
        today=args.today,
        progress=TerminalProgress("demo"),
    )
    rate = summary.total_rows / summary.seconds if summary.seconds else 0
    print(
        f"added {summary.customers:,} customers, {summary.total_rows:,} rows in "
        f"{summary.seconds:.1f} s ({rate:,.0f} rows/s) to {database.display_url}"
    )
    for table, n in summary.rows.items():
        print(f"  {table:<20} {n:>10,}")
    return 0
