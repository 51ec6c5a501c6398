"""Ugly import files built inside the tests, the way DMS exports and hand-kept sheets come, and a
snapshot of the dealer's data to tell whether anything changed."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from sqlalchemy import select

from models import Base
from services.imports.normalise import vin_check_digit
from services.store.database import Database


def vin(body: str) -> str:
    """A 17-character VIN with a correct check digit from 16 characters."""
    raw = body[:8] + "0" + body[8:16]
    return raw[:8] + vin_check_digit(raw) + raw[9:]


def bad_check_digit(good: str) -> str:
    return good[:8] + ("2" if good[8] != "2" else "3") + good[9:]


V_LANGYI = vin("LSVAB2BM4MN12345")
V_TIGUAN = vin("LSVCD3CN5NP23456")
V_CAMRY = bad_check_digit(vin("LFV2A21K7L401234"))
V_ACCORD = vin("LHGCR2650E800123")

DMS_HEADERS = ["序号", "车牌号码", "车主姓名", "联系电话", "品牌", "车型", "车架号", "开票日期",
               "开票价格", "行驶里程", "付款方式", "地址", "备注"]
DMS_ROWS: list[list[Any]] = [
    # One owner on two rows: +86 with dashes, then the same mobile stored as a number.
    [1, "粤A·12345", "张三\u3000", "+86 138-0013-8080", "大众", "朗逸", V_LANGYI, "2021-03-05",
     "15.8万", "3.2万公里", "按揭", "广州市天河区体育西路1号", None],
    [2, "粤A 67890", "张三", 13800138080, "大众", "途观L", V_TIGUAN, dt.datetime(2023, 6, 1),
     "¥268,000.00", "8000公里", "全款", None, "二手置换"],
    # A landline in the phone column, a VIN whose check digit is wrong, a date that never was.
    [3, "粤B11111", "李四", "020-87654321", "丰田", "凯美瑞", V_CAMRY, "2020-02-30", "20万元",
     "5.1万公里", "分期", "广州市海珠区", None],
    [4, "粤C22222", "王五", "(0086)139 0013 9000", "本田", "雅阁", V_ACCORD, "2019年7月1日",
     "18.5万", "6万公里", "现金", None, None],
    # Nothing to recognise the owner by; then no name for a new owner.
    [5, None, "赵六", "12345", "日产", "轩逸", None, None, None, None, None, None, None],
    [6, "粤D33333", None, "13700137000", "日产", "天籁", None, None, None, None, None, None,
     None],
    ["合计", None, None, None, None, None, None, None, "62.3万", None, None, None, None],
]
# Row numbers as Excel shows them: title, export time, header, then the rows above.
DMS_FIRST_ROW = 4


def write_xlsx(path: Path, headers: Sequence[Any], rows: Sequence[Sequence[Any]],
               title: Sequence[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in title:
        ws.append([line])
    if title:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


MONTH_HEADERS = ["车主姓名", "联系电话", "车牌号码", "开票日期", "地址"]


def monthly_workbook(path: Path) -> Path:
    """A staff spreadsheet of one sheet per month, as kept by hand: 1月 under a title row;
    2月 with its columns in another order and one more; 汇总 a summary; 3月 without the
    plate column; 4月 hidden (a month cleared away); 5月 like 1月, one phone too short."""
    wb = openpyxl.Workbook()
    jan = wb.active
    jan.title = "1月"
    jan.append(["2026年1月新增保有客户"])
    jan.append(MONTH_HEADERS)
    jan.append(["张一", "13800138001", "粤A10001", "2020-01-05", "广州市天河区体育西路1号"])
    jan.append(["张二", "13800138002", "粤A10002", "2021-02-05", "广州市天河区体育西路2号"])
    feb = wb.create_sheet("2月")
    feb.append(["联系电话", "备注", "车主姓名", "地址", "开票日期", "车牌号码"])
    feb.append(["13800138003", "老客户", "李三", "广州市越秀区中山路3号", "2019-03-05",
                "粤A20003"])
    summary = wb.create_sheet("汇总")
    summary.append(["月份", "新增"])
    summary.append(["1月", 2])
    mar = wb.create_sheet("3月")
    mar.append(["车主姓名", "联系电话", "开票日期", "地址"])
    mar.append(["王四", "13800138004", "2022-01-01", "广州市海珠区江南大道4号"])
    apr = wb.create_sheet("4月")
    apr.append(MONTH_HEADERS)
    apr.append(["赵五", "13800138005", "粤A40005", "2022-04-01", None])
    apr.sheet_state = "hidden"
    may = wb.create_sheet("5月")
    may.append(MONTH_HEADERS)
    may.append(["孙六", "13800138006", "粤A50006", "2020-06-05", "广州市白云区机场路6号"])
    may.append(["周七", "1380013", "粤A50007", "2020-06-05", None])
    wb.save(path)
    return path


def write_spreadsheet_xml(path: Path, headers: Sequence[Any], rows: Sequence[Sequence[Any]],
                          title: Sequence[str] = ()) -> Path:
    """The rows as an Excel 2003 XML workbook (SpreadsheetML), typed as Excel types them: a
    number Number, a date or time DateTime, anything else String; empty cells left out with
    ss:Index on the next one, a title merged across."""
    def cell(value: Any, at: int, gap: bool) -> str:
        index = f' ss:Index="{at}"' if gap else ""
        if isinstance(value, bool) or not isinstance(value, int | float | dt.date):
            kind, text = "String", escape(str(value))
        elif isinstance(value, dt.date):
            moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(
                value, dt.time())
            kind, text = "DateTime", moment.strftime("%Y-%m-%dT%H:%M:%S.000")
        else:
            kind, text = "Number", repr(value)
        return f'<Cell{index}><Data ss:Type="{kind}">{text}</Data></Cell>'

    def row(values: Sequence[Any]) -> str:
        cells, gap = [], False
        for at, value in enumerate(values, 1):
            if value is None or value == "":
                gap = True
                continue
            cells.append(cell(value, at, gap))
            gap = False
        return "<Row>" + "".join(cells) + "</Row>"

    lines = [f'<Row><Cell ss:MergeAcross="{len(headers) - 1}"><Data ss:Type="String">'
             f"{escape(t)}</Data></Cell></Row>" for t in title]
    lines += [row(headers), *(row(r) for r in rows)]
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
        '<Worksheet ss:Name="Sheet1"><Table>\n' + "\n".join(lines)
        + "\n</Table></Worksheet></Workbook>\n", encoding="utf-8")
    return path


def dms_export(path: Path, rows: Sequence[Sequence[Any]] = DMS_ROWS) -> Path:
    """保有客户明细 as a DMS exports it: a merged title and an export-time row above the header."""
    return write_xlsx(path, DMS_HEADERS, rows,
                      title=("保有客户明细", "导出时间：2026-11-28 10:00:00  操作员：admin"))


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]],
              encoding: str = "gb18030") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


VISIT_HEADERS = ["进厂日期", "车牌号", "进厂里程", "维修类型", "结算金额", "服务顾问", "工单号"]
VISIT_ROWS = [
    ["2024-05-01", "粤A12345", "35000", "首保", "680.00", "小李", "W001"],
    ["2024/6/15", "粤A·67890", "9,000公里", "机修", "1,250元", "小王", "W002"],
    ["2024-07-01", "粤Z99999", "1000", "保养", "300", "小李", "W003"],
    ["2024-02-30", "粤C22222", "61000", "保养", "300", "小李", "W004"],
]


def customer_rows(n: int, start: int = 0) -> list[list[Any]]:
    """`n` plain rows for the DMS layout, every owner with a mobile of their own and one car."""
    rows = []
    for i in range(start, start + n):
        rows.append([i + 1, f"粤A{i % 100000:05d}", f"客户{i}", f"139{i:08d}", "大众", "朗逸",
                     vin(f"LSVAB2BM4M{i:06d}"), "2021-03-05", "15.8万", "3.2万公里", "按揭",
                     None, None])
    return rows


# Kept by the services themselves, or about the imports: left out of "nothing changed".
NOT_DATA = {"import_batch", "import_created", "import_change", "audit_log", "data_stamp",
            "summary_state", "rfm_summary", "km_summary"}


def snapshot(database: Database, versions: bool = True) -> dict[str, list[tuple]]:
    """Every row of the dealer's data, table by table, in a stable order (without the records'
    versions, which only ever go up, when `versions` is false)."""
    found = {}
    with database.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_DATA:
                continue
            columns = [c for c in table.c if versions or c.name != "version"]
            rows = conn.execute(select(*columns)).all()
            found[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return found


def counts(database: Database) -> dict[str, int]:
    return {t: len(rows) for t, rows in snapshot(database).items() if rows}
