"""An export read as a table: header row found under titles, data rows streamed, totals skipped."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from services.imports import file_kind, sources
from services.imports.mapping import header_key, is_known_header
from services.imports.normalise import Cell, cell_text, nfkc
from services.imports.spreadsheet_xml import XmlWorkbook
from services.store.errors import N_, RevisitError

HEADER_SCAN = 40  # rows searched for the header under title rows
ENGINES = ("auto", "calamine", "openpyxl")
INDEX_HEADERS = frozenset({"序号", "行号", "no", "#", "序"})
_SUBTOTAL = re.compile(
    r"((本页|本表|全部|总)?(合计|小计|总计|共计|累计)|(sub|grand)?total)"
    r"[:：()\d,.条行笔元台辆人户次项个数金额量]*"
)
# What a report prints below its table, in a row of its own: a note (注：…), who made and
# checked it (制表人：张三 审核：李四), when it was printed, a count of its records (共40条).
_FOOTER = re.compile(
    r"(注|注意|备注|说明|附注)[:：].*"
    r"|(制表|制表人|制单人|审核|审核人|复核|打印人|打印时间|打印日期|导出人|导出时间|统计时间|"
    r"统计日期|报表日期|数据来源|经办人|负责人)[:：].*"
    r"|(共|总共|共有)\d+(条|行|笔|个|位|户|辆|台|人|名)(记录|数据|客户)?[。.]?"
)
_VALUE = re.compile(r"[\d\s.,:/\-+年月日时分秒¥$%e]+")


@dataclass(frozen=True)
class Row:
    """A data row: `number` as Excel shows it (1 = the first row; for CSV the record number),
    `cells` from column A on (index 0 = column A)."""

    number: int
    cells: tuple[Cell, ...]

    def get(self, column: int) -> Cell:
        return self.cells[column] if column < len(self.cells) else None


@dataclass(frozen=True)
class Layout:
    """What was found about a file before its data: format, sheet, encoding, the header row
    (1-based; 0 = none found) and its texts, and the title lines above it."""

    path: str
    format: str  # xlsx | xls | ods | xml2003 | csv | html
    engine: str  # calamine | openpyxl | xml2003 | csv | html
    sheet: str | None
    sheets: tuple[str, ...]
    encoding: str | None
    delimiter: str | None
    header_row: int
    headers: tuple[str, ...]
    title: tuple[str, ...]
    total_rows: int | None  # rows in the file where the format tells (progress only)


@dataclass(frozen=True)
class Skipped:
    number: int
    reason: str  # "subtotal" | "repeated_header" | "footer"
    # As read, for the problems file (not part of what the row is: two skips compare by place).
    cells: tuple[Cell, ...] = field(default=(), compare=False)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _filled(cells: Sequence[Cell]) -> list[Cell]:
    return [c for c in cells if not _blank(c)]


def _is_label(cell: Cell) -> bool:
    """Text that could be a column header: not a number, date or long sentence."""
    if not isinstance(cell, str):
        return False
    text = nfkc(cell).strip().lower()
    return 0 < len(text) <= 40 and not _VALUE.fullmatch(text)


def header_score(cells: Sequence[Cell]) -> int:
    """How much a row looks like the header: known header words count double, every other
    label once, and numbers or dates count against it. Rows with one cell (titles, the export
    time) never qualify."""
    filled = _filled(cells)
    if len(filled) < 2:
        return 0
    labels = [c for c in filled if _is_label(c)]
    known = sum(1 for c in labels if is_known_header(c))
    return 2 * known + len(labels) - (len(filled) - len(labels))


def find_header(rows: Sequence[Sequence[Cell]]) -> int | None:
    """Index of the header among the top rows (the first of the best), None when none has two
    or more labels."""
    best, best_score = None, 0
    for index, cells in enumerate(rows):
        score = header_score(cells)
        if score > best_score:
            best, best_score = index, score
    return best


def header_texts(top: Sequence[Sequence[Cell]], index: int) -> tuple[str, ...]:
    """The header row's texts up to its last filled cell. An empty header cell under a group
    header row (客户信息 over 姓名 | 手机) takes the text above it: that is a cell merged
    downwards, whose value Excel keeps in the upper row."""
    cells = list(top[index])
    while cells and _blank(cells[-1]):
        cells.pop()
    above = top[index - 1] if index > 0 else ()
    group = len(_filled(above)) >= 2
    texts = []
    for column, cell in enumerate(cells):
        if _blank(cell) and group and column < len(above) and not _blank(above[column]):
            cell = above[column]
        texts.append(cell_text(cell).strip())
    return tuple(texts)


def is_subtotal(cells: Sequence[Cell]) -> bool:
    """合计 / 小计 / 总计 (or Total) in one of the row's first three filled cells."""
    for cell in _filled(cells)[:3]:
        if isinstance(cell, str) and ("计" in cell or "otal" in cell or "OTAL" in cell):
            text = re.sub(r"\s+", "", nfkc(cell)).lower()
            if _SUBTOTAL.fullmatch(text):
                return True
    return False


