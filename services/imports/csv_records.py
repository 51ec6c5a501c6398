"""The records of a CSV file, with a quote typed by mistake read as text.

A cell that starts with a quote is a quoted cell for the csv module until the next lone quote,
across line ends: that is how a real multi-line cell (an address with a line break, properly
closed) is written. A stray quote (`粤A44441,"赵六,13800138011,…` with no closing quote) made
the rest of the file, or everything up to the next quoted cell, one cell of one row: thousands of
rows silently gone, and a customer named after them. A record that runs over line ends is
taken as it is only when it can be such a cell: its quote is closed before the file ends, and no
line inside it looks like a row of its own (as many delimiters as the widest row so far). Else
its first line is read on its own, the quote that opened the runaway cell kept as text, and the
lines after it are read again as the rows they are; the record's number is noted with that cell
as read (`strays`), so its row can say so."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

QUOTE = '"'
# A line inside a quoted cell looks like a row of its own with at least this many fields (and
# at least as many as the widest row so far): a remark's line with a comma or two does not.
MIN_ROW_FIELDS = 3


class _Lines:
    """The file's lines for csv.reader, remembering those of the record being read, with lines
    put back to be read again."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._back: list[str] = []
        self.taken: list[str] = []
        self.ended = False  # the reader asked for a line after the last

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._back:
            line = self._back.pop()
        else:
            try:
                line = next(self._lines)
            except StopIteration:
                self.ended = True
                raise
        self.taken.append(line)
        return line

    def put_back(self, lines: list[str]) -> None:
        self._back.extend(reversed(lines))


def open_quote(line: str, delimiter: str) -> int | None:
    """Where the quoted cell still open at the end of `line` starts, read as the csv module
    reads it (a quote opens a cell only at its start; a doubled quote inside is one quote);
    None when the line ends outside a quoted cell."""
    opened: int | None = None
    state = 0  # 0 start of a cell, 1 in a plain cell, 2 in a quoted cell, 3 after a quote in it
    for i, c in enumerate(line):
        if state == 0:
            if c == QUOTE:
                state, opened = 2, i
            elif c != delimiter:
                state = 1
        elif state == 1:
            if c == delimiter:
                state = 0
        elif state == 2:
            if c == QUOTE:
                state = 3
        elif c == QUOTE:
            state = 2
        else:
            state = 0 if c == delimiter else 1
    return opened if state == 2 else None


def _inside(line: str) -> str:
    """The part of a line that starts inside a quoted cell up to the quote closing it (the
    whole line when none does)."""
    at = line.find(QUOTE)
    while at != -1 and line.startswith(QUOTE, at + 1):
        at = line.find(QUOTE, at + 2)
    return line if at == -1 else line[:at]


def _plain(line: str, delimiter: str) -> list[str]:
    """A line's cells with the quote that opens the cell left open at its end kept as text,
    and what follows it split at every delimiter."""
    line = line.rstrip("\r\n")
    at = open_quote(line, delimiter)
    if at is None:
        return next(csv.reader([line], delimiter=delimiter, strict=False), [])
    before = next(csv.reader([line[:at]], delimiter=delimiter, strict=False), [""])[:-1]
    return [*before, *line[at:].split(delimiter)]


def records(lines: Iterable[str], delimiter: str,
            strays: dict[int, str] | None = None) -> Iterator[list[str]]:
    """The records of a CSV file's lines (read with newline=""), a runaway quoted cell read
    as the module docstring says; `strays` gets the number (1 = the first record) of each
    record read so, with the cell its stray quote starts as read ('"赵六')."""
    source = _Lines(lines)
    widest = 0  # fields of the widest record read from one line so far
    for number, record in enumerate(csv.reader(source, delimiter=delimiter, strict=False), 1):
        taken, source.taken = source.taken, []
        fields = max(widest, MIN_ROW_FIELDS)
        runaway = source.ended or (len(taken) > 1 and any(
            _inside(line).count(delimiter) + 1 >= fields for line in taken[1:]))
        if runaway and taken:
            source.ended = False
            source.put_back(taken[1:])
            record = _plain(taken[0], delimiter)
            if strays is not None:
                line = taken[0].rstrip("\r\n")
                at = open_quote(line, delimiter)
                strays[number] = line[at:].split(delimiter)[0] if at is not None else line
        elif len(taken) == 1:
            widest = max(widest, len(record))
        yield record
