"""`demo`: fill a database with realistic, deterministic demo customers."""

from __future__ import annotations

import argparse

from services.demo import DEMO_PASSWORD
from services.staff import signing
from services.staff.permissions import MANAGE_DATABASE, require
from services.store.database import count_rows
from ui.cli.parsing import count, day
from ui.cli.progress import TerminalProgress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="add realistic demo customers (deterministic for a given seed)",
        description="Add N demo customers with their cars, service visits, surveys, complaints, "
        "contacts, profile histories, preferences, consent, tags, referrals and declined repair "
        "items, to a new database or one "
        "holding nothing but demo data (a database with anyone's work in it is refused). Each "
        "batch is stored as it is made: a run stopped half-way says so next time, and "
        "--resume finishes it. Demo staff sign in with the password "
        f"{DEMO_PASSWORD} (supervisor: user name supervisor). Once a database has accounts, "
        "only a supervisor adds demo data to it.",
    )
    p.add_argument("--customers", type=count, default=5000, metavar="N", help="how many (5000)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (1)")
    p.add_argument(
        "--today",
        type=day,
        metavar="YYYY-MM-DD",
        help="the day the data is generated relative to (default: today)",
    )
    p.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the database already has customers (for start-up scripts)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="finish a demo that was stopped half-way (its count, seed and day are kept)",
    )
    # For the fault tests: customers per committed batch (many batches in a small demo).
    p.add_argument("--batch", type=count, help=argparse.SUPPRESS)
    p.set_defaults(handler=_run, creates=True)


def _run(args, open_db) -> int:
    from services.demo import (
        generator as demo,  # imported here: names and pinyin tables load slowly
    )

    if not args.resume:
        demo.check_count(args.customers)  # before the database is created or touched
    database = open_db()
    if args.if_empty and not args.resume:
        existing = count_rows(database, ["customer"])["customer"]
        if existing and not demo.stopped_run(database):
            print(f"{database.display_url} already has {existing:,} customers; nothing added")
            return 0
    if signing.has_accounts(database.engine):  # a database in use, not a new one
        require(args.actor, MANAGE_DATABASE)
    summary = demo.generate(
        database,
        args.customers,
        seed=args.seed,
        today=args.today,
        progress=TerminalProgress("demo"),
        resume=args.resume,
        batch=args.batch,
    )
    rate = summary.total_rows / summary.seconds if summary.seconds else 0
    print(
        f"added {summary.customers:,} customers, {summary.total_rows:,} rows in "
        f"{summary.seconds:.1f} s ({rate:,.0f} rows/s) to {database.display_url}"
    )
    for table, n in summary.rows.items():
        print(f"  {table:<20} {n:>10,}")
    print(f"sign in as supervisor (王主管) or chenli (陈丽, staff), password {DEMO_PASSWORD}")
    return 0