def is_footer(cells: Sequence[Cell]) -> bool:
    """A row of at most three filled cells, each a line a report prints below its table
    (_FOOTER): a data row always has more than such words in it."""
    filled = _filled(cells)
    return 0 < len(filled) <= 3 and all(
        isinstance(c, str) and _FOOTER.fullmatch(re.sub(r"\s+", "", nfkc(c))) for c in filled)


def _close(closer: object) -> None:
    close = getattr(closer, "close", None)
    if close is not None:
        close()


class Table:
    """An open file's data rows, iterated once, in order, without holding them all. Skipped
    rows are counted while iterating: `blank_rows`, and `skipped` (subtotals, repeated
    headers) with their numbers so the import can report them."""

    def __init__(self, layout: Layout, rows: Iterator[sources.RawRow], closer: object,
                 top: tuple[Row, ...] = ()) -> None:
        self.layout = layout
        # The rows above the data as they are (titles, the header): the wizard shows them.
        self.top = top
        self._rows = rows
        self._closer = closer
        self.blank_rows = 0
        self.skipped: list[Skipped] = []
        # Row number -> the cell a quote typed by mistake starts (a CSV's), as read: the row
        # says so (engine._rows).
        self.strays: dict[int, str] = {}

    def __iter__(self) -> Iterator[Row]:
        headers = self.layout.headers
        # A row with nothing but its 序号 is an empty line of a numbered template.
        numbering = {i for i, h in enumerate(headers) if header_key(h) in INDEX_HEADERS}
        # Where to look first for a repeated header (a page break in a printed export).
        first = next((i for i, h in enumerate(headers) if h), None)
        try:
            for number, cells in self._rows:
                # Sources give None for empty and whitespace-only cells.
                filled = [i for i, c in enumerate(cells) if c is not None]
                if not filled or (set(filled) <= numbering
                                  and all(cell_text(cells[i]).strip().isdigit() for i in filled)):
                    self.blank_rows += 1
                elif is_subtotal([cells[i] for i in filled[:3]]):
                    self.skipped.append(Skipped(number, "subtotal", cells))
                elif len(filled) <= 3 and is_footer(cells):
                    self.skipped.append(Skipped(number, "footer", cells))
                elif (first is not None and first < len(cells)
                      and cell_text(cells[first]).strip() == headers[first]
                      and tuple(cell_text(c).strip() for c in cells[:len(headers)]) == headers):
                    self.skipped.append(Skipped(number, "repeated_header", cells))
                else:
                    yield Row(number, cells)
        except (UnicodeDecodeError, csv.Error, OSError) as exc:
            raise sources.unreadable(Path(self.layout.path), str(exc)) from exc

    def close(self) -> None:
        _close(self._closer)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _pick_sheet(book: sources.Workbook | XmlWorkbook, sheet: str | int | None,
                header_row: int | None) -> str:
    if isinstance(sheet, int):
        if not 0 <= sheet < len(book.sheets):
            raise RevisitError(N_("The file {path} has no sheet number {sheet}."),
                               path=str(book.path), sheet=sheet + 1)
        return book.sheets[sheet]
    if sheet is not None:
        # A sheet hidden in Excel is read when named: whoever names it knows it is there.
        if sheet not in book.sheets and sheet not in book.hidden:
            raise RevisitError(N_("The file {path} has no sheet named {sheet}."),
                               path=str(book.path), sheet=sheet)
        return sheet
    # The first visible sheet with a header row near the top (a workbook may open on a sheet
    # of notes, 说明, before its data); else a hidden one with a header row (a workbook that
    # shows a cover page, its table hidden); else the first visible one with something on it.
    filled = None
    for name in (*book.sheets, *book.hidden):
        scan = max(HEADER_SCAN, header_row or 0)
        top = [cells for _, cells in itertools.islice(book.rows(name), scan)]
        if header_row is not None:
            if len(top) >= header_row and header_score(top[header_row - 1]) > 0:
                return name
        elif find_header(top) is not None:
            return name
        if filled is None and name in book.sheets and any(_filled(cells) for cells in top):
            filled = name
    return filled or book.sheets[0]


