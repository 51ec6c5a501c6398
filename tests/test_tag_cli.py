"""`tag …` on the command line, on SQLite and PostgreSQL: a supervisor keeps the vocabulary, staff
tag customers, and every refusal is one line on stderr with exit code 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import Customer
from services.customers import customer_tags, tags
from tests.conftest import STAFF_PASSWORD, SUPERVISOR_PASSWORD
from tests.test_staff_cli import refused
from ui.cli import run

PASSWORDS = {"boss": SUPERVISOR_PASSWORD, "chenli": STAFF_PASSWORD}


@pytest.fixture
def cli(capsys, monkeypatch, database):
    """cli(*args, user=None) -> (exit code, stdout, stderr), signed in as `user` through
    REVISIT_USER / REVISIT_PASSWORD."""
    monkeypatch.delenv("REVISIT_USER", raising=False)
    monkeypatch.delenv("REVISIT_PASSWORD", raising=False)

    def call(*args: str, user: str | None = None):
        with monkeypatch.context() as m:
            if user:
                m.setenv("REVISIT_USER", user)
                m.setenv("REVISIT_PASSWORD", PASSWORDS[user])
            code = run(["--db", database.url, *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return call


@pytest.fixture
def people(database, supervisor, staff):
    """Two customers, a supervisor (boss) and a staff member (chenli); no tags yet."""
    with database.sessions.begin() as s:
        s.add_all([Customer(code="C0000001", name="张伟"), Customer(code="C0000002", name="李娜")])
    return database


def test_a_supervisor_keeps_the_vocabulary(cli, people):
    assert cli("tag", "add-group", "客群", user="boss")[1] == "added tag group 客群\n"
    assert cli("tag", "add", "客群", "老年人", user="boss")[1] == "added tag 客群/老年人\n"
    assert cli("tag", "add", "客群", "企业主", user="boss")[0] == 0
    code, out, _ = cli("tag", "rename", "客群", "老年人", "银发族", user="boss")
    assert (code, out) == (0, "renamed tag 客群/老年人 to 客群/银发族\n")
    assert cli("tag", "assign", "C0000001", "客群", "银发族", user="chenli")[0] == 0
    code, out, _ = cli("tag", "retire", "客群", "银发族", user="boss")
    assert out == "retired tag 客群/银发族; the 1 customers who have it keep it\n"
    assert cli("tag", "delete", "客群", "企业主", user="boss")[1] == "deleted tag 客群/企业主\n"
    assert cli("tag", "rename-group", "客群", "人群", user="boss")[0] == 0
    code, out, _ = cli("tag", "list")
    assert code == 0 and out.splitlines() == ["人群", "  银发族                1  已停用 retired"]
    data = json.loads(cli("tag", "list", "--format", "json")[1])
    assert data[0]["name"] == "人群" and data[0]["tags"][0]["customers"] == 1
    assert cli("tag", "reactivate", "人群", "银发族", user="boss")[1] == (
        "reactivated tag 人群/银发族\n")


def test_staff_tag_customers_as_deltas(cli, people, supervisor):
    group = tags.add_group(people.sessions, supervisor, "兴趣")
    tags.add_tag(people.sessions, supervisor, group.id, "钓鱼")
    code, out, _ = cli("tag", "assign", "C0000002", "兴趣", "钓鱼", user="chenli")
    assert (code, out) == (0, "C0000002: tagged 兴趣/钓鱼\n")
    code, out, _ = cli("tag", "assign", "C0000002", "兴趣", "钓鱼", user="boss")
    assert (code, out) == (0, "C0000002: already tagged 兴趣/钓鱼; nothing changed\n")
    code, out, _ = cli("tag", "show", "C0000002")
    assert code == 0 and "兴趣/钓鱼" in out and out.rstrip().endswith("陈丽 (chenli)")
    code, out, _ = cli("tag", "unassign", "C0000002", "兴趣", "钓鱼", user="chenli")
    assert (code, out) == (0, "C0000002: 兴趣/钓鱼 taken off\n")
    code, out, _ = cli("tag", "unassign", "C0000002", "兴趣", "钓鱼", user="chenli")
    assert (code, out) == (0, "C0000002: does not have 兴趣/钓鱼; nothing changed\n")
    assert cli("tag", "show", "C0000002")[1] == "no tags\n"
    with people.sessions() as s:
        customer = s.scalar(select(Customer.id).where(Customer.code == "C0000002"))
    assert customer_tags.customer_tags(people.sessions, customer) == ()


def test_refusals_are_one_line_with_exit_2(cli, people, supervisor):
    group = tags.add_group(people.sessions, supervisor, "客群")
    old = tags.add_tag(people.sessions, supervisor, group.id, "老年人")
    for args in (("add-group", "行业"), ("add", "客群", "宝妈"),
                 ("rename", "客群", "老年人", "长者"), ("retire", "客群", "老年人"),
                 ("delete", "客群", "老年人"), ("rename-group", "客群", "人群")):
        refused(cli("tag", *args, user="chenli"),
                "Only a supervisor may add, rename or remove tags", "陈丽 (chenli)")
    refused(cli("tag", "add", "客群", "宝妈"), "must say who runs it", "--user NAME")
    refused(cli("tag", "add", "客群", "老年人", user="boss"),
            "The tag group “客群” already has a tag named “老年人”.")
    refused(cli("tag", "add", "行业", "金融", user="boss"), "There is no tag group named “行业”.")
    refused(cli("tag", "rename", "客群", "宝妈", "宝爸", user="boss"),
            "The tag group “客群” has no tag named “宝妈”.")
    refused(cli("tag", "assign", "C0009999", "客群", "老年人", user="chenli"),
            "no customer with the code or id 'C0009999'")
    cli("tag", "assign", "C0000001", "客群", "老年人", user="chenli")
    tags.set_tag_active(people.sessions, supervisor, old.id, old.version, False)
    refused(cli("tag", "assign", "C0000002", "客群", "老年人", user="chenli"),
            "The tag “客群/老年人” is retired")
    refused(cli("tag", "delete", "客群", "老年人", user="boss"),
            "is given to 1 customers, so it cannot be deleted; retire it instead")
    refused(cli("tag", "add", "客群", "a/b", user="boss"), "cannot contain “/”")
