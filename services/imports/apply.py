"""Importing a file: one transaction for the whole file with its batch row, so the database
holds either all of the file's rows that could be imported or none of them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import ImportBatch
from services.imports.engine import Progress, run
from services.imports.results import ImportOptions, ImportResult
from services.store.backup import IMPORT, backed_up
from services.store.errors import CancelToken


def apply(sessions: sessionmaker[Session], path: Path | str, options: ImportOptions, *,
          progress: Progress | None = None, cancel: CancelToken | None = None,
          errors_path: Path | str | None = None) -> ImportResult:
    """Import the file as one batch (ImportResult.batch_id); rejected rows are listed in
    `errors_path` (.xlsx) when given. A cancel or failure raises and leaves nothing.
    A SQLite database is backed up first (an import can change thousands of customers); an
    import that fails removes its backup again, as it stored nothing."""
    with sessions() as s:
        before = s.scalar(select(func.max(ImportBatch.id))) or 0

    def stored_nothing() -> bool:
        # A failure after a commit keeps the rows committed (an unfinished batch); one that
        # kept none leaves its batch withdrawn (undone), or none at all.
        with sessions() as s:
            return not s.scalar(select(func.count()).select_from(ImportBatch).where(
                ImportBatch.id > before, ImportBatch.undone_at.is_(None)))

    with backed_up(sessions, IMPORT, stored_nothing):
        return run(sessions, path, options, commit=True, progress=progress, cancel=cancel,
                   errors_path=errors_path)


__all__ = ["ImportOptions", "ImportResult", "apply"]
