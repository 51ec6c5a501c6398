"""`list build / show / print / outcomes / unsubscribe` through main.py on a real SQLite file."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from services.demo import DEMO_PASSWORD
from tests.conftest import non_root
from tests.test_cli import assert_user_error

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"


def run(db: Path, *args: str, ok: bool = True,
        user: str = "supervisor") -> subprocess.CompletedProcess:
    """main.py on `db` as a demo account (the supervisor by default: its files have full
    mobiles; `user=""`: nobody named)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVISIT_USER": user,
           "REVISIT_PASSWORD": DEMO_PASSWORD}
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{db}", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def _sql(db: Path, statement: str, *params: object) -> list:
    """One statement on `db` by a process of its own, committed, its rows as JSON lists: the
    test process holds no connection to the file that the CLI's processes write (see _copy)."""
    code = ("import json, sqlite3, sys\n"
            "con = sqlite3.connect(sys.argv[1])\n"
            "rows = con.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()\n"
            "con.commit()\ncon.close()\nprint(json.dumps(rows))")
    done = subprocess.run([sys.executable, "-c", code, str(db), statement, json.dumps(params)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "revisit.sqlite3"
    run(path, "demo", "--customers", "200", "--seed", "4", "--today", TODAY)
    segment = tmp_path_factory.mktemp("seg") / "seg.json"
    segment.write_text(json.dumps({"name": "老车主", "purpose": "care", "filter": {
        "version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 3}}},
        ensure_ascii=False), encoding="utf-8")
    run(path, "segment", "import", str(segment))
    return path


def test_build_writes_call_list_and_show_reports_it(db, tmp_path):
    out = tmp_path / "calls.xlsx"
    built = run(db, "list", "build", "老车主", "--channel", "call", "--staff", "chenli,liuyang",
                "--as-of", TODAY, "--format", "xlsx", "--out", str(out))
    assert "list run #1" in built.stdout
    assert "  caller 陈丽: " in built.stdout and "  caller 刘洋: " in built.stdout
    # A mail run hands no calls to anyone: no caller lines of 0.
    mailed = run(db, "list", "build", "老车主", "--channel", "mail", "--staff", "chenli",
                 "--as-of", TODAY, "--format", "xlsx", "--out", str(tmp_path / "mail.xlsx"))
    assert "list run #2" in mailed.stdout and "caller" not in mailed.stdout
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:2] == ("编号", "回访员") and len(body) > 0
    assert {r[1] for r in body} <= {"陈丽", "刘洋"}
    shown = run(db, "list", "show", "1")
    assert "list run #1" in shown.stdout and "'老车主'" in shown.stdout

    pdf = tmp_path / "again.pdf"
    run(db, "list", "print", "1", "--format", "pdf", "--out", str(pdf))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert body[0][0] in text and body[0][3] in text  # row id and name printed


def test_callers_named_one_option_each_all_get_calls(db, tmp_path):
    """--staff given once per caller names them all; it kept the last one only, so one
    caller got every call."""
    # Dated weeks before the module's other runs: no other list's customers wait on it.
    built = run(db, "list", "build", "老车主", "--channel", "call", "--staff", "chenli",
                "--staff", "liuyang", "--as-of", "2026-09-01", "--format", "xlsx",
                "--out", str(tmp_path / "calls.xlsx"))
    assert "  caller 陈丽: " in built.stdout and "  caller 刘洋: " in built.stdout


@pytest.mark.parametrize("args", [("--channel", "call", "--format", "xlsx"),
                                  ("--format", "pdf")])
def test_a_run_with_nobody_to_contact_is_not_stored_and_says_so(db, tmp_path, args):
    # Nobody had owned a car three years by 2001: the segment is empty that day. Nothing to
    # do is said, and is no failure (exit 0); no run is stored to be re-printed empty.
    before = run(db, "list", "show").stdout
    out = tmp_path / "week"
    built = run(db, "list", "build", "老车主", "--as-of", "2001-01-01", *args, "--out", str(out))
    assert ("The segment '老车主' has nobody on 2001-01-01, so no list was made and nothing "
            f"was stored. No file was written to {out}." in built.stdout)
    assert "list run #" not in built.stdout
    assert run(db, "list", "show").stdout == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_list_written_while_a_run_is_built_is_the_one_list_print_writes(db, tmp_path, fmt):
    built, printed = tmp_path / f"built.{fmt}", tmp_path / f"printed.{fmt}"
    out = run(db, "list", "build", "老车主", "--channel", "call", "--staff", "chenli",
              "--as-of", TODAY, "--format", fmt, "--out", str(built), user="chenli").stdout
    run_id = re.search(r"list run #(\d+)", out).group(1)
    assert f"list run #{run_id} finished: its calls are in the callers' queues" in out
    assert f"wrote {built}" in out and "phone numbers masked (138****8000, 022-****7682)" in out
    run(db, "list", "print", run_id, "--format", fmt, "--out", str(printed), user="chenli")
    if fmt == "csv":
        assert built.read_bytes() == printed.read_bytes()
        assert "****" in built.read_text(encoding="utf-8-sig")  # a clerk's: masked
    else:
        with zipfile.ZipFile(built) as a, zipfile.ZipFile(printed) as b:
            assert a.namelist() == b.namelist()
            assert all(a.read(n) == b.read(n) for n in a.namelist())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([built.name, printed.name])
    # Both recorded as written, by whom, with what.
    with contextlib.closing(sqlite3.connect(db)) as conn:
        exports = [json.loads(d) for (d,) in conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'export_list_file' AND entity_id = ? "
            "ORDER BY id", (int(run_id),))]
    assert [(e["file"], e["full_phones"]) for e in exports] == [
        (built.name, False), (printed.name, False)]
    assert exports[0]["rows"] == exports[1]["rows"] > 0


def test_a_list_streamed_alone_is_finished_from_the_runs_counts(db, tmp_path, monkeypatch,
                                                                capsys):
    # Its members are neither kept by the build nor read back (106,607 of them held 120 MB).
    from services.lists import build, runs
    from ui.cli import run as cli

    copy = _copy(db, tmp_path / "copy.sqlite3")
    summaries = []
    real = build.build_run

    def build_run(*args, **kwargs):
        summaries.append(real(*args, **kwargs))
        return summaries[-1]

    def read_back(*args, **kwargs):
        raise AssertionError("the run was read back")

    monkeypatch.setattr(build, "build_run", build_run)
    monkeypatch.setattr(runs, "load_document", read_back)
    monkeypatch.setenv("REVISIT_USER", "supervisor")
    monkeypatch.setenv("REVISIT_PASSWORD", DEMO_PASSWORD)
    out = tmp_path / "calls.xlsx"
    assert cli(["--db", f"sqlite:///{copy}", "list", "build", "老车主", "--channel", "call",
                "--as-of", TODAY, "--format", "xlsx", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    (summary,) = summaries
    assert summary.document is None
    body = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(
        min_row=2, values_only=True))
    assert len(body) == summary.by_channel["call"] == summary.members > 0
    # Built without --staff: its calls went to no caller, and it says so (it said they were
    # in the callers' queues).
    assert (f"list run #{summary.run_id} finished: it was built without callers (--staff), so "
            f"its {len(body)} calls are assigned to nobody and in no follow-up queue") in said
    assert "masked" not in said  # the supervisor's file: full mobiles


def test_a_list_cancelled_while_its_files_are_written_says_its_run_is_kept(
        db, tmp_path, monkeypatch, capsys):
    """Ctrl+C (or SIGTERM) while the files are written: the run stored before them stays,
    unfinished, and the command says so and how to finish it, not only "nothing changed"."""
    from services.lists import runs
    from ui.cli import EXIT_CANCELLED, list_commands
    from ui.cli import run as cli

    copy = _copy(db, tmp_path / "copy.sqlite3")

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(list_commands, "write_files", interrupted)
    monkeypatch.setenv("REVISIT_USER", "supervisor")
    monkeypatch.setenv("REVISIT_PASSWORD", DEMO_PASSWORD)
    out = tmp_path / "out" / "calls.pdf"
    out.parent.mkdir()
    assert cli(["--db", f"sqlite:///{copy}", "list", "build", "老车主", "--channel", "call",
                "--as-of", TODAY, "--out", str(out)]) == EXIT_CANCELLED
    said = capsys.readouterr().err
    run_id = int(re.search(r"list run #(\d+) is kept unfinished", said).group(1))
    assert (f"its calls are in nobody's queue until `list print {run_id} --out FILE` writes "
            f"its files.") in said
    assert said.rstrip().endswith("nothing was changed by the unfinished step.")
    from services.store.database import open_database

    database = open_database(f"sqlite:///{copy}")
    try:
        assert not runs.is_finished(database.sessions, run_id)
    finally:
        database.dispose()
    assert list(out.parent.iterdir()) == []


def test_a_build_that_fails_after_its_list_was_begun_leaves_no_file(db, tmp_path):
    out = tmp_path / "calls.xlsx"
    failed = run(db, "list", "build", "老车主", "--channel", "call", "--staff", "nobody",
                 "--as-of", TODAY, "--out", str(out), ok=False)
    assert failed.returncode == 2 and "no staff member 'nobody'" in failed.stderr
    assert list(tmp_path.iterdir()) == []


def test_outcomes_typed_into_the_excel_come_back_once(db, tmp_path):
    out = tmp_path / "week.xlsx"
    run(db, "list", "build", "老车主", "--channel", "call", "--staff", "chenli",
        "--as-of", TODAY, "--format", "xlsx", "--out", str(out))
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    ws.cell(2, col["结果"], "接通")
    ws.cell(2, col["客户反馈"], "下个月想看看新车")
    ws.cell(3, col["结果"], "不知道")  # not an outcome: reported by row number
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    first = run(db, "list", "outcomes", str(filled), ok=False)
    assert first.returncode == 1
    assert "1 contacts stored" in first.stdout and "row 3" in first.stdout
    again = run(db, "list", "outcomes", str(filled), ok=False)
    assert "0 contacts stored" in again.stdout and "1 already read before" in again.stdout


def test_bad_inputs_are_one_clear_line(db, tmp_path):
    missing = run(db, "list", "build", "没有这个分群", "--out", str(tmp_path / "x.pdf"), ok=False)
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("revisit: error:") and "没有这个分群" in missing.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet")
    bad = run(db, "list", "outcomes", str(junk), ok=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    runs_before = run(db, "list", "show").stdout
    unwritable = run(db, "list", "build", "老车主", "--as-of", TODAY, "--format", "xlsx",
                     "--out", str(tmp_path / "no-such-folder" / "x.xlsx"), ok=False)
    assert unwritable.returncode == 2
    assert unwritable.stderr.count("\n") == 1 and "no-such-folder" in unwritable.stderr
    # A Word name: a PDF or workbook under it would open in the wrong program.
    word = run(db, "list", "build", "老车主", "--as-of", TODAY, "--out", str(tmp_path / "w.docx"),
               ok=False)
    assert word.returncode == 2 and word.stderr.count("\n") == 1
    assert "w.docx" in word.stderr and ".pdf, .xlsx or .csv" in word.stderr
    assert run(db, "list", "show").stdout == runs_before  # no run was stored
    assert not list(tmp_path.glob("w*"))


@non_root
def test_a_read_only_folder_is_said_before_the_run_is_built(db, tmp_path):
    runs_before = run(db, "list", "show").stdout
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        refused = run(db, "list", "build", "老车主", "--as-of", TODAY,
                      "--out", str(folder / "x.pdf"), ok=False)
    finally:
        folder.chmod(0o755)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "Nothing can be written in the folder" in refused.stderr and "locked" in refused.stderr
    assert run(db, "list", "show").stdout == runs_before  # no run was stored
    assert os.listdir(folder) == []


def test_a_tilde_in_the_file_name_is_the_home_folder(db, tmp_path, monkeypatch):
    """Windows' cmd passes ~ as typed: the folder was checked as the home folder, but the
    files were written under a folder named ~ that was not there, after the run was built."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    built = run(db, "list", "build", "老车主", "--channel", "call", "--as-of", TODAY,
                "--out", "~/第49周.pdf")
    assert "finished" in built.stdout
    assert (home / "第49周.pdf").read_bytes().startswith(b"%PDF")
    assert not (ROOT / "~").exists()


def test_a_template_key_builds_a_list_and_codes_print_as_chinese(db, tmp_path):
    import re

    # Weeks after the module's other lists, whose customers would still be waiting on them.
    built = run(db, "list", "build", "matrix.7+.high", "--as-of", "2027-01-04", "--format",
                "xlsx", "--out", str(tmp_path / "t.xlsx"))
    # A satisfied owner of an old car: a sales list (a new car offered), consent asked.
    first = int(re.search(r"list run #(\d+) of 'matrix.7\+.high' \(2027-01-04, 销售\)",
                          built.stdout).group(1))
    channels = [line.split()[0] for line in built.stdout.splitlines()
                if re.fullmatch(r"  \S+\s+[\d,]+", line)]
    assert channels and set(channels) <= {"电话", "邮寄", "短信", "微信", "上门拜访"}
    # Saved under its key, so next week's run of it compares with this one.
    listed = run(db, "segment", "list").stdout
    assert "matrix.7+.high\t换车九宫格：7+年 × 满意度高（9–10）" in listed
    # Next week's, as care (no consent asked): one of them, with an address and no refusal,
    # has asked for letters since, so the run has mailing labels whatever the demo drew.
    [(letters,)] = _sql(
        db, "SELECT m.customer_id FROM list_run_member m JOIN customer c ON c.id = m.customer_id"
        " WHERE m.run_id = ? AND c.street IS NOT NULL AND c.postcode IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM do_not_contact d WHERE d.customer_id = c.id)"
        " ORDER BY m.customer_id LIMIT 1", first)
    _sql(db, "DELETE FROM contact_preference WHERE customer_id = ?", letters)
    _sql(db, "INSERT INTO contact_preference (customer_id, channel_order, first_channel,"
         " preferred_days, language, updated_at, version) VALUES (?, 'mail,phone,sms', 'mail',"
         " 'any', 'zh', '2027-01-05 09:00:00.000000', 1)", letters)
    again = run(db, "list", "build", "matrix.7+.high", "--as-of", "2027-01-11", "--format",
                "pdf", "--purpose", "care", "--out", str(tmp_path / "t2.pdf"))
    second = int(re.search(r"list run #(\d+)", again.stdout).group(1))
    # The sheet and the list of runs name the segment as staff read it, not by its key.
    title = "换车九宫格：7+年 × 满意度高（9–10）"
    printed = subprocess.run(["pdftotext", str(tmp_path / "t2.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
    assert "".join(f"分群：{title}".split()) in "".join(printed.split())  # the call sheet
    assert "matrix.7+.high" not in printed
    labels = subprocess.run(["pdfinfo", str(tmp_path / "t2-mail.pdf")], capture_output=True,
                            text=True, check=True).stdout
    assert f"邮寄标签 {title}" in labels  # the mailing labels' document title
    assert _sql(db, "SELECT channel FROM list_run_member WHERE run_id = ? AND customer_id = ?",
                second, letters) == [["mail"]]
    assert re.search(rf"#{second}\s.*{re.escape(title)}", run(db, "list", "show").stdout)
    shown = run(db, "list", "show", str(second)).stdout
    assert f"since run #{first}:" in shown
    assert "purpose 关怀, channel 按客户偏好" in shown
    assert not re.search(r"\b(phone|call|sms|mail|care)\b", shown)


def test_a_run_whose_file_cannot_be_written_stays_unfinished_until_reprinted(db, tmp_path):
    import re

    # A name longer than the file system takes (255 bytes): the folder is there, so the run is
    # stored; its file cannot be made. (A folder where the file should go is refused before.)
    taken = tmp_path / ("名单" * 50 + ".xlsx")
    failed = run(db, "list", "build", "老车主", "--channel", "call", "--staff", "chenli",
                 "--as-of", TODAY, "--format", "xlsx", "--out", str(taken), ok=False)
    assert failed.returncode == 2
    [line] = [x for x in failed.stderr.splitlines() if x.startswith("revisit:")]
    assert str(taken) in line and "is kept unfinished" in line
    run_id = int(re.search(r"List run #(\d+) is kept unfinished", line).group(1))
    assert f"until `list print {run_id} --out FILE` writes its files" in line
    assert list(tmp_path.iterdir()) == []  # no scratch left behind
    listed = run(db, "list", "show").stdout
    assert re.search(rf"#{run_id}\s.*\(unfinished 未完成\)", listed)
    shown = run(db, "list", "show", str(run_id)).stdout
    assert "unfinished 未完成: its files were never completed" in shown
    out = tmp_path / "week.xlsx"
    printed = run(db, "list", "print", str(run_id), "--format", "xlsx", "--out", str(out))
    assert f"list run #{run_id} finished" in printed.stdout and out.exists()
    assert "unfinished" not in run(db, "list", "show", str(run_id)).stdout
    # Printing it again writes the file again and changes nothing else.
    again = run(db, "list", "print", str(run_id), "--format", "xlsx", "--out", str(out))
    assert "finished" not in again.stdout
    # A finished run whose re-print fails stays finished, and the error says nothing else.
    failed_again = run(db, "list", "print", str(run_id), "--format", "xlsx", "--out",
                       str(taken), ok=False)
    assert failed_again.returncode == 2 and str(taken) in failed_again.stderr
    assert "unfinished" not in failed_again.stderr
    assert "unfinished" not in run(db, "list", "show", str(run_id)).stdout


def test_a_later_build_says_which_unfinished_runs_it_replaced(db, tmp_path):
    """Unfinished runs a later build of the segment replaced do not pile up unexplained: the
    build names them, and `list show` says each one is replaced, not that it waits to be
    printed (a print of it would be refused: its customers would be called twice)."""
    import re

    taken = tmp_path / ("名单" * 50 + ".xlsx")  # too long a name: the run stays unfinished
    build = ("list", "build", "老车主", "--channel", "call", "--staff", "chenli",
             "--as-of", TODAY, "--format", "xlsx")
    stuck = [int(re.search(r"List run #(\d+) is kept unfinished",
                           run(db, *build, "--out", str(taken), ok=False).stderr).group(1))
             for _ in range(2)]
    done = run(db, *build, "--out", str(tmp_path / "week.xlsx")).stdout
    newer = int(re.search(r"list run #(\d+) finished", done).group(1))
    assert (f"it replaces the unfinished runs #{stuck[0]}, #{stuck[1]} of the same segment"
            in done)
    listed = run(db, "list", "show").stdout
    for old in stuck:
        assert re.search(rf"#{old}\s.*\(unfinished 未完成, replaced by #{newer} 已被#{newer}取代\)",
                         listed)
        shown = run(db, "list", "show", str(old)).stdout
        assert f"replaced by #{newer}" in shown and f"run #{newer}, built later" in shown
        assert "list print" not in shown
    assert not re.search(rf"#{newer}\s.*\(", listed)  # the new run is simply finished
    # A run finished later replaces none: the next build names no run.
    again = run(db, *build, "--out", str(tmp_path / "week2.xlsx")).stdout
    assert "replaces" not in again


def test_wechat_list_and_the_sms_estimate_before_any_file(db, tmp_path):
    out = tmp_path / "chat.xlsx"
    built = run(db, "list", "build", "老车主", "--channel", "wechat", "--as-of", TODAY,
                "--format", "xlsx", "--out", str(out),
                "--message", "{称呼}您好，{店名}祝您用车愉快")
    run_id = built.stdout.split("list run #")[1].split()[0]
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    head, body = rows[0], rows[1:]
    assert head[4] == "微信号" and len(body) > 0
    assert all(r[4] and r[6].endswith("祝您用车愉快") and "{" not in r[6] for r in body)

    sms = run(db, "list", "build", "老车主", "--channel", "sms", "--as-of", TODAY,
              "--format", "xlsx", "--out", str(tmp_path / "texts.xlsx"))
    sms_run = sms.stdout.split("list run #")[1].split()[0]
    # Without a message the SMS list is the numbers alone, and the command says so.
    assert "no --sms-template given, so the SMS list holds the numbers without" in sms.stdout
    before = set(os.listdir(tmp_path))
    shown = run(db, "list", "sms", sms_run, "--template", "{称呼}您好，{车型|爱车}该保养了",
                "--format", "json")
    assert set(os.listdir(tmp_path)) == before  # the estimate writes nothing
    estimate = json.loads(shown.stdout)
    written = run(db, "list", "print", sms_run, "--format", "xlsx",
                  "--out", str(tmp_path / "vendor.xlsx"),
                  "--sms-template", "{称呼}您好，{车型|爱车}该保养了",
                  "--send-at", f"{TODAY}T10:00")
    # The estimate printed before writing matches the file's own count of billed messages.
    assert f"SMS file — numbers: {estimate['messages']:,}, billed parts: " \
           f"{estimate['parts']:,}" in written.stdout
    assert "no --sms-template" not in written.stdout
    assert run(db, "list", "sms", run_id, "--template", "x", ok=False).returncode != 0


def _copy(db: Path, target: Path) -> Path:
    """The database copied by SQLite's backup, never as a plain file. On Linux, closing any
    descriptor of a file drops every POSIX lock this process holds on it, so a plain copy
    (open, read, close) taken while a connection of this process had the file open let the
    next CLI process think itself the file's last user: it folded in and deleted the
    write-ahead log and its index, and this process's connections then read the file as
    "malformed" (reproduced with two connections and shutil.copy; SQLite's "How To Corrupt"
    page, section 2.2). A plain copy also misses what the log holds."""
    source, copy = sqlite3.connect(db), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


@pytest.fixture
def own_db(db, tmp_path) -> Path:
    """A copy of the module's database, for tests that change customers or settings."""
    return _copy(db, tmp_path / "own.sqlite3")


def _edit(db: Path, sql: str, *params) -> list[str]:
    """Run `sql` (an UPDATE … RETURNING name) on the file: the names it changed."""
    with contextlib.closing(sqlite3.connect(db)) as con, con:
        return [r[0] for r in con.execute(sql, params).fetchall()]


WECHAT_CARS = ("UPDATE vehicle SET brand = '', model = '' WHERE customer_id IN ("
               "SELECT c.id FROM customer c JOIN contact_preference p ON p.customer_id = c.id "
               "WHERE p.channel_order LIKE 'wechat%' AND c.wechat_id IS NOT NULL "
               "ORDER BY c.id LIMIT ?) RETURNING (SELECT name FROM customer "
               "WHERE customer.id = vehicle.customer_id)")


def test_a_wechat_list_is_reported_before_it_is_written_naming_who_is_left_out(own_db,
                                                                              tmp_path):
    lacking = set(_edit(own_db, WECHAT_CARS, 2))
    out = tmp_path / "chat.xlsx"
    built = run(own_db, "list", "build", "老车主", "--channel", "wechat", "--as-of", TODAY,
                "--format", "xlsx", "--out", str(out),
                "--message", "{称呼}您好，您的{车型}该保养了")
    lines = built.stdout.splitlines()
    preview = next(i for i, x in enumerate(lines) if x.startswith("WeChat preview — "))
    wrote = next(i for i, x in enumerate(lines) if x.startswith("wrote "))
    assert preview < wrote  # reported before it is written
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(
        min_row=2, values_only=True))
    assert re.fullmatch(rf"WeChat preview — messages: {len(rows):,}, left out: 2 "
                        rf"\(WeChat members: {len(rows) + 2:,}\)", lines[preview])
    named = lines[preview + 1]
    assert named.startswith("  缺少合并字段 车型：")
    assert {who.split(" ", 1)[1] for who in named.split("：", 1)[1].split("、")} == lacking
    assert rows[0][6] in built.stdout  # the first messages as they will be pasted
    assert f"WeChat list — messages: {len(rows):,}, left out: 2 (缺少合并字段：车型 ×2)" in lines
    # No calls in a WeChat run: nothing said about callers' queues.
    assert re.search(r"^list run #\d+ finished$", built.stdout, re.M)
    assert "queue" not in built.stdout


def test_bad_messages_and_send_times_are_refused_before_a_run_is_stored(db, tmp_path):
    before = run(db, "list", "show").stdout
    for bad, words in (
            (("--channel", "wechat", "--message", "{生日}快乐"), "{生日}"),
            (("--channel", "wechat", "--message", "您的{车型|}该保养了"), "{车型|}"),
            (("--channel", "sms", "--sms-template", "{称呼}您好", "--send-at",
              f"{TODAY}T22:00"), "between 08:00 and 20:00")):
        refused = run(db, "list", "build", "老车主", "--as-of", TODAY, "--format", "xlsx",
                      "--out", str(tmp_path / "x.xlsx"), *bad, ok=False)
        assert refused.returncode == 2 and words in refused.stderr, refused.stderr
        assert "unfinished" not in refused.stderr
    assert run(db, "list", "show").stdout == before  # no run was stored
    assert list(tmp_path.iterdir()) == []


def test_the_aliyun_csv_holds_the_variables_as_sent(own_db, tmp_path):
    _edit(own_db, "UPDATE customer SET name = '=SUM(1)' WHERE id IN (SELECT c.id FROM "
          "customer c JOIN contact_preference p ON p.customer_id = c.id WHERE "
          "p.channel_order LIKE 'sms%' ORDER BY c.id LIMIT 20) RETURNING name")
    run(own_db, "settings", "set", "sms_vendor=aliyun")
    built = run(own_db, "list", "build", "老车主", "--channel", "sms", "--as-of", TODAY,
                "--format", "xlsx", "--out", str(tmp_path / "s.xlsx"))
    run_id = re.search(r"list run #(\d+)", built.stdout).group(1)
    out = tmp_path / "vendor.csv"
    printed = run(own_db, "list", "print", run_id, "--format", "csv", "--out", str(out),
                  "--sms-template", "{称呼}您好，{姓名}", "--send-at", f"{TODAY}T10:00")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    evil = [r for r in rows if r["name"] == "=SUM(1)"]
    assert evil and not any(v.startswith("'") for r in rows for v in r.values())
    with (tmp_path / "vendor-preview.csv").open(encoding="utf-8-sig", newline="") as fh:
        checked = {r["手机号码"]: r for r in csv.DictReader(fh)}
    sent = checked[evil[0]["手机号码"]]
    assert sent["短信内容"].endswith(f"{evil[0]['title']}您好，=SUM(1)，回T退订")
    assert int(sent["字数"]) == len(sent["短信内容"])  # the length of what is sent
    assert "messages: 1 " not in printed.stdout and not re.search(r"\b1 messages", printed.stdout)


def test_counts_print_without_plural_trouble_and_in_one_column(db, tmp_path):
    built = run(db, "list", "build", "老车主", "--as-of", TODAY, "--format", "xlsx",
                "--out", str(tmp_path / "all.xlsx"), "--sms-template", "{称呼}您好",
                "--send-at", f"{TODAY}T10:00")
    assert not re.search(r"\b1 (messages|numbers|parts)\b", built.stdout)
    counted = [line for line in built.stdout.splitlines() if re.fullmatch(r"  \S+\s+[\d,]+", line)]
    assert len(counted) > 1

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    assert len({width(line) for line in counted}) == 1  # the counts end in one column
    # Labels of mixed widths, as a run by preference or an English label gives them.
    from ui.cli.list_commands import _count_lines

    mixed = _count_lines({"call": 5, "visit": 1234, "sms": 12},
                         {"call": "Phone", "visit": "上门拜访", "sms": "短信"}.get)
    assert len({width(line) for line in mixed}) == 1
    assert [line.split()[0] for line in mixed] == ["Phone", "上门拜访", "短信"]


def test_a_blank_shop_name_never_leaves_a_hole_in_the_default_message(own_db, tmp_path):
    run(own_db, "settings", "set", "shop_name=")
    out = tmp_path / "chat.csv"
    run(own_db, "list", "build", "老车主", "--channel", "wechat", "--as-of", TODAY,
        "--format", "csv", "--out", str(out))
    with out.open(encoding="utf-8-sig", newline="") as fh:
        messages = [r["消息（复制粘贴发送）"] for r in csv.DictReader(fh)]
    assert messages and all("我是本店的回访专员" in m for m in messages)
    refused = run(own_db, "list", "build", "老车主", "--channel", "wechat", "--as-of", TODAY,
                  "--format", "csv", "--out", str(tmp_path / "x.csv"),
                  "--message", "{店名}祝您用车愉快", ok=False)
    assert refused.returncode == 2 and "Settings, Shop name" in refused.stderr


def test_envelopes_without_a_return_address_leave_no_file_at_all(own_db, tmp_path):
    """Every file of a print is checked before the first is written: the call sheet is not
    written only for the envelopes to be refused after it."""
    run(own_db, "settings", "set", "shop_address=")
    out = tmp_path / "out"
    out.mkdir()
    built = run(own_db, "list", "build", "老车主", "--channel", "auto", "--as-of", TODAY,
                "--format", "pdf", "--labels", "envelope-dl", "--out", str(out / "week.pdf"),
                ok=False)
    assert built.returncode == 2 and "return address" in built.stderr
    assert list(out.iterdir()) == []
    assert "list run #" not in built.stdout  # refused before a run was stored


def test_a_run_whose_later_file_fails_leaves_none_of_its_files(own_db, tmp_path):
    """A run's files are put in place together: when its mail list cannot be written, its
    call list is not left behind to be called from while the run is unfinished, and the files
    of those names from before are still there as they were."""
    out = tmp_path / "out"
    out.mkdir()
    # 250 bytes is a name the file system takes; with "-mail" it is over 255 and is not.
    long_week = out / ("周" * 80 + "x" * 5 + ".xlsx")
    long_week.write_bytes(b"last week's list")
    failed = run(own_db, "list", "build", "老车主", "--channel", "auto", "--as-of", TODAY,
                 "--format", "xlsx", "--out", str(long_week), ok=False)
    assert failed.returncode == 2 and "kept unfinished" in failed.stderr
    assert "wrote" not in failed.stdout
    assert [p.name for p in out.iterdir()] == [long_week.name]  # no scratch left either
    assert long_week.read_bytes() == b"last week's list"
    run_id = re.search(r"List run #(\d+) is kept unfinished", failed.stderr).group(1)

    # A folder where its SMS list should go: refused when the files are put in place, after
    # the call list's rename would have replaced last week's.
    week = out / "week.xlsx"
    week.write_bytes(b"last week's list")
    (out / "week-sms.xlsx").mkdir()
    again = run(own_db, "list", "print", run_id, "--format", "xlsx", "--out", str(week),
                ok=False)
    assert again.returncode == 2 and "week-sms.xlsx" in again.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([week.name, "week-sms.xlsx",
                                                            long_week.name])
    assert week.read_bytes() == b"last week's list"
    assert "unfinished" in run(own_db, "list", "show", run_id).stdout

    (out / "week-sms.xlsx").rmdir()
    printed = run(own_db, "list", "print", run_id, "--format", "xlsx", "--out", str(week))
    made = sorted(p.name for p in out.iterdir() if p.name.startswith("week"))
    assert made == ["week-mail.xlsx", "week-sms.xlsx", "week-wechat.xlsx", "week.xlsx"], made
    assert f"list run #{run_id} finished" in printed.stdout
    assert all(f"wrote {out / name}" in printed.stdout for name in made)
    header = next(openpyxl.load_workbook(week, read_only=True).active.iter_rows(
        values_only=True))
    assert header[:2] == ("编号", "回访员")


def test_a_name_no_font_can_print_is_written_and_warned_about(own_db, tmp_path):
    """A private-use character (no font has it) prints as □, and the command says who."""
    [name] = _edit(own_db, "UPDATE customer SET name = name || ? WHERE id = (SELECT MIN("
                   "customer_id) FROM contact_preference WHERE channel_order LIKE 'phone%') "
                   "RETURNING name", "\U000F0001")
    out = tmp_path / "calls.pdf"
    built = run(own_db, "list", "build", "老车主", "--channel", "call", "--as-of", TODAY,
                "--format", "pdf", "--out", str(out))
    assert out.stat().st_size > 0
    warning = next(x for x in built.stderr.splitlines() if x.startswith("revisit: warning:"))
    assert "calls.pdf" in warning and "U+F0001" in warning and name[:-1] in warning


def test_the_out_files_ending_chooses_the_format_and_a_contradiction_is_refused(db, tmp_path):
    built = run(db, "list", "build", "老车主", "--channel", "call", "--as-of", TODAY,
                "--out", str(tmp_path / "calls.xlsx"))
    run_id = re.search(r"list run #(\d+)", built.stdout).group(1)
    # No --format: an Excel list because the name says so, not a PDF beside it.
    assert sorted(os.listdir(tmp_path)) == ["calls.xlsx"]
    rows = list(openpyxl.load_workbook(tmp_path / "calls.xlsx", read_only=True).active
                .iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "回访员") and len(rows) > 1
    run(db, "list", "print", run_id, "--out", str(tmp_path / "again.csv"))
    with (tmp_path / "again.csv").open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == len(rows)
    run(db, "list", "print", run_id, "--out", str(tmp_path / "sheet"))  # no ending: a PDF
    assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")
    before = sorted(os.listdir(tmp_path))
    clash = run(db, "list", "print", run_id, "--format", "xlsx",
                "--out", str(tmp_path / "calls.pdf"), ok=False)
    assert clash.returncode == 2 and clash.stderr.count("\n") == 1
    assert "calls.pdf" in clash.stderr and "--format" in clash.stderr
    assert sorted(os.listdir(tmp_path)) == before


def test_a_list_revisit_made_is_refused_as_an_unsubscribe_file(own_db, tmp_path):
    """Read back as unsubscribes, the SMS file Revisit made blocked everyone it texts (and its
    call list everyone it calls): refused, naming the row, with nothing blocked."""
    out = tmp_path / "made" / "all.xlsx"
    out.parent.mkdir()
    run(own_db, "list", "build", "老车主", "--as-of", TODAY, "--out", str(out),
        "--sms-template", "{称呼}您好", "--send-at", f"{TODAY}T10:00")
    sms_run = run(own_db, "list", "build", "老车主", "--as-of", TODAY, "--channel", "sms",
                  "--format", "csv", "--out", str(tmp_path / "made" / "texts.csv"),
                  "--sms-template", "{称呼}您好", "--send-at", f"{TODAY}T10:00")
    assert sms_run.returncode == 0
    made = sorted(p for p in out.parent.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert len(made) >= 3 and any("sms" in p.name or "texts" in p.name for p in made)

    def blocked() -> int:
        with contextlib.closing(sqlite3.connect(own_db)) as con:
            return con.execute("SELECT count(*) FROM do_not_contact").fetchone()[0]

    before = blocked()
    for path in made:
        refused = run(own_db, "list", "unsubscribe", str(path), ok=False)
        said = assert_user_error(refused, str(path), "is a list Revisit made")
        assert re.search(r"row \d+ holds", said)
    assert blocked() == before
    # The vendor's own report of replies still reads.
    report = tmp_path / "退订.csv"
    with contextlib.closing(sqlite3.connect(own_db)) as con:
        mobile = con.execute("SELECT mobile FROM customer WHERE mobile IS NOT NULL "
                             "ORDER BY id LIMIT 1").fetchone()[0]
    report.write_text(f"手机号码,回复内容,签名\n{mobile},T,【示范汽车】\n", encoding="utf-8-sig")
    assert run(own_db, "list", "unsubscribe", str(report)).returncode == 0
    assert blocked() > before


def test_two_people_withdrawing_a_list_at_once_and_putting_it_back(own_db, tmp_path):
    built = run(own_db, "list", "build", "老车主", "--channel", "call", "--staff",
                "chenli,liuyang", "--as-of", TODAY, "--out", str(tmp_path / "week.pdf"))
    run_id = re.search(r"list run #(\d+)", built.stdout).group(1)
    refused = run(own_db, "list", "withdraw", run_id, user="chenli", ok=False)
    assert refused.returncode != 0 and "is neither" in refused.stderr
    # Two processes at once: one withdraws it, the other is told it already was.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVISIT_USER": "supervisor",
           "REVISIT_PASSWORD": DEMO_PASSWORD}
    both = [subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db",
                              f"sqlite:///{own_db}", "list", "withdraw", run_id],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                             cwd=ROOT) for _ in range(2)]
    said = [p.communicate(timeout=120) + (p.returncode,) for p in both]
    assert sorted(code for _, _, code in said) == [0, 2], said
    done = next(out for out, _, code in said if code == 0)
    assert re.search(rf"list run #{run_id} withdrawn: its \d+ calls not yet made left", done)
    assert any(f"List run #{run_id} was already withdrawn" in err for _, err, _ in said)
    assert "(withdrawn 已撤回)" in run(own_db, "list", "show").stdout
    assert "list withdraw" in run(own_db, "list", "show", run_id).stdout
    back = run(own_db, "list", "withdraw", run_id, "--undo")
    assert f"list run #{run_id} put back" in back.stdout
    assert "withdrawn" not in run(own_db, "list", "show").stdout
