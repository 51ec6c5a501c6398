"""Imports (导入): one batch per file read, what each batch created and changed (so a whole batch
can be undone), and the column mappings staff saved under a name."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow
from models.codes import IMPORT_KINDS


class ImportBatch(Base):
    """One file imported: which file (name and SHA-256 of its bytes), of which kind, by whom,
    when, and what came of its rows. Stored first, then its rows a chunk at a time, each chunk
    committed with the record of what it created and changed (for undo)."""

    __tablename__ = "import_batch"
    __table_args__ = (
        one_of("kind", IMPORT_KINDS),
        Index("ix_import_batch_file_hash", "file_hash"),
        Index("ix_import_batch_imported_at", "imported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(255))
    file_hash: Mapped[str] = mapped_column(String(64))
    sheet: Mapped[str | None] = mapped_column(String(100))
    # The mapping used (field key -> column), as JSON.
    mapping_json: Mapped[str] = mapped_column(Text, default="{}")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_created: Mapped[int] = mapped_column(default=0)
    rows_updated: Mapped[int] = mapped_column(default=0)
    rows_unchanged: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    # Records written, by table, as JSON ({"customer": 120, "vehicle": 131, ...}).
    records_json: Mapped[str] = mapped_column(Text, default="{}")
    undone_at: Mapped[dt.datetime | None]
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Set when the last chunk is in; NULL: still running, or its process was killed.
    finished_at: Mapped[dt.datetime | None]


class ImportCreated(Base):
    """Rows a batch inserted, as runs of ids per table (ids are handed out in runs, so a file of
    100,000 customers is a handful of rows here)."""

    __tablename__ = "import_created"
    __table_args__ = (Index("ix_import_created_table_ids", "table_name", "first_id", "last_id"),)

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), primary_key=True
    )
    table_name: Mapped[str] = mapped_column(String(30), primary_key=True)
    first_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int]


class ImportChange(Base):
    """One value a batch changed in a row it did not create: the value before (to restore on
    undo) and the value it wrote (to tell whether someone changed it since), as text."""

    __tablename__ = "import_change"
    __table_args__ = (
        Index("ix_import_change_batch", "batch_id", "table_name", "row_id"),
        Index("ix_import_change_row", "table_name", "row_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(String(30))
    row_id: Mapped[int]
    column_name: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class ImportMapping(Base):
    """A column mapping saved under a name, for the next file of the same kind and layout."""

    __tablename__ = "import_mapping"
    __table_args__ = (
        one_of("kind", IMPORT_KINDS),
        UniqueConstraint("kind", "name", name="uq_import_mapping_kind_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))
    # services/imports/mapping.py Mapping.to_json(), plus the header texts it was made from.
    mapping_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
