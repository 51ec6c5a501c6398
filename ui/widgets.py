"""Small widget factories shared by the views, so every date field looks and behaves alike,
every tall form scrolls alike and every empty table says why it is empty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDateTimeEdit,
    QFrame,
    QLabel,
    QScrollArea,
    QWidget,
)

from ui.i18n import translate_error


class DateField(QDateEdit):
    """A date edit that Tab leaves like any field. (QDateTimeEdit's own Tab steps through year,
    month and day first, but only from some sections, so typed digits landed in the next field.)
    Left/Right move between the parts."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class MomentField(QDateTimeEdit):
    """When a call was made: now, unless changed to when it was (calls typed up from the
    paper sheet at the end of the week happened on their own days), never later than now.
    Tab leaves it as DateField's does."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.setCalendarPopup(True)
        self._changed = False
        self.dateTimeChanged.connect(self._on_changed)
        self.reset()

    def _on_changed(self, _value: QDateTime) -> None:
        self._changed = True

    def reset(self) -> None:
        """Back to now, unchanged."""
        now = QDateTime.currentDateTime()
        self.blockSignals(True)
        self.setMaximumDateTime(now)
        self.setDateTime(now)
        self.blockSignals(False)
        self._changed = False

    def moment(self) -> dt.datetime | None:
        """The moment chosen, to the minute; None while it is left at now."""
        if not self._changed:
            return None
        chosen: dt.datetime = self.dateTime().toPython()  # type: ignore[assignment]
        return chosen.replace(second=0, microsecond=0)

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def date_edit(day: dt.date | None = None) -> QDateEdit:
    """A date field with a calendar popup in ISO form (default today); read it with
    `edit.date().toPython()`."""
    edit = DateField(QDate(day) if day else QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def scrolling(widget: QWidget, *, fit_width: bool = False) -> QScrollArea:
    """`widget` in a frameless area that scrolls up and down when there is not room for it, so
    a tall form never makes the window taller than the screen: 1366×768 with a taskbar leaves
    about 650 px for an area at 100 % scaling, about 520 at 125 %. It never scrolls sideways;
    with `fit_width` it is as wide as the widget needs beside its scroll bar."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    if fit_width:
        area.setMinimumWidth(widget.minimumSizeHint().width()
                             + area.verticalScrollBar().sizeHint().width())
    return area


EMPTY_HINT = "emptyHint"  # the object name a view's hint is found by (empty_text)


class _EmptyHint(QObject):
    """Paints its view's sentence in the middle of the view while the view has no rows."""

    def __init__(self, view: QAbstractItemView, text: Callable[[], str]) -> None:
        super().__init__(view.viewport())
        self.setObjectName(EMPTY_HINT)
        self.view = view
        self.text = text

    def shown(self) -> str:
        model = self.view.model()
        return self.text() if model is not None and model.rowCount() == 0 else ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Nothing but a paint touches the view: other events reach the viewport while the
        # view is being destroyed, and reading its model then crashed the program at exit.
        if event.type() == QEvent.Type.Paint and (said := self.shown()):
            viewport = self.view.viewport()
            painter = QPainter(viewport)
            painter.setPen(viewport.palette().color(QPalette.ColorRole.PlaceholderText))
            room = viewport.rect().adjusted(16, 16, -16, -16)
            painter.drawText(room, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, said)
            painter.end()
        return False  # the view paints itself as ever


def when_empty(view: QAbstractItemView, text: Callable[[], str]) -> None:
    """While `view` has no rows, `text()` stands in its middle in grey (nothing when it is
    empty): why there is nothing, and where to start. Read at every paint, so it follows what
    the view shows (a search with no match, a table not yet filled)."""
    view.viewport().installEventFilter(_EmptyHint(view, text))


def empty_text(view: QAbstractItemView) -> str:
    """What `view` says in its middle now ("" while it has rows or nothing to say)."""
    hint = view.viewport().findChild(_EmptyHint, EMPTY_HINT)
    return hint.shown() if hint is not None else ""


def name_room(view: QWidget) -> int:
    """The width a column of names gets at most: six Chinese characters (a person's name
    whole; a company's, 宁波市新锐信息技术股份有限公司（宋辰燕）, cut short with "…" and whole in
    its tooltip), so the columns after it stay on screen at 1366 px."""
    return view.fontMetrics().horizontalAdvance("中" * 6) + 12


class NotUsedAsStored(QLabel):
    """The stored values a page does not use as stored (written by SQL or by an older copy),
    one sentence each in the window's language, in red; hidden while there are none."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setStyleSheet("color: #a00000;")
        self.setVisible(False)

    def say(self, wrong: Iterable[Any]) -> None:
        """Each of `wrong` by its said() sentence (a RevisitError), or nothing."""
        said = [translate_error(w.said()) for w in wrong]
        self.setText("\n".join(said))
        self.setVisible(bool(said))
