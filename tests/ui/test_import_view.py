"""The import wizard end to end on a DMS-like export: file → sheet and header row → columns (and a
saved mapping) → dry run (its counts are plan()'s, its rejected rows saved as Excel) → import →
undo under Past imports; a cancelled dry run and a refused undo leave a clear state."""

from __future__ import annotations

import datetime as dt
import time

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from models import Customer, ImportBatch, Vehicle
from services.imports import profiles, readers
from services.imports.apply import apply
from services.imports.fields import KINDS
from services.imports.mapping import auto_map
from services.imports.plan import OUTCOMES, ImportOptions, plan
from services.staff import accounts, signing
from services.store.errors import CancelToken
from tests.services.import_files import monthly_workbook, vin
from tests.ui.conftest import drag_files, shut_down
from tests.ui.refusing import RefusingWrites
from ui.dialogs.name_dialog import NameDialog
from ui.labels import label, language
from ui.tasks import TaskRunner, error_text
from ui.views.import_view import STEP_DRY_RUN, STEP_MAPPING, STEP_RESULT, STEP_SHEET, ImportView

HEADERS = ["序号", "车牌号码", "车主姓名", "联系电话", "品牌", "车型", "车架号", "开票日期",
           "行驶里程", "地址"]
V1, V2, V3, V4 = (vin("LSVAB2BM4MN12345"), vin("LSVCD3CN5NP23456"), vin("LHGCR2650E800123"),
                  vin("LFV2A21K7L401234"))
ROWS = [
    # One owner with two cars.
    [1, "粤A12345", "张三", "13800138080", "大众", "朗逸", V1, "2021-03-05", "3.2万公里",
     "广州市天河区体育西路1号"],
    [2, "粤A67890", "张三", "138 0013 8080", "大众", "途观L", V2, "2023-06-01", "8000", None],
    # A bad phone and nothing else to find the owner by: not imported.
    [3, None, "李四", "12345", "丰田", "凯美瑞", None, "2020-01-02", "5万", None],
    # A date that never was: the car is imported without it.
    [4, "粤C22222", "王五", "13900139000", "本田", "雅阁", V3, "2020-02-30", "6万", None],
    [5, "粤D33333", "赵六", "13700137000", "日产", "天籁", V4, "2022-02-02", "1000", None],
]


def write_export(path, rows=ROWS, address="广州市天河区体育西路1号"):
    """保有客户明细 as a DMS exports it: a title row above the headers, and a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "保有客户"
    ws.append(["保有客户明细（导出时间 2026-11-28 10:00）"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row[:9] + [address if row[9] else None])
    wb.create_sheet("说明").append(["本表由 DMS 导出，请勿修改"])
    wb.save(path)
    return path


@pytest.fixture
def boss(sqlite_database):
    return accounts.create_first_supervisor(sqlite_database.sessions, "boss", "王主管",
                                            "boss-secret")


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Importing and undoing ask first; these tests answer Yes and keep the question."""
    questions: list[str] = []

    def answer(_parent, _title, text, *_a, **_k):
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    for module in ("ui.views.import_view", "ui.views.import_batches"):
        monkeypatch.setattr(f"{module}.QMessageBox.question", answer)
    return questions


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr("ui.tasks.QMessageBox.warning",
                        lambda _parent, _title, text, *a, **k: shown.append(text))
    return shown


@pytest.fixture
def export(tmp_path, monkeypatch):
    path = write_export(tmp_path / "保有客户明细.xlsx")
    monkeypatch.setattr("ui.views.import_view.ask_open_path", lambda *a, **k: str(path))
    return path


def _make_view(qtbot, database, actor):
    runner = TaskRunner()
    widget = ImportView(database, runner, actor)
    widget.resize(1300, 720)
    widget.show()
    return widget, runner


@pytest.fixture
def view(qtbot, sqlite_database, boss, asked, export):
    widget, runner = _make_view(qtbot, sqlite_database, boss)
    yield widget
    shut_down(widget, runner)


def _choose_file(qtbot, view) -> None:
    with qtbot.waitSignal(view.preview_loaded, timeout=10000):
        qtbot.mouseClick(view.source.choose, Qt.MouseButton.LeftButton)
    assert view.steps.currentIndex() == STEP_SHEET


def _to_mapping(qtbot, view) -> None:
    _choose_file(qtbot, view)
    qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    assert view.steps.currentIndex() == STEP_MAPPING


def _name(monkeypatch, text: str) -> list[str]:
    """Every name dialog: `text` typed and OK; returns what each opening showed."""
    opened: list[str] = []

    def fill(dialog: NameDialog) -> int:
        opened.append(dialog.name.text())
        dialog.name.selectAll()
        dialog.name.insert(text)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", fill)
    return opened


