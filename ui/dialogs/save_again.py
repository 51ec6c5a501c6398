"""A form in a dialog whose save fails opens again as it was typed: the save runs after the
dialog closed, so without this a stopped database server or a refused value would lose what
was typed. The sentence saying what went wrong comes first, then the same dialog."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtWidgets import QDialog

from services.store.errors import StaleEdit
from ui import tasks

Failed = Callable[[BaseException], None]


def edit_and_save(dialog: QDialog, save: Callable[[Failed], object], *,
                  on_stale: Callable[[StaleEdit], None] | None = None) -> bool:
    """Open `dialog`; once accepted, `save(failed)` reads its values and starts the write with
    `failed` as the runner's `on_failed`. A failed save shows why, then opens the same dialog
    again with everything as typed, to try again or cancel. A StaleEdit goes to `on_stale`
    when given (the screen's own reload). Returns whether the dialog was accepted."""
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False

    def failed(exc: BaseException) -> None:
        if isinstance(exc, StaleEdit) and on_stale is not None:
            on_stale(exc)
            return
        tasks.show_error(dialog.parentWidget(), exc)
        if shiboken6.isValid(dialog):
            edit_and_save(dialog, save, on_stale=on_stale)

    save(failed)
    return True
