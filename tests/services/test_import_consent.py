"""Marketing consent brought by a customer file (营销同意 是/否), on SQLite and PostgreSQL:
headers and values recognised, an event only when the consent in force changes, dated by the
consent date, the export day or the import's day, shown by the dry run, taken back by undo,
and the imported customers on a sales list."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import ConsentEvent, Customer
from services.customers.preferences import record_consent
from services.imports import batches
from services.imports.apply import apply
from services.imports.clean import clean_value
from services.imports.fields import KINDS
from services.imports.mapping import auto_map
from services.imports.plan import ImportOptions, plan
from services.lists import build
from services.segments import service as segments
from tests.services.import_files import write_xlsx

TODAY = dt.date(2026, 11, 30)
CUSTOMERS = ImportOptions("customers", today=TODAY)
HEADERS = ["客户姓名", "手机", "营销同意", "同意日期"]
ROWS = [
    ["张三", "13800000001", "是", None],
    ["李四", "13800000002", "否", None],
    ["王五", "13800000003", "同意", "2026-03-01"],
    ["赵六", "13800000004", "也许", None],
    ["钱七", "13800000005", None, None],
]


def _events(database) -> dict[str, list[tuple[bool, dt.date, str]]]:
    with database.sessions() as s:
        found: dict[str, list[tuple[bool, dt.date, str]]] = {}
        for name, e in s.execute(select(Customer.name, ConsentEvent).join(
                ConsentEvent, ConsentEvent.customer_id == Customer.id)
                .order_by(ConsentEvent.id)):
            found.setdefault(name, []).append((e.granted, e.event_date, e.source))
        return found


def _customer_id(database, name: str) -> int:
    with database.sessions() as s:
        return s.scalars(select(Customer.id).where(Customer.name == name)).one()


@pytest.mark.parametrize("header", ["营销同意", "同意营销", "是否同意营销", "接受营销短信",
                                    "会员短信", "同意联系", "营销同意（是/否）"])
def test_consent_headers_are_recognised(header):
    mapping = auto_map(["客户姓名", "手机", header], "customers").as_dict()
    assert mapping.get("marketing_consent") == 2


def test_a_consent_date_column_is_the_date_not_the_consent():
    both = auto_map(["客户姓名", "手机", "营销同意日期", "是否同意营销"], "customers")
    assert (both.column("consent_date"), both.column("marketing_consent")) == (2, 3)
    alone = auto_map(["客户姓名", "手机", "同意日期"], "customers").as_dict()
    assert "marketing_consent" not in alone and alone["consent_date"] == 2


@pytest.mark.parametrize(("raw", "granted"), [
    ("是", True), ("否", False), ("同意", True), ("不同意", False), ("Y", True), ("n", False),
    (1, True), (0.0, False), ("1", True), ("√", True), ("×", False), ("TRUE", True),
    ("false", False), (True, True), (False, False), ("已同意", True), ("未同意", False),
    ("拒绝", False), (" 同 意 ", True),
])
def test_consent_values_are_read(raw, granted):
    field = KINDS["customers"].field("marketing_consent")
    assert clean_value(field, raw, TODAY).value is granted


def test_an_unreadable_consent_is_a_warning_naming_it():
    field = KINDS["customers"].field("marketing_consent")
    result = clean_value(field, "也许", TODAY)
    assert result.value is None and [p.code for p in result.problems] == ["consent_unknown"]


def test_import_records_consent_once_and_undo_takes_it_back(database, tmp_path):
    path = write_xlsx(tmp_path / "客户.xlsx", HEADERS, ROWS)
    first = apply(database.sessions, path, CUSTOMERS)
    assert first.records.get("consent_event") == 3
    assert _events(database) == {
        "张三": [(True, TODAY, "import")],
        "李四": [(False, TODAY, "import")],
        "王五": [(True, dt.date(2026, 3, 1), "import")],
    }
    noted = [r for r in first.warnings if r.code == "consent_unknown"]
    assert [r.rows for r in noted] == [1]
    sample = next(s for s in first.samples["create"] if s.number == 5)
    assert any("营销同意" in r and "也许" in r for r in sample.reasons), sample.reasons
    assert any("也许" in r for r in sample.reasons_en)

    again = apply(database.sessions, path, CUSTOMERS)
    assert "consent_event" not in again.records and again.updated == 0
    assert len(_events(database)) == 3

    batches.undo_batch(database.sessions, again.batch_id)
    undone = batches.undo_batch(database.sessions, first.batch_id)
    assert undone.deleted["consent_event"] == 3
    assert _events(database) == {}


def test_consent_of_stored_customers_changes_only_what_is_in_force(database, tmp_path):
    apply(database.sessions, write_xlsx(tmp_path / "a.xlsx", HEADERS[:2],
                                        [r[:2] for r in ROWS[:3]]), CUSTOMERS)
    for name, granted, day in (("张三", True, dt.date(2026, 1, 1)),
                               ("李四", True, dt.date(2026, 1, 1)),
                               ("王五", False, dt.date(2026, 6, 1))):
        record_consent(database.sessions, _customer_id(database, name), granted,
                       event_date=day, source="manual", today=TODAY)
    rows = [["张三", "13800000001", "同意", None],  # already in force: nothing
            ["李四", "13800000002", "不同意", None],  # withdrawn today
            ["王五", "13800000003", "同意", "2025-12-01"]]  # older than the stored refusal
    path = write_xlsx(tmp_path / "b.xlsx", HEADERS, rows)

    dry = plan(database.sessions, path, CUSTOMERS)
    assert (dry.updated, dry.unchanged) == (1, 2)
    assert dry.changed_fields == {"marketing_consent": 1}
    assert dry.samples["update"][0].summary == "营销同意 同意 → 不同意"
    assert dry.samples["update"][0].summary_en == "Marketing consent granted → refused"
    assert [r.code for r in dry.warnings] == ["consent_older"]
    assert len(sum(_events(database).values(), [])) == 3

    done = apply(database.sessions, path, CUSTOMERS)
    events = _events(database)
    assert events["张三"] == [(True, dt.date(2026, 1, 1), "manual")]
    assert events["李四"][-1] == (False, TODAY, "import")
    assert events["王五"] == [(False, dt.date(2026, 6, 1), "manual")]
    batches.undo_batch(database.sessions, done.batch_id)
    assert events["李四"][:-1] == _events(database)["李四"]


def test_consent_is_dated_by_the_export_day_and_new_rows_say_so(database, tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", HEADERS[:3], [r[:3] for r in ROWS[:2]],
                      title=["保有客户明细  导出时间：2026-10-15"])
    dry = plan(database.sessions, path, CUSTOMERS)
    assert "营销同意 → 同意" in dry.samples["create"][0].summary
    apply(database.sessions, path, CUSTOMERS)
    assert _events(database) == {"张三": [(True, dt.date(2026, 10, 15), "import")],
                                 "李四": [(False, dt.date(2026, 10, 15), "import")]}


def test_a_later_row_of_the_same_customer_cannot_change_it(database, tmp_path):
    rows = [["张三", "13800000001", "同意", None], ["张三", "13800000001", "不同意", None]]
    result = apply(database.sessions, write_xlsx(tmp_path / "d.xlsx", HEADERS, rows),
                   CUSTOMERS)
    assert _events(database) == {"张三": [(True, TODAY, "import")]}
    assert [r.code for r in result.warnings] == ["differs_in_file"]


def test_imported_consent_puts_customers_on_a_sales_list(database, tmp_path):
    apply(database.sessions, write_xlsx(tmp_path / "客户.xlsx", HEADERS, ROWS), CUSTOMERS)
    segments.save_segment(database.sessions, "全部客户", {"version": 1}, purpose="sales")
    summary = build.build_run(database.sessions, "全部客户",
                              build.RunOptions(purpose="sales", as_of=TODAY), document=True)
    assert summary.document is not None
    assert {m.name for m in summary.document.members} == {"张三", "王五"}
    assert summary.excluded == {"无营销同意": 3}
