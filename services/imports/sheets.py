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
from services.imports.readers import HEADER_SCAN, every_sheet, find_header, header_texts
from services.store.staging import file_hash


@dataclass(frozen=True)
class AlikeSheet:
    name: str
    header_row: int  # 1-based, as found on that sheet (title rows above it may differ)


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
                found.append(AlikeSheet(each.name, top[index][0]))
    return found


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
    """alike_sheets not yet imported from this file as `kind`: what is left to import."""
    alike = alike_sheets(path, mapping, sheet)
    if not alike:
        return []
    done = imported_sheets(sessions, path, kind)
    return [a for a in alike if a.name not in done]
