"""Recording referrals and declined repairs from the brief, through its dialogs and the task
runner, on a demo database; the brief shows what was stored."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget
from sqlalchemy import exists, select

from models import Customer, DeclinedItem, Referral, ReferralByCustomer
from services.customers import referrals, reminders
from services.customers.brief import load_brief
from tests.ui.conftest import shut_down
from ui.dialogs.declined_item_dialog import DeclinedItemDialog
from ui.dialogs.referral_dialog import ReferralDialog
from ui.tasks import TaskRunner
from ui.views.brief_view import BriefView


class Host(QWidget):
    """Stands for the view a brief sits in: it has the database, runner and actor."""

    def __init__(self, database, runner, actor) -> None:
        super().__init__()
        self.database, self.runner, self.actor = database, runner, actor
        self.brief = BriefView()
        QVBoxLayout(self).addWidget(self.brief)


@pytest.fixture
def customers(demo_db) -> tuple[tuple[int, str], ...]:
    # Customers the demo gave no declined repair or referral, so each test starts clean.
    untouched = (~exists().where(DeclinedItem.customer_id == Customer.id)
                 & ~exists().where(Referral.customer_id == Customer.id)
                 & ~exists().where(ReferralByCustomer.customer_id == Customer.id))
    with demo_db.sessions() as s:
        return tuple(s.execute(select(Customer.id, Customer.code).where(untouched)
                               .order_by(Customer.id).limit(2)).all())


@pytest.fixture
def host(qtbot, demo_db, demo_staff, customers):
    runner = TaskRunner()
    widget = Host(demo_db, runner, demo_staff)
    qtbot.addWidget(widget)
    widget.brief.show_brief(load_brief(demo_db.sessions, customers[0][0]))
    yield widget
    shut_down(widget, runner)


def _accept_with(fill):
    def exec_(dialog):
        fill(dialog)
        return QDialog.DialogCode.Accepted
    return exec_


def test_a_referral_by_an_association_and_one_made_appear_in_the_brief(
        qtbot, host, demo_db, customers, monkeypatch):
    (cid, _), (other, other_code) = customers
    view = host.brief

    def by_org(d: ReferralDialog) -> None:
        d.kind.setCurrentIndex(d.kind.findData("org"))
        d.who.setText("温州商会")

    monkeypatch.setattr(ReferralDialog, "exec", _accept_with(by_org))
    view.refer_button.click()
    qtbot.waitUntil(lambda: "温州商会" in view.text_of("referrals"), timeout=10000)
    (made,) = referrals.referrals_of(demo_db.sessions, cid).introduced_by
    assert (made.kind, made.referrer_name, made.referred_on) == ("org", "温州商会",
                                                                 dt.date.today())

    def introduced(d: ReferralDialog) -> None:
        d.introduced.setChecked(True)
        d.who.setText(other_code)

    monkeypatch.setattr(ReferralDialog, "exec", _accept_with(introduced))
    view.refer_button.click()
    qtbot.waitUntil(lambda: "introduced 1" in view.text_of("referrals"), timeout=10000)
    assert [r.introduced_id for r in referrals.referrals_of(demo_db.sessions,
                                                            cid).introduced] == [other]


def test_a_refused_referral_is_one_sentence_and_stores_nothing(
        qtbot, host, demo_db, customers, monkeypatch):
    """The refusal is said, then the dialog opens again as typed (here: then cancelled)."""
    (cid, code), _ = customers
    shown = []
    reopened: list[str] = []
    monkeypatch.setattr("ui.tasks.show_error", lambda parent, exc: shown.append(str(exc)))

    def exec_(dialog: ReferralDialog) -> int:
        if shown:  # after the refusal: what was typed is still there
            reopened.append(dialog.who.text())
            return QDialog.DialogCode.Rejected
        dialog.who.setText(code)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ReferralDialog, "exec", exec_)
    host.brief.refer_button.click()
    qtbot.waitUntil(lambda: bool(reopened), timeout=10000)
    assert shown == ["A customer cannot introduce themselves."]
    assert reopened == [code]
    assert referrals.referrals_of(demo_db.sessions, cid).introduced_by == ()


def test_a_declined_repair_is_recorded_then_marked_done(qtbot, host, demo_db, customers,
                                                        monkeypatch):
    cid = customers[0][0]
    view = host.brief

    def fill(d: DeclinedItemDialog) -> None:
        d.item.setText("更换前刹车片")

    monkeypatch.setattr(DeclinedItemDialog, "exec", _accept_with(fill))
    view.declined_button.click()
    qtbot.waitUntil(lambda: "更换前刹车片" in view.text_of("service"), timeout=10000)
    (item,) = reminders.declined_items(demo_db.sessions, cid)
    # The dialog proposes a due date a month on (QDate.addMonths keeps the day or the
    # month's last day).
    month_on = QDate.currentDate().addMonths(1).toPython()
    assert (item.status, item.due_on, item.recorded_by) == ("open", month_on, "陈丽")
    view._rows["service"].linkActivated.emit(f"done:{item.id}")
    qtbot.waitUntil(lambda: "更换前刹车片" not in view.text_of("service"), timeout=10000)
    (closed,) = reminders.declined_items(demo_db.sessions, cid)
    assert (closed.status, closed.closed_on, closed.closed_by) == ("done", dt.date.today(),
                                                                   "陈丽")


def test_the_dialogs_save_only_what_can_be_saved(qtbot):
    referral = ReferralDialog("李敏英")
    qtbot.addWidget(referral)
    save = referral.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    qtbot.keyClicks(referral.who, "C0000002")
    assert save.isEnabled()
    referral.kind.setCurrentIndex(referral.kind.findData("staff"))
    referral.introduced.setChecked(True)  # only a customer can be introduced
    assert referral.kind.currentData() == "customer" and not referral.kind.isEnabled()
    assert referral.values()["direction"] == "introduced"
    declined = DeclinedItemDialog([(7, "丰田 凯美瑞 粤A22222")])
    qtbot.addWidget(declined)
    save = declined.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    qtbot.keyClicks(declined.item, "tyres")  # QTest types ASCII only
    declined.has_due.click()
    values = declined.values()
    assert save.isEnabled() and values["vehicle_id"] == 7 and values["due_on"] is None
    assert values["item"] == "tyres"
