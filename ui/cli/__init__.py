"""The command line: each module adds its subcommands to one argparse parser.

A command module has `register(subparsers)` and is named in COMMAND_MODULES with the commands it
adds (and in `command_module`); `register` adds parsers whose defaults carry `handler=fn`;
`fn(args, open_db)` returns an exit code. `open_db()` opens (and migrates) the
database named by --db only when the command needs one. `access=` in the defaults says whether
the command needs a signed-in user (ui/cli/auth.py); the handler finds them in `args.actor`.
`creates=True` in the defaults lets the command make a SQLite file that is not there yet (demo,
import, user add, db upgrade, db restore); any other command refuses a path with no database.
A command that writes takes the day's backup of a SQLite file when it opens it, unless
`daily_backup=fn` in the defaults says no: `fn(args)` False (the next command that writes
takes it).
`prepare=fn` in the defaults is work the command will need that reads nothing stored (importing
its file writers, loading a font): `fn(args)` runs on a thread while the user is signed in."""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from ui.cli.parsing import Parser

if TYPE_CHECKING:
    from pathlib import Path

    from services.store.database import Database

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USER_ERROR = 2
EXIT_CANCELLED = 130

OpenDb = Callable[[], "Database"]

# Each command (and alias) and the module in ui/cli that adds it. A command imports only its
# own module and what that needs: importing every module cost 0.47 s at each start (the list
# commands pull in openpyxl and reportlab, the imports pinyin tables), against the 0.2 s query
# of `segment matrix`. tests/test_startup_imports.py checks the table against the modules.
COMMAND_MODULES = {
    "demo": "demo_command",
    "db": "db_commands",
    "segment": "segment_commands",
    "list": "list_commands",
    "report": "report_commands",
    "customers": "customer_commands",
    "customer": "customer_commands",
    "import": "import_commands",
    "settings": "settings_commands",
    "user": "user_commands",
    "audit": "user_commands",
    "tag": "tag_commands",
}
MODULE_ORDER = ("demo_command", "db_commands", "segment_commands", "list_commands",
                "report_commands", "customer_commands", "import_commands", "settings_commands",
                "user_commands", "tag_commands")  # the order `--help` lists them in


def build_parser(commands: bool | str = True) -> argparse.ArgumentParser:
    """The whole CLI; with commands=False only the global options (enough to start the window
    without importing every command's services); with a command's name, the global options and
    that command only."""
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
        "--lang", metavar="LOCALE",
        help="language of the window and of a command's errors, warnings and hints, e.g. "
        "zh_CN or en (default: system)"
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
    names = MODULE_ORDER if commands is True else (COMMAND_MODULES[str(commands)],)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in names:
        command_module(name).register(sub)
    return parser


def command_module(name: str) -> ModuleType:
    """The command module `name`, imported now. Import statements, not importlib with a
    name: the packaged build (PyInstaller) finds only these."""
    match name:
        case "demo_command":
            from ui.cli import demo_command

            return demo_command
        case "db_commands":
            from ui.cli import db_commands

            return db_commands
        case "segment_commands":
            from ui.cli import segment_commands

            return segment_commands
        case "list_commands":
            from ui.cli import list_commands

            return list_commands
        case "report_commands":
            from ui.cli import report_commands

            return report_commands
        case "customer_commands":
            from ui.cli import customer_commands

            return customer_commands
        case "import_commands":
            from ui.cli import import_commands

            return import_commands
        case "settings_commands":
            from ui.cli import settings_commands

            return settings_commands
        case "user_commands":
            from ui.cli import user_commands

            return user_commands
        case "tag_commands":
            from ui.cli import tag_commands

            return tag_commands
    raise KeyError(name)


