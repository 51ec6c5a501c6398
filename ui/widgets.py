"""Small widget factories shared by the views, so every date field looks and behaves alike and
every tall form scrolls alike."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QFrame, QScrollArea, QWidget


class DateField(QDateEdit):
    """A date edit that Tab leaves like any field. (QDateTimeEdit's own Tab steps through year,
    month and day first, but only from some sections, so typed digits landed in the next field.)
    Left/Right move between the parts."""

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
