"""The window's labels for stored codes: services/labels.py in the window's language."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QLocale
from sqlalchemy.engine import make_url

from models import db
from services import labels as table

# How the window writes a day and a moment, in either language: ISO days (2026-12-02) and times
# to the minute (2026-12-02 10:07), as its date fields show them (ui/widgets.py date_edit). The
# locale's short forms wrote 12/2/26 and 7/19/25 5:03 PM in English, 2026/12/2 in Chinese.
DAY_FORMAT = "%Y-%m-%d"
MOMENT_FORMAT = "%Y-%m-%d %H:%M"


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


def day_text(value: dt.date | dt.datetime | None) -> str:
    """A day as the window writes it (2026-12-02; a datetime's day); '' for None."""
    if value is None:
        return ""
    return format(value.date() if isinstance(value, dt.datetime) else value, DAY_FORMAT)


def moment_text(value: dt.datetime | None) -> str:
    """A time as the window writes it, to the minute (2026-12-02 10:07); '' for None."""
    return "" if value is None else format(value, MOMENT_FORMAT)


def month_day_text(md: str) -> str:
    """A day of the year kept as "MMDD" (a birthday known without its year) as the window
    writes it: 3月15日, 15 March."""
    month, day = int(md[:2]), int(md[2:])
    if language() == "zh":
        return f"{month}月{day}日"
    return f"{day} {QLocale(QLocale.Language.English).monthName(month)}"


def database_place(url: str) -> tuple[str, str]:
    """Where the data is, as staff say it: (short, full). A SQLite file is this PC's database
    (its file name, then its whole path); a server is the department's shared one (its host,
    then host, port and database). Neither holds the URL's scheme or user name."""
    path = db.sqlite_path(url)
    if path is not None:
        return (QCoreApplication.translate("labels", "This PC: %1").replace("%1", path.name),
                str(path))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return (QCoreApplication.translate("labels", "In memory (nothing is kept)"), "")
    host = parsed.host or "localhost"
    full = f"{host}:{parsed.port}" if parsed.port else host
    shared = QCoreApplication.translate("labels", "Shared server: %1")
    return (shared.replace("%1", host),
            shared.replace("%1", f"{full} / {parsed.database or ''}"))
