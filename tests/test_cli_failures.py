"""Failures met while a command runs (not only when the database opens): a locked, damaged or
foreign database, a URL of a database Revisit does not support, a segment file nested beyond
reason, demo data asked into a database with work in it — each is one line, exit 2, and nothing
is changed."""

from __future__ import annotations

import json
import sqlite3

from tests.test_cli import AS_DEMO_SUPERVISOR, assert_user_error, run


def _migrated(tmp_path, customers: int = 0):
    path = tmp_path / "revisit.sqlite3"
    if customers:
        result = run("--db", f"sqlite:///{path}", "demo", "--customers", str(customers),
                     "--seed", "3", "--today", "2026-11-23")
        assert result.returncode == 0, result.stderr
    else:
        assert run("--db", f"sqlite:///{path}", "db", "upgrade").returncode == 0
    return path


def test_a_database_locked_by_another_program_during_a_write(tmp_path):
    path = _migrated(tmp_path)
    segment = tmp_path / "seg.json"
    segment.write_text(json.dumps({"name": "车龄7年以上", "filter": {"where": {
        "field": "years_since_purchase", "op": ">=", "value": 7}}}), encoding="utf-8")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than we wait
    try:
        result = run("--db", f"sqlite:///{path}", "segment", "import", str(segment))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_user_error(result, "locked", str(path))
    listed = run("--db", f"sqlite:///{path}", "segment", "list", "--format", "json")
    assert json.loads(listed.stdout) == []


def test_a_damaged_page_met_by_a_command(tmp_path):
    path = _migrated(tmp_path, customers=60)
    size = path.stat().st_size
    with path.open("r+b") as f:  # 4 KB of garbage in the middle of the file
        f.seek(size // 2 // 4096 * 4096)
        f.write(b"\xa5" * 4096)
    result = run("--db", f"sqlite:///{path}", "db", "info")
    assert_user_error(result, str(path))
    assert "damaged" in result.stderr or "malformed" in result.stderr


def test_a_foreign_file_is_refused_and_left_exactly_as_it_was(tmp_path):
    path = tmp_path / "accounts.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount REAL)")
    conn.commit()
    conn.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    content = path.read_bytes()
    assert_user_error(run("--db", f"sqlite:///{path}", "db", "info"), "not Revisit's")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert path.read_bytes() == content


def test_an_unsupported_database_kind_is_one_line(tmp_path):
    assert_user_error(run("--db", "mysql://user:pw@localhost/revisit", "db", "info"),
                      "mysql://")


def test_a_segment_file_nested_beyond_reason(tmp_path):
    path = _migrated(tmp_path)
    condition = json.dumps({"field": "years_since_purchase", "op": ">=", "value": 7})
    deep = '{"not": ' * 5000 + condition + "}" * 5000  # json.dumps itself cannot nest so deep
    segment = tmp_path / "deep.json"
    segment.write_text('{"name": "深", "filter": {"where": ' + deep + "}}", encoding="utf-8")
    assert_user_error(run("--db", f"sqlite:///{path}", "segment", "import", str(segment)),
                      "nested")


def test_db_check_reads_every_page(tmp_path):
    path = _migrated(tmp_path, customers=30)
    good = run("--db", f"sqlite:///{path}", "db", "check")
    assert good.returncode == 0 and "no damage" in good.stdout
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2 // 4096 * 4096)
        f.write(b"\xa5" * 4096)
    damaged = run("--db", f"sqlite:///{path}", "db", "check")
    assert_user_error(damaged, "damaged", str(path), "revisit db restore")
    # SQLite's own words (a dump of the bad pages, over a thousand characters): only with -v.
    assert "failed SQLite's check" in run("-v", "--db", f"sqlite:///{path}", "db",
                                          "check").stderr


def test_db_check_and_other_commands_say_the_same_of_a_file_that_is_not_a_database(tmp_path):
    """A text file is of another kind, not damaged; a SQLite file whose header is broken (SQLite
    also says "file is not a database" of it) is damaged: `db check` and opening agree."""
    text_file = tmp_path / "x.sqlite3"
    text_file.write_text("a shopping list, not a database\n" * 20, encoding="utf-8")
    broken = _migrated(tmp_path, customers=10)
    with broken.open("r+b") as f:
        f.seek(16)  # the page size: 3 is none SQLite knows
        f.write(b"\x00\x03")
    for path, said in ((text_file, f"{text_file} is not a Revisit database"),
                       (broken, f"{broken} is damaged; nothing was changed.")):
        content = path.read_bytes()
        lines = {assert_user_error(run("--db", f"sqlite:///{path}", *command), said)
                 for command in (("db", "check"), ("db", "info"), ("segment", "list"))}
        assert len(lines) == 1, lines
        assert path.read_bytes() == content


def test_db_copy_to_a_new_file_then_refuses_to_copy_over_it(tmp_path):
    path = _migrated(tmp_path, customers=20)
    target = tmp_path / "server-copy.sqlite3"
    first = run("--db", f"sqlite:///{path}", "db", "copy", "--to", f"sqlite:///{target}",
                env_extra=AS_DEMO_SUPERVISOR)
    assert first.returncode == 0, first.stderr
    assert "checksum match" in first.stdout and "customer" in first.stdout
    source_info = run("--db", f"sqlite:///{path}", "db", "info", "--format", "json")
    copy_info = run("--db", f"sqlite:///{target}", "db", "info", "--format", "json")
    counts = json.loads(source_info.stdout)["row_counts"]
    assert json.loads(copy_info.stdout)["row_counts"]["customer"] == counts["customer"] == 20
    assert_user_error(
        run("--db", f"sqlite:///{path}", "db", "copy", "--to", f"sqlite:///{target}",
            env_extra=AS_DEMO_SUPERVISOR),
        "already holds data",
    )