def _dry_run(qtbot, view):
    with qtbot.waitSignal(view.planned, timeout=30000) as done:
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    return done.args[0]


def _box(view, field: str):
    return next(b for b in view.mapping._boxes if b.property("field") == field)


def _counts(database) -> tuple[int, int]:
    with database.sessions() as s:
        return (s.scalar(select(func.count()).select_from(Customer)),
                s.scalar(select(func.count()).select_from(Vehicle)))


def test_the_wizard_imports_an_export_and_undo_takes_it_back(
    qtbot, view, sqlite_database, asked, export, tmp_path, monkeypatch
):
    # Step 1: the kind of file (customers is the first) and the file.
    assert view.source.kind() == "customers"
    assert not view.next.isEnabled()
    _choose_file(qtbot, view)

    # Step 2: the title row is above the headers; the user may correct the header row.
    sheet = view.sheet
    assert sheet.sheet.isVisibleTo(view) and sheet.sheet.currentText() == "保有客户"
    assert sheet.header_row.value() == 2
    assert "保有客户明细" in sheet.above.text()
    assert [sheet.table.item(0, c).text() for c in range(len(HEADERS))] == HEADERS
    assert sheet.table.verticalHeaderItem(0).text() == "2"
    assert sheet.table.rowCount() == 1 + len(ROWS)
    with qtbot.waitSignal(view.preview_loaded, timeout=10000):
        sheet.header_row.setFocus()
        sheet.header_row.lineEdit().selectAll()
        qtbot.keyClicks(sheet.header_row, "3")
        qtbot.keyClick(sheet.header_row, Qt.Key.Key_Return)
    assert view.preview.layout.header_row == 3
    assert sheet.table.item(0, 2).text() == "张三"
    with qtbot.waitSignal(view.preview_loaded, timeout=10000):
        sheet.sheet.setCurrentIndex(1)
        sheet.sheet.activated.emit(1)  # as a pick from the list does
    assert view.preview.layout.sheet == "说明"
    with qtbot.waitSignal(view.preview_loaded, timeout=10000):
        sheet.sheet.setCurrentIndex(0)
        sheet.sheet.activated.emit(0)
    assert view.preview.layout.header_row == 2 and view.preview.layout.headers == tuple(HEADERS)
    qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)

    # Step 3: every field of a customer file, filled in from the headers.
    assert view.steps.currentIndex() == STEP_MAPPING
    page = view.mapping
    assert page.table.rowCount() == len(KINDS["customers"].fields)
    assert _box(view, "name").currentData() == HEADERS.index("车主姓名")
    assert _box(view, "mobile").currentData() == HEADERS.index("联系电话")
    assert _box(view, "vin").currentData() == HEADERS.index("车架号")
    assert "张三" in page.table.item(0, 3).text()
    assert page.match_row.isVisibleTo(view)
    # Taking the name away stops the wizard, with the reason; putting it back goes on.
    name_box = _box(view, "name")
    name_box.setFocus()
    qtbot.keyClick(name_box, Qt.Key.Key_Home)
    assert name_box.currentData() is None
    assert not view.next.isEnabled()
    assert KINDS["customers"].field("name").label(language()) in page.status.text()
    name_box.setCurrentIndex(name_box.findData(HEADERS.index("车主姓名")))
    name_box.activated.emit(name_box.currentIndex())
    assert view.next.isEnabled()
    # Saved for the next file from the same system.
    _name(monkeypatch, "DMS 保有客户")
    qtbot.mouseClick(page.save_profile, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.profile.currentData() == "DMS 保有客户", timeout=10000)
    saved = profiles.load_profile(sqlite_database.sessions, "customers", "DMS 保有客户")
    assert saved.mapping.as_dict() == page.mapping().as_dict()

    # Step 4: the dry run says what plan() says, and writes nothing.
    dry = _dry_run(qtbot, view)
    assert view.steps.currentIndex() == STEP_DRY_RUN
    expected = plan(sqlite_database.sessions, export, view.options())
    assert [dry.count(o) for o in OUTCOMES] == [expected.count(o) for o in OUTCOMES]
    assert (dry.created, dry.rejected) == (4, 1)
    shown = view.dry_run
    assert [shown.counts[o].text() for o in OUTCOMES] == [str(expected.count(o))
                                                           for o in OUTCOMES]
    assert shown.reasons.rowCount() == len(expected.reasons) > 0
    assert shown.warnings.rowCount() == len(expected.warnings) > 0
    assert shown.samples.rowCount() == sum(len(v) for v in expected.samples.values())
    rows_shown = {shown.samples.item(r, 1).text() for r in range(shown.samples.rowCount())}
    assert rows_shown == {"3", "4", "5", "6", "7"}
    # Every row says what happens to it; the one left out says why beside it.
    [left] = [r for r in range(shown.samples.rowCount()) if shown.samples.item(r, 1).text() == "5"]
    assert shown.samples.item(left, 2).text() == "Left out, for the problems beside it"
    assert shown.samples.item(left, 3).text()
    assert all(shown.samples.item(r, 2).text() for r in range(shown.samples.rowCount()))
    # The problems cut short, whole in their tooltip, so the file's cells stay on screen.
    assert shown.samples.item(left, 3).toolTip() == shown.samples.item(left, 3).text()
    header, last = shown.samples.horizontalHeader(), shown.samples.columnCount() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= \
        shown.samples.viewport().width()
    assert _counts(sqlite_database) == (0, 0)
    # The rejected rows, saved where the user says.
    target = tmp_path / "未导入.xlsx"
    monkeypatch.setattr("ui.views.import_view.ask_save_path", lambda *a, **k: str(target))
    assert shown.save_errors.isEnabled()
    qtbot.mouseClick(shown.save_errors, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(target.exists, timeout=10000)
    rejected = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert len(rejected) == 2 and rejected[1][0] == 5 and "李四" in rejected[1]

    # Step 5: import, asked first; the other areas hear of it.
    with qtbot.waitSignal(view.runner.data_changed, timeout=30000) as news, \
            qtbot.waitSignal(view.imported, timeout=30000) as done:
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert "保有客户明细.xlsx" in asked[-1]
    assert news.args[0].touches("customers", "imports")
    assert view.steps.currentIndex() == STEP_RESULT
    assert f"#{result.batch_id}" in view.done.headline.text()
    assert (result.created, result.rejected) == (dry.created, dry.rejected)
    with sqlite_database.sessions() as s:
        people = {c.name: c.id for c in s.scalars(select(Customer))}
        cars = {v.vin: v.customer_id for v in s.scalars(select(Vehicle))}
    assert set(people) == {"张三", "王五", "赵六"}
    assert cars[V1] == cars[V2] == people["张三"]
    assert cars[V3] == people["王五"] and cars[V4] == people["赵六"]

    # Past imports: the batch, undone after asking; everything it created is gone.
    view.tabs.setCurrentIndex(1)
    batches = view.batches
    qtbot.waitUntil(lambda: bool(batches.rows), timeout=10000)
    assert batches.table.item(0, 0).text() == f"#{result.batch_id}"
    assert batches.undo.isEnabled()
    with qtbot.waitSignal(batches.undone, timeout=30000):
        qtbot.mouseClick(batches.undo, Qt.MouseButton.LeftButton)
    assert f"#{result.batch_id}" in asked[-1]
    assert _counts(sqlite_database) == (0, 0)
    qtbot.waitUntil(lambda: batches.rows and batches.rows[0].undone, timeout=10000)
    assert batches.table.item(0, 9).text() != ""
    assert not batches.undo.isEnabled()


def _drag(view, *paths, drop: bool = False) -> bool:
    return drag_files(view.source, *paths, drop=drop)


def test_a_file_dragged_onto_the_first_step_is_read_as_if_chosen(qtbot, view, export,
                                                                   tmp_path):
    other = tmp_path / "second.csv"
    other.write_text("姓名,手机\n", encoding="utf-8")
    # One file is taken; two files, a folder or nothing at all are not.
    assert _drag(view, export)
    assert not _drag(view, export, other)
    assert not _drag(view, tmp_path)
    assert not _drag(view)
    with qtbot.waitSignal(view.preview_loaded, timeout=10000):
        assert _drag(view, export, drop=True)
    assert view.steps.currentIndex() == STEP_SHEET
    assert view.source.path.text() == str(export)
    assert view.preview is not None and "车主姓名" in view.preview.layout.headers
    # Dropped while the file is being read: refused, not read twice at once.
    view.source.choose.setEnabled(False)
    assert not _drag(view, other) and not _drag(view, other, drop=True)


def test_a_saved_mapping_and_the_match_rule_are_used(qtbot, view, sqlite_database, export):
    top = readers.preview(export)
    chosen = auto_map(top.layout.headers, "customers", [r.cells for r in top.sample])
    profiles.save_profile(sqlite_database.sessions, "不要地址", chosen.with_column("street", None))
    _to_mapping(qtbot, view)
    qtbot.waitUntil(lambda: view.mapping.profile.findData("不要地址") > 0, timeout=10000)
    box = view.mapping.profile
    box.setCurrentIndex(box.findData("不要地址"))
    box.activated.emit(box.currentIndex())
    qtbot.waitUntil(lambda: _box(view, "street").currentData() is None, timeout=10000)
    assert "不要地址" in view.mapping.source.text()
    qtbot.mouseClick(view.mapping.match.button(0), Qt.MouseButton.LeftButton)
    assert view.options().match == ("mobile",)
    dry = _dry_run(qtbot, view)
    assert "street" not in dry.mapping.as_dict()


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_a_dry_run_that_would_rename_customers_says_so_and_offers_name_and_mobile(
        translated, qtbot, view, sqlite_database, export, tmp_path, monkeypatch):
    apply(sqlite_database.sessions, export, ImportOptions("customers", today=dt.date(2026, 11, 30)))
    # 张三's mobile under a name that sounds the same: him, or a relative? The dry run asks.
    other = write_export(tmp_path / "家人.xlsx",
                         [[6, "粤A99999", "张叁", "13800138080", "大众", "高尔夫", None, None,
                           None, None]])
    monkeypatch.setattr("ui.views.import_view.ask_open_path", lambda *a, **k: str(other))
    _to_mapping(qtbot, view)
    dry = _dry_run(qtbot, view)
    assert dry.changed_fields == {"name": 1}
    alert = view.dry_run.earlier
    assert alert.isVisibleTo(view.dry_run)
    assert ("1 stored customer" in alert.text()) if language() == "en" else ("1 位" in alert.text())
    # What happens to the row, in the window's language.
    what = view.dry_run.samples.item(0, 2).text()
    assert what == ("new vehicle; Customer name 张三 → 张叁" if language() == "en"
                    else "新车辆；客户姓名 张三 → 张叁")
    # Back to the columns: matched by name and mobile, 张叁 is someone else.
    qtbot.mouseClick(view.back, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.mapping.match.button(3), Qt.MouseButton.LeftButton)
    assert view.options().match == ("name_mobile", "vin")
    again = _dry_run(qtbot, view)
    assert again.changed_fields == {} and again.records["customer"] == 1
    assert not view.dry_run.earlier.isVisibleTo(view.dry_run)


def test_a_cancelled_dry_run_says_so_and_can_run_again(qtbot, view, monkeypatch):
    _to_mapping(qtbot, view)
    started = []

    def slow(_sessions, _path, _options, *, progress, cancel: CancelToken, errors_path):
        started.append(1)
        while True:
            progress(0, 10)  # raises Cancelled once cancelled
            time.sleep(0.02)

    monkeypatch.setattr("ui.views.import_view.plan", slow)
    qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(started), timeout=5000)
    assert view.steps.currentIndex() == STEP_DRY_RUN
    assert not view.next.isEnabled() and not view.back.isEnabled()
    view.runner.cancel_all()
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=10000)
    qtbot.waitUntil(lambda: "cancel" in view.dry_run.headline.text(), timeout=5000)
    assert not view.next.isEnabled()  # nothing to import from
    assert view.back.isEnabled() and view.dry_run.rerun.isEnabled()


