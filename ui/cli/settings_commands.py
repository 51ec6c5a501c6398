"""`settings show|set`: the settings every PC on the database shares (shop, SMS signature and
window, contact fatigue, call recycling, backups); only a supervisor changes them."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

from services.store import settings as shared
from services.store.backup import check_folder_setting
from services.store.errors import N_, RevisitError
from ui.cli.auth import WRITE
from ui.cli.language import to_stderr


def register(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("settings", help="the shared settings of every PC (supervisor changes)")
    acts = st.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = acts.add_parser("show", help="every shared setting and its value")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=_show)
    put = acts.add_parser("set", help="change settings, e.g. shop_name=广州某某丰田 "
                          "sms_window_end=21:00 (supervisor)")
    put.add_argument("values", nargs="+", metavar="NAME=VALUE")
    put.set_defaults(handler=_set, access=WRITE, daily_backup=_backup_folder_kept)


def _backup_folder_kept(args) -> bool:
    """False when the command sets backup_folder: it takes no day's backup, and the next
    command that writes takes it into the folder saved. Taken on opening, it went to the
    folder being left (perhaps left for its full disk), and its failure was said after "saved"
    of a folder no longer used."""
    return all(item.partition("=")[0].strip() != "backup_folder" for item in args.values)


def _text(value) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, dt.time) else str(value)


def _show(args, open_db) -> int:
    loaded = shared.load_settings_versions(open_db().sessions)
    values = {k: _text(v) for k, v in dataclasses.asdict(loaded.settings).items()}
    # A stored value Revisit does not use as stored (written by SQL, by an older copy): said
    # as the CLI's other warnings are, on stderr, so the JSON on stdout stays the values used.
    for wrong in loaded.not_valid:
        to_stderr(args.lang, N_("revisit: warning: {warning}"), warning=wrong.said())
    if args.format == "json":
        print(json.dumps(values, ensure_ascii=False, indent=2))
        return 0
    for name, value in values.items():
        print(f"{name:<22} {value}")
    return 0


def _set(args, open_db) -> int:
    changes = {}
    for item in args.values:
        name, sep, value = item.partition("=")
        if not sep:
            raise RevisitError(N_("Write each setting as NAME=VALUE, not '{item}'."), item=item)
        changes[name.strip()] = value
    sessions = open_db().sessions
    loaded = shared.load_settings_versions(sessions)
    new = shared.settings_with(loaded.settings, changes)
    moved = new.backup_folder != loaded.settings.backup_folder
    if moved:
        folder = check_folder_setting(sessions, new.backup_folder)
    # Only the named settings are written, and only if nobody changed them meanwhile.
    shared.save_settings(sessions, new, args.actor, loaded)
    print(f"saved {', '.join(changes)}")
    for wrong in loaded.not_valid:
        if wrong.key not in changes:
            print(f"saved {wrong.key} as {wrong.used}, the value used instead of the stored "
                  f"'{wrong.stored}', which was not valid")
    if moved:
        print(f"the next backups go to {folder}")
    return 0
