"""A workbook whose zip is whole but whose sheet's XML is cut (a sync tool or a disk that
failed mid-write): one sentence saying the file is damaged, for every command that reads a
workbook, not "something unexpected went wrong (XmlError…)"."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from services.imports.sources import Workbook
from services.store.errors import RevisitError


def _broken(tmp_path):
    whole = tmp_path / "whole.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工单号", "车牌", "进厂日期", "金额"])
    for i in range(200):
        ws.append([f"WO{i}", f"粤A{i:05d}", "2026-11-01", 100 + i])
    wb.save(whole)
    broken = tmp_path / "第48周工单.xlsx"
    with zipfile.ZipFile(whole) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    return broken


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_sheet_with_cut_xml_is_said_damaged(tmp_path, engine):
    path = _broken(tmp_path)
    with pytest.raises(RevisitError) as refused:
        book = Workbook(path, engine, "xlsx")
        list(book.rows(book.sheets[0]))
    said = str(refused.value)
    assert "第48周工单.xlsx is not a readable Excel workbook" in said
    assert "damaged" in said
