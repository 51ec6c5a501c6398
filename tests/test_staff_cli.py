"""Staff on the command line, on SQLite and PostgreSQL: --user / REVISIT_USER with the password
from REVISIT_PASSWORD; writes need a user once a database has accounts; `user` and `audit`;
each protected action refused for staff and for nobody in one line with exit 2, done for a
supervisor."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import openpyxl
import pytest
from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

from services.demo import DEMO_PASSWORD
from services.demo import generator as demo
from services.outputs.types import mask_phone
from services.staff import accounts, signing
from tests.conftest import STAFF_PASSWORD, SUPERVISOR_PASSWORD
from ui.cli import run

PASSWORDS = {"boss": SUPERVISOR_PASSWORD, "chenli": STAFF_PASSWORD}
OLD_CARS = {"name": "老车", "purpose": "care", "filter": {"version": 1, "where": {
    "field": "years_since_purchase", "op": ">=", "value": 3}}}


@pytest.fixture
def cli(capsys, monkeypatch, database):
    """cli(*args, user=None, stdin=None) -> (exit code, stdout, stderr); `user` signs in with
    the password of PASSWORDS (or the demo's), through REVISIT_USER / REVISIT_PASSWORD."""
    monkeypatch.delenv("REVISIT_USER", raising=False)
    monkeypatch.delenv("REVISIT_PASSWORD", raising=False)

    def call(*args: str, user: str | None = None, stdin: str | None = None,
             password: str | None = None):
        with monkeypatch.context() as m:
            if user:
                m.setenv("REVISIT_USER", user)
                m.setenv("REVISIT_PASSWORD", password or PASSWORDS.get(user, DEMO_PASSWORD))
            if stdin is not None:
                m.setattr(sys, "stdin", io.StringIO(stdin))
            code = run(["--db", database.url, *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return call


def refused(result, *fragments: str) -> str:
    code, _, err = result
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("revisit: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def _segment_file(tmp_path):
    path = tmp_path / "seg.json"
    path.write_text(json.dumps(OLD_CARS, ensure_ascii=False), encoding="utf-8")
    return str(path)


# --- who runs a command ---------------------------------------------------------------------

def test_a_new_database_runs_everything_until_its_first_supervisor(cli, database, tmp_path):
    assert cli("segment", "import", _segment_file(tmp_path))[0] == 0
    refused(cli("segment", "delete", "老车"), "nobody is signed in",
            "add its first supervisor with `user add NAME --role supervisor`")
    refused(cli("user", "add", "boss", "--role", "staff", stdin="boss-secret\n"),
            "first account must be a supervisor")
    code, out, _ = cli("user", "add", "boss", "--role", "supervisor", "--display-name", "王主管",
                       "--password-stdin", stdin="boss-secret\n")
    assert code == 0 and "first account" in out
    # Now writes need someone; reads still run.
    refused(cli("segment", "rename", "老车", "老车主"), "changes the database", "--user NAME",
            "REVISIT_USER")
    # A dry run changes nothing, so it is not said to; it still shows stored customers.
    export = tmp_path / "车主.csv"
    export.write_text("客户姓名,手机\n张三,13800138080\n", encoding="utf-8")
    refused(cli("import", "customers", str(export), "--dry-run"),
            "A dry run shows what would change in stored customers", "--user NAME")
    assert "老车" in cli("segment", "list")[1]
    assert cli("segment", "rename", "老车", "老车主", user="boss")[0] == 0


def test_the_first_supervisor_password_may_come_from_the_environment(cli, monkeypatch):
    monkeypatch.setenv("REVISIT_PASSWORD", "from-env-1")
    assert cli("user", "add", "boss", "--role", "supervisor")[0] == 0
    assert cli("user", "list", user="boss", password="from-env-1")[0] == 0


def test_sign_in_mistakes_are_one_line(cli, supervisor, monkeypatch):
    refused(cli("segment", "list", user="boss", password="nope-nope"),
            "user name or password is wrong")
    refused(cli("--user", "ghost", "segment", "list", user="ghost", password="x"), "wrong")
    monkeypatch.setenv("REVISIT_USER", "boss")  # no password, and no terminal to type it
    refused(cli("segment", "list"), "No password for boss", "REVISIT_PASSWORD")


# --- user -----------------------------------------------------------------------------------

def test_a_supervisor_manages_accounts(cli, supervisor, staff):
    code, out, _ = cli("user", "add", "liuyang", "--role", "staff", "--display-name", "刘洋",
                       "--password-stdin", user="boss", stdin="liu-pass-1\n")
    assert code == 0 and "员工 刘洋 (liuyang)" in out
    assert cli("user", "disable", "liuyang", user="boss")[0] == 0
    refused(cli("segment", "list", user="liuyang", password="liu-pass-1"), "disabled")
    assert cli("user", "enable", "liuyang", user="boss")[0] == 0
    assert cli("user", "passwd", "liuyang", "--password-stdin", user="boss",
               stdin="reset-pass-1\n")[0] == 0
    code, _, err = cli("segment", "list", user="liuyang", password="reset-pass-1")
    assert code == 0 and "user passwd liuyang" in err  # told to choose their own
    listed = json.loads(cli("user", "list", "--format", "json")[1])
    assert {a["username"]: (a["role"], a["active"], a["reset_pending"]) for a in listed} == {
        "boss": ("supervisor", True, False), "chenli": ("clerk", True, False),
        "liuyang": ("clerk", True, True)}


@pytest.mark.parametrize(("lang", "words", "other"), [
    ("zh_CN", {"boss": "主管", "chenli": "员工  已停用", "liuyang": "员工  临时密码"},
     ("Staff", "Supervisor", "disabled", "temporary")),
    ("en", {"boss": "Supervisor", "chenli": "Staff  disabled",
            "liuyang": "Staff  temporary password"},
     ("主管", "员工", "已停用", "临时密码")),
])
def test_the_account_list_is_in_the_users_language(cli, supervisor, staff, lang, words, other):
    """`user list` says each account's role and state in the language asked for (--lang; the
    system's by default), never in both at once."""
    assert cli("user", "add", "liuyang", "--role", "staff", "--display-name", "刘洋",
               "--password-stdin", user="boss", stdin="liu-pass-1\n")[0] == 0  # a first one
    assert cli("user", "disable", "chenli", user="boss")[0] == 0
    app = QCoreApplication.instance()
    code, out, _ = cli("--lang", lang, "user", "list", user="boss")
    assert code == 0
    # An application made to translate is gone after it: a window made later in the same
    # process (the tests of the window) aborted making its QApplication beside it.
    assert QCoreApplication.instance() is app
    # Each line: the user name, the name shown, then the role and state in `lang`.
    said = {line.split()[0]: line.split(None, 2)[2] for line in out.strip().splitlines()}
    assert said == words
    assert not [w for w in other if w in " ".join(said.values())], out


@pytest.mark.parametrize("who", ["chenli", None])
def test_staff_and_nobody_cannot_manage_accounts(cli, database, supervisor, staff, who):
    for args in (("user", "add", "liuyang", "--role", "staff", "--password-stdin"),
                 ("user", "disable", "boss"), ("user", "enable", "boss"),
                 ("user", "passwd", "boss", "--password-stdin")):
        line = refused(cli(*args, user=who, stdin="taken-over\n"))
        assert ("Only a supervisor may add, disable or enable staff accounts" in line
                if who else "--user NAME" in line)
    assert [a.username for a in accounts.list_accounts(database.sessions)] == ["boss", "chenli"]
    assert signing.sign_in(database.engine, "boss", SUPERVISOR_PASSWORD).actor == supervisor


def test_anyone_changes_their_own_password(cli, supervisor, staff):
    assert cli("user", "passwd", "chenli", "--password-stdin", user="chenli",
               stdin="chen-new-1\n")[0] == 0
    assert cli("segment", "list", user="chenli", password="chen-new-1")[0] == 0
    refused(cli("segment", "list", user="chenli"), "wrong")


# --- audit ----------------------------------------------------------------------------------

def test_the_audit_trail_for_a_supervisor_only(cli, supervisor, staff, tmp_path):
    cli("segment", "import", _segment_file(tmp_path), user="chenli")
    cli("segment", "delete", "老车", user="boss")
    code, out, _ = cli("audit", "--format", "json", user="boss")
    data = json.loads(out)
    # chenli signed in once with the first password, chose their own and signed in again.
    assert code == 0 and data["total"] == 7
    assert [e["action"] for e in data["entries"]] == [
        "delete_segment", "import_segment", "sign_in", "change_password", "sign_in", "add_user",
        "first_supervisor"]
    assert data["entries"][1]["username"] == "chenli"
    deleted = data["entries"][0]
    assert (deleted["username"], deleted["detail"]["name"]) == ("boss", "老车")
    today = dt.date.today().isoformat()
    code, out, _ = cli("audit", "--user", "chenli", "--from", today, "--to", today, user="boss")
    assert code == 0 and "登录" in out and "导入分群" in out and "4 entries" in out
    code, out, _ = cli("audit", "--action", "delete_segment", user="boss")
    assert code == 0 and "客户分群“老车”" in out and "名称：老车" in out  # words, not JSON
    assert "saved_segment" not in out and '"name"' not in out
    assert "0 entries" in cli("audit", "--action", "save_settings", user="boss")[1]
    refused(cli("audit", "--customer", "C404", user="boss"), "no customer with the code C404")
    refused(cli("audit", user="chenli"), "Only a supervisor may read the audit trail")
    refused(cli("audit"), "nobody is signed in", "--user NAME")


# --- each protected action, for both roles --------------------------------------------------

def test_shared_settings(cli, supervisor, staff):
    refused(cli("settings", "set", "shop_name=陈丽的店", user="chenli"),
            "Only a supervisor may change the settings every PC shares")
    refused(cli("settings", "set", "shop_name=无名"), "--user NAME")
    assert cli("settings", "set", "shop_name=广州某某丰田", "sms_window_end=21:00",
               user="boss")[0] == 0
    shown = json.loads(cli("settings", "show", "--format", "json")[1])
    assert (shown["shop_name"], shown["sms_window_end"]) == ("广州某某丰田", "21:00")
    refused(cli("settings", "set", "colour=red", user="boss"), "no setting 'colour'")
    refused(cli("settings", "set", "sms_window_end=08:00", user="boss"), "must start before")


def test_deleting_a_saved_segment(cli, supervisor, staff, tmp_path):
    assert cli("segment", "import", _segment_file(tmp_path), user="chenli")[0] == 0
    refused(cli("segment", "delete", "老车", user="chenli"),
            "Only a supervisor may delete saved segments; 陈丽 (chenli) is not a supervisor.")
    refused(cli("segment", "delete", "老车"), "--user NAME")
    assert "老车" in cli("segment", "list")[1]
    assert cli("segment", "delete", "老车", user="boss")[0] == 0
    assert "老车" not in cli("segment", "list")[1]


@pytest.fixture
def demo_data(database):
    """A demo database (its accounts: supervisor and chenli, password DEMO_PASSWORD) with the
    segment 老车."""
    demo.generate(database, 80, seed=4, today=dt.date(2026, 11, 23))
    return database


def _mobiles(path) -> list[str]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    column = header.index("电话")  # a call list's number: a mobile, or a landline to call
    return [str(r[column]) for r in sheet.iter_rows(min_row=2, values_only=True)
            if any(r) and r[column]]


def test_list_files_have_full_mobiles_for_a_supervisor_only(cli, demo_data, tmp_path):
    assert cli("segment", "import", _segment_file(tmp_path), user="chenli",
               password=DEMO_PASSWORD)[0] == 0
    build = ("list", "build", "老车", "--channel", "call", "--as-of", "2026-11-23",
             "--format", "xlsx", "--out")
    code, out, _ = cli(*build, str(tmp_path / "staff.xlsx"), user="chenli", password=DEMO_PASSWORD)
    assert code == 0 and "phone numbers masked" in out
    masked = _mobiles(tmp_path / "staff.xlsx")
    assert masked and all("****" in m for m in masked)
    assert cli(*build, str(tmp_path / "boss.xlsx"), user="supervisor")[0] == 0
    full = _mobiles(tmp_path / "boss.xlsx")
    assert [mask_phone(m) for m in full] == masked and "*" not in "".join(full)

    runs_before = cli("list", "show")[1]
    sms = ("--channel", "sms", "--sms-template", "{称呼}您好", "--format", "xlsx", "--out",
           str(tmp_path / "sms.xlsx"))
    refused(cli("list", "build", "老车", *sms, user="chenli", password=DEMO_PASSWORD),
            "Only a supervisor may write files with full phone numbers")
    assert cli("list", "show")[1] == runs_before  # refused before a run was stored
    refused(cli("list", "print", "1", "--format", "xlsx", "--out", str(tmp_path / "x.xlsx")),
            "--user NAME")

    members = ("segment", "members", "老车", "--format", "json", "--as-of", "2026-11-23")
    staff_rows = json.loads(cli(*members, user="chenli", password=DEMO_PASSWORD)[1])["rows"]
    boss_rows = json.loads(cli(*members, user="supervisor")[1])["rows"]
    assert all("****" in r["mobile"] for r in staff_rows if r["mobile"])
    assert not any("****" in (r["mobile"] or "") for r in boss_rows)


def test_demo_data_and_copies_of_a_database_in_use(cli, demo_data, tmp_path):
    for who in ("chenli", None):
        refused(cli("demo", "--customers", "5", user=who, password=DEMO_PASSWORD),
                "Only a supervisor may" if who else "nobody is signed in")
        refused(cli("db", "copy", "--to", f"sqlite:///{tmp_path / 'copy.sqlite3'}", user=who,
                    password=DEMO_PASSWORD),
                "Only a supervisor may copy, back up or restore the database" if who
                else "--user NAME")
    assert cli("demo", "--customers", "5", "--if-empty")[0] == 0  # nothing to add: no user
    assert cli("demo", "--customers", "5", user="supervisor")[0] == 0
    assert cli("db", "copy", "--to", f"sqlite:///{tmp_path / 'copy.sqlite3'}",
               user="supervisor")[0] == 0


def test_erasing_a_customer_is_a_supervisors_final_step(cli, demo_data):
    with demo_data.sessions() as s:
        name, mobile = s.execute(text("SELECT name, mobile FROM customer WHERE code = "
                                      "'C0000005'")).one()
    refused(cli("customer", "erase", "C0000005", "--yes", user="chenli",
                password=DEMO_PASSWORD), "supervisor")
    refused(cli("customer", "erase", "C0000005", "--yes"), "--user")
    refused(cli("customer", "erase", "C0000005", user="supervisor"), "cannot be undone",
            "--yes")
    code, out, _ = cli("customer", "erase", "C0000005", "--yes", "--reason", "客户来电要求",
                       user="supervisor")
    assert code == 0 and "personal data of customer C0000005 erased" in out
    with demo_data.sessions() as s:
        assert s.execute(text("SELECT name, mobile FROM customer WHERE code = 'C0000005'")
                         ).one() == ("（已擦除）", None)
        # Nothing else still names them: the history, list snapshots and audit details.
        for table, column in (("profile_change", "new_value"), ("audit_log", "detail"),
                              ("list_run_member", "snapshot")):
            found = s.scalar(text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :v"),
                             {"v": f"%{mobile}%"})
            assert found == 0, table
    refused(cli("customer", "erase", "C0000005", "--yes", user="supervisor"), "already erased")
    code, out, _ = cli("audit", "--action", "erase_customer", user="supervisor")
    assert code == 0 and "C0000005" in out and name not in out


def test_a_supervisor_changes_a_role_on_the_command_line(cli, supervisor, staff):
    refused(cli("user", "role", "boss", "staff", user="chenli"), "supervisor")
    code, out, _ = cli("user", "role", "chenli", "supervisor", user="boss")
    assert code == 0 and out.strip() == "chenli: supervisor"
    code, out, _ = cli("user", "list", user="boss")
    assert code == 0 and "chenli" in out
    refused(cli("user", "role", "chenli", "staff", user="chenli"), "cannot change your own")


def test_an_export_of_segment_members_is_in_the_trail_with_its_fields(cli, demo_data,
                                                                      tmp_path):
    assert cli("segment", "import", _segment_file(tmp_path), user="supervisor")[0] == 0
    code, out, _ = cli("segment", "members", "老车", "--format", "csv", user="supervisor")
    assert code == 0
    exported = len(out.strip().splitlines()) - 1
    code, out, _ = cli("audit", "--action", "export_segment_members", "--format", "json",
                       user="supervisor")
    entry = json.loads(out)["entries"][0]
    assert entry["username"] == "supervisor"
    assert entry["detail"]["rows"] == exported and entry["detail"]["full_phones"] is True
    assert "mobile" in entry["detail"]["fields"] and "name" in entry["detail"]["fields"]
