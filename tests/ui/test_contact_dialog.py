"""Who the customer is, phones, address, cars and km recorded from the customer page: the dialog
opens over the page, a refused save shows its sentence in the dialog with what was typed kept, a
saved one refreshes the page."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from models import Customer, MileageReading, Vehicle
from tests.ui.conftest import shut_down
from ui.dialogs.contact_dialog import ContactDialog
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView

NEW_MOBILE = "19912340987"


def _dialog() -> ContactDialog | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, ContactDialog) and w.isVisible()]
    return found[0] if found else None


def _customers_view(demo_db, demo_staff) -> tuple[TaskRunner, CustomersView]:
    runner = TaskRunner()
    view = CustomersView(demo_db, runner, actor=demo_staff)
    view.resize(1300, 800)
    view.show()
    return runner, view


def test_contact_details_cars_and_km_from_the_customer_page(qtbot, demo_db, demo_staff):
    runner, view = _customers_view(demo_db, demo_staff)
    try:
        qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
        view.table.selectRow(0)
        qtbot.waitUntil(lambda: view.page.customer_id is not None, timeout=5000)
        customer_id = view.page.customer_id
        with demo_db.sessions() as s:
            other = s.scalars(select(Customer).where(Customer.id != customer_id,
                                                     Customer.mobile.is_not(None))).first()
            taken = (other.mobile, other.code)
        qtbot.mouseClick(view.page._contact_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _dialog() is not None, timeout=5000)
        dialog = _dialog()
        assert dialog is not None

        # A mobile another customer has: one sentence naming them; what was typed stays.
        dialog.mobile.setText(taken[0])
        dialog.city.setText("佛山")
        qtbot.mouseClick(dialog.save_details_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "already customer" in dialog.message.text(), timeout=5000)
        assert taken[1] in dialog.message.text()
        assert (dialog.mobile.text(), dialog.city.text()) == (taken[0], "佛山")

        dialog.mobile.setText("")
        qtbot.keyClicks(dialog.mobile, f"+86 {NEW_MOBILE}")
        qtbot.mouseClick(dialog.save_details_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.message.text() == "Contact details saved.",
                        timeout=5000)
        qtbot.waitUntil(lambda: NEW_MOBILE in view.page._facts.text(), timeout=5000)
        qtbot.waitUntil(lambda: dialog.mobile.text() == NEW_MOBILE, timeout=5000)

        # Whom to ask for: on the page's line of facts and the brief's way to reach them.
        assert "contact person" not in view.page._facts.text()
        dialog.contact_name.setText("王经理")  # typed through an input method, not keys
        qtbot.mouseClick(dialog.save_details_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "contact person: 王经理" in view.page._facts.text(),
                        timeout=5000)
        qtbot.waitUntil(lambda: "ask for 王经理" in view.page.brief._rows["reach"].text(),
                        timeout=5000)
        with demo_db.sessions() as s:
            assert s.get_one(Customer, customer_id).contact_name == "王经理"

        # Who the customer is: the name put right, a birthday told, a WeChat nickname refused.
        dialog.tabs.setCurrentIndex(1)
        dialog.name.setText("张叁丰")
        dialog.gender.setCurrentIndex(dialog.gender.findData("F"))
        dialog.birthday_known.setChecked(True)
        dialog.birthday.setDate(QDate(1988, 2, 29))
        dialog.wechat_id.setText("小张")
        qtbot.mouseClick(dialog.save_person_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "is not a WeChat ID" in dialog.message.text(), timeout=5000)
        assert dialog.name.text() == "张叁丰"
        dialog.wechat_id.setText("zsf_1988")
        dialog.note.setPlainText("VIP客户\n周末不要打电话")
        # The DMS's number put right (the demo's as its DMS wrote it): shown on the page.
        assert dialog.dms_code.text().startswith("KH")
        dialog.dms_code.setText(" kh 88001 ")
        qtbot.mouseClick(dialog.save_person_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.message.text() == "Customer's details saved.",
                        timeout=5000)
        qtbot.waitUntil(lambda: view.page._title.text().startswith("张叁丰"), timeout=5000)
        qtbot.waitUntil(lambda: "DMS no. KH88001" in view.page._facts.text(), timeout=5000)
        # The note on the brief, before every call, its lines kept.
        qtbot.waitUntil(lambda: view.page.brief._rows["note"].text()
                        == "VIP客户<br>周末不要打电话", timeout=5000)
        with demo_db.sessions() as s:
            c = s.get_one(Customer, customer_id)
            assert (c.name, c.gender, c.birthday, c.birthday_md, c.wechat_id, c.dms_code) == (
                "张叁丰", "F", dt.date(1988, 2, 29), "0229", "zsf_1988", "KH88001")

        # A car with a VIN that is none: refused in the dialog, typed values kept.
        dialog.tabs.setCurrentIndex(2)
        qtbot.keyClicks(dialog.brand, "Tesla")
        qtbot.keyClicks(dialog.model, "Model 3")
        qtbot.keyClicks(dialog.vin, "ABC")
        qtbot.mouseClick(dialog.add_car_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "is not 17 letters" in dialog.message.text(), timeout=5000)
        assert dialog.brand.text() == "Tesla"
        dialog.vin.clear()
        qtbot.mouseClick(dialog.add_car_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.message.text() == "Car added.", timeout=5000)
        qtbot.waitUntil(lambda: any("Model 3" in dialog.car_list.item(i).text()
                                    for i in range(dialog.car_list.count())), timeout=5000)
        with demo_db.sessions() as s:
            car = s.scalars(select(Vehicle).where(Vehicle.customer_id == customer_id,
                                                  Vehicle.model == "Model 3")).one()
            car_id = car.id

        dialog.tabs.setCurrentIndex(3)
        dialog.km_car.setCurrentIndex(dialog.km_car.findData(car_id))
        qtbot.keyClicks(dialog.km, "1200")
        qtbot.mouseClick(dialog.save_km_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.message.text() == "Km reading recorded.", timeout=5000)
        with demo_db.sessions() as s:
            assert s.scalars(select(MileageReading.km)
                             .where(MileageReading.vehicle_id == car_id)).all() == [1200]
        qtbot.waitUntil(lambda: dialog.last_km.text() == "1,200 km", timeout=5000)

        dialog.tabs.setCurrentIndex(2)
        row = next(i for i, c in enumerate(dialog._cars) if c.id == car_id)
        dialog.car_list.setCurrentRow(row)
        qtbot.mouseClick(dialog.sold_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.message.text() == "Car marked as no longer theirs.",
                        timeout=5000)
        with demo_db.sessions() as s:
            assert s.get_one(Vehicle, car_id).active is False
        qtbot.waitUntil(lambda: any("(sold / no longer theirs)" in dialog.car_list.item(i).text()
                                    for i in range(dialog.car_list.count())), timeout=5000)
        assert dialog.km_car.findData(car_id) == -1  # a sold car takes no reading
        dialog.tabs.setCurrentIndex(0)
        dialog.grab().save("/tmp/contact-dialog.png")
        dialog.tabs.setCurrentIndex(1)
        dialog.grab().save("/tmp/contact-dialog-person.png")
        dialog.tabs.setCurrentIndex(2)
        dialog.grab().save("/tmp/contact-dialog-cars.png")
        dialog.close()
    finally:
        shut_down(view, runner)


def test_a_birthday_known_without_its_year_is_shown_and_kept(qtbot, demo_db, demo_staff):
    """An import's 3月15日 keeps only the month and day: the page and the dialog say so (no
    date field can), a save of something else keeps it, and a whole date told replaces it."""
    runner, view = _customers_view(demo_db, demo_staff)
    try:
        qtbot.waitUntil(lambda: view.model.rowCount() > 1, timeout=10000)
        customer_id = view.model.customer_id(0)
        with demo_db.sessions.begin() as s:
            c = s.get_one(Customer, customer_id)
            c.birthday, c.birthday_md = None, "0315"
        # Loaded again, whether or not the list had opened them already.
        view.table.selectRow(0)
        view.show_customer(customer_id)
        qtbot.waitUntil(lambda: view.page.customer_id == customer_id, timeout=5000)
        qtbot.waitUntil(lambda: "birthday 15 March (year not known)"
                        in view.page._facts.text(), timeout=5000)
        qtbot.mouseClick(view.page._contact_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _dialog() is not None, timeout=5000)
        dialog = _dialog()
        assert dialog is not None
        dialog.tabs.setCurrentIndex(1)
        assert not dialog.birthday_known.isChecked()
        assert dialog.birthday_day_only.isVisible()
        assert dialog.birthday_day_only.text().startswith("Known without its year: 15 March")

        dialog.employer.setText("广州某公司")
        qtbot.mouseClick(dialog.save_person_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.message.text() == "Customer's details saved.",
                        timeout=5000)
        with demo_db.sessions() as s:
            c = s.get_one(Customer, customer_id)
            assert (c.birthday, c.birthday_md, c.employer) == (None, "0315", "广州某公司")
            # The next save is based on this one's version at once, not once the dialog's
            # reload comes back: a save clicked before that was refused as stale.
            assert dialog._version == c.version

        dialog.birthday_known.setChecked(True)
        dialog.birthday.setDate(QDate(1980, 3, 16))
        qtbot.mouseClick(dialog.save_person_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "born 1980-03-16" in view.page._facts.text(), timeout=5000)
        qtbot.waitUntil(lambda: not dialog.birthday_day_only.isVisible(), timeout=5000)
        with demo_db.sessions() as s:
            c = s.get_one(Customer, customer_id)
            assert (c.birthday, c.birthday_md) == (dt.date(1980, 3, 16), "0316")
        dialog.close()
    finally:
        shut_down(view, runner)


def test_typing_not_saved_is_not_lost_without_a_word(qtbot, demo_db, demo_staff, monkeypatch):
    """Esc closed the dialog and lost a new mobile, a WeChat ID and a whole car typed in it;
    Enter saved the first tab's details only. Now closing asks, naming the tabs, and Enter
    saves the tab in front."""
    runner, view = _customers_view(demo_db, demo_staff)
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]

    def question(_parent, _title, text, *_args):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    try:
        qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
        view.table.selectRow(0)
        qtbot.waitUntil(lambda: view.page.customer_id is not None, timeout=5000)
        customer_id = view.page.customer_id
        qtbot.mouseClick(view.page._contact_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _dialog() is not None, timeout=5000)
        dialog = _dialog()
        assert dialog is not None
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes
        assert not dialog.isVisible() and asked == []

        qtbot.mouseClick(view.page._contact_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _dialog() is not None, timeout=5000)
        dialog = _dialog()
        assert dialog is not None
        dialog.tabs.setCurrentIndex(1)
        dialog.wechat_id.setText("wxid_probe88")
        dialog.tabs.setCurrentIndex(2)
        dialog.plate.setText("粤B12345")
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert dialog.isVisible()
        assert asked == ["What you typed on Customer, Cars is not saved. Close and lose it?"]

        # Enter on the customer's tab saves the customer's details.
        dialog.tabs.setCurrentIndex(1)
        qtbot.keyClick(dialog.wechat_id, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.message.text() == "Customer's details saved.",
                        timeout=5000)
        with demo_db.sessions() as s:
            assert s.get_one(Customer, customer_id).wechat_id == "wxid_probe88"
        answer[0] = QMessageBox.StandardButton.Discard
        dialog.close()
        assert not dialog.isVisible()
        assert asked[-1] == "What you typed on Cars is not saved. Close and lose it?"
    finally:
        shut_down(view, runner)
