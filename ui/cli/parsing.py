"""The CLI's parser: a mistake in the command line is one line and exit 2, like every other
error (argparse's default prints the whole usage block first), and argument types shared by the
command modules."""

from __future__ import annotations

import argparse

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
