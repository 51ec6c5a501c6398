"""`revisit segment …` through the real CLI on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json

import pytest

from models import Customer, CustomerTag, SatisfactionSurvey, Tag, TagGroup, Vehicle
from ui.cli import run

FILTER = {"version": 1, "where": {"and": [
    {"field": "years_since_purchase", "op": ">=", "value": 5},
    {"field": "satisfaction_band", "op": "=", "value": "high"},
]}}


@pytest.fixture
def db(sqlite_database, tmp_path):
    import datetime as dt

    with sqlite_database.sessions.begin() as s:
        s.add(Customer(id=1, code="C1", name="张伟", mobile="13900000000"))
        s.flush()
        s.add(Vehicle(id=7, customer_id=1, brand="VW", model="Passat", plate="京A12345",
                      purchase_date=dt.date(2019, 1, 1)))
        s.add(SatisfactionSurvey(customer_id=1, survey_date=dt.date(2026, 1, 1), overall_score=9))
    return sqlite_database.url


def cli(capsys, db, *args):
    code = run(["--db", db, "segment", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_list_show_count_members_export(capsys, db, tmp_path):
    path = tmp_path / "seg.json"
    path.write_text(json.dumps({"name": "换车高满意", "filter": FILTER}, ensure_ascii=False),
                    encoding="utf-8")
    assert cli(capsys, db, "import", str(path))[0] == 0
    code, out, _ = cli(capsys, db, "list", "--format", "json")
    assert [r["name"] for r in json.loads(out)] == ["换车高满意"]
    assert "years_since_purchase" in cli(capsys, db, "show", "换车高满意")[1]
    code, out, _ = cli(capsys, db, "count", "换车高满意", "--as-of", "2026-11-23",
                       "--format", "json")
    assert json.loads(out) == {"segment": "换车高满意", "as_of": "2026-11-23", "customers": 1,
                               "vehicles": 1}
    assert json.loads(cli(capsys, db, "count", "换车高满意", "--as-of", "2023-01-01",
                          "--format", "json")[1])["customers"] == 0
    code, out, _ = cli(capsys, db, "members", "换车高满意", "--format", "csv",
                       "--as-of", "2026-11-23")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["customer_id"], r["vehicle_id"], r["name"], r["plate"]) for r in rows] == [
        ("1", "7", "张伟", "京A12345")]
    out = cli(capsys, db, "members", "换车高满意", "--format", "json")[1]
    assert json.loads(out)["rows"][0]["vehicle_id"] == 7
    exported = tmp_path / "out.json"
    assert cli(capsys, db, "export", "换车高满意", "-o", str(exported))[0] == 0
    assert json.loads(exported.read_text(encoding="utf-8"))["filter"] == FILTER


def test_templates_print_counts(capsys, db):
    code, out, _ = cli(capsys, db, "matrix", "--as-of", "2026-11-23", "--format", "json")
    cells = {(c["years_band"], c["satisfaction_band"]): c["vehicles"]
             for c in json.loads(out)["cells"]}
    assert len(cells) == 12 and cells[("7+", "high")] == 1
    assert "7+" in cli(capsys, db, "matrix", "--as-of", "2026-11-23")[1]
    out = cli(capsys, db, "rfm", "--as-of", "2026-11-23")[1]
    assert "重要价值" in out and "一般挽留" in out
    data = json.loads(cli(capsys, db, "rfm", "--format", "json", "--quantile", "0.5")[1])
    assert data["mode"] == "quantile" and len(data["classes"]) == 8
    code, out, _ = cli(capsys, db, "due", "--days", "30")
    # A car's date counts cars; birthdays count people.
    assert code == 0 and {line.split("\t")[-1] for line in out.splitlines()} == {
        "vehicles", "customers"}
    assert [g["unit"] for g in json.loads(cli(capsys, db, "due", "--format", "json")[1])] == [
        "vehicles"] * 4 + ["customers"]
    assert cli(capsys, db, "lifecycle", "--format", "json")[0] == 0
    assert cli(capsys, db, "save-template", "matrix.7+.high", "--name", "九宫格7+高")[0] == 0
    assert "九宫格7+高" in cli(capsys, db, "list")[1]


@pytest.mark.parametrize(("args", "fragment"), [
    (("count", "nope"), "There is no segment named 'nope'."),
    (("matrix", "--as-of", "2026-13-01"), "--as-of: '2026-13-01' is not a date"),
    (("import", "missing.json"), "missing.json does not exist"),
    (("save-template", "matrix.9+.high"), "no template 'matrix.9+.high'"),
    (("tags", "--as-of", "23/11/2026"), "--as-of: '23/11/2026' is not a date"),
])
def test_errors_are_one_line(capsys, db, args, fragment):
    code, out, err = cli(capsys, db, *args)
    assert code == 2 and fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_file_names_the_part(capsys, db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"version": 1, "where": {"field": "years", "op": ">"}}', encoding="utf-8")
    code, _, err = cli(capsys, db, "import", str(path), "--name", "x")
    assert code == 2 and "where.field: unknown field 'years'" in err
    path.write_text("{not json", encoding="utf-8")
    code, _, err = cli(capsys, db, "import", str(path), "--name", "x")
    assert code == 2 and "is not valid JSON" in err


# --- a newcomer's first commands ------------------------------------------------------------

def test_an_empty_list_points_to_the_templates(capsys, db):
    code, out, err = cli(capsys, db, "list")
    assert code == 0 and out == ""
    assert "segment templates" in err and "list build matrix.7+.high" in err
    code, out, err = cli(capsys, db, "list", "--format", "json")
    assert json.loads(out) == [] and err == ""  # scripts get no prose
    keys = cli(capsys, db, "templates")[1]
    assert "matrix.7+.high\t换车九宫格：7+年 × 满意度高（9–10）" in keys


def test_a_saved_template_is_named_by_its_key(capsys, db):
    code, out, _ = cli(capsys, db, "save-template", "matrix.7+.high")
    assert code == 0 and out == "saved segment 'matrix.7+.high'\n"
    listed = cli(capsys, db, "list")
    assert listed[1] == "matrix.7+.high\t换车九宫格：7+年 × 满意度高（9–10）\n" and listed[2] == ""
    out = cli(capsys, db, "count", "matrix.7+.high", "--as-of", "2026-11-23")[1]
    assert out == "matrix.7+.high on 2026-11-23: 1 customers, 1 vehicles\n"


def test_tags_take_as_of_like_every_date_command(capsys, db, sqlite_database):
    with sqlite_database.sessions.begin() as s:
        s.add(TagGroup(id=1, name="客群"))
        s.flush()
        s.add(Tag(id=1, group_id=1, name="企业主"))
        s.flush()
        s.add(CustomerTag(customer_id=1, tag_id=1))
    code, out, err = cli(capsys, db, "tags", "--as-of", "2026-11-23")
    assert (code, out, err) == (0, "客群/企业主\t1\tcustomers\n", "")
    data = json.loads(cli(capsys, db, "tags", "--as-of", "2026-11-23", "--format", "json")[1])
    assert [(g["key"], g["count"]) for g in data] == [("客群/企业主", 1)]


def test_the_matrix_names_its_bands_in_chinese(capsys, db):
    out = cli(capsys, db, "matrix", "--as-of", "2026-11-23")[1]
    header, *rows = out.splitlines()[1:]
    for band in ("低（0–6）", "中（7–8）", "高（9–10）", "无评分"):
        assert band in header
    assert "high" not in out and "none" not in out
    assert rows[2].split() == ["7+", "0", "0", "1", "0"]
    data = json.loads(cli(capsys, db, "matrix", "--as-of", "2026-11-23", "--format", "json")[1])
    assert {c["satisfaction_band"] for c in data["cells"]} == {"low", "middle", "high", "none"}


def test_a_templates_key_is_counted_as_list_build_takes_it_and_nothing_is_saved(capsys, db):
    code, out, _ = cli(capsys, db, "count", "matrix.7+.high", "--as-of", "2026-11-23",
                       "--format", "json")
    assert code == 0 and json.loads(out)["customers"] == 1
    assert json.loads(cli(capsys, db, "list", "--format", "json")[1]) == []  # nothing saved
    code, _, err = cli(capsys, db, "count", "no.such.key")
    assert code != 0 and "There is no segment named 'no.such.key'" in err
