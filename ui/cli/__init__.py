"""The command line: each module adds its subcommands to one argparse parser.

A command module has `register(subparsers)`, which adds parsers whose defaults carry
`handler=fn`; `fn(args, open_db)` returns an exit code. `open_db()` opens (and migrates) the
database named by --db only when the command needs one. `access=` in the defaults says whether
the command needs a signed-in user (ui/cli/auth.py); the handler finds them in `args.actor`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from services.staff.permissions import NotAllowed
from services.store.database import DRIVER_ERRORS, Database, open_database, user_error
from services.store.errors import Cancelled, RevisitError
from ui.cli import auth
from ui.cli.parsing import Parser

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_CANCELLED = 130

OpenDb = Callable[[], Database]


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The whole CLI; with commands=False only the global options (enough to start the window
    without importing every command's services)."""
    parser = Parser(
        prog="revisit",
        description="Revisit (回访): service marketing for a car dealer's existing owners. "
        "With no command, opens the desktop window.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $REVISIT_DB, else a SQLite file in your data folder); "
        "e.g. sqlite:///C:/data/revisit.sqlite3 or postgresql://user:pw@server/revisit",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument(
        "--lang", metavar="LOCALE", help="window language, e.g. zh_CN or en (default: system)"
    )
    parser.add_argument(
        "--user", metavar="NAME",
        help="who runs the command (default: $REVISIT_USER); the password comes from "
        "$REVISIT_PASSWORD or is asked. Commands that change the database need it once the "
        "database has accounts; the window fills in the sign-in with it",
    )
    # For smoke tests and the packaged build's self-check: close the window after N seconds.
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    if not commands:
        return parser
    from ui.cli import (
        customer_commands,
        db_commands,
        demo_command,
        import_commands,
        list_commands,
        report_commands,
        segment_commands,
        settings_commands,
        tag_commands,
        user_commands,
    )

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (demo_command, db_commands, segment_commands, list_commands, report_commands,
                   customer_commands, import_commands, settings_commands, user_commands,
                   tag_commands):
        module.register(sub)
    return parser


def run(argv: Sequence[str]) -> int:
    """Run one CLI command; user mistakes print one line on stderr and return non-zero."""
    wants_help = any(a in ("-h", "--help") for a in argv)
    args, rest = (None, True) if wants_help else build_parser(False).parse_known_args(argv)
    if rest:  # a command (or help, or a mistake): the full parser explains
        args = build_parser().parse_args(argv)
    else:
        args.command = None
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args)
    opened: list[Database] = []

    def open_db() -> Database:
        if not opened:
            # Commands that change the database take the day's backup first (once a day);
            # `db` commands (backup, restore, copy) make their own.
            daily = getattr(args, "access", auth.READ) == auth.WRITE and args.command != "db"
            opened.append(open_database(args.db, daily_backup=daily))
            for warning in opened[0].warnings:
                print(f"revisit: warning: {warning}", file=sys.stderr)
        return opened[0]

    try:
        auth.sign_in(args, open_db)  # sets args.actor; refuses a write without a user
        return args.handler(args, open_db)
    except BrokenPipeError:  # output piped into `head` and the like
        return EXIT_OK
    except (RevisitError, OSError, *DRIVER_ERRORS) as exc:
        # The user's input, the disk or the database said no (bad folder, full disk, locked,
        # read-only, damaged, lost server): one sentence, never a traceback.
        url = opened[0].url if opened else args.db
        hint = ""
        if isinstance(exc, NotAllowed) and exc.actor is None:
            hint = " " + auth.refusal_hint(opened[0] if opened else None)
        print(f"revisit: error: {user_error(exc, url)}{hint}", file=sys.stderr)
        return EXIT_USER_ERROR
    except (Cancelled, KeyboardInterrupt):
        print("revisit: cancelled; nothing was changed by the unfinished step.", file=sys.stderr)
        return EXIT_CANCELLED
    finally:
        for database in opened:
            database.dispose()
