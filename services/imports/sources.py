"""Raw numbered rows of .xlsx, .xls, .ods, CSV (UTF-8, GBK, GB18030) and HTML-as-.xls files
(Excel 2003 XML ones: services/imports/spreadsheet_xml.py)."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from services.imports import csv_records, file_kind
from services.imports.normalise import Cell
from services.store.errors import N_, RevisitError

# Above this size an .xlsx is streamed with openpyxl: python-calamine holds the whole sheet in
# memory (a 12 MB, 100,000-row file took 190 MB), openpyxl a row at a time but ~12 times slower.
CALAMINE_MAX_BYTES = 40 * 1024 * 1024
# Nor one whose sheet spans more cells than this, as its <dimension> says: python-calamine
# holds every cell of the span, empty ones too. A 5,000-row sheet with one stray space typed in
# column XFD (82 M cells) took it 11.9 s and 2.5 GB; openpyxl, which keeps no empty cells,
# 0.6 s and 51 MB. A 100,000-row export of 40 columns is 4 M.
CALAMINE_MAX_CELLS = 8_000_000
CHUNK = 256 * 1024
SNIFF_CHARS = 64 * 1024
MAX_FIELD = 10 * 1024 * 1024  # characters in one CSV cell (the csv module's default is 128 K)
DELIMITERS = (",", "\t", ";", "|")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_HIGH_BYTES = bytes(range(128, 256))
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
# '13800138000, 'LSVAB2BM4MN123456: the apostrophe some exports put before a number or code so
# that Excel keeps it as text; in a CSV it is not part of the value.
_TEXT_MARK = re.compile(r"^'([0-9A-Za-z][0-9A-Za-z+\-./: ]*)$")

RawRow = tuple[int, tuple[Cell, ...]]


def unreadable(path: Path, reason: str) -> RevisitError:
    return RevisitError(N_("The file {path} could not be read: {reason}."), path=str(path),
                        reason=reason)


# The namespace of Excel 2003 XML workbooks (SpreadsheetML), named in their first bytes.
SPREADSHEET_XML = "urn:schemas-microsoft-com:office:spreadsheet"


def sniff_format(path: Path) -> str:
    """"xlsx", "xls", "ods", "xml2003", "html" or "csv" by the file's first bytes, not its
    name: DMS exports called .xls are often HTML, Excel 2003 XML or tab-separated text, and
    .csv files are sometimes real workbooks."""
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "ods" if b"opendocument" in head or path.suffix.lower() == ".ods" else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    text = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith(b"<?xml") and SPREADSHEET_XML.encode("ascii") in head:
        return "xml2003"
    if text.startswith(b"<") and (b"<table" in head.lower() or b"<html" in text[:200]):
        return "html"
    return "csv"


def _utf8_errors(path: Path) -> tuple[int, int]:
    """(bytes that do not decode as UTF-8, bytes outside ASCII) over the whole file."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    errors = wide = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            errors += decoder.decode(chunk).count("\ufffd") - chunk.count(b"\xef\xbf\xbd")
            wide += len(chunk) - len(chunk.translate(None, _HIGH_BYTES))
    return errors + decoder.decode(b"", final=True).count("\ufffd"), wide


def detect_encoding(path: Path) -> str:
    """The text encoding of an export: a BOM says it; else UTF-8 if (nearly) every byte decodes
    as UTF-8 (a damaged file is read with its few bad bytes replaced), else GB18030, a superset
    of GBK and GB2312 that also has 䶮 and other rare characters. GBK text read as UTF-8 fails
    on almost every Chinese character, so the share of failures tells them apart. Reads the
    file in chunks, never whole."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    errors, wide = _utf8_errors(path)
    return "utf-8" if errors * 10 < wide or errors == 0 else "gb18030"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most of the sample's lines into the same number (> 1) of
    fields; title lines above the header have one field whatever the delimiter."""
    lines = sample.splitlines(keepends=True)[:60]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a line
    best = (0, 0, ",")
    for delimiter in DELIMITERS:
        # Read as the file is read: a stray quote does not make the lines after it one field.
        counts = [len(r) for r in csv_records.records(lines, delimiter) if len(r) > 1]
        if counts:
            width = max(set(counts), key=counts.count)
            best = max(best, (counts.count(width), width, delimiter))
    return best[2]


