"""The outputs panel of a run without calls: its texts previewed (no empty call sheet), a WeChat
list counted and confirmed before it is written, as an SMS file is, the members left out for a
missing merge field named by row code and name, and the tooltips listing every merge field."""

from __future__ import annotations

import re

import openpyxl
import pytest
from sqlalchemy import select

from models import ContactPreference, Customer, Vehicle
from services.lists import build, runs
from services.outputs import sms
from services.segments import service as segments
from services.store.settings import load_settings
from tests.ui.conftest import DEMO_TODAY, shut_down
from tests.ui.test_list_files import confirmed_save, refused_save
from ui.tasks import TaskRunner
from ui.views.list_outputs import ListOutputs

STRICT = "{称呼}您好，您的{车型}该保养了"
NO_CAR = 2  # WeChat customers whose car has neither brand nor model


def _run(db, channel: str) -> int:
    segments.save_segment(db.sessions, "全部", {
        "version": 1, "where": {"field": "years_since_purchase", "op": ">=", "value": 0}},
        purpose="care")
    return build.build_run(db.sessions, "全部", build.RunOptions(channel=channel,
                                                                as_of=DEMO_TODAY)).run_id


def _no_car_for_some(db, channel: str) -> list[str]:
    """Blank the car of the first NO_CAR customers who prefer `channel`: their names."""
    with db.sessions.begin() as s:
        rows = s.execute(
            select(Customer, Vehicle).join(Vehicle, Vehicle.customer_id == Customer.id)
            .join(ContactPreference, ContactPreference.customer_id == Customer.id)
            .where(ContactPreference.channel_order.startswith(channel))
            .where(Customer.wechat_id.is_not(None) if channel == "wechat" else True)
            .order_by(Customer.id)).all()
        names = []
        for customer, _vehicle in rows:
            if customer.name in names:
                continue
            if len(names) == NO_CAR:
                break
            for v in s.scalars(select(Vehicle).where(Vehicle.customer_id == customer.id)):
                v.brand, v.model = "", ""
            names.append(customer.name)
        assert len(names) == NO_CAR
    return names


@pytest.fixture
def panel(qtbot, demo_db):
    runner = TaskRunner()
    widget = ListOutputs(runner, sessions=demo_db.sessions)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    yield widget
    shut_down(widget, runner)


def _open(qtbot, panel: ListOutputs, db, run_id: int) -> None:
    panel.set_document(runs.load_document(db.sessions, run_id), load_settings(db.sessions))
    _counted(qtbot, panel)


def _counted(qtbot, panel: ListOutputs) -> None:
    qtbot.waitUntil(lambda: not panel.wechat_preview.timer.isActive()
                    and not panel.sms_preview.timer.isActive() and not panel.runner.busy,
                    timeout=10000)


def test_a_wechat_run_shows_its_messages_and_confirms_before_writing(
        qtbot, demo_db, panel, tmp_path, monkeypatch):
    lacking = _no_car_for_some(demo_db, "wechat")
    run_id = _run(demo_db, "wechat")
    doc = runs.load_document(demo_db.sessions, run_id)
    assert doc.of_channel("wechat") and not doc.of_channel("call")
    _open(qtbot, panel, demo_db, run_id)
    # No empty grey call sheet: the messages are what there is to look at.
    assert panel.previews.currentWidget() is panel.wechat_preview
    assert panel.sheet.currentWidget() is panel.no_call_sheet
    assert "no call sheet" in panel.no_call_sheet.text()
    assert "queue" not in panel.no_call_sheet.text()
    default = panel.wechat_preview.estimate
    assert default.messages == len(doc.of_channel("wechat"))  # the default text has fallbacks

    panel.wechat_text.setPlainText(STRICT)
    _counted(qtbot, panel)
    shown = panel.wechat_preview.estimate
    assert shown.left_out == NO_CAR and shown.messages == default.messages - NO_CAR
    table = panel.wechat_preview.table
    assert table.rowCount() == min(10, shown.messages)
    assert table.item(0, 1).text() == shown.first[0].message and "{" not in shown.first[0].message
    warnings = panel.wechat_preview.warnings.text()
    named = [line for line in warnings.splitlines() if line.startswith("No value for {车型}")]
    assert len(named) == 1
    assert all(re.search(rf"\d+-\d{{4}} {name}", named[0]) for name in lacking)

    folder = tmp_path / "out"
    asked = confirmed_save(qtbot, monkeypatch, panel, panel.save_wechat,
                           folder / "wechat.xlsx")
    question = asked[0]
    assert question.startswith(f"{shown.messages} message(s) to paste")
    assert shown.first[0].message in question  # the first messages, as they will be pasted
    assert all(name in question for name in lacking)  # who is left out, by name
    assert question.endswith("Write the WeChat list now?")
    rows = list(openpyxl.load_workbook(folder / "wechat.xlsx").active
                .iter_rows(min_row=2, values_only=True))
    assert len(rows) == shown.messages and rows[0][6] == shown.first[0].message
    assert not any(name in {r[2] for r in rows} for name in lacking)
    assert f"Messages: {shown.messages}, left out: {NO_CAR}" in panel.status.text()
    assert f"缺少合并字段：车型 ×{NO_CAR}" in panel.status.text()


def test_a_bad_wechat_message_is_explained_and_nothing_is_written(
        qtbot, demo_db, panel, tmp_path, monkeypatch):
    _open(qtbot, panel, demo_db, _run(demo_db, "wechat"))
    panel.wechat_text.setPlainText("您的{车型|}该保养了")
    _counted(qtbot, panel)
    assert panel.wechat_preview.estimate is None
    assert "{车型|}" in panel.wechat_preview.warnings.text()
    assert "{车型|}" in refused_save(qtbot, monkeypatch, panel.save_wechat,
                                   tmp_path / "never.xlsx")


def test_the_sms_preview_names_who_lacks_a_merge_field(qtbot, demo_db, panel):
    lacking = _no_car_for_some(demo_db, "sms")
    _open(qtbot, panel, demo_db, _run(demo_db, "sms"))
    panel.sms_text.setPlainText("{称呼}您好，您的{车型}该保养了")
    _counted(qtbot, panel)
    warnings = panel.sms_preview.warnings.text()
    named = next(line for line in warnings.splitlines() if line.startswith("No value for {车型}"))
    assert all(name in named for name in lacking)


def test_a_run_with_nothing_to_preview_says_it_has_no_call_sheet(qtbot, demo_db, panel):
    _open(qtbot, panel, demo_db, _run(demo_db, "mail"))
    assert panel.previews.currentWidget() is panel.sheet
    assert panel.sheet.currentWidget() is panel.no_call_sheet
    assert "queue" not in panel.no_call_sheet.text()


def test_the_tooltips_list_every_merge_field(panel):
    for editor in (panel.sms_text, panel.wechat_text):
        tip = editor.toolTip()
        assert all("{" + f + "}" in tip for f in sms.FIELDS)
    assert "{店名}" in panel.sms_text.toolTip()
