"""The suggested next step in the window, on SQLite and PostgreSQL: the brief shows it with the
facts that triggered it; Accept, Change… and Dismiss are recorded; in the follow-up workspace an
accepted purpose is the purpose the call is saved with, elsewhere the notice offers to log the
call; the supervisor's rules panel edits, reorders, saves and meets a stale save with Reload;
staff see it read-only; the brief still fits a 1366×768 screen."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from models import ContactEvent, Customer
from services.contacts import calls
from services.customers import suggest, suggest_decisions
from services.customers.brief import load_brief
from services.customers.suggest_rules import DEFAULT_RULES
from services.customers.suggest_rules_en import rule_name
from tests.services.test_suggestions import CARE, UPGRADE, owner
from tests.ui.conftest import shut_down
from tests.ui.fit_check import clipped
from ui.tasks import TaskRunner
from ui.views.brief_view import BriefView
from ui.views.followup_view import FollowUpView
from ui.views.suggestion_dialogs import ChangePurposeDialog, LogCallDialog
from ui.views.suggestion_rule_dialog import RuleDialog
from ui.views.suggestion_rules_panel import COL_NAME, COL_ON, SuggestionRulesPanel

TODAY = dt.date.today()


class Host(QWidget):
    """Stands for the customer page: it has the database, runner and actor."""

    def __init__(self, database, runner, actor) -> None:
        super().__init__()
        self.database, self.runner, self.actor = database, runner, actor
        self.brief = BriefView()
        QVBoxLayout(self).addWidget(self.brief)


@pytest.fixture
def host(qtbot, database, staff):
    runner = TaskRunner()
    widget = Host(database, runner, staff)
    qtbot.addWidget(widget)
    yield widget
    shut_down(widget, runner)


def _accept_with(fill):
    def exec_(dialog):
        fill(dialog)
        return QDialog.DialogCode.Accepted
    return exec_


def _decisions(database, cid):
    return suggest_decisions.decisions_of(database.sessions, cid)


def test_the_brief_shows_the_suggestion_and_records_each_decision(qtbot, host, database,
                                                                  monkeypatch):
    cid = owner(database, "S1", years=7.4, as_of=TODAY)
    view = host.brief
    view.show_brief(load_brief(database.sessions, cid))
    line = view.text_of("suggest")
    # No translator in the tests: the English window, the built-in rule in English.
    assert rule_name(UPGRADE, "en") in line and "one class above" in line
    assert "购车年限 7.4年 (≥ 7年)" in line or "Years owned 7.4 years (≥ 7 years)" in line
    assert view.suggestion.accept_button.isEnabled()

    with qtbot.waitSignal(view.suggestion_decided, timeout=10000) as decided:
        view.suggestion.accept_button.click()
    assert decided.args == [cid, "sales"]
    qtbot.waitUntil(lambda: view.brief.decision is not None, timeout=10000)
    assert "陈丽" in view.text_of("suggest")
    (accepted,) = _decisions(database, cid)
    assert (accepted.action, accepted.chosen, accepted.rule, accepted.as_of) == (
        "accepted", "sales", UPGRADE, TODAY)

    def other(d: ChangePurposeDialog) -> None:
        d.purpose.setCurrentIndex(d.purpose.findData("care"))
        d.note.setText("刚换工作")

    monkeypatch.setattr(ChangePurposeDialog, "exec", _accept_with(other))
    with qtbot.waitSignal(view.suggestion_decided, timeout=10000) as decided:
        view.suggestion.change_button.click()
    assert decided.args == [cid, "care"]
    with qtbot.waitSignal(view.suggestion_decided, timeout=10000) as decided:
        view.suggestion.dismiss_button.click()
    assert decided.args == [cid, ""]
    qtbot.waitUntil(lambda: view.brief.decision is not None
                    and view.brief.decision.action == "dismissed", timeout=10000)
    assert [(d.action, d.chosen, d.note) for d in _decisions(database, cid)] == [
        ("dismissed", None, None), ("changed", "care", "刚换工作"), ("accepted", "sales", None)]


def test_an_accepted_suggestion_offers_to_log_the_call_with_its_purpose(
        qtbot, host, database, monkeypatch):
    cid = owner(database, "S2", years=7.4, as_of=TODAY, complaint="保养等待时间长")
    view = host.brief
    view.show_brief(load_brief(database.sessions, cid))
    assert rule_name(CARE, "en") in view.text_of("suggest")
    with qtbot.waitSignal(host.runner.notice, timeout=10000) as notice:
        view.suggestion.accept_button.click()
    (label, log), = notice.args[0].actions
    assert label == "Log the call…"

    # Typed up after the day it happened: the call keeps its own day and time.
    when = dt.datetime.combine(dt.date.today() - dt.timedelta(days=2), dt.time(15, 40))

    def reached(d: LogCallDialog) -> None:
        assert d.when.moment() is None  # left alone: now
        d.outcome.setCurrentIndex(d.outcome.findData("reached"))
        d.when.setDateTime(when)
        d.feedback.setPlainText("已道歉，周六来店处理")
        d.has_next.setChecked(True)

    monkeypatch.setattr(LogCallDialog, "exec", _accept_with(reached))
    with qtbot.waitSignal(host.runner.data_changed, timeout=10000,
                          check_params_cb=lambda change: change.touches("contacts")):
        log()
    with database.sessions() as s:
        event = s.scalars(select(ContactEvent).where(ContactEvent.customer_id == cid)).one()
    assert (event.purpose, event.outcome, event.feedback, event.staff_id) == (
        "care", "reached", "已道歉，周六来店处理", host.actor.id)
    assert event.next_follow_up == TODAY + dt.timedelta(days=7)
    assert event.contact_at == when


def test_a_call_is_saved_only_once_its_outcome_is_chosen(qtbot, host):
    """A stray Enter saved the call as reached, with nothing said: the outcome is chosen first,
    as on the follow-up screen."""
    dialog = LogCallDialog("客户S4", "callback", "")
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert dialog.outcome.currentIndex() == -1 and not save.isEnabled()
    qtbot.keyClick(dialog.purpose_box, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("no_answer"))
    assert save.isEnabled()
    qtbot.keyClick(dialog.purpose_box, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_of_call().outcome == "no_answer"


def test_a_call_is_logged_from_the_page_with_no_suggestion_on_any_channel(
        qtbot, host, database, monkeypatch):
    with database.sessions.begin() as s:
        walk_in = Customer(code="S3", name="客户S3", mobile="13800138003")  # no car on file yet
        s.add(walk_in)
        s.flush()
        cid = walk_in.id
    calls.record_call(database.sessions, cid, host.actor.id, calls.CallResult(outcome="reached"),
                      at=dt.datetime.combine(TODAY - dt.timedelta(days=10), dt.time(10)))
    view = host.brief
    view.show_brief(load_brief(database.sessions, cid))
    assert view.brief.suggestion is None  # nothing the rules suggest
    assert not view.suggestion.accept_button.isEnabled()
    assert view.call_button.isVisibleTo(host) and view.call_button.isEnabled()
    assert view.text_of("contact").endswith("(10 days ago)")
    shown = []

    def inbound(d: LogCallDialog) -> None:
        shown.append((d.purpose(), d.channel()))  # proposed: a call back, by phone
        d.purpose_box.setCurrentIndex(d.purpose_box.findData("reminder"))
        d.channel_box.setCurrentIndex(d.channel_box.findData("wechat"))
        d.outcome.setCurrentIndex(d.outcome.findData("appointment"))
        d.feedback.setPlainText("微信问保养，约周六")

    monkeypatch.setattr(LogCallDialog, "exec", _accept_with(inbound))
    with qtbot.waitSignal(host.runner.data_changed, timeout=10000,
                          check_params_cb=lambda change: change.touches("contacts")):
        qtbot.mouseClick(view.call_button, Qt.MouseButton.LeftButton)
    assert shown == [("callback", "phone")]
    with database.sessions() as s:
        event = s.scalars(select(ContactEvent).where(ContactEvent.customer_id == cid)
                          .order_by(ContactEvent.contact_at.desc())).first()
    assert (event.purpose, event.channel, event.outcome, event.feedback, event.staff_id) == (
        "reminder", "wechat", "appointment", "微信问保养，约周六", host.actor.id)
    assert event.next_follow_up is None
    qtbot.waitUntil(lambda: "(today)" in view.text_of("contact"), timeout=10000)


@pytest.fixture
def followups(qtbot, database, staff):
    """The follow-up workspace of 陈丽 with one call due: an owner the rules offer an upgrade."""
    cid = owner(database, "F1", years=7.4, as_of=TODAY)
    yesterday = dt.datetime.combine(TODAY, dt.time(10)) - dt.timedelta(days=1)
    calls.record_call(database.sessions, cid, staff.id,
                      calls.CallResult(outcome="no_answer", next_follow_up=TODAY),
                      purpose="callback", at=yesterday)
    runner = TaskRunner()
    view = FollowUpView(database, runner, actor=staff)
    qtbot.addWidget(view)
    view.resize(1366 - 110, 728 - 60)  # beside the side bar, above the status bar
    view.show()
    view.caller.setCurrentIndex(view.caller.findData(staff.id))  # her queue, not the boss's
    qtbot.waitUntil(lambda: view.brief.brief is not None, timeout=10000)
    yield view, cid
    shut_down(view, runner)


def test_in_the_follow_ups_the_accepted_purpose_is_the_calls(qtbot, followups, database):
    view, cid = followups
    assert view.purpose_of_call() == "callback"
    assert view.brief.brief.suggestion.rule == UPGRADE
    assert not view.brief.call_button.isVisibleTo(view)  # the card logs the call here
    for button, purpose in ((view.brief.suggestion.accept_button, "sales"),
                            (view.brief.suggestion.dismiss_button, "callback"),  # its own again
                            (view.brief.suggestion.accept_button, "sales")):
        with qtbot.waitSignal(view.brief.suggestion_decided, timeout=10000):
            button.click()
        assert view.purpose_of_call() == purpose
    assert "Sales (was Satisfaction call-back" in view.summary.text()
    view.outcomes.buttons()[0].click()  # reached
    with qtbot.waitSignal(view.call_saved, timeout=10000):
        view.save_current()
    with database.sessions() as s:
        latest = s.scalars(select(ContactEvent).where(ContactEvent.customer_id == cid)
                           .order_by(ContactEvent.id.desc())).first()
    assert (latest.purpose, latest.outcome) == ("sales", "reached")


def test_the_brief_with_its_suggestion_fits_the_office_screen(qtbot, followups):
    view, _cid = followups
    for _ in range(5):
        QApplication.processEvents()
    brief = view.brief
    value = brief._rows["suggest"]
    assert value.height() >= value.heightForWidth(value.width())  # every line of it shows
    bottom = view.save_button.mapTo(view, view.save_button.rect().bottomLeft()).y()
    assert bottom <= view.height()  # nothing pushed below the window: no scrolling
    assert clipped(brief) == []


def _panel(qtbot, database, actor):
    runner = TaskRunner()
    panel = SuggestionRulesPanel(database, runner, actor)  # shut_down closes it
    panel.resize(1250, 640)
    panel.show()
    qtbot.waitUntil(lambda: panel.table.rowCount() > 0, timeout=10000)
    return panel, runner


def test_a_supervisor_edits_reorders_and_saves_the_rules(qtbot, database, supervisor,
                                                         monkeypatch):
    panel, runner = _panel(qtbot, database, supervisor)
    try:
        assert panel.table.rowCount() == len(DEFAULT_RULES)
        assert panel.table.item(0, 3).text() in ("未解决投诉 ≥ 1件", "Open complaints ≥ 1")
        assert not panel.save_button.isEnabled()
        upgrade = [r.name for r in DEFAULT_RULES].index(UPGRADE)
        panel.table.selectRow(upgrade)
        panel.up_button.click()
        assert panel.table.item(upgrade - 1, COL_NAME).text() == rule_name(UPGRADE, "en")
        panel.table.item(0, COL_ON).setCheckState(Qt.CheckState.Unchecked)

        def new_points(d: RuleDialog) -> None:
            d.points.setPlainText("推荐高一级车型：{car}")

        monkeypatch.setattr(RuleDialog, "exec", _accept_with(new_points))
        panel.table.selectRow(upgrade - 1)
        panel.edit_button.click()
        assert panel.save_button.isEnabled()
        with qtbot.waitSignal(panel.loaded, timeout=10000):
            panel.save_button.click()
        stored = suggest.load_rules(database.sessions)
        assert stored.version == 1
        assert stored.rules[upgrade - 1].name == UPGRADE
        assert stored.rules[upgrade - 1].points == "推荐高一级车型：{car}"
        assert not stored.rules[0].enabled and stored.rules[1].enabled
        assert not panel.save_button.isEnabled()
    finally:
        shut_down(panel, runner)


def test_a_stale_save_is_refused_and_reload_shows_the_other_save(qtbot, database, supervisor,
                                                                 monkeypatch):
    asked: list[str] = []

    def reload_(box: QMessageBox) -> int:
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == "Reload").click()
        return 0

    monkeypatch.setattr("ui.dialogs.stale_edit.QMessageBox.exec", reload_)
    panel, runner = _panel(qtbot, database, supervisor)
    try:
        # Another PC saves first: without the last rule.
        suggest.save_rules(database.sessions, supervisor, DEFAULT_RULES[:-1], 0)
        panel.table.selectRow(0)
        panel.down_button.click()
        with qtbot.waitSignal(panel.loaded, timeout=10000):  # Reload chosen
            panel.save_button.click()
        assert len(asked) == 1 and asked[0].startswith("王主管 changed the suggestion rules")
        assert panel.table.rowCount() == len(DEFAULT_RULES) - 1
        assert panel.version == 1 and not panel.dirty
        assert suggest.load_rules(database.sessions).rules == DEFAULT_RULES[:-1]
    finally:
        shut_down(panel, runner)


def test_a_stale_save_cancelled_keeps_the_changes(qtbot, database, supervisor, monkeypatch):
    """The refusal says Reload drops the changes; Cancel keeps them in the panel, unsaved,
    and stores nothing over the other save."""
    from tests.ui.stale_answers import answer_stale

    shown = answer_stale(monkeypatch, "Cancel")
    panel, runner = _panel(qtbot, database, supervisor)
    try:
        suggest.save_rules(database.sessions, supervisor, DEFAULT_RULES[:-1], 0)
        first = panel.rules[0]
        panel.table.selectRow(0)
        panel.down_button.click()
        panel.save_button.click()
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=10000)
        assert "dropped" in shown[0][1]
        assert panel.dirty and panel.rules[1] == first  # the move is still there, unsaved
        assert len(panel.rules) == len(DEFAULT_RULES)
        assert suggest.load_rules(database.sessions).rules == DEFAULT_RULES[:-1]
    finally:
        shut_down(panel, runner)


def test_staff_see_the_rules_read_only(qtbot, database, staff):
    panel, runner = _panel(qtbot, database, staff)
    try:
        assert panel.note.isVisible()
        for button in (panel.add_button, panel.edit_button, panel.remove_button,
                       panel.up_button, panel.down_button, panel.defaults_button,
                       panel.save_button):
            assert not button.isVisible()
        on = panel.table.item(0, COL_ON)
        assert not on.flags() & Qt.ItemFlag.ItemIsUserCheckable
        assert clipped(panel) == []
    finally:
        shut_down(panel, runner)


def test_rules_are_added_removed_and_put_back_to_the_built_in_set(qtbot, database, supervisor,
                                                                  monkeypatch):
    panel, runner = _panel(qtbot, database, supervisor)
    try:
        def birthday(d: RuleDialog) -> None:
            d.name.setText("老客户关怀")
            d.points.setPlainText("问候 {name}")

        monkeypatch.setattr(RuleDialog, "exec", _accept_with(birthday))
        panel.table.selectRow(1)
        panel.add_button.click()
        assert panel.table.item(2, COL_NAME).text() == "老客户关怀"  # after the selected one
        assert panel.table.rowCount() == len(DEFAULT_RULES) + 1
        monkeypatch.setattr("ui.views.suggestion_rules_panel.QMessageBox.question",
                            lambda *_a: QMessageBox.StandardButton.Yes)
        panel.table.selectRow(0)
        panel.remove_button.click()
        assert panel.table.item(0, COL_NAME).text() != rule_name(CARE, "en")
        panel.defaults_button.click()
        assert [panel.table.item(r, COL_NAME).text() for r in range(panel.table.rowCount())] \
            == [rule_name(r.name, "en") for r in DEFAULT_RULES]
        assert panel.dirty and panel.save_button.isEnabled()
    finally:
        shut_down(panel, runner)


def test_the_rule_dialog_builds_conditions_and_refuses_an_unknown_field(qtbot):
    dialog = RuleDialog(None)
    qtbot.addWidget(dialog)
    dialog.name.setText("八年老车")
    dialog.purpose.setCurrentIndex(dialog.purpose.findData("sales"))
    dialog._add_row(None)
    row = dialog.rows[0]
    row.fact.setCurrentIndex(row.fact.findData("years_owned"))
    row.op.setCurrentIndex(row.op.findData(">="))
    row.number.setValue(8)
    dialog._add_row(None)
    second = dialog.rows[1]
    second.fact.setCurrentIndex(second.fact.findData("intent"))
    second.op.setCurrentIndex(second.op.findData("in"))
    for action in second.codes.menu().actions():
        action.setChecked(action.data() in ("strong", "medium"))
    dialog.points.setPlainText("购车 {years_owned} 年：{mood}")
    rule = dialog.rule()
    assert [c.as_dict() for c in rule.when] == [
        {"fact": "years_owned", "op": ">=", "value": 8},
        {"fact": "intent", "op": "in", "value": ["strong", "medium"]}]
    assert "≥ 8" in dialog.words.text()
    dialog._on_ok()
    assert "{mood}" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    dialog.points.setPlainText("购车 {years_owned} 年：可谈置换")
    dialog._on_ok()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_rule_editor_speaks_of_fields_by_their_chinese_names(qtbot, monkeypatch):
    monkeypatch.setattr("ui.views.suggestion_rule_dialog.language", lambda: "zh")
    rule = next(r for r in DEFAULT_RULES if "{km_per_year}" in r.points)
    dialog = RuleDialog(rule)
    qtbot.addWidget(dialog)
    assert "{年均里程}" in dialog.points.toPlainText()
    assert "km_per_year" not in dialog.points.toPlainText()
    dialog.points.moveCursor(QTextCursor.MoveOperation.End)
    dialog.field.activated.emit(dialog.field.findData("years_owned"))
    assert dialog.points.toPlainText().endswith("{购车年限}")
    assert dialog.rule().points == rule.points + "{years_owned}"
