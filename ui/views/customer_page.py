"""The customer page: who they are, their profile with the timeline of every change, cars and
mileage, visits, surveys, complaints, contact history, intent, preferences, refusals, consent,
tags."""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref

import shiboken6
from PySide6.QtCore import QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.profile import PROFILE_ATTRIBUTES
from services.customers.brief import Brief
from services.customers.detail import CustomerDetail, PurchaseInfo, VehicleInfo, VisitInfo
from services.customers.profile import Change
from services.labels import car_name
from ui.labels import day_text, joined, label, moment_text, month_day_text
from ui.widgets import scrolling, when_empty


def even_share(widths: list[int], room: int) -> int:
    """The width each column gets when `room` is shared evenly and no column is narrower than
    its own width (`widths`): the columns wider than an even share keep their width, the
    others share what is left. 0 when the widths alone fill the room."""
    left, count = room, len(widths)
    for width in sorted(widths, reverse=True):
        if count == 0 or width * count <= left:
            break
        left, count = left - width, count - 1
    return max(0, left // count) if count else 0


class _LastColumnFits(QObject):
    """The last column fills the table when there is room and keeps its content's width when
    there is not (then the table scrolls sideways). Qt's stretchLastSection alone squeezes it to
    the default 100 px on a narrow screen, cutting both its title and what it says.

    An empty table shares its width evenly among its columns, each at least as wide as its
    title: with the columns sized to their (empty) contents, every column shrank to its title
    and the last one took all the rest."""

    def __init__(self, table: QTableWidget) -> None:
        super().__init__(table)
        self.table = table
        self.held = False  # while fill_table sets many cells: one fit at the end, not one each
        self.minimum = table.horizontalHeader().minimumSectionSize()  # the style's
        table.viewport().installEventFilter(self)
        model = table.model()
        # Through a plain function holding the fitter weakly, not the fitter's own method: a
        # QObject's method is looked up as a slot of its Python object when the signal comes,
        # and the model's last signals, as a table is destroyed, came after that object was
        # let go ("Slot '_LastColumnFits::' not found", once in a dozen runs of a test).
        fitter = weakref.ref(self)

        def fit(*_args) -> None:
            alive = fitter()
            if alive is not None and shiboken6.isValid(alive):
                alive.fit()

        for signal in (model.modelReset, model.dataChanged, model.rowsInserted,
                       model.rowsRemoved):
            signal.connect(fit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        if self.held or not shiboken6.isValid(self.table):  # its viewport and model outlive
            return  # it briefly
        header = self.table.horizontalHeader()
        last = self.table.columnCount() - 1
        if last < 0:
            return
        self._share_when_empty()
        content = max(header.sectionSizeHint(last), self.table.sizeHintForColumn(last))
        others = sum(header.sectionSize(c) for c in range(last))
        room = others + content <= self.table.viewport().width()
        if header.stretchLastSection() != room:
            header.setStretchLastSection(room)

    def _share_when_empty(self) -> None:
        """No rows: no column narrower than an even share of the width (the header's minimum
        section size); rows: the style's minimum again, each column as wide as its contents."""
        header = self.table.horizontalHeader()
        wanted = self.minimum
        if self.table.rowCount() == 0:
            titles = [header.sectionSizeHint(c) for c in range(self.table.columnCount())]
            wanted = max(wanted, even_share(titles, self.table.viewport().width()))
        if header.minimumSectionSize() == wanted:
            return
        smaller = wanted < header.minimumSectionSize()
        header.setMinimumSectionSize(wanted)
        if smaller:  # Qt measures the sections again for a larger minimum only
            header.resizeSections()


def read_only_rows(table: QTableView) -> None:
    """How every read-only table of rows looks and selects: whole rows, alternating colours,
    no row numbers, 24 px rows."""
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)


def make_table(headers: list[str], stretch_last: bool = True) -> QTableWidget:
    """A read-only table of rows; with `stretch_last` its last column fills the width."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    read_only_rows(table)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_last:
        # Held by the table's Python object too: a fitter reached only through its Qt parent
        # once met a signal after Python had let it go ("Slot '_LastColumnFits::' not found").
        table.fitter = _LastColumnFits(table)  # type: ignore[attr-defined]
    return table


def fill_table(table: QTableWidget, rows: list[list[object]]) -> None:
    """Put `rows` in the table. Every cell set is a change the last column's fitting, a sorted
    table and a column sized to its contents would react to at once; all wait to the end
    (fitting after each of a 3,000-member list's 30,000 cells measured the column's rows again
    each time and took minutes; a column sized to its contents measured its rows again for
    every cell replaced: refilling 200 rows of 6 columns took 3.3 s, the window frozen)."""
    fitter = table.findChild(_LastColumnFits)
    sorting = table.isSortingEnabled()
    table.setSortingEnabled(False)
    header = table.horizontalHeader()
    modes = [header.sectionResizeMode(c) for c in range(table.columnCount())]
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if fitter is not None:
        fitter.held = True
    try:
        table.clearContents()
        table.setRowCount(len(rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(fmt(value))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    item.setTextAlignment(right)
                table.setItem(r, c, item)
    finally:
        for column, mode in enumerate(modes):  # each column measured once, now
            header.setSectionResizeMode(column, mode)
        table.setSortingEnabled(sorting)
        if fitter is not None:
            fitter.held = False
            fitter.fit()


def fmt(value: object) -> str:
    """Numbers and money in the user's locale; dates and times as the whole window writes
    them (2026-12-02, 2026-12-02 10:07)."""
    locale = QLocale()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return moment_text(value)
    if isinstance(value, dt.date):
        return day_text(value)
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, int):
        return locale.toString(value)
    if hasattr(value, "quantize"):  # Decimal money
        # A refund is negative: -¥800.00, as receipts write it (Qt's own is "(¥800.00)").
        sign = "-" if value < 0 else ""
        return sign + locale.toCurrencyString(abs(float(value)), "¥")
    return str(value)


def _arrow(change: Change) -> str:
    old = label(change.attribute, change.old_value) or "—"
    return f"{old} → {label(change.attribute, change.new_value) or '—'}"


class CustomerPage(QWidget):
    """Shows one customer; `record_change_requested` asks the owner to open the change dialog."""

    record_change_requested = Signal(int)
    erase_requested = Signal(int)  # a supervisor asked to erase the customer's personal data
    contact_edit_requested = Signal(int)  # new phones, address, cars or a km reading
    reload_requested = Signal(int)  # the customer changed on another PC: read them again

    def __init__(self, preferences_panel=None, tags_panel=None, parent=None) -> None:
        super().__init__(parent)
        self.preferences_panel = preferences_panel
        self.tags_panel = tags_panel  # ui/views/customer_tags_panel.py; None: no Tags tab
        self._customer_id: int | None = None
        self._detail: CustomerDetail | None = None
        self._cars: list[VehicleInfo] = []  # the vehicles table's rows, in its order
        self._title = QLabel()
        self._title.setObjectName("customerTitle")
        self._title.setStyleSheet("font-size: 18px; font-weight: 600;")
        # Shown when another PC changed the customer being read (ui/news.py): the page is not
        # reloaded under the reader, who may be filling in its preferences.
        self.elsewhere = QLabel()
        self.elsewhere.setObjectName("changedElsewhere")
        self.elsewhere.setStyleSheet(
            "QLabel#changedElsewhere { background: #fff4ce; padding: 4px 8px; }")
        self.elsewhere.setText(self.tr(
            "This customer was just changed on another PC. <a href=\"reload\">Show the "
            "latest</a>"))
        self.elsewhere.linkActivated.connect(self._on_reload_clicked)
        self.elsewhere.hide()
        self._facts = QLabel()
        self._facts.setWordWrap(True)
        self._facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._record_button = QPushButton(self.tr("Record a change…"))
        self._record_button.setToolTip(
            self.tr("Record what changed (married, new job, km…) with its date and source (Ctrl+E)")
        )
        self._record_button.clicked.connect(self._on_record_clicked)
        self._erase_button = QPushButton(self.tr("Erase…"))
        self._erase_button.setToolTip(self.tr(
            "Erase this customer's personal data on their request (supervisors; cannot be undone)"))
        self._erase_button.clicked.connect(self._on_erase_clicked)
        self._erase_button.setVisible(False)
        QShortcut(QKeySequence("Ctrl+E"), self, self._on_record_clicked)
        self._contact_button = QPushButton(self.tr("Details and cars…"))
        self._contact_button.setToolTip(self.tr(
            "Record a new mobile or phone, a new address, a contact person, the name put right, "
            "a birthday, a car bought or sold, a km reading"))
        self._contact_button.clicked.connect(
            lambda: self._customer_id is not None
            and self.contact_edit_requested.emit(self._customer_id))

        self.tabs = QTabWidget()
        from ui.views.brief_view import BriefView  # it uses this module's fmt()

        self.brief = BriefView()
        self.tabs.addTab(self.brief, self.tr("Brief"))
        self._profile_now = make_table([self.tr("Attribute"), self.tr("Value"), self.tr("Since")])
        self._timeline = make_table(
            [
                self.tr("Effective"),
                self.tr("Attribute"),
                self.tr("Change"),
                self.tr("Source"),
                self.tr("Recorded"),
                self.tr("Note"),
            ]
        )
        profile = QSplitter(Qt.Orientation.Vertical)
        profile.addWidget(self._profile_now)
        profile.addWidget(self._timeline)
        self.tabs.addTab(profile, self.tr("Profile"))

        self._vehicles = make_table(
            [
                self.tr("Vehicle"),
                self.tr("Plate"),
                self.tr("Bought"),
                self.tr("Price paid"),
                self.tr("Payment"),
                self.tr("Insurance until"),
                self.tr("Warranty until"),
                self.tr("Inspection due"),
                self.tr("Loan ends"),
                # Last: 17 characters seldom wanted on a call, which pushed the dates due
                # behind a scroll on a 1366-wide screen.
                self.tr("VIN"),
            ]
        )
        self._vehicles.itemSelectionChanged.connect(self._on_vehicle_selected)
        self._readings = make_table([self.tr("Date"), self.tr("Km"), self.tr("Source")])
        cars = QSplitter(Qt.Orientation.Vertical)
        cars.addWidget(self._vehicles)
        cars.addWidget(self._readings)
        self.tabs.addTab(cars, self.tr("Vehicles"))
        self._visits = make_table(
            [self.tr("Date"), self.tr("Vehicle"), self.tr("Type"), self.tr("Amount"), self.tr("Km"),
             self.tr("Work done")]
        )
        # Insurance, accessories, extended warranties: spends as visits are, beneath them.
        self._purchases = make_table(
            [self.tr("Date"), self.tr("Vehicle"), self.tr("Kind"), self.tr("Amount"),
             self.tr("Item")]
        )
        spends = QSplitter(Qt.Orientation.Vertical)
        spends.addWidget(self._visits)
        spends.addWidget(self._purchases)
        self.tabs.addTab(spends, self.tr("Spending"))
        self._surveys = make_table(
            [
                self.tr("Date"),
                self.tr("Overall"),
                self.tr("Repair quality"),
                self.tr("Price"),
                self.tr("Speed"),
                self.tr("Attitude"),
                self.tr("Comment"),
            ]
        )
        self.tabs.addTab(self._surveys, self.tr("Surveys"))
        self._complaints = make_table(
            [
                self.tr("Opened"),
                self.tr("Topic"),
                self.tr("Resolved"),
                self.tr("Resolved on"),
                self.tr("How"),
            ]
        )
        self.tabs.addTab(self._complaints, self.tr("Complaints"))
        self._contacts = make_table(
            [
                self.tr("When"),
                self.tr("Channel"),
                self.tr("Purpose"),
                self.tr("Staff"),
                self.tr("Outcome"),
                self.tr("Next follow-up"),
                self.tr("What they said"),
            ]
        )
        self.tabs.addTab(self._contacts, self.tr("Contacts"))
        self._intents = make_table(
            [
                self.tr("Date"),
                self.tr("Strength"),
                self.tr("Window"),
                self.tr("Expected price"),
                self.tr("Models"),
                self.tr("Why"),
            ]
        )
        self.tabs.addTab(self._intents, self.tr("Intent"))
        prefs = preferences_panel or QWidget()
        # About 530 px tall: set alone, it made the window at least 695 px tall.
        self.preferences_tab = scrolling(prefs)
        index = self.tabs.addTab(self.preferences_tab, self.tr("Preferences"))
        self.tabs.setTabToolTip(
            index, self.tr("Contact preferences, marketing consent and do-not-contact")
        )
        if tags_panel is not None:
            index = self.tabs.addTab(tags_panel, self.tr("Tags"))
            self.tabs.setTabToolTip(index, self.tr("The customer's tags: add and remove them"))
            tags_panel.tags_changed.connect(self._on_tags_changed)
        self._say_when_empty()

        buttons = QHBoxLayout()
        buttons.addWidget(self._title, 1)
        buttons.addWidget(self._contact_button)
        buttons.addWidget(self._record_button)
        buttons.addWidget(self._erase_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.elsewhere)
        layout.addWidget(self._facts)
        layout.addWidget(self.tabs, 1)
        self.show_detail(None)

    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    def say_changed_elsewhere(self) -> None:
        """Another PC changed the customer shown: say so, and offer to show the latest."""
        if self._customer_id is not None:
            self.elsewhere.show()

    def _on_reload_clicked(self, _link: str) -> None:
        if self._customer_id is not None:
            self.reload_requested.emit(self._customer_id)

    def _say_when_empty(self) -> None:
        """A table with no rows for the customer shown says there are none on file (only
        headers looked like a page still loading)."""
        empty = {
            self._profile_now: self.tr("Nothing of the customer's life is on file yet."),
            self._timeline: self.tr("No change recorded yet: “Record a change…” adds one."),
            self._vehicles: self.tr("No vehicle on file."),
            self._readings: self.tr("No km reading of this vehicle on file."),
            self._visits: self.tr("No workshop visit on file."),
            self._purchases: self.tr("No insurance, accessory or other purchase on file."),
            self._surveys: self.tr("No satisfaction survey on file."),
            self._complaints: self.tr("No complaint on file."),
            self._contacts: self.tr(
                "No contact logged yet: “Log a call…” in the brief records one."),
            self._intents: self.tr("No purchase intent recorded."),
        }
        for table, text in empty.items():
            when_empty(table, lambda said=text, t=table: (
                said if self._detail is not None and (t is not self._readings or self._cars)
                else ""))

    def show_detail(self, detail: CustomerDetail | None, brief: Brief | None = None) -> None:
        self.elsewhere.hide()
        self._detail = detail
        self.brief.show_brief(brief if detail is not None else None)
        self._customer_id = detail.id if detail else None
        self._record_button.setEnabled(detail is not None)
        self._contact_button.setEnabled(detail is not None)
        self._erase_button.setEnabled(detail is not None)
        if detail is None:
            self._title.setText(self.tr("No customer selected"))
            self._facts.setText(
                self.tr("Pick a customer in the list (↓ from the search field goes into it).")
            )
            for table in self.findChildren(QTableWidget):
                table.setRowCount(0)
            self._cars = []
            for panel in (self.preferences_panel, self.tags_panel):
                if panel is not None:
                    panel.show_detail(None)
            return
        self._title.setText(f"{detail.name}  ·  {detail.code}")
        self._facts.setText(self._facts_text(detail))
        self._fill_profile(detail.profile_history)
        vehicle_names = {v.id: f"{v.model} {v.plate or ''}" for v in detail.vehicles}
        # The cars the customer owns first, each sold one after them and said so.
        self._cars = sorted(detail.vehicles, key=lambda v: not v.active)
        sold = self.tr("(sold)")
        fill_table(
            self._vehicles,
            [
                [
                    car_name(v.brand, v.model) + ("" if v.active else f" {sold}"),
                    v.plate,
                    v.purchase_date,
                    v.price_paid,
                    label("payment_method", v.payment_method),
                    v.insurance_expiry,
                    v.warranty_end,
                    v.inspection_due,
                    v.loan_end,
                    v.vin,
                ]
                for v in self._cars
            ],
        )
        # The readings always follow the vehicle row now selected (selecting an already
        # selected row signals nothing, which left another customer's readings on screen).
        self._vehicles.clearSelection()
        self._readings.setRowCount(0)
        if detail.vehicles:
            self._vehicles.selectRow(0)
        fill_table(
            self._visits,
            [
                [
                    v.date,
                    vehicle_names.get(v.vehicle_id, ""),
                    label("visit_type", v.type),
                    v.amount,
                    v.km,
                    self._visit_note(v),
                ]
                for v in detail.visits
            ],
        )
        fill_table(
            self._purchases,
            [
                [p.date, vehicle_names.get(p.vehicle_id, ""), label("purchase_kind", p.kind),
                 p.amount, self._bought(p)]
                for p in detail.purchases
            ],
        )
        fill_table(
            self._surveys,
            [
                [s.date, s.overall, s.repair_quality, s.price, s.speed, s.attitude, s.comment]
                for s in detail.surveys
            ],
        )
        fill_table(
            self._complaints,
            [
                [c.opened, c.topic, c.resolved, c.resolved_date, c.resolution]
                for c in detail.complaints
            ],
        )
        fill_table(
            self._contacts,
            [
                [
                    c.at,
                    label("channel", c.channel),
                    label("purpose", c.purpose),
                    c.staff,
                    label("outcome", c.outcome),
                    c.next_follow_up,
                    c.feedback,
                ]
                for c in detail.contacts
            ],
        )
        fill_table(
            self._intents,
            [
                [
                    i.date,
                    label("intent_strength", i.strength),
                    label("intent_window", i.window),
                    i.expected_price,
                    i.models,
                    i.necessity,
                ]
                for i in detail.intents
            ],
        )
        for panel in (self.preferences_panel, self.tags_panel):
            if panel is not None:
                panel.show_detail(detail)

    def _on_tags_changed(self, customer_id: int, names: tuple[tuple[str, str], ...]) -> None:
        # Tagged on the Tags tab: the summary line lists the tags too.
        if self._detail is not None and self._detail.id == customer_id and \
                names != self._detail.tags:
            self._detail = dataclasses.replace(self._detail, tags=names)
            self._facts.setText(self._facts_text(self._detail))

    def _bought(self, p: PurchaseInfo) -> str:
        """A purchase's item, saying what of it was given back (its amount is what was kept)."""
        item = p.description or ""
        if p.awaiting:
            return self.tr("%1 (not yet taken off a purchase)").replace("%1", item)
        if not p.refunded:
            return item
        return self.tr("%1 (%2 refunded)").replace("%1", item).replace("%2", fmt(p.refunded))

    def _visit_note(self, v: VisitInfo) -> str | None:
        """A visit's note, and the next service the advisor told the owner then."""
        told = []
        if v.next_service_date:
            told.append(fmt(v.next_service_date))
        if v.next_service_km:
            told.append(self.tr("%1 km").replace("%1", fmt(v.next_service_km)))
        if not told:
            return v.note
        when = told[0] if len(told) == 1 else \
            self.tr("%1 or %2").replace("%1", told[0]).replace("%2", told[1])
        said = self.tr("next service %1").replace("%1", when)
        return "；".join(p for p in (v.note, said) if p)

    def _birthday_text(self, d: CustomerDetail) -> str:
        if d.birthday is not None:
            return self.tr("born %1").replace("%1", fmt(d.birthday))
        if d.birthday_md:  # known without its year
            return self.tr("birthday %1 (year not known)").replace(
                "%1", month_day_text(d.birthday_md))
        return ""

    def _facts_text(self, d: CustomerDetail) -> str:
        consent = {
            True: self.tr("marketing consent given"),
            False: self.tr("no marketing consent"),
            None: self.tr("marketing consent not asked"),
        }[d.marketing_consent]
        parts = [
            d.dms_code and self.tr("DMS no. %1").replace("%1", d.dms_code),
            d.contact_name and self.tr("contact person: %1").replace("%1", d.contact_name),
            label("gender", d.gender),
            self._birthday_text(d),
            d.mobile or self.tr("no mobile"),
            d.other_phones,
            d.address + (f" ({d.postcode})" if d.postcode else ""),
            d.employer,
            d.owner and self.tr("owner: %1").replace("%1", d.owner),
            label("lifecycle_stage", d.lifecycle_stage),
            consent,
            joined(t for _, t in d.tags),
        ]
        return "  ·  ".join(p for p in parts if p)

    def _fill_profile(self, changes: tuple[Change, ...]) -> None:
        today = dt.date.today()
        current: dict[str, Change] = {}
        for change in changes:
            if change.effective_date <= today:
                current[change.attribute] = change
        fill_table(
            self._profile_now,
            [
                [label("attribute", a), label(a, c.new_value), c.effective_date]
                for a, c in current.items()
                # Name, phones and the car's values have their own places on the page; their
                # history (from imports) stays in the timeline below.
                if c.new_value is not None and a in PROFILE_ATTRIBUTES
            ],
        )
        fill_table(
            self._timeline,
            [
                [
                    c.effective_date,
                    label("attribute", c.attribute),
                    _arrow(c),
                    label("source", c.source),
                    c.recorded_at,
                    c.note,
                ]
                for c in reversed(changes)
            ],
        )

    def _on_vehicle_selected(self) -> None:
        if self._detail is None:
            return
        rows = self._vehicles.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._cars):
            return
        vehicle = self._cars[rows[0].row()]
        fill_table(
            self._readings, [[d, km, label("source", s)] for d, km, s in reversed(vehicle.readings)]
        )

    def set_may_erase(self, may: bool) -> None:
        """Show the erase button (for a supervisor; the service checks again)."""
        self._erase_button.setVisible(may)

    def _on_erase_clicked(self) -> None:
        if self._customer_id is not None:
            self.erase_requested.emit(self._customer_id)

    def _on_record_clicked(self) -> None:
        if self._customer_id is not None:
            self.record_change_requested.emit(self._customer_id)