def test_an_undo_refused_says_why(qtbot, sqlite_database, boss, asked, warnings, export,
                                  tmp_path):
    options = ImportOptions("customers", today=dt.date(2026, 11, 30))
    first = apply(sqlite_database.sessions, export, options)
    moved = write_export(tmp_path / "保有客户明细-新地址.xlsx", address="广州市越秀区中山五路2号")
    second = apply(sqlite_database.sessions, moved, options)
    assert second.updated > 0
    view, runner = _make_view(qtbot, sqlite_database, boss)
    try:
        view.tabs.setCurrentIndex(1)
        batches = view.batches
        qtbot.waitUntil(lambda: len(batches.rows) == 2, timeout=10000)
        batches.table.selectRow(1)
        assert batches.selected().id == first.batch_id
        qtbot.mouseClick(batches.undo, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(warnings), timeout=10000)
        assert f"#{second.batch_id}" in warnings[0] and f"#{first.batch_id}" in warnings[0]
        assert batches.undo.isEnabled()  # nothing happened; still possible later
        with sqlite_database.sessions() as s:
            assert s.scalar(select(func.count()).select_from(ImportBatch)
                            .where(ImportBatch.undone_at.is_not(None))) == 0
    finally:
        shut_down(view, runner)


def test_staff_cannot_undo_an_import(qtbot, sqlite_database, boss, export):
    accounts.add_account(sqlite_database.sessions, boss, "chenli", "陈丽", "clerk",
                         "staff-secret")
    clerk = signing.sign_in(sqlite_database.engine, "chenli", "staff-secret").actor
    apply(sqlite_database.sessions, export, ImportOptions("customers"))
    view, runner = _make_view(qtbot, sqlite_database, clerk)
    try:
        view.tabs.setCurrentIndex(1)
        qtbot.waitUntil(lambda: bool(view.batches.rows), timeout=10000)
        assert not view.batches.undo.isEnabled()
    finally:
        shut_down(view, runner)


