"""`list readbacks` and `list undo-readback N` as staff type them: the read listed with its file
and counts, taken back, listed as undone, and refused with one line when done again. On SQLite
and PostgreSQL."""

from __future__ import annotations

import main
from services.staff import accounts
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.test_list_outcomes_rows import _events, _fill

listed = rows_read.listed


def _run(database, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("REVISIT_USER", "boss")
    monkeypatch.setenv("REVISIT_PASSWORD", SUPERVISOR_PASSWORD)
    capsys.readouterr()
    code = main.main(["--db", database.url, "list", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_read_back_is_listed_and_undone_from_the_command_line(listed, monkeypatch, capsys):
    database, path, col = listed
    accounts.create_first_supervisor(database.sessions, "boss", "王主管", SUPERVISOR_PASSWORD)
    _fill(path, col, {(2, "结果"): "接通", (3, "结果"): "无人接听"})
    code, out, err = _run(database, monkeypatch, capsys, "outcomes", str(path))
    assert code == 0, (out, err)
    assert len(_events(database)) == 2
    said = [x for x in out.splitlines() if x.startswith("  read-back #")]
    assert len(said) == 1 and "list undo-readback" in said[0]
    code, out, _err = _run(database, monkeypatch, capsys, "readbacks")
    assert code == 0
    [line] = [x for x in out.splitlines() if path.name in x]
    number = line.split()[0]
    assert said[0].startswith(f"  read-back #{number}: ")
    assert "王主管" in line and "undone" not in line
    assert out.splitlines()[0].split()[4:6] == ["contacts", "corrected"]
    # contacts, corrected, km, profile, file: two stored, none a correction
    assert line.split()[-5:] == ["2", "0", "0", "0", path.name]
    code, out, err = _run(database, monkeypatch, capsys, "undo-readback", number)
    assert code == 0, (out, err)
    assert out.startswith(f"read-back #{number} ({path.name}) undone: 2 contacts")
    assert _events(database) == {}
    code, out, _err = _run(database, monkeypatch, capsys, "readbacks")
    assert "(undone " in out and "by 王主管" in out
    code, out, err = _run(database, monkeypatch, capsys, "undo-readback", number)
    assert code != 0 and "undone already" in err and len(err.strip().splitlines()) == 1
    # Read again: stored again.
    code, out, err = _run(database, monkeypatch, capsys, "outcomes", str(path))
    assert code == 0 and "2 contacts stored" in out