def _csv_cell(text: str) -> Cell:
    """'' is empty; ="0571-88888888" and '0571-88888888 (how exports keep leading zeros in
    CSV) are its text."""
    if not text.strip():
        return None
    if match := _EXCEL_TEXT.match(text.strip()) or _TEXT_MARK.match(text.strip()):
        return match[1]
    return text


def csv_rows(path: Path, encoding: str, delimiter: str,
             strays: dict[int, str] | None = None) -> Iterator[RawRow]:
    """`strays`: the rows read with a quote typed by mistake (csv_records.records)."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        lines = (line.replace("\0", "") for line in f)
        # A quote typed by mistake is text, not a cell swallowing the rest of the file.
        for number, record in enumerate(csv_records.records(lines, delimiter, strays), 1):
            yield number, tuple(_csv_cell(c) for c in record)


def count_lines(path: Path) -> int:
    total = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            total += chunk.count(b"\n")
    return total


def excel_cell(value: Any) -> Cell:
    """Blank text is empty; a whole number stored as a float (13800138000.0, 3.0) is an int."""
    if isinstance(value, str):
        return value if value and not value.isspace() else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# The names each format's readers go by: python-calamine's from_path and openpyxl choose their
# reader by the file's name, and refused a real .xlsx called .xls ("Invalid OLE signature")
# or a real .xls called .xlsx ("Could not find EOCD"), both common in DMS exports.
_SUFFIXES = {"xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm"), "xls": (".xls", ".xla"),
             "ods": (".ods",)}


class Workbook:
    """A workbook's sheets and their rows, through python-calamine or openpyxl. `kind` is
    what sniff_format found: a file named for another format is opened as what it is."""

    def __init__(self, path: Path, engine: str, kind: str) -> None:
        self.path = path
        self.engine = engine
        self.kind = kind
        self._ods_merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] | None = None
        self._book: Any
        self._loaded: tuple[str, Any] | None = None
        self._file: Any = None
        # The worksheets hidden in Excel, not in `sheets`: read only when named, or when no
        # sheet in `sheets` has a header row.
        self.hidden: tuple[str, ...] = ()
        misnamed = path.suffix.lower() not in _SUFFIXES.get(kind, ())
        try:
            if engine == "calamine":
                from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

                if misnamed:  # from a file object python-calamine goes by the content
                    with path.open("rb") as f:
                        self._book = CalamineWorkbook.from_filelike(f)
                else:
                    self._book = CalamineWorkbook.from_path(str(path))
                work = [m for m in self._book.sheets_metadata
                        if m.typ == SheetTypeEnum.WorkSheet]
                visible = [m.name for m in work if m.visible == SheetVisibleEnum.Visible]
                self.sheets = tuple(visible or self._book.sheet_names)
                self.hidden = tuple(m.name for m in work if m.name not in self.sheets)
            else:
                import openpyxl

                # Read a row at a time: a file object stays open until close().
                source: Any = path
                if misnamed:
                    source = self._file = path.open("rb")
                self._book = openpyxl.load_workbook(source, read_only=True, data_only=True)
                self.sheets = tuple(ws.title for ws in self._book.worksheets
                                    if ws.sheet_state == "visible") or tuple(self._book.sheetnames)
                self.hidden = tuple(ws.title for ws in self._book.worksheets
                                    if ws.title not in self.sheets)
        except OSError as exc:
            if self._file is not None:
                self._file.close()
            raise unreadable(path, exc.strerror or str(exc)) from exc
        except Exception as exc:  # both libraries raise their own types for a broken file
            if self._file is not None:
                self._file.close()
            raise file_kind.workbook_refused(path, exc) from exc

    def _calamine_sheet(self, sheet: str) -> Any:
        """The sheet as python-calamine loaded it; kept, as loading reads the whole sheet."""
        if self._loaded is None or self._loaded[0] != sheet:
            try:
                loaded = self._book.get_sheet_by_name(sheet)
            except Exception as exc:  # the sheet's own XML broken (python_calamine.XmlError)
                raise file_kind.workbook_refused(self.path, exc) from exc
            self._loaded = (sheet, loaded)
        return self._loaded[1]

    def total_rows(self, sheet: str) -> int | None:
        if self.engine != "calamine":
            return None
        end = self._calamine_sheet(sheet).end
        return None if end is None else end[0] + 1

    def merges(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The sheet's merged cells as FillDown takes them."""
        if self.engine != "calamine":
            return _openpyxl_merges(self._book[sheet])
        if self.kind == "ods":
            if self._ods_merges is None:
                self._ods_merges = _ods_merges(self.path)
            return self._ods_merges.get(sheet, [])
        return list(self._calamine_sheet(sheet).merged_cell_ranges or ())

    def rows(self, sheet: str, *, fill: bool = True) -> Iterator[RawRow]:
        """The sheet's rows; `fill`: cells merged down given the merge's value (see
        FillDown), else as stored (the value in the merge's first row only)."""
        down = FillDown(self.merges(sheet) if fill else ())
        if self.engine == "calamine":
            data = self._calamine_sheet(sheet)
            # Rows come from row 1, columns from the first one used: put them back in place.
            pad: tuple[Cell, ...] = (None,) * (data.start[1] if data.start else 0)
            for number, row in enumerate(data.iter_rows(), 1):
                cells = pad + tuple(excel_cell(v) for v in row)
                yield number, down.apply(number - 1, cells) if down else cells
        else:
            worksheet = self._book[sheet]
            worksheet.reset_dimensions()  # some writers store a wrong dimension ("A1")
            read = enumerate(worksheet.iter_rows(values_only=True), 1)
            while True:
                try:
                    number, row = next(read)
                except StopIteration:
                    return
                except Exception as exc:  # the sheet's XML read as it goes: cut, or not XML
                    raise file_kind.workbook_refused(self.path, exc) from exc
                values = tuple(excel_cell(v) for v in row)
                yield number, down.apply(number - 1, values) if down else values

    def close(self) -> None:
        self._loaded = None
        self._book.close()
        if self._file is not None:
            self._file.close()