def test_focus_starts_on_the_first_useful_control_of_each_step(qtbot, view):
    view.windowHandle().requestActivate()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    view.focus_first()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.source.kinds.button(0),
                    timeout=2000)
    _choose_file(qtbot, view)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.sheet.sheet, timeout=2000)
    qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    assert view.steps.currentIndex() == STEP_MAPPING
    first_box = view.mapping._boxes[0]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first_box, timeout=2000)
    # Tab goes from one column box to the next, scrolling the table along.
    for _ in range(len(view.mapping._boxes) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    last_box = view.mapping._boxes[-1]
    assert QApplication.focusWidget() is last_box
    assert view.mapping.table.viewport().rect().contains(last_box.geometry().center())


def test_another_kind_of_file_has_its_own_fields_and_says_what_is_missing(qtbot, view):
    qtbot.mouseClick(view.source.kinds.button(1), Qt.MouseButton.LeftButton)  # visits
    assert view.source.kind() == "visits"
    _to_mapping(qtbot, view)
    page = view.mapping
    fields = KINDS["visits"].fields
    assert page.table.rowCount() == len(fields)
    assert not page.match_row.isVisibleTo(view)
    needs = {f.key: page.table.item(r, 1).text() for r, f in enumerate(fields)}
    assert needs["visit_date"] and needs["mobile"] and needs["plate"] and needs["vin"]
    assert needs["visit_type"] == ""
    # Without a visit date the dry run cannot start, and the page says why.
    date_box = _box(view, "visit_date")
    date_box.setFocus()
    qtbot.keyClick(date_box, Qt.Key.Key_Home)
    assert date_box.currentData() is None
    assert not view.next.isEnabled()
    assert KINDS["visits"].field("visit_date").label(language()) in page.status.text()


def test_a_file_chosen_as_the_wrong_kind_says_so_and_is_taken_as_its_own(qtbot, view):
    """The customer export chosen as service visits: step 3 says what it looks like, and one
    click takes it as that kind, its columns recognised again."""
    qtbot.mouseClick(view.source.kinds.button(1), Qt.MouseButton.LeftButton)  # visits
    _to_mapping(qtbot, view)
    page = view.mapping
    assert page.other_kind_row.isVisibleTo(view)
    said = page.other_kind.text()
    customers, visits = label("import_kind", "customers"), label("import_kind", "visits")
    assert f"“{customers}”" in said and f"“{visits}”" in said and "品牌" in said, said
    assert page.switch_kind.text() == f"Import as “{customers}”"
    qtbot.mouseClick(page.switch_kind, Qt.MouseButton.LeftButton)
    assert view.source.kind() == "customers"
    assert view.steps.currentIndex() == STEP_MAPPING
    assert not page.other_kind_row.isVisibleTo(view)
    assert page.table.rowCount() == len(KINDS["customers"].fields)
    assert _box(view, "brand").currentData() is not None
    assert view.next.isEnabled()


def test_past_imports_show_what_a_stopped_import_stored_and_undo_the_one_completing_it(
        qtbot, sqlite_database, boss, asked, tmp_path, monkeypatch):
    from services.imports import engine
    from tests.services.import_files import DMS_HEADERS, customer_rows, write_csv

    monkeypatch.setattr(engine, "COMMIT_SECONDS", 0)  # every chunk committed
    options = ImportOptions("customers", today=dt.date(2026, 11, 30))
    path = write_csv(tmp_path / "保有客户.csv", DMS_HEADERS, customer_rows(1500))

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt  # after the first chunk, as a stopped CLI import

    with pytest.raises(engine.ImportStopped):
        apply(sqlite_database.sessions, path, options, progress=stop)
    view, runner = _make_view(qtbot, sqlite_database, boss)
    try:
        view.tabs.setCurrentIndex(1)
        batches = view.batches
        qtbot.waitUntil(lambda: len(batches.rows) == 1, timeout=10000)
        row = [batches.table.item(0, c).text() for c in range(batches.table.columnCount())]
        # Rows, new, updated, unchanged, not imported: what it stored, never 0.
        assert [t.replace(",", "") for t in row[4:9]] == ["1000", "1000", "0", "0", "0"]
        assert row[9] == "unfinished"
        assert "Import the file again to finish it" in batches.table.item(0, 9).toolTip()

        completing = apply(sqlite_database.sessions, path, options)
        assert completing.unchanged == 1000
        batches.refresh()
        qtbot.waitUntil(lambda: len(batches.rows) == 2, timeout=10000)
        assert batches.table.item(1, 9).text() == f"completed by #{completing.batch_id}"
        batches.table.selectRow(0)
        with qtbot.waitSignal(batches.undone, timeout=30000):
            qtbot.mouseClick(batches.undo, Qt.MouseButton.LeftButton)
        stopped = batches.rows[1].id
        assert f"It completed the stopped import #{stopped} of the same file" in asked[-1]
        assert _counts(sqlite_database) == (0, 0)
        qtbot.waitUntil(lambda: len(batches.rows) == 2 and all(b.undone for b in batches.rows),
                        timeout=10000)
    finally:
        shut_down(view, runner)


def test_a_mapping_name_the_database_refuses_is_asked_again_as_typed(
        qtbot, view, sqlite_database, monkeypatch):
    _to_mapping(qtbot, view)
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=10000)
    said: list[str] = []
    monkeypatch.setattr("ui.tasks.show_error",
                        lambda _parent, exc: said.append(error_text(exc)))
    refusing = RefusingWrites(sqlite_database)
    opened: list[str] = []
    stored_on_reopening: list[list[str]] = []

    def exec_(dialog: NameDialog) -> int:
        opened.append(dialog.name.text())
        if len(opened) == 1:
            dialog.name.insert("DMS 保有客户")
            refusing.on()  # the file turns read-only while the dialog is open
        else:
            stored_on_reopening.append([p.name for p in
                                        profiles.list_profiles(sqlite_database.sessions)])
            refusing.off()  # put right: the same OK again
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", exec_)
    try:
        qtbot.mouseClick(view.mapping.save_profile, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.mapping.profile.currentData() == "DMS 保有客户",
                        timeout=10000)
    finally:
        refusing.off()
    assert len(said) == 1 and "read-only" in said[0]
    assert opened == ["", "DMS 保有客户"]
    assert stored_on_reopening == [[]]  # nothing of the refused save
    saved = profiles.load_profile(sqlite_database.sessions, "customers", "DMS 保有客户")
    assert saved.mapping.as_dict() == view.mapping.mapping().as_dict()


