"""Translation helpers: where the .qm files are, and translating service error templates."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from services.store.errors import Phrase, RevisitError, Said
from ui.labels import language

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"


def translate_error(exc: RevisitError | Phrase) -> str:
    """The error's (or phrase's) English template translated in context "errors", then filled
    in: a word said in both languages (Said) in the window's, a sentence inside it (an error,
    a phrase) translated in turn."""
    template = QCoreApplication.translate("errors", exc.template)
    chinese = language() == "zh"
    params = {k: translate_error(v) if isinstance(v, RevisitError | Phrase)
              else v.zh if chinese and isinstance(v, Said) else v
              for k, v in exc.params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return str(exc)
