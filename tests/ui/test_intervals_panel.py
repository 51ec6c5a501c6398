"""Settings → Service intervals driven through its real widgets on a demo database: a supervisor
adds, changes and removes intervals and sees the cars each governs; an edit someone else
overtook says who with Reload, which opens the dialog again as typed; a brand that already
has its row is pointed to it; staff only look. Nothing is cut on a small screen."""

from __future__ import annotations

from dataclasses import astuple

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMessageBox

from services.customers import reminders
from services.customers.reminders import Interval
from services.demo import generator as demo
from services.staff import accounts, signing
from tests.ui.conftest import shut_down
from tests.ui.fit_check import clipped
from tests.ui.stale_answers import answer_stale
from ui.tasks import TaskRunner
from ui.views.intervals_panel import COL_CARS, COL_EVERY, COL_FIRST, IntervalDialog, IntervalsPanel


def _panel(qtbot, database, actor):
    runner = TaskRunner()
    panel = IntervalsPanel(database, runner, actor)  # shut_down closes it
    panel.resize(900, 500)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.show()
    return panel, runner


def _answer(monkeypatch, brand: str | None, model: str | None, values: Interval) -> None:
    """The next interval dialog is filled in (brand and model unless None) and accepted."""

    def fill(dialog: IntervalDialog) -> int:
        if brand is not None:
            dialog.brand.setCurrentText(brand)
        if model is not None:
            dialog.model.setCurrentText(model)
        for spin, value in zip((dialog.first_km, dialog.first_months, dialog.every_km,
                                dialog.every_months), astuple(values), strict=True):
            spin.setValue(value)
        assert dialog.ok_button.isEnabled()
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(IntervalDialog, "exec", fill)


def _stored(database) -> dict[tuple[str, str], Interval]:
    return {(r.brand, r.model): r.interval for r in reminders.intervals(database.sessions)}


def test_a_supervisor_adds_changes_and_removes_intervals(qtbot, demo_db, demo_supervisor,
                                                         monkeypatch):
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        panel.resize(640, 420)  # a tab of Settings on a small screen
        QCoreApplication.processEvents()
        assert clipped(panel) == []
        # The demo's own makes, and every car's built-in default first.
        assert panel.text_of("")[:2] == ["Every car", ""]
        assert panel.text_of("")[COL_FIRST] == "3,000 km or 3 months"
        assert panel.text_of("宝马")[COL_EVERY] == "10,000 km or 12 months"
        table = reminders.interval_table(demo_db.sessions)
        assert sum(int(panel.text_of(r.brand, r.model)[COL_CARS].replace(",", ""))
                   for r in table.rows) == sum(table.cars)

        # A model of its own: the brand's row gives up that model's cars.
        bmw_cars = int(panel.text_of("宝马")[COL_CARS])
        _answer(monkeypatch, "丰田", "凯美瑞", Interval(5000, 6, 10000, 12))
        with qtbot.waitSignal(panel.loaded, timeout=10000):
            panel.add_button.click()
        assert _stored(demo_db)[("丰田", "凯美瑞")] == Interval(5000, 6, 10000, 12)
        assert panel.text_of("丰田", "凯美瑞")[COL_FIRST] == "5,000 km or 6 months"

        # Changed by double-click; then moved to another model of the brand.
        panel.select("宝马")
        _answer(monkeypatch, None, None, Interval(5000, 6, 15000, 12))
        with qtbot.waitSignal(panel.loaded, timeout=10000):
            panel.edit_button.click()
        assert _stored(demo_db)[("宝马", "")] == Interval(5000, 6, 15000, 12)
        assert int(panel.text_of("宝马")[COL_CARS]) == bmw_cars
        assert panel.selected().brand == "宝马"  # still selected after the reload

        # Every car's built-in default is stored once changed, and can then be removed.
        panel.select("")
        assert not panel.remove_button.isEnabled()
        _answer(monkeypatch, None, None, Interval(2000, 3, 7500, 6))
        with qtbot.waitSignal(panel.loaded, timeout=10000):
            panel.edit_button.click()
        assert _stored(demo_db)[("", "")] == Interval(2000, 3, 7500, 6)
        panel.select("")
        assert panel.remove_button.isEnabled()

        panel.select("丰田", "凯美瑞")
        asked: list[str] = []
        monkeypatch.setattr("ui.views.intervals_panel.QMessageBox.question",
                            lambda _p, _t, text: asked.append(text)
                            or QMessageBox.StandardButton.Yes)
        with qtbot.waitSignal(panel.loaded, timeout=10000):
            panel.remove_button.click()
        assert asked and "丰田 凯美瑞" in asked[0]
        assert ("丰田", "凯美瑞") not in _stored(demo_db)
        assert panel.text_of("丰田", "凯美瑞") is None
    finally:
        shut_down(panel, runner)


