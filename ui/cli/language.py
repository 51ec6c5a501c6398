"""The language a command's output is written in: Revisit's Qt translation for --lang (default:
the system's locale, as the window), installed for the length of the command's output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from ui.i18n import TRANSLATIONS_DIR


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """QCoreApplication.translate() and ui.labels in `lang` ("zh_CN", "en"; None: the
    system's) until the block ends; then the language as it was (a test runs many commands)."""
    made = QCoreApplication.instance() is None
    # Qt translates only with an application; one made here is shut down after the block, so
    # a window made later in the same process (a test run) can make its QApplication.
    app = QCoreApplication.instance() or QCoreApplication([])
    before = QLocale()
    locale = QLocale(lang) if lang else QLocale.system()
    QLocale.setDefault(locale)
    translator = QTranslator()
    installed = translator.load(locale, "revisit", "_", str(TRANSLATIONS_DIR)) and \
        app.installTranslator(translator)
    try:
        yield
    finally:
        if installed:
            app.removeTranslator(translator)
        QLocale.setDefault(before)
        if made:
            app.shutdown()
