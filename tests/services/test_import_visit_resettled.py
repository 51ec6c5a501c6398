"""A work order reversed (冲红) and settled again by the DMS under the same number, on SQLite and
PostgreSQL: the settlement after the reversal (another day or amount) is a visit of its own,
in the file of the reversal or a later one, while the original row listed again (its day and
amount) does not make the cancelled visit again; the same files again change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import ServiceVisit
from services.imports import batches, engine
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import dms_export, snapshot, write_csv

TODAY = dt.date(2026, 11, 30)
VISITS = ImportOptions("visits", today=TODAY)
HEADERS = ["工单号", "进厂日期", "车牌号", "进厂里程", "维修类别", "结算金额"]
ORIGINAL = ["WO101", "2026-07-01", "粤A12345", "40,000", "保养", "560"]
REVERSAL = ["WO101-冲", "2026-07-02", "粤A12345", None, "冲红", "-560"]
AGAIN = ["WO101", "2026-07-03", "粤A12345", "40,010", "保养", "520"]
OTHER = ["WO103", "2026-09-05", "粤B11111", "52000", "保养", "650"]
D = Decimal


def _owners(database, tmp_path) -> None:
    apply(database.sessions, dms_export(tmp_path / "owners.xlsx"),
          ImportOptions("customers", today=TODAY))


def _visits(database) -> list[tuple[str, dt.date, Decimal]]:
    with database.sessions() as s:
        return sorted((v.work_order, v.visit_date, v.amount) for v in s.execute(
            select(ServiceVisit.work_order, ServiceVisit.visit_date, ServiceVisit.amount)))


SETTLED = [("WO101", dt.date(2026, 7, 3), D("520.00")), ("WO103", dt.date(2026, 9, 5),
                                                           D("650.00"))]


def test_a_work_order_settled_again_in_the_file_of_its_reversal(database, tmp_path):
    _owners(database, tmp_path)
    before = snapshot(database)
    path = write_csv(tmp_path / "工单.csv", HEADERS, [ORIGINAL, REVERSAL, AGAIN, OTHER])
    result = apply(database.sessions, path, VISITS)
    assert result.rejected == 0
    assert _visits(database) == SETTLED  # the original cancelled, the settlement after it kept
    made = snapshot(database)
    again = apply(database.sessions, path, VISITS)  # the same file again: nothing changes
    assert (again.created, again.updated, again.rejected) == (0, 0, 0)
    assert snapshot(database) == made
    for batch in (again, result):
        batches.undo_batch(database.sessions, batch.batch_id)
    assert snapshot(database) == before


def test_a_work_order_settled_again_in_a_later_file(database, tmp_path):
    _owners(database, tmp_path)
    july = write_csv(tmp_path / "7月.csv", HEADERS, [ORIGINAL, REVERSAL, OTHER])
    apply(database.sessions, july, VISITS)
    assert [v[0] for v in _visits(database)] == ["WO103"]
    # A re-export of the original row, as it was: not made again.
    plain = write_csv(tmp_path / "7月（重导）.csv", HEADERS, [ORIGINAL])
    result = apply(database.sessions, plain, VISITS)
    assert (result.created, result.updated) == (0, 0)
    assert [w.code for w in result.warnings] == ["visit_cancelled_before"]
    # The settlement after the reversal, another day and amount: a visit.
    later = write_csv(tmp_path / "7月（重新结算）.csv", HEADERS, [AGAIN])
    result = apply(database.sessions, later, VISITS)
    assert (result.created, result.rejected) == (1, 0)
    assert _visits(database) == SETTLED
    made = snapshot(database)
    # Each file again: the settlement stays, the cancelled visit is not made again, nor is
    # the settlement taken for the visit the reversal cancelled.
    for path in (july, plain, later):
        again = apply(database.sessions, path, VISITS)
        assert (again.created, again.updated, again.rejected) == (0, 0, 0)
    assert snapshot(database) == made


def test_a_settlement_again_on_the_original_day_at_another_amount(database, tmp_path):
    _owners(database, tmp_path)
    apply(database.sessions, write_csv(tmp_path / "7月.csv", HEADERS, [ORIGINAL, REVERSAL]),
          VISITS)
    result = apply(database.sessions, write_csv(tmp_path / "更正.csv", HEADERS, [
        ["WO101", "2026-07-01", "粤A12345", "40,000", "保养", "500"]]), VISITS)
    assert result.created == 1
    assert _visits(database) == [("WO101", dt.date(2026, 7, 1), D("500.00"))]


@pytest.mark.parametrize("chunk", [1, 1000])
def test_a_settlement_again_listed_before_the_reversal(database, tmp_path, monkeypatch, chunk):
    """A file newest first, or one listing the settlements before their reversals: the
    settlement again is a visit of its own wherever the reversal stands in the file, in the
    chunk read with it or a later one (a long file's)."""
    monkeypatch.setattr(engine, "CHUNK", chunk)
    _owners(database, tmp_path)
    before = snapshot(database)
    # A reversal said by its type alone, its amount positive, under the same number.
    by_type = ["WO101", "2026-07-02", "粤A12345", None, "红冲", "560"]
    for name, rows in (("新到旧.csv", [OTHER, AGAIN, REVERSAL, ORIGINAL]),
                       ("冲红在后.csv", [ORIGINAL, AGAIN, REVERSAL, OTHER]),
                       ("类型红冲.csv", [ORIGINAL, AGAIN, OTHER, by_type])):
        path = write_csv(tmp_path / name, HEADERS, rows)
        result = apply(database.sessions, path, VISITS)
        assert result.rejected == 0, name
        assert _visits(database) == SETTLED, name
        made = snapshot(database)
        again = apply(database.sessions, path, VISITS)
        assert (again.created, again.updated, again.rejected) == (0, 0, 0), name
        assert snapshot(database) == made, name
        for batch in (again, result):
            batches.undo_batch(database.sessions, batch.batch_id)
        assert snapshot(database) == before, name


def test_a_settlement_again_of_labour_and_parts_before_the_reversal(database, tmp_path,
                                                                     monkeypatch):
    """A work order exported as its labour and parts, no total: the reversal, chunks after
    the settlement again, is told by the two added up as a row's amount is."""
    monkeypatch.setattr(engine, "CHUNK", 1)
    _owners(database, tmp_path)
    headers = ["工单号", "进厂日期", "车牌号", "维修类别", "工时费", "材料费"]
    path = write_csv(tmp_path / "工时材料.csv", headers, [
        ["WO101", "2026-07-01", "粤A12345", "保养", "300", "260"],
        ["WO101", "2026-07-03", "粤A12345", "保养", "300", "220"],
        ["WO101-冲", "2026-07-02", "粤A12345", "冲红", "-300", "-260"],
    ])
    result = apply(database.sessions, path, VISITS)
    assert result.rejected == 0
    assert _visits(database) == [("WO101", dt.date(2026, 7, 3), D("520.00"))]
