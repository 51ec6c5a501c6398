"""`list print` writes a run's SMS file again with the message and sending time it was built
with, and never writes a plain SMS list over a vendor file; a refused `list build` saves no
segment; a reminder's SMS may be planned outside the marketing window."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from tests.test_cli import assert_user_error
from tests.test_list_cli import TODAY, run

TEXT = "{称呼}您好，您的爱车该保养了，欢迎预约。"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reprint") / "revisit.sqlite3"
    run(path, "demo", "--customers", "200", "--seed", "4", "--today", TODAY)
    return path


def _rows(path: Path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [tuple(r) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]


def test_a_reprint_writes_the_sms_file_with_the_message_it_was_built_with(db, tmp_path):
    out = tmp_path / "第50周保养.pdf"
    built = run(db, "list", "build", "service.maintenance_due", "--as-of", TODAY, "--staff",
                "chenli,liuyang", "--out", str(out), "--sms-template", TEXT,
                "--send-at", f"{TODAY}T21:30")
    # A maintenance reminder is a service notice: 21:30 is not refused.
    assert (f"to be sent at {TODAY} 21:30 (a service notice: the marketing SMS window does "
            "not apply)" in built.stdout)
    run_id = built.stdout.split("list run #", 1)[1].split(" ", 1)[0]
    sms_file, chat = tmp_path / "第50周保养-sms.xlsx", tmp_path / "第50周保养-wechat.xlsx"
    first, first_chat = _rows(sms_file), _rows(chat)
    assert "短信内容" in first[0] and len(first) > 1
    again = run(db, "list", "print", run_id, "--out", str(tmp_path / "第50周保养.xlsx"))
    assert "no --sms-template given" not in again.stdout
    assert f"to be sent at {TODAY} 21:30" in again.stdout
    assert _rows(sms_file) == first and _rows(chat) == first_chat
    assert (tmp_path / "第50周保养.xlsx").exists()

    # A run that kept no message (built before runs kept them): the vendor file is not
    # written over with a plain list, and nothing else is written either.
    with sqlite3.connect(db) as con:
        (kept,) = con.execute("SELECT settings_json FROM list_run WHERE id = ?",
                              (run_id,)).fetchone()
        old = {k: v for k, v in json.loads(kept).items()
               if k not in ("sms_text", "sms_send_at", "wechat_message")}
        con.execute("UPDATE list_run SET settings_json = ? WHERE id = ?",
                    (json.dumps(old, ensure_ascii=False), run_id))
    before = sms_file.read_bytes()
    (tmp_path / "第50周保养.xlsx").unlink()
    refused = run(db, "list", "print", run_id, "--out", str(tmp_path / "第50周保养.xlsx"),
                  ok=False)
    assert_user_error(refused, f"{sms_file} holds SMS messages", "--sms-template")
    assert sms_file.read_bytes() == before and not (tmp_path / "第50周保养.xlsx").exists()
    # Given the message, it is written with it.
    run(db, "list", "print", run_id, "--out", str(tmp_path / "第50周保养.xlsx"),
        "--sms-template", TEXT, "--send-at", f"{TODAY}T21:30")
    assert _rows(sms_file) == first


def test_a_marketing_sms_planned_outside_the_window_is_refused(db, tmp_path):
    before = run(db, "list", "show").stdout
    refused = run(db, "list", "build", "rfm.general_keep", "--as-of", TODAY, "--channel", "sms",
                  "--out", str(tmp_path / "m.xlsx"), "--sms-template", TEXT,
                  "--send-at", f"{TODAY}T21:30", ok=False)
    assert_user_error(refused, "between 08:00 and 20:00")
    assert run(db, "list", "show").stdout == before and list(tmp_path.iterdir()) == []


def test_a_refused_build_saves_no_segment(db, tmp_path):
    segments_before = run(db, "segment", "list").stdout
    audit_before = run(db, "audit").stdout
    for bad, said in ((("--staff", "nobody"), "There is no staff member 'nobody'"),
                      (("--purpose", "spam"), "Unknown purpose 'spam'")):
        refused = run(db, "list", "build", "rfm.important_value", "--as-of", TODAY, *bad,
                      "--out", str(tmp_path / "z.pdf"), ok=False)
        assert_user_error(refused, said)
    assert run(db, "segment", "list").stdout == segments_before
    assert run(db, "audit").stdout == audit_before
    assert list(tmp_path.iterdir()) == []
