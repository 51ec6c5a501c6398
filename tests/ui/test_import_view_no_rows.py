"""The import wizard on an export with its headers and no row below them: the dry run is
refused with the service's one sentence naming the file and sheet, and nothing is stored."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from models import ImportBatch
from services.staff import accounts
from tests.services.import_files import write_xlsx
from tests.ui.conftest import shut_down
from tests.ui.test_import_view import _make_view, _to_mapping
from ui.views.import_view import STEP_DRY_RUN


def test_a_sheet_of_headers_only_is_refused_at_the_dry_run(qtbot, sqlite_database, tmp_path,
                                                           monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text, *a, **k: warnings.append(text))
    path = write_xlsx(tmp_path / "保有客户明细.xlsx", ["车牌号码", "车主姓名", "联系电话"], [],
                      title=["保有客户明细（导出时间 2026-11-28 10:00）"])
    monkeypatch.setattr("ui.views.import_view.ask_open_path", lambda *a, **k: str(path))
    boss = accounts.create_first_supervisor(sqlite_database.sessions, "boss", "王主管",
                                            "boss-secret")
    view, runner = _make_view(qtbot, sqlite_database, boss)
    try:
        _to_mapping(qtbot, view)
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(warnings), timeout=30000)
        assert ("The sheet Sheet of 保有客户明细.xlsx has no rows below its column headers, so "
                "nothing was imported.") in warnings[0]
        # The dry run did not finish: there is nothing to import.
        assert view.steps.currentIndex() == STEP_DRY_RUN and view.plan is None
        assert not view.next.isEnabled()
        with sqlite_database.sessions() as s:
            assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    finally:
        shut_down(view, runner)