def end_of_start() -> None:
    """What was made while starting stays: out of the collector's rounds from now on, and the
    collector on again if main.py turned it off for the start (a no-op otherwise)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run(argv: Sequence[str]) -> int:
    """Run one CLI command; user mistakes print one line on stderr and return non-zero."""
    # Help aside, since the global options' parser would print its own and exit.
    plain = [a for a in argv if a not in ("-h", "--help")]
    args, rest = build_parser(False).parse_known_args(plain)
    if rest or len(plain) < len(argv):
        # A command (or help, or a mistake): the parser of the command named, else the whole
        # CLI, which lists the commands or explains the mistake.
        name = next((a for a in rest if not a.startswith("-")), None)
        args = build_parser(name if name in COMMAND_MODULES else True).parse_args(argv)
    else:
        args.command = None
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args)
    return _run_command(args)


def _beside(work: Callable[[argparse.Namespace], None] | None,
            args: argparse.Namespace) -> Callable[[], None]:
    """`work(args)` started on a thread, and what waits for it. The password check (argon2,
    about 0.1 s) lets go of Python's lock, so a command's imports and fonts load meanwhile.
    Whatever goes wrong there is met again, and reported, by the command itself."""
    if work is None:
        return lambda: None

    def quietly() -> None:
        try:
            work(args)
        except Exception:  # the command repeats the step and reports it
            logging.getLogger(__name__).debug("preparing %s failed", args.command,
                                              exc_info=True)

    thread = threading.Thread(target=quietly, name="prepare", daemon=True)
    thread.start()
    return thread.join


def _stop_on_sigterm() -> Callable[[], None]:
    """SIGTERM (a scheduled task ended, the system shutting down, `kill`) stops the command as
    Ctrl+C does, so it says in its log what it left instead of ending without a word; a second
    SIGTERM ends the process at once. What puts the handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum, frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _say_upgrade(lang: str | None, current: str, head: str, copy: Path | None) -> None:
    """One line on stderr before a schema upgrade, so a scheduled task's log says why that run
    took longer (copying and upgrading the 200,000-customer demo's file took 17 s)."""
    from services.store.errors import N_
    from ui.cli.language import to_stderr

    if copy is None:
        to_stderr(lang, N_("revisit: updating the database for this version of Revisit "
                            "(schema {current} to {head})…"), current=current, head=head)
    else:
        to_stderr(lang, N_("revisit: updating the database for this version of Revisit "
                            "(schema {current} to {head}); the database as it was is kept "
                            "in {copy}…"), current=current, head=head, copy=str(copy))


def _run_command(args: argparse.Namespace) -> int:
    from services.staff.permissions import NotAllowed
    from services.store.database import DRIVER_ERRORS, open_database, user_error
    from services.store.errors import N_, Cancelled, RevisitError
    from ui.cli import auth
    from ui.cli.language import to_stderr

    end_of_start()
    refused: tuple[type[BaseException], ...] = (RevisitError, OSError, *DRIVER_ERRORS)
    opened: list[Database] = []
    said: list[str] = []  # the error printed: a late backup warning saying the same is not

    def open_db() -> Database:
        if not opened:
            # Commands that change the database take the day's backup of the file as they
            # found it (once a day, copied while they work); `db` commands (backup,
            # restore, copy) make their own.
            daily = (getattr(args, "access", auth.READ) == auth.WRITE
                     and args.command != "db"
                     and getattr(args, "daily_backup", lambda _: True)(args))
            # Only a command that can start a new database makes its file (`creates=`).
            opened.append(open_database(args.db, daily_backup=daily,
                                        create=getattr(args, "creates", False),
                                        announce=lambda *now: _say_upgrade(args.lang, *now)))
            for warning in opened[0].warnings:
                to_stderr(args.lang, N_("revisit: warning: {warning}"), warning=warning)
        return opened[0]

    restore_sigterm = _stop_on_sigterm()
    try:
        ready = _beside(getattr(args, "prepare", None), args)
        try:
            auth.sign_in(args, open_db)  # sets args.actor; refuses a write without a user
        finally:
            ready()  # nothing left running when a refused sign-in ends the process
        return args.handler(args, open_db)
    except BrokenPipeError:  # output piped into `head` and the like
        return EXIT_OK
    except refused as exc:
        # The user's input, the disk or the database said no (bad folder, full disk, locked,
        # read-only, damaged, lost server): one sentence, never a traceback.
        url = opened[0].url if opened else args.db
        hint: list[str] = []
        if isinstance(exc, NotAllowed) and exc.actor is None:
            hint.append(auth.refusal_hint(opened[0] if opened else None))
        # What a command added for the terminal: the command to type instead, and the like.
        hint += getattr(exc, "__notes__", ())
        error = user_error(exc, url)
        said.append(str(error))
        to_stderr(args.lang, N_("revisit: error: {error}"), *hint, error=error)
        return EXIT_USER_ERROR
    except (Cancelled, KeyboardInterrupt):
        to_stderr(args.lang, N_("revisit: cancelled; nothing was changed by the unfinished "
                                 "step."))
        return EXIT_CANCELLED
    except Exception as exc:
        # Revisit's own mistake, not the user's: still one sentence (the traceback with -v),
        # as the window says it. What the step stored is as its transaction left it: whole,
        # or not at all.
        if args.verbose:
            traceback.print_exc()
        to_stderr(args.lang, N_("revisit: error: something unexpected went wrong ({kind}: "
                                 "{detail}); the unfinished step saved nothing. Run the "
                                 "command again with -v for the details."),
                   kind=type(exc).__name__, detail=str(exc))
        return EXIT_UNEXPECTED
    finally:
        restore_sigterm()  # from here a SIGTERM ends the process as it did before
        for database in opened:
            # Copied while the command worked; a big file's copy may outlast it.
            late = database.finish_backup(waiting=lambda: to_stderr(
                args.lang, N_("revisit: finishing today's backup of the database…")))
            if late is not None and str(late) not in said:
                to_stderr(args.lang, N_("revisit: warning: {warning}"), warning=late)
            database.dispose()
