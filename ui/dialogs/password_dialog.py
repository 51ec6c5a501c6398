"""A new password typed twice (and the current one when changing one's own), saved by the
service call the dialog is given; a refusal is said in the dialog, which stays open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from services.staff.passwords import MIN_LENGTH
from services.store.database import Database
from ui.tasks import TaskRunner, error_text

MIN_WIDTH = 420


def message_label() -> QLabel:
    """Where a dialog says why it did not go on (wrong password, passwords differ…)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.setVisible(False)
    return label


def password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(128)
    return edit


def new_password_edit() -> QLineEdit:
    """A field for a new password, saying beforehand the length it must have."""
    edit = password_edit()
    edit.setPlaceholderText(QCoreApplication.translate("PasswordDialog", "at least %1 characters")
                            .replace("%1", str(MIN_LENGTH)))
    return edit


class PasswordDialog(QDialog):
    """`save(current, new)` runs in the background when OK is pressed (current is "" unless
    `ask_current`)."""

    def __init__(self, database: Database, save: Callable[[str, str], object], *, title: str,
                 intro: str = "", ask_current: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(MIN_WIDTH)
        self._save = save
        self.runner = TaskRunner(self, database_url=database.url)
        self.current = password_edit()
        self.new = new_password_edit()
        self.repeat = password_edit()
        self.message = message_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        if ask_current:
            form.addRow(self.tr("&Current password"), self.current)
        form.addRow(self.tr("&New password"), self.new)
        form.addRow(self.tr("&Repeat new password"), self.repeat)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.current if ask_current else self.new).setFocus()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def accept(self) -> None:
        if self.new.text() != self.repeat.text():
            self._say(self.tr("The two new passwords differ."))
            self.repeat.setFocus()
            return
        self._say("")
        self.buttons.setEnabled(False)
        current, new = self.current.text(), self.new.text()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self._say(error_text(exc))

        self.runner.run(lambda _p, _c: self._save(current, new),
                        on_done=lambda _r: super(PasswordDialog, self).accept(),
                        on_failed=failed, parent_widget=self, write=True)

    def done(self, result: int) -> None:
        self.runner.wait()
        super().done(result)