# The span of a sheet's cells as its XML states it near the top: <dimension ref="A1:XFD5001"/>.
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
DIMENSION_BYTES = 4096  # where the dimension stands: after the sheet's properties


def xlsx_largest_span(path: Path) -> int:
    """The most cells any sheet of an .xlsx spans by its stated dimension (0 when none says,
    as in files written without one; a file that is no readable zip is left to the reader)."""
    import zipfile

    from openpyxl.utils import column_index_from_string

    largest = 0
    try:
        with zipfile.ZipFile(path) as book:
            for name in book.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with book.open(name) as xml:
                    head = xml.read(DIMENSION_BYTES)
                if (found := _DIMENSION.search(head)) is None or found[3] is None:
                    continue
                left, top, right, bottom = found.groups()
                width = column_index_from_string(right.decode()) - \
                    column_index_from_string(left.decode()) + 1
                largest = max(largest, width * (int(bottom) - int(top) + 1))
    except (OSError, zipfile.BadZipFile, ValueError):
        return 0
    return largest


# A merged cell as the sheet's XML lists it (after the rows): <mergeCell ref="F5:F20"/>.
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _openpyxl_merges(ws: Any) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The merged cells of an openpyxl read-only sheet, which does not list them: found in
    the sheet's XML, read through in pieces (a 106,607-row list's XML: 0.26 s)."""
    from openpyxl.utils import column_index_from_string

    source = getattr(ws, "_get_source", None)
    if source is None:
        return []
    found = set()
    tail = b""
    with source() as xml:
        while piece := xml.read(1 << 20):
            text = tail + piece
            if b"mergeCell" in text:
                found |= {((int(top) - 1, column_index_from_string(left.decode()) - 1),
                           (int(bottom) - 1, column_index_from_string(right.decode()) - 1))
                          for left, top, right, bottom in _MERGE.findall(text)}
                text = text[text.rfind(b"<"):]  # a tag cut at the piece's end is read next
            tail = text[-200:]
    return sorted(found)


_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(path: Path) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Each sheet's cells merged down in an OpenDocument spreadsheet, which python-calamine
    does not list: a cell's table:number-rows-spanned in content.xml, rows and cells counted
    with their table:number-…-repeated."""
    import zipfile

    from lxml import etree  # type: ignore[import-untyped]

    found: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = []
    row = column = 0
    tags = (f"{_ODS}table", f"{_ODS}table-row", f"{_ODS}table-cell", f"{_ODS}covered-table-cell")
    with zipfile.ZipFile(path) as archive:
        # Most sheets merge nothing: looked for in the bytes first (0.1 s for a 100,000-row
        # list, against 2.8 s to parse its cells).
        with archive.open("content.xml") as xml:
            tail = b""
            while piece := xml.read(1 << 20):
                if b"number-rows-spanned" in tail + piece:
                    break
                tail = piece[-30:]
            else:
                return found
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as xml:
        # No entities from outside the file, no network: a spreadsheet needs neither.
        for event, element in etree.iterparse(xml, events=("start", "end"), tag=tags,
                                              resolve_entities=False, no_network=True,
                                              huge_tree=True):
            kind = element.tag[len(_ODS):]
            if kind == "table":
                if event == "start":
                    merges = found.setdefault(element.get(f"{_ODS}name", ""), [])
                    row = 0
                else:
                    element.clear()
            elif kind == "table-row":
                if event == "start":
                    column = 0
                else:
                    row += int(element.get(f"{_ODS}number-rows-repeated", "1"))
                    element.clear()
            elif event == "start":
                down = int(element.get(f"{_ODS}number-rows-spanned", "1"))
                if down > 1:
                    across = int(element.get(f"{_ODS}number-columns-spanned", "1"))
                    merges.append(((row, column), (row + down - 1, column + across - 1)))
                column += int(element.get(f"{_ODS}number-columns-repeated", "1"))
    return found


