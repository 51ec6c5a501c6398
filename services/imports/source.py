"""The file side of an import: its header, its data rows in order (the first few kept to
recognise columns by their values), and the rows the reader passed over (subtotals, repeated
headers), which are reported like rejected rows so no row goes unaccounted for."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from services.imports.mapping import Mapping, auto_map
from services.imports.normalise import Cell
from services.imports.readers import Table, open_table

SAMPLE_ROWS = 20
SKIP_REASONS = {"subtotal": "subtotal_row", "repeated_header": "repeated_header_row",
                "footer": "footer_row"}


class Source:
    def __init__(self, table: Table) -> None:
        self.table = table
        self._sample = list(itertools.islice(iter(table), SAMPLE_ROWS))
        self._used = False

    @property
    def headers(self) -> tuple[str, ...]:
        return self.table.layout.headers

    @property
    def sheet(self) -> str | None:
        return self.table.layout.sheet

    @property
    def total_rows(self) -> int | None:
        """Data rows to expect (for progress): the file's rows below the header, if known."""
        total = self.table.layout.total_rows
        return None if total is None else max(total - self.table.layout.header_row, 0)

    @property
    def first_rows(self) -> list[tuple[Cell, ...]]:
        """The cells of the first data rows (up to SAMPLE_ROWS), as read."""
        return [r.cells for r in self._sample]

    @property
    def has_rows(self) -> bool:
        """Whether a row other than a blank one stands below the header: a data row, or one
        the reader passed over (a subtotal is still reported as a row). The sample read stops
        short only at the table's end, so an empty sample means the reader saw every row."""
        return bool(self._sample) or bool(self.table.skipped)

    def auto_mapping(self, kind: str) -> Mapping:
        return auto_map(self.headers, kind, [r.cells for r in self._sample])

    def rows(self) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        """(row number, cells) of every data row, once."""
        if self._used:
            raise RuntimeError("the rows of a file are read once")
        self._used = True
        for row in itertools.chain(self._sample, self.table):
            yield row.number, row.cells

    def skipped(self) -> list[tuple[int, str, tuple[Cell, ...]]]:
        """(row number, problem code, cells as read) of rows the reader passed over; complete
        once rows() is exhausted."""
        return [(s.number, SKIP_REASONS.get(s.reason, s.reason), s.cells)
                for s in self.table.skipped]

    def close(self) -> None:
        self.table.close()


def open_source(path: Path, sheet: str | None = None, header_row: int | None = None) -> Source:
    return Source(open_table(path, sheet=sheet, header_row=header_row))
