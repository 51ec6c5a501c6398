"""Outcomes of a contacts file (回访记录) in the caller's own words, on SQLite and PostgreSQL:
read as the outcome nearest them and kept before the feedback, and a wording typed a character
wrong (接同) read as the one it is that close to, with a note — as the call list's read-back
reads the same cells (one table of wordings for both)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from models import ContactEvent, Customer
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.lists.profile_cells import read_row
from tests.services.import_files import dms_export, snapshot, write_csv

TODAY = dt.date(2026, 11, 30)
HEADERS = ["回访日期", "客户姓名", "手机号码", "回访方式", "回访结果", "客户反馈"]
# (outcome as typed, feedback as typed)
SAID = [("不在家", ""), ("客户在忙稍后再联", "说下午再打"), ("已预约周六", "周六上午到店保养"),
        ("号码空号", ""), ("接同", "车子用着挺好"), ("无人接听", ""),
        ("不在家", "不在家，晚上再打")]


@pytest.fixture
def contacts(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "owners.xlsx"),
          ImportOptions("customers", today=TODAY))
    rows = [[f"2026-11-{10 + i} 10:00", "张三", "13800138080", "电话", outcome, feedback]
            for i, (outcome, feedback) in enumerate(SAID)]
    return write_csv(tmp_path / "回访记录.csv", HEADERS, rows, encoding="gbk")


def test_a_callers_words_are_kept_as_the_list_read_back_keeps_them(database, tmp_path,
                                                                   contacts):
    errors = tmp_path / "问题.xlsx"
    result = apply(database.sessions, contacts, ImportOptions("contacts", today=TODAY),
                   errors_path=errors)
    assert (result.created, result.rejected) == (len(SAID), 0)
    with database.sessions() as s:
        stored = s.execute(select(ContactEvent.outcome, ContactEvent.feedback)
                           .join(Customer, Customer.id == ContactEvent.customer_id)
                           .where(Customer.name == "张三")
                           .order_by(ContactEvent.contact_at)).all()
    read_back = [read_row({"编号": "R1", "结果": outcome, "客户反馈": feedback}, 1, TODAY)
                 for outcome, feedback in SAID]
    assert [tuple(r) for r in stored] == [(r.outcome, r.feedback) for r in read_back] == [
        ("no_answer", "不在家"), ("reached", "客户在忙稍后再联；说下午再打"),
        ("appointment", "已预约周六；周六上午到店保养"), ("wrong_number", "号码空号"),
        ("reached", "车子用着挺好"), ("no_answer", None), ("no_answer", "不在家，晚上再打")]
    noted = openpyxl.load_workbook(errors).worksheets[-1]
    said = {row[0]: row[-1] for row in noted.iter_rows(min_row=2, values_only=True)}
    assert said == {6: "联系结果：与一种联系结果只差一个字，已按该结果记录，请核对（“接同”）"}

    after = snapshot(database)
    again = apply(database.sessions, contacts, ImportOptions("contacts", today=TODAY))
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(SAID))
    assert snapshot(database) == after
