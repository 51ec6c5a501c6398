"""Whether a file can be written where it is asked for, found before the work that makes it:
a folder at its name, a folder where nothing can be made (read-only, a share without write
permission), or the file already there and held by another program (Windows refuses to
replace a workbook open in Excel) or read-only."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def not_a_folder(target: Path) -> None:
    """Raise IsADirectoryError when a folder stands at the name `target` is to be written at."""
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))


def check_folder(folder: Path) -> None:
    """Raise the OSError making a file in `folder` would meet; nothing is left there."""
    with tempfile.TemporaryFile(dir=folder, prefix=".revisit-"):
        pass


def check_writable(target: Path) -> None:
    """Raise the OSError writing `target` would meet; nothing is made or changed."""
    not_a_folder(target)
    check_folder(target.parent)
    if target.exists():
        with target.open("ab"):  # opened to append, nothing written: its time stays as it was
            pass
