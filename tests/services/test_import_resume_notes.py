"""An import stopped part-way and completed by importing the same file again reports every row's
notes, also those of the rows the stopped import stored (found stored now, they would not be
noted again): its counts of what was noted and its problems file are those of an import that
was never stopped. On SQLite and PostgreSQL."""

from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import text

from services.imports import batches, engine
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import DMS_HEADERS, customer_rows, write_csv

CUSTOMERS = ImportOptions("customers")
ROWS = 1500  # a chunk and a half


def _at(street: str) -> list[list]:
    return [[*r[:11], f"广州市天河区{street}{i}号", r[12]]
            for i, r in enumerate(customer_rows(ROWS))]


def _noted(path) -> dict[int, list]:
    """The problems file's sheet of rows imported with notes: row number -> its cells."""
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.worksheets[-1]
    rows = {r[0]: list(r[1:]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    book.close()
    return rows


def _moved_import(database, tmp_path, stop: bool):
    """January's owners, then February's file moving each of them (a note a row); with
    `stop`, February's import is stopped after its first chunk and imported again."""
    apply(database.sessions, write_csv(tmp_path / "一月.csv", DMS_HEADERS, _at("体育西路")),
          CUSTOMERS)
    february = write_csv(tmp_path / "二月.csv", DMS_HEADERS, _at("天河路"))
    if stop:
        def progress(done: int, _total: int) -> None:
            if done >= 1000:
                raise KeyboardInterrupt  # as Ctrl+C after the first chunk was committed

        with pytest.raises(engine.ImportStopped) as stopped:
            apply(database.sessions, february, CUSTOMERS, progress=progress)
        assert batches.get_batch(database.sessions, stopped.value.batch_id).unfinished
    return apply(database.sessions, february, CUSTOMERS, errors_path=tmp_path / "问题.xlsx")


def test_a_completed_import_reports_the_notes_of_the_rows_stored_before_it_stopped(
        database, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)  # every chunk committed
    done = _moved_import(database, tmp_path, stop=True)
    assert done.completes and (done.updated, done.unchanged) == (ROWS - 1000, 1000)
    moved = "地址与已存的不同，已按文件更新（原地址记入客户资料变更记录），请核对"
    assert {w.zh: w.rows for w in done.warnings}[moved] == ROWS
    noted = _noted(done.errors_file)
    assert len(noted) == done.noted >= ROWS
    first = noted[2]  # the file's first row, stored by the stopped import
    assert any(moved in str(cell) for cell in first), first
    # The stopped batch no longer carries them: they are the completing import's now.
    stopped = batches.get_batch(database.sessions, done.completes[0])
    assert stopped.completed_by == done.batch_id


def test_the_report_is_that_of_an_import_never_stopped(database, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)
    resumed = _moved_import(database, tmp_path, stop=True)
    resumed_rows = _noted(resumed.errors_file)
    # The same again on an empty database, without the stop.
    with database.engine.begin() as conn:
        for table in ("import_change", "import_created", "import_batch", "profile_change",
                      "mileage_reading", "vehicle", "audit_log", "customer"):
            conn.execute(text(f"DELETE FROM {table}"))
    (tmp_path / "again").mkdir()
    plain = _moved_import(database, tmp_path / "again", stop=False)
    assert [(w.zh, w.rows) for w in resumed.warnings] == [(w.zh, w.rows) for w in plain.warnings]
    assert resumed_rows == _noted(plain.errors_file)
