"""Customer merges: which duplicate was merged into which, by whom, and exactly what moved, so a
merge can be undone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class CustomerMerge(Base):
    """One merge of `merged_id` into `kept_id`. Neither is a foreign key: the merged customer's
    row is deleted by the merge (its full row is in `detail`), and the kept one may later be
    merged away itself, while the record must stay. `detail` is JSON: the merged customer's row,
    the primary keys of every row moved per table, the rows removed because the kept customer
    already had their like (preferences, a tag, a place on the same list run), and the kept
    customer's fields before and after they were filled (services/customers/merge.py)."""

    __tablename__ = "customer_merge"
    __table_args__ = (
        Index("ix_customer_merge_kept_id", "kept_id"),
        Index("ix_customer_merge_merged_id", "merged_id"),
        Index("ix_customer_merge_merged_code", "merged_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int]
    merged_id: Mapped[int]
    # The merged customer's code, so "C0001234 was merged into …" can be said after it is gone.
    merged_code: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    merged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Evidence codes the pair was found with (services/customers/duplicates.py), comma-separated.
    evidence: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text)
    undone_at: Mapped[dt.datetime | None]
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
