"""What a customer tells staff outside a call, recorded from their page: a new mobile, other
phones, a new address, a contact person, their name put right, gender, birthday, WeChat ID or
employer, a car bought or sold, a km reading. Each save runs as one write while the
dialog stays open; a refused save shows its one sentence in the dialog, with what was typed
kept, and a saved one refreshes the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.customers import contact_details as cd
from services.labels import car_name
from services.store.errors import StaleEdit
from ui.labels import label, month_day_text
from ui.tasks import TaskRunner, changed, error_text
from ui.widgets import date_edit

ADDRESS_FIELDS = ("province", "city", "district", "street", "postcode")


def _day(edit) -> dt.date:
    day = edit.date().toPython()
    assert isinstance(day, dt.date)
    return day


def _known_day(known: QCheckBox) -> tuple[QDateEdit, QHBoxLayout]:
    """A day up to today that counts only once `known` is ticked (a birthday, a purchase date),
    and the row of the two."""
    edit = date_edit()
    edit.setMaximumDate(QDate.currentDate())
    edit.setEnabled(False)
    known.toggled.connect(edit.setEnabled)
    row = QHBoxLayout()
    row.addWidget(known)
    row.addWidget(edit, 1)
    return edit, row


class ContactDialog(QDialog):
    """Four tabs (contact details, the customer, cars, km) over one customer; `editor` is what
    was loaded."""

    def __init__(self, sessions, runner: TaskRunner, editor: cd.Editor, customer_id: int,
                 staff_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sessions, self._runner = sessions, runner
        self._customer_id, self._staff_id = customer_id, staff_id
        self._version = editor.version
        self._cars: tuple[cd.Car, ...] = ()
        self.setWindowTitle(self.tr("Details and cars of %1").replace("%1", editor.name))
        # Wide enough for a car's line (brand, model, plate, VIN, purchase date) unscrolled.
        self.setMinimumWidth(620)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._contact_tab(), self.tr("Contact details"))
        self.tabs.addTab(self._person_tab(), self.tr("Customer"))
        self.tabs.addTab(self._cars_tab(), self.tr("Cars"))
        self.tabs.addTab(self._km_tab(), self.tr("Km reading"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton(self.tr("Reload"))
        self.reload_button.setToolTip(self.tr("Show what is stored now; what you typed is lost"))
        self.reload_button.clicked.connect(self._on_reload_clicked)
        self.reload_button.setVisible(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.reload_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(bottom)
        self.show_editor(editor)  # and what it shows as stored (_shown_details, _shown_person)
        # Enter saves the tab in front, whichever it is (it saved the contact details only).
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())
        self.mobile.setFocus()

    # --- layout ---------------------------------------------------------------------------
    def _contact_tab(self) -> QWidget:
        self.contact_name = QLineEdit()
        self.contact_name.setMaxLength(cd.LENGTHS["contact_name"])
        self.contact_name.setPlaceholderText(self.tr("Whom to ask for, if not the customer: "
                                                     "a company's 王经理"))
        self.mobile = QLineEdit()
        self.mobile.setPlaceholderText(self.tr("11 digits, e.g. 13800138000"))
        self.other_phones = QLineEdit()
        self.other_phones.setPlaceholderText(self.tr("Landlines, a second mobile; separate "
                                                     "with commas"))
        self.province, self.city, self.district = QLineEdit(), QLineEdit(), QLineEdit()
        self.street, self.postcode = QLineEdit(), QLineEdit()
        self.postcode.setMaxLength(6)
        for name in ("province", "city", "district", "street"):
            getattr(self, name).setMaxLength(cd.LENGTHS[name])
        form = QFormLayout()
        form.addRow(self.tr("Contact person"), self.contact_name)
        form.addRow(self.tr("Mobile"), self.mobile)
        form.addRow(self.tr("Other phones"), self.other_phones)
        form.addRow(self.tr("Province"), self.province)
        form.addRow(self.tr("City"), self.city)
        form.addRow(self.tr("District"), self.district)
        form.addRow(self.tr("Street"), self.street)
        form.addRow(self.tr("Postcode"), self.postcode)
        self.save_details_button = QPushButton(self.tr("Save contact details"))
        self.save_details_button.clicked.connect(self._on_save_details_clicked)
        form.addRow("", self.save_details_button)
        tab = QWidget()
        tab.setLayout(form)
        return tab

    def _person_tab(self) -> QWidget:
        self.name = QLineEdit()
        self.name.setMaxLength(cd.LENGTHS["name"])
        self.gender = QComboBox()
        for text, code in ((self.tr("Not known"), None), (label("gender", "M"), "M"),
                           (label("gender", "F"), "F")):
            self.gender.addItem(text, code)
        self.birthday_known = QCheckBox(self.tr("Birthday known"))
        self.birthday, born = _known_day(self.birthday_known)
        # A birthday an import brought without its year (3月15日): said, as no date shows it.
        self.birthday_day_only = QLabel()
        self.birthday_day_only.setWordWrap(True)
        self.birthday_day_only.setVisible(False)
        self.wechat_id = QLineEdit()
        self.wechat_id.setMaxLength(cd.LENGTHS["wechat_id"])
        self.wechat_id.setPlaceholderText(self.tr("e.g. wxid_chen88 (not the nickname)"))
        self.employer = QLineEdit()
        self.employer.setMaxLength(cd.LENGTHS["employer"])
        self.dms_code = QLineEdit()
        self.dms_code.setPlaceholderText(self.tr("as the DMS writes it, e.g. KH20080139"))
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("What staff should know, e.g. VIP; never on a "
                                             "weekend"))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Gender"), self.gender)
        form.addRow(self.tr("Birthday"), born)
        form.addRow("", self.birthday_day_only)
        form.addRow(self.tr("WeChat ID"), self.wechat_id)
        form.addRow(self.tr("Employer"), self.employer)
        form.addRow(self.tr("DMS customer number"), self.dms_code)
        form.addRow(self.tr("Note"), self.note)
        self.save_person_button = QPushButton(self.tr("Save customer's details"))
        self.save_person_button.clicked.connect(self._on_save_person_clicked)
        form.addRow("", self.save_person_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addStretch(1)  # the rows together at the top, as on the other tabs
        return tab

    def _cars_tab(self) -> QWidget:
        self.car_list = QListWidget()
        self.sold_button = QPushButton(self.tr("Mark as sold / no longer theirs"))
        self.sold_button.clicked.connect(self._on_sold_clicked)
        self.car_list.currentRowChanged.connect(self._on_car_row_changed)
        self.brand, self.model = QLineEdit(), QLineEdit()
        self.plate, self.vin, self.price = QLineEdit(), QLineEdit(), QLineEdit()
        self.brand.setMaxLength(cd.LENGTHS["brand"])
        self.model.setMaxLength(cd.LENGTHS["model"])
        self.plate.setPlaceholderText(self.tr("e.g. 粤A12345"))
        self.vin.setPlaceholderText(self.tr("17 characters; optional"))
        self.price.setPlaceholderText(self.tr("e.g. 158000 or 15.8万; optional"))
        self.bought_known = QCheckBox(self.tr("Purchase date known"))
        self.bought, bought = _known_day(self.bought_known)
        form = QFormLayout()
        form.addRow(self.tr("Brand"), self.brand)
        form.addRow(self.tr("Model"), self.model)
        form.addRow(self.tr("Plate"), self.plate)
        form.addRow(self.tr("VIN"), self.vin)
        form.addRow(self.tr("Bought on"), bought)
        form.addRow(self.tr("Price paid"), self.price)
        self.add_car_button = QPushButton(self.tr("Add car"))
        self.add_car_button.clicked.connect(self._on_add_car_clicked)
        form.addRow("", self.add_car_button)
        new_car = QGroupBox(self.tr("A car bought here or elsewhere"))
        new_car.setLayout(form)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.car_list, 1)
        layout.addWidget(self.sold_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(new_car)
        return tab

    def _km_tab(self) -> QWidget:
        self.km_car = QComboBox()
        self.km = QLineEdit()
        self.km.setPlaceholderText(self.tr("e.g. 86000 or 8.6万"))
        self.km_day = date_edit()
        self.km_day.setMaximumDate(QDate.currentDate())
        self.last_km = QLabel()
        self.km_car.currentIndexChanged.connect(self._on_km_car_changed)
        self.save_km_button = QPushButton(self.tr("Record km"))
        self.save_km_button.clicked.connect(self._on_save_km_clicked)
        form = QFormLayout()
        form.addRow(self.tr("Car"), self.km_car)
        form.addRow(self.tr("Last reading"), self.last_km)
        form.addRow(self.tr("Km"), self.km)
        form.addRow(self.tr("Read on"), self.km_day)
        form.addRow("", self.save_km_button)
        tab = QWidget()
        tab.setLayout(form)
        return tab

    # --- what is shown ----------------------------------------------------------------------
    def show_editor(self, editor: cd.Editor, details: bool = True, person: bool = True) -> None:
        """Show what was loaded; with `details` (`person`) False the contact details (the
        customer's name, gender…) keep what is typed in them: something else was saved."""
        self._version = editor.version
        if person:
            p = editor.person
            self.name.setText(p.name)
            self.gender.setCurrentIndex(max(0, self.gender.findData(p.gender)))
            self.birthday_known.setChecked(p.birthday is not None)
            if p.birthday is not None:
                self.birthday.setDate(QDate(p.birthday.year, p.birthday.month,
                                            p.birthday.day))
            day_only = editor.birthday_md if p.birthday is None else None
            self.birthday_day_only.setText(self.tr(
                "Known without its year: %1 (birthday greetings go out on it). Tick Birthday "
                "known and enter the whole date once the year is known.").replace(
                "%1", month_day_text(day_only)) if day_only else "")
            self.birthday_day_only.setVisible(bool(day_only))
            self.wechat_id.setText(p.wechat_id or "")
            self.employer.setText(p.employer or "")
            self.dms_code.setText(p.dms_code or "")
            self.note.setPlainText(p.note or "")
        if details:
            d = editor.details
            self.contact_name.setText(d.contact_name or "")
            self.mobile.setText(d.mobile or "")
            self.other_phones.setText(d.other_phones or "")
            for name in ADDRESS_FIELDS:
                getattr(self, name).setText(getattr(d, name) or "")
        # What is shown as stored: what differs from it when the dialog closes is unsaved.
        if person:
            self._shown_person = self.person()
        if details:
            self._shown_details = self.details()
        self._cars = editor.cars
        self.car_list.clear()
        for car in editor.cars:
            text = " · ".join(x for x in (car_name(car.brand, car.model), car.plate, car.vin,
                                          car.purchase_date and car.purchase_date.isoformat())
                              if x)
            if not car.active:
                text += "  " + self.tr("(sold / no longer theirs)")
            item = QListWidgetItem(text)
            if not car.active:
                item.setForeground(Qt.GlobalColor.gray)
            self.car_list.addItem(item)
        chosen = self.km_car.currentData()
        self.km_car.clear()
        for car in editor.cars:
            if car.active:
                self.km_car.addItem(" ".join(x for x in (car_name(car.brand, car.model),
                                                         car.plate) if x), car.id)
        if chosen is not None and (index := self.km_car.findData(chosen)) >= 0:
            self.km_car.setCurrentIndex(index)
        self._on_km_car_changed()
        self._on_car_row_changed(self.car_list.currentRow())

    def details(self) -> cd.ContactDetails:
        return cd.ContactDetails(
            contact_name=self.contact_name.text(), mobile=self.mobile.text(),
            other_phones=self.other_phones.text(),
            **{name: getattr(self, name).text() for name in ADDRESS_FIELDS})

    def person(self) -> cd.Person:
        return cd.Person(name=self.name.text(), gender=self.gender.currentData(),
                         birthday=_day(self.birthday) if self.birthday_known.isChecked()
                         else None, wechat_id=self.wechat_id.text(),
                         employer=self.employer.text(), note=self.note.toPlainText(),
                         dms_code=self.dms_code.text())

    def new_car(self) -> cd.NewVehicle:
        bought = _day(self.bought) if self.bought_known.isChecked() else None
        return cd.NewVehicle(brand=self.brand.text(), model=self.model.text(),
                             plate=self.plate.text(), vin=self.vin.text(),
                             purchase_date=bought, price=self.price.text())

    def unsaved(self) -> list[str]:
        """The tabs whose typing is not saved: changed details, a car or a km begun."""
        tabs = []
        if self.details() != self._shown_details:
            tabs.append(self.tabs.tabText(0))
        if self.person() != self._shown_person:
            tabs.append(self.tabs.tabText(1))
        if any(e.text().strip() for e in (self.brand, self.model, self.plate, self.vin,
                                          self.price)):
            tabs.append(self.tabs.tabText(2))
        if self.km.text().strip():
            tabs.append(self.tabs.tabText(3))
        return [t.replace("&", "") for t in tabs]

    def reject(self) -> None:
        """Closed (Esc, Close, the window's ×) with typing not saved: asked first, as typing
        lost without a word cannot be got back."""
        unsaved = self.unsaved()
        if unsaved and QMessageBox.question(
                self, self.tr("Not saved"),
                self.tr("What you typed on %1 is not saved. Close and lose it?")
                .replace("%1", self.tr(", ").join(unsaved)),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Discard:
            return
        super().reject()

    def _on_tab_changed(self, index: int) -> None:
        buttons = (self.save_details_button, self.save_person_button, self.add_car_button,
                   self.save_km_button)
        for i, button in enumerate(buttons):
            button.setDefault(i == index)

    def show_message(self, text: str, error: bool) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)

    # --- saving -----------------------------------------------------------------------------
    def _save(self, work: Callable[[], object], kinds: tuple[str, ...], done_text: str,
              after: Callable[[object], None] | None = None) -> None:
        self.show_message(self.tr("Saving…"), False)
        self._set_busy(True)

        def done(result: object) -> None:
            if not shiboken6.isValid(self):
                return
            if isinstance(result, cd.Saved):
                # The next save is based on what this one left, not on the reload that
                # follows: a save made before that reload came back was refused as stale.
                self._version = result.version
            self._set_busy(False)
            self.reload_button.setVisible(False)
            if after is not None:
                after(result)
            self.show_message(done_text, False)

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._set_busy(False)
            self.show_message(error_text(exc), True)
            self.reload_button.setVisible(isinstance(exc, StaleEdit))

        self._runner.run(lambda _p, _c: work(), on_done=done, on_failed=failed,
                         parent_widget=self, label=self.tr("Saving"), write=True,
                         changes=changed(*kinds, customer=self._customer_id))

    def _set_busy(self, busy: bool) -> None:
        for button in (self.save_details_button, self.save_person_button, self.add_car_button,
                       self.sold_button, self.save_km_button, self.reload_button):
            button.setEnabled(not busy)
        if not busy:
            self._on_car_row_changed(self.car_list.currentRow())
            self.save_km_button.setEnabled(self.km_car.count() > 0)

    def _reload_after(self, details: bool, person: bool = False) -> Callable[[object], None]:
        """After a save: the customer's new version, the cars and readings as stored, and the
        fields of what was saved."""
        def show(editor: cd.Editor) -> None:
            # A reload read before a later save of this dialog is older than what it holds.
            if shiboken6.isValid(self) and editor.version >= self._version:
                self.show_editor(editor, details, person)

        def after(_result: object) -> None:
            self._runner.run(lambda _p, _c: cd.load_editor(self._sessions, self._customer_id),
                             on_done=show, parent_widget=self)
        return after

    def _on_save_details_clicked(self) -> None:
        details, version = self.details(), self._version

        def after(result: object) -> None:
            self._shown_details = details  # saved, before the reload shows it as stored
            self._reload_after(True)(result)
        self._save(lambda: cd.save_contact_details(
            self._sessions, self._customer_id, details, expected_version=version,
            staff_id=self._staff_id), ("customers", "profile"),
            self.tr("Contact details saved."), after)

    def _on_save_person_clicked(self) -> None:
        person, version = self.person(), self._version

        def after(result: object) -> None:
            self._shown_person = person  # saved, before the reload shows it as stored
            self._reload_after(False, True)(result)
        self._save(lambda: cd.save_person(
            self._sessions, self._customer_id, person, expected_version=version,
            staff_id=self._staff_id), ("customers", "profile"),
            self.tr("Customer's details saved."), after)

    def _on_add_car_clicked(self) -> None:
        car, version = self.new_car(), self._version

        def after(result: object) -> None:
            for edit in (self.brand, self.model, self.plate, self.vin, self.price):
                edit.clear()
            self.bought_known.setChecked(False)
            self._reload_after(False)(result)
        self._save(lambda: cd.add_vehicle(self._sessions, self._customer_id, car,
                                          expected_version=version, staff_id=self._staff_id),
                   ("customers", "profile"), self.tr("Car added."), after)

    def _on_sold_clicked(self) -> None:
        row = self.car_list.currentRow()
        if not 0 <= row < len(self._cars):
            return
        car_id, version = self._cars[row].id, self._version
        self._save(lambda: cd.mark_vehicle_sold(self._sessions, self._customer_id, car_id,
                                                expected_version=version,
                                                staff_id=self._staff_id),
                   ("customers", "profile"), self.tr("Car marked as no longer theirs."),
                   self._reload_after(False))

    def _on_save_km_clicked(self) -> None:
        car_id, typed = self.km_car.currentData(), self.km.text()
        day = _day(self.km_day)
        if car_id is None:
            return

        def after(result: object) -> None:
            self.km.clear()
            self._reload_after(False)(result)
        self._save(lambda: cd.record_km(self._sessions, self._customer_id, car_id, typed,
                                        day=day, staff_id=self._staff_id),
                   ("readings",), self.tr("Km reading recorded."), after)

    def _on_reload_clicked(self) -> None:
        self.reload_button.setVisible(False)
        self.show_message("", False)
        self._reload_after(True, True)(None)

    def _on_car_row_changed(self, row: int) -> None:
        self.sold_button.setEnabled(0 <= row < len(self._cars) and self._cars[row].active)

    def _on_km_car_changed(self, _index: int = 0) -> None:
        car = next((c for c in self._cars if c.id == self.km_car.currentData()), None)
        self.last_km.setText(self.tr("%1 km").replace("%1", f"{car.last_km:,}")
                             if car is not None and car.last_km is not None else "—")


def open_contact_dialog(parent: QWidget, sessions, runner: TaskRunner, customer_id: int,
                        staff_id: int | None) -> None:
    """Load the customer's details and cars, then open the dialog over `parent`."""
    def show(editor: cd.Editor) -> None:
        if not shiboken6.isValid(parent):
            return
        dialog = ContactDialog(sessions, runner, editor, customer_id, staff_id, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    runner.run(lambda _p, _c: cd.load_editor(sessions, customer_id), on_done=show,
               parent_widget=parent,
               label=QCoreApplication.translate("ContactDialog", "Loading customer"))
