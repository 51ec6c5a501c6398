"""Work order exports with types Revisit has none of (洗车单), on SQLite and PostgreSQL: a type
not understood is kept in the visit's note as typed, never lost."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import ServiceVisit
from services.imports.apply import apply
from services.imports.plan import ImportOptions
from tests.services.import_files import write_xlsx

TODAY = dt.date(2026, 11, 30)
VISITS = ImportOptions("visits", today=TODAY)


def test_a_visit_type_not_understood_is_kept_in_its_note_as_typed(database, tmp_path):
    """洗车单 is a work order type of real DMSs Revisit has no type for: the visit is kept as a
    repair, said so, and its note says what the file said; the same file again changes
    nothing."""
    path = write_xlsx(tmp_path / "工单.xlsx", [
        "进厂日期", "车牌号", "客户姓名", "手机", "维修类型", "结算金额", "工单号", "备注"], [
        ["2026-11-02", "粤A55555", "刘洋", "13800138555", "洗车单", "40", "XC001", "精洗"],
        ["2026-11-09", "粤A55555", "刘洋", "13800138555", "首保", "0", "GD002", None]])
    result = apply(database.sessions, path, VISITS)
    assert (result.created, result.rejected) == (2, 0)
    assert [(w.code, w.rows) for w in result.warnings] == [("visit_type_unknown", 1)]
    assert "原文记入备注" in result.warnings[0].zh
    with database.sessions() as s:
        assert s.execute(select(ServiceVisit.visit_type, ServiceVisit.note)
                         .order_by(ServiceVisit.visit_date)).all() == [
            ("repair", "工单号 XC001；类型原文 洗车单；精洗"),
            ("maintenance", "工单号 GD002")]
    again = apply(database.sessions, path, VISITS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
