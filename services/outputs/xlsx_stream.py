"""A streaming .xlsx writer for big lists: rows go straight into the zipped sheet XML.

Why not openpyxl here: even in write-only mode with lxml it spends ~6 µs per cell building a
cell object and an XML element, so a 100,000-row call list (22 columns) took 14 s against a 10 s
target (docs/benchmarks.md). This writer formats each row as one string and needs ~1 µs per cell.
It writes only what lists need — text as inline strings (never formulas), numbers, dates as real
Excel dates, a bold frozen header, an autofilter, column widths and drop-downs — and every file
it makes is read back with openpyxl and pandas in the tests."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import islice, repeat, zip_longest
from pathlib import Path
from typing import Any, NamedTuple

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Characters XML 1.0 forbids; a stray one from an import would make Excel refuse the file.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Rows formatted into one string before it is compressed: 500 rows of a call list are about
# 1 MB of text (2,000 held 9 MB more at the peak of a 102,838-row list, and were no faster).
ROWS_PER_WRITE = 500
# zlib level 1: a 102,838-row call list (117 MB of sheet XML) compresses in 0.38 s to 15.6 MB;
# level 5 took 0.91 s for 12.6 MB, level 3 0.50 s for 14.1 MB.
COMPRESS_LEVEL = 1

# Style indexes in styles.xml below.
STYLE_HEADER, STYLE_DATE, STYLE_TEXT, STYLE_DATETIME, STYLE_QUOTED = 1, 2, 3, 4, 5
# OWASP formula injection: text starting with one of these is what Excel or WPS would evaluate
# once a user edits the cell. Such text is written as it is, with Excel's quote-prefix style
# (the ' a user types before =), so it shows as typed and stays text, with no visible '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    widths: Sequence[float]
    kinds: Sequence[str]  # per column: text | date | int | float
    rows: Iterable[Sequence[Any]]  # values in column order (None = empty cell)
    # Per column (or none): the values its cells offer in a drop-down, as a hint only: any
    # other value may still be typed (a list the reader of the file knows more words for).
    choices: Sequence[Sequence[str]] = ()
    # Per column (or none): what a selected cell of it says about what to type there (Excel's
    # input message, which WPS and LibreOffice show too).
    hints: Sequence[str] = ()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Anything _text must change; most cells have none of it and are returned as they are.
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    if _SPECIAL.search(value) is None:
        return value
    return escape(_ILLEGAL.sub("", value), quote=False)


def _attribute(value: str) -> str:
    """Text as an XML attribute's value."""
    return escape(_ILLEGAL.sub("", value), quote=True)


# A text cell after its reference, up to its text.
_PLAIN = f'" s="{STYLE_TEXT}" t="inlineStr"><is><t xml:space="preserve">'
_QUOTED = f'" s="{STYLE_QUOTED}" t="inlineStr"><is><t xml:space="preserve">'


