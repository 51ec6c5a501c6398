"""The customer browser and page driven through their real widgets on a real database."""

from __future__ import annotations

import datetime as dt

import pytest
import shiboken6
from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from models import Customer, MileageReading, Vehicle
from services.customers import profile
from services.customers.search import fetch_rows, find_ids
from tests.ui.conftest import DEMO_TODAY, shut_down
from ui.dialogs.profile_change_dialog import ProfileChangeDialog
from ui.table_models.customer_table import (
    COL_CODE,
    COL_LAST_CONTACT,
    COL_LAST_VISIT,
    COL_MOBILE,
    COL_NAME,
    COL_STAGE,
    COL_VEHICLE,
    CustomerTableModel,
)
from ui.tasks import TaskRunner
from ui.views.customers_view import COLUMN_ORDER, DEFAULT_ORDER, CustomersView


@pytest.fixture
def view(qtbot, demo_db):
    runner = TaskRunner()
    widget = CustomersView(demo_db, runner)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 150, timeout=10000)
    yield widget
    shut_down(widget, runner)


def _names(view) -> list[str]:
    model = view.model
    return [model.data(model.index(r, COL_NAME)) for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtbot, demo_db):
    from services.customers.search import fetch_rows

    model = CustomerTableModel(lambda ids: fetch_rows(demo_db.engine.connect, ids))
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_ids(find_ids(demo_db.engine.connect))
    assert model.rowCount() == 150
    assert model.data(model.index(149, COL_NAME))


def test_names_sort_by_pinyin(view, demo_db):
    with demo_db.sessions() as s:
        sort_keys = dict(s.execute(select(Customer.name, Customer.name_sort)).all())
    shown = [sort_keys[n] for n in _names(view)]
    assert shown == sorted(shown)


def _type_search(qtbot, view, text: str) -> None:
    view.search.clear()
    with qtbot.waitSignal(view.search_finished, timeout=5000):
        if text.isascii():
            qtbot.keyClicks(view.search, text)
        else:  # QTest can only type ASCII; an input method would deliver the whole text
            view.search.setText(text)
    # keyClicks types one key at a time; the debounce runs one search for the whole text.
    qtbot.waitUntil(lambda: not view._timer.isActive(), timeout=2000)


def test_search_by_initials_finds_the_customer(qtbot, view, demo_db):
    with demo_db.sessions() as s:
        target = s.scalars(select(Customer).order_by(Customer.id).limit(1)).one()
    _type_search(qtbot, view, target.name_initials)
    assert target.name in _names(view)
    assert 0 < view.model.rowCount() < 150
    with demo_db.sessions() as s:
        for r in range(view.model.rowCount()):
            found = s.get(Customer, view.model.customer_id(r))
            assert found.name_initials.startswith(target.name_initials) or (
                found.name_pinyin.startswith(target.name_initials)
            )


def test_search_by_part_of_mobile_and_by_plate(qtbot, view, demo_db):
    with demo_db.sessions() as s:
        target = s.scalars(select(Customer).where(Customer.mobile.is_not(None)).limit(1)).one()
        plate = target.vehicles[0].plate
    digits = target.mobile[3:9]
    _type_search(qtbot, view, digits)
    assert target.name in _names(view)
    with demo_db.sessions() as s:
        for r in range(view.model.rowCount()):
            found = s.get(Customer, view.model.customer_id(r))
            places = [found.mobile or ""] + [f"{v.plate}{v.vin}" for v in found.vehicles]
            assert any(digits in p for p in places)
    _type_search(qtbot, view, plate)
    assert _names(view) == [target.name]


