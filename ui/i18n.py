"""Translation helpers: where the .qm files are, and translating service error templates."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from services.store.errors import RevisitError

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"


def translate_error(exc: RevisitError) -> str:
    """The error's English template translated in context "errors", then filled in."""
    template = QCoreApplication.translate("errors", exc.template)
    try:
        return template.format(**exc.params)
    except (KeyError, IndexError, ValueError):
        return str(exc)