def _cell(ref: str, value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{serial:.6f}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if kind in ("int", "float") and isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    raw = str(value)
    opening = _QUOTED if raw.startswith(FORMULA_STARTS) else _PLAIN
    return f'<c r="{ref}{opening}{_text(raw)}</t></is></c>'


class _Column(NamedTuple):
    opening: str  # '<c r="B', a cell of it up to its row number
    text: bool  # its strings are text cells
    number: bool  # its ints and floats are numbers
    letter: str
    kind: str


# A formula's start (FORMULA_STARTS but the tab and line breaks, which isprintable() turns
# away) at the start of a text in a column's texts joined by |.
_FORMULA_AFTER_BAR = re.compile(r"\|[=+\-@]")
_NONE = type(None)


def _column_cells(column: _Column, values: Sequence[Any], numbers: list[str]) -> list[str]:
    """The cells of one column of a batch of rows (numbered `numbers`), "" for an empty one:
    each as _cell writes it. The common columns (all text, all dates, all numbers, with
    nothing to escape or guard) are written in one pass, the rest cell by cell."""
    opening = column.opening
    kinds = set(map(type, values))
    if column.text and kinds <= {str, _NONE}:
        # Nothing to escape or guard: no &, < or >, nothing unprintable (which every other
        # character _SPECIAL looks for is), no formula's start. A space of another width or
        # a line break inside a text sends the column the slow way, which is as right.
        # (_SPECIAL and a regular expression for the starts took five times as long.)
        joined = "|".join(filter(None, values))
        if (joined.isprintable() and "&" not in joined and "<" not in joined
                and ">" not in joined and _FORMULA_AFTER_BAR.search("|" + joined) is None):
            return [f"{opening}{n}{_PLAIN}{v}</t></is></c>" if v else ""
                    for n, v in zip(numbers, values, strict=True)]
    elif kinds <= {dt.date, _NONE}:
        epoch = EXCEL_EPOCH.toordinal()
        return [f'{opening}{n}" s="{STYLE_DATE}"><v>{v.toordinal() - epoch}</v></c>'
                if v is not None else "" for n, v in zip(numbers, values, strict=True)]
    elif column.number and kinds <= {int, float, _NONE}:
        return [f'{opening}{n}"><v>{v!r}</v></c>' if v is not None else ""
                for n, v in zip(numbers, values, strict=True)]
    return [_cell(f"{column.letter}{n}", v, column.kind)
            for n, v in zip(numbers, values, strict=True)]


def _sheet_xml_parts(sheet: Sheet, filters: list[str]) -> Iterable[str]:
    """The sheet's XML in pieces; appends its autofilter range to `filters` at the end."""
    n = len(sheet.headers)
    letters = [column_letter(i) for i in range(n)]
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        # Printed as staff print a list: every column on the page's width (fitToWidth below).
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>'
    )
    yield "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(sheet.widths)
    )
    yield '</cols><sheetData><row r="1">'
    yield "".join(
        f'<c r="{letters[i]}1" s="{STYLE_HEADER}" t="inlineStr"><is><t>{_text(h)}</t></is></c>'
        for i, h in enumerate(sheet.headers)
    )
    yield "</row>"
    count = 1  # the header's row
    # Per column: its cells' opening ('<c r="B'), whether its strings are text cells, whether
    # its numbers are numbers, its letter and kind.
    columns = [_Column(f'<c r="{letter}', kind == "text", kind in ("int", "float"), letter, kind)
               for letter, kind in zip(letters, sheet.kinds, strict=True)]
    rows = iter(sheet.rows)
    while batch := list(islice(rows, ROWS_PER_WRITE)):
        numbers = [str(count + i) for i in range(1, len(batch) + 1)]
        count += len(batch)
        # Column by column: 15 cells of 102,838 call-list rows written one by one, each
        # judged on its own, took 0.6 s; a column of a batch is mostly judged once.
        cells = [_column_cells(column, values, numbers)
                 for column, values in zip(columns, zip_longest(*batch), strict=False)]
        yield "".join(map("".join, zip([f'<row r="{n}">' for n in numbers], *cells,
                                       repeat("</row>"))))
    last = count
    filters.append(f"$A$1:${letters[-1]}${last}")
    yield (
        f'</sheetData><autoFilter ref="A1:{letters[-1]}{last}"/>'
        f"{_drop_downs(sheet, letters, last)}"
        '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" '
        f'footer="0.3"/>{_page_setup(sheet)}</worksheet>'
    )


# Excel's column width is in characters of its default font (Calibri 11): 7 pixels each, and
# 5 pixels of padding a column, at 96 pixels an inch. Between the half-inch margins above, A4
# (8.27 × 11.69 in) holds 698 pixels across in portrait and 1,026 in landscape.
PORTRAIT_PX, LANDSCAPE_PX = 698, 1026
# Printed smaller than this (Calibri 11 at 6.6 pt), a list is hard to read at arm's length: a
# wider sheet is printed on more pages across instead, its first column on each.
SMALLEST_SCALE = 0.6


def _width_px(sheet: Sheet) -> float:
    return sum((7 * w + 5 for w in sheet.widths), 0.0)


def _pages_across(sheet: Sheet) -> int:
    return max(1, math.ceil(_width_px(sheet) * SMALLEST_SCALE / LANDSCAPE_PX))


def _page_setup(sheet: Sheet) -> str:
    """A4 (paperSize 9), landscape for a sheet wider than a portrait page, the columns fitted
    to the page's width (or to as few pages across as keep the print readable) over as many
    pages down as the rows take, and 第 1 页，共 3 页 at each page's foot; the header row repeats
    on every page (the workbook's Print_Titles)."""
    wide = _width_px(sheet) > PORTRAIT_PX
    return (f'<pageSetup paperSize="9" orientation="{"landscape" if wide else "portrait"}" '
            f'fitToWidth="{_pages_across(sheet)}" fitToHeight="0"/>'
            '<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>')