def test_a_database_path_in_a_missing_folder_creates_nothing(tmp_path):
    target = tmp_path / "typo" / "revisit.sqlite3"
    assert_user_error(run("--db", f"sqlite:///{target}", "db", "info"),
                      "does not exist", str(tmp_path / "typo"))
    assert not (tmp_path / "typo").exists()


def test_command_line_mistakes_are_one_line(tmp_path):
    path = _migrated(tmp_path)
    assert_user_error(run("--db", f"sqlite:///{path}", "list", "show", "9" * 25),
                      "there is no number")
    assert_user_error(run("--db", f"sqlite:///{path}", "list", "build", "x", "--as-of",
                          "2026-13-01", "--out", str(tmp_path / "x.pdf")), "--as-of")
    assert_user_error(run("--db", f"sqlite:///{path}", "segment"), "required")


def test_dates_numbers_and_files_out_of_reach_are_one_line(tmp_path):
    """What the parser passed before and Python then refused, with a traceback: a date no
    count of days can start from, a number no database holds, a file name that is nothing or
    a folder."""
    path = _migrated(tmp_path)
    db = ("--db", f"sqlite:///{path}")
    out = str(tmp_path / "x.xlsx")
    for args, said in (
            (("segment", "due", "--as-of", "9999-12-31"), "out of range"),
            (("segment", "rfm", "--as-of", "0001-01-01"), "out of range"),
            (("report", "activity", "--from", "0001-01-01", "--to", "9999-12-31"),
             "out of range"),
            (("report", "weekly", "--from", "2026-02-30", "--out", str(tmp_path / "w.pdf")),
             "'2026-02-30' is not a date"),
            (("list", "build", "matrix.7+.high", "--as-of", "9999-12-31", "--out", out),
             "out of range"),
            (("segment", "members", "matrix.7+.high", "--limit", "9" * 20),
             "more rows than a database can hold"),
            (("segment", "members", "matrix.7+.high", "--offset", "-1"), "below 0"),
            (("audit", "--limit", "9" * 20), "more rows than a database can hold"),
            (("list", "build", "matrix.7+.high", "--out", ""), "an empty file name"),
            (("list", "build", "matrix.7+.high", "--out", str(tmp_path)), "is a folder"),
            (("list", "build", "matrix.7+.high", "--send-at", "2026-12-04T25:00", "--out",
              out), "not a date and time")):
        assert_user_error(run(*db, *args), said)
    assert not (tmp_path / "x.xlsx").exists()


def test_an_unexpected_failure_is_one_line_and_its_details_with_v(tmp_path):
    """A failure Revisit did not foresee (here a customer number beyond any database's
    integers) is still one sentence; -v shows the traceback for whoever fixes it."""
    path = _migrated(tmp_path)
    db = ("--db", f"sqlite:///{path}")
    said = assert_user_error(run(*db, "customers", "brief", "9" * 25), "unexpected")
    assert "the unfinished step saved nothing" in said
    detailed = run(*db, "-v", "customers", "brief", "9" * 25)
    assert detailed.returncode == 1 and "Traceback" in detailed.stderr


def test_an_unsubscribe_file_without_a_mobile_is_refused(tmp_path):
    path = _migrated(tmp_path)
    wrong = tmp_path / "退订.csv"
    wrong.write_text("手机\nabc\n12345\n", encoding="utf-8")
    assert_user_error(run("--db", f"sqlite:///{path}", "list", "unsubscribe", str(wrong)),
                      "no mainland mobile", str(wrong))


def test_demo_refuses_a_database_with_work_in_it_and_one_it_left_half_filled(tmp_path):
    path = _migrated(tmp_path, customers=30)
    url = f"sqlite:///{path}"
    segment = tmp_path / "seg.json"
    segment.write_text(json.dumps({"name": "车龄7年以上", "filter": {"where": {
        "field": "years_since_purchase", "op": ">=", "value": 7}}}), encoding="utf-8")
    assert run("--db", url, "segment", "import", str(segment),
               env_extra=AS_DEMO_SUPERVISOR).returncode == 0
    before = path.read_bytes()
    refused = run("--db", url, "demo", "--customers", "10", env_extra=AS_DEMO_SUPERVISOR)
    assert_user_error(refused, str(path), "holds data the demo did not make",
                      "saved_segment")
    assert path.read_bytes() == before
    nothing = run("--db", url, "demo", "--resume", env_extra=AS_DEMO_SUPERVISOR)
    assert_user_error(nothing, "holds data the demo did not make")
    # A database the demo alone filled, stopped half-way: said so, and --resume finishes it.
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM saved_segment")
        conn.execute("DELETE FROM audit_log WHERE action = 'import_segment'")
        conn.execute("UPDATE app_setting SET value = json_set(value, '$.run', json(:run)) "
                     "WHERE key = 'demo_data'", {"run": json.dumps({
                         "customers": 60, "seed": 3, "today": "2026-11-23", "base": 0,
                         "done": 30, "chunk": 30})})
    half = run("--db", url, "demo", "--customers", "10", env_extra=AS_DEMO_SUPERVISOR)
    assert_user_error(half, "left half-filled by a demo that stopped after 30 of 60 customers",
                      "demo --resume")
    resumed = run("--db", url, "demo", "--resume", env_extra=AS_DEMO_SUPERVISOR)
    assert resumed.returncode == 0 and "added 30 customers" in resumed.stdout
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*), max(id) FROM customer").fetchone() == (60, 60)
