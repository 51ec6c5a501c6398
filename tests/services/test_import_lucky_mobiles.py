"""A real mobile that only looks like a placeholder: 陈静's 13612345678 (the same name and plate
on the owners list, the work orders, the surveys and the insurance list) was refused as one, and
she ended with no phone at all, unreachable and unsearchable. A run of digits is a "lucky" number
(靓号) a carrier sells; only a number that is nobody's (all one digit after the prefix, China
Mobile's example 13800138000) is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import Customer
from services.imports.apply import apply
from services.imports.phones import Phones, first_dialable, normalise_phones
from services.imports.plan import ImportOptions
from tests.services.import_files import write_csv

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(("raw", "mobile"), [
    ("13612345678", "13612345678"), ("8613612345678", "13612345678"),
    ("+86 136-1234-5678", "13612345678"), ("13987654321", "13987654321"),
    ("13912345678", "13912345678"), ("18612345678", "18612345678")])
def test_a_lucky_number_is_the_customers_mobile(raw, mobile):
    result = normalise_phones(raw, keep_invalid=True)
    assert result.value == Phones(mobile)
    assert result.problems == ()


@pytest.mark.parametrize(("raw", "codes"), [
    ("13800000000", ["mobile_placeholder"]), ("13888888888", ["mobile_placeholder"]),
    ("13800138000", ["mobile_placeholder"]), ("11111111111", [])])  # read as an empty cell
def test_a_number_that_is_nobodys_is_still_refused(raw, codes):
    result = normalise_phones(raw, keep_invalid=True)
    assert result.value is None
    assert [p.code for p in result.problems] == codes


def test_a_lucky_number_among_other_phones_can_be_dialled():
    assert first_dialable("13612345678, 020-38001234") == "13612345678"
    assert first_dialable("13800000000, 020-38001234") == "020-38001234"


def test_a_lucky_number_keeps_its_owner_reachable(database, tmp_path):
    path = write_csv(tmp_path / "保有客户.csv", ["车主名称", "联系电话", "车牌号码", "车型"], [
        ["陈静", "8613612345678", "粤A7H3J5", "亚洲龙"],
        ["赵强", "13800138000", "粤A9Z9Z9", "雷凌"]])
    done = apply(database.sessions, path, ImportOptions("customers", today=TODAY))
    assert done.created == 2 and done.rejected == 0
    assert [(w.code, w.rows) for w in done.warnings] == [("mobile_placeholder", 1)]
    with database.sessions() as s:
        phones = dict(s.execute(select(Customer.name, Customer.mobile)).all())
    assert phones == {"陈静": "13612345678", "赵强": None}