def test_a_column_with_no_header_is_named_among_those_not_imported(
        qtbot, sqlite_database, boss, tmp_path, monkeypatch):
    """A clerk's notes typed in a column with no header: step 3 names it by its letter
    among the columns left out, as it names a header it cannot map."""
    path = tmp_path / "车主.csv"
    path.write_text("姓名,手机,,车牌,客户等级XYZ\n张三,13812345678,VIP老客户,粤A12345,A\n",
                    encoding="utf-8")
    monkeypatch.setattr("ui.views.import_view.ask_open_path", lambda *a, **k: str(path))
    view, runner = _make_view(qtbot, sqlite_database, boss)
    try:
        _to_mapping(qtbot, view)
        status = view.mapping.status.text()
        unnamed = view.mapping.tr("column %1 (no header)").replace("%1", "C")
        assert unnamed in status and "客户等级XYZ" in status
        # Mapped by hand to the remarks, it is no longer said to be left out.
        box = _box(view, "remarks")
        box.setCurrentIndex(box.findData(2))
        box.activated.emit(box.currentIndex())
        assert unnamed not in view.mapping.status.text()
    finally:
        shut_down(view, runner)


def test_a_dms_contact_export_with_record_numbers_is_not_taken_for_a_list(qtbot, view,
                                                                         tmp_path,
                                                                         monkeypatch):
    # A DMS's contact records have an 编号 (its record number) and a 结果 too: imported as
    # chosen, no question about a list Revisit wrote.
    asked: list[str] = []
    monkeypatch.setattr("ui.views.import_view.QMessageBox.exec",
                        lambda box: asked.append(box.text()))
    path = tmp_path / "回访记录.csv"
    path.write_text("编号,客户,联系时间,方式,结果\n"
                    "20261124001,张三,2026-11-24 10:00,电话,接通\n"
                    "20261124002,李四,2026-11-24 10:05,电话,未接\n", encoding="utf-8")
    with qtbot.waitSignal(view.preview_loaded, timeout=10000):
        view.use_file(str(path))
    assert view.steps.currentIndex() == STEP_SHEET and asked == []


