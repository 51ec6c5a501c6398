"""Excel and CSV lists: frozen header, filters, widths, real dates, phones as text, and no cell
that a spreadsheet could take for a formula (OWASP: a cell starting with =, +, -, @, tab, CR or
LF). In .xlsx such text keeps Excel's quote-prefix style and shows as typed; a CSV has no
styles, so there it gets a leading ' (CSV quoting alone does not stop a formula), except in an
upload file another program reads as data (an SMS vendor's), which holds the text as sent. One
row per list member, always."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from services.labels import text
from services.outputs import xlsx_stream
from services.outputs.types import NO_STEPS, OUTCOME_BOXES, ListDocument, ListMember, Steps
from services.outputs.xlsx_stream import FORMULA_STARTS


def safe_text(value: str) -> str:
    """CSV text that can never become a formula: a leading ' as OWASP recommends."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unsafe_text(value: str) -> str:
    """The value as typed before safe_text (when reading our own files back)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Column:
    header: str
    get: Callable[[Any], Any]
    width: float = 12
    kind: str = "text"  # text | date | int | float
    attr: str | None = None  # `get` reads this attribute (dotted: of an attribute)
    choices: tuple[str, ...] = ()  # offered in a drop-down in .xlsx (any value may be typed)
    hint: str = ""  # shown in .xlsx beside a selected cell of the column: what to type there


def _attr(header: str, name: str, width: float = 12, kind: str = "text") -> Column:
    return Column(header, attrgetter(name), width, kind, name)


def _empty(row: Any) -> None:
    """A column left empty for the caller to fill in."""
    return None


def _years(m: ListMember) -> float | None:
    years = m.years_owned
    return None if years is None else _one_decimal(years)


# A run's members own their cars for a few thousand distinct spans, each rounded once (round()
# took 0.08 s of a 103,441-row call list).
_one_decimal = lru_cache(maxsize=65_536, typed=True)(partial(round, ndigits=1))


CALL_COLUMNS = (
    _attr("编号", "row_code", 10),
    _attr("回访员", "caller", 8),
    _attr("客户编号", "customer_code", 12),
    _attr("姓名", "name", 10),
    _attr("称呼", "salutation", 10),
    _attr("电话", "mobile", 19),  # 0571-88881234-1234 whole: 18 characters
    _attr("最佳时间", "best_time", 16),
    _attr("车型", "vehicle", 18),
    _attr("车牌", "plate", 11),
    _attr("购车日期", "purchase_date", 11, "date"),
    Column("车龄(年)", _years, 8, "float"),
    _attr("里程(公里)", "km", 10, "int"),
    _attr("上次联系", "last_contact", 11, "date"),
    _attr("上次结果", "last_outcome", 9),
    _attr("上次反馈", "last_feedback", 30),
    _attr("话术要点", "talking_points", 36),
)


# What the caller types in 画像变化, as `list outcomes` reads it (services/lists/outcomes.py).
PROFILE_HINT = ("每项一行或用；隔开，如：婚姻=已婚；职业=律师。已婚、二孩、退休等可只写值。"
                "手机和地址请在客户页面修改。")


def _entry_columns(*outcomes: str) -> tuple[Column, ...]:
    """Left empty for the caller to fill in; `list outcomes` reads them back by these headers.
    The outcome is picked from the channel's `outcomes` in Excel (or typed: the read-back
    knows more words for each)."""
    return (
        Column("联系日期", _empty, 11, "date"),
        Column("结果", _empty, 10, choices=tuple(text("outcome", o) for o in outcomes)),
        Column("客户反馈", _empty, 30),
        Column("下次跟进", _empty, 11, "date"),
        # services/lists/profile_cells.py KM_HEADER, which reads it back.
        Column("当前里程(公里)", _empty, 12, "int"),
        Column("画像变化", _empty, 24, hint=PROFILE_HINT),
    )


ENTRY_COLUMNS = _entry_columns(*(code for code, _ in OUTCOME_BOXES))
MAIL_COLUMNS = (
    _attr("编号", "row_code", 10),
    _attr("客户编号", "customer_code", 12),
    _attr("姓名", "name", 10),
    _attr("邮政编码", "postcode", 9),
    _attr("省", "province", 10),
    _attr("市", "city", 10),
    _attr("区县", "district", 10),
    _attr("详细地址", "street", 32),
    _attr("完整地址", "address", 44),
    _attr("车型", "vehicle", 18),
    _attr("车牌", "plate", 11),
)
SMS_LIST_COLUMNS = (
    _attr("编号", "row_code", 10),
    _attr("客户编号", "customer_code", 12),
    _attr("姓名", "name", 10),
    _attr("称呼", "salutation", 10),
    _attr("手机", "mobile", 14),
    _attr("车型", "vehicle", 18),
    _attr("车牌", "plate", 11),
)
# A visit list goes district by district (the run's order), with the entry columns to type back.
VISIT_COLUMNS = (
    _attr("编号", "row_code", 10),
    _attr("客户编号", "customer_code", 12),
    _attr("姓名", "name", 10),
    _attr("称呼", "salutation", 10),
    _attr("电话", "mobile", 19),  # 0571-88881234-1234 whole: 18 characters
    _attr("区县", "district", 10),
    _attr("地址", "address", 40),
    _attr("最佳时间", "best_time", 16),
    _attr("车型", "vehicle", 18),
    _attr("车牌", "plate", 11),
    _attr("话术要点", "talking_points", 36),
)
# A WeChat list's rows are (member, message): the message is pasted into the chat as it is.
WECHAT_COLUMNS = (
    _attr("编号", "member.row_code", 10),
    _attr("客户编号", "member.customer_code", 12),
    _attr("姓名", "member.name", 10),
    _attr("称呼", "member.salutation", 10),
    _attr("微信号", "member.wechat_id", 18),
    _attr("车型", "member.vehicle", 18),
    _attr("消息（复制粘贴发送）", "message", 60),
)
COLUMNS_BY_CHANNEL = {
    "call": CALL_COLUMNS + ENTRY_COLUMNS,
    "mail": MAIL_COLUMNS,
    "sms": SMS_LIST_COLUMNS,
    # A visit meets the owner or finds nobody in; a WeChat message is sent, then answered.
    "visit": VISIT_COLUMNS + _entry_columns("reached", "no_answer", "refused", "appointment",
                                            "bought"),
    "wechat": WECHAT_COLUMNS + _entry_columns("sent", "failed", "reached", "refused",
                                              "appointment"),
}


def _values(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[Sequence[Any]]:
    # As they are: the xlsx writer leaves None and "" empty, writes numbers of int / float
    # columns as numbers and everything else as text (formula-looking text quote-prefixed).
    # Empty columns at the end are left out (the writer leaves a short row's missing cells
    # empty), and the attribute columns are read by one attrgetter call a row: a getter call
    # a cell took 0.7 s of a 102,838-row call list.
    end = len(columns)
    while end and columns[end - 1].get is _empty:
        end -= 1
    attrs = [c.attr for c in columns[:end] if c.attr is not None]
    if len(attrs) < 2 or len(attrs) * 2 < end:
        getters = [c.get for c in columns[:end]]
        for row in rows:
            yield [get(row) for get in getters]
        return
    fetch = attrgetter(*attrs)
    computed = [(i, c.get) for i, c in enumerate(columns[:end]) if c.attr is None]
    if not computed:
        yield from map(fetch, rows)
        return
    for row in rows:
        values = list(fetch(row))
        for i, get in computed:  # in column order, so each lands at its own index
            values.insert(i, get(row))
        yield values


def write_xlsx(
    path: Path | str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    sheet_title: str = "名单",
    extra_sheets: Sequence[tuple[str, Sequence[Column], Sequence[Any]]] = (),
) -> Path:
    """Stream rows to an .xlsx (services/outputs/xlsx_stream.py: bounded memory, ~1 µs/cell)."""
    sheets = [
        xlsx_stream.Sheet(
            title=title,
            headers=[c.header for c in cols],
            widths=[c.width for c in cols],
            kinds=[c.kind for c in cols],
            rows=_values(cols, data),
            choices=[c.choices for c in cols],
            hints=[c.hint for c in cols],
        )
        for title, cols, data in ((sheet_title, columns, rows), *extra_sheets)
    ]
    return xlsx_stream.write(path, sheets)


def write_csv(path: Path | str, columns: Sequence[Column], rows: Iterable[Any], *,
              guard_formulas: bool = True) -> Path:
    """UTF-8 with a BOM so Excel on Chinese Windows opens it without garbling. Text that
    looks like a formula gets safe_text's ' unless `guard_formulas` is False: an upload file
    another program reads (an SMS vendor's), where the ' would be part of the data."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.header for c in columns])
        for row in rows:
            line = []
            for col in columns:
                v = col.get(row)
                if v is None:
                    line.append("")
                elif isinstance(v, dt.date):
                    line.append(v.isoformat())
                else:
                    guard = guard_formulas and col.kind == "text"
                    line.append(safe_text(str(v)) if guard else v)
            out.writerow(line)
    return path


def write_list(doc: ListDocument, channel: str, path: Path | str, fmt: str = "xlsx",
               steps: Steps = NO_STEPS) -> Path:
    """The Excel (or CSV) list of one channel's members; a call list has the entry columns
    that `list outcomes` reads back."""
    return write_members(steps.counted(doc.of_channel(channel)), channel, path, fmt)


def write_members(members: Iterable[ListMember], channel: str, path: Path | str,
                  fmt: str = "xlsx") -> Path:
    """write_list's file from `members` (all of `channel`) as they come, one by one."""
    columns = COLUMNS_BY_CHANNEL[channel]
    if fmt == "csv":
        return write_csv(path, columns, members)
    return write_xlsx(path, columns, members, sheet_title=TITLES[channel])


def write_rows(rows: Sequence[Any], channel: str, path: Path | str, fmt: str = "xlsx",
               steps: Steps = NO_STEPS) -> Path:
    """A list whose rows are not bare members (a WeChat list's (member, message) rows)."""
    columns = COLUMNS_BY_CHANNEL[channel]
    counted = steps.counted(rows)
    if fmt == "csv":
        return write_csv(path, columns, counted)
    return write_xlsx(path, columns, counted, sheet_title=TITLES[channel])


TITLES = {"call": "回访名单", "mail": "邮寄名单", "sms": "短信名单", "visit": "上门拜访名单",
          "wechat": "微信回访名单"}
