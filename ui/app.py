"""Starting the desktop: QApplication, translations, fonts, the database, the main window.

The layers below Qt are imported here, before any PySide6 module: PySide6's `__feature__` import
hook reads the source of every module imported after it. SQLAlchemy, the models and the first
view's services took 0.71 s to import after PySide6 against 0.60 s before it (median of 5, the
busy 2-vCPU VM). PySide6 itself is imported in the functions below."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

# The customer list (the first view) reads through these.
import services.customers.brief
import services.customers.detail
import services.customers.profile
import services.customers.search  # noqa: F401
from services.staff import accounts
from services.staff.accounts import SignedIn
from services.staff.permissions import Actor
from services.store.database import open_database
from services.store.errors import RevisitError

if TYPE_CHECKING:
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


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


def _sign_in(database, args) -> Actor | None:
    """Who uses the window. With REVISIT_USER and REVISIT_PASSWORD set (a kiosk PC, the
    start-up benchmark) they sign in without the dialog; otherwise the dialog asks, filled in
    with --user or REVISIT_USER, else the name this PC remembers."""
    from ui.cli.auth import PASSWORD_ENV, named_user

    user, password = named_user(args), os.environ.get(PASSWORD_ENV)
    if user and password is not None and not accounts.needs_first_supervisor(database.sessions):
        signed = _checked_while_loading(lambda: accounts.sign_in(database.sessions, user,
                                                                  password))
        if isinstance(signed, RevisitError):
            log.warning("signing in %s from the environment failed: %s", user, signed)
        elif not signed.must_change_password:
            return signed.actor
    from ui.dialogs.sign_in_dialog import sign_in

    return sign_in(database, user)


def _checked_while_loading(check: Callable[[], SignedIn]) -> SignedIn | RevisitError:
    """`check()` (the password's argon2 hash, 0.17 s of C that lets go of the GIL) in a thread
    while this one imports the window's modules; its answer, or the RevisitError it raised.
    Nothing is built or read for anybody before the answer."""
    answer: list[SignedIn | BaseException] = []

    def run() -> None:
        try:
            answer.append(check())
        except BaseException as exc:  # handed to the caller's thread
            answer.append(exc)

    worker = threading.Thread(target=run, name="sign-in")
    worker.start()
    try:
        import ui.main_window  # noqa: F401
    finally:
        worker.join()
    got = answer[0]
    if isinstance(got, BaseException) and not isinstance(got, RevisitError):
        raise got  # a bug: raised here as it was there
    return got


def run_gui(args) -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui import qt_fixes
    from ui.i18n import translate_error

    qt_fixes.apply()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Revisit")
    app.setOrganizationName("Revisit")
    saved = QSettings().value("ui/language", "")
    install_translators(app, args.lang or (str(saved) if saved else None))
    try:
        # Once a day, the window's first opening backs the SQLite file up.
        database = open_database(args.db, daily_backup=True)
    except RevisitError as exc:
        QMessageBox.critical(None, app.translate("app", "Revisit"), translate_error(exc))
        return 2
    if args.quit_after:
        # The packaged build's self-check quits even at the sign-in: app.quit() alone does not
        # end a dialog's exec() before app.exec() runs.
        QTimer.singleShot(int(args.quit_after * 1000),
                          lambda: (app.closeAllWindows(), app.quit()))
    actor = _sign_in(database, args)
    if actor is None:  # the sign-in was cancelled
        database.dispose()
        return 0
    from ui.main_window import MainWindow

    window = MainWindow(database, actor)
    window.show()
    from ui.cli import end_of_start

    end_of_start()
    # After end_of_start, which turned the automatic collector on: rounds on this thread only.
    qt_fixes.MainThreadCollector(parent=app)  # owned by the application from here on
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
        database.dispose()