# Excel keeps at most this many characters of a data validation's input message.
HINT_MOST = 255


def _drop_downs(sheet: Sheet, letters: Sequence[str], last: int) -> str:
    """The columns' drop-downs (Excel's list data validation, which WPS and LibreOffice show
    too) and hints (its input message) over the data rows. No error message, so a value typed
    otherwise is kept."""
    count = len(letters)
    choices = [tuple(sheet.choices[i]) if i < len(sheet.choices) else () for i in range(count)]
    hints = [sheet.hints[i] if i < len(sheet.hints) else "" for i in range(count)]
    if last < 2 or not any(choices) and not any(hints):
        return ""
    parts = []
    for letter, values, hint in zip(letters, choices, hints, strict=True):
        if not values and not hint:
            continue
        if len(hint) > HINT_MOST:
            raise ValueError(f"a hint of {len(hint)} characters: Excel keeps {HINT_MOST}")
        said = f' showInputMessage="1" prompt="{_attribute(hint)}"' if hint else ""
        if not values:
            parts.append(f'<dataValidation allowBlank="1" showErrorMessage="0"{said} '
                         f'sqref="{letter}2:{letter}{last}"/>')
            continue
        # The list is one formula string: its items cannot hold a comma or a double quote,
        # and Excel takes at most 255 characters of it.
        listed = ",".join(values)
        if any("," in v or '"' in v for v in values) or len(listed) > 255:
            raise ValueError(f"cannot offer {values!r} in a drop-down")
        parts.append(f'<dataValidation type="list" allowBlank="1" showErrorMessage="0"{said} '
                     f'sqref="{letter}2:{letter}{last}"><formula1>"{_text(listed)}"'
                     f"</formula1></dataValidation>")
    return f'<dataValidations count="{len(parts)}">{"".join(parts)}</dataValidations>'


def write(path: Path | str, sheets: Sequence[Sheet]) -> Path:
    """Write the sheets to `path` (replacing it only once the whole file is written)."""
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED,
                             compresslevel=COMPRESS_LEVEL) as zf:
            zf.writestr("[Content_Types].xml", _content_types(len(sheets)))
            zf.writestr("_rels/.rels", _ROOT_RELS)
            zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
            zf.writestr("xl/styles.xml", _STYLES)
            filters: list[str] = []
            for number, sheet in enumerate(sheets, start=1):
                with zf.open(f"xl/worksheets/sheet{number}.xml", "w") as out:
                    for part in _sheet_xml_parts(sheet, filters):
                        out.write(part.encode("utf-8"))
            # Written last: the filter ranges are known only once the rows are out.
            zf.writestr("xl/workbook.xml", _workbook(sheets, filters))
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        # Name the file the user chose, not the temporary one.
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def _content_types(n: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>'
    )


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _title(sheet: Sheet) -> str:
    return _ILLEGAL.sub("", sheet.title).translate(str.maketrans("", "", "[]:*?/\\"))[:31]


def _quoted(sheet: Sheet) -> str:
    """The sheet's name as a formula names it: in single quotes, a quote in it doubled."""
    return escape("'" + _title(sheet).replace("'", "''") + "'", quote=False)


def _workbook(sheets: Sequence[Sheet], filters: Sequence[str]) -> str:
    entries = "".join(
        f'<sheet name="{escape(_title(s))}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_quoted(s)}!{ref}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"{_quoted(s) + '!$A:$A,' if _pages_across(s) > 1 else ''}{_quoted(s)}!$1:$1"
        "</definedName>"
        for i, (s, ref) in enumerate(zip(sheets, filters, strict=True))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{entries}</sheets><definedNames>{names}</definedNames></workbook>"
    )


def _workbook_rels(n: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    styles = (
        f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}{styles}</Relationships>"
    )


# Fonts: 0 normal, 1 bold. Formats: 164 yyyy-mm-dd, 165 yyyy-mm-dd hh:mm, 49 text (@).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0"/></cellStyleXfs><cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
