"""A save refused because someone changed the record since it was opened (StaleEdit): the
sentence naming who and when, with Reload (show the record as it is now) and Cancel (keep the
form as typed, e.g. to copy something from it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from services.store.errors import StaleEdit
from ui.tasks import error_text, show_error


def ask_reload(parent: QWidget | None, exc: StaleEdit, what_reload_does: str = "") -> bool:
    """Show the refusal; True when the user chose Reload. `what_reload_does`: what becomes of
    what was typed, when the screen's Reload does more than show the record as it is now."""
    # Literal texts in translate(): lupdate finds them only so.
    box = QMessageBox(QMessageBox.Icon.Warning,
                      QCoreApplication.translate("StaleEdit", "Changed by someone else"),
                      error_text(exc), QMessageBox.StandardButton.Cancel, parent)
    if what_reload_does:
        box.setInformativeText(what_reload_does)
    reload_button = box.addButton(QCoreApplication.translate("StaleEdit", "Reload"),
                                  QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(reload_button)
    box.exec()
    return box.clickedButton() is reload_button


def on_failed(parent: QWidget | None, reload: Callable[[], None],
              what_reload_does: str = "") -> Callable[[BaseException], None]:
    """A TaskRunner `on_failed` for a save: a stale save offers `reload` (`what_reload_does`
    as ask_reload takes it); any other failure is the usual error dialog."""

    def failed(exc: BaseException) -> None:
        if isinstance(exc, StaleEdit):
            if ask_reload(parent, exc, what_reload_does):
                reload()
        else:
            show_error(parent, exc)

    return failed
