"""The CLI's parser: a mistake in the command line is one line and exit 2, like every other
error (argparse's default prints the whole usage block first), and argument types shared by the
command modules."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from collections.abc import Callable
from pathlib import Path

# Ids are 64-bit integers on both databases; a larger number can name no record.
MAX_ID = 2**63 - 1


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"revisit: error: {self.prog}: {message} (see --help)\n")


def record_id(text: str) -> int:
    """A record's number as typed: a whole number from 1 up."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"there is no number {text}")
    return value


# Dates a command takes: far enough either way for any car, customer or campaign, and near
# enough that the days counted from them stay dates (9999-12-31 plus a due window is none).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def day(text: str) -> dt.date:
    """A date as typed: YYYY-MM-DD, a real day between FIRST_DAY and LAST_DAY."""
    try:
        value = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)")
    if not FIRST_DAY <= value <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range (from {FIRST_DAY} to {LAST_DAY})")
    return value


def moment(text: str) -> dt.datetime:
    """A date and time as typed: YYYY-MM-DDTHH:MM (or with a space), its day as `day` takes."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date and time (YYYY-MM-DDTHH:MM)") from None
    day(value.date().isoformat())
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def row_number(text: str) -> int:
    """A row's number as the spreadsheet shows it: from 1 up."""
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: rows are counted from 1, as the spreadsheet "
                                         "numbers them")
    return value


def count(text: str) -> int:
    """A number of rows as typed: a whole number from 0 up."""
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is below 0: give a number of rows from 0 up")
    if value > MAX_ID:
        raise argparse.ArgumentTypeError(f"{text} is more rows than a database can hold")
    return value


def number_in(low: float, high: float, what: str, whole: bool = False
              ) -> Callable[[str], float]:
    """An argument type: `what` as typed ("a number of months", "a quantile"), a number from
    `low` to `high` (finite: "nan" and "inf" are no number of anything), whole when `whole`."""
    def shown(bound: float) -> str:
        return f"{int(bound):,}" if bound == int(bound) else f"{bound:g}"

    def parse(text: str) -> float:
        try:
            value = int(text) if whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: give {what} from {shown(low)} to {shown(high)}")
        return value
    return parse


def user_path(text: str) -> Path:
    """A file as typed, ~ standing for the user's home folder (Windows' cmd leaves ~ as it is
    typed; a shell expands it only at the start of a word)."""
    return Path(text).expanduser()


def out_file(text: str) -> Path:
    """A file to write, as typed (user_path): a name, not nothing and not a folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty file name")
    path = user_path(text)
    try:
        folder = path.is_dir()
    except OSError:  # a name too long, say: writing it will say what is wrong
        folder = False
    if text.endswith(("/", "\\")) or folder:
        raise argparse.ArgumentTypeError(
            f"{text} is a folder; name a file in it, e.g. {path / 'list.pdf'}")
    if re.fullmatch(r"\.[A-Za-z0-9]{1,5}", path.name):  # ".pdf": an ending, no name before it
        raise argparse.ArgumentTypeError(
            f"{text} is a file ending without a name; name the file, e.g. "
            f"{path.with_name('week' + path.name)}")
    return path
