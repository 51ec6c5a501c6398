"""Small widget factories shared by the views, so every date field looks and behaves alike."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QWidget


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
