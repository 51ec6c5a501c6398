"""The dry run (试导入): what importing a file would do — rows that would create, update, stay
unchanged or be rejected, why, and the first rows of each — with nothing written. The import
itself (apply.py) runs the very same computation and keeps it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from services.imports.engine import Progress, run
from services.imports.results import (
    DEFAULT_MATCH,
    MATCH_RULES,
    OUTCOMES,
    ImportOptions,
    ImportPlan,
    ReasonCount,
    RowSample,
)
from services.imports.write_lock import free_to_write
from services.store.errors import CancelToken


def plan(sessions: sessionmaker[Session], path: Path | str, options: ImportOptions, *,
         progress: Progress | None = None, cancel: CancelToken | None = None,
         errors_path: Path | str | None = None) -> ImportPlan:
    """Work the whole file out against the database and roll everything back. `errors_path`:
    also write the rows that would be rejected there (.xlsx). While a colleague holds the
    SQLite write lock, worked out on a copy of the database as committed: nothing is written,
    so nothing waits for the lock."""
    with free_to_write(sessions) as free:
        return run(free, path, options, commit=False, progress=progress, cancel=cancel,
                   errors_path=errors_path)


__all__ = ["DEFAULT_MATCH", "MATCH_RULES", "OUTCOMES", "ImportOptions", "ImportPlan",
           "ReasonCount", "RowSample", "plan"]
