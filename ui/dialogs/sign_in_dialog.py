"""Signing in before the main window opens: the user name this PC remembers (never the
password) and the password; on a database nobody can sign in to yet, the first supervisor is
created instead; a password a supervisor set (a new account's, or a reset) is replaced by the
person's own first."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from services.staff import accounts, signing
from services.staff.permissions import Actor
from services.store.database import Database
from services.store.errors import RevisitError
from ui.dialogs.password_dialog import (
    PasswordDialog,
    message_label,
    new_password_edit,
    password_edit,
)
from ui.labels import database_place
from ui.tasks import TaskRunner, error_text

USERNAME_KEY = "sign_in/username"
MIN_WIDTH = 420


class AccountDialog(QDialog):
    """A form whose OK runs one service call in the background and says inline why it failed."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = TaskRunner(self, database_url=database.url)
        self.message = message_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(MIN_WIDTH)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _start(self, work, on_done) -> None:
        self._say("")
        self.buttons.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self._say(error_text(exc))
            self._on_failed()

        self.runner.run(lambda _p, _c: work(), on_done=on_done, on_failed=failed,
                        parent_widget=self, write=True)

    def _on_failed(self) -> None:
        """After a refusal: where the user types again."""

    def _account_form(self, name_hint: str, display_hint: str,
                      extra: tuple[tuple[str, QWidget], ...] = ()) -> QFormLayout:
        """User name, display name, any `extra` rows, then a new password typed twice."""
        self.username = QLineEdit()
        self.username.setMaxLength(64)
        self.username.setPlaceholderText(name_hint)
        self.display_name = QLineEdit()
        self.display_name.setMaxLength(64)
        self.display_name.setPlaceholderText(display_hint)
        self.password = new_password_edit()
        self.repeat = password_edit()
        form = QFormLayout()
        form.addRow(self.tr("&User name"), self.username)
        form.addRow(self.tr("&Display name"), self.display_name)
        for text, widget in extra:
            form.addRow(text, widget)
        form.addRow(self.tr("&Password"), self.password)
        form.addRow(self.tr("&Repeat password"), self.repeat)
        return form

    def _passwords_match(self) -> bool:
        if self.password.text() == self.repeat.text():
            return True
        self._say(self.tr("The two passwords differ."))
        self.repeat.setFocus()
        return False

    def done(self, result: int) -> None:
        self.runner.wait()
        super().done(result)


class SignInDialog(AccountDialog):
    """`signed_in` holds the result once accepted."""

    def __init__(self, database: Database, username: str = "",
                 parent: QWidget | None = None, refused: RevisitError | None = None) -> None:
        super().__init__(database, parent)
        self.setWindowTitle(self.tr("Sign in to Revisit"))
        self.signed_in: signing.SignedIn | None = None
        self.username = QLineEdit(username or str(QSettings().value(USERNAME_KEY, "") or ""))
        self.username.setMaxLength(64)
        self.password = password_edit()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        short, full = database_place(database.url)
        where = QLabel(self.tr("Database: %1").replace("%1", short))
        where.setToolTip(full)
        where.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&User name"), self.username)
        form.addRow(self.tr("&Password"), self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        if refused is not None:  # why the sign-in from the environment did not do
            self._say(error_text(refused))
        (self.password if self.username.text() else self.username).setFocus()

    def accept(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if not name:
            self._say(self.tr("Type your user name."))
            self.username.setFocus()
            return
        engine = self.database.engine
        self._start(lambda: signing.sign_in(engine, name, password), self._on_signed_in)

    def _on_signed_in(self, result: signing.SignedIn) -> None:
        self.signed_in = result
        QSettings().setValue(USERNAME_KEY, result.actor.username)
        super().accept()

    def _on_failed(self) -> None:
        self.password.selectAll()
        self.password.setFocus()

    def choose_own_password(self, parent: QWidget | None = None) -> bool:
        """After signing in with a password a supervisor chose (a new account's, or a reset):
        the person's own, now."""
        assert self.signed_in is not None
        actor, typed, sessions = self.signed_in.actor, self.password.text(), self.database.sessions
        change = PasswordDialog(
            self.database,
            lambda _current, new: accounts.change_password(sessions, actor, typed, new),
            title=self.tr("Choose your own password"),
            intro=self.tr("A supervisor set your password. Choose your own now; only you "
                          "will know it."),
            ask_current=False,
            parent=parent,
        )
        return change.exec() == QDialog.DialogCode.Accepted


class FirstSupervisorDialog(AccountDialog):
    """The first run: nobody can sign in yet, so the person starting Revisit becomes its first
    supervisor. `actor` holds them once accepted."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(database, parent)
        self.setWindowTitle(self.tr("Create the first supervisor"))
        self.actor: Actor | None = None
        intro = QLabel(self.tr(
            "Nobody can sign in to this database yet. Create the first supervisor account: "
            "supervisors add the other staff in Settings and may change shared settings, "
            "delete segments and save files with full phone numbers."))
        intro.setWordWrap(True)
        form = self._account_form(self.tr("e.g. wangli"), self.tr("e.g. 王丽"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Create and sign in"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def accept(self) -> None:
        if not self._passwords_match():
            return
        sessions = self.database.sessions
        name, display, password = (self.username.text(), self.display_name.text(),
                                   self.password.text())
        self._start(lambda: accounts.create_first_supervisor(sessions, name, display, password),
                    self._on_created)

    def _on_created(self, actor: Actor) -> None:
        self.actor = actor
        QSettings().setValue(USERNAME_KEY, actor.username)
        super().accept()


def sign_in(database: Database, username: str = "", parent: QWidget | None = None, *,
            refused: RevisitError | None = None) -> Actor | None:
    """Who uses the window: the first supervisor on a database nobody can sign in to yet,
    else whoever signs in (after replacing a password a supervisor set). None: cancelled.
    `refused`: why signing in with the environment's password did not do, said at the
    start."""
    if signing.needs_first_supervisor(database.engine):
        first = FirstSupervisorDialog(database, parent)
        return first.actor if first.exec() == QDialog.DialogCode.Accepted else None
    dialog = SignInDialog(database, username, parent, refused)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signed_in is None:
        return None
    if dialog.signed_in.must_change_password and not dialog.choose_own_password(parent):
        return None
    return dialog.signed_in.actor
