"""The filled-in call list as a file: which files are lists Revisit wrote (their header row,
among a sheet's first rows, has the columns outcomes are read by; their 编号 cells are row codes),
and its rows read, every sheet with those headers, cells merged down over a block of rows given
to each row, as services/lists/outcomes.py then stores them. Nothing here touches the
database."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path

from models.columns import ROW_CODE
from services.imports.readers import every_sheet
from services.imports.sources import FillDown, RawRow
from services.lists import outcome_notes as said
from services.lists.outcome_notes import Problem
from services.lists.profile_cells import BadCell, Row, cell_text, read_row
from services.store.errors import N_, RevisitError

NEEDED = ("编号", "结果")
# Rows at a sheet's top looked through for the list's headers: a title or two typed above
# them for printing are skipped.
TOP_ROWS = 10


def _header(values: Sequence[object]) -> list[str]:
    return [cell_text(h) for h in values]


def is_filled_list(path: Path) -> bool:
    """Whether `path` is a list Revisit wrote (a sheet's header row has the columns outcomes
    are read by, its first 编号 cells are row codes: looks_like_list), whatever kind of
    spreadsheet it was saved as, so a file dropped on the window is read back as outcomes
    rather than as the SMS vendor's file. False for anything that cannot be read so."""
    if not path.is_file():
        return False
    try:
        with every_sheet(path, first_rows=True) as sheets:
            for sheet in sheets:
                _top, header, missing = _header_row(sheet.rows)
                first = [values for _, values in itertools.islice(sheet.rows, 20)]
                if not missing and looks_like_list(header, first):
                    return True
    except Exception:  # not a table after all (each reader raises its own kinds): not a list
        return False
    return False


def looks_like_list(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bool:
    """Whether a table with these headers and first rows is a list Revisit wrote: the columns
    outcomes are read by, and its 编号 cells row codes (12-0034), as no DMS export's record
    numbers are. A table whose 编号 cells are all empty is not taken for one."""
    if not all(h in headers for h in NEEDED):
        return False
    at = list(headers).index("编号")
    codes = [cell_text(r[at]) for r in rows if at < len(r) and cell_text(r[at])]
    return bool(codes) and all(ROW_CODE.fullmatch(c) for c in codes)


def _header_row(rows: Iterator[RawRow]) -> tuple[list[RawRow], list[str], list[str]]:
    """The list's header row among a sheet's first TOP_ROWS rows (a title typed above it for
    printing is skipped): (the rows read, the header row last; its headers; []). Not found:
    (the rows read; []; the columns row 1 misses)."""
    top: list[RawRow] = []
    missing = list(NEEDED)
    for number, values in rows:
        top.append((number, values))
        found = _header(values)
        lacks = [h for h in NEEDED if h not in found]
        if not lacks:
            return top, found, []
        if len(top) == 1:
            missing = lacks
        if len(top) >= TOP_ROWS:
            break
    return top, [], missing


def read_rows(path: Path, today: dt.date | None = None
              ) -> tuple[list[Row], list[Problem], int]:
    """The list's rows, from any file the import reads (.xlsx as written; .xls, .ods
    or CSV when a caller's spreadsheet program saved it so), row numbers as it shows them;
    `today` places days typed without their year."""
    today = today or dt.date.today()
    if not path.is_file():
        raise RevisitError(N_("{path} does not exist (or is a folder)."), path=str(path))
    with path.open("rb") as f:
        printed = f.read(5) == b"%PDF-"
    if printed:  # the call sheet printed for the callers, not the list they type into
        raise RevisitError(N_("{file} is a PDF: the call sheet is for printing, and outcomes "
                              "are read back from the list's Excel file. Read the Excel list "
                              "the callers filled in; to have one to fill in, write the list "
                              "as Excel (revisit list print RUN --out {stem}.xlsx)."),
                           file=path.name, stem=path.stem)
    rows: list[Row] = []
    problems: list[Problem] = []
    blank = 0
    first_missing: list[str] = []
    read_any = False
    with every_sheet(path) as sheets:
        # Every sheet with the list's headers (staff split a list into a sheet per caller, or
        # put a sheet of notes before it); at least one must be. A row of a sheet but the
        # first is named with its sheet.
        for index, sheet in enumerate(sheets):
            top, header, missing = _header_row(sheet.rows)
            if index == 0:
                first_missing = missing
            if missing:
                if any(any(v not in (None, "") for v in values)
                       for _, values in itertools.chain(top, sheet.rows)):
                    problems.append(Problem(
                        0, f"sheet {sheet.name} was not read: it has no column "
                           f"{'、'.join(missing)} in its first {TOP_ROWS} rows",
                        f"工作表“{sheet.name}”未读取：前{TOP_ROWS}行中没有"
                        f"“{'、'.join(missing)}”列"))
                continue
            read_any = True
            where = "" if index == 0 else sheet.name
            # A date or an outcome typed once into cells merged down over a block of rows is
            # every row's, as Excel shows it; only the merge's first row holds it.
            downs = FillDown(sheet.merges)
            for number, values in top:
                if downs:
                    downs.apply(number - 1, values)
            for number, values in sheet.rows:
                if not any(v not in (None, "") for v in values):
                    if downs:
                        downs.apply(number - 1, values)
                    continue  # nothing typed of its own, whatever a merge above shows in it
                merged: frozenset[str] = frozenset()
                if downs:
                    shown = downs.apply(number - 1, values)
                    merged = frozenset(h for h, a, b in zip(header, values, shown, strict=False)
                                       if a is not b)
                    values = shown
                row = dict(zip(header, values, strict=False))
                try:
                    parsed = read_row(row, number, today, where, merged)
                except BadCell as exc:
                    problems.append(said.where(number, where, str(exc), exc.zh))
                    continue
                if parsed is None:
                    blank += 1
                else:
                    rows.append(parsed)
    if not read_any:
        raise RevisitError(N_("{path} has no column {columns} in the first {rows} rows of any "
                              "sheet; is it a call list exported by Revisit?"),
                           path=str(path), columns="、".join(first_missing or NEEDED),
                           rows=TOP_ROWS)
    return rows, problems, blank
