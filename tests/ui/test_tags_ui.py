"""The tag panel (Settings → Tags) and the customer page's Tags tab, driven through their real
widgets on a real database: a supervisor edits the vocabulary, an overtaken edit shows who
changed it with Reload (which asks again with the name typed), staff only look; staff tag a
customer by typing and take a tag off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox

from models import Customer
from services.customers import customer_tags, tags
from services.customers import detail as customer_detail
from services.staff import accounts, signing
from tests.ui.conftest import shut_down
from tests.ui.fit_check import clipped
from tests.ui.stale_answers import answer_stale
from ui.dialogs.name_dialog import NameDialog
from ui.tasks import TaskRunner
from ui.views.customer_page import CustomerPage
from ui.views.customer_tags_panel import CustomerTagsPanel
from ui.views.tags_panel import COL_CUSTOMERS, COL_NAME, COL_STATUS, TagsPanel


def _panel(qtbot, database, actor):
    runner = TaskRunner()
    panel = TagsPanel(database, runner, actor)  # shut_down closes it
    panel.resize(900, 600)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.show()
    return panel, runner


def _answer(monkeypatch, text: str) -> None:
    """The next name dialog is answered by typing `text` and pressing OK."""

    def fill(dialog: NameDialog):
        dialog.name.selectAll()
        dialog.name.del_()
        dialog.name.insert(text)
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(NameDialog, "exec", fill)


def _row(panel: TagsPanel, group: str, tag: str) -> tuple[str, str, str] | None:
    for i in range(panel.tree.topLevelItemCount()):
        top = panel.tree.topLevelItem(i)
        for j in range(top.childCount()):
            item = top.child(j)
            if top.text(COL_NAME) == group and item.text(COL_NAME) == tag:
                return item.text(COL_NAME), item.text(COL_CUSTOMERS), item.text(COL_STATUS)
    return None


def test_a_supervisor_edits_the_vocabulary(qtbot, demo_db, demo_supervisor, monkeypatch):
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        panel.resize(640, 420)  # a tab of Settings on a small screen
        QCoreApplication.processEvents()
        assert clipped(panel) == []
        elderly = tags.find_tag(demo_db.sessions, "客群", "老年人")
        assert _row(panel, "客群", "老年人") == ("老年人", str(elderly.customers), "")
        panel.select("客群")
        _answer(monkeypatch, "银发族")
        panel.add_tag_button.click()
        qtbot.waitUntil(lambda: _row(panel, "客群", "银发族") is not None, timeout=5000)
        panel.select("客群", "银发族")
        _answer(monkeypatch, "长者")
        panel.tree.setFocus()
        qtbot.keyClick(panel.tree, Qt.Key.Key_F2)  # rename from the keyboard
        qtbot.waitUntil(lambda: _row(panel, "客群", "长者") == ("长者", "0", ""), timeout=5000)
        panel.select("客群", "老年人")
        assert panel.retire_button.text().replace("&", "") == "Retire"
        assert not panel.delete_button.isEnabled()  # customers have it
        panel.retire_button.click()
        qtbot.waitUntil(lambda: _row(panel, "客群", "老年人")[2] == "Retired", timeout=5000)
        assert panel.retire_button.text().replace("&", "") == "Reactivate"  # still selected
        assert not tags.find_tag(demo_db.sessions, "客群", "老年人").active
        panel.select("客群", "长者")
        monkeypatch.setattr("ui.views.tags_panel.QMessageBox.question",
                            lambda *a: QMessageBox.StandardButton.Yes)
        panel.delete_button.click()
        qtbot.waitUntil(lambda: _row(panel, "客群", "长者") is None, timeout=5000)
        _answer(monkeypatch, "车型")
        panel.add_group_button.click()
        qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 5, timeout=5000)
        assert panel.tree.topLevelItem(4).text(COL_NAME) == "车型"
    finally:
        shut_down(panel, runner)


def test_a_clash_is_one_sentence_then_the_name_as_typed(qtbot, demo_db, demo_supervisor,
                                                        monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr("ui.tasks.show_error", lambda _parent, exc: shown.append(str(exc)))
    reopened: list[str] = []
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        panel.select("客群", "企业主")
        _answer(monkeypatch, "老年人")
        fill = NameDialog.exec

        def then_look(dialog: NameDialog):
            if shown:  # opened again after the sentence: the name as typed, then Cancel
                reopened.append(dialog.name.text())
                return 0
            return fill(dialog)

        monkeypatch.setattr(NameDialog, "exec", then_look)
        panel.rename_button.click()
        qtbot.waitUntil(lambda: bool(reopened), timeout=5000)
        assert shown == ["The tag group “客群” already has a tag named “老年人”."]
        assert reopened == ["老年人"]
    finally:
        shut_down(panel, runner)


def _liu(database, supervisor):
    """刘主管, a second supervisor, signed in on another PC."""
    accounts.add_account(database.sessions, supervisor, "liu", "刘主管", "supervisor",
                         "pw-liu-1")
    return signing.sign_in(database.engine, "liu", "pw-liu-1").actor


def test_an_overtaken_rename_says_who_reloads_and_asks_again_as_typed(
        qtbot, demo_db, demo_supervisor, monkeypatch):
    shown = answer_stale(monkeypatch, "Reload")
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        liu = _liu(demo_db, demo_supervisor)
        elderly = tags.find_tag(demo_db.sessions, "客群", "老年人")
        opened: list[tuple[str, str]] = []

        def exec_(dialog: NameDialog) -> int:
            opened.append((dialog.windowTitle(), dialog.name.text()))
            if len(opened) == 1:
                dialog.name.selectAll()
                dialog.name.insert("长者")
                # 刘主管 renames it on another PC while this dialog is open.
                tags.rename_tag(demo_db.sessions, liu, elderly.id, elderly.version, "银发族")
            else:  # opened again after Reload: theirs in the list behind, mine in the dialog
                assert _row(panel, "客群", "银发族") and _row(panel, "客群", "老年人") is None
            dialog.ok_button.click()
            return dialog.result()

        monkeypatch.setattr(NameDialog, "exec", exec_)
        panel.select("客群", "老年人")
        panel.rename_button.click()
        qtbot.waitUntil(lambda: _row(panel, "客群", "长者") is not None, timeout=5000)
        assert len(shown) == 1 and shown[0][0].startswith(
            "刘主管 renamed the tag “老年人” to “银发族” at ")
        assert "opens this dialog again with the name you typed" in shown[0][1]
        assert opened == [("Rename 老年人", "老年人"), ("Rename 银发族", "长者")]
        stored = tags.tag_info(demo_db.sessions, elderly.id)
        assert (stored.name, stored.version) == ("长者", 3)  # saved after theirs
    finally:
        shut_down(panel, runner)


def test_cancel_after_an_overtaken_rename_stores_nothing_of_mine(
        qtbot, demo_db, demo_supervisor, monkeypatch):
    shown = answer_stale(monkeypatch, "Cancel")
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        liu = _liu(demo_db, demo_supervisor)
        elderly = tags.find_tag(demo_db.sessions, "客群", "老年人")
        opened: list[str] = []

        def exec_(dialog: NameDialog) -> int:
            opened.append(dialog.name.text())
            dialog.name.selectAll()
            dialog.name.insert("长者")
            tags.rename_tag(demo_db.sessions, liu, elderly.id, elderly.version, "银发族")
            dialog.ok_button.click()
            return dialog.result()

        monkeypatch.setattr(NameDialog, "exec", exec_)
        panel.select("客群", "老年人")
        panel.rename_button.click()
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
        qtbot.wait(300)
        assert opened == ["老年人"]  # not opened again: Cancel was said to drop it
        stored = tags.tag_info(demo_db.sessions, elderly.id)
        assert (stored.name, stored.version) == ("银发族", 2)
    finally:
        shut_down(panel, runner)


def test_staff_see_the_vocabulary_but_do_not_edit_it(qtbot, demo_db, demo_staff):
    panel, runner = _panel(qtbot, demo_db, demo_staff)
    try:
        assert panel.note.isVisible() and _row(panel, "兴趣", "钓鱼") is not None
        assert not any(b.isVisible() for b in (panel.add_group_button, panel.add_tag_button,
                                                 panel.rename_button, panel.retire_button,
                                                 panel.delete_button))
    finally:
        shut_down(panel, runner)


@pytest.fixture
def page(qtbot, database, supervisor, staff):
    """A customer page with the Tags tab on a small vocabulary, as staff 陈丽."""
    group = tags.add_group(database.sessions, supervisor, "客群")
    for name in ("老年人", "企业主", "宝妈宝爸"):
        tags.add_tag(database.sessions, supervisor, group.id, name)
    retired = tags.add_tag(database.sessions, supervisor, group.id, "退休")
    tags.set_tag_active(database.sessions, supervisor, retired.id, 1, False)
    with database.sessions.begin() as s:
        s.add(Customer(code="C0000001", name="张伟"))
    runner = TaskRunner()
    panel = CustomerTagsPanel(database, runner, staff)
    widget = CustomerPage(None, panel)
    qtbot.addWidget(widget)
    widget.resize(760, 560)
    widget.show()
    widget.tabs.setCurrentWidget(panel)
    customer = tags_customer(database)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        widget.show_detail(customer_detail.load(database.sessions, customer))
    yield widget
    shut_down(widget, runner)


def tags_customer(database) -> int:
    from sqlalchemy import select

    with database.sessions() as s:
        return s.scalar(select(Customer.id).where(Customer.code == "C0000001"))


def _texts(tree) -> list[str]:
    out = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        out += [top.child(j).text(0) for j in range(top.childCount())
                if not top.child(j).isHidden()]
    return out


def test_staff_tag_a_customer_by_typing(qtbot, page, database):
    panel: CustomerTagsPanel = page.tags_panel
    assert _texts(panel.mine) == [] and _texts(panel.choices) == ["老年人", "企业主", "宝妈宝爸"]
    assert not panel.add_button.isEnabled()
    qtbot.keyClicks(panel.filter, "lnr")  # pinyin initials of 老年人
    assert _texts(panel.choices) == ["老年人"] and panel.add_button.isEnabled()
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.keyClick(panel.filter, Qt.Key.Key_Return)
    assert _texts(panel.mine) == ["老年人"]
    assert panel.mine.topLevelItem(0).child(0).text(1) == "陈丽 (chenli)"
    assert _texts(panel.choices) == ["企业主", "宝妈宝爸"]  # what it has is not offered again
    assert "老年人" in page._facts.text()
    customer = tags_customer(database)
    assert [t.path for t in customer_tags.customer_tags(database.sessions, customer)] == [
        "客群/老年人"]
    panel.mine.setCurrentItem(panel.mine.topLevelItem(0).child(0))
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert _texts(panel.mine) == [] and "老年人" not in page._facts.text()
    assert customer_tags.customer_tags(database.sessions, customer) == ()


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_the_tags_tab_fits_beside_the_customer_list(qtbot, translated, page, database, staff):
    panel: CustomerTagsPanel = page.tags_panel
    customer, sessions = tags_customer(database), database.sessions
    customer_tags.add_customer_tag(sessions, staff, customer,
                                   tags.find_tag(sessions, "客群", "宝妈宝爸").id)
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.reload()
    # The width the customer browser gives its page: its tab bar plus a margin.
    page.resize(page.tabs.tabBar().sizeHint().width() + 24, 600)
    qtbot.keyClicks(panel.filter, "qun")
    QCoreApplication.processEvents()
    assert _texts(panel.mine) == ["宝妈宝爸"] and _texts(panel.choices) == ["老年人", "企业主"]
    assert clipped(page) == []
