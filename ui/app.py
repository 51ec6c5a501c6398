"""Starting the desktop: the database, QApplication, translations, fonts, the main window.

The layers below Qt are imported here, before any PySide6 module: PySide6's `__feature__` import
hook reads the source of every module imported after it. SQLAlchemy, the models and the first
view's services took 0.71 s to import after PySide6 against 0.60 s before it (median of 5, the
busy 2-vCPU VM). PySide6 itself is imported in the functions below.

What the start waits for, in order: these imports, opening the database, the password check
(argon2, 0.2 s and deliberately slow), the window, the first page of customers. The database is
opened before Qt loads, and the password checked on a thread from then on, while Qt and the
window's modules load and the first search (everyone's id, by name) runs; the day's backup
starts once the first page is shown (ui/main_window.py: start_daily_backup)."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

# The customer list (the first view) reads through this; the customer's page and its
# services load once the list shows (ui/views/customers_view.py: CustomersView.page).
from services.customers import search
from services.staff import signing
from services.staff.permissions import Actor
from services.staff.signing import SignedIn
from services.store.database import (
    DRIVER_ERRORS,
    Database,
    open_database,
    schema_due,
    translate_db_error,
)
from services.store.errors import RevisitError

if TYPE_CHECKING:
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


COMBO_POPUPS = "QComboBox { combobox-popup: 0; }"


def install_translators(app: QApplication, lang: str | None) -> QLocale:
    """Load Revisit's and Qt's own translations for `lang` (default: the system locale)."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from ui.i18n import TRANSLATIONS_DIR

    locale = QLocale(lang) if lang else QLocale.system()
    QLocale.setDefault(locale)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # qtbase holds every Qt Widgets string we show: QFileDialog, QPrintDialog, QMessageBox and
    # the standard buttons (context QPlatformTheme). Not the meta catalog "qt": qt_zh_CN.qm
    # also requires qtmultimedia_zh_CN.qm, which PySide6-Essentials does not ship, so it
    # fails to load as a whole.
    for name, folder in (("qtbase", qt_dir), ("revisit", str(TRANSLATIONS_DIR))):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
        else:
            log.info("no %s translation for %s", name, locale.name())
    return locale


class _EarlySignIn:
    """A sign-in from the environment (REVISIT_USER and REVISIT_PASSWORD: a kiosk PC, the
    start-up benchmark), checked on a thread from the moment the database is open: the
    password's argon2 hash is 0.2 s of C that lets go of the GIL, so Qt and the window's modules
    load meanwhile, and the first search (everyone's id, by name) runs in the time left. Nothing
    is built or shown for anybody before the answer; the ids are dropped if it is no."""

    def __init__(self, database: Database, user: str, password: str) -> None:
        self.user = user
        self._answer: list[SignedIn | BaseException] = []

        def check() -> None:
            try:
                self._answer.append(signing.sign_in(database.engine, user, password))
            except DRIVER_ERRORS as exc:
                # The database said no (another program holds a write lock past the wait for
                # it: recording the sign-in failed): the sentence the dialog would show.
                self._answer.append(translate_db_error(exc, database.url))
            except BaseException as exc:  # handed to the caller's thread
                self._answer.append(exc)

        self._thread = threading.Thread(target=check, name="sign-in", daemon=True)
        self._thread.start()

    def signed_in(self) -> SignedIn | RevisitError:
        """The check's answer, or the RevisitError it raised (a wrong password, a lock-out)."""
        self._thread.join()
        got = self._answer[0]
        if isinstance(got, BaseException) and not isinstance(got, RevisitError):
            raise got  # a bug: raised here as it was there
        return got


def _start_sign_in(database: Database, args) -> _EarlySignIn | None:
    from ui.cli.auth import PASSWORD_ENV, named_user

    user, password = named_user(args), os.environ.get(PASSWORD_ENV)
    if not user or password is None:
        return None
    try:
        if signing.needs_first_supervisor(database.engine):
            return None
    except DRIVER_ERRORS as exc:  # the dialog's own look says it, once Qt is up
        log.info("looking for accounts before the window failed: %s", exc)
        return None
    return _EarlySignIn(database, user, password)


def _sign_in(database: Database, args, early: _EarlySignIn | None
             ) -> tuple[Actor | None, list[int] | None]:
    """Who uses the window, and the first search if it was read meanwhile. Signed in from the
    environment when it names them (`early`); otherwise the dialog asks, filled in with --user
    or REVISIT_USER, else the name this PC remembers."""
    refused: RevisitError | None = None
    if early is not None:
        import ui.main_window  # noqa: F401  (while the password is checked)

        # On this thread, after the imports: on a third thread beside them, reading the
        # 200,000 demo ids took 0.24–0.37 s against 0.10–0.14 s after them (the driver lets go
        # of the GIL for every row and waits to get it back), and all of it ended no sooner.
        first_ids = _first_ids(database)
        signed = early.signed_in()
        if isinstance(signed, RevisitError):
            # The dialog asks instead, saying why (a wrong password, a database busy with
            # another program's work): signing in there tries again.
            log.warning("signing in %s from the environment failed: %s", early.user, signed)
            refused = signed
        elif not signed.must_change_password:
            return signed.actor, first_ids
    from ui.cli.auth import named_user
    from ui.dialogs.sign_in_dialog import sign_in

    return sign_in(database, named_user(args), refused=refused), None


