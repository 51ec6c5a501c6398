"""Writing the Monday report to disk: built once (services/reports/monday.py), rendered as PDF
or Excel in a scratch folder beside the file and renamed when complete
(services/store/staging.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from services.reports import monday, monday_excel, monday_pdf
from services.store.errors import N_, RevisitError, from_os_error
from services.store.staging import staged


def write(sessions: sessionmaker[Session], path: str | Path, fmt: str | None, start: dt.date,
          end: dt.date, staff_id: int | None = None, kind: str = "weekly",
          progress: Callable[[int, int], None] | None = None,
          today: dt.date | None = None) -> Path:
    """Build the report and write it to `path` as PDF or Excel (by `fmt`, else the file's
    extension), in a scratch folder first and renamed when complete, so a reader never finds
    half a file and a failure (a full disk) leaves none."""
    target = Path(path)
    fmt = fmt or target.suffix.lower().lstrip(".")
    if fmt not in monday.FORMATS:
        raise RevisitError(N_("A report is written as .pdf or .xlsx, not '{name}'."),
                           name=target.name)
    report = monday.build(sessions, kind, start, end, staff_id, progress, today)
    try:
        with staged(target) as partial:
            if fmt == "pdf":
                monday_pdf.render(report, partial)
            else:
                monday_excel.render(report, partial)
    except OSError as exc:  # raised naming `target`: a full disk's error names no file
        raise from_os_error(exc) from exc
    return target