def test_a_search_that_finds_nobody_says_so_in_the_list(qtbot, view):
    from PySide6.QtGui import QColor

    from ui.widgets import empty_text

    assert empty_text(view.table) == ""  # everyone listed
    _type_search(qtbot, view, "qqqzzz")
    assert view.model.rowCount() == 0
    assert empty_text(view.table).startswith("No customer matches “qqqzzz”.")
    # It is painted: the empty list is not all one colour.
    image = view.table.viewport().grab().toImage()
    colours = {QColor(image.pixel(x, y)).name() for x in range(0, image.width(), 2)
               for y in range(image.height() // 2 - 30, image.height() // 2 + 30, 2)}
    assert len(colours) > 1
    _type_search(qtbot, view, "")
    assert view.model.rowCount() == 150 and empty_text(view.table) == ""


def test_header_click_sorts_in_database(qtbot, view):
    header = view.table.horizontalHeader()
    with qtbot.waitSignal(view.search_finished, timeout=5000):
        header.setSortIndicator(COL_NAME, Qt.SortOrder.DescendingOrder)
    ids_desc = [view.model.customer_id(r) for r in range(view.model.rowCount())]
    assert ids_desc == find_ids(view.database.engine.connect, "", "name", True)


def test_selecting_a_row_shows_the_customer_page(qtbot, view):
    view.table.selectRow(3)
    expected = view.model.data(view.model.index(3, COL_NAME))
    qtbot.waitUntil(lambda: expected in view.page._title.text(), timeout=5000)
    assert view.page.tabs.count() >= 8
    assert view.page._timeline.rowCount() > 0


def test_record_change_keeps_history(qtbot, view, monkeypatch):
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: view.page.customer_id is not None, timeout=5000)
    customer_id = view.page.customer_id
    before = len(profile.history(view.database.sessions, customer_id))

    def fill_and_save(dialog: ProfileChangeDialog):
        dialog.attribute.setCurrentIndex(dialog.attribute.findData("occupation"))
        dialog.value_text.setText("律师")
        dialog.note.setText("电话里说换了工作")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
        return dialog.result()

    monkeypatch.setattr(ProfileChangeDialog, "exec", fill_and_save)
    view.page._record_button.click()
    qtbot.waitUntil(
        lambda: len(profile.history(view.database.sessions, customer_id)) == before + 1,
        timeout=5000,
    )
    latest = profile.history(view.database.sessions, customer_id, "occupation")[-1]
    assert (latest.new_value, latest.note, latest.effective_date) == (
        "律师",
        "电话里说换了工作",
        dt.date.today(),
    )
    qtbot.waitUntil(lambda: view.page._timeline.item(0, 2) is not None, timeout=5000)
    qtbot.waitUntil(lambda: "律师" in view.page._timeline.item(0, 2).text(), timeout=5000)


def test_no_customer_opens_until_one_is_picked(qtbot, view):
    assert view.page.customer_id is None
    view.search.setFocus()
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    expected = view.model.customer_id(0)
    qtbot.waitUntil(lambda: view.page.customer_id == expected, timeout=5000)


def test_readings_follow_the_customer_on_the_page(qtbot, view, demo_db):
    """Row 0 of the vehicle table is selected for every customer: the km readings below it must
    be the new customer's, not the last one's."""
    from models import MileageReading, Vehicle

    def readings_of(customer_id):
        with demo_db.sessions() as s:
            first = s.scalars(
                select(Vehicle.id)
                .where(Vehicle.customer_id == customer_id)
                .order_by(Vehicle.purchase_date, Vehicle.id)
            ).first()
            return sorted(
                s.scalars(select(MileageReading.km).where(MileageReading.vehicle_id == first))
            )

    seen = 0
    for row in range(view.model.rowCount()):
        customer_id = view.model.customer_id(row)
        expected = readings_of(customer_id)
        if not expected:
            continue
        view.table.selectRow(row)
        qtbot.waitUntil(lambda c=customer_id: view.page.customer_id == c, timeout=5000)
        table = view.page._readings
        shown = sorted(
            int(table.item(r, 1).text().replace(",", "").replace("\u00a0", ""))
            for r in range(table.rowCount())
        )
        assert shown == expected
        seen += 1
        if seen == 3:
            break
    assert seen == 3


def test_the_page_opens_on_the_customers_brief(qtbot, view):
    view.table.selectRow(2)
    expected = view.model.customer_id(2)
    qtbot.waitUntil(lambda: view.page.brief.brief is not None
                    and view.page.brief.brief.customer_id == expected, timeout=5000)
    assert view.page.tabs.currentWidget() is view.page.brief
    assert view.page.brief.text_of("cars")


def test_profile_now_lists_profile_attributes_and_the_timeline_every_change(qtbot):
    """An import's name and mobile corrections are history of the customer row, shown in the
    timeline, not as profile attributes."""
    from services.customers.profile import Change
    from ui.views.customer_page import CustomerPage

    page = CustomerPage()
    qtbot.addWidget(page)
    at = dt.datetime(2026, 11, 1, 9)
    day = dt.date(2026, 11, 1)
    page._fill_profile((
        Change(1, 1, "occupation", None, "教师", day, at, None, "manual", None),
        Change(2, 1, "name", "张伟", "张玮", day, at, None, "import", None),
        Change(3, 1, "mobile", None, "13800138080", day, at, None, "import", None),
    ))
    now = [page._profile_now.item(r, 1).text() for r in range(page._profile_now.rowCount())]
    assert now == ["教师"]
    assert page._timeline.rowCount() == 3


def test_a_table_refilled_is_sized_to_its_new_contents_once(qtbot):
    """Refilling a table sizes each column to its contents once, at the end: sized while
    filling, every cell replaced measured its column's rows again (200 rows: 3.3 s frozen)."""
    from PySide6.QtWidgets import QHeaderView

    from ui.views.customer_page import fill_table, make_table

    table = make_table(["姓名", "车辆", "地址"])
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    fill_table(table, [["张三", "朗逸", "短"] for _ in range(200)])
    narrow = table.columnWidth(1)
    header = table.horizontalHeader()
    # While cells are replaced no column is sized to its contents (which measures its rows).
    modes_seen: set = set()
    table.model().dataChanged.connect(
        lambda *_: modes_seen.add(header.sectionResizeMode(1)))
    fill_table(table, [[f"李四{r}", "大众 速腾 1.4T 230TSI DSG 豪华型", "长"] for r in range(200)])
    assert QHeaderView.ResizeMode.ResizeToContents not in modes_seen and modes_seen
    assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.ResizeToContents
               for c in range(2))
    assert table.columnWidth(1) > narrow  # sized to the new, longer text
    assert table.item(199, 0).text() == "李四199" and table.rowCount() == 200


