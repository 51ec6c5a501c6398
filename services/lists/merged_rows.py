"""Rows of a call list printed before two of its customers were merged (a duplicate merged
into the customer kept, services/customers/merge.py), read back: the merge gives the merged
customer's place on a list to the kept customer, so such a row names the merged customer's
客户编号 beside a member that is now the kept customer's, and its call is the kept customer's;
when the kept customer had a place on that list already, the merged customer's place was
removed (kept in the merge's record), and its row is said to be that customer's, merged away,
not a row of no list."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Customer, CustomerMerge, ListRun, ListRunMember
from services.lists.outcome_notes import Problem, where
from services.staff.audit import local_time

# Merges followed from a customer to the one it became (or back): a customer merged into one
# merged in turn, and so on; more is no chain staff make.
CHAIN = 10


@dataclass(frozen=True)
class Merged:
    """Customer `code` merged away (merge #`merge_id`, on `day` of this PC's calendar), and
    the merges since of the customer it was merged into, in turn (`then`: id and day)."""

    merge_id: int
    code: str
    day: dt.date
    then: tuple[tuple[int, dt.date], ...] = ()

    def when(self, lang: str) -> str:
        """When: "on 2026-12-07 (merge #3)", or each merge of a chain, with its day."""
        if not self.then:
            return (f"on {self.day} (merge #{self.merge_id})" if lang == "en"
                    else f"（{self.day}，合并 #{self.merge_id}）")
        steps = ((self.merge_id, self.day), *self.then)
        if lang == "en":
            return "(" + ", then ".join(f"merge #{i} on {d}" for i, d in steps) + ")"
        return "（" + "，".join(f"{d} 合并 #{i}" for i, d in steps) + "）"


def _merged(merge: CustomerMerge) -> Merged:
    return Merged(merge.id, merge.merged_code, local_time(merge.merged_at).date())


def merged_into(s: Session, customer_ids: set[int]) -> dict[int, list[Merged]]:
    """For each customer of `customer_ids`, the customers merged into them (merges not undone),
    directly or into a customer merged into them since."""
    found: dict[int, list[Merged]] = {c: [] for c in customer_ids}
    became = {c: c for c in customer_ids}  # a customer merged away -> who they are now
    steps: dict[int, tuple[tuple[int, dt.date], ...]] = {}  # their merges, to who they are
    frontier = set(customer_ids)
    for _ in range(CHAIN):
        if not frontier:
            break
        merges = s.scalars(select(CustomerMerge).where(
            CustomerMerge.kept_id.in_(sorted(frontier)), CustomerMerge.undone_at.is_(None))
            .order_by(CustomerMerge.id)).all()
        frontier = set()
        for merge in merges:
            if merge.merged_id in became:
                continue
            became[merge.merged_id] = became[merge.kept_id]
            step = _merged(merge)
            # The kept customer merged away in turn: their merges follow this one.
            after = steps.get(merge.kept_id, ())
            steps[merge.merged_id] = ((step.merge_id, step.day), *after)
            found[became[merge.kept_id]].append(replace(step, then=after))
            frontier.add(merge.merged_id)
    return found


def now_is(s: Session, customer_id: int) -> tuple[int, tuple[tuple[int, dt.date], ...]]:
    """The customer `customer_id` is now (itself, or the one it was merged into, in turn), and
    the merges that made it so (id and day)."""
    steps: list[tuple[int, dt.date]] = []
    for _ in range(CHAIN):
        merge = s.scalars(select(CustomerMerge).where(
            CustomerMerge.merged_id == customer_id, CustomerMerge.undone_at.is_(None))
            .order_by(CustomerMerge.id.desc()).limit(1)).first()
        if merge is None:
            break
        step = _merged(merge)
        steps.append((step.merge_id, step.day))
        customer_id = merge.kept_id
    return customer_id, tuple(steps)


@dataclass(frozen=True)
class Removed:
    """A list place a merge removed: the customer merged away, the code of the customer they
    are now, and that customer's own row code on the same list (None: none now)."""

    merged: Merged
    kept_code: str | None
    kept_row: str | None


def removed_places(s: Session, keys: set[tuple[int, str]]) -> dict[str, Removed]:
    """The places (list run, row code) of `keys` that a merge removed, by row code: those of
    customers merged into one who had a place on the same list already."""
    if not keys:
        return {}
    since = s.scalar(select(ListRun.created_at).where(
        ListRun.id.in_(sorted({run for run, _ in keys}))).order_by(ListRun.created_at).limit(1))
    if since is None:  # no such list: no merge removed a place of it
        return {}
    found: dict[str, Removed] = {}
    for merge in s.scalars(select(CustomerMerge).where(
            CustomerMerge.undone_at.is_(None), CustomerMerge.merged_at >= since)
            .order_by(CustomerMerge.id)):
        removed = json.loads(merge.detail).get("removed", {}).get("list_run_member", [])
        for place in removed:
            key = (place.get("run_id"), place.get("row_code"))
            if key not in keys or key[1] in found:
                continue
            kept, then = now_is(s, merge.kept_id)
            found[key[1]] = Removed(
                replace(_merged(merge), then=then),
                s.scalar(select(Customer.code).where(Customer.id == kept)),
                s.scalar(select(ListRunMember.row_code).where(
                    ListRunMember.run_id == key[0], ListRunMember.customer_id == kept)))
    return found


def read_as_kept(number: int, sheet: str, code: str, merged: Merged, kept_code: str
                 ) -> Problem:
    """A note: row `number` (`code`) names customer `merged.code`, merged into `kept_code`
    since the list was printed, and is read as `kept_code`'s (its contact theirs)."""
    return where(0, sheet,
                 f"row {number} ({code}): customer {merged.code} was merged into {kept_code} "
                 f"{merged.when('en')}, so the row is read as {kept_code}'s",
                 f"第 {number} 行（{code}）：客户 {merged.code} 已合并到 {kept_code}"
                 f"{merged.when('zh')}，本行按 {kept_code} 读取")


def place_removed(number: int, sheet: str, code: str, removed: Removed) -> Problem:
    """Row `number`'s problem: its place (`code`) was a customer's merged into one who had a
    place on the same list, and was removed by the merge. Not stored: the kept customer's own
    row says their call, and a call to the duplicate (perhaps to its other number) is not it."""
    merged, kept = removed.merged, removed.kept_code or "?"
    also_en = f", who is on this list as row {removed.kept_row}" if removed.kept_row else ""
    also_zh = f"，{kept} 在本名单中是编号 {removed.kept_row}" if removed.kept_row else ""
    return where(number, sheet,
                 f"row {code} was customer {merged.code}'s, who was merged into {kept} "
                 f"{merged.when('en')}{also_en}; not stored: if this call was made, record it "
                 f"on {kept}'s page",
                 f"编号 {code} 原是客户 {merged.code}，该客户已合并到 {kept}{merged.when('zh')}"
                 f"{also_zh}：本行未保存；如确已联系，请在 {kept} 的客户页面登记")
