"""The one sentence for a customer who is no longer there when a save or a page reaches them:
merged into another since they were opened (who did it, when, and which customer to open
instead), or removed. An internal id means nothing to staff, so none is shown."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Customer, CustomerMerge
from services.store.errors import N_, RevisitError
from services.store.versions import staff_name, when_text

MERGED = (
    N_("{who} merged customer {merged} into {kept} at {when}, since you opened it; open {kept} "
       "to go on."),
    N_("Customer {merged} was merged into {kept} at {when}, since you opened it; open {kept} "
       "to go on."),
)
REMOVED = N_("This customer is no longer in the database (removed since you opened them); "
             "search again to go on.")
# Merges followed from one kept customer to the next (a kept customer merged again later).
MOST_MERGES_FOLLOWED = 20


def customer_gone(s: Session, customer_id: int) -> RevisitError:
    """Why `customer_id` is not there, as the error to raise."""
    first = _merge_of(s, customer_id)
    if first is None:
        return RevisitError(REMOVED)
    merge, kept_code = first, None
    for _ in range(MOST_MERGES_FOLLOWED):
        kept_code = s.scalar(select(Customer.code).where(Customer.id == merge.kept_id))
        later = None if kept_code is not None else _merge_of(s, merge.kept_id)
        if later is None:
            break
        merge = later
    with_who, without = MERGED
    who = staff_name(s, first.staff_id)
    params = {"merged": first.merged_code, "kept": kept_code or merge.merged_code,
              "when": when_text(first.merged_at)}
    return RevisitError(with_who, who=who, **params) if who else RevisitError(without, **params)


def _merge_of(s: Session, customer_id: int) -> CustomerMerge | None:
    return s.scalars(select(CustomerMerge)
                     .where(CustomerMerge.merged_id == customer_id,
                            CustomerMerge.undone_at.is_(None))
                     .order_by(CustomerMerge.id.desc()).limit(1)).first()
