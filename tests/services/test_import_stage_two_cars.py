"""The stage an import infers for an owner who arrives with two cars bought at different dates,
on SQLite and PostgreSQL: 首单 dated by the earlier purchase, then 复购 dated by the later one —
the history one car and then the second in two imports records — and a segment evaluated
between the two dates finds the first purchase."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Vehicle
from services.customers import profile
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import DMS_HEADERS, snapshot, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def _owner(n: int, plate: str, bought: str) -> list:
    return [n, plate, "周一", "13600000011", "大众", "朗逸", None, bought, "15万", None, None,
            None, None]


FIRST, SECOND = _owner(1, "粤A50001", "2021-04-08"), _owner(2, "粤A50002", "2024-09-15")


def _stages(database) -> list[tuple]:
    with database.sessions() as s:
        customer = s.scalar(select(Vehicle.customer_id).where(Vehicle.plate == "粤A50001"))
    return [(c.old_value, c.new_value, c.effective_date, c.note.split("；", 1)[1])
            for c in profile.history(database.sessions, customer, "lifecycle_stage")]


def test_two_cars_in_one_file_record_the_first_purchase_then_the_repeat(database, tmp_path):
    before = snapshot(database)
    result = apply(database.sessions, write_xlsx(tmp_path / "保有客户.xlsx", DMS_HEADERS,
                                                 [SECOND, FIRST]), CUSTOMERS)
    both = _stages(database)
    assert [s[:3] for s in both] == [
        (None, "first_purchase", dt.date(2021, 4, 8)),
        ("first_purchase", "repeat", dt.date(2024, 9, 15))]
    with database.sessions() as s:
        customer = s.scalar(select(Vehicle.customer_id).where(Vehicle.plate == "粤A50001"))
    for day, stage in ((dt.date(2021, 4, 7), None), (dt.date(2021, 4, 8), "first_purchase"),
                       (dt.date(2024, 9, 14), "first_purchase"), (TODAY, "repeat")):
        assert profile.value_as_of(database.sessions, customer, "lifecycle_stage",
                                   day) == stage
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database) == before

    # The same owner's cars in two imports, one after the other: the same history.
    apply(database.sessions, write_xlsx(tmp_path / "a.xlsx", DMS_HEADERS, [FIRST]), CUSTOMERS)
    apply(database.sessions, write_xlsx(tmp_path / "b.xlsx", DMS_HEADERS, [SECOND]), CUSTOMERS)
    assert [s[:3] for s in _stages(database)] == [s[:3] for s in both]
    assert [s[3] for s in _stages(database)] == [s[3] for s in both]