class FillDown:
    """Cells merged over several rows given the top cell's value, as Excel shows them: a
    hand-kept sheet merges an owner's name and mobile over the rows of their cars, and Excel
    keeps the value in the top cell only, so the rows below read as having no owner. Only a
    merge's first column is filled, as a merge across columns is read. `ranges` are
    python-calamine's ((first row, first column), (last row, last column)), 0-based."""

    def __init__(self, ranges: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> None:
        self._starts: dict[int, list[tuple[int, int]]] = {}  # first row: (last row, column)
        for (top, column), (bottom, _right) in ranges:
            self.merge(top, column, bottom)
        self._open: list[tuple[int, int, Cell]] = []  # (last row, column, value)

    def __bool__(self) -> bool:
        return bool(self._starts or self._open)

    def merge(self, top: int, column: int, bottom: int) -> None:
        """One more merge, from row `top` (not yet applied) down to `bottom`."""
        if bottom > top:
            self._starts.setdefault(top, []).append((bottom, column))

    def apply(self, row: int, cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
        """Row `row` (0-based) as Excel shows it."""
        self._open = [m for m in self._open if m[0] >= row]
        if self._open:
            filled = list(cells)
            for _bottom, column, value in self._open:
                filled.extend([None] * (column + 1 - len(filled)))
                if filled[column] is None or filled[column] == "":
                    filled[column] = value
            cells = tuple(filled)
        for bottom, column in self._starts.pop(row, ()):
            self._open.append((bottom, column, cells[column] if column < len(cells) else None))
        return cells


def html_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4096)
    if match := _CHARSET.search(head):
        declared = match[1].decode("ascii").lower()
        return "gb18030" if declared in ("gbk", "gb2312", "gb18030") else declared
    return detect_encoding(path)


def html_rows(path: Path, encoding: str) -> Iterator[RawRow]:
    """Rows of the HTML tables in the file, streamed; a cell spanning columns fills them all
    with its first column's value left and the others empty, as Excel shows merged cells."""
    from lxml import etree

    events = etree.iterparse(str(path), events=("end",), tag="tr", html=True,
                             encoding=encoding, recover=True)
    for number, (_, tr) in enumerate(events, 1):
        cells: list[Cell] = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            text = "".join(td.itertext()).replace("\xa0", " ")
            cells.append(None if text.isspace() or not text else text)
            span = str(td.get("colspan") or "1")
            cells += [None] * (int(span) - 1 if span.isdigit() and 1 < int(span) < 1000 else 0)
        yield number, tuple(cells)
        tr.clear()
        parent = tr.getparent()
        while parent is not None and tr.getprevious() is not None:
            del parent[0]


def text_sample(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        return f.read(SNIFF_CHARS)
