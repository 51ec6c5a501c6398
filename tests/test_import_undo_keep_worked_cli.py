"""`import undo N` after a colleague called a customer the import created: one line naming the
customer, what was recorded and by whom, and the command that keeps them; `--keep-worked`
undoes the rest and says what stayed; `import batches` lists it partly undone. On SQLite and
PostgreSQL."""

from __future__ import annotations

import main
from tests.conftest import SUPERVISOR_PASSWORD
from tests.services.test_import_undo_keep_worked import _call, _two_imports


def test_undo_names_the_customers_worked_on_then_keeps_them_on_request(
        capsys, database, tmp_path, supervisor, staff, monkeypatch):
    monkeypatch.setenv("REVISIT_USER", "boss")
    monkeypatch.setenv("REVISIT_PASSWORD", SUPERVISOR_PASSWORD)
    _, batch_id = _two_imports(database, tmp_path)
    _call(database, "客户10", staff.id)
    capsys.readouterr()

    def cli(*args: str) -> tuple[int, str, str]:
        code = main.main(["--db", database.url, "import", *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    code, _, err = cli("undo", str(batch_id))
    assert code == 2
    assert "客户10 13900000010: a call or contact by 陈丽" in err
    assert f"import undo {batch_id} --keep-worked" in err
    assert "contact_event" not in err
    code, out, _ = cli("undo", str(batch_id), "--keep-worked")
    assert code == 0
    assert f"import batch #{batch_id} partly undone" in out
    assert "kept 1 customers worked on since: 客户10 13900000010" in out
    assert "1 customers, 1 cars" in out
    code, out, _ = cli("batches")
    listed = next(line for line in out.splitlines() if line.startswith(f"#{batch_id} "))
    assert "partly undone" in listed and "kept the customers worked on since" in listed
