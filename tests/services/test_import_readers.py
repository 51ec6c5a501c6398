"""Reading ugly exports: title rows and merged titles above the header, blank, subtotal and
repeated header rows, numbers as text and text as numbers, formulas, GBK / GB18030 / UTF-8 CSV,
.xls (real BIFF and HTML in disguise), row numbers as Excel shows them, rows streamed."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from services.imports import sources
from services.imports.clean import clean_row
from services.imports.mapping import auto_map
from services.imports.readers import (
    Row,
    Skipped,
    find_header,
    is_footer,
    is_subtotal,
    open_table,
    preview,
)
from services.imports.sources import detect_encoding, sniff_delimiter
from services.store.errors import RevisitError
from tests.services.import_files import write_xlsx

HEADERS = ["序号", "客户名称", "手机号码", "车牌号码", "VIN", "开票日期", "开票价（元）",
           "里程(km)"]
RARE = "刘䶮"  # 䶮 (U+4DAE) is in GB18030 but not in GBK


def set_cached_values(path: Path, values: dict[str, str]) -> None:
    """Give formula cells the cached results Excel would have stored (openpyxl writes none)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        sheet, count = re.subn(rf'(<c r="{ref}"[^>]*>(?:<f>[^<]*</f>))<v\s*>\s*</v>',
                               rf"\g<1><v>{value}</v>", sheet)
        sheet, more = re.subn(rf'(<c r="{ref}"[^>]*>(?:<f>[^<]*</f>))<v\s*/>',
                              rf"\g<1><v>{value}</v>", sheet)
        assert count + more == 1, ref
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def ugly_workbook(path: Path) -> Path:
    """A 保有客户明细 export as DMS write it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "保有客户明细"
    ws["A1"] = "保有客户明细"
    ws.merge_cells("A1:H1")
    ws["A2"] = "导出时间：2026-11-01 09:12"
    ws.append(HEADERS)
    ws.append([1, "张三　", "13800138080", "粤A·12345", "LSVAU2180N2183294",
               dt.datetime(2019, 3, 5), 158000, "8.6万公里"])           # row 4
    ws.append([])                                                        # row 5: blank
    ws.append([2, RARE, 13900139000, "粤B 54321", "LFV2A21K0A3000001",
               "43529", "¥158,000.00", 86000])                          # row 6: text serial
    ws.append(["小计", None, None, None, None, None, 316000, None])       # row 7
    ws.append(HEADERS)                                                   # row 8: page break
    ws.append([3, 12345, "0571-8888 8888", None, None, "2019/3/5", "=G4*2", "=H6+1"])  # row 9
    ws.append([None, "   ", None])                                       # row 10: spaces only
    ws.append(["合 计", None, None, None, None, None, 790000, None])      # row 11
    ws.append(["总计：3条"])                                             # row 12
    ws.append([4])                                 # row 13: a numbered but empty template line
    wb.save(path)
    set_cached_values(path, {"G9": "316000", "H9": "86001"})
    return path


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_ugly_xlsx(tmp_path, engine):
    with open_table(ugly_workbook(tmp_path / "保有客户.xlsx"), engine=engine) as table:
        rows = list(table)
        layout = table.layout
    assert layout.format == "xlsx" and layout.engine == engine
    assert layout.sheet == "保有客户明细" and layout.sheets == ("保有客户明细",)
    assert layout.header_row == 3
    assert layout.headers == tuple(HEADERS)
    assert layout.title == ("保有客户明细", "导出时间：2026-11-01 09:12")
    assert [r.number for r in rows] == [4, 6, 9]
    first, second, third = rows
    assert first.cells[:4] == (1, "张三　", "13800138080", "粤A·12345")
    assert first.get(5) in (dt.date(2019, 3, 5), dt.datetime(2019, 3, 5))
    assert second.cells[1:3] == (RARE, 13900139000)  # text as number: an int, not 1.39e10
    assert second.get(5) == "43529" and second.get(6) == "¥158,000.00"
    assert third.get(1) == 12345 and third.get(2) == "0571-8888 8888"
    assert third.get(6) == 316000 and third.get(7) == 86001  # formulas: their cached values
    assert third.get(40) is None
    assert table.skipped == [Skipped(7, "subtotal"), Skipped(8, "repeated_header"),
                             Skipped(11, "subtotal"), Skipped(12, "subtotal")]
    assert table.blank_rows == 3


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("name", ["保有客户.xls", "保有客户.csv", "保有客户"])
def test_an_xlsx_under_another_name_is_read_as_what_it_is(tmp_path, engine, name):
    # DMS exports call workbooks .xls; both readers otherwise go by the name and refused it.
    path = ugly_workbook(tmp_path / "保有客户.xlsx").rename(tmp_path / name)
    with open_table(path, engine=engine) as table:
        rows = list(table)
        assert table.layout.format == "xlsx" and table.layout.engine == engine
        assert table.layout.headers == tuple(HEADERS)
    assert [r.number for r in rows] == [4, 6, 9]
    assert rows[0].cells[:4] == (1, "张三　", "13800138080", "粤A·12345")


def test_the_ugly_workbook_cleans_to_the_right_values(tmp_path):
    with open_table(ugly_workbook(tmp_path / "保有客户.xlsx")) as table:
        mapping = auto_map(table.layout.headers, "customers")
        cleaned = [clean_row(mapping, r.cells, today=dt.date(2026, 11, 1), number=r.number)
                   for r in table]
    assert mapping.as_dict() == {"name": 1, "mobile": 2, "vin": 4, "plate": 3,
                                 "purchase_date": 5, "price_paid": 6, "km": 7}
    keys = ("name", "mobile", "other_phones", "plate", "purchase_date", "price_paid", "km")
    assert [tuple(c.values[k] for k in keys) for c in cleaned] == [
        ("张三", "13800138080", None, "粤A12345", dt.date(2019, 3, 5), Decimal("158000.00"),
         86000),
        (RARE, "13900139000", None, "粤B54321", dt.date(2019, 3, 5), Decimal("158000.00"),
         86000),
        ("12345", None, "0571-88888888", None, dt.date(2019, 3, 5), Decimal("316000.00"),
         86001),
    ]
    assert [c.number for c in cleaned] == [4, 6, 9]
    assert [(c.number, p.field, p.code) for c in cleaned for p in c.problems] == [
        (4, "vin", "vin_check_digit"), (6, "vin", "vin_check_digit"),
        (9, "mobile", "mobile_is_landline")]
    assert not any(c.rejected for c in cleaned)


def test_formulas_without_cached_values_read_as_empty(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "金额", "双倍"])
    wb.active.append(["张三", 5, "=B2*2"])
    wb.save(path)
    with open_table(path) as table:
        assert [r.cells for r in table] == [("张三", 5, None)]


def test_header_found_under_a_title_and_the_data_block_moved_right(tmp_path):
    path = tmp_path / "moved.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"] = "维修工单"
    ws.merge_cells("C3:F3")
    for column, text in enumerate(["进厂日期", "车牌", "金额", "维修类型"], start=3):
        ws.cell(row=5, column=column, value=text)
        ws.cell(row=6, column=column, value=["2019-03-05", "粤A12345", 880, "保养"][column - 3])
    wb.save(path)
    for engine in ("calamine", "openpyxl"):
        with open_table(path, engine=engine) as table:
            assert table.layout.header_row == 5
            assert table.layout.headers == ("", "", "进厂日期", "车牌", "金额", "维修类型")
            assert [r.cells for r in table] == [(None, None, "2019-03-05", "粤A12345", 880,
                                                 "保养")]
        mapping = auto_map(table.layout.headers, "visits")
        assert mapping.column("visit_date") == 2 and mapping.column("visit_type") == 5


def test_two_level_header_takes_cells_merged_downwards(tmp_path):
    path = tmp_path / "two.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "联系方式", None, "车辆信息", None])
    ws.append([None, "手机", "电话", "车牌", "VIN"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    ws.merge_cells("D1:E1")
    ws.append(["张三", "13800138080", "022-72587682", "粤A12345", None])
    wb.save(path)
    with open_table(path) as table:
        assert table.layout.header_row == 2
        assert table.layout.headers == ("姓名", "手机", "电话", "车牌", "VIN")
        assert [r.number for r in table] == [3]


def _owners_merged(tmp_path: Path) -> Path:
    """A hand-kept sheet: 张三 and his mobile merged over his three cars, a note merged across
    two columns (only its first column holds it, as everywhere), a title merged across."""
    path = tmp_path / "手工台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车主台账"])
    ws.append(["车主", "手机", "车牌", "备注", None])
    ws.append(["张三", "13800138080", "粤A11111", "老客户", None])
    ws.append([None, None, "粤A22222", None, None])
    ws.append([None, None, "粤A33333", None, None])
    ws.append(["李四", "13900139000", "粤B44444", None, None])
    for cells in ("A1:E1", "A3:A5", "B3:B5", "D3:E4"):
        ws.merge_cells(cells)
    wb.save(path)
    return path


OWNERS_AS_SHOWN = [("张三", "13800138080", "粤A11111", "老客户", None),
                   ("张三", "13800138080", "粤A22222", "老客户", None),
                   ("张三", "13800138080", "粤A33333", None, None),
                   ("李四", "13900139000", "粤B44444", None, None)]


# openpyxl reads the workbooks too big for python-calamine's whole-sheet load.
@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_an_owner_merged_over_the_rows_of_their_cars_is_on_each_row(tmp_path, engine):
    with open_table(_owners_merged(tmp_path), engine=engine) as table:
        rows = [tuple(r.get(i) for i in range(5)) for r in table]
    assert rows == OWNERS_AS_SHOWN


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_merged_owners_are_on_each_row_of_an_ods_too(tmp_path):
    # python-calamine lists no merges of an OpenDocument sheet: they are read from its XML.
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", "ods", "--outdir", str(tmp_path / "out"),
                    str(_owners_merged(tmp_path))], check=True, capture_output=True,
                   timeout=120)
    with open_table(tmp_path / "out" / "手工台账.ods") as table:
        rows = [tuple(r.get(i) for i in range(5)) for r in table]
        assert table.layout.format == "ods"
    assert rows == OWNERS_AS_SHOWN


def test_the_user_can_name_the_header_row(tmp_path):
    path = ugly_workbook(tmp_path / "u.xlsx")
    with open_table(path, header_row=2) as table:
        assert table.layout.header_row == 2
        assert table.layout.headers == ("导出时间：2026-11-01 09:12",)
        assert next(iter(table)).number == 3


def test_sheet_choice(tmp_path):
    path = tmp_path / "sheets.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    data = wb.create_sheet("数据")
    data.append(["姓名", "手机"])
    data.append(["张三", "13800138080"])
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    wb.save(path)
    for engine in ("calamine", "openpyxl"):
        with open_table(path, engine=engine) as table:  # the first sheet is empty
            assert table.layout.sheet == "数据" and table.layout.sheets == ("说明", "数据")
        with open_table(path, sheet=1, engine=engine) as table:
            assert table.layout.sheet == "数据"
        with pytest.raises(RevisitError, match="no sheet named 其他"):
            open_table(path, sheet="其他", engine=engine)


def test_a_hidden_sheet_is_read_when_named_or_when_it_alone_has_headers(tmp_path):
    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active.append(["2026年11月进厂明细"])
    data = wb.create_sheet("明细")
    data.append(["进厂日期", "车牌号", "金额"])
    data.append(["2026-11-02", "粤A12345", 300])
    data.sheet_state = "hidden"
    wb.save(path)
    for engine in ("calamine", "openpyxl"):
        # No visible sheet has a header row: the hidden one that has them is the table.
        with open_table(path, engine=engine) as table:
            assert table.layout.sheet == "明细"
            assert table.layout.sheets == ("封面", "明细")
            assert [r.cells for r in table] == [("2026-11-02", "粤A12345", 300)]
        with open_table(path, sheet="明细", engine=engine) as table:
            assert table.layout.sheet == "明细" and len(list(table)) == 1
    # With a visible table, a hidden one is read only when named.
    wb["封面"].append(["进厂日期", "车牌号", "金额"])
    wb["封面"].append(["2026-11-03", "粤B54321", 200])
    wb.save(path)
    for engine in ("calamine", "openpyxl"):
        with open_table(path, engine=engine) as table:
            assert table.layout.sheet == "封面" and table.layout.sheets == ("封面",)
        with open_table(path, sheet="明细", engine=engine) as table:
            assert table.layout.sheet == "明细"
            assert table.layout.sheets == ("封面", "明细")


def test_a_real_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    path = tmp_path / "进厂记录.xls"
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("工单")
    sheet.write_merge(0, 0, 0, 3, "进厂记录")
    sheet.write(1, 0, "导出时间：2026-11-01")
    for column, text in enumerate(["进厂日期", "车牌号", "进厂里程", "结算金额"]):
        sheet.write(2, column, text)
    sheet.write(3, 0, dt.date(2019, 3, 5), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    sheet.write(3, 1, f"粤A{RARE}")
    sheet.write(3, 2, 86000)
    sheet.write(3, 3, "1,280.50")
    sheet.write(5, 0, "合计")
    sheet.write(5, 3, xlwt.Formula("D4*1"))
    book.save(str(path))
    with open_table(path) as table:
        rows = list(table)
        assert table.layout.format == "xls" and table.layout.header_row == 3
        assert table.layout.headers == ("进厂日期", "车牌号", "进厂里程", "结算金额")
        assert table.layout.title == ("进厂记录", "导出时间：2026-11-01")
        assert [r.number for r in rows] == [4]
        assert rows[0].cells[1:] == (f"粤A{RARE}", 86000, "1,280.50")
        assert rows[0].get(0) in (dt.date(2019, 3, 5), dt.datetime(2019, 3, 5))
        assert table.skipped == [Skipped(6, "subtotal")] and table.blank_rows == 1


def test_a_real_xls_named_xlsx_is_read_as_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("保有客户")
    for column, text in enumerate(["客户姓名", "手机", "车牌"]):
        sheet.write(0, column, text)
    for column, value in enumerate([RARE, "13800138080", "粤A12345"]):
        sheet.write(1, column, value)
    path = tmp_path / "保有客户.xlsx"
    book.save(str(path))
    with open_table(path) as table:
        rows = list(table)
        assert table.layout.format == "xls" and table.layout.headers == ("客户姓名", "手机", "车牌")
    assert [r.cells for r in rows] == [(RARE, "13800138080", "粤A12345")]


def write_csv(path: Path, rows: list[list[object]], encoding: str, delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


CSV_ROWS: list[list[object]] = [
    ["保有客户明细"],
    ["导出时间：2026-11-01 09:12"],
    ["客户姓名", "手机", "车架号", "购车日期", "备注"],
    ["王五", "13800138080", "LSVAU2180N2183294", "43529", "多行\n备注"],
    [],
    ["赵六 ", '="013800138080"', "", "2019/3/5", "合计以后再说"],
    ["合计", "", "", "", ""],
]


@pytest.mark.parametrize(
    ("encoding", "rare"),
    [("utf-8", True), ("utf-8-sig", True), ("gbk", False), ("gb18030", True), ("utf-16", True)],
)
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, rare, delimiter):
    rows = [list(r) for r in CSV_ROWS]
    if rare:
        rows[3][0] = RARE
    path = write_csv(tmp_path / "客户.csv", rows, encoding, delimiter)
    with open_table(path) as table:
        data = list(table)
        layout = table.layout
    assert layout.format == "csv" and layout.delimiter == delimiter
    assert layout.encoding == {"gbk": "gb18030"}.get(encoding, encoding)
    assert layout.header_row == 3 and layout.headers == tuple(CSV_ROWS[2])
    assert [r.number for r in data] == [4, 6]  # records, as Excel numbers them
    assert data[0].cells == (RARE if rare else "王五", "13800138080", "LSVAU2180N2183294",
                             "43529", "多行\n备注")
    assert data[1].cells == ("赵六 ", "013800138080", None, "2019/3/5", "合计以后再说")
    assert table.skipped == [Skipped(7, "subtotal")] and table.blank_rows == 1


def test_a_stray_value_far_right_does_not_make_the_sheet_huge(tmp_path):
    # One space typed in column XFD makes the sheet span 16,384 columns: python-calamine would
    # hold every empty cell of them (82 M for 5,000 rows: 2.5 GB), so openpyxl reads it.
    path = write_xlsx(tmp_path / "客户.xlsx", ["客户姓名", "手机"],
                      [[f"客户{i}", f"139{i:08d}"] for i in range(600)])
    assert sources.xlsx_largest_span(path) == 2 * 601
    book = openpyxl.load_workbook(path)
    book.active.cell(row=1, column=16384).value = " "
    book.save(path)
    assert sources.xlsx_largest_span(path) == 16384 * 601 > sources.CALAMINE_MAX_CELLS
    with open_table(path) as table:
        rows = list(table)
        layout = table.layout
    assert layout.engine == "openpyxl"
    assert len(rows) == 600 and layout.headers[:2] == ("客户姓名", "手机")
    assert rows[599].cells[:2] == ("客户599", "13900000599")


def test_an_apostrophe_kept_before_a_number_or_code_is_not_its_text(tmp_path):
    # Exports put ' before a number so Excel keeps it as text; in a CSV it stays in the cell.
    path = tmp_path / "客户.csv"
    path.write_text("姓名,手机,车架号,备注\n"
                    "张三,'13800138080,'LSVAU2180N2183294,'不要再打了'\n"
                    "李四,'0571-88888888,,'\n", encoding="utf-8")
    with open_table(path) as table:
        assert [r.cells for r in table] == [
            ("张三", "13800138080", "LSVAU2180N2183294", "'不要再打了'"),
            ("李四", "0571-88888888", None, "'")]


def test_gbk_is_read_as_gb18030_and_keeps_every_character(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes("姓名,手机\n刘䶮,13800138080\n张三,13900139000\n".encode("gb18030"))
    assert detect_encoding(path) == "gb18030"
    with open_table(path) as table:
        assert [r.cells[0] for r in table] == ["刘䶮", "张三"]


def test_a_tab_separated_file_named_xls_is_read_as_text(tmp_path):
    path = tmp_path / "dms.xls"
    write_csv(path, [["车牌", "进厂日期"], ["粤A12345", "2019-03-05"]], "gbk", "\t")
    with open_table(path) as table:
        assert table.layout.format == "csv" and table.layout.delimiter == "\t"
        assert [r.cells for r in table] == [("粤A12345", "2019-03-05")]


def test_an_html_table_named_xls(tmp_path):
    path = tmp_path / "dms.xls"
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "</head><body><table>"
        '<tr><td colspan="4">回访记录</td></tr>'
        "<tr><th>回访日期</th><th>车牌号</th><th>满意度</th><th>意见</th></tr>"
        f"<tr><td>2019-03-05</td><td>粤A12345</td><td>9</td><td>{RARE}很好</td></tr>"
        "<tr><td>&nbsp;</td><td></td><td></td><td></td></tr>"
        '<tr><td colspan="2">合计</td><td>9</td><td></td></tr>'
        "</table></body></html>"
    )
    path.write_bytes(html.encode("gb18030"))
    with open_table(path) as table:
        rows = list(table)
        assert table.layout.format == "html" and table.layout.header_row == 2
        assert table.layout.headers == ("回访日期", "车牌号", "满意度", "意见")
        assert table.layout.title == ("回访记录",)
        assert rows == [Row(3, ("2019-03-05", "粤A12345", "9", f"{RARE}很好"))]
        assert table.skipped == [Skipped(5, "subtotal")] and table.blank_rows == 1


# An Excel 2003 XML workbook as Excel and DMS web exports write it: a notes sheet first, then
# the data under a title merged across; ss:Index skips a column and a row; 张三 merged down
# over his two cars; typed Number, DateTime, String and Boolean cells, one with formatting.
SPREADSHEET_2003 = """<?xml version="1.0" encoding="{encoding}"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Styles><Style ss:ID="Default" ss:Name="Normal"><Font ss:FontName="宋体"/></Style>
  <Style ss:ID="d"><NumberFormat ss:Format="yyyy/m/d"/></Style></Styles>
 <Worksheet ss:Name="说明">
  <Table><Row><Cell><Data ss:Type="String">导出说明：数据截至昨日</Data></Cell></Row></Table>
 </Worksheet>
 <Worksheet ss:Name="保有客户">
  <Table ss:ExpandedColumnCount="6" ss:ExpandedRowCount="7" x:FullColumns="1" x:FullRows="1">
   <Column ss:Width="80"/>
   <Row><Cell ss:MergeAcross="5"><Data ss:Type="String">保有客户明细</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">客户名称</Data></Cell>
    <Cell><Data ss:Type="String">手机号码</Data></Cell>
    <Cell><Data ss:Type="String">车牌号码</Data></Cell>
    <Cell><Data ss:Type="String">开票日期</Data></Cell>
    <Cell><Data ss:Type="String">里程</Data></Cell>
    <Cell><Data ss:Type="String">会员</Data></Cell></Row>
   <Row><Cell ss:MergeDown="1"><Data ss:Type="String">张三</Data></Cell>
    <Cell ss:MergeDown="1"><Data ss:Type="Number">13800138080</Data></Cell>
    <Cell><Data ss:Type="String">粤A11111</Data></Cell>
    <Cell ss:StyleID="d"><Data ss:Type="DateTime">2021-03-05T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="Number">32000.5</Data></Cell>
    <Cell><Data ss:Type="Boolean">1</Data></Cell></Row>
   <Row><Cell ss:Index="3"><Data ss:Type="String">粤A22222</Data></Cell>
    <Cell><Data ss:Type="String">2023-06-01</Data></Cell></Row>
   <Row ss:Index="6"><Cell><Data ss:Type="String">{rare}</Data></Cell>
    <Cell ss:Index="3"><Data ss:Type="String"><html:B>粤B</html:B>44444</Data></Cell>
    <Cell><Data ss:Type="DateTime">2020-02-30T00:00:00.000</Data></Cell></Row>
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">合计</Data></Cell>
    <Cell ss:Index="5" ss:Formula="=SUM(R[-4]C:R[-1]C)"><Data ss:Type="Number">32000.5</Data>
    </Cell></Row>
  </Table>
 </Worksheet>
