"""The problems file of an import: every rejected row with its original row number, its values
as read and every reason in Chinese, so staff can correct the rows and import them again; and,
on a second sheet, every row imported with a note (a value left out, corrected or guessed), so
nobody has to guess which row lost its mobile or which date was taken as the 1st.

The rows are spooled to temporary files while the import runs (a file of 100,000 bad rows must
not sit in memory) and written as .xlsx at the end."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from services.outputs import xlsx_stream

ROW_HEADER = "原行号"
REASONS_HEADER = "问题"
SHEET_TITLE = "未导入的行"
NOTES_HEADER = "提示"
NOTED_TITLE = "已导入但有提示的行"


class RowSpool:
    """Rows with their reasons (row number, original values, Chinese reasons), kept on disk."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()
        self.count = 0

    def add(self, row_number: int, values: Sequence[Any], reasons: Sequence[str]) -> None:
        pickle.dump((row_number, tuple(values), tuple(reasons)), self._file)
        self.count += 1

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...], tuple[str, ...]]]:
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)
        self._file.seek(0, 2)

    def close(self) -> None:
        self._file.close()


def write_errors(path: Path | str, headers: Sequence[str], rejected: RowSpool,
                 noted: RowSpool) -> Path:
    """Write the rejected rows (first, so importing the file again reads them) and the rows
    imported with notes as .xlsx, a sheet each when it has rows: 原行号, the file's own
    columns, 问题 or 提示 (reasons joined by "；"). Text stays text (never a formula); numbers
    and dates keep their kind."""
    width = len(headers)

    def rows(spool: RowSpool) -> Iterator[list[Any]]:
        for number, values, reasons in spool.rows():
            cells = list(values[:width]) + [None] * (width - len(values))
            yield [number, *cells, "；".join(reasons)]

    names = [h if str(h or "").strip() else f"列{i + 1}" for i, h in enumerate(headers)]
    sheets = [
        xlsx_stream.Sheet(
            title=title,
            headers=[ROW_HEADER, *names, reasons],
            widths=[8, *[14] * width, 60],
            kinds=["int", *["float"] * width, "text"],
            rows=rows(spool),
        )
        for title, reasons, spool in ((SHEET_TITLE, REASONS_HEADER, rejected),
                                      (NOTED_TITLE, NOTES_HEADER, noted))
        if spool.count
    ]
    return xlsx_stream.write(path, sheets)
