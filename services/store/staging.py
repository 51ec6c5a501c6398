"""Writing files whole or not at all: each written in a scratch folder beside its target and
renamed into place once complete (one file, or several together), and the scratch a killed
writer left behind cleared once stale. List files, the Monday report and exported segments
are written this way, so a full disk or a failure never leaves a part-written file at the
name asked for, and an error names that file. Backups and restores write a part file of their
own beside the target (SQLite's backup API writes a database file, journal and all) and clear
a killed one's leftovers here too."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from services.store.writable import not_a_folder

SCRATCH_PREFIX = ".revisit-"
STALE_SCRATCH = dt.timedelta(hours=1)
# Beside a SQLite file being written: its rollback journal, or its write-ahead log and index.
SQLITE_SIDECARS = ("-journal", "-wal", "-shm")


class Together:
    """The files of one request put in place together or not at all: `staged(path,
    together=t)` inside `with Together() as t:` writes each to its own scratch folder, and
    only when the block ends without an error are they all renamed into place (and the
    actions given to `then` run: an audit record of each). An error, a refusal or Ctrl-C on
    the third file of a run's call list, mail list and SMS file leaves none of them, not the
    first two beside a run left unfinished. Each rename is in its file's own folder, so it
    cannot run out of space part way."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []  # (scratch folder, target)
        self._after: list[Callable[[], None]] = []

    def __enter__(self) -> Together:
        return self

    def hold(self, scratch: Path, path: Path) -> None:
        self._staged.append((scratch, path))

    def then(self, action: Callable[[], None]) -> None:
        """`action` once every file is in place (an audit record of one of them)."""
        self._after.append(action)

    def __exit__(self, kind: type[BaseException] | None, *_rest: Any) -> None:
        try:
            if kind is None:
                place(self._staged)
        finally:
            for scratch, _path in self._staged:
                shutil.rmtree(scratch, ignore_errors=True)
        if kind is None:
            for action in self._after:
                action()


@contextlib.contextmanager
def staged(path: Path, together: Together | None = None) -> Iterator[Path]:
    """A name in a scratch folder beside `path` to write to. When the block ends without an
    error, everything written there (an SMS vendor file may bring a -preview side file) is
    renamed into `path`'s folder, `path` itself last; the scratch folder goes either way. In the
    same folder, so each rename is atomic and replaces an older file of that name. With
    `together`, the folder is handed to it instead, to be put in place with the other files.
    An OSError (a full disk, no permission) is raised again naming `path`: a full disk's
    "No space left" names no file of its own."""
    folder = path.parent
    remove_stale_scratch(folder)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=folder))
    except OSError as exc:
        raise_naming(exc, path)
    hide(scratch)
    held = False
    try:
        try:
            yield scratch / path.name
        except OSError as exc:
            raise_naming(exc, path)
        if together is not None:
            together.hold(scratch, path)
            held = True
        else:
            place([(scratch, path)])
    finally:
        if not held:
            shutil.rmtree(scratch, ignore_errors=True)


def hide(folder: Path) -> None:
    """Hide a scratch folder from the user's file browser. Its leading dot does that on Linux
    and macOS; Windows Explorer shows dot names, so there the folder is given the attribute
    FILE_ATTRIBUTE_HIDDEN (0x2). A folder left visible is only seen, so a refusal is ignored."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(folder), 0x2)


def write_text(path: Path, text: str) -> None:
    """`text` written to `path` in UTF-8, whole or not at all (see `staged`)."""
    with staged(path) as part:
        part.write_text(text, encoding="utf-8")


def place(staged_files: Sequence[tuple[Path, Path]]) -> None:
    """Everything written in each scratch folder renamed beside its target, the target itself
    last. The files there before are moved aside into the scratch folder first, so that when
    one rename fails (on Windows, a file of that name open in Excel cannot be renamed) every
    file is put back as it was and none of the new ones stays."""
    there = staged_files[0][1] if staged_files else Path()  # the file an error names
    aside: list[tuple[Path, Path]] = []  # (where the earlier file waits, its place)
    placed: list[Path] = []
    try:
        moves = []
        for scratch, target in staged_files:
            there = target
            for made in sorted(scratch.iterdir(), key=lambda p: p.name == target.name):
                moves.append((made, target.parent / made.name, scratch))
        for _made, there, _scratch in moves:
            not_a_folder(there)  # moved aside, it would go with the scratch folder
        for made, there, scratch in moves:
            if there.exists():
                kept = scratch / f"{SCRATCH_PREFIX}was-{there.name}"
                os.replace(there, kept)
                aside.append((kept, there))
            os.replace(made, there)
            placed.append(there)
    except OSError as exc:
        for new in placed:  # the error to tell is the first one, not one of these
            with contextlib.suppress(OSError):
                new.unlink(missing_ok=True)
        for kept, spot in aside:
            with contextlib.suppress(OSError):
                os.replace(kept, spot)
        raise_naming(exc, there)


def remove_stale_scratch(folder: Path, prefix: str = SCRATCH_PREFIX,
                         age: dt.timedelta = STALE_SCRATCH, *, files: str | None = None) -> None:
    """Scratch a killed writer left behind (it never reached its `finally`): folders named
    `prefix`…, or with `files` (a glob) the files it matches, each with the journal, log and
    index SQLite keeps beside a database file it writes (a backup's or a restore's part file:
    `.NAME.PID.part`, `.NAME.PID.part-journal`). Removed here once nothing in them (a file and
    its journal as one) changed for `age`, long past any writer still at work on one: the
    writer may be another PC's, whose process cannot be asked after. A writer's own are
    hidden, never at a file's own name."""
    cutoff = time.time() - age.total_seconds()
    groups: dict[str, list[Path]] = {}
    try:
        if files is None:
            found = [p for p in folder.glob(f"{prefix}*") if p.is_dir()]
        else:
            found = [p for pattern in (files, *(files + s for s in SQLITE_SIDECARS))
                     for p in folder.glob(pattern) if p.is_file()]
    except OSError:
        return
    for leftover in found:
        name = leftover.name
        for sidecar in SQLITE_SIDECARS:
            name = name.removesuffix(sidecar)
        groups.setdefault(name, []).append(leftover)
    for group in groups.values():
        try:
            newest = max(_last_change(p) for p in group)
        except OSError:
            continue
        if newest < cutoff:
            for leftover in group:
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    discard(leftover)


def _last_change(path: Path) -> float:
    """When `path` last changed: a folder's, that of the newest file in it."""
    if not path.is_dir():
        return path.stat().st_mtime
    return max([path.stat().st_mtime] + [p.stat().st_mtime for p in path.iterdir()])


def discard(part: Path) -> None:
    """Remove the unfinished file `part` and what SQLite kept beside it while writing it (a
    full disk left `….part-journal` behind its removed part), as far as the disk lets."""
    for leftover in (part, *(part.with_name(part.name + s) for s in SQLITE_SIDECARS)):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def raise_naming(exc: OSError, path: Path) -> NoReturn:
    """Raise `exc` again naming the file the user chose, not the scratch folder or file."""
    if exc.strerror is None:
        raise exc
    raise OSError(exc.errno, exc.strerror, str(path)) from exc


# Read a file this much at a time to hash it.
HASH_BLOCK = 1024 * 1024


def file_hash(path: Path) -> str:
    """The SHA-256 of the file at `path`, in hex (0.02 s for 10 MB); OSError as reading
    meets it."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()