@pytest.fixture
def empty_view(qtbot, database):
    """`make(actor)`: the view on `database`, with no customers in it yet."""
    made = []

    def make(actor):
        runner = TaskRunner()
        widget = CustomersView(database, runner, actor=actor)
        qtbot.addWidget(widget)
        widget.resize(1000, 600)
        widget.show()
        qtbot.waitUntil(widget.is_empty, timeout=5000)
        made.append((widget, runner))
        return widget, runner

    yield make
    for widget, runner in made:
        shut_down(widget, runner)


def test_an_empty_database_shows_the_first_steps(qtbot, database, supervisor, empty_view):
    from services.demo import generator as demo
    from ui.tasks import changed

    widget, runner = empty_view(supervisor)
    steps = widget.first_steps
    assert steps.isVisible() and not widget.table.isVisible()
    assert "Ctrl+6" in steps.text.text() and "Ctrl+7" in steps.text.text()
    with qtbot.waitSignal(widget.open_area) as asked:
        steps.import_button.click()
    assert asked.args == ["imports"]
    with qtbot.waitSignal(widget.open_area) as asked:
        steps.settings_button.click()
    assert asked.args == ["settings"]

    demo.generate(database, 20, seed=3)  # as an import would, which announces "customers"
    runner.data_changed.emit(changed("customers"))
    qtbot.waitUntil(lambda: widget.model.rowCount() == 20, timeout=5000)
    assert widget.table.isVisible() and not widget.is_empty()


def test_staff_see_the_import_step_only(qtbot, staff, empty_view):
    widget, _runner = empty_view(staff)
    assert widget.first_steps.import_button.isVisible()
    assert not widget.first_steps.settings_button.isVisible()
    assert "Ctrl+7" not in widget.first_steps.text.text()