@dataclass(frozen=True)
class _Opened:
    format: str
    engine: str
    rows: Iterator[sources.RawRow]
    closer: object = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    total: int | None = None
    # Row number -> the cell a quote typed by mistake starts, as read (CSV only), filled as the
    # rows are read.
    strays: dict[int, str] = field(default_factory=dict)


def _text_layout(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV or other delimited text file."""
    encoding = sources.detect_encoding(path)
    return encoding, sources.sniff_delimiter(sources.text_sample(path, encoding))


def _workbook(path: Path, kind: str, engine: str) -> sources.Workbook:
    """The workbook through python-calamine, or openpyxl for an .xlsx too big to load whole
    or spanning too many cells (or as `engine` says: "auto", "calamine", "openpyxl"; only an
    .xlsx has the choice)."""
    if kind != "xlsx":
        return sources.Workbook(path, "calamine", kind)
    if engine == "auto":
        big = (path.stat().st_size > sources.CALAMINE_MAX_BYTES
               or sources.xlsx_largest_span(path) > sources.CALAMINE_MAX_CELLS)
        engine = "openpyxl" if big else "calamine"
    return sources.Workbook(path, engine, kind)


def _open(path: Path, sheet: str | int | None, engine: str, header_row: int | None) -> _Opened:
    kind = sources.sniff_format(path)
    file_kind.check(path, kind)
    if kind == "html":
        encoding = sources.html_encoding(path)
        return _Opened(kind, "html", sources.html_rows(path, encoding), encoding=encoding)
    if kind == "xml2003":
        xml_book = XmlWorkbook(path)
        chosen = _pick_sheet(xml_book, sheet, header_row)
        return _Opened(kind, xml_book.engine, xml_book.rows(chosen), xml_book, chosen,
                       xml_book.sheets, total=xml_book.total_rows(chosen))
    if kind == "csv":
        encoding, delimiter = _text_layout(path)
        strays: dict[int, str] = {}
        return _Opened(kind, "csv", sources.csv_rows(path, encoding, delimiter, strays),
                       encoding=encoding, delimiter=delimiter, total=sources.count_lines(path),
                       strays=strays)
    book = _workbook(path, kind, engine)
    try:
        chosen = _pick_sheet(book, sheet, header_row)
        # A hidden sheet read is listed with the others (where the window lets one choose).
        shown = book.sheets if chosen in book.sheets else (*book.sheets, chosen)
        return _Opened(kind, book.engine, book.rows(chosen), book, chosen, shown,
                       total=book.total_rows(chosen))
    except BaseException:
        book.close()
        raise


def open_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    engine: str = "auto",
) -> Table:
    """Open a .xlsx, .xls, .ods, .csv (or an HTML table or Excel 2003 XML saved as .xls) for
    reading its rows.
    `sheet`: name or 0-based index (default: the first visible sheet with a header row, else
    the first with data); `header_row`:
    1-based, when the user corrects the guess; `engine` forces a spreadsheet reader."""
    path = Path(path)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    try:
        opened = _open(path, sheet, engine, header_row)
    except OSError as exc:
        raise sources.unreadable(path, exc.strerror or str(exc)) from exc
    try:
        top = list(itertools.islice(opened.rows, max(HEADER_SCAN, header_row or 0)))
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        _close(opened.closer)
        raise sources.unreadable(path, str(exc)) from exc
    cells = [c for _, c in top]
    headers: tuple[str, ...] = ()
    index = header_row - 1 if header_row else find_header(cells)
    if index is None or index >= len(top):
        index, title = -1, []
    else:
        headers = header_texts(cells, index)
        title = [" ".join(cell_text(c).strip() for c in _filled(r)) for r in cells[:index]]
    layout = Layout(
        path=str(path), format=opened.format, engine=opened.engine, sheet=opened.sheet,
        sheets=opened.sheets, encoding=opened.encoding, delimiter=opened.delimiter,
        header_row=top[index][0] if index >= 0 else 0, headers=headers,
        title=tuple(t for t in title if t), total_rows=opened.total,
    )
    above = tuple(Row(n, c) for n, c in top[: index + 1])
    table = Table(layout, itertools.chain(top[index + 1:], opened.rows), opened.closer, above)
    table.strays = opened.strays
    return table


def raw_rows(path: str | Path) -> Iterator[sources.RawRow]:
    """Every row of a file that is a list of values rather than a table with headers (an SMS
    vendor's report of numbers), numbered as the file numbers them, blank cells None: read by
    the import's own readers, so it may be any file an import takes (.xlsx, .xls, .ods, Excel
    2003 XML, an HTML table, CSV or tab-separated text in UTF-8, GBK or UTF-16), whatever its
    name says; the first sheet with data of a workbook. One sentence for a file that cannot
    be read; the file is closed when the rows are done with."""
    path = Path(path)
    try:
        opened = _open(path, None, "auto", None)
    except OSError as exc:
        raise sources.unreadable(path, exc.strerror or str(exc)) from exc
    try:
        yield from opened.rows
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        raise sources.unreadable(path, str(exc)) from exc
    finally:
        _close(opened.closer)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook as a file of several tables is read: its rows as stored and
    the cells merged down over several rows (for FillDown), where the reader lists them;
    a reader that does not gives its rows already filled, and no merges."""

    name: str  # "" for a file of one table (CSV, text, an HTML page)
    rows: Iterator[sources.RawRow]
    merges: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()


@contextmanager
def every_sheet(path: str | Path, *, first_rows: bool = False) -> Iterator[Iterator[Sheet]]:
    """Every visible sheet of a file, in order, read by the import's own readers whatever
    the file's name says (.xlsx, .xls, .ods, Excel 2003 XML; a CSV, text or HTML file is
    one sheet): for a file made of one table per sheet (a call list split by caller). The
    rows are read as the sheets are taken, one after the other; the file is closed after.
    One sentence for a file that cannot be read. `first_rows`: only the top of the sheets is
    wanted, so an .xlsx is streamed by openpyxl rather than loaded whole."""
    path = Path(path)
    book: sources.Workbook | XmlWorkbook | None = None
    try:
        kind = sources.sniff_format(path)
        file_kind.check(path, kind)
        if kind == "html":
            sheets: Iterator[Sheet] = iter([Sheet("", sources.html_rows(
                path, sources.html_encoding(path)))])
        elif kind == "csv":
            sheets = iter([Sheet("", sources.csv_rows(path, *_text_layout(path)))])
        elif kind == "xml2003":
            xml_book = book = XmlWorkbook(path)
            sheets = iter([Sheet(name, xml_book.rows(name)) for name in xml_book.sheets])
        else:
            opened = book = _workbook(path, kind, "openpyxl" if first_rows else "auto")
            # Taken one at a time: python-calamine loads a whole sheet to list its merges.
            sheets = (Sheet(name, opened.rows(name, fill=False),
                            () if first_rows else tuple(opened.merges(name)))
                      for name in opened.sheets)
    except OSError as exc:
        raise sources.unreadable(path, exc.strerror or str(exc)) from exc
    try:
        yield sheets
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        raise sources.unreadable(path, str(exc)) from exc
    finally:
        _close(book)


@dataclass(frozen=True)
class Preview:
    """The top of a file for the import wizard: its layout, the rows down to the header as
    they are, and the first data rows."""

    layout: Layout
    top: tuple[Row, ...]
    sample: tuple[Row, ...]


def preview(path: str | Path, *, sheet: str | int | None = None, header_row: int | None = None,
            rows: int = 20) -> Preview:
    """The layout, top rows and first `rows` data rows of a file (for the import wizard)."""
    with open_table(path, sheet=sheet, header_row=header_row) as table:
        sample = tuple(itertools.islice(table, rows))
    return Preview(table.layout, table.top, sample)
