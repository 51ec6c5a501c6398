"""A filled-in call list Revisit wrote, given to the import, is sent to the read-back (revisit
list outcomes FILE), not told to be imported as contact history; a DMS contact export whose
编号 are record numbers is imported as before. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from services.imports.plan import ImportOptions, plan
from services.store.errors import RevisitError
from tests.services import test_list_outcomes_rows as rows_read
from tests.services.import_files import write_xlsx
from tests.services.test_list_outcomes_rows import TODAY, _fill

listed = rows_read.listed  # the run's Excel call list, as the tests of rows read use it


@pytest.mark.parametrize("kind", ["customers", "contacts"])
def test_a_filled_in_call_list_is_sent_to_the_read_back(listed, kind):
    database, path, col = listed
    _fill(path, col, {(2, "结果"): "接通", (2, "联系日期"): "2026-11-24"})
    with pytest.raises(RevisitError) as refused:
        plan(database.sessions, path, ImportOptions(kind, today=TODAY))
    said = str(refused.value)
    assert said.startswith("calls.xlsx is a call list Revisit wrote")
    assert f"revisit list outcomes {path}" in said and "import contacts" not in said


def test_a_dms_contact_export_with_record_numbers_is_not_taken_for_one(database, tmp_path):
    path = write_xlsx(tmp_path / "回访记录.xlsx", ["编号", "客户姓名", "手机", "联系日期", "结果"],
                      [["20261124001", "张三", "13812345678", "2026-11-24", "接通"]])
    with pytest.raises(RevisitError) as refused:
        plan(database.sessions, path, ImportOptions("customers", today=TODAY))
    assert "call list Revisit wrote" not in str(refused.value)
