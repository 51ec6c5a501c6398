"""The filled-in call list as a file: which files are lists Revisit wrote (their header row,
among a sheet's first rows, has the columns outcomes are read by; their 编号 cells are row codes),
and its rows read, every sheet with those headers, cells merged down over a block of rows given
to each row, as services/lists/outcomes.py then stores them. What a row would be stored
against only by guess is not read: a file with a column it reads twice, or without both
columns that say whose row it is, is refused whole; rows carrying one row code are not
stored, each said. Nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path

from openpyxl.utils import get_column_letter

from models.columns import ROW_CODE
from services.imports.readers import every_sheet
from services.imports.sources import FillDown, RawRow
from services.lists import outcome_notes as said
from services.lists.outcome_notes import Problem
from services.lists.profile_cells import TYPED, BadCell, Row, cell_text, read_row
from services.store.errors import N_, RevisitError

NEEDED = ("编号", "结果")
# The columns that say whose row it is beside its row code: without both, a row cannot be
# checked against its list's member (services/lists/outcomes.py, _matching).
WHOSE = ("客户编号", "姓名")
# Every column a row is read from: one of them twice leaves which cell is the row's a guess.
READ = (*NEEDED, *WHOSE, "回访员", *TYPED)
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
    # Each row code's rows that say something of a call (stored or refused): their number,
    # their sheet as a row names it ("" the first) and its name.
    typed: dict[str, list[tuple[int, str, str]]] = {}
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
            _check_header(path, sheet.name, header)
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
                else:
                    if parsed is None:
                        blank += 1
                        continue
                    rows.append(parsed)
                if code := cell_text(row.get("编号")):
                    typed.setdefault(code, []).append((number, where, sheet.name))
    if not read_any:
        raise RevisitError(N_("{path} has no column {columns} in the first {rows} rows of any "
                              "sheet; is it a call list exported by Revisit?"),
                           path=str(path), columns="、".join(first_missing or NEEDED),
                           rows=TOP_ROWS)
    twice = _copied(rows, typed)
    return [r for r in rows if r.number not in twice.get(r.sheet, {})], problems + [
        p for by_number in twice.values() for p in by_number.values()], blank


def _check_header(path: Path, sheet: str, header: list[str]) -> None:
    """Refuses a sheet whose rows could be read against the wrong customer: a column read
    twice (which of the two cells is the row's?), or neither column that says whose row it is
    (a list printed from another database would store its outcomes on this one's members)."""
    for name in READ:
        at = [get_column_letter(i + 1) for i, h in enumerate(header) if h == name]
        if len(at) > 1:
            raise RevisitError(
                N_("{path} has the column {header} twice (sheet {sheet}, columns {columns}), "
                   "so which of them is a row's {header} cannot be told: keep one, moving what "
                   "was typed into the other into it, and read the file again; nothing was "
                   "stored."),
                path=str(path), header=name, sheet=sheet, columns=", ".join(at))
    if not any(h in header for h in WHOSE):
        raise RevisitError(
            N_("{path} has no 客户编号 or 姓名 column (sheet {sheet}), so its rows cannot be "
               "checked against the list's customers (a list printed from another database "
               "would put its outcomes on this database's customers): put one of them back "
               "as the list was printed and read the file again; nothing was stored."),
            path=str(path), sheet=sheet)


def _copied(rows: list[Row], typed: dict[str, list[tuple[int, str, str]]]
            ) -> dict[str, dict[int, Problem]]:
    """The rows whose row code another row that says something of a call also carries (a row
    copied, or pasted over another's): by sheet ("" the first) and row number, each row's
    problem naming the others. Which of them is the member's call cannot be told, so none is
    stored. A row with nothing typed of a call is none of them (a whole sheet kept beside the
    callers' copies of its rows, a row copied and left empty: no outcome is attributed)."""
    twice: dict[str, dict[int, Problem]] = {}
    for r in rows:
        at = typed.get(r.code, [])
        if len(at) < 2:
            continue
        others = [(n, where, name) for n, where, name in at if (n, where) != (r.number, r.sheet)]
        en = ("row " if len(others) == 1 else "rows ") + ", ".join(
            f"{n}" if where == r.sheet else f"{n} of sheet {name}" for n, where, name in others)
        zh = "、".join(f"第 {n} 行" if where == r.sheet else f"工作表“{name}”第 {n} 行"
                       for n, where, name in others)
        none, zh_none = ("neither is", "这两行") if len(at) == 2 else ("none of them is", "这几行")
        twice.setdefault(r.sheet, {})[r.number] = said.where(
            r.number, r.sheet,
            f"row id {r.code} is also on {en}: a row copied? Keep one row per customer; "
            f"{none} stored",
            f"编号 {r.code} 也在{zh}：复制了一行？每位客户只保留一行；{zh_none}都未保存")
    return twice
