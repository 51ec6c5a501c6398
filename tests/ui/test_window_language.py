"""What the window says in English, and still says in Chinese: a list run's channels, best
times and reasons for leaving someone out in the window's language (the run keeps and prints
them in Chinese); template names, examples, dates and counts; an empty table's columns."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from sqlalchemy import exists, func, select

from models import ContactEvent, Customer, DoNotContact, ServiceVisit, Vehicle
from services.demo import generator as demo_generator
from services.lists import runs
from services.lists.shown import best_time_in, detail_in
from services.segments import service as segments
from tests.ui.conftest import DEMO_TODAY, demo_account, shut_down
from ui.tasks import TaskRunner

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
# A list run's channels as the window names them.
CHANNELS = {"en": {"Phone", "SMS", "Mail", "WeChat", "Visit"},
            "zh_CN": {"电话", "短信", "邮寄", "微信", "上门拜访"}}


@pytest.fixture
def keep():
    """`keep(widget, runner)`: the widget ended (shut_down) after the test, runner waited for."""
    kept: list = []
    yield lambda widget, runner: kept.append((widget, runner))
    for widget, runner in reversed(kept):
        shut_down(widget, runner)


@pytest.fixture
def demo(database):
    """The demo's 150 customers, on SQLite and on PostgreSQL."""
    demo_generator.generate(database, 150, seed=7, today=DEMO_TODAY)
    return database


