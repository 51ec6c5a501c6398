"""Settings → Tags (supervisors): the tag vocabulary as groups and their tags, with how many
customers have each; add and rename groups and tags, retire, reactivate or delete an unused
tag. An edit someone else overtook says who changed what and when, and offers Reload."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.customers import tags
from services.customers.tags import TagGroupInfo, TagInfo
from services.staff.permissions import MANAGE_TAGS, Actor, allowed
from services.store.database import Database
from services.store.errors import StaleEdit
from ui.dialogs import stale_edit
from ui.dialogs.name_dialog import NameDialog
from ui.dialogs.save_again import edit_and_save
from ui.tasks import DataChange, TaskRunner, changed

COL_NAME, COL_CUSTOMERS, COL_STATUS = range(3)
ITEM = Qt.ItemDataRole.UserRole  # the TagGroupInfo or TagInfo an item shows


class TagsPanel(QWidget):
    loaded = Signal()

    def __init__(self, database: Database, runner: TaskRunner, actor: Actor | None,
                 parent=None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor = actor
        self.may_edit = allowed(actor, MANAGE_TAGS)
        # Runs once the next vocabulary is shown: a dialog opened again after Reload.
        self._after_load: Callable[[], None] | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Group / tag"), self.tr("Customers"),
                                   self.tr("Status")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for col in (COL_CUSTOMERS, COL_STATUS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.itemSelectionChanged.connect(self._on_selection_changed)
        self.add_group_button = QPushButton(self.tr("Add &group…"))
        self.add_tag_button = QPushButton(self.tr("Add &tag…"))
        self.rename_button = QPushButton(self.tr("Re&name…"))
        self.retire_button = QPushButton(self.tr("Re&tire"))
        self.delete_button = QPushButton(self.tr("&Delete"))
        self.retire_button.setToolTip(self.tr(
            "Customers keep a retired tag and segments still find them; nobody new is given it"))
        self.delete_button.setToolTip(self.tr("Only a tag no customer has can be deleted"))
        self.add_group_button.clicked.connect(self._on_add_group_clicked)
        self.add_tag_button.clicked.connect(self._on_add_tag_clicked)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.retire_button.clicked.connect(self._on_retire_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        buttons = QVBoxLayout()
        for button in (self.add_group_button, self.add_tag_button, self.rename_button,
                       self.retire_button, self.delete_button):
            buttons.addWidget(button)
            button.setVisible(self.may_edit)
        buttons.addStretch(1)
        if self.may_edit:
            rename = QShortcut(QKeySequence(Qt.Key.Key_F2), self.tree, self._on_rename_clicked)
            rename.setContext(Qt.ShortcutContext.WidgetShortcut)
            self.rename_button.setToolTip(self.tr("Rename the selected group or tag (F2)"))
        self.note = QLabel(self.tr("Only a supervisor may add, rename or retire tags."))
        self.note.setWordWrap(True)
        self.note.setVisible(not self.may_edit)
        body = QHBoxLayout()
        body.addWidget(self.tree, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(body, 1)
        runner.data_changed.connect(self._on_data_changed)
        self._on_selection_changed()
        self.reload()

    # --- reading ---------------------------------------------------------------------------
    def reload(self) -> None:
        keep = self._key(self.selected())
        self.runner.run(
            lambda _p, _c: tags.vocabulary(self.database.sessions),
            on_done=lambda groups: self._show(groups, keep),
            latest="tag-vocabulary",
            parent_widget=self,
            label=self.tr("Loading tags"),
        )

    def _show(self, groups: tuple[TagGroupInfo, ...], keep: tuple[str, int] | None) -> None:
        self.tree.clear()
        retired = QBrush(self.palette().color(QPalette.ColorGroup.Disabled,
                                              QPalette.ColorRole.Text))
        bold = QFont(self.font())
        bold.setBold(True)
        chosen = None
        for group in groups:
            top = QTreeWidgetItem([group.name, "", ""])
            top.setData(COL_NAME, ITEM, group)
            top.setFont(COL_NAME, bold)
            for tag in group.tags:
                item = QTreeWidgetItem([tag.name, QLocale().toString(tag.customers),
                                        "" if tag.active else self.tr("Retired")])
                item.setData(COL_NAME, ITEM, tag)
                item.setTextAlignment(COL_CUSTOMERS, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
                if not tag.active:
                    for col in range(3):
                        item.setForeground(col, retired)
                top.addChild(item)
                if keep == ("tag", tag.id):
                    chosen = item
            self.tree.addTopLevelItem(top)
            if keep == ("group", group.id):
                chosen = top
        self.tree.expandAll()
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        self._on_selection_changed()
        self.loaded.emit()
        then, self._after_load = self._after_load, None
        if then is not None:
            then()

    def selected(self) -> TagGroupInfo | TagInfo | None:
        item = self.tree.currentItem()
        return item.data(COL_NAME, ITEM) if item is not None and item.isSelected() else None

    @staticmethod
    def _key(chosen: TagGroupInfo | TagInfo | None) -> tuple[str, int] | None:
        if chosen is None:
            return None
        return ("tag" if isinstance(chosen, TagInfo) else "group", chosen.id)

    def select(self, group: str, tag: str | None = None) -> None:
        """Select a group, or a tag of it, by name (for keyboard users' tests and other views)."""
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.text(COL_NAME) != group:
                continue
            if tag is None:
                self.tree.setCurrentItem(top)
                return
            for j in range(top.childCount()):
                if top.child(j).text(COL_NAME) == tag:
                    self.tree.setCurrentItem(top.child(j))
                    return

    def _on_selection_changed(self) -> None:
        chosen = self.selected()
        is_tag = isinstance(chosen, TagInfo)
        self.add_tag_button.setEnabled(chosen is not None)
        self.rename_button.setEnabled(chosen is not None)
        self.retire_button.setEnabled(is_tag)
        self.retire_button.setText(self.tr("Reac&tivate") if is_tag and not chosen.active
                                   else self.tr("Re&tire"))
        self.delete_button.setEnabled(is_tag and chosen.customers == 0)

    def _on_data_changed(self, change: DataChange) -> None:
        if change.touches("tags"):  # the vocabulary, or a customer tagged: counts moved
            self.reload()

    # --- editing ---------------------------------------------------------------------------
    def _ask_and_edit(self, title: str, prompt: str,
                      edit: Callable[[str], tuple[Callable[[], object], str]],
                      text: str = "", again: Callable[[str], None] | None = None) -> None:
        """The name dialog; `edit(name)` gives the work and its notice. A save refused for
        another reason than someone's change (a clash, the server stopped) says why and opens
        the dialog again as typed. Refused because someone changed the same group or tag:
        Reload shows the tags as they are now, then `again(name typed)` asks again."""
        dialog = NameDialog(title, prompt, text, self, max_length=tags.NAME_MAX)

        def save(failed) -> None:
            work, notice = edit(dialog.value())
            self._edit(work, notice, on_failed=failed)

        def stale(exc: StaleEdit) -> None:
            if again is None:
                stale_edit.on_failed(self, self.reload)(exc)
                return
            typed = dialog.value()
            if stale_edit.ask_reload(self, exc, self.tr(
                    "Reload shows the tags as they are now and opens this dialog again with the "
                    "name you typed, to save it or cancel. Cancel drops what you typed.")):
                self._after_load = lambda: again(typed)
                self.reload()

        edit_and_save(dialog, save, on_stale=stale)

    def _edit(self, work, notice: str, on_failed=None) -> None:
        self.runner.run(
            lambda _p, _c: work(),
            # Overtaken by someone else: their change in one sentence, with Reload.
            on_failed=on_failed or stale_edit.on_failed(self, self.reload),
            parent_widget=self,
            label=self.tr("Saving"),
            write=True,
            changes=changed("tags"),
            done_notice=notice,
        )

    def _on_add_group_clicked(self) -> None:
        sessions, actor = self.database.sessions, self.actor
        self._ask_and_edit(self.tr("Add a tag group"), self.tr("Group name:"), lambda name: (
            lambda: tags.add_group(sessions, actor, name),
            self.tr("Tag group %1 added").replace("%1", name.strip())))

    def _on_add_tag_clicked(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        group_id = chosen.group_id if isinstance(chosen, TagInfo) else chosen.id
        group = chosen.group if isinstance(chosen, TagInfo) else chosen.name
        sessions, actor = self.database.sessions, self.actor
        self._ask_and_edit(
            self.tr("Add a tag to %1").replace("%1", group), self.tr("Tag name:"),
            lambda name: (lambda: tags.add_tag(sessions, actor, group_id, name),
                          self.tr("Tag %1 added").replace("%1", f"{group}/{name.strip()}")))

    def _on_rename_clicked(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self._rename(chosen, chosen.name)

    def _rename(self, chosen: TagGroupInfo | TagInfo, text: str) -> None:
        """Rename `chosen` as loaded; `text`: the name offered (its own, or one typed before a
        colleague's change refused it)."""
        sessions, actor, item_id, version = (self.database.sessions, self.actor, chosen.id,
                                             chosen.version)
        rename = tags.rename_tag if isinstance(chosen, TagInfo) else tags.rename_group
        key = self._key(chosen)

        def edit(name: str) -> tuple[Callable[[], object], str]:
            return (lambda: rename(sessions, actor, item_id, version, name),
                    self.tr("%1 renamed to %2").replace("%1", chosen.name).replace(
                        "%2", name.strip()))

        def again(typed: str) -> None:
            fresh = self._loaded(key)
            if fresh is not None:  # not deleted meanwhile
                self._rename(fresh, typed)

        self._ask_and_edit(self.tr("Rename %1").replace("%1", chosen.name),
                           self.tr("New name:"), edit, text, again)

    def _loaded(self, key: tuple[str, int] | None) -> TagGroupInfo | TagInfo | None:
        """The group or tag shown now with the key (kind, id), as last loaded."""
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        items += [top.child(j) for top in list(items) for j in range(top.childCount())]
        return next((info for item in items
                     if self._key(info := item.data(COL_NAME, ITEM)) == key), None)

    def _on_retire_clicked(self) -> None:
        chosen = self.selected()
        if not isinstance(chosen, TagInfo):
            return
        sessions, actor, active = self.database.sessions, self.actor, not chosen.active
        self._edit(lambda: tags.set_tag_active(sessions, actor, chosen.id, chosen.version,
                                               active),
                   (self.tr("Tag %1 can be given again") if active else
                    self.tr("Tag %1 retired")).replace("%1", chosen.path))

    def _on_delete_clicked(self) -> None:
        chosen = self.selected()
        if not isinstance(chosen, TagInfo):
            return
        answer = QMessageBox.question(
            self, self.tr("Delete tag"),
            self.tr("Delete the tag %1? No customer has it.").replace("%1", chosen.path))
        if answer != QMessageBox.StandardButton.Yes:
            return
        sessions, actor = self.database.sessions, self.actor
        self._edit(lambda: tags.delete_tag(sessions, actor, chosen.id, chosen.version),
                   self.tr("Tag %1 deleted").replace("%1", chosen.path))

