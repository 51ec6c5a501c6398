"""A quote typed by mistake in a CSV (粤A44441,"赵六,138…) is text, and the rows after it are
rows: read by the csv module it opened a quoted cell that ran to the end of the file (or to the
next quote), so a 3-row file imported as one customer named after the rest of the file. A real
multi-line cell, properly closed (an address or a remark with a line break), is still one cell."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from models import Customer
from services.imports import csv_records
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.imports.readers import open_table
from services.imports.sources import sniff_delimiter

HEADER = "车牌,车主,手机,品牌,车型,开票日期\n"
ROW = "粤A4444{n},{name},1380013801{n},大众,朗逸,2019-01-01\n"


def _rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv_records.records(io.StringIO(text, newline=""), delimiter))


def _cells(path) -> list[tuple[int, tuple]]:
    with open_table(path) as table:
        return [(row.number, row.cells) for row in table]


def test_the_testers_file_imports_every_row(database, tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + ROW.format(n=1, name='"赵六') + ROW.format(n=2, name="钱七")
                    + ROW.format(n=3, name="孙八"), encoding="utf-8")
    result = apply(database.sessions, path, ImportOptions("customers"))
    assert (result.rows_total, result.created, result.rejected) == (3, 3, 0)
    assert [s.number for s in result.samples["create"]] == [2, 3, 4]
    with database.sessions() as s:
        names = s.scalars(select(Customer.name).order_by(Customer.id)).all()
    assert names == ["赵六", "钱七", "孙八"]  # the quote typed before the name is no part of it


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_stray_quote_before_a_properly_quoted_cell_further_down(tmp_path, encoding):
    """Read by the csv module, the stray quote's cell ran to the next quote, 王五's, three rows
    further down, and 王五 was glued to the rest of that row."""
    path = tmp_path / "later.csv"
    path.write_text(HEADER + ROW.format(n=1, name='"赵六') + ROW.format(n=2, name="钱七")
                    + ROW.format(n=3, name="孙八") + ROW.format(n=4, name='"王五"')
                    + ROW.format(n=5, name="周九"), encoding=encoding)
    assert [(n, cells[1]) for n, cells in _cells(path)] == [
        (2, '"赵六'), (3, "钱七"), (4, "孙八"), (5, "王五"), (6, "周九")]
    assert all(len(cells) == 6 for _, cells in _cells(path))


def test_a_stray_quote_on_the_last_line_without_a_line_end():
    assert _rows('a,b,c,d\n1,2,3,4\n5,"6,7,8') == [
        ["a", "b", "c", "d"], ["1", "2", "3", "4"], ["5", '"6', "7", "8"]]


def test_a_stray_quote_in_the_first_cell_and_quoted_cells_before_it_on_its_line():
    assert _rows('a,b,c,d\n"x,y",2,"3,4\n5,6,7,8\n') == [
        ["a", "b", "c", "d"], ["x,y", "2", '"3', "4"], ["5", "6", "7", "8"]]
    assert _rows('a,b,c\n"1,2,3\n4,5,6\n') == [["a", "b", "c"], ['"1', "2", "3"],
                                                ["4", "5", "6"]]


def test_tab_separated_text_with_a_stray_quote():
    assert _rows('a\tb\tc\n1\t"二\t3\n4\t5\t6\n', "\t") == [
        ["a", "b", "c"], ["1", '"二', "3"], ["4", "5", "6"]]


@pytest.mark.parametrize("text", [
    # An address with a line break, in the middle, first and last column; CRLF line ends.
    'a,b,c,d\r\n1,"广东省深圳市\r\n南山区科技园1号",x,y\r\n2,q,w,e\r\n',
    'a,b,c,d\n"广东省深圳市\n南山区",1,2,3\n4,5,6,7\n',
    'a,b,c,d\n1,2,3,"广东省深圳市\n南山区"\n4,5,6,7\n',
    # A remark of three lines with commas in them, and a quote doubled inside.
    'a,b,c,d\n1,2,"下周来, 先打电话\n中午别打, 他说""忙""\n晚上可以",4\n5,6,7,8\n',
])
def test_a_real_multi_line_cell_is_still_one_cell(text):
    rows = _rows(text)
    assert [len(r) for r in rows] == [4, 4, 4]
    assert "\n" in "".join(rows[1])
    assert rows[2][0] in ("2", "4", "5")


def test_a_real_multi_line_cell_imports_as_one_address(database, tmp_path):
    path = tmp_path / "address.csv"
    path.write_text("车牌,车主,手机,品牌,车型,地址\n"
                    '粤A44441,赵六,13800138011,大众,朗逸,"广东省深圳市南山区\n科技园1号"\n'
                    "粤A44442,钱七,13800138012,大众,朗逸,广东省广州市天河区体育西路2号\n",
                    encoding="utf-8")
    result = apply(database.sessions, path, ImportOptions("customers"))
    assert (result.rows_total, result.created) == (2, 2)
    with database.sessions() as s:
        streets = s.scalars(select(Customer.street).order_by(Customer.id)).all()
    assert "科技园1号" in (streets[0] or "") and "体育西路" in (streets[1] or "")


def test_the_delimiter_is_found_past_a_stray_quote():
    """The sample read as the file is: the lines after the stray quote count as rows."""
    sample = "a;b;c;d\n" + '1;"2;3;4\n' + "".join(f"{i};x,y;z;w\n" for i in range(5))
    assert sniff_delimiter(sample) == ";"


def test_the_row_with_a_stray_quote_says_so_with_the_cell_as_read(database, tmp_path):
    """Read as text, the row is imported; it is noted (in the counts, the first rows and the
    problems file) with the cell its quote starts, so the clerk can find and fix the line."""
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + ROW.format(n=1, name="钱七") + ROW.format(n=2, name='"赵六')
                    + ROW.format(n=3, name="孙八") + ROW.format(n=4, name='"王五"'),
                    encoding="utf-8")
    result = apply(database.sessions, path, ImportOptions("customers"),
                   errors_path=tmp_path / "问题.xlsx")
    assert (result.created, result.noted) == (4, 1)
    said = ('这一行有一个没有配对的引号（"赵六），已把它当作文字读取：这一行照常分列，'
            "下一行照常读取，请核对")
    assert [(w.zh, w.rows) for w in result.warnings] == [(said, 1)]
    assert result.warnings[0].en.startswith('this line has a quote that is never closed ("赵六)')
    assert [(s.number, s.reasons) for s in result.samples["create"]] == [
        (2, ()), (3, (said,)), (4, ()), (5, ())]
    noted = list(openpyxl.load_workbook(result.errors_file).worksheets[-1]
                 .iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[-1]) for r in noted] == [(3, said)]


def test_the_records_name_each_stray_quote_by_record():
    strays: dict[int, str] = {}
    text = 'a,b,c,d\n1,"x,3,4\n5,6,7,8\n9,"ok",1,2\n10,11,"12\n'
    assert list(csv_records.records(io.StringIO(text, newline=""), ",", strays))[1] == \
        ["1", '"x', "3", "4"]
    assert strays == {2: '"x', 5: '"12'}


def test_a_line_with_more_cells_than_headers_says_so_and_a_spreadsheet_row_does_not(
        database, tmp_path):
    """An address typed with an unquoted comma moves the cells after it along: the line is
    imported as read (its cells under their headers) and noted with what went beyond them. A
    trailing empty cell says nothing; in a spreadsheet, cells beside the table are notes."""
    path = tmp_path / "ragged.csv"
    path.write_text(HEADER + ROW.format(n=1, name="钱七")
                    + ROW.format(n=2, name="赵六").rstrip("\n") + ",广州市,天河区\n"
                    + ROW.format(n=3, name="孙八").rstrip("\n") + ",\n", encoding="utf-8")
    result = apply(database.sessions, path, ImportOptions("customers"),
                   errors_path=tmp_path / "问题.xlsx")
    said = ("这一行的单元格比列标题多（多出：广州市，天河区），多出的未导入；若是某个值里有逗号，"
            "其后各列会错位，请核对")
    assert (result.created, result.noted) == (3, 1)
    assert [(w.zh, w.rows) for w in result.warnings] == [(said, 1)]
    assert [(s.number, s.reasons) for s in result.samples["create"]] == [
        (2, ()), (3, (said,)), (4, ())]
    book = tmp_path / "ragged.xlsx"
    wb = openpyxl.Workbook()
    for line in (HEADER + ROW.format(n=5, name="周九")).splitlines():
        wb.active.append(line.split(","))
    wb.active.append(["粤A44446", "吴十", "13800138016", "大众", "朗逸", "2019-01-01", "老客户"])
    wb.save(book)
    result = apply(database.sessions, book, ImportOptions("customers"))
    assert (result.created, result.noted) == (2, 0)
