"""Excel and CSV lists: frozen header, filters, widths, real dates, phones as text, and no cell
that a spreadsheet could take for a formula (OWASP: a cell starting with =, +, -, @, tab, CR or
LF). In .xlsx such text keeps Excel's quote-prefix style and shows as typed; a CSV has no
styles, so there it gets a leading ' (CSV quoting alone does not stop a formula). One row per
list member, always."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.outputs import xlsx_stream
from services.outputs.types import ListDocument, ListMember
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


def _years(m: ListMember) -> float | None:
    return None if m.years_owned is None else round(m.years_owned, 1)


CALL_COLUMNS = (
    Column("编号", lambda m: m.row_code, 10),
    Column("回访员", lambda m: m.caller, 8),
    Column("客户编号", lambda m: m.customer_code, 12),
    Column("姓名", lambda m: m.name, 10),
    Column("称呼", lambda m: m.salutation, 10),
    Column("手机", lambda m: m.mobile, 14),
    Column("最佳时间", lambda m: m.best_time, 16),
    Column("车型", lambda m: m.vehicle, 18),
    Column("车牌", lambda m: m.plate, 11),
    Column("购车日期", lambda m: m.purchase_date, 11, "date"),
    Column("车龄(年)", _years, 8, "float"),
    Column("里程(km)", lambda m: m.km, 10, "int"),
    Column("上次联系", lambda m: m.last_contact, 11, "date"),
    Column("上次结果", lambda m: m.last_outcome, 9),
    Column("上次反馈", lambda m: m.last_feedback, 30),
    Column("话术要点", lambda m: m.talking_points, 36),
)
# Left empty for the caller to fill in; `list outcomes` reads them back by these headers.
ENTRY_COLUMNS = (
    Column("联系日期", lambda m: None, 11, "date"),
    Column("结果", lambda m: None, 10),
    Column("客户反馈", lambda m: None, 30),
    Column("下次跟进", lambda m: None, 11, "date"),
    Column("当前里程(km)", lambda m: None, 12, "int"),
    Column("画像变化", lambda m: None, 24),
)
MAIL_COLUMNS = (
    Column("编号", lambda m: m.row_code, 10),
    Column("客户编号", lambda m: m.customer_code, 12),
    Column("姓名", lambda m: m.name, 10),
    Column("邮政编码", lambda m: m.postcode, 9),
    Column("省", lambda m: m.province, 10),
    Column("市", lambda m: m.city, 10),
    Column("区县", lambda m: m.district, 10),
    Column("详细地址", lambda m: m.street, 32),
    Column("完整地址", lambda m: m.address, 44),
    Column("车型", lambda m: m.vehicle, 18),
    Column("车牌", lambda m: m.plate, 11),
)
SMS_LIST_COLUMNS = (
    Column("编号", lambda m: m.row_code, 10),
    Column("客户编号", lambda m: m.customer_code, 12),
    Column("姓名", lambda m: m.name, 10),
    Column("称呼", lambda m: m.salutation, 10),
    Column("手机", lambda m: m.mobile, 14),
    Column("车型", lambda m: m.vehicle, 18),
    Column("车牌", lambda m: m.plate, 11),
)
# A visit list goes district by district (the run's order), with the entry columns to type back.
VISIT_COLUMNS = (
    Column("编号", lambda m: m.row_code, 10),
    Column("客户编号", lambda m: m.customer_code, 12),
    Column("姓名", lambda m: m.name, 10),
    Column("称呼", lambda m: m.salutation, 10),
    Column("手机", lambda m: m.mobile, 14),
    Column("区县", lambda m: m.district, 10),
    Column("地址", lambda m: m.address, 40),
    Column("最佳时间", lambda m: m.best_time, 16),
    Column("车型", lambda m: m.vehicle, 18),
    Column("车牌", lambda m: m.plate, 11),
    Column("话术要点", lambda m: m.talking_points, 36),
)
# A WeChat list's rows are (member, message): the message is pasted into the chat as it is.
WECHAT_COLUMNS = (
    Column("编号", lambda r: r.member.row_code, 10),
    Column("客户编号", lambda r: r.member.customer_code, 12),
    Column("姓名", lambda r: r.member.name, 10),
    Column("称呼", lambda r: r.member.salutation, 10),
    Column("微信号", lambda r: r.member.wechat_id, 18),
    Column("车型", lambda r: r.member.vehicle, 18),
    Column("消息（复制粘贴发送）", lambda r: r.message, 60),
)
COLUMNS_BY_CHANNEL = {
    "call": CALL_COLUMNS + ENTRY_COLUMNS,
    "mail": MAIL_COLUMNS,
    "sms": SMS_LIST_COLUMNS,
    "visit": VISIT_COLUMNS + ENTRY_COLUMNS,
    "wechat": WECHAT_COLUMNS + ENTRY_COLUMNS,
}


def _values(columns: Sequence[Column], rows: Sequence[Any]):
    # As they are: the xlsx writer leaves None and "" empty, writes numbers of int / float
    # columns as numbers and everything else as text (formula-looking text quote-prefixed).
    getters = [c.get for c in columns]
    for row in rows:
        yield [get(row) for get in getters]


def write_xlsx(
    path: Path | str,
    columns: Sequence[Column],
    rows: Sequence[Any],
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
        )
        for title, cols, data in ((sheet_title, columns, rows), *extra_sheets)
    ]
    return xlsx_stream.write(path, sheets)


def write_csv(path: Path | str, columns: Sequence[Column], rows: Sequence[Any]) -> Path:
    """UTF-8 with a BOM so Excel on Chinese Windows opens it without garbling."""
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
                    line.append(safe_text(str(v)) if col.kind == "text" else v)
            out.writerow(line)
    return path


def write_list(doc: ListDocument, channel: str, path: Path | str, fmt: str = "xlsx") -> Path:
    """The Excel (or CSV) list of one channel's members; a call list has the entry columns
    that `list outcomes` reads back."""
    columns = COLUMNS_BY_CHANNEL[channel]
    members = doc.of_channel(channel)
    if fmt == "csv":
        return write_csv(path, columns, members)
    return write_xlsx(path, columns, members, sheet_title=TITLES[channel])


def write_rows(rows: Sequence[Any], channel: str, path: Path | str, fmt: str = "xlsx") -> Path:
    """A list whose rows are not bare members (a WeChat list's (member, message) rows)."""
    columns = COLUMNS_BY_CHANNEL[channel]
    if fmt == "csv":
        return write_csv(path, columns, rows)
    return write_xlsx(path, columns, rows, sheet_title=TITLES[channel])


TITLES = {"call": "回访名单", "mail": "邮寄名单", "sms": "短信名单", "visit": "上门拜访名单",
          "wechat": "微信回访名单"}