def test_a_search_finding_nobody_keeps_the_list(qtbot, view):
    _type_search(qtbot, view, "zzzzqqq")
    assert view.model.rowCount() == 0 and not view.is_empty() and view.table.isVisible()


def test_the_page_shows_what_was_done_at_each_visit_and_every_purchase(qtbot, view, demo_db):
    """Insurance, accessories and extended warranties beside the visits, and each visit's work:
    what a caller needs to see of a customer's spending."""
    from models import OtherPurchase, ServiceVisit
    from ui.labels import label

    with demo_db.sessions.begin() as s:
        customer_id = s.scalars(select(OtherPurchase.customer_id).join(
            ServiceVisit, ServiceVisit.customer_id == OtherPurchase.customer_id)
            .order_by(OtherPurchase.id)).first()
        purchases = s.scalars(select(OtherPurchase).where(
            OtherPurchase.customer_id == customer_id)).all()
        visit = s.scalars(select(ServiceVisit).where(ServiceVisit.customer_id == customer_id)
                          ).first()
        visit.note = "工单号 W9；服务顾问 小李；更换空调压缩机"
        visit.next_service_date = visit.next_service_km = None  # its work alone
        noted = s.scalars(select(ServiceVisit.note).where(
            ServiceVisit.customer_id == customer_id, ServiceVisit.note.is_not(None))).all()
    assert purchases and noted == ["工单号 W9；服务顾问 小李；更换空调压缩机"]
    view.show_customer(customer_id)
    qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
    table = view.page._purchases
    assert table.rowCount() == len(purchases)
    assert sorted(table.item(r, 2).text() for r in range(table.rowCount())) == sorted(
        label("purchase_kind", p.kind) for p in purchases)
    visits = view.page._visits
    said = [visits.item(r, 5).text() for r in range(visits.rowCount())
            if visits.item(r, 5) is not None and visits.item(r, 5).text()]
    # The work done where a visit has it; the demo's other maintenance visits say the next
    # service their advisor told.
    assert [t for t in said if not t.startswith("next service ")] == noted


def test_a_visit_shows_the_next_service_its_advisor_told(qtbot, view, demo_db):
    """下次保养日期 and 下次保养里程 of a work order beside its work: what the caller reminds the
    owner of ("we said 1 December or 45,000 km")."""
    from models import ServiceVisit

    with demo_db.sessions.begin() as s:
        visit = s.scalars(select(ServiceVisit).where(ServiceVisit.visit_type == "maintenance")
                          .order_by(ServiceVisit.visit_date.desc()).limit(1)).one()
        visit.note, visit.next_service_date, visit.next_service_km = \
            "更换机油机滤", dt.date(2026, 12, 1), 45000
        customer_id, day = visit.customer_id, visit.visit_date
    view.show_customer(customer_id)
    qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
    visits = view.page._visits
    notes = [visits.item(r, 5).text() for r in range(visits.rowCount())
             if visits.item(r, 0).text() == day.isoformat() and visits.item(r, 5) is not None]
    told = [n for n in notes if n.startswith("更换机油机滤；")]
    assert len(told) == 1
    assert "2026-12-01" in told[0] and QLocale().toString(45000) in told[0]


def test_a_purchase_given_back_shows_what_was_refunded_beside_its_refund(qtbot, view,
                                                                        demo_db):
    """Accessories returned a week later, as an import nets them: the refund in minus, the
    purchase at what was kept, saying what was given back."""
    from models import OtherPurchase

    with demo_db.sessions.begin() as s:
        bought = s.scalars(select(OtherPurchase).where(OtherPurchase.kind == "accessory")
                           .order_by(OtherPurchase.id).limit(1)).one()
        back, bought.amount, bought.refunded = bought.amount, 0, bought.amount
        s.add(OtherPurchase(customer_id=bought.customer_id, vehicle_id=bought.vehicle_id,
                            purchase_date=bought.purchase_date + dt.timedelta(days=7),
                            kind="accessory", amount=-back, description="精品退货"))
        customer_id = bought.customer_id
    view.show_customer(customer_id)
    qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
    table = view.page._purchases
    rows = {table.item(r, 4).text(): table.item(r, 3).text() for r in range(table.rowCount())}
    money, none = (QLocale().toCurrencyString(float(x), "¥") for x in (back, 0))
    assert rows["精品退货"] == f"-{money}"
    assert rows[f"{bought.description} ({money} refunded)"] == none


