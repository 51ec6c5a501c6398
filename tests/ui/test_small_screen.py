"""Every area at 1366×768, the common office screen, in Chinese and English: no text cut."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStackedWidget, QTabWidget

from tests.ui.fit_check import clipped

# 1366×768 less a Windows taskbar (40 px): what a maximised window gets.
SCREEN = (1366, 728)
# The same screen at 125 % scaling (1093×614 in Qt's pixels), less the taskbar and a title bar
# (about 70): the least a window must be able to shrink to.
SMALLEST = (1093, 544)


@pytest.mark.parametrize("translated", ["zh_CN", "en"], indirect=True)
def test_every_area_fits_an_office_screen(qtbot, demo_db, demo_supervisor, translated):
    from ui.main_window import MainWindow

    # A supervisor's window: every area and tab staff see, and the audit trail and accounts.
    window = MainWindow(demo_db, demo_supervisor)
    window.setWindowState(Qt.WindowState.WindowNoState)  # the test screen may be smaller
    window.resize(*SCREEN)
    window.show()
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SCREEN, timeout=5000)
    problems: list[str] = []
    try:
        for area in range(window._nav.count()):
            window._nav.setCurrentRow(area)
            page = window._pages.currentWidget()
            qtbot.waitUntil(lambda: not window.runner.busy, timeout=15000)
            if page is window.customers:  # a customer on the page, so its tables have rows
                window.customers.table.selectRow(0)
                qtbot.waitUntil(lambda: window.customers.page.customer_id is not None, timeout=5000)
                qtbot.waitUntil(lambda: not window.runner.busy, timeout=15000)
            QApplication.processEvents()
            # Every tab and every wizard page of the area, one at a time.
            switchers = [
                w
                for w in page.findChildren(QTabWidget) + page.findChildren(QStackedWidget)
                if w.isVisibleTo(page) and not isinstance(w.parentWidget(), QTabWidget)
            ]
            for switcher in switchers or [None]:
                for index in range(switcher.count() if switcher else 1):
                    if switcher is not None:
                        switcher.setCurrentIndex(index)
                        qtbot.waitUntil(lambda: not window.runner.busy, timeout=15000)
                        QApplication.processEvents()
                    problems += clipped(page)
        problems += clipped(window._nav.parentWidget())
        # Every area opened, the window still fits: none made it taller than the screen
        # (which would push the status bar and the wizard's buttons below the taskbar).
        QApplication.processEvents()
        least = window.minimumSizeHint()
        assert least.width() <= SMALLEST[0] and least.height() <= SMALLEST[1], least
        assert (window.width(), window.height()) == SCREEN
    finally:
        import shiboken6

        window.runner.cancel_all()
        assert window.runner.wait(30000)
        QApplication.processEvents()  # deliver the tasks' last queued signals first
        window.close()
        shiboken6.delete(window)
    unique = list(dict.fromkeys(problems))
    assert not unique, f"{len(unique)} cut texts in {translated}:\n" + "\n".join(unique)
