"""Duplicate customers in the window: a pair put into the demo is listed with its evidence, the
merge preview says what moves, the merge (asked first) is stored, and Undo brings the other
customer back with their cars; staff see the pairs but cannot merge."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select, update

from models import Customer, Vehicle
from tests.ui.conftest import shut_down
from ui.labels import language
from ui.tasks import TaskRunner
from ui.views.duplicates_view import DuplicatesView

MOBILE = "13912345678"


@pytest.fixture
def pair(demo_db) -> tuple[int, int]:
    """Two demo customers given the same mobile and name, as two rows typed for one person."""
    with demo_db.sessions.begin() as s:
        first, second = s.scalars(select(Customer.id).order_by(Customer.id).limit(2)).all()
        name = s.scalar(select(Customer.name).where(Customer.id == first))
        s.execute(update(Customer).where(Customer.id.in_((first, second)))
                  .values(mobile=MOBILE, other_phones=None, name=name))
    return first, second


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    questions: list[str] = []

    def answer(_parent, _title, text, *_a, **_k):
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr("ui.views.duplicates_view.QMessageBox.question", answer)
    return questions


def _open(qtbot, database, actor):
    runner = TaskRunner()
    view = DuplicatesView(database, runner, actor)
    view.resize(1200, 700)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        view.show()
    return view, runner


def _row_of(view, ids: tuple[int, int]) -> int:
    return next(r for r, p in enumerate(view.pairs) if {p.first.id, p.second.id} == set(ids))


def _cars(database, customer_id: int) -> set[int]:
    with database.sessions() as s:
        return set(s.scalars(select(Vehicle.id).where(Vehicle.customer_id == customer_id)))


def test_a_pair_is_listed_merged_and_the_merge_undone(qtbot, demo_db, demo_supervisor, pair,
                                                      asked):
    first, second = pair
    cars_of_first, cars_of_second = _cars(demo_db, first), _cars(demo_db, second)
    view, runner = _open(qtbot, demo_db, demo_supervisor)
    try:
        row = _row_of(view, pair)
        evidence = view.pairs_table.item(row, 4).text()
        assert MOBILE in evidence
        assert evidence == view.pairs[row].text(language())
        # Choose the pair, then keep the second one: the preview names what moves.
        with qtbot.waitSignal(view.previewed, timeout=10000):
            view.pairs_table.selectRow(row)
        chosen = view.pairs[row]
        with qtbot.waitSignal(view.previewed, timeout=10000):
            qtbot.mouseClick(view.keep_second, Qt.MouseButton.LeftButton)
        kept, merged = chosen.second, chosen.first
        assert view.kept_and_merged() == (kept.id, merged.id)
        assert kept.code in view.preview.text() and merged.code in view.preview.text()
        assert view.merge_button.isEnabled()
        with qtbot.waitSignal(view.merged, timeout=30000) as done:
            qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
        merge_id = done.args[0]
        assert merged.code in asked[-1] and kept.code in asked[-1]
        with demo_db.sessions() as s:
            assert s.get(Customer, merged.id) is None
        assert _cars(demo_db, kept.id) == cars_of_first | cars_of_second
        # The pair is gone from the list; the merge is listed with Undo.
        qtbot.waitUntil(lambda: any(m.id == merge_id for m in view.merges), timeout=10000)
        qtbot.waitUntil(lambda: all({p.first.id, p.second.id} != set(pair) for p in view.pairs),
                        timeout=30000)
        view.history.selectRow(next(r for r, m in enumerate(view.merges) if m.id == merge_id))
        assert view.history.item(view.history.currentRow(), 0).text() == f"#{merge_id}"
        assert view.undo_button.isEnabled()
        with qtbot.waitSignal(view.unmerged, timeout=30000):
            qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
        assert f"#{merge_id}" in asked[-1]
        with demo_db.sessions() as s:
            assert s.get(Customer, merged.id) is not None
        assert _cars(demo_db, first) == cars_of_first
        assert _cars(demo_db, second) == cars_of_second
        # Both come back as a pair; the merge shows as undone and cannot be undone again.
        qtbot.waitUntil(lambda: any({p.first.id, p.second.id} == set(pair) for p in view.pairs),
                        timeout=30000)
        qtbot.waitUntil(lambda: any(m.id == merge_id and m.undone_at for m in view.merges),
                        timeout=10000)
        view.history.selectRow(next(r for r, m in enumerate(view.merges) if m.id == merge_id))
        assert not view.undo_button.isEnabled()
    finally:
        shut_down(view, runner)


def test_staff_see_the_pairs_but_cannot_merge(qtbot, demo_db, demo_staff, pair):
    view, runner = _open(qtbot, demo_db, demo_staff)
    try:
        row = _row_of(view, pair)
        with qtbot.waitSignal(view.previewed, timeout=10000):
            view.pairs_table.selectRow(row)
        assert view.preview.text()
        assert not view.merge_button.isEnabled()
    finally:
        shut_down(view, runner)
