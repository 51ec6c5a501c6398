"""Starting the window on a PostgreSQL server that refuses (or on an emptied SQLite file): the
start-up box says why in one sentence of the window's language, the driver's words under "Show
Details…", never the password. The real start (ui.app.run_gui) against the real server of
REVISIT_TEST_PG_URL."""

from __future__ import annotations

import os
import uuid

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL_ENV
from ui.app import run_gui
from ui.cli import build_parser

SECRET = "Wr0ng-pass-7731"


@pytest.fixture
def server():
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        pytest.skip(f"PostgreSQL not configured ({PG_URL_ENV})")
    return make_url(url)


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str]]:
    """Every message box shown (its sentence, its details), closed at once."""
    shown: list[tuple[str, str]] = []

    def exec_(box: QMessageBox) -> int:
        shown.append((box.text(), box.detailedText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def _start(url: str, lang: str) -> int:
    return run_gui(build_parser(False).parse_args(["--db", url, "--lang", lang]))


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _server_name(server) -> str:
    return f"{server.host}:{server.port}" if server.port else server.host


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_wrong_password_at_start_is_one_chinese_sentence(qapp, translated, server, boxes):
    url = server.set(password=SECRET).render_as_string(hide_password=False)
    assert _start(url, "zh_CN") == 2
    (sentence, details), = boxes
    assert sentence == (
        f"数据库服务器 {_server_name(server)} 不接受用户名 {server.username} 或其密码"
        f"（数据库地址 {_where(url)}）：用户名和密码由主管或服务器管理员设置，"
        "请向他们索取正确的用户名和密码。")
    assert f'"{server.username}"' in details  # the server's own words, one click away
    assert SECRET not in sentence + details


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_missing_database_at_start_is_one_chinese_sentence(qapp, translated, server, boxes):
    name = f"revisit_missing_{uuid.uuid4().hex[:6]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    assert _start(url, "zh_CN") == 2
    (sentence, details), = boxes
    assert sentence == (
        f"数据库服务器 {_server_name(server)} 上没有名为 {name} 的数据库（数据库地址 "
        f"{_where(url)}）：请与主管核对数据库名称，或请服务器管理员创建该数据库。")
    assert f'"{name}"' in details
    assert "FATAL" not in sentence and "does not exist" not in sentence


def test_the_self_check_quits_at_a_refusal_too(server):
    """`--quit-after` (the packaged build's self-check) ends the start-up box as it ends the
    sign-in: a refused start never waits for a click nobody makes."""
    import subprocess
    import sys
    from pathlib import Path

    url = server.set(password=SECRET).render_as_string(hide_password=False)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("REVISIT_DB", None)
    done = subprocess.run([sys.executable, "main.py", "--db", url, "--quit-after", "1"],
                          cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, timeout=60)
    assert done.returncode == 2


def test_an_emptied_database_file_is_said_at_start_not_made_a_first_run(
        qapp, tmp_path, boxes, monkeypatch):
    """The window asked to create the first supervisor of an empty new database made in place
    of the emptied one."""
    from ui.dialogs.sign_in_dialog import FirstSupervisorDialog

    monkeypatch.setattr(FirstSupervisorDialog, "exec", lambda _self: 0)  # cancelled, if asked
    empty = tmp_path / "shared.sqlite3"
    empty.write_bytes(b"")
    assert _start(f"sqlite:///{empty}", "en") == 2
    (sentence, _details), = boxes
    assert sentence.startswith(f"{empty} is empty (0 bytes)") and "db restore" in sentence
    assert empty.stat().st_size == 0