def test_a_refund_waiting_for_its_purchase_says_so(qtbot, view, demo_db):
    """A refund imported before the file of the purchase it returns: kept, nothing netted."""
    from models import OtherPurchase

    with demo_db.sessions.begin() as s:
        customer_id = s.scalars(select(Customer.id).order_by(Customer.id).limit(1)).one()
        s.add(OtherPurchase(customer_id=customer_id, purchase_date=DEMO_TODAY,
                            kind="accessory", amount=-300, description="贴膜退货",
                            awaiting_purchase=True))
    view.show_customer(customer_id)
    qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
    table = view.page._purchases
    items = [table.item(r, 4).text() for r in range(table.rowCount())]
    assert "贴膜退货 (not yet taken off a purchase)" in items


def test_a_company_is_found_by_its_contact_person_who_is_shown_on_its_name(qtbot, view,
                                                                          demo_db):
    with demo_db.sessions.begin() as s:
        target = s.scalars(select(Customer).order_by(Customer.id).limit(1)).one()
        target.name, target.contact_name = "广州华盛贸易有限公司", "欧阳经理"
        name = target.name
    _type_search(qtbot, view, "欧阳经理")
    assert _names(view) == [name]
    tip = view.model.data(view.model.index(0, COL_NAME), Qt.ItemDataRole.ToolTipRole)
    assert tip == f"{name}\ncontact person: 欧阳经理"


def test_columns_hidden_from_the_headers_menu_stay_hidden(qtbot, view, demo_db):
    """The list shows the columns that fit its width until the user chooses: right-clicking
    the header ticks columns on or off, kept for the next start; the name cannot be hidden."""
    header = view.table.horizontalHeader()
    actions = _column_actions(view)
    # Left to right as the list shows them, ticked as shown.
    assert list(actions) == FIRST_ORDER
    fitted = [c for c in range(view.model.columnCount()) if header.isSectionHidden(c)]
    assert COL_CODE in fitted and COL_NAME not in fitted
    assert [a.isChecked() for a in actions.values()] == \
        [not header.isSectionHidden(c) for c in view.column_order()]
    assert not actions["Name"].isEnabled()
    actions["No."].trigger()
    actions["Last visit"].trigger()
    assert not header.isSectionHidden(COL_CODE) and header.isSectionHidden(COL_LAST_VISIT)
    assert _column_actions(view)["No."].isChecked()
    chosen = sorted({*fitted, COL_LAST_VISIT} - {COL_CODE})
    assert _at_start(demo_db)[1] == chosen
    # Shown again from the menu: back at the next start, the user's choice kept.
    _column_actions(view)["Last visit"].trigger()
    assert _at_start(demo_db)[1] == sorted(set(chosen) - {COL_LAST_VISIT})


FIRST_ORDER = ["Name", "Mobile", "Vehicle", "Stage", "Last visit", "Last contact", "Gender",
               "Area", "No."]


def _column_actions(view) -> dict[str, QAction]:
    """The header menu's ticks, by their columns' titles (not the order put back)."""
    return {a.text(): a for a in view.column_menu().actions() if a.isCheckable()}


def _at_start(demo_db) -> tuple[list[str], list[int]]:
    """The columns of a customer list opened now: their titles left to right, and the
    columns it hides."""
    runner = TaskRunner()
    started = CustomersView(demo_db, runner)
    header = started.table.horizontalHeader()
    titles = [started.model.headerData(c, Qt.Orientation.Horizontal)
              for c in started.column_order()]
    hidden = [c for c in range(started.model.columnCount()) if header.isSectionHidden(c)]
    shut_down(started, runner)
    return titles, hidden




