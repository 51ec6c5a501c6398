"""The customer page's Tags tab: the customer's tags by group with who gave each and when, a
picker of the active tags (type a name or its pinyin initials to filter) to add one, and
Remove. Any staff may tag; the vocabulary itself is a supervisor's (Settings → Tags)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.customers import customer_tags, tags
from services.customers.customer_tags import CustomerTagInfo
from services.customers.detail import CustomerDetail
from services.customers.tags import TagGroupInfo
from services.staff.audit import local_time
from services.staff.permissions import Actor
from services.store.database import Database
from ui.dialogs import stale_edit
from ui.labels import day_text
from ui.tasks import DataChange, TaskRunner, changed

ITEM = Qt.ItemDataRole.UserRole  # the tag id an item stands for (None: a group heading)


class CustomerTagsPanel(QWidget):
    loaded = Signal()
    # The customer's tags changed (customer id, ((group, tag), …)): the page's summary line
    # shows them too.
    tags_changed = Signal(int, object)

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self._customer_id: int | None = None
        self._search: dict[int, str] = {}  # tag id → what the filter looks in

        self.mine = QTreeWidget()
        self.mine.setHeaderLabels([self.tr("Tag"), self.tr("Given by"), self.tr("On")])
        self.mine.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.mine.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.mine.itemSelectionChanged.connect(self._on_mine_selection_changed)
        self.remove_button = QPushButton(self.tr("&Remove tag"))
        self.remove_button.clicked.connect(self._on_remove_clicked)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Type a tag, or its pinyin initials"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.filter.returnPressed.connect(self._on_add_clicked)
        self.choices = QTreeWidget()
        self.choices.setHeaderHidden(True)
        self.choices.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.choices.itemSelectionChanged.connect(self._on_choice_selection_changed)
        self.choices.itemDoubleClicked.connect(lambda *_: self._on_add_clicked())
        self.add_button = QPushButton(self.tr("&Add tag"))
        self.add_button.clicked.connect(self._on_add_clicked)

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("This customer's tags")))
        left.addWidget(self.mine, 1)
        left.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Add a tag")))
        right.addWidget(self.filter)
        right.addWidget(self.choices, 1)
        right.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        runner.data_changed.connect(self._on_data_changed)
        self.show_detail(None)

    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    def show_detail(self, detail: CustomerDetail | None) -> None:
        self._customer_id = detail.id if detail is not None else None
        self.mine.clear()
        self.choices.clear()
        self.filter.setEnabled(detail is not None)
        self._on_mine_selection_changed()
        self._on_choice_selection_changed()
        if detail is not None:
            self.reload()

    def reload(self) -> None:
        customer_id, sessions = self._customer_id, self.database.sessions
        if customer_id is None:
            return
        self.runner.run(
            lambda _p, _c: (customer_tags.customer_tags(sessions, customer_id),
                            tags.vocabulary(sessions)),
            on_done=lambda loaded: self._show(customer_id, *loaded),
            latest="customer-tags",
            parent_widget=self,
            label=self.tr("Loading tags"),
        )

    # --- showing ---------------------------------------------------------------------------
    def _show(self, customer_id: int, have: tuple[CustomerTagInfo, ...],
              groups: tuple[TagGroupInfo, ...]) -> None:
        if customer_id != self._customer_id:
            return  # another customer was opened meanwhile
        keep = self.mine.currentItem().data(0, ITEM) if self.mine.currentItem() else None
        self.mine.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        retired = QBrush(self.palette().color(QPalette.ColorGroup.Disabled,
                                              QPalette.ColorRole.Text))
        heads: dict[str, QTreeWidgetItem] = {}
        for tag in have:
            head = heads.get(tag.group)
            if head is None:
                head = heads[tag.group] = QTreeWidgetItem([tag.group, "", ""])
                head.setFont(0, bold)
                self.mine.addTopLevelItem(head)
            name = tag.name if tag.active else self.tr("%1 (retired)").replace("%1", tag.name)
            when = day_text(local_time(tag.tagged_at))
            item = QTreeWidgetItem([name, tag.tagged_by, when])
            item.setData(0, ITEM, tag.tag_id)
            if not tag.active:
                item.setForeground(0, retired)
                item.setToolTip(0, self.tr("Retired: the customer keeps it; nobody new is "
                                           "given it"))
            head.addChild(item)
            if tag.tag_id == keep:
                self.mine.setCurrentItem(item)
        self.mine.expandAll()
        self._fill_choices(groups, {t.tag_id for t in have}, bold)
        self._on_mine_selection_changed()
        self.tags_changed.emit(customer_id, tuple((t.group, t.name) for t in have))
        self.loaded.emit()

    def _fill_choices(self, groups: tuple[TagGroupInfo, ...], have: set[int],
                      bold: QFont) -> None:
        self.choices.clear()
        self._search.clear()
        for group in groups:
            usable = [t for t in group.tags if t.active and t.id not in have]
            if not usable:
                continue
            head = QTreeWidgetItem([group.name])
            head.setFont(0, bold)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not a choice
            for tag in usable:
                item = QTreeWidgetItem([tag.name])
                item.setData(0, ITEM, tag.id)
                head.addChild(item)
                self._search[tag.id] = tags.search_text(tag)
            self.choices.addTopLevelItem(head)
        self.choices.expandAll()
        self._on_filter_text_changed(self.filter.text())

    def _on_filter_text_changed(self, text: str) -> None:
        wanted = "".join(text.split()).casefold()
        first = None
        for i in range(self.choices.topLevelItemCount()):
            head = self.choices.topLevelItem(i)
            shown = 0
            for j in range(head.childCount()):
                item = head.child(j)
                hit = not wanted or wanted in self._search.get(item.data(0, ITEM), "")
                item.setHidden(not hit)
                shown += hit
                if hit and first is None:
                    first = item
            head.setHidden(shown == 0)
        # Typing then Enter adds the first match; with no filter nothing is preselected.
        self.choices.setCurrentItem(first if wanted and first is not None else None)
        if not wanted or first is None:
            self.choices.clearSelection()
        self._on_choice_selection_changed()

    def _on_mine_selection_changed(self) -> None:
        self.remove_button.setEnabled(self._chosen(self.mine) is not None)

    def _on_choice_selection_changed(self) -> None:
        self.add_button.setEnabled(self._chosen(self.choices) is not None)

    @staticmethod
    def _chosen(tree: QTreeWidget) -> int | None:
        item = tree.currentItem()
        if item is None or not item.isSelected() or item.isHidden():
            return None
        return item.data(0, ITEM)

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("tags") and (not change.customer_ids
                                       or self._customer_id in change.customer_ids):
            self.reload()

    # --- changing ---------------------------------------------------------------------------
    def _change(self, tag_id: int, add: bool, name: str) -> None:
        customer_id, sessions, actor = self._customer_id, self.database.sessions, self.actor
        if customer_id is None:
            return
        work = customer_tags.add_customer_tag if add else customer_tags.remove_customer_tag
        self.runner.run(
            lambda _p, _c: work(sessions, actor, customer_id, tag_id),
            # The tag deleted meanwhile: say so and offer to reload the choices.
            on_failed=stale_edit.on_failed(self, self.reload),
            parent_widget=self,
            label=self.tr("Saving"),
            write=True,
            changes=changed("tags", customer=customer_id),
            done_notice=(self.tr("Tag %1 added") if add else
                         self.tr("Tag %1 removed")).replace("%1", name),
        )

    def _on_add_clicked(self) -> None:
        tag_id = self._chosen(self.choices)
        if tag_id is not None:
            self._change(tag_id, True, self.choices.currentItem().text(0))
            self.filter.clear()

    def _on_remove_clicked(self) -> None:
        tag_id = self._chosen(self.mine)
        if tag_id is not None:
            self._change(tag_id, False, self.mine.currentItem().text(0))

