"""The window's labels for stored codes: services/labels.py in the window's language."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from services import labels as table


def language() -> str:
    """The window's language, "zh" or "en": the locale ui/app.py set beside its translators."""
    return "zh" if QLocale().language() == QLocale.Language.Chinese else "en"


def joined(parts) -> str:
    """`parts` listed as the window's language lists them: 甲、乙 in Chinese, a, b in English."""
    return ("、" if language() == "zh" else ", ").join(parts)


def label(kind: str, code: str | None) -> str:
    """The label of `code` in vocabulary `kind` ('' for None, the code if unknown)."""
    return table.text(kind, code, language())


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs in the vocabulary's order, for combo boxes."""
    return [(code, label(kind, code)) for code in table.codes(kind)]
