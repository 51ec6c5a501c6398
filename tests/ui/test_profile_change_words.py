"""Recording a profile change says what it does: an economic band's choices say what each band
means (1 很低 … 5 很高), a value typed that is the value now says so beside Save (which stays
off), and a change whose value was already in force on its day says nothing was recorded
instead of "saved"."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from models import Customer, ProfileChange
from services.customers import profile
from services.demo import generator as demo_generator
from tests.ui.conftest import DEMO_TODAY, demo_account, shut_down
from ui.dialogs.profile_change_dialog import ProfileChangeDialog
from ui.tasks import TaskRunner
from ui.views.customers_view import CustomersView

BANDS = {"zh_CN": ["1 很低", "3 中等", "4 较高", "5 很高"],
         "en": ["1 Very low", "3 Middle", "4 High", "5 Very high"]}


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_economic_bands_say_what_each_means(qtbot, translated):
    dialog = ProfileChangeDialog("张伟", {"economic_band": "2"}, attribute="economic_band")
    qtbot.addWidget(dialog)
    choice = dialog.value_choice
    assert [choice.itemText(i) for i in range(choice.count())] == BANDS[translated]
    assert dialog.current.text() == ("2 较低" if translated == "zh_CN" else "2 Low")


def test_the_value_now_typed_again_is_said_to_be_so(qtbot):
    # Typed key by key (QTest types Latin letters only: an occupation kept in pinyin).
    dialog = ProfileChangeDialog("张伟", {"occupation": "jiaoshi"}, attribute="occupation")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.same.isVisible()
    qtbot.keyClicks(dialog.value_text, "jiaoshi")
    assert not dialog.save_button.isEnabled()
    assert dialog.same.isVisible() and "already the value now" in dialog.same.text()
    qtbot.keyClicks(dialog.value_text, " gaozhong")
    assert dialog.save_button.isEnabled() and not dialog.same.isVisible()


@pytest.fixture
def view(qtbot, database):
    demo_generator.generate(database, 20, seed=7, today=DEMO_TODAY)
    with database.sessions() as s:
        cid = s.scalars(select(Customer.id).order_by(Customer.id)).first()
    runner = TaskRunner(database_url=database.url)
    widget = CustomersView(database, runner, actor=demo_account(database, "chenli"))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 20, timeout=10000)
    widget.show_customer(cid)
    qtbot.waitUntil(lambda: widget.page.customer_id == cid, timeout=5000)
    yield widget, cid
    shut_down(widget, runner)


def test_a_value_already_in_force_on_its_day_is_said_not_recorded(qtbot, view, database,
                                                                  monkeypatch):
    widget, cid = view
    with database.sessions() as s:
        last = s.scalar(select(func.max(ProfileChange.effective_date))
                        .where(ProfileChange.customer_id == cid)) or DEMO_TODAY
    # 3 from the day after the demo's last change, 1 two days later (and now).
    for value, day in (("3", last + dt.timedelta(days=1)), ("1", last + dt.timedelta(days=3))):
        profile.record_change(database.sessions, cid, "economic_band", value,
                              effective_date=day, source="call")
    between = last + dt.timedelta(days=2)
    assert between < dt.date.today()

    def exec_(dialog: ProfileChangeDialog) -> int:
        dialog.attribute.setCurrentIndex(dialog.attribute.findData("economic_band"))
        dialog.value_choice.setCurrentIndex(dialog.value_choice.findData("3"))
        dialog.effective.setDate(between)
        return ProfileChangeDialog.DialogCode.Accepted

    monkeypatch.setattr(ProfileChangeDialog, "exec", exec_)
    with qtbot.waitSignal(widget.runner.notice, timeout=10000) as said:
        widget.page.record_change_requested.emit(cid)
    assert said.args[0].text == (f"Nothing recorded for {widget.page._detail.name}: on "
                                 f"{between.isoformat()} Economic situation (1–5) was already "
                                 "“3 Middle”.")
    assert [c.new_value for c in profile.history(database.sessions, cid, "economic_band")
            ][-2:] == ["3", "1"]
