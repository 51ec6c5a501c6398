"""Undoing an import after colleagues worked on customers it created: refused in staff words
(who the customers are, what was recorded, by whom), or — keeping those customers — the rest
undone in one transaction: the values it wrote over existing customers put back, the
customers nobody touched deleted, the batch partly undone. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import ContactEvent, Customer
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.imports.undo_checks import WorkedSince
from tests.services.import_files import DMS_HEADERS, customer_rows, snapshot, write_csv

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
NEW_ADDRESS = "广州市天河区体育西路9号"


def _two_imports(database, tmp_path):
    """January's 3 owners; then a file giving two of them an address, and 3 new owners."""
    apply(database.sessions, write_csv(tmp_path / "一月.csv", DMS_HEADERS, customer_rows(3)),
          CUSTOMERS)
    before = snapshot(database, versions=False)
    changed = customer_rows(2)
    for row in changed:
        row[11] = NEW_ADDRESS
    second = apply(database.sessions, write_csv(tmp_path / "二月.csv", DMS_HEADERS,
                                                changed + customer_rows(3, start=10)),
                   CUSTOMERS)
    assert (second.created, second.updated) == (3, 2)
    return before, second.batch_id


def _call(database, name: str, staff_id: int) -> int:
    """A call 陈丽 records on the customer named `name`: its id."""
    with database.sessions.begin() as s:
        customer = s.scalars(select(Customer).where(Customer.name == name)).one()
        event = ContactEvent(customer_id=customer.id, contact_at=dt.datetime(2026, 12, 1, 10),
                             channel="phone", purpose="care", staff_id=staff_id,
                             outcome="reached", feedback="下周来保养")
        s.add(event)
        s.flush()
        return event.id


def test_the_refusal_names_the_customers_worked_on_and_who_recorded_what(
        database, tmp_path, supervisor, staff):
    _, batch_id = _two_imports(database, tmp_path)
    _call(database, "客户10", staff.id)
    held = snapshot(database)
    with pytest.raises(WorkedSince) as refused:
        batches.undo_batch(database.sessions, batch_id, supervisor)
    said = str(refused.value)
    assert "客户10 13900000010: a call or contact by 陈丽" in said
    assert "1 customers it created have been worked on since" in said
    assert "contact_event" not in said
    assert refused.value.params["who"].zh == "客户10 13900000010（陈丽记录的电话/联系）"
    assert snapshot(database) == held
    assert not batches.get_batch(database.sessions, batch_id).undone


def test_keeping_the_customers_worked_on_undoes_the_rest(database, tmp_path, supervisor,
                                                         staff):
    before, batch_id = _two_imports(database, tmp_path)
    call = _call(database, "客户10", staff.id)
    result = batches.undo_batch(database.sessions, batch_id, supervisor, keep_worked=True)
    assert [w.name for w in result.kept_customers] == ["客户10"]
    assert result.kept_customers[0].staff == ("陈丽",)
    # The customer, the car it created for them, its km reading and first profile values.
    assert result.left == {"customer": 1, "vehicle": 1, "mileage_reading": 1,
                           "profile_change": 1}
    assert result.restored >= 2
    with database.sessions() as s:
        names = sorted(s.scalars(select(Customer.name)))
        addresses = set(s.scalars(select(Customer.street)))
        assert s.get(ContactEvent, call) is not None
    # January's owners as they were, the worked-on one kept, the untouched new ones gone.
    assert names == ["客户0", "客户1", "客户10", "客户2"]
    assert not any(a and "体育西路9号" in a for a in addresses)
    now = snapshot(database, versions=False)
    for table in ("customer", "vehicle"):
        assert set(before[table]) <= set(now[table])
        assert len(now[table]) == len(before[table]) + 1
    info = batches.get_batch(database.sessions, batch_id)
    assert info.undone and info.left == result.left


def test_a_failure_while_keeping_leaves_the_batch_as_it_was(database, tmp_path, supervisor,
                                                             staff, monkeypatch):
    _, batch_id = _two_imports(database, tmp_path)
    _call(database, "客户11", staff.id)
    held = snapshot(database)

    def broken(*_args):
        raise OSError("the disk went away")

    monkeypatch.setattr(batches, "_left", broken)
    with pytest.raises(OSError):
        batches.undo_batch(database.sessions, batch_id, supervisor, keep_worked=True)
    assert snapshot(database) == held
    assert not batches.get_batch(database.sessions, batch_id).undone


def test_nothing_worked_on_undoes_the_whole_batch_with_the_choice_too(database, tmp_path,
                                                                     supervisor):
    before, batch_id = _two_imports(database, tmp_path)
    result = batches.undo_batch(database.sessions, batch_id, supervisor, keep_worked=True)
    assert not result.partly and result.left == {}
    assert not batches.get_batch(database.sessions, batch_id).left
    assert {t: len(r) for t, r in snapshot(database).items()} == \
        {t: len(r) for t, r in before.items()}
