"""Developer tool: a screenshot of each main area, for docs/screenshots/ and for looking at.

    xvfb-run -a -s "-screen 0 1366x768x24" \
        python -m ui.screenshots sqlite:///demo.sqlite3 docs/screenshots zh_CN

Run it under Xvfb (the real xcb platform) or with QT_QPA_PLATFORM=offscreen. The window is
1366×728: a maximised window on the common 1366×768 office screen, less the taskbar. It signs
in as the demo's supervisor (user name supervisor, the demo password; REVISIT_USER and
REVISIT_PASSWORD name another account), and shoots the sign-in dialog and the supervisor's
staff accounts tab too."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

AREAS = ("customers", "segments", "lists", "followups", "reports", "imports", "settings", "audit")
SETTLE_MS = 2500
SIZE = (1366, 728)


def main(argv: list[str]) -> int:
    url, folder = argv[0], Path(argv[1])
    lang = argv[2] if len(argv) > 2 else "zh_CN"
    folder.mkdir(parents=True, exist_ok=True)
    from ui import qt_fixes

    qt_fixes.apply()
    app = QApplication([])
    QCoreApplication.setOrganizationName("RevisitScreenshots")
    QCoreApplication.setApplicationName("RevisitScreenshots")
    from PySide6.QtCore import QSettings

    QSettings().clear()  # a first start: no layout remembered from an earlier run
    from services.demo import DEMO_PASSWORD
    from services.staff import accounts, signing
    from services.store.database import open_database
    from ui.app import install_translators
    from ui.dialogs.sign_in_dialog import SignInDialog
    from ui.main_window import MainWindow

    install_translators(app, lang)
    database = open_database(url)
    user = os.environ.get("REVISIT_USER", "supervisor")
    if signing.needs_first_supervisor(database.engine):  # a demo made before accounts
        accounts.create_first_supervisor(database.sessions, "supervisor", "", DEMO_PASSWORD)
    actor = signing.sign_in(database.engine, user,
                             os.environ.get("REVISIT_PASSWORD", DEMO_PASSWORD),
                             record_it=False).actor
    dialog = SignInDialog(database, user)
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(folder / f"0-sign-in-{lang}.png"))
    dialog.close()
    window = MainWindow(database, actor)
    window.setWindowState(Qt.WindowState.WindowNoState)  # offscreen's screen is smaller
    window.resize(*SIZE)
    window.show()

    def shoot_users() -> None:
        window._nav.setCurrentRow(window._pages.indexOf(window.settings))
        window.settings.tabs.setCurrentWidget(window.settings.users)
        QTimer.singleShot(SETTLE_MS, lambda: (
            window.grab().save(str(folder / f"{len(AREAS) + 1}-users-{lang}.png")),
            app.quit(),
        ))

    def shoot(index: int) -> None:
        if index == min(len(AREAS), window._nav.count()):
            shoot_users()
            return
        window._nav.setCurrentRow(index)
        if AREAS[index] == "customers":  # a customer on the page, as staff see it all day
            window.customers.table.selectRow(0)
        QTimer.singleShot(SETTLE_MS, lambda: (
            window.grab().save(str(folder / f"{index + 1}-{AREAS[index]}-{lang}.png")),
            shoot(index + 1),
        ))

    QTimer.singleShot(500, lambda: shoot(0))
    app.exec()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
