"""秒挂 (cut at once) and 挂机 (hung up) in a caller's outcome words are a phone cut before
anyone spoke, as 挂断 and 拒接 are: read as no answer with the words kept, by the list read-back
and by a contacts file alike; 客户挂机 (the customer ended a call) stays a refusal. On SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import ContactEvent, Customer
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from services.lists import outcomes
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.import_files import dms_export, write_csv
from tests.services.test_import_contact_words import HEADERS
from tests.services.test_import_contact_words import TODAY as IMPORT_TODAY
from tests.services.test_list_outcomes_rows import TODAY, _cell, _fill

listed = rows_read.listed
CUT = ("秒挂", "挂机", "客户秒挂")


def test_a_cut_call_on_the_paper_list_is_no_answer_with_the_words_kept(listed):
    database, path, col = listed
    codes = [_cell(path, col, r, "编号") for r in (2, 3, 4, 5)]
    _fill(path, col, {(2, "结果"): "秒挂", (3, "结果"): "挂机", (4, "结果"): "客户挂机",
                      (5, "结果"): "挂机", (5, "客户反馈"): "晚上再打"})
    report = outcomes.read_outcomes(database.sessions, path, today=TODAY)
    assert report.problems == ()
    with database.sessions() as s:
        stored = dict(s.execute(
            select(ContactEvent.source_key, ContactEvent.feedback)
            .where(ContactEvent.source_key.startswith("list:"))).all())
        outcomes_by_code = {key.split(":")[1]: key.rsplit(":", 1)[1] for key in stored}
        feedback = {key.split(":")[1]: f for key, f in stored.items()}
    assert [outcomes_by_code[c] for c in codes] == ["no_answer", "no_answer", "refused",
                                                    "no_answer"]
    assert [feedback[c] for c in codes] == ["秒挂", "挂机", "客户挂机", "挂机；晚上再打"]


def test_a_cut_call_in_a_contacts_file_is_no_answer_with_the_words_kept(database, tmp_path):
    apply(database.sessions, dms_export(tmp_path / "owners.xlsx"),
          ImportOptions("customers", today=IMPORT_TODAY))
    rows = [[f"2026-11-{10 + i} 10:00", "张三", "13800138080", "电话", said, ""]
            for i, said in enumerate((*CUT, "客户挂机"))]
    contacts = write_csv(tmp_path / "回访记录.csv", HEADERS, rows, encoding="gbk")
    result = apply(database.sessions, contacts, ImportOptions("contacts", today=IMPORT_TODAY))
    assert (result.created, result.rejected) == (len(rows), 0)
    with database.sessions() as s:
        stored = s.execute(select(ContactEvent.outcome, ContactEvent.feedback)
                           .join(Customer, Customer.id == ContactEvent.customer_id)
                           .where(Customer.name == "张三")
                           .order_by(ContactEvent.contact_at)).all()
    assert [tuple(r) for r in stored] == [
        ("no_answer", "秒挂"), ("no_answer", "挂机"), ("no_answer", "客户秒挂"),
        ("refused", "客户挂机")]


@pytest.mark.parametrize("typed", CUT)
def test_both_word_tables_read_a_cut_call_alike(typed):
    from services.imports import words
    from services.labels import ALIASES

    assert words.normalise_outcome(typed).value == "no_answer"
    if typed in ALIASES["outcome"]:
        assert ALIASES["outcome"][typed] == "no_answer"
