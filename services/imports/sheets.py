"""A workbook of one sheet per month (1月, 2月 … or one per branch or caller) is imported a
sheet at a time, each its own batch: the sheets whose columns are the ones an import just read
are found here, so the next can be imported with the same columns, not mapped again."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import ImportBatch
from services.imports.mapping import Mapping, fit_profile
from services.imports.normalise import Cell, cell_text
from services.imports.readers import HEADER_SCAN, every_sheet, find_header, header_texts
from services.store.staging import file_hash


@dataclass(frozen=True)
class AlikeSheet:
    name: str
    header_row: int  # 1-based, as found on that sheet (title rows above it may differ)
    # False: nothing below the headers (a month not begun yet), which an import refuses.
    rows: bool = True


def alike_sheets(path: Path | str, mapping: Mapping, sheet: str | None) -> list[AlikeSheet]:
    """The workbook's other visible sheets, in its order, on which every column `mapping`
    reads stands under the same header (wherever it stands there; other columns may be added
    or missing). `mapping` is as the import used it, with the headers it was read under. A
    file of one table (CSV, text, HTML) has none. One sentence for a file that cannot be
    read."""
    if not mapping.headers or not mapping.columns:
        return []
    wanted = {field for field, _ in mapping.columns}
    found = []
    with every_sheet(path, first_rows=True) as sheets:
        for each in sheets:
            if not each.name or each.name == sheet:
                continue
            top = list(itertools.islice(each.rows, HEADER_SCAN))
            index = find_header([cells for _, cells in top])
            if index is None:
                continue
            fitted = fit_profile(mapping, header_texts([cells for _, cells in top], index))
            if {field for field, _ in fitted.columns} == wanted:
                found.append(AlikeSheet(each.name, top[index][0],
                                        not _ends_at_header(top, index)))
    return found


def _ends_at_header(top: list[tuple[int, tuple[Cell, ...]]], index: int) -> bool:
    """Whether the sheet ends with its header, blank rows aside: imported, it would be
    refused, and the sheets after it not imported."""
    return len(top) < HEADER_SCAN and not any(
        cell_text(c).strip() for _, cells in top[index + 1:] for c in cells if c is not None)


def imported_sheets(sessions: sessionmaker[Session], path: Path | str, kind: str) -> set[str]:
    """The sheets of this very file (its bytes) already imported as `kind`, finished and not
    undone."""
    digest = file_hash(Path(path))
    with sessions() as s:
        return set(s.scalars(select(ImportBatch.sheet).where(
            ImportBatch.file_hash == digest, ImportBatch.kind == kind,
            ImportBatch.sheet.is_not(None), ImportBatch.finished_at.is_not(None),
            ImportBatch.undone_at.is_(None))))


def sheets_left(sessions: sessionmaker[Session], path: Path | str, mapping: Mapping,
                sheet: str | None, kind: str) -> list[AlikeSheet]:
    """alike_sheets with rows not yet imported from this file as `kind`: what is left to
    import."""
    alike = [a for a in alike_sheets(path, mapping, sheet) if a.rows]
    if not alike:
        return []
    done = imported_sheets(sessions, path, kind)
    return [a for a in alike if a.name not in done]