def test_a_brand_with_its_own_row_is_pointed_to_it(qtbot, demo_db, demo_supervisor,
                                                   monkeypatch):
    told: list[str] = []
    monkeypatch.setattr("ui.views.intervals_panel.QMessageBox.information",
                        lambda _p, _t, text: told.append(text))
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        before = _stored(demo_db)
        _answer(monkeypatch, "奔驰", "", Interval(1000, 1, 1000, 1))
        panel.add_button.click()
        assert told == ["奔驰 already has its own interval; change that one."]
        assert _stored(demo_db) == before
    finally:
        shut_down(panel, runner)


def _liu(database, supervisor):
    """刘主管, a second supervisor, signed in on another PC."""
    accounts.add_account(database.sessions, supervisor, "liu", "刘主管", "supervisor",
                         "pw-liu-1")
    return signing.sign_in(database.engine, "liu", "pw-liu-1").actor


def _typed_then(monkeypatch, first, values: Interval, brand=None, model=None):
    """The interval dialog: the first time `values` (and brand and model unless None) are
    typed and `first()` runs (a colleague's change) before OK; every later time OK as it
    opens. Returns what each opening showed: title, brand, model, interval."""
    opened: list[tuple[str, str, str, Interval]] = []

    def exec_(dialog: IntervalDialog) -> int:
        opened.append((dialog.windowTitle(), *dialog.value()))
        if len(opened) == 1:
            if brand is not None:
                dialog.brand.setCurrentText(brand)
            if model is not None:
                dialog.model.setCurrentText(model)
            for spin, value in zip((dialog.first_km, dialog.first_months, dialog.every_km,
                                    dialog.every_months), astuple(values), strict=True):
                spin.setValue(value)
            first()
        dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(IntervalDialog, "exec", exec_)
    return opened


def test_an_overtaken_change_says_who_reloads_and_opens_again_as_typed(
        qtbot, demo_db, demo_supervisor, monkeypatch):
    shown = answer_stale(monkeypatch, "Reload")
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        liu = _liu(demo_db, demo_supervisor)
        theirs = next(r for r in reminders.intervals(demo_db.sessions) if r.brand == "宝马")
        behind: list[str] = []

        def colleague() -> None:  # on another PC, while this dialog is open
            reminders.save_interval(demo_db.sessions, liu, Interval(5000, 6, 8000, 12),
                                    brand="宝马", model="", loaded=theirs)
            panel.loaded.connect(lambda: behind.append(panel.text_of("宝马")[COL_EVERY]))

        mine = Interval(5000, 6, 20000, 12)
        opened = _typed_then(monkeypatch, colleague, mine)
        panel.select("宝马")
        assert panel.text_of("宝马")[COL_EVERY] == "10,000 km or 12 months"
        panel.edit_button.click()
        qtbot.waitUntil(lambda: _stored(demo_db)[("宝马", "")] == mine, timeout=10000)
        qtbot.waitUntil(lambda: panel.text_of("宝马")[COL_EVERY] == "20,000 km or 12 months",
                        timeout=10000)
        assert len(shown) == 1
        assert shown[0][0].startswith("刘主管 changed this service interval at ")
        assert "opens this dialog again with what you typed" in shown[0][1]
        assert opened == [("Change a service interval", "宝马", "", Interval(5000, 6, 10000, 12)),
                          ("Change a service interval", "宝马", "", mine)]
        assert behind[0] == "8,000 km or 12 months"  # theirs behind the dialog opened again
    finally:
        shut_down(panel, runner)


