"""The language a command's output is written in: Revisit's Qt translation for --lang (default:
the system's locale, as the window), installed for the length of the command's output.

What a command says when something goes wrong (its errors, warnings, hints, "cancelled") is
said in that language through `said`; the rest of the output is the command's own. Qt is
loaded only then: this module imports nothing heavy, so a command that has nothing to say
pays nothing for it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from services.store.errors import Phrase


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """QCoreApplication.translate() and ui.labels in `lang` ("zh_CN", "en"; None: the
    system's) until the block ends; then the language as it was (a test runs many commands)."""
    from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

    from ui.i18n import TRANSLATIONS_DIR

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


def said(lang: str | None, template: str, *after: str, **params: object) -> str:
    """`template` (English, marked with N_()) in `lang`, filled in with `params`, an error or a
    Phrase among them said in `lang` as well; then each sentence of `after` (a Phrase said in
    `lang`, other text as it is), after a space."""
    from ui.i18n import translate_error

    with speaking(lang):
        return " ".join([translate_error(Phrase(template, **params)),
                         *(translate_error(a) if isinstance(a, Phrase) else a for a in after)])


def to_stderr(lang: str | None, template: str, *after: str, **params: object) -> None:
    """`said(…)` as a line on stderr, where a command's errors and warnings go; in English if
    Qt cannot be loaded: a failure is reported all the same, never as a traceback."""
    try:
        line = said(lang, template, *after, **params)
    except ImportError:
        line = " ".join([Phrase(template, **params), *after])
    print(line, file=sys.stderr, flush=True)
