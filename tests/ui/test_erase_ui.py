"""Erasing a customer from the customer page: only a supervisor sees the button; the dialog
erases nothing until the code is typed; after the erasure the list and the page show the
anonymised customer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from models import AuditLog, Customer
from tests.ui.conftest import shut_down
from ui.dialogs import erase_dialog
from ui.dialogs.erase_dialog import EraseDialog
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView


def _open(qtbot, database, actor) -> tuple[CustomersView, TaskRunner]:
    runner = TaskRunner()
    view = CustomersView(database, runner, actor=actor)
    view.resize(1300, 800)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
    return view, runner


def test_staff_have_no_erase_button(qtbot, demo_db, demo_staff):
    view, runner = _open(qtbot, demo_db, demo_staff)
    try:
        view.table.selectRow(0)
        qtbot.waitUntil(lambda: view.page.customer_id is not None, timeout=5000)
        assert not view.page._erase_button.isVisible()
    finally:
        shut_down(view, runner)


def test_the_dialog_erases_only_once_the_code_is_typed(qtbot):
    dialog = EraseDialog("C0000007", "张伟")
    qtbot.addWidget(dialog)
    assert not dialog.erase_button.isEnabled()
    qtbot.keyClicks(dialog.confirm, "C000000")
    assert not dialog.erase_button.isEnabled()
    qtbot.keyClicks(dialog.confirm, "7")
    assert dialog.erase_button.isEnabled()


def test_a_supervisor_erases_a_customer_from_the_page(qtbot, demo_db, demo_supervisor,
                                                      monkeypatch):
    view, runner = _open(qtbot, demo_db, demo_supervisor)
    try:
        view.table.selectRow(0)
        qtbot.waitUntil(lambda: view.page.customer_id is not None, timeout=5000)
        customer_id, code = view.page.customer_id, view.page._detail.code
        assert view.page._erase_button.isVisible()

        def typed_and_accepted(dialog: EraseDialog) -> int:
            dialog.reason.setText("客户来电要求")  # typed through the IME: QTest types ASCII only
            qtbot.keyClicks(dialog.confirm, code)
            qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
            return dialog.result()

        monkeypatch.setattr(erase_dialog.EraseDialog, "exec", typed_and_accepted)
        qtbot.mouseClick(view.page._erase_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.page._detail is not None
                        and view.page._detail.name == "（已擦除）", timeout=10000)
        with demo_db.sessions() as s:
            c = s.get(Customer, customer_id)
            assert c.erased_at is not None and c.mobile is None
            assert s.scalar(select(AuditLog.staff_id).where(
                AuditLog.action == "erase_customer")) == demo_supervisor.id
    finally:
        shut_down(view, runner)
