"""The lifecycle stage an owners import gives, on SQLite and PostgreSQL: an owner whose stage is
unknown gets 首单 for one car on record as bought from the dealer and 复购 for two or more, as
a profile change from the import that says why; a stage staff set or the file states is never
changed, one the import gave rises with a second car, and undo takes it back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Customer
from services.customers import profile
from services.imports import batches
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import DMS_HEADERS, dms_export, snapshot, write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)


def _stages(database) -> dict[str, str | None]:
    with database.sessions() as s:
        return dict(s.execute(select(Customer.name, Customer.lifecycle_stage)).all())


def _id(database, name: str) -> int:
    with database.sessions() as s:
        found = s.scalar(select(Customer.id).where(Customer.name == name))
        assert found is not None
        return found


def test_new_owners_get_the_stage_their_cars_say(database, tmp_path):
    before = snapshot(database)
    result = apply(database.sessions, dms_export(tmp_path / "保有客户.xlsx"), CUSTOMERS)
    # 张三 bought two cars (two rows), 李四 and 王五 one each (李四's date never was: the
    # price he paid says it was bought here).
    assert _stages(database) == {"张三": "repeat", "李四": "first_purchase",
                                 "王五": "first_purchase"}
    first, change = profile.history(database.sessions, _id(database, "张三"), "lifecycle_stage")
    assert (first.old_value, first.new_value, first.effective_date) == (
        None, "first_purchase", dt.date(2021, 3, 5))
    assert (change.old_value, change.new_value, change.source) == (
        "first_purchase", "repeat", "import")
    assert change.note == \
        "导入 保有客户.xlsx；按购车记录推定（2 辆车；按第二次购车日期 2023-06-01）"
    summaries = [s.summary for s in result.samples["create"]]
    assert any(s.endswith("生命周期阶段 → 复购") for s in summaries)
    again = apply(database.sessions, dms_export(tmp_path / "保有客户.xlsx"), CUSTOMERS)
    assert again.updated == 0 and again.created == 0
    batches.undo_batch(database.sessions, again.batch_id)
    batches.undo_batch(database.sessions, result.batch_id)
    assert snapshot(database) == before


def _owner(n: int, name: str, plate: str, mobile: str, bought: str, *stage: str) -> list:
    return [n, plate, name, mobile, "大众", "朗逸", None, bought, "15万", None, None, None, None,
            *stage]


def test_a_stage_staff_set_or_the_file_states_stands(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "a.xlsx", [
        _owner(1, "孙一", "粤A10001", "13600000001", "2020-01-05"),
        _owner(2, "孙二", "粤A10002", "13600000002", "2020-02-05"),
        _owner(3, "孙三", "粤A10003", "13600000003", "2020-03-05")]), CUSTOMERS)
    assert set(_stages(database).values()) == {"first_purchase"}
    # Staff set 孙一 to 意向 (he asks about a second car).
    profile.record_change(database.sessions, _id(database, "孙一"), "lifecycle_stage",
                          "intent", effective_date=TODAY, source="call")
    # The next list brings a second car of each; 孙三's row states a stage of its own.
    second = [_owner(1, "孙一", "粤B20001", "13600000001", "2026-01-05", None),
              _owner(2, "孙二", "粤B20002", "13600000002", "2026-02-05", None),
              _owner(3, "孙三", "粤B20003", "13600000003", "2026-03-05", "潜在")]
    apply(database.sessions, write_xlsx(tmp_path / "b.xlsx", [*DMS_HEADERS, "客户阶段"], second),
          CUSTOMERS)
    assert _stages(database) == {"孙一": "intent", "孙二": "repeat", "孙三": "potential"}
    history = profile.history(database.sessions, _id(database, "孙二"), "lifecycle_stage")
    assert [(c.old_value, c.new_value) for c in history] == [
        (None, "first_purchase"), ("first_purchase", "repeat")]


def test_a_car_not_on_record_as_bought_gives_no_stage(database, tmp_path):
    # Nothing says the car was bought from the dealer (no purchase date, no price).
    rows = [[1, "粤A99999", "钱七", "13600136000", "大众", "朗逸", None, None, None, "2万公里",
             None, None, None]]
    apply(database.sessions, dms_export(tmp_path / "a.xlsx", rows), CUSTOMERS)
    assert _stages(database) == {"钱七": None}