def test_the_sheet_that_fits_the_kind_is_shown_first(qtbot, sqlite_database, boss, tmp_path,
                                                     monkeypatch):
    """A summary sheet (汇总) before the complaints (明细): the wizard opens on 明细, and the
    user may still pick the summary."""
    path = tmp_path / "投诉.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "汇总"
    for row in (["月份", "金额"], ["2026-10", 1200]):
        wb.active.append(row)
    detail = wb.create_sheet("明细")
    for row in (["投诉日期", "车牌", "投诉类型"], ["2026-11-02", "粤A12345", "服务态度"]):
        detail.append(row)
    wb.save(path)
    monkeypatch.setattr("ui.views.import_view.ask_open_path", lambda *a, **k: str(path))
    widget, runner = _make_view(qtbot, sqlite_database, boss)
    try:
        widget.source.set_kind("complaints")
        _choose_file(qtbot, widget)
        assert widget.preview.layout.sheet == "明细"
        assert widget.sheet.sheet.currentText() == "明细"
    finally:
        shut_down(widget, runner)


def test_a_workbook_of_one_sheet_per_month_is_imported_sheet_after_sheet_with_its_columns(
        qtbot, sqlite_database, boss, asked, tmp_path, monkeypatch):
    """1月 imported with its address column left out by hand; the wizard then offers 2月 (its
    columns in another order) and 5月, each read with the same columns after its own dry run,
    never 3月 (no plate column), 汇总 or the hidden 4月; after the last, nothing more."""
    path = monthly_workbook(tmp_path / "2026保有客户.xlsx")
    monkeypatch.setattr("ui.views.import_view.ask_open_path", lambda *a, **k: str(path))
    view, runner = _make_view(qtbot, sqlite_database, boss)
    try:
        _to_mapping(qtbot, view)
        assert view.preview.layout.sheet == "1月"
        street = _box(view, "street")
        street.setFocus()
        qtbot.keyClick(street, Qt.Key.Key_Home)
        assert street.currentData() is None
        _dry_run(qtbot, view)
        imported = []
        for sheet, left in (("1月", "2月、5月"), ("2月", "5月")):
            with qtbot.waitSignal(view.sheets_shown, timeout=30000), \
                    qtbot.waitSignal(view.imported, timeout=30000) as done:
                qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
            imported.append(done.args[0])
            assert done.args[0].sheet == sheet
            assert view.next_sheet.isVisible() and view.sheets_left.isVisible()
            assert left in view.sheets_left.text()
            with qtbot.waitSignal(view.planned, timeout=30000) as dry:
                qtbot.mouseClick(view.next_sheet, Qt.MouseButton.LeftButton)
            assert view.steps.currentIndex() == STEP_DRY_RUN
            assert dry.args[0].earlier_batches == ()
            assert view.sheet.sheet.currentText() == dry.args[0].sheet
            assert sheet in view.mapping.source.text()
        with qtbot.waitSignal(view.sheets_shown, timeout=30000), \
                qtbot.waitSignal(view.imported, timeout=30000) as done:
            qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
        assert done.args[0].sheet == "5月"
        assert not view.next_sheet.isVisible() and not view.sheets_left.isVisible()
        # Back to the columns of 2月's import: the address stayed out, its plate was read
        # under its own header.
        with sqlite_database.sessions() as s:
            owners = dict(s.execute(select(Customer.name, Customer.street)).all())
            plates = set(s.scalars(select(Vehicle.plate)))
        assert set(owners) == {"张一", "张二", "李三", "孙六", "周七"}
        assert set(owners.values()) == {None}
        assert {"粤A20003", "粤A50006"} <= plates
        with sqlite_database.sessions() as s:
            assert list(s.scalars(select(ImportBatch.sheet).order_by(ImportBatch.id))) == \
                ["1月", "2月", "5月"]
    finally:
        shut_down(view, runner)


