"""`python main.py import …` on SQLite and PostgreSQL: dry run, import with its error file,
batches, undo, saved mappings, user mistakes as one line with exit 2, and a process killed while
it writes leaving the database as it was."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from services.store.database import Database
from tests.services.import_files import (
    DMS_HEADERS,
    DMS_ROWS,
    MONTH_HEADERS,
    counts,
    customer_rows,
    dms_export,
    monthly_workbook,
    snapshot,
    write_csv,
    write_xlsx,
)
from tests.test_cli import assert_user_error

ROOT = Path(__file__).resolve().parent.parent


def _command(database: Database, *args: str) -> list[str]:
    url = database.engine.url.render_as_string(hide_password=False)
    return [sys.executable, str(ROOT / "main.py"), "--db", url, "import", *args]


def run(database: Database, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(_command(database, *args), capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=ROOT, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_dry_run_then_import_with_error_file_then_undo(database, tmp_path):
    path = dms_export(tmp_path / "保有客户明细.xlsx")
    dry = run(database, "customers", str(path), "--dry-run")
    assert "dry run of 保有客户明细.xlsx" in dry.stdout
    assert "客户姓名 ← 车主姓名" in dry.stdout
    assert "nothing was written" in dry.stdout
    assert counts(database) == {}

    errors = tmp_path / "未导入.xlsx"
    done = run(database, "customers", str(path), "--errors", str(errors))
    found = re.search(r"^import batch #(\d+): 保有客户明细.xlsx", done.stdout, re.M)
    assert found, done.stdout
    batch = found[1]
    assert f"rows not imported (3) and rows imported with notes (1) written to {errors}" \
        in done.stdout
    assert "100%" in done.stderr  # progress on stderr
    assert counts(database)["customer"] == 3
    rows = list(openpyxl.load_workbook(errors).active.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "问题" and len(rows) == 4

    again = run(database, "customers", str(path), "--errors", str(errors))
    assert f"the same file was imported before: batch #{batch}" in again.stdout
    assert re.search(r"^  unchanged +无变化 +4$", again.stdout, re.M)
    listed = run(database, "batches")
    assert f"#{batch} " in listed.stdout and "保有客户明细.xlsx" in listed.stdout
    later = re.search(r"^import batch #(\d+):", again.stdout, re.M)
    assert later, again.stdout
    # The second import counts the first one's customers as its rows (unchanged): undoing the
    # first alone would delete them from under it.
    assert_user_error(run(database, "undo", batch, ok=False),
                      f"the later batch #{later[1]} (保有客户明细.xlsx) counts 7 of its records")
    run(database, "undo", later[1])
    undone = run(database, "undo", batch)
    assert f"import batch #{batch} undone" in undone.stdout
    assert counts(database) == {}
    assert "undone" in run(database, "batches").stdout


def test_a_saved_mapping_is_used_by_name_for_the_next_file(database, tmp_path):
    first = dms_export(tmp_path / "一月.xlsx", DMS_ROWS[:1])
    run(database, "customers", str(first), "--dry-run", "--save-mapping", "DMS保有")
    assert "DMS保有" in run(database, "mappings").stdout
    order = [2, 3, 6, 1, 4, 5, 0, 7, 8, 9, 10, 11, 12]  # the next export moved its columns
    second = write_xlsx(tmp_path / "二月.xlsx", [DMS_HEADERS[i] for i in order],
                        [[row[i] for i in order] for row in DMS_ROWS[:2]])
    done = run(database, "customers", str(second), "--mapping", "DMS保有")
    assert counts(database)["vehicle"] == 2 and "create" in done.stdout
    run(database, "delete-mapping", "customers", "DMS保有")
    assert "no saved mappings" in run(database, "mappings").stdout


@pytest.mark.parametrize("args, fragment", [
    (("customers", "没有这个文件.xlsx"), "There is no file"),
    (("undo", "99"), "no import batch #99"),
    (("customers", "{file}", "--mapping", "没有"), "no saved mapping '没有'"),
    (("customers", "{file}", "--errors", "/no/such/folder/e.xlsx"), "does not exist"),
    (("customers", "{file}", "--match", "phone"), "Unknown matching rule 'phone'"),
    (("customers", "{file}", "--errors", "{file}"), "cannot be the file being imported"),
    (("visits", "{other}"), "mapped to 进厂日期"),
    # Empty files, a header not found or asked for where there is none: said as such, not as
    # a column not mapped.
    (("customers", "{empty}"), "The file 空.csv is empty (0 bytes)"),
    (("customers", "{blank}"), "No row of column headers was found in 空白.xlsx"),
    (("customers", "{file}", "--header-row", "999"), "Row 999 of 保有客户明细.xlsx holds no"),
    (("customers", "{file}", "--header-row", "0"), "counted from 1"),
    (("customers", "{file}", "--header-row=-1"), "counted from 1"),
    (("customers", "{folder}"), "is a folder: name the file"),
    (("customers", "{file}", "--errors", "{folder}/问题.csv"), "name ending in .xlsx"),
])
def test_mistakes_are_one_line_and_exit_2(database, tmp_path, args, fragment):
    path = dms_export(tmp_path / "保有客户明细.xlsx")
    other = write_xlsx(tmp_path / "爱好.xlsx", ["姓名", "爱好"], [["张三", "钓鱼"]])
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    blank = write_xlsx(tmp_path / "空白.xlsx", [], [])
    result = run(database, *(a.format(file=path, other=other, empty=empty, blank=blank,
                                      folder=tmp_path) for a in args), ok=False)
    assert result.returncode == 2
    assert_user_error(result, fragment)
    assert counts(database) == {}


def test_a_dry_run_names_the_sheets_it_did_not_read_and_says_it_saved_the_mapping(
        database, tmp_path):
    path = dms_export(tmp_path / "保有客户明细.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("二网客户").append(["车主姓名", "联系电话"])
    book.save(path)
    dry = run(database, "customers", str(path), "--dry-run", "--save-mapping", "DMS")
    assert "other sheets, not read: 二网客户 (read one with --sheet NAME)" in dry.stdout
    assert "mapping saved as 'DMS' for customers files (a dry run saves the mapping all the " \
        "same)" in dry.stdout
    assert counts(database) == {"import_mapping": 1}  # and nothing else


def test_a_dry_run_names_the_columns_it_leaves_out_a_headerless_one_by_its_letter(
        database, tmp_path):
    """A column whose header cell is empty still holds values (a clerk's notes typed beside
    the export); the dry run says it is not imported, as it says of a header it cannot map."""
    path = tmp_path / "车主.csv"
    path.write_text("姓名,手机,,车牌,客户等级XYZ\n张三,13812345678,VIP老客户,粤A12345,A\n",
                    encoding="utf-8")
    dry = run(database, "customers", str(path), "--dry-run")
    line = next(x for x in dry.stdout.splitlines() if x.startswith("  not imported:"))
    assert line == "  not imported: column C (no header); 客户等级XYZ"
    assert counts(database) == {}


def test_a_file_of_another_kind_is_refused_with_the_command_for_its_kind(database, tmp_path):
    path = tmp_path / "满意度 回访.csv"
    path.write_text("回访日期,车牌,客户姓名,满意度,服务态度,客户意见\n"
                    "2026-11-02,粤A12345,张三,9,10,很满意\n", encoding="utf-8")
    for dry in ((), ("--dry-run",)):
        refused = run(database, "complaints", str(path), *dry, ok=False)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1
        assert "looks like a satisfaction surveys file, not complaints" in refused.stderr
        assert refused.stderr.rstrip().endswith(
            f'The command: revisit import surveys "{path}"{" --dry-run" if dry else ""}')
    assert counts(database) == {}


def test_a_dry_run_that_would_rename_a_customer_says_so(database, tmp_path):
    run(database, "customers", str(dms_export(tmp_path / "保有客户明细.xlsx")))
    other = [[20, "粤A88888", "张叁", "13800138080", "大众", "高尔夫", None, None, None, None,
              None, None, None]]  # on 张三's mobile, a name that sounds the same
    path = dms_export(tmp_path / "家人.xlsx", other)
    dry = run(database, "customers", str(path), "--dry-run")
    assert "note: 1 stored customer(s) would get another name (matched by mobile or VIN under " \
        "a name that sounds the same); another person? use --match name_mobile,vin" in dry.stdout
    apart = run(database, "customers", str(path), "--dry-run", "--match", "name_mobile,vin")
    assert "would get another name" not in apart.stdout


def test_a_process_killed_while_writing_leaves_an_unfinished_batch_undo_removes(database,
                                                                               tmp_path):
    """An import commits a chunk at a time (colleagues' edits never wait for a whole file), so
    a killed import leaves the chunks it committed, as an unfinished batch; undoing it puts
    the database back as it was before the file."""
    run(database, "customers", str(dms_export(tmp_path / "first.xlsx")))
    before = snapshot(database)
    big = dms_export(tmp_path / "big.xlsx", customer_rows(30000))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(_command(database, "customers", str(big)), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        # Killed once a chunk is committed: killed before, nothing of it is stored and it is
        # listed as interrupted.
        while not _rows_stored(database, 2):
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    database.engine.dispose()
    listed = run(database, "batches").stdout
    assert re.search(r"^#2 .* unfinished", listed, re.M), listed
    assert "import batch #2 undone" in run(database, "undo", "2").stdout
    assert snapshot(database) == before


def _rows_stored(database: Database, batch: int) -> int:
    """The rows batch `batch` has committed so far (0 before its first chunk is in)."""
    with database.engine.connect() as conn:
        return conn.scalar(text("SELECT rows_total FROM import_batch WHERE id = :id"),
                           {"id": batch}) or 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_import_stopped_by_a_signal_says_what_it_stored_and_the_file_again_completes_it(
        database, tmp_path, stop):
    """A scheduled import ended by SIGTERM (or Ctrl+C) says in its log, in one line, what it
    stored and what to do; importing the file again completes it, and undoing that import
    undoes both."""
    run(database, "customers", str(dms_export(tmp_path / "first.xlsx")))
    before = snapshot(database)
    big = dms_export(tmp_path / "big.xlsx", customer_rows(30000))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen(
        _command(database, "customers", str(big)), cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8",
        # As from a terminal: a shell running this in the background would ignore SIGINT.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not _rows_stored(database, 2):
            assert proc.poll() is None, "the import ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert proc.poll() is None
        os.kill(proc.pid, stop)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130 and "Traceback" not in err, err
    said = [line for line in err.splitlines() if line.startswith("revisit:")]
    assert len(said) == 1, err
    found = re.fullmatch(r"revisit: import stopped: ([\d,]+) of 30,000 rows stored as batch #2 "
                         r"\(unfinished\); import the file again to finish it, or take them "
                         r"back with `import undo 2`\.", said[0])
    assert found, said[0]
    stored = found[1]
    assert 0 < int(stored.replace(",", "")) < 30000
    database.engine.dispose()
    listed = run(database, "batches").stdout
    assert re.search(rf"^#2 .* rows {stored}: new {stored}, updated 0, unchanged 0, rejected 0  "
                     r"unfinished", listed, re.M), listed
    assert counts(database)["customer"] == len(before["customer"]) + int(stored.replace(",", ""))

    again = run(database, "customers", str(big))
    assert "completes the stopped import #2 of this file" in again.stdout
    assert re.search(rf"^  unchanged +无变化 +{stored}$", again.stdout, re.M), again.stdout
    assert_user_error(run(database, "undo", "2", ok=False),
                      "Undo batch #3, which takes #2 with it.")
    undone = run(database, "undo", "3").stdout
    assert "import batch #3 undone with the stopped import #2 of the same file" in undone
    assert snapshot(database) == before


def test_all_sheets_imports_each_sheet_with_the_same_columns_as_its_own_batch(database,
                                                                             tmp_path):
    path = monthly_workbook(tmp_path / "2026保有客户.xlsx")
    done = run(database, "customers", str(path), "--all-sheets")
    out = done.stdout
    assert "other sheets with these columns: 2月; 5月" in out
    for batch, sheet in ((1, "1月"), (2, "2月"), (3, "5月")):
        assert f"import batch #{batch}: 2026保有客户.xlsx (客户及车辆, sheet {sheet})" in out
    assert "sheets with other columns, not read: 汇总; 3月 (read one with --sheet NAME)" in out
    assert "other sheets, not read" not in out  # said once, at the end
    # The too-short phone of 5月 kept with a note, in that sheet's own problems file.
    problems = tmp_path / "2026保有客户-导入问题-5月.xlsx"
    assert f"written to {problems}" in out
    rows = list(openpyxl.load_workbook(problems).active.iter_rows(values_only=True))
    assert any("周七" in row for row in rows)
    assert sorted(p.name for p in tmp_path.glob("*导入问题*")) == [problems.name]
    with database.engine.connect() as c:
        assert c.execute(text("SELECT sheet, rows_created FROM import_batch ORDER BY id")).all() \
            == [("1月", 2), ("2月", 1), ("5月", 2)]
    # A dry run of it again: each sheet says it was imported before, nothing is written.
    dry = run(database, "customers", str(path), "--all-sheets", "--dry-run")
    assert dry.stdout.count("the same file was imported before") == 3
    assert "nothing was written" in dry.stdout


def test_all_sheets_passes_over_a_sheet_of_headers_only_and_a_file_of_them_is_refused(
        database, tmp_path):
    path = tmp_path / "2026保有客户.xlsx"
    wb = openpyxl.Workbook()
    for name, row in (("11月", ["张一", "13800138001", "粤A10001", "2020-01-05", None]),
                      ("12月", None), ("1月", ["张二", "13800138002", "粤A10002", None, None])):
        ws = wb.active if name == "11月" else wb.create_sheet(name)
        ws.title = name
        ws.append(MONTH_HEADERS)
        if row:
            ws.append(row)
    wb.save(path)
    out = run(database, "customers", str(path), "--all-sheets").stdout
    assert "sheets with these columns and no rows below them, not read: 12月" in out
    assert "other sheets with these columns: 1月" in out and "other columns" not in out
    with database.engine.connect() as c:
        assert c.execute(text("SELECT sheet FROM import_batch ORDER BY id")).scalars().all() \
            == ["11月", "1月"]
    empty = write_csv(tmp_path / "客户.csv", MONTH_HEADERS, [])
    for dry in ((), ("--dry-run",)):
        assert_user_error(run(database, "customers", str(empty), *dry, ok=False),
                          "The file 客户.csv has no rows below its column headers, so nothing "
                          "was imported.")
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM import_batch")).scalar() == 2