def test_columns_dragged_into_another_order_stay_in_it(qtbot, view, demo_db):
    """A column dragged by its header stays where it was put at the next start; the header's
    menu puts them all back in their first order."""
    header = view.table.horizontalHeader()
    first = view.column_menu().actions()[-1]
    assert first.text() == "Columns in their first order" and not first.isEnabled()
    # What a drag of the customer number's header to the left end does.
    header.moveSection(header.visualIndex(COL_CODE), 0)
    assert header.sectionViewportPosition(COL_CODE) == 0
    assert _at_start(demo_db)[0] == ["No.", *FIRST_ORDER[:-1]]
    first = view.column_menu().actions()[-1]
    assert first.isEnabled()
    first.trigger()
    assert view.column_order() == list(DEFAULT_ORDER)
    assert header.sectionViewportPosition(COL_NAME) == 0
    assert _at_start(demo_db)[0] == FIRST_ORDER


@pytest.mark.parametrize("kept", ["", "8,7,6", "0,1,2,3,4,5,6,7,7", "a,b", "0,1,2,3,4,5,6,7,9"])
def test_an_order_kept_that_is_not_every_column_once_gives_the_first(qtbot, demo_db, kept):
    QSettings().setValue(COLUMN_ORDER, kept)
    assert _at_start(demo_db)[0] == FIRST_ORDER


# What staff need of each row, most needed first: whom it is, how to reach them, which car,
# when they last came in, the stage; the last contact too where the language leaves room.
NEEDED = {"zh_CN": (COL_NAME, COL_MOBILE, COL_VEHICLE, COL_LAST_VISIT, COL_STAGE,
                    COL_LAST_CONTACT),
          "en": (COL_NAME, COL_MOBILE, COL_VEHICLE, COL_LAST_VISIT, COL_STAGE)}


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_the_list_shows_what_staff_need_beside_the_page_on_an_office_screen(
        qtbot, demo_db, demo_supervisor, translated):
    """A window of 1366×728 (maximised on a 1366×768 screen less the taskbar), a customer on
    the page: the list shows whom each row is and what staff act on with no sideways scroll;
    the columns that do not fit are hidden, ticked off in the header's menu, and a car cut
    short shows whole in its tooltip."""
    from ui.main_window import MainWindow

    window = MainWindow(demo_db, demo_supervisor)
    window.setWindowState(Qt.WindowState.WindowNoState)  # the test screen may be smaller
    window.resize(1366, 728)
    window.show()
    view = window.customers
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: view.page.customer_id is not None, timeout=10000)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=15000)
    assert (window.width(), window.height()) == (1366, 728)
    header = view.table.horizontalHeader()
    right = view.table.viewport().width()
    assert view.table.horizontalScrollBar().maximum() == 0
    for column in NEEDED[translated]:
        assert not header.isSectionHidden(column), column
        assert 0 <= header.sectionViewportPosition(column), column
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= right, \
            (column, right)
    assert header.isSectionHidden(COL_CODE)
    ticks = {a.text(): a.isChecked() for a in view.column_menu().actions() if a.isCheckable()}
    assert ticks[view.model.headerData(COL_CODE, Qt.Orientation.Horizontal)] is False
    # A car says its plate first, and its whole text is in the tooltip where it is cut.
    cars = [view.model.index(r, COL_VEHICLE) for r in range(view.model.rowCount())]
    shown = next(i for i in cars if i.data())
    with demo_db.sessions() as s:
        plate = s.scalars(select(Vehicle.plate).where(
            Vehicle.customer_id == view.model.customer_id(shown.row()))
            .order_by(Vehicle.id)).first()
    assert shown.data().startswith(plate)
    assert shown.data(Qt.ItemDataRole.ToolTipRole) == shown.data()
    window.runner.cancel_all()
    assert window.runner.wait(30000)
    QApplication.processEvents()  # the tasks' last queued signals before the window goes
    window.close()
    shiboken6.delete(window)


