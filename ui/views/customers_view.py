"""The customer browser: type to search (name, pinyin or initials, mobile, plate, VIN), the
database sorts and filters, the table loads rows lazily, the page shows the selected customer.
A database with no customers at all shows the first steps instead (import, then settings)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.customers import search as customers
from services.staff.permissions import ERASE_CUSTOMERS, SAVE_SETTINGS, Actor, allowed
from services.store.database import Database
from ui.dialogs import stale_edit
from ui.labels import day_text, label
from ui.news import ELSEWHERE
from ui.table_models.customer_table import (
    COL_AREA,
    COL_CODE,
    COL_GENDER,
    COL_LAST_CONTACT,
    COL_LAST_VISIT,
    COL_MOBILE,
    COL_NAME,
    COL_STAGE,
    COL_VEHICLE,
    SORT_KEYS,
    CustomerTableModel,
)
from ui.tasks import DataChange, TaskRunner, changed
from ui.widgets import when_empty

if TYPE_CHECKING:
    from ui.views.customer_page import CustomerPage
    from ui.views.customer_tags_panel import CustomerTagsPanel
    from ui.views.preferences_panel import PreferencesPanel

SEARCH_DELAY_MS = 180
# What the customer's page needs below the UI: the ORM with every model and the customer
# services (the brief, tags, preferences, history). Imported on the GUI thread right after the
# first rows showed, they froze that list for 0.8–1.5 s on a slow 2-core VM; on the runner it
# stays usable meanwhile and only the page's widgets are built here.
PAGE_SERVICES = ("models.profile", "services.customers.brief", "services.customers.customer_tags",
                 "services.customers.tags", "services.customers.detail",
                 "services.customers.preferences", "services.customers.profile")
ROWS_MEASURED = 60  # column widths come from the first rows of the first search
ELIDED_MAX_PX = 190  # an address or car list wider than this is cut with "…"
# The narrowest a car or an area is cut to so that more columns fit: a plate and its count
# (粤B87900 +1) measure 80 px in the window's font, and a cell has 6 px of padding each side.
ELIDED_MIN_PX = 90
CELL_MARGIN_PX = 12
ELIDED = (COL_AREA, COL_VEHICLE)
# The columns the user hid (the header's right-click menu), as "2,6": kept between sessions.
# Until the user chooses, the list shows the columns of FIT_FIRST that fit its width.
HIDDEN_COLUMNS = "customers/hidden_columns"
# The order the user dragged the columns into, as the model's columns left to right ("1,2,3,…"):
# kept between sessions.
COLUMN_ORDER = "customers/column_order"
# The columns left to right until the user drags them: whom a row is and how to reach them,
# the car, then what staff act on (the stage, when they last came in and were last contacted);
# the gender, the area and the customer number are on the customer's page.
DEFAULT_ORDER = (COL_NAME, COL_MOBILE, COL_VEHICLE, COL_STAGE, COL_LAST_VISIT, COL_LAST_CONTACT,
                 COL_GENDER, COL_AREA, COL_CODE)
# Which columns the list keeps when its width does not hold them all, most needed first. A
# maximised window on a 1366×768 screen leaves the list about 520 px beside the customer's page
# (435 in English, whose tabs are wider): the first six fit in Chinese, five in English.
FIT_FIRST = (COL_NAME, COL_MOBILE, COL_VEHICLE, COL_LAST_VISIT, COL_STAGE, COL_LAST_CONTACT,
             COL_GENDER, COL_AREA, COL_CODE)
FIT_CUT = 6  # the columns of FIT_FIRST worth cutting the car short for


def fitting(widths: dict[int, int], room: int) -> tuple[set[int], dict[int, int]]:
    """The columns of FIT_FIRST that fit in `room` px, in that order until one does not, and
    their widths (`widths`, measured). When not all of the first FIT_CUT fit, a car and an area
    are cut to ELIDED_MIN_PX so that more of those fit, and given back what room is left."""

    def take(columns: tuple[int, ...], cut: bool) -> dict[int, int]:
        shown: dict[int, int] = {}
        for column in columns:
            need = widths[column]
            if cut and column in ELIDED:
                need = min(need, ELIDED_MIN_PX)
            if sum(shown.values()) + need > room:
                break
            shown[column] = need
        return shown

    shown = take(FIT_FIRST, cut=False)
    if len(shown) < FIT_CUT:
        shown = take(FIT_FIRST[:FIT_CUT], cut=True)
        for column in (c for c in ELIDED if c in shown):
            shown[column] = min(widths[column], shown[column] + room - sum(shown.values()))
    return set(shown), shown


def _hidden_columns(count: int) -> list[int] | None:
    """The columns the user hid, as kept (HIDDEN_COLUMNS; None: the user has not chosen);
    anything else kept there is ignored, and the name is never hidden."""
    if not QSettings().contains(HIDDEN_COLUMNS):
        return None
    kept = str(QSettings().value(HIDDEN_COLUMNS, "") or "")
    return [int(part) for part in kept.split(",")
            if part.strip().isdigit() and int(part) < count and int(part) != COL_NAME]


def _column_order(count: int) -> list[int]:
    """The columns left to right as the user left them (COLUMN_ORDER), or DEFAULT_ORDER when
    nothing kept there names each of the `count` columns once."""
    kept = str(QSettings().value(COLUMN_ORDER, "") or "").split(",")
    order = [int(part) for part in kept if part.strip().isdigit()]
    return order if sorted(order) == list(range(count)) else list(DEFAULT_ORDER)


class FirstSteps(QWidget):
    """What to do on a new database: import the DMS export, and (a supervisor) fill in the
    shop in Settings. `open_area` asks the window for "imports" or "settings"."""

    open_area = Signal(str)

    def __init__(self, may_set_up: bool, parent=None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("No customers yet"))
        title.setStyleSheet("font-size: 18px; font-weight: 600;")
        steps = [self.tr(
            "Import the customers, vehicles and service visits exported from the DMS in "
            "Import (Ctrl+6). Segments, lists and reports count what is imported.")]
        if may_set_up:
            steps.append(self.tr(
                "Fill in the shop's name, phone, address and SMS signature in Settings "
                "(Ctrl+7): lists, labels and text messages use them."))
        self.text = QLabel("\n\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1)))
        self.text.setWordWrap(True)
        self.import_button = QPushButton(self.tr("Open Import"))
        self.import_button.clicked.connect(lambda: self.open_area.emit("imports"))
        self.settings_button = QPushButton(self.tr("Open Settings"))
        self.settings_button.clicked.connect(lambda: self.open_area.emit("settings"))
        self.settings_button.setVisible(may_set_up)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.settings_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(self.text)
        column.addLayout(buttons)
        column.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(760)
        box.setLayout(column)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(box, 1, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(0)


class CustomersView(QWidget):
    search_finished = Signal(int)  # number of customers found
    # The first steps' buttons on an empty database: "imports" or "settings" for the window.
    open_area = Signal(str)

    def __init__(self, database: Database, runner: TaskRunner, parent=None, *,
                 actor: Actor | None = None, first_ids: list[int] | None = None) -> None:
        """`first_ids`: the result of the first search (everyone, by name) when the caller has
        it already (ui/app.py reads it while the password is checked)."""
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor  # who records changes and edits preferences (None: nobody signed in)
        self._sort = ("name", False)
        self._first_ids = first_ids
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            self.tr("Search name, pinyin or initials (zw = 张伟), mobile, plate or VIN  (Ctrl+F)")
        )
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        connect = database.engine.connect
        self.model = CustomerTableModel(lambda ids: customers.fetch_rows(connect, ids))
        self.table = QTableView()
        self.table.setModel(self.model)
        self._searched = ""  # what the rows shown were found by
        when_empty(self.table, lambda: self.tr(
            "No customer matches “%1”. Search by name, pinyin or initials, mobile, plate or "
            "VIN.").replace("%1", self._searched) if self._searched else "")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # Fixed row height: the view never asks every row for its size.
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(
            self.table.verticalHeader().ResizeMode.Fixed
        )
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_header_sort_changed)
        self.table.horizontalHeader().setStretchLastSection(True)
        # On a small screen the page leaves the list too narrow for every column: the user
        # chooses which to see by right-clicking the header.
        self.table.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.horizontalHeader().customContextMenuRequested.connect(self._on_header_menu)
        chosen = _hidden_columns(self.model.columnCount())
        self._columns_chosen = chosen is not None  # or the list shows those that fit
        for column in chosen if chosen is not None else FIT_FIRST[FIT_CUT:]:
            self.table.horizontalHeader().setSectionHidden(column, True)
        # Dragged by their headers into the order the user wants, kept for the next start.
        self.table.horizontalHeader().setSectionsMovable(True)
        self._putting = False
        self.table.horizontalHeader().sectionMoved.connect(self._keep_column_order)
        self._put_columns(_column_order(self.model.columnCount()))
        # Free text that may be long is cut with "…" (the whole text is in its tooltip).
        self.table.setProperty("elidedColumns", list(ELIDED))
        self._widths: dict[int, int] = {}  # measured on the first rows (_fit_columns)
        self._sized_by_user = False  # a column's edge dragged: its widths are kept
        self._sizing = False  # widths being set here, not dragged
        self.table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.table.viewport().installEventFilter(self)  # a new width fits the columns again
        self._page: CustomerPage | None = None  # built after the first rows (see `page`)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._run_search)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        self.search.installEventFilter(self)  # ↓ from the search goes into the list
        runner.data_changed.connect(self._on_data_changed)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(QWidget())  # the page's place until it is built
        self.splitter = splitter
        self._split_set = False
        splitter.splitterMoved.connect(lambda *_: setattr(self, "_split_set", True))
        self.first_steps = FirstSteps(allowed(actor, SAVE_SETTINGS))
        self.first_steps.open_area.connect(self.open_area)
        self._stack = QStackedWidget()
        self._stack.addWidget(splitter)
        self._stack.addWidget(self.first_steps)
        layout = QVBoxLayout(self)
        layout.addWidget(self._stack)
        if first_ids is None:
            self._run_search()
        else:
            # Delivered from the event loop like a search's result; a search started before
            # then (nothing can, short of code calling it) supersedes it.
            QTimer.singleShot(0, self, self._on_first_ids)
        QTimer.singleShot(0, self, self._prepare_page)  # once the list shows (see `page`)

    # --- the customer's page, built after the list --------------------------------------
    # Empty until a customer is picked, so built right after the first rows are on screen (or
    # when first asked for): its modules, its panels' and their services took 0.10–0.17 s to
    # import and its widgets 0.04–0.05 s to build, before the list could show.
    @property
    def page(self) -> CustomerPage:
        return self._page if self._page is not None else self._build_page()

    @property
    def preferences(self) -> PreferencesPanel:
        return self.page.preferences_panel

    @property
    def tags(self) -> CustomerTagsPanel:
        return self.page.tags_panel

    def _ensure_page(self) -> None:
        if self._page is None:
            self._build_page()

    def _prepare_page(self) -> None:
        """The page's services imported on the runner (PAGE_SERVICES), then the page built
        here; a customer picked meanwhile builds it at once (`page`), waiting for what is
        still being imported."""
        if self._page is not None:
            return
        self.runner.run(_import_page_services, on_done=lambda _r: self._ensure_page(),
                        on_failed=lambda _e: self._ensure_page(), parent_widget=self)

    def _build_page(self) -> CustomerPage:
        from ui.views.customer_page import CustomerPage
        from ui.views.customer_tags_panel import CustomerTagsPanel
        from ui.views.preferences_panel import PreferencesPanel

        page = CustomerPage(PreferencesPanel(self.database, self.runner, actor=self.actor),
                            CustomerTagsPanel(self.database, self.runner, self.actor))
        page.record_change_requested.connect(self._on_record_change_requested)
        page.set_may_erase(allowed(self.actor, ERASE_CUSTOMERS))
        page.erase_requested.connect(self._on_erase_requested)
        page.contact_edit_requested.connect(self._on_contact_edit_requested)
        page.reload_requested.connect(self._show_customer)
        placeholder = self.splitter.replaceWidget(1, page)  # keeps the divider where it is
        if placeholder is not None:
            placeholder.deleteLater()
        self._page = page
        if not self._split_set:
            self.use_default_split()
        return page

    def _shown_customer(self) -> int | None:
        """The customer on the page (None: nobody, or no page yet)."""
        return None if self._page is None else self._page.customer_id

    # --- search and sort, in the database ----------------------------------------------
    def _on_first_ids(self) -> None:
        ids, self._first_ids = self._first_ids, None
        if ids is not None:
            self._on_search_done(ids)

    def _run_search(self) -> None:
        self._first_ids = None
        self._timer.stop()
        text = self.search.text()
        key, descending = self._sort
        self.count.setText(self.tr("Searching…"))
        self.runner.run(
            lambda _p, _c: customers.find_ids(self.database.engine.connect, text, key, descending),
            on_done=self._on_search_done,
            parent_widget=self,
            label=self.tr("Searching"),
            latest="customer-search",
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._split_set:  # until the user drags the divider or a saved one is restored
            self.use_default_split()

    def use_default_split(self) -> None:
        """The page keeps room for all its tabs; the list gets the rest of the width."""
        if self._page is None:
            return  # done when the page is built
        page = self.page.tabs.tabBar().sizeHint().width() + 24
        total = max(self.splitter.width(), page + 300)
        self.splitter.setSizes([total - page, page])

    def restore_split(self, state) -> None:
        self._split_set = self.splitter.restoreState(state)

    def focus_first(self) -> None:
        if self.is_empty():
            self.first_steps.import_button.setFocus()
            return
        self.search.setFocus()
        self.search.selectAll()

    def is_empty(self) -> bool:
        """The database had no customers at all at the last search: the first steps show."""
        return self._stack.currentWidget() is self.first_steps

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_to_view()
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount()
        ):
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Widths for the content in the user's language, measured once on the first rows,
        then fitted to the list's width (_fit_to_view)."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        rows = min(self.model.rowCount(), ROWS_MEASURED)
        for column in range(self.model.columnCount()):
            hidden = header.isSectionHidden(column)
            header.setSectionHidden(column, False)  # a hidden one's header measures 0
            hint = header.sectionSizeHint(column)
            header.setSectionHidden(column, hidden)
            texts = (self.model.data(self.model.index(r, column)) for r in range(rows))
            widest = max((metrics.horizontalAdvance(str(t)) for t in texts if t is not None),
                         default=0)
            width = max(hint, widest + CELL_MARGIN_PX)
            self._widths[column] = min(width, ELIDED_MAX_PX) if column in ELIDED else width
        self._fit_to_view()

    def _fit_to_view(self) -> None:
        """Each column at its measured width; until the user chooses the columns (the header's
        menu), only those that fit the list's width are shown (`fitting`), so that nothing
        needs a sideways scroll. Widths the user dragged are kept."""
        if not self._widths or self._sized_by_user:
            return
        header = self.table.horizontalHeader()
        widths = dict(self._widths)
        if not self._columns_chosen:
            shown, widths = fitting(self._widths, self.table.viewport().width())
            for column in range(self.model.columnCount()):
                header.setSectionHidden(column, column not in shown)
        self._sizing = True
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self._sizing = False

    def _on_section_resized(self, _column: int, _old: int, _new: int) -> None:
        """A column's edge dragged with the mouse (not sized here, nor the last one stretched
        to the list's width)."""
        if not self._sizing and QApplication.mouseButtons():
            self._sized_by_user = True

    def _on_search_done(self, ids: list[int]) -> None:
        # The customer on the page stays if they are still found; no one else opens until the
        # user picks them (a page opened by itself invites typing onto the wrong customer).
        selected = self._shown_customer()
        self._searched = self.search.text().strip()
        self.model.set_ids(ids)
        if ids and not self._widths:
            self._fit_columns()
        self.count.setText(self.tr("%n customer(s)", "", len(ids)))
        # Nobody found with nothing typed: nobody in the database. Say what to do first.
        empty = not ids and not self.search.text().strip()
        self._stack.setCurrentWidget(self.first_steps if empty else self.splitter)
        row = self.model.row_of(selected) if selected is not None else -1
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self._show_customer(ids[row])
        elif selected is not None:  # no longer found (with nobody shown there is nothing to clear)
            self.page.show_detail(None)
        self.table.selectionModel().currentRowChanged.connect(
            self._on_current_row_changed, Qt.ConnectionType.UniqueConnection
        )
        self.search_finished.emit(len(ids))

    def column_menu(self) -> QMenu:
        """A tick for each column of the list, left to right as shown, shown or hidden by it
        (the name is always shown: it says whom a row is); then the columns put back in their
        first order."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column in map(header.logicalIndex, range(self.model.columnCount())):
            action = menu.addAction(self.model.headerData(column, Qt.Orientation.Horizontal))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column != COL_NAME)
            action.toggled.connect(partial(self.show_column, column))
        menu.addSeparator()
        first = menu.addAction(self.tr("Columns in their first order"))
        first.setEnabled(self.column_order() != list(DEFAULT_ORDER))
        first.triggered.connect(self.first_column_order)
        return menu

    def column_order(self) -> list[int]:
        """The model's columns left to right as the list shows them (hidden ones too)."""
        header = self.table.horizontalHeader()
        return [header.logicalIndex(v) for v in range(self.model.columnCount())]

    def _put_columns(self, order: list[int]) -> None:
        header = self.table.horizontalHeader()
        self._putting = True  # put, not dragged: nothing to keep
        for visual, column in enumerate(order):
            header.moveSection(header.visualIndex(column), visual)
        self._putting = False

    def first_column_order(self) -> None:
        self._put_columns(list(DEFAULT_ORDER))
        QSettings().remove(COLUMN_ORDER)

    def _keep_column_order(self) -> None:
        if self._putting:
            return
        QSettings().setValue(COLUMN_ORDER, ",".join(map(str, self.column_order())))

    def _on_header_menu(self, at: QPoint) -> None:
        self.column_menu().exec(self.table.horizontalHeader().mapToGlobal(at))

    def show_column(self, column: int, shown: bool) -> None:
        header = self.table.horizontalHeader()
        header.setSectionHidden(column, not shown)
        self._columns_chosen = True
        QSettings().setValue(HIDDEN_COLUMNS, ",".join(
            str(c) for c in range(self.model.columnCount()) if header.isSectionHidden(c)))

    def _on_header_sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        key = SORT_KEYS.get(column)
        if key is None:  # not sortable: put the indicator back
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            col = next(c for c, k in SORT_KEYS.items() if k == self._sort[0])
            header.setSortIndicator(
                col, Qt.SortOrder.DescendingOrder if self._sort[1] else Qt.SortOrder.AscendingOrder
            )
            header.blockSignals(False)
            return
        self._sort = (key, order == Qt.SortOrder.DescendingOrder)
        self._run_search()

    # --- the selected customer ---------------------------------------------------------
    def _on_current_row_changed(self, current, _previous) -> None:
        customer_id = self.model.customer_id(current.row())
        if customer_id is not None:
            self._show_customer(customer_id)

    def _show_customer(self, customer_id: int) -> None:
        from services.customers import detail as customer_detail
        from services.customers.brief import brief_for

        def work(_p, _c):
            detail = customer_detail.load(self.database.sessions, customer_id)
            return detail, brief_for(self.database.sessions, detail)

        self.runner.run(
            work,
            on_done=self._on_detail_loaded,
            parent_widget=self,
            label=self.tr("Loading customer"),
            latest="customer-detail",
        )

    def _on_detail_loaded(self, loaded) -> None:
        detail, brief = loaded
        current = self.model.customer_id(self.table.currentIndex().row())
        if current in (None, detail.id):
            self.page.show_detail(detail, brief)

    def show_customer(self, customer_id: int) -> None:
        """Select a customer by id (from other views); clears the search if needed."""
        row = self.model.row_of(customer_id)
        if row >= 0:
            self.table.selectRow(row)
        self._show_customer(customer_id)

    def _on_erase_requested(self, customer_id: int) -> None:
        detail = self.page._detail
        if detail is not None and detail.id == customer_id:
            # The dialogs load when first asked for, not with the list (0.006 s at start).
            from ui.dialogs.erase_dialog import ask_and_erase

            ask_and_erase(self, self.database, self.runner, self.actor, customer_id,
                          detail.code, detail.name)

    def _on_contact_edit_requested(self, customer_id: int) -> None:
        from ui.dialogs.contact_dialog import open_contact_dialog

        open_contact_dialog(self, self.database.sessions, self.runner, customer_id,
                            self.actor.id if self.actor is not None else None)

    def _on_record_change_requested(self, customer_id: int, attribute: str | None = None,
                                    typed: dict | None = None) -> None:
        detail = self.page._detail
        if detail is None:
            return
        from services.customers import profile

        self.runner.run(
            lambda _p, _c: profile.current_values(self.database.sessions, customer_id),
            on_done=lambda current: self._ask_change(detail, customer_id, current, attribute,
                                                     typed),
            parent_widget=self,
            label=self.tr("Loading customer"),
        )

    def _ask_change(self, detail, customer_id: int, current: dict[str, str | None],
                    attribute: str | None = None, typed: dict | None = None) -> None:
        """The dialog; `typed`: what was typed in it before a save refused because someone
        changed the value meanwhile, put back beside the value now in force. A save that fails
        for another reason (the server stopped) opens the same dialog again as typed."""
        if self.page.customer_id != customer_id:  # another customer opened meanwhile
            return
        from services.customers import profile
        from ui.dialogs.profile_change_dialog import ProfileChangeDialog
        from ui.dialogs.save_again import edit_and_save

        dialog = ProfileChangeDialog(detail.name, current, self, attribute=attribute)
        if typed is not None:
            dialog.keep_typed(typed)
        staff_id = self.actor.id if self.actor is not None else None

        def save(failed) -> None:
            values = dialog.values()
            # The value the dialog showed as "Now": a change someone saved since is not
            # overwritten.
            seen = current.get(values["attribute"])
            self.runner.run(
                lambda _p, _c: profile.record_change(self.database.sessions, customer_id,
                                                     **values, seen_value=seen,
                                                     staff_id=staff_id),
                on_done=lambda recorded: self._say_recorded(detail.name, values, recorded),
                parent_widget=self,
                label=self.tr("Saving"),
                write=True,
                changes=changed("profile", customer=customer_id),
                on_failed=failed,
            )

        def stale(exc) -> None:
            kept = dialog.values()
            if stale_edit.ask_reload(self, exc, self.tr(
                    "Reload opens the form again with their value as “Now” and what you typed "
                    "kept in it, to save yours after theirs or cancel. Cancel drops what you "
                    "typed.")):
                self._show_customer(customer_id)
                self._on_record_change_requested(customer_id, kept["attribute"], kept)

        edit_and_save(dialog, save, on_stale=stale)

    def _say_recorded(self, name: str, values: dict, recorded) -> None:
        """Saved, or (the value in force on the day it took effect was already the one
        chosen: an earlier day than "Now" shows) that nothing was recorded, and why."""
        if recorded is not None:
            self.runner.notify(self.tr("Change saved for %1").replace("%1", name))
            return
        attribute = values["attribute"]
        self.runner.notify(
            self.tr("Nothing recorded for %1: on %2 %3 was already “%4”.")
            .replace("%1", name).replace("%2", day_text(values["effective_date"]))
            .replace("%3", label("attribute", attribute))
            .replace("%4", label(attribute, values["new_value"])))

    def _on_data_changed(self, change: DataChange) -> None:
        if self.is_empty() and change.touches("customers"):
            self._run_search()  # the first import: the list replaces the first steps
            return
        if change.touches("profile", "preferences", "contacts", "readings", "customers"):
            self.model.refresh_rows()
            shown = self._shown_customer()
            if shown is not None and change.about(shown):
                if change.origin == ELSEWHERE:  # not reloaded under the reader
                    self.page.say_changed_elsewhere()
                else:
                    self._show_customer(shown)


def _import_page_services(_progress, _cancel) -> None:
    import importlib

    for name in PAGE_SERVICES:
        importlib.import_module(name)
