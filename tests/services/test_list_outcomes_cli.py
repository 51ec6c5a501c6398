"""`main.py list outcomes FILE` on SQLite and PostgreSQL: a row stored without its 画像变化
(the cell could not be read, and is said for staff to put in by hand) is a success with a
warning, as the window shows it; only a row not stored at all makes the command fail."""

from __future__ import annotations

import main
from services.staff import accounts
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import _cell, _events, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


def _outcomes(database, path, monkeypatch, capsys) -> tuple[int, str, str]:
    """`list outcomes path` as the supervisor: (exit status, stdout, stderr)."""
    monkeypatch.setenv("REVISIT_USER", "boss")
    monkeypatch.setenv("REVISIT_PASSWORD", SUPERVISOR_PASSWORD)
    capsys.readouterr()
    code = main.main(["--db", database.url, "list", "outcomes", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_row_stored_without_its_profile_cell_is_a_warning(listed, monkeypatch, capsys):
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    who = [_cell(path, col, r, "客户编号") for r in (2, 3)]
    _fill(path, col, {(2, "结果"): "接通", (2, "画像变化"): "婚姻=已婚",
                      (3, "结果"): "接通", (3, "画像变化"): "职业=律师=医生"})
    code, out, err = _outcomes(database, path, monkeypatch, capsys)
    assert code == 0, (out, err)
    assert "2 contacts stored" in out and "1 profile changes" in out
    # The row's report, as before, and a warning naming it.
    assert "  row 3: the contact is stored, but not its 画像变化 (profile changes): " in out
    assert err.strip().splitlines()[-1] == (
        "revisit: warning: 1 row(s) stored without their 画像变化 (profile changes), which "
        "could not be read (row 3): put those in by hand on the customer's page")
    assert set(_events(database)) == set(who)

    # A row not stored at all still fails the command, with the warning beside it.
    _fill(path, col, {(4, "结果"): "不知道"})
    code, out, err = _outcomes(database, path, monkeypatch, capsys)
    assert code == 1
    assert "0 contacts stored, 2 already read before" in out and "  row 4: " in out
    assert "(row 3)" in err


def test_the_summary_says_calls_recorded_on_screen_and_km_left_out(listed, monkeypatch,
                                                                    capsys):
    import datetime as dt

    from tests.services.test_list_outcomes_screen import _on_screen

    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    _on_screen(database, _cell(path, col, 2, "编号"), "reached", dt.datetime(2026, 11, 24, 10))
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24",
                      (3, "结果"): "接通", (3, "当前里程(公里)"): "八万多点"})
    code, out, err = _outcomes(database, path, monkeypatch, capsys)
    assert code == 0, (out, err)
    assert "1 contacts stored, 0 already read before, 1 already recorded on screen, " in out
    assert err.strip().splitlines()[-1] == (
        "revisit: warning: 1 row(s) stored without their km, which could not be read (row 3): "
        "put those in by hand on the customer's page")


def test_a_km_whose_typed_plate_tells_no_car_is_a_warning(listed, monkeypatch, capsys):
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    assert _cell(path, col, 2, "车牌") != "粤A99999"
    _fill(path, col, {(2, "结果"): "接通", (2, "车牌"): "粤A99999", (2, "当前里程(公里)"): 30000})
    code, out, err = _outcomes(database, path, monkeypatch, capsys)
    assert code == 0, (out, err)
    assert "1 contacts stored" in out
    assert err.strip().splitlines()[-1] == (
        "revisit: warning: 1 row(s) stored without their km, whose 车牌 was typed over with a "
        "plate that does not tell which of the customer's cars it is (row 2): put those in "
        "by hand on the customer's page")