def _first_ids(database: Database) -> list[int] | None:
    """The customer list's first search (everyone, by name); None when the database refused
    it: the window then searches again and says why."""
    try:
        return search.find_ids(database.engine.connect)
    except (RevisitError, *DRIVER_ERRORS) as exc:
        log.info("the first search failed, the window will repeat it: %s", exc)
        return None


def _upgrade_shown(app: QApplication, database: Database) -> RevisitError | None:
    """Make the schema, or bring it up to this version's, on a worker thread while a dialog
    says so (the error that stopped it, or None). Copying and upgrading the 200,000-customer
    demo's file took 17 s: without a window, staff would take Revisit for not starting and
    start it again."""
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QLabel, QProgressDialog

    from services.store.database import current_revision, upgrade_database, upgrade_failed
    from ui.tasks import TaskRunner

    if current_revision(database.engine) is None:
        said = app.translate("app", "Preparing a new database…")
    else:
        said = app.translate("app", "Updating the database for this version of Revisit; a "
                                    "copy of it is kept first. A large database can take a "
                                    "minute.")
    dialog = QProgressDialog("", "", 0, 0)
    label = QLabel(said)
    label.setWordWrap(True)
    dialog.setLabel(label)
    dialog.setWindowTitle(app.translate("app", "Revisit"))
    dialog.setCancelButton(None)  # a half-done upgrade is rolled back, never left: no cancel
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(420)
    dialog.show()
    outcome: list[RevisitError | None] = []
    loop = QEventLoop()

    def upgrade(_progress, _cancel) -> RevisitError | None:
        try:
            upgrade_database(database)
        except RevisitError as exc:
            return exc
        return None

    runner = TaskRunner()
    runner.run(upgrade, on_done=lambda got: (outcome.append(got), loop.quit()),
               on_failed=lambda exc: (outcome.append(
                   upgrade_failed(database.engine, database.sound_file, exc)), loop.quit()))
    loop.exec()
    runner.wait()
    dialog.close()
    return outcome[0]


def _refuse(app: QApplication, error: RevisitError) -> None:
    """Why the window cannot open, in a box of its own."""
    from PySide6.QtWidgets import QMessageBox

    from ui.tasks import error_box

    box = error_box(None, app.translate("app", "Revisit"), error)
    box.setIcon(QMessageBox.Icon.Critical)
    box.exec()


def run_gui(args) -> int:
    # Opened before Qt loads, and the sign-in started on it: see the module's docstring. A
    # schema to make or upgrade waits for the window, which shows it being done.
    try:
        opened: Database | RevisitError = open_database(args.db, upgrade=False)
        due = isinstance(opened, Database) and schema_due(opened)
    except RevisitError as exc:
        opened, due = exc, False
    early = (_start_sign_in(opened, args) if isinstance(opened, Database) and not due
             else None)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui import qt_fixes
    from ui.i18n import translate_error

    qt_fixes.apply()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Revisit")
    app.setOrganizationName("Revisit")
    # A drop-down opens as a list of its maxVisibleItems under the box: Fusion on Linux opened
    # the lists wizard's 36 segments over the whole screen.
    app.setStyleSheet(COMBO_POPUPS)
    saved = QSettings().value("ui/language", "")
    install_translators(app, args.lang or (str(saved) if saved else None))
    if args.quit_after:
        # The packaged build's self-check quits even at the sign-in or at a refusal to open
        # the database: app.quit() alone does not end a dialog's exec() before app.exec() runs.
        QTimer.singleShot(int(args.quit_after * 1000),
                          lambda: (app.closeAllWindows(), app.quit()))
    if isinstance(opened, Database) and due:
        stopped = _upgrade_shown(app, opened)
        if stopped is not None:
            opened.dispose()
            opened = stopped
        else:
            early = _start_sign_in(opened, args)
    if isinstance(opened, RevisitError):
        _refuse(app, opened)
        return 2
    database = opened
    try:
        actor, first_ids = _sign_in(database, args, early)
    except DRIVER_ERRORS as exc:  # the accounts could not be read (a table locked too long)
        _refuse(app, translate_db_error(exc, database.url))
        database.dispose()
        return 2
    if actor is None:  # the sign-in was cancelled
        database.dispose()
        return 0
    from ui.main_window import MainWindow

    window = MainWindow(database, actor, first_ids=first_ids)
    window.show()
    from ui.cli import end_of_start

    end_of_start()
    # After end_of_start, which turned the automatic collector on: rounds on this thread only.
    qt_fixes.MainThreadCollector(parent=app)  # owned by the application from here on
    # Once a day, the window's first opening backs the SQLite file up: after the first page of
    # customers is shown (queued before this), on a worker thread.
    QTimer.singleShot(0, window.start_daily_backup)
    for warning in database.warnings:  # e.g. a SQLite file on a network drive
        QMessageBox.warning(window, app.translate("app", "Revisit"), translate_error(warning))
    if args.quit_after is not None and args.quit_after == 0:
        # "Ready" = the customer list is on screen (used by bench/startup.py).
        def ready(_found: int) -> None:
            print(f"ready {time.time():.3f}", flush=True)
            QTimer.singleShot(0, app.quit)

        window.customers.search_finished.connect(ready)
    try:
        return app.exec()
    finally:
        window.wait_for_daily_backup()  # quit without closing the window (--quit-after 0)
        database.dispose()
