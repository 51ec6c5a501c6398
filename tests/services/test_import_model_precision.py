"""A vaguer model does not overwrite a precise one: a second DMS's 丰田 凯美瑞 turned the stored
凯美瑞 2.0G into 凯美瑞 (recorded as a profile change), and the first file read again turned it
back. A model that is the start of the stored one is the same car, said less precisely."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import ProfileChange, Vehicle
from services.imports.apply import apply
from services.imports.customers import less_precise
from services.imports.plan import ImportOptions
from tests.services.import_files import vin, write_csv

TODAY = dt.date(2026, 12, 6)
CUSTOMERS = ImportOptions("customers", today=TODAY)
V1 = vin("LVGBE40KEG000101")
V2 = vin("LVGBE40KFG000102")


@pytest.mark.parametrize(("model", "stored", "vaguer"), [
    ("凯美瑞", "凯美瑞 2.0G", True), ("凯美瑞", "凯美瑞2.0G", True), ("RAV4", "RAV4荣放", True),
    ("es", "ES300h", True), ("凯美瑞 2.0G", "凯美瑞", False), ("凯美瑞", "凯美瑞", False),
    ("X1", "X10", False), ("卡罗拉", "凯美瑞 2.0G", False), (None, "凯美瑞", False),
    ("凯美瑞", None, False),
])
def test_a_model_that_starts_the_stored_one_is_less_precise(model, stored, vaguer):
    assert less_precise(model, stored) is vaguer


def _models(database) -> dict[str, str]:
    with database.sessions() as s:
        return dict(s.execute(select(Vehicle.vin, Vehicle.model)).all())


def _model_changes(database) -> int:
    with database.sessions() as s:
        return s.scalar(select(func.count()).select_from(ProfileChange)
                        .where(ProfileChange.attribute == "model"))


def test_a_vaguer_model_keeps_the_precise_one(database, tmp_path):
    first = write_csv(tmp_path / "厂家DMS.csv", ["车主名称", "联系电话", "品牌", "车型", "VIN码"], [
        ["张伟", "13800138001", "丰田", "凯美瑞 2.0G", V1],
        ["张伟", "13800138001", "丰田", "卡罗拉", V2]])
    second = write_csv(tmp_path / "二手DMS.csv", ["客户姓名", "手机", "品牌车型", "车架号"], [
        ["张伟", "13800138001", "丰田 凯美瑞", V1],
        # More precise than the stored one: a change, recorded.
        ["张伟", "13800138001", "丰田 卡罗拉 1.2T", V2]])
    apply(database.sessions, first, CUSTOMERS)
    done = apply(database.sessions, second, CUSTOMERS)
    assert (done.updated, done.unchanged) == (1, 1)
    assert _models(database) == {V1: "凯美瑞 2.0G", V2: "卡罗拉 1.2T"}
    assert _model_changes(database) == 1
    again = apply(database.sessions, first, CUSTOMERS)
    assert again.updated == 0
    assert _models(database) == {V1: "凯美瑞 2.0G", V2: "卡罗拉 1.2T"}
    assert _model_changes(database) == 1
