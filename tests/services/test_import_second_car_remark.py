"""An owner listed on two rows, one a car, each with its own remark (备注), on SQLite and
PostgreSQL: the customer keeps both remarks, one a line, the first car's as before and the
second car's under it; the same file again adds neither twice, and undo takes them back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Customer
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import DMS_HEADERS, snapshot, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def _owner(n: int, plate: str, bought: str, remark: str | None) -> list:
    return [n, plate, "周一", "13600000011", "大众", "朗逸", None, bought, "15万", None, None,
            None, remark]


def _note(database) -> str | None:
    with database.sessions() as s:
        return s.scalar(select(Customer.note).where(Customer.mobile == "13600000011"))


def test_the_second_cars_remark_is_kept_with_the_first(database, tmp_path):
    before = snapshot(database)
    path = write_xlsx(tmp_path / "保有客户.xlsx", DMS_HEADERS, [
        _owner(1, "粤A50001", "2021-04-08", "老客户，周末勿扰"),
        _owner(2, "粤A50002", "2024-09-15", "第二辆车为女儿使用")])
    result = apply(database.sessions, path, CUSTOMERS)
    assert result.rejected == 0
    assert _note(database) == "老客户，周末勿扰\n第二辆车为女儿使用"
    assert not [w for w in result.warnings if w.field == "note"]
    made = snapshot(database)
    again = apply(database.sessions, path, CUSTOMERS)
    assert (again.created, again.updated) == (0, 0)
    assert snapshot(database) == made
    for batch in (again, result):
        batches.undo_batch(database.sessions, batch.batch_id)
    assert snapshot(database) == before

    # Only the second car's row has a remark: it is kept all the same.
    apply(database.sessions, write_xlsx(tmp_path / "b.xlsx", DMS_HEADERS, [
        _owner(1, "粤A50001", "2021-04-08", None),
        _owner(2, "粤A50002", "2024-09-15", "第二辆车为女儿使用")]), CUSTOMERS)
    assert _note(database) == "第二辆车为女儿使用"
