"""`customers duplicates / merge / unmerge / merges` as staff type them, on SQLite and
PostgreSQL; mistakes and stale merges are one line on stderr with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from services.demo import DEMO_PASSWORD
from services.demo.generator import generate
from tests.services.test_duplicates import CUSTOMERS, TODAY, inject

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(database, monkeypatch):
    """The demo with duplicates injected; commands act as the demo's supervisor."""
    generate(database, CUSTOMERS, seed=11, today=TODAY)
    inject(database)
    monkeypatch.setenv("REVISIT_USER", "supervisor")
    monkeypatch.setenv("REVISIT_PASSWORD", DEMO_PASSWORD)
    return database


def cli(capsys, database, *args: str) -> tuple[int, str, str]:
    code = main.main(["--db", database.url, "customers", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def one_line_error(capsys, database, *args: str) -> str:
    code, _, err = cli(capsys, database, *args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("revisit: error: ")
    return lines[0]


def test_duplicates_lists_pairs_with_evidence_as_text_and_json(capsys, db):
    code, out, _ = cli(capsys, db, "duplicates")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "6 possible duplicate pairs, strongest first:"
    assert "C0000013" in lines[1] and "C0000014" in lines[1]
    assert "手机号相同 13900000014" in lines[1]
    assert any("车架号相同" in line and "C0000007" in line for line in lines)
    assert "not listed: mobile 13800000000 is on 12 customers" in out

    code, out, _ = cli(capsys, db, "duplicates", "--format", "json", "--limit", "2")
    data = json.loads(out)
    assert data["total"] == 6 and len(data["pairs"]) == 2
    first = data["pairs"][0]
    assert (first["first"]["code"], first["second"]["code"]) == ("C0000013", "C0000014")
    assert first["codes"] == ["same_mobile"] and first["same_name"] is True
    assert first["evidence"] == [{"code": "same_mobile", "values": ["13900000014"]}]
    assert data["crowded"] == [{"kind": "mobile", "value": "13800000000", "customers": 12}]


def test_merge_then_unmerge_by_code_and_id(capsys, db):
    code, out, _ = cli(capsys, db, "merge", "C0000001", "2", "--keep", "C0000002")
    assert code == 0
    assert out.startswith("merged C0000001 into C0000002 (merge #1)")
    assert "undo with: revisit customers unmerge 1" in out
    _, out, _ = cli(capsys, db, "duplicates", "--format", "json")
    assert json.loads(out)["total"] == 5
    _, out, _ = cli(capsys, db, "merges")
    assert "C0000001" in out and "王主管" in out and "in force" in out  # who ran it

    assert "already merged into C0000002 (merge #1" in one_line_error(
        capsys, db, "merge", "C0000003", "C0000001")
    code, out, _ = cli(capsys, db, "unmerge", "1")
    assert code == 0 and out.startswith("undid merge #1: C0000001 is back")
    assert "was already undone" in one_line_error(capsys, db, "merge", "--undo", "1")
    _, out, _ = cli(capsys, db, "merges", "--customer", "C0000001")
    assert "undone" in out

    code, out, _ = cli(capsys, db, "merge", "C0000013", "C0000014", "--dry-run")
    assert code == 0 and "would merge C0000014 into C0000013; nothing was changed" in out
    code, out, _ = cli(capsys, db, "merge", "C0000013", "C0000014")
    assert code == 0 and "(merge #2)" in out
    code, out, _ = cli(capsys, db, "merge", "--undo", "2")
    assert code == 0 and "undid merge #2" in out


@pytest.mark.parametrize(("args", "says"), [
    (("merge", "C0000001"), "Name two customers to merge"),
    (("merge", "C0000001", "C0000001"), "cannot be merged into itself"),
    (("merge", "C0000001", "C0000002", "--keep", "C0000003"), "--keep must be one of the two"),
    (("merge", "C0000001", "C9999999"), "no customer with the code or id 'C9999999'"),
    (("merge", "--undo", "5", "C0000001"), "--undo takes only the merge id"),
    (("unmerge", "42"), "There is no customer merge #42."),
    (("duplicates", "--limit", "0"), "--limit must be a whole number of at least 1, not '0'"),
    (("unmerge", "abc"), "MERGE_ID must be a whole number of at least 1, not 'abc'"),
    (("merge", "--undo", "x"), "MERGE_ID must be a whole number"),
    (("merges", "--limit", "-3"), "--limit must be a whole number"),
])
def test_mistakes_are_one_line(capsys, db, args, says):
    assert says in one_line_error(capsys, db, *args)


def test_a_user_error_from_the_real_command_line(tmp_path):
    path = tmp_path / "revisit.sqlite3"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    env.pop("REVISIT_DB", None)
    subprocess.run([sys.executable, "main.py", "--db", f"sqlite:///{path}", "db", "upgrade"],
                   cwd=ROOT, env=env, capture_output=True, timeout=120, check=True)
    proc = subprocess.run(
        [sys.executable, "main.py", "--db", f"sqlite:///{path}", "customers", "unmerge", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "revisit: error: There is no customer merge #3."
    assert "Traceback" not in proc.stderr


def test_staff_may_not_merge_or_undo_a_merge(capsys, db, monkeypatch):
    from services.customers import merge

    before = merge.list_merges(db.sessions)
    monkeypatch.setenv("REVISIT_USER", "chenli")  # a demo caller, not a supervisor
    assert "Only a supervisor may merge" in one_line_error(
        capsys, db, "merge", "C0000013", "C0000014")
    assert merge.list_merges(db.sessions) == before
    monkeypatch.setenv("REVISIT_USER", "supervisor")
    code, out, _ = cli(capsys, db, "merge", "C0000013", "C0000014")
    assert code == 0 and "merged C0000014 into C0000013" in out
    merge_id = merge.list_merges(db.sessions)[0].id
    monkeypatch.setenv("REVISIT_USER", "chenli")
    assert "Only a supervisor may merge" in one_line_error(capsys, db, "unmerge", str(merge_id))
