"""Translation helpers: where the .qm files are, and translating service error templates."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from services.store.errors import RevisitError, Said
from ui.labels import language

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"


def translate_error(exc: RevisitError) -> str:
    """The error's English template translated in context "errors", then filled in: a word
    said in both languages (Said) in the window's."""
    template = QCoreApplication.translate("errors", exc.template)
    chinese = language() == "zh"
    params = {k: v.zh if chinese and isinstance(v, Said) else v for k, v in exc.params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return str(exc)