def _import_first_month(qtbot, view) -> None:
    """1月 of the monthly workbook imported with its address column left out by hand, and the
    sheets left offered."""
    _to_mapping(qtbot, view)
    street = _box(view, "street")
    street.setFocus()
    qtbot.keyClick(street, Qt.Key.Key_Home)
    _dry_run(qtbot, view)
    with qtbot.waitSignal(view.sheets_shown, timeout=30000):
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    assert view.all_sheets.isVisible() and view.all_sheets.isEnabled()


@pytest.fixture
def first_month(qtbot, sqlite_database, boss, asked, tmp_path, monkeypatch):
    """The monthly workbook's 1月 imported in the wizard (_import_first_month): the view, its
    runner, the workbook's path and the notices the window showed."""
    path = monthly_workbook(tmp_path / "2026保有客户.xlsx")
    monkeypatch.setattr("ui.views.import_view.ask_open_path", lambda *a, **k: str(path))
    view, runner = _make_view(qtbot, sqlite_database, boss)
    notices: list[str] = []
    runner.notice.connect(lambda notice: notices.append(notice.text))
    try:
        _import_first_month(qtbot, view)
        yield view, runner, path, notices
    finally:
        shut_down(view, runner)


def test_the_other_sheets_of_a_monthly_workbook_are_imported_at_once_each_its_own_batch(
        qtbot, sqlite_database, asked, first_month):
    """After 1月, "import all" takes 2月 and 5月 with 1月's columns (the address left out
    holds), each its own batch; the table beside the result lists the three sheets, and a
    click on one shows that sheet's result, whose rows with problems can be saved."""
    view, _runner, _path, notices = first_month
    assert not view.sheets_done.isVisible()  # one sheet imported: nothing to choose from
    with qtbot.waitSignal(view.sheets_shown, timeout=60000):
        qtbot.mouseClick(view.all_sheets, Qt.MouseButton.LeftButton)
    assert "2月、5月" in asked[-1] and "1月" in asked[-1]
    with sqlite_database.sessions() as s:
        assert list(s.scalars(select(ImportBatch.sheet).order_by(ImportBatch.id))) == \
            ["1月", "2月", "5月"]
        owners = dict(s.execute(select(Customer.name, Customer.street)).all())
    assert set(owners) == {"张一", "张二", "李三", "孙六", "周七"}
    assert set(owners.values()) == {None}
    assert [p.sheet for p in view.sheets_done.plans] == ["1月", "2月", "5月"]
    assert view.sheets_done.isVisible() and view.sheets_done.table.rowCount() == 3
    assert view.sheets_done.table.item(1, 0).text() == "2月"
    assert view.done.plan.sheet == "5月"  # the last stored is shown
    assert not view.all_sheets.isVisible() and not view.next_sheet.isVisible()
    # 李三 of 2月, 孙六 and 周七 of 5月.
    assert notices[-1] == ("2 sheet(s) imported: 3 new, 0 updated, 0 unchanged, 0 not "
                           "imported.")
    assert view.next.isEnabled()
    view.sheets_done.table.selectRow(0)
    assert view.result.sheet == "1月" and view.done.plan is view.result
    view.sheets_done.table.selectRow(1)
    assert view.done.plan.sheet == "2月" and view.done.plan.batch_id is not None
    # Past imports tell the three batches of the one file apart by their sheets.
    with qtbot.waitSignal(view.batches.loaded, timeout=10000):
        view.batches.refresh()
    assert [view.batches.table.item(r, 3).text() for r in range(3)] == [
        "2026保有客户.xlsx · 5月", "2026保有客户.xlsx · 2月", "2026保有客户.xlsx · 1月"]


