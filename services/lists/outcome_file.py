"""The filled-in call list as a file: which files are lists Revisit wrote (their header row,
among a sheet's first rows, has the columns outcomes are read by; their 编号 cells are row codes),
and its rows read, every sheet with those headers, cells merged down over a block of rows given
to each row, each cell as its caller meant it (a dash or 无 for nothing, a remark typed after
the outcome, a row code typed in full-width characters), as services/lists/outcomes.py then
stores them. What a row would be stored against only by guess is not read: a file with a
column it reads twice, or without both columns that say whose row it is, is refused whole;
rows carrying one row code are not stored, each said. Nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

from openpyxl.utils import get_column_letter

from models.columns import ROW_CODE
from services import labels
from services.imports.readers import every_sheet
from services.imports.sources import FillDown, RawRow
from services.imports.words import normalise_outcome
from services.lists import outcome_notes as said
from services.lists.outcome_notes import Problem
from services.lists.profile_cells import TYPED, BadCell, Row, cell_text, read_row
from services.lists.uncoded_rows import FileCodes, run_of
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


# Dashes a row code may be typed with that NFKC leaves as they are (it makes － and ﹣ plain),
# and 一 (one), the dash a Chinese input method gives for the minus key: no code holds it.
_OTHER_DASHES = "‐‑‒–—―−﹘"
_DASHES = str.maketrans(dict.fromkeys(_OTHER_DASHES + "一", "-"))


def row_code(v: object) -> str:
    """A 编号 cell as the list printed it (1-0034): typed on a Chinese keyboard in full-width
    characters (１－００３４), with a dash of another kind, with spaces, or in lower case."""
    return "".join(unicodedata.normalize("NFKC", cell_text(v)).translate(_DASHES)
                   .split()).upper()


# What callers type in a cell for "nothing" (N/A, 无, 没有), besides a cell of dashes, slashes,
# dots or 、 alone: matched on the cell in NFKC, spaces removed, in lower case. 空 is not one
# (a caller's short 空号).
NOTHING = frozenset({"无", "没有", "暂无", "n/a", "na", "nan", "none", "null", "nil"})
_NOTHING_MARKS = re.compile(rf"[-{_OTHER_DASHES}_/\\、.。…·~]+")
# The cells of a row typed into by its caller, each read as empty when it says "nothing".
CALLERS_CELLS = ("结果", "回访员", *TYPED)
# What parts an outcome typed in the 结果 cell from a remark after it (未接，明天再打;
# 接通 下周来保养): a comma, 、, a semicolon, a colon, a full stop, a space, a dash, a bracket
# opened (未接（已发短信）). A slash is none: 空号/错号 is one outcome.
_REMARK = re.compile(r"(.+?)([\s,，、;；:：。.!！?？(（\[【\-—－~～]+)(.*)", re.DOTALL)
# Leading words read two ways before a remark: 忙 is a busy line (the word alone) or a
# customer busy on the phone (忙，稍后再打); 失败 a message not sent or a call not answered.
TWO_WAYS = frozenset({"忙", "失败"})
# What a call answered ended in (the answered outcomes besides 接通, as reports count them),
# said after 接通: the outcome the cell is read as.
ANSWERED = ("appointment", "bought", "refused")


def says_nothing(v: object) -> bool:
    """Whether a cell holds only what a caller types for "nothing" (-, ／, ——, 、, 无, N/A)."""
    if not isinstance(v, str):
        return False
    typed = "".join(unicodedata.normalize("NFKC", cell_text(v)).split()).casefold()
    return typed in NOTHING or bool(_NOTHING_MARKS.fullmatch(typed))


def _as_meant(row: dict[str, object]) -> dict[str, object]:
    """A row's cells by header as its caller meant them: its row code as printed (row_code),
    a cell that says "nothing" empty (says_nothing), an outcome typed with a remark after it
    parted from it (_remark_apart)."""
    row = dict(row)
    if "编号" in row:
        row["编号"] = row_code(row["编号"])
    for header in CALLERS_CELLS:
        if says_nothing(row.get(header)):
            row[header] = None
    _remark_apart(row)
    return row


def _remark_apart(row: dict[str, object]) -> None:
    """An outcome word typed with a remark after it in the 结果 cell (没接，晚点再打): the
    outcome word alone is the cell, and the remark goes to 客户反馈, before what was typed
    there, as the words of the 结果 cell go before it when they are kept, joined by ；(晚点再打；
    客户说在外地). A remark the feedback already holds is not added twice. The cell is left as
    typed (read whole by its words, or refused) when its first word is no outcome or is one
    read two ways (TWO_WAYS), when the remark begins with another outcome (未接，接通: which
    was the call's?), and when the call was answered and the cell reads whole as what the
    call ended in (接通，客户说不需要: refused). A call answered and the remark beginning with
    what it ended in (接通，已约，周六上午) is read as the remark alone (已约，周六上午)."""
    text = cell_text(row.get("结果"))
    if not text or labels.code_of("outcome", text) is not None:
        return
    parted = _REMARK.fullmatch(text)
    if parted is None:
        return
    head, remark = parted[1].strip(), parted[3].strip()
    if remark[-1:] in tuple(")）]】") and any(c in parted[2] for c in "(（[【"):
        remark = remark[:-1].strip()  # the bracket opened after the outcome, closed
    outcome = labels.code_of("outcome", head)
    if outcome is None or not remark or head in TWO_WAYS:
        return
    if says_nothing(remark):  # 未接，无: no remark
        row["结果"] = head
        return
    first = _REMARK.fullmatch(remark)
    then = labels.code_of("outcome", first[1] if first else remark)
    if then not in (None, outcome):
        if outcome == "reached" and then in ANSWERED:  # 接通，已约: the remark is the cell
            row["结果"] = remark
            _remark_apart(row)
        return
    if outcome == "reached" and normalise_outcome(text).value in ANSWERED:
        return
    row["结果"] = head
    feedback = cell_text(row.get("客户反馈"))
    if remark not in feedback:
        row["客户反馈"] = f"{remark}；{feedback}" if feedback else remark


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
    codes = [row_code(r[at]) for r in rows if at < len(r) and row_code(r[at])]
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
              ) -> tuple[list[Row], list[Problem], int, FileCodes]:
    """The list's rows, from any file the import reads (.xlsx as written; .xls, .ods
    or CSV when a caller's spreadsheet program saved it so), row numbers as it shows them;
    `today` places days typed without their year. With them, the problems of rows not read,
    how many rows were blank, and the row codes the file carries."""
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
    lists: set[int] = set()
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
                row = _as_meant(dict(zip(header, values, strict=False)))
                if (run := run_of(cell_text(row.get("编号")))) is not None:
                    lists.add(run)
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
        p for by_number in twice.values() for p in by_number.values()], blank, FileCodes(
        frozenset(lists), {code: tuple(n for n, _, _ in at) for code, at in typed.items()})


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
