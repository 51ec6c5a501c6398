"""`segment import FILE` of a file that is no segment file (a picture or a workbook given by
mistake) says so in one sentence naming the file and what was expected, never the decoder's
words; a segment file saved by Notepad in GB18030 (a Chinese Windows' "ANSI") is read."""

from __future__ import annotations

import json

import openpyxl
import pytest

from services.segments.saved import read_segment_file
from services.store.errors import RevisitError
from tests.test_cli import assert_user_error, run

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
SEGMENT = {"name": "老车主", "filter": {"all": [{"field": "vehicle.years_since_purchase",
                                                  "op": ">=", "value": 5}]}}


@pytest.fixture
def db_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'revisit.sqlite3'}"
    assert run("--db", url, "db", "upgrade").returncode == 0
    return url


def _workbook(path):
    book = openpyxl.Workbook()
    book.active.append(["车牌", "车主"])
    book.save(path)
    return path


@pytest.mark.parametrize("name", ["客户分群.png", "分群.xlsx"])
def test_a_picture_or_a_workbook_is_not_a_segment_file(db_url, tmp_path, name):
    path = tmp_path / name
    if name.endswith(".png"):
        path.write_bytes(PNG)
    else:
        _workbook(path)
    said = assert_user_error(run("--db", db_url, "segment", "import", str(path)),
                             f"{path} is not a segment file: a segment file is the JSON text "
                             f"that “Export segment” (or `segment export`) writes")
    assert "codec" not in said and "byte" not in said


def test_a_segment_file_saved_in_gb18030_is_read(tmp_path):
    path = tmp_path / "老车主.json"
    path.write_bytes(json.dumps(SEGMENT, ensure_ascii=False).encode("gb18030"))
    assert json.loads(read_segment_file(path)) == SEGMENT
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(SEGMENT, ensure_ascii=False).encode())
    assert json.loads(read_segment_file(path)) == SEGMENT


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(RevisitError, match="does not exist"):
        read_segment_file(tmp_path / "无.json")