def _lists_view(qtbot, keep, database, monkeypatch, actor=None):
    from ui.views.lists_view import ListsView

    monkeypatch.setattr("ui.views.lists_view.QMessageBox.question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    runner = TaskRunner()
    kw = {} if actor is None else {"actor": actor}
    view = ListsView(database, runner, **kw)
    keep(view, runner)
    view.resize(1300, 800)
    view.show()
    qtbot.waitUntil(lambda: view.segment.count() > 0 and view.callers.count() > 0,
                    timeout=10000)
    return view, runner


def _build(qtbot, view, segment: str, purpose: str = "care") -> int:
    view.segment.setCurrentIndex(view.segment.findData(segment))
    view.as_of.setDate(QDate(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day))
    view.purpose.setCurrentIndex(view.purpose.findData(purpose))
    view.callers.item(0).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(view.run_built, timeout=60000) as built:
        view.build_button.click()
    return built.args[0]


@pytest.mark.parametrize("translated", ["en", "zh_CN"], indirect=True)
def test_a_run_reads_in_the_windows_language(qtbot, translated, demo, monkeypatch, keep):
    segments.save_template(demo.sessions, "service.maintenance_due")
    view, runner = _lists_view(qtbot, keep, demo, monkeypatch)
    title = view.segment.itemText(view.segment.findData("service.maintenance_due"))
    # Staff read a template's name, never its key (the command line's).
    assert title == {
        "en": "Maintenance due within 30 days (or overdue up to 180 days)",
        "zh_CN": "30天内保养到期（含逾期180天内）"}[translated]
    run_id = _build(qtbot, view, "service.maintenance_due")
    doc = runs.load_document(demo.sessions, run_id)
    members, left = view.members.model(), view.excluded.model()
    assert members.rowCount() == len(doc.members) and left.rowCount() == len(doc.excluded) > 0
    channels = {members.index(r, 2).data() for r in range(members.rowCount())}
    assert channels and channels <= CHANNELS[translated]
    best = [members.index(r, 6).data() for r in range(members.rowCount())]
    assert any(CJK.search(m.best_time) for m in doc.members)  # stored as the sheets print it
    details = [left.index(r, 3).data() for r in range(left.rowCount())]
    if translated == "zh_CN":
        assert best == [m.best_time for m in doc.members]
        assert details == [x.detail for x in doc.excluded]
    else:
        assert best == [best_time_in(m.best_time, "en") for m in doc.members]
        assert not any(CJK.search(b) for b in best), best
        assert details == [detail_in(x.detail, "en") for x in doc.excluded]
        # Only what staff typed (a do-not-contact reason) stays in Chinese.
        plain = [d for d, x in zip(details, doc.excluded, strict=True) if "勿扰" not in x.detail]
        assert plain and not any(CJK.search(d) for d in plain), plain
    # The list of runs names the run's segment as the wizard named it (stored in Chinese).
    view.refresh_history()
    qtbot.waitUntil(lambda: view.history.rowCount() > 0, timeout=10000)
    [row] = [r for r in range(view.history.rowCount())
             if view.history.item(r, 0).text() == f"#{run_id}"]
    assert view.history.item(row, 1).text() == title


@pytest.mark.parametrize("translated", ["en"], indirect=True)
def test_a_large_runs_notice_counts_with_thousands_separators(qtbot, translated, database,
                                                                monkeypatch, keep):
    demo_generator.generate(database, 1300, seed=7, today=DEMO_TODAY)
    segments.save_segment(database.sessions, "所有车主", {
        "version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 0}})
    view, runner = _lists_view(qtbot, keep, database, monkeypatch)
    notices: list[str] = []
    runner.notice.connect(lambda notice: notices.append(notice.text))
    run_id = _build(qtbot, view, "所有车主")
    members = len(runs.load_document(database.sessions, run_id).members)
    assert members >= 1000
    assert notices == [f"List #{run_id} stored: {members:,} customer(s) in it."]


def _first_service_customer(database) -> int:
    """A demo customer with a birthday, calls and a car never in for maintenance."""
    with database.sessions() as s:
        never = ~exists().where(ServiceVisit.vehicle_id == Vehicle.id,
                                ServiceVisit.visit_type == "maintenance")
        called = exists().where(ContactEvent.customer_id == Customer.id)
        return s.scalars(select(Customer.id).join(Vehicle, Vehicle.customer_id == Customer.id)
                         .where(Vehicle.active.is_(True), never, called,
                                Customer.birthday.is_not(None))
                         .order_by(Customer.id)).first()


@pytest.mark.parametrize("translated", ["en", "zh_CN"], indirect=True)
def test_a_customer_reads_in_the_windows_language_with_iso_dates(qtbot, translated, demo,
                                                                keep):
    from ui.views.customers_view import CustomersView

    cid = _first_service_customer(demo)
    runner = TaskRunner()
    view = CustomersView(demo, runner, actor=demo_account(demo, "supervisor"))
    keep(view, runner)
    view.resize(1366, 728)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 150, timeout=10000)
    view.show_customer(cid)
    page = view.page
    qtbot.waitUntil(lambda: page.customer_id == cid, timeout=10000)
    with demo.sessions() as s:
        birthday = s.get(Customer, cid).birthday
    assert birthday.isoformat() in page._facts.text()  # not 5/9/69
    for table, column, form in ((page._contacts, 0, MINUTE), (page._profile_now, 2, DAY),
                                (page._timeline, 4, MINUTE)):
        cells = [table.item(r, column).text() for r in range(table.rowCount())]
        assert cells and all(form.match(c) for c in cells), cells
    shown = [view.model.index(view.model.row_of(cid), c).data() for c in (7, 8)]
    assert all(DAY.match(c) for c in shown if c), shown
    service = page.brief.text_of("service")
    languages = [page.preferences_panel.language.itemText(i)
                 for i in range(page.preferences_panel.language.count())]
    note = page.preferences_panel.note.placeholderText()
    if translated == "en":
        assert "first service" in service and "首保" not in service, service
        assert languages == ["Chinese", "English"]
        assert not CJK.search(note)
    else:
        assert "首保" in service
        assert languages == ["中文", "英文"]
        assert note == "例如：中午别打电话"


@pytest.mark.parametrize("translated", ["en", "zh_CN"], indirect=True)
def test_examples_in_fields_are_in_the_windows_language(qtbot, translated):
    """A field's example of what to type is in the window's language (the Chinese ones
    unchanged)."""
    from ui.dialogs.declined_item_dialog import DeclinedItemDialog
    from ui.dialogs.profile_change_dialog import ProfileChangeDialog
    from ui.dialogs.referral_dialog import ReferralDialog
    from ui.dialogs.refusal_dialog import RefusalDialog
    from ui.views.intervals_panel import IntervalDialog
    from ui.views.suggestion_dialogs import ChangePurposeDialog

    referral = ReferralDialog("陈先生")
    referral.kind.setCurrentIndex(referral.kind.findData("org"))
    interval = IntervalDialog("", None, {})
    dialogs = [RefusalDialog(), ProfileChangeDialog("陈先生", {}),
               DeclinedItemDialog([(1, "丰田 凯美瑞")]), referral,
               ChangePurposeDialog("care", "规则"), interval]
    for d in dialogs:
        qtbot.addWidget(d)
    shown = [dialogs[0].reason.placeholderText(), dialogs[1].note.placeholderText(),
             dialogs[2].item.placeholderText(), referral.note.placeholderText(),
             referral.who.placeholderText(), dialogs[4].note.placeholderText()]
    labels = " ".join(w.text() for w in interval.findChildren(QLabel))
    if translated == "en":
        assert not any(CJK.search(t) for t in shown), shown
        assert "First free service" in labels and "首保" not in labels
    else:
        assert shown == ["例如：客户明确表示不接受销售电话", "客户原话，例如：刚结婚，想换大车",
                         "例如：前刹车片磨损，建议更换", "例如：同一商会，带朋友来看车",
                         "例如：温州商会", "原因，例如：客户说下月才有空"]
        assert "首保" in labels


@pytest.mark.parametrize("translated", ["en"], indirect=True)
def test_segment_counts_and_the_audit_trail_say_one_right(qtbot, translated, demo, keep):
    from ui.views.audit_view import AuditView
    from ui.views.segments_view import SegmentsView

    supervisor = demo_account(demo, "supervisor")
    with demo.sessions() as s:
        code = s.scalar(select(Customer.code).order_by(Customer.id))
    one = {"version": 1, "where": {"field": "customer_code", "op": "=", "value": code}}
    segments.save_segment(demo.sessions, "一位客户", one, staff_id=supervisor.id)
    runner = TaskRunner()
    view = SegmentsView(demo, runner, actor=supervisor)
    keep(view, runner)
    view.as_of.setDate(DEMO_TODAY)
    view.show()
    qtbot.waitUntil(lambda: view.saved.count() == 1, timeout=10000)
    assert not CJK.search(view.name.placeholderText())
    view.saved.setCurrentRow(0)
    qtbot.waitUntil(lambda: view.count.text() == "1 customer(s)", timeout=10000)
    audit = AuditView(demo, runner, supervisor)
    keep(audit, runner)
    with qtbot.waitSignal(audit.loaded, timeout=10000):
        audit.show()
    said = [audit.model.data(audit.model.index(r, 4)) for r in range(audit.model.rowCount())]
    assert any("Filter: 1 condition;" in d for d in said), said


def test_staff_see_which_buttons_are_a_supervisors(qtbot, demo, monkeypatch, tmp_path, keep):
    """Deleting a segment and saving the SMS vendor file are a supervisor's: staff see the
    buttons disabled, with why; an Excel list they save says its mobiles are masked."""
    from services.outputs import run_files
    from ui.views.segments_view import SegmentsView

    segments.save_template(demo.sessions, "service.maintenance_due")
    for who, may in (("chenli", False), ("supervisor", True)):
        actor = demo_account(demo, who)
        runner = TaskRunner()
        seg_view = SegmentsView(demo, runner, actor=actor)
        keep(seg_view, runner)
        seg_view.show()
        qtbot.waitUntil(lambda v=seg_view: v.saved.count() == 1, timeout=10000)
        seg_view.saved.setCurrentRow(0)
        qtbot.waitUntil(lambda v=seg_view: v.rename_button.isEnabled(), timeout=10000)
        assert seg_view.delete_button.isEnabled() is may
        assert ("Only a supervisor" in seg_view.delete_button.toolTip()) is not may

        view, runner = _lists_view(qtbot, keep, demo, monkeypatch, actor)
        notices: list[str] = []
        runner.notice.connect(lambda notice, n=notices: n.append(notice.text))
        _build(qtbot, view, "service.maintenance_due")
        view.next.click()
        outputs = view.outputs
        assert outputs.save_sms.isEnabled() is may and outputs.save_call_xlsx.isEnabled()
        assert ("Only a supervisor" in outputs.save_sms.toolTip()) is not may
        target = tmp_path / f"{who}.xlsx"
        with qtbot.waitSignal(outputs.written, timeout=30000):
            outputs.save(run_files.CALL_LIST, str(target))
        said = notices[-1]
        assert said.startswith(f"Saved {target.name}")
        assert ("phone numbers masked (only a supervisor's files hold full numbers)" in said) is (
            not may)
        assert ("phone numbers masked" in outputs.status.text()) is not may


def _widths(table) -> list[int]:
    return [table.horizontalHeader().sectionSize(c) for c in range(table.columnCount())]


def test_an_empty_table_shares_its_width_among_its_columns(qtbot, demo, keep):
    """Not every column squeezed to its title and the last one given the rest; with rows, each
    column is as wide as its contents again."""
    from services.customers import detail as customer_detail
    from ui.views.customers_view import CustomersView

    with demo.sessions() as s:
        refused = select(DoNotContact.customer_id)
        free = s.scalar(select(func.min(Customer.id)).where(Customer.id.not_in(refused)))
        profiled = _first_service_customer(demo)
    runner = TaskRunner()
    view = CustomersView(demo, runner, actor=demo_account(demo, "supervisor"))
    keep(view, runner)
    view.resize(1366, 728)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 150, timeout=10000)
    page = view.page
    page.show_detail(customer_detail.load(demo.sessions, free))
    page.tabs.setCurrentWidget(page.preferences_tab)
    dnc = page.preferences_panel.refusals
    qtbot.waitUntil(lambda: dnc.isVisible(), timeout=5000)
    assert dnc.rowCount() == 0
    room = dnc.viewport().width()
    share = room // dnc.columnCount()
    assert all(w >= share - 1 for w in _widths(dnc)), (_widths(dnc), room)
    assert sum(_widths(dnc)) <= room + 1

    page.show_detail(None)
    page.tabs.setCurrentIndex(1)
    table = page._profile_now
    qtbot.waitUntil(lambda: table.isVisible(), timeout=5000)
    room = table.viewport().width()
    assert all(w >= room // 3 - 1 for w in _widths(table)), (_widths(table), room)

    page.show_detail(customer_detail.load(demo.sessions, profiled))
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=5000)
    header = table.horizontalHeader()
    assert header.minimumSectionSize() < room // 3
    # The attribute and value columns as wide as what they hold; the last takes the rest.
    for column in (0, 1):
        content = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
        assert header.sectionSize(column) == content
    assert sum(_widths(table)) == room


def test_iso_dates_whatever_the_locale(qtbot):
    from ui.labels import day_text, moment_text
    from ui.views.customer_page import fmt

    assert fmt(dt.date(1969, 5, 9)) == day_text(dt.date(1969, 5, 9)) == "1969-05-09"
    assert fmt(dt.datetime(2025, 7, 19, 17, 3, 59)) == "2025-07-19 17:03"
    assert moment_text(None) == day_text(None) == ""
