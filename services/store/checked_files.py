"""Which SQLite files were last seen sound, and in what state, so opening an unchanged file does
not read it again for damage.

SQLite's quick check at opening reads pages for up to a second (services/store/database.py): on
the 1.3 GB file of 200,000 demo customers every start paid the whole second, four times the
query a command then runs. A file whose inode, size and modification time (and those of its
-wal log) are what they were when it last passed the check holds the same bytes, so the check
would read the same pages and find the same. Revisit's own writes are trusted too: closing a
database it opened sound records the state the file is left in, so the next start after a
list run or a sign-in does not pay again; a change by anything else (another program, a copy
over the file, a restore) shows as another state and is checked.

The states live in one small JSON file in the per-user data folder, newest first, at most
KEPT files; losing it (or a write that fails) only means checking once more."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from models import db

log = logging.getLogger(__name__)

MEMO_NAME = "checked-files.json"
KEPT = 40


def _memo() -> Path:
    return db.default_data_dir() / MEMO_NAME


def file_state(path: Path) -> list[int] | None:
    """The file's identity and last change, with its -wal log's when that holds anything
    (merely looking at a file may leave an empty one); None: no such file."""
    try:
        st = path.stat()
    except OSError:
        return None
    state = [st.st_ino, st.st_size, st.st_mtime_ns]
    try:
        wal = path.with_name(path.name + "-wal").stat()
    except FileNotFoundError:
        return state
    except OSError:
        return None
    return [*state, wal.st_size, wal.st_mtime_ns] if wal.st_size else state


def _read() -> dict[str, list[int]]:
    try:
        data = json.loads(_memo().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _key(path: Path) -> str:
    return str(path.resolve())


def unchanged_since_seen(path: Path) -> bool:
    """True when `path` is in the state it was last recorded in as sound."""
    state = file_state(path)
    return state is not None and _read().get(_key(path)) == state


def record_sound(path: Path) -> None:
    """Remember `path`'s present state as sound (after a check, or Revisit's own writes)."""
    state = file_state(path)
    if state is None:
        return
    key = _key(path)
    memo = _read()
    if memo.get(key) == state:
        return
    memo.pop(key, None)
    kept = {key: state, **dict(list(memo.items())[:KEPT - 1])}
    target = _memo()
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(part, target)  # whole or not at all: two processes may write at once
    except OSError as exc:
        log.info("could not remember the checked state of %s: %s", path, exc)
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