@pytest.mark.parametrize("translated", ["zh_CN"], indirect=True)
def test_a_cars_dates_due_are_in_view_on_an_office_screen(qtbot, demo_db, translated):
    """The customers area of a maximised window on a 1366×768 screen: the car tab shows every
    date due (年检到期, 贷款到期) without a scroll; the VIN, seldom wanted on a call, comes last
    and may not."""
    with demo_db.sessions() as s:
        customer_id = s.scalars(select(Vehicle.customer_id).where(Vehicle.loan_end.is_not(None))
                                .order_by(Vehicle.id)).first()
    runner = TaskRunner()
    view = CustomersView(demo_db, runner)
    view.resize(1240, 690)  # 1366×728 less the areas' list on the left
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
    view.show_customer(customer_id)
    qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
    cars = view.page._vehicles
    view.page.tabs.setCurrentWidget(cars.parentWidget())
    qtbot.waitUntil(lambda: cars.isVisible(), timeout=2000)
    header = cars.horizontalHeader()
    heads = [cars.horizontalHeaderItem(c).text() for c in range(cars.columnCount())]
    assert heads[-1] == "车架号"
    loan = heads.index("贷款到期")
    assert header.sectionViewportPosition(loan) + header.sectionSize(loan) <= \
        cars.viewport().width(), heads
    shut_down(view, runner)


def test_a_sold_car_comes_after_the_car_driven_now_and_says_sold(qtbot, demo_db):
    """A customer who sold a car and bought another: the list shows the car they drive now, the
    car tab lists it first and the sold one after it, marked, each row with its own readings."""
    with demo_db.sessions() as s:
        other = aliased(Vehicle)
        owns_one = select(other.id).where(other.customer_id == Vehicle.customer_id,
                                          other.active).exists()
        sold = s.scalars(select(Vehicle).where(~Vehicle.active, owns_one)
                         .order_by(Vehicle.id)).first()
        assert sold is not None, "the demo has a customer who sold a car and owns another"
        customer_id, sold_plate = sold.customer_id, sold.plate
        owned = s.scalars(select(Vehicle).where(Vehicle.customer_id == customer_id,
                                                Vehicle.active)).all()
        latest = max(owned, key=lambda v: (v.purchase_date or dt.date.min, v.id))
        expected = f"{latest.plate} {latest.model}" + (f" +{len(owned) - 1}"
                                                       if len(owned) > 1 else "")
    runner = TaskRunner()
    view = CustomersView(demo_db, runner)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
    model = CustomerTableModel(lambda ids: fetch_rows(demo_db.engine.connect, ids))
    model.set_ids([customer_id])
    assert model.data(model.index(0, COL_VEHICLE)) == expected
    view.show_customer(customer_id)
    qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
    cars = view.page._vehicles
    plates = [cars.item(r, 1).text() for r in range(cars.rowCount())]
    names = [cars.item(r, 0).text() for r in range(cars.rowCount())]
    assert plates[-1] == sold_plate and names[-1].endswith("(sold)")
    assert not any(n.endswith("(sold)") for n in names[:len(owned)])
    cars.selectRow(len(plates) - 1)  # the sold car's own readings
    with demo_db.sessions() as s:
        readings = s.scalar(select(func.count()).select_from(MileageReading)
                            .where(MileageReading.vehicle_id == sold.id))
    assert view.page._readings.rowCount() == readings
    shut_down(view, runner)


def test_a_table_with_nothing_on_file_says_so(qtbot, demo_db):
    """A customer's tab with no rows says nothing is on file, not only its headers; with no
    customer shown, it says nothing."""
    from models import PurchaseIntent
    from ui.widgets import empty_text

    with demo_db.sessions() as s:
        customer_id = s.scalars(select(Customer.id).where(
            ~select(PurchaseIntent.id).where(PurchaseIntent.customer_id == Customer.id)
            .exists()).order_by(Customer.id)).first()
    runner = TaskRunner()
    view = CustomersView(demo_db, runner)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
    assert empty_text(view.page._intents) == ""
    view.show_customer(customer_id)
    qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
    assert view.page._intents.rowCount() == 0
    assert empty_text(view.page._intents) == "No purchase intent recorded."
    assert view.page._vehicles.rowCount() > 0 and empty_text(view.page._vehicles) == ""
    shut_down(view, runner)