def test_an_interval_a_colleague_added_meanwhile_is_offered_as_typed_over_theirs(
        qtbot, demo_db, demo_supervisor, monkeypatch):
    shown = answer_stale(monkeypatch, "Reload")
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        liu = _liu(demo_db, demo_supervisor)

        def colleague() -> None:
            reminders.save_interval(demo_db.sessions, liu, Interval(4000, 4, 9000, 9),
                                    brand="丰田", model="凯美瑞", loaded=None)

        mine = Interval(5000, 6, 10000, 12)
        opened = _typed_then(monkeypatch, colleague, mine, "丰田", "凯美瑞")
        panel.add_button.click()
        qtbot.waitUntil(lambda: len(opened) == 2, timeout=10000)
        qtbot.waitUntil(lambda: _stored(demo_db).get(("丰田", "凯美瑞")) == mine, timeout=10000)
        assert len(shown) == 1 and shown[0][0].startswith("刘主管 ")
        assert opened[1] == ("Change a service interval", "丰田", "凯美瑞", mine)
        assert [r.brand for r in reminders.intervals(demo_db.sessions)
                if (r.brand, r.model) == ("丰田", "凯美瑞")] == ["丰田"]  # theirs, changed
    finally:
        shut_down(panel, runner)


def test_cancel_after_an_overtaken_change_stores_nothing_of_mine(
        qtbot, demo_db, demo_supervisor, monkeypatch):
    shown = answer_stale(monkeypatch, "Cancel")
    panel, runner = _panel(qtbot, demo_db, demo_supervisor)
    try:
        liu = _liu(demo_db, demo_supervisor)
        theirs = next(r for r in reminders.intervals(demo_db.sessions) if r.brand == "宝马")
        opened = _typed_then(monkeypatch, lambda: reminders.save_interval(
            demo_db.sessions, liu, Interval(5000, 6, 8000, 12), brand="宝马", model="",
            loaded=theirs), Interval(5000, 6, 20000, 12))
        panel.select("宝马")
        panel.edit_button.click()
        qtbot.waitUntil(lambda: bool(shown), timeout=10000)
        qtbot.wait(300)
        assert len(opened) == 1  # not opened again: Cancel was said to drop it
        assert _stored(demo_db)[("宝马", "")] == Interval(5000, 6, 8000, 12)
    finally:
        shut_down(panel, runner)


def test_staff_see_the_intervals_but_do_not_edit_them(qtbot, demo_db, demo_staff,
                                                      monkeypatch):
    opened: list[IntervalDialog] = []
    monkeypatch.setattr(IntervalDialog, "exec",
                        lambda d: opened.append(d) or QDialog.DialogCode.Rejected)
    panel, runner = _panel(qtbot, demo_db, demo_staff)
    try:
        assert panel.staff_note.isVisible()
        assert panel.text_of("特斯拉") is not None
        assert not any(b.isVisible() for b in (panel.add_button, panel.edit_button,
                                                 panel.remove_button))
        panel.select("宝马")
        panel.table.itemDoubleClicked.emit(panel.table.item(1, 0))
        assert opened == []
        assert len(reminders.intervals(demo_db.sessions)) == len(demo.INTERVALS)
    finally:
        shut_down(panel, runner)


def test_the_dialog_needs_a_brand_for_a_model(qtbot):
    dialog = IntervalDialog("Add", None, {"宝马": ("3系", "5系")})
    qtbot.addWidget(dialog)
    dialog.model.setCurrentText("3系")
    assert not dialog.ok_button.isEnabled()
    dialog.brand.setCurrentText("宝马")
    assert dialog.ok_button.isEnabled()
    assert [dialog.model.itemText(i) for i in range(dialog.model.count())] == ["", "3系", "5系"]
    assert dialog.value() == ("宝马", "3系", reminders.DEFAULT_INTERVAL)