</Workbook>
"""


@pytest.mark.parametrize("encoding", ["utf-8", "gb2312"])
def test_an_excel_2003_xml_workbook_named_xls(tmp_path, encoding):
    path = tmp_path / "保有客户.xls"
    rare = "王五" if encoding == "gb2312" else RARE
    path.write_bytes(SPREADSHEET_2003.format(encoding=encoding, rare=rare).encode(encoding))
    with open_table(path) as table:
        rows = list(table)
        layout = table.layout
        assert (layout.format, layout.engine) == ("xml2003", "xml2003")
        assert layout.sheets == ("说明", "保有客户") and layout.sheet == "保有客户"
        assert layout.header_row == 2 and layout.title == ("保有客户明细",)
        assert layout.headers == ("客户名称", "手机号码", "车牌号码", "开票日期", "里程", "会员")
        assert rows == [
            Row(3, ("张三", 13800138080, "粤A11111", dt.date(2021, 3, 5), 32000.5, True)),
            Row(4, ("张三", 13800138080, "粤A22222", "2023-06-01")),
            Row(6, (rare, None, "粤B44444", "2020-02-30T00:00:00.000")),
        ]
        assert table.skipped == [Skipped(7, "subtotal")] and table.blank_rows == 1
    # The notes sheet is there to be chosen.
    with open_table(path, sheet="说明") as notes:
        assert notes.layout.sheet == "说明"


def test_an_excel_2003_xml_workbook_cut_short_is_damaged(tmp_path):
    path = tmp_path / "cut.xls"
    whole = SPREADSHEET_2003.format(encoding="utf-8", rare=RARE).encode()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(RevisitError, match="is not a readable Excel workbook: it is damaged"):
        open_table(path)


def test_broken_files_say_so(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RevisitError, match="is not a readable Excel workbook: it is damaged"):
        open_table(path)
    with pytest.raises(RevisitError, match="could not be read"):
        open_table(tmp_path / "missing.csv")


def test_preview_shows_the_top_and_the_first_rows(tmp_path):
    result = preview(ugly_workbook(tmp_path / "u.xlsx"), rows=2)
    assert [r.number for r in result.top] == [1, 2, 3]
    assert result.top[2].cells == tuple(HEADERS)
    assert [r.number for r in result.sample] == [4, 6]


def test_find_header_prefers_known_header_words():
    rows = [
        ["保有客户明细"],
        ["导出时间：", "2026-11-01 09:12"],
        ["张三", "13800138080", "广州", "丰田"],
        ["客户姓名", "手机", "城市", "品牌"],
    ]
    assert find_header(rows) == 3
    assert find_header([["a"], [None, None]]) is None


@pytest.mark.parametrize(
    ("cells", "subtotal"),
    [(["合计", None, 5], True), (["小计："], True), ([None, "总计", 3], True),
     (["本页合计", 1], True), ([1, "合 计"], True), (["Total", 3], True),
     (["合计：3条"], True), (["共计 12 笔", None], True), (["合计(元)", 5], True),
     (["张合计", 3], False), (["客户备注：合计不对"], False), ([1, 2, 3, "合计"], False),
     (["合计以后再说", 1], False), (["Totally", 1], False)],
)
def test_subtotal_rows(cells, subtotal):
    assert is_subtotal(cells) is subtotal


@pytest.mark.parametrize(
    ("cells", "footer"),
    [(["注：本表数据截至2024-05-01"], True), (["制表人：张三", None, "审核：李四"], True),
     (["共40条记录"], True), ([None, "共 40 条"], True), (["打印时间：2024-05-01 10:00"], True),
     # A data row: a customer's name and phone, or a remark among other cells.
     (["张三", "13800138080"], False), (["注意事项"], False),
     (["说明：已贴膜", "李四", "13800138080", "粤A12345"], False), (["共40条记录", 40], False)],
)
def test_footer_rows(cells, footer):
    assert is_footer(cells) is footer


def test_sniff_delimiter_ignores_title_lines():
    sample = "保有客户明细\n导出时间：2026-11-01\n姓名\t手机\t地址\n张三\t138\t广州,天河\n"
    assert sniff_delimiter(sample) == "\t"


def _peak_reading(path: Path, rows: int) -> int:
    with path.open("w", encoding="gbk", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["客户姓名", "手机", "地址", "备注"])
        for i in range(rows):
            writer.writerow([f"客户{i}", f"138{i:08d}", "广东省广州市天河区体育西路100号",
                             "这是一段备注文字"])
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == rows and table.layout.total_rows == rows + 1
    return peak


@pytest.mark.slow
def test_rows_are_streamed_not_held(tmp_path):
    """Reading 100,000 CSV rows takes no more memory than reading 20,000 (the encoding
    check reads 256 KB chunks; rows are never all in memory)."""
    small = _peak_reading(tmp_path / "small.csv", 20_000)
    big = _peak_reading(tmp_path / "big.csv", 100_000)
    assert big < small + 512 * 1024 and big < 3 * 1024 * 1024, (small, big)
