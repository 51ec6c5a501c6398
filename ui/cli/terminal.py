"""What text takes on a terminal, for commands that line up columns of Chinese and ASCII."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal: two for a wide (Chinese, full-width) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