def test_cancelling_the_other_sheets_keeps_those_imported_and_offers_the_rest_again(
        qtbot, sqlite_database, first_month):
    """Cancel while 2月 is imported: its rows are taken back, 5月 is not begun, 1月 stays;
    the window says where it stopped and offers 2月 and 5月 again."""
    view, runner, _path, notices = first_month
    runner.progress.connect(lambda what, *_: runner.cancel_all() if "2月" in what else None)
    with qtbot.waitSignal(view.sheets_shown, timeout=60000):
        qtbot.mouseClick(view.all_sheets, Qt.MouseButton.LeftButton)
    with sqlite_database.sessions() as s:
        assert list(s.scalars(select(ImportBatch.sheet))) == ["1月"]
        assert set(s.scalars(select(Customer.name))) == {"张一", "张二"}
    assert any("2月" in n for n in notices)
    assert "2月、5月" in view.sheets_left.text()
    assert view.all_sheets.isVisible() and view.all_sheets.isEnabled()
    assert [p.sheet for p in view.sheets_done.plans] == ["1月"]


def test_a_sheet_that_cannot_be_read_stops_the_others_and_says_where(
        qtbot, sqlite_database, warnings, tmp_path, first_month):
    """The workbook moved away once 2月 is stored: 5月 cannot be read, which is said in one
    sentence; 1月 and 2月 stay imported, and the window is free again."""
    view, _runner, path, notices = first_month
    view.imported.connect(lambda plan: path.rename(tmp_path / "moved.xlsx")
                          if plan.sheet == "2月" else None)
    qtbot.mouseClick(view.all_sheets, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(notices) and "5月" in notices[-1], timeout=60000)
    assert len(warnings) == 1 and "2026保有客户.xlsx" in warnings[0]
    with sqlite_database.sessions() as s:
        assert list(s.scalars(select(ImportBatch.sheet).order_by(ImportBatch.id))) == \
            ["1月", "2月"]
    assert notices[-2].startswith("1 sheet(s) imported: 1 new")
    assert [p.sheet for p in view.sheets_done.plans] == ["1月", "2月"]
    assert view.next.isEnabled() and not view.all_sheets.isVisible()


def test_an_import_stopped_with_rows_stored_refreshes_every_area(qtbot, view, warnings):
    """A lock or a full disk stopped the import after some chunks were stored: they stay in
    (an unfinished batch), so every area is told of them, as after an import that ended; a
    failure with nothing stored tells nobody."""
    from services.imports.failed import STOPPED_BUSY
    from services.store.errors import RevisitError

    heard = []
    view.runner.data_changed.connect(heard.append)
    view._on_failed(RevisitError("Nothing at all was stored."))
    assert heard == []
    view._on_failed(RevisitError(STOPPED_BUSY, id=3, rows="3,000", where="revisit.sqlite3"))
    assert len(heard) == 1 and heard[0].touches("customers", "contacts")
    assert len(warnings) == 2 and "Import batch #3 stopped" in warnings[1]
