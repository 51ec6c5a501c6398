"""A visit's 建议维修项目 (work advised and not done) as declined repairs of it, and those a
later visit's work says were done closed as done."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from models import Base
from services.imports.context import Context
from services.imports.lookup import Lookup
from services.imports.normalise import nfkc
from services.imports.results import DECLINED_DONE, Issue, RowResult


def declined(ctx: Context, lk: Lookup, rows: list[tuple[RowResult, dict[str, Any],
                                                        dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each item of a visit's 建议维修项目 as a declined repair of that visit, recorded on the
    visit's day and open; an item the visit has already (stored, or from an earlier row of the
    file: a DMS repeats the work order's advice on each of its lines) is not added again,
    whether it is still open or was closed since. The items added."""
    added: list[dict[str, Any]] = []
    earlier = [v["id"] for _, _, v in rows if v["id"] not in ctx.writer.created["service_visit"]]
    t = Base.metadata.tables["declined_item"]
    ctx.declined |= lk.pairs(t.c.visit_id, t.c.item, t.c.visit_id, earlier)
    for result, v, visit in rows:
        ctx.writer.row = result
        new = [item for item in v["declined"] if (visit["id"], item) not in ctx.declined]
        due = v.get("declined_due")
        if new and due is not None and due < visit["visit_date"]:
            result.issues.append(Issue("declined_due_before_visit", "declined_due", "warning"))
            due = None
        for item in new:
            ctx.declined.add((visit["id"], item))
            added.append(ctx.writer.insert("declined_item", {
                "customer_id": visit["customer_id"], "vehicle_id": visit["vehicle_id"],
                "visit_id": visit["id"], "item": item, "recorded_on": visit["visit_date"],
                "source": "visit", "due_on": due, "status": "open", "closed_on": None,
                "recorded_by": ctx.staff_id, "closed_by": None, "note": ctx.note,
                "created_at": ctx.writer.now}))
            result.changes.append(("declined", None, item))
        result.settle()
    return added


# Words of a clause of a visit's work that say its work was not done: advised, refused, left
# for next time ("建议更换刹车片" is no brake pads changed).
_NOT_DONE = ("建议", "拒绝", "拒修", "未做", "未修", "未换", "未更换", "不做", "不修", "不换",
             "暂不", "下次", "待修", "推荐", "declined", "advised", "recommend")
# Where a visit's work text parts into clauses: punctuation, lines, numbering (1. 2、 (3), not
# the 3.5 of 3.5L).
_CLAUSES = re.compile(r"[；;，,。\n\r]|\(?\d+[.、．)）](?!\d)")
_NOT_WORDS = re.compile(r"[\W_]+")
# How an advisor's item may begin ("建议更换刹车片"), the work then written without it.
_ADVISED = re.compile(r"^(?:建议|推荐|需要|需)")


def work_key(text: str) -> str:
    """A text as its words alone: spaces and punctuation left out, letters in small case."""
    return _NOT_WORDS.sub("", nfkc(text)).lower()


def work_done(work: str) -> list[str]:
    """The clauses of a visit's work text that say work was done, each as work_key has it:
    those with a word that says it was not (建议, 下次…) are left out."""
    return [work_key(clause) for clause in _CLAUSES.split(nfkc(work))
            if not any(w in clause.lower() for w in _NOT_DONE)]


def done_in(item: str, done: list[str]) -> bool:
    """Whether a visit's work done (`work_done`) says the declined `item` was done: a clause
    holds the item's words, spaces and punctuation aside."""
    key = work_key(_ADVISED.sub("", nfkc(item).strip()))
    if len(key) < 2:  # one character says too little to close anything
        return False
    return any(key in clause for clause in done)


def declined_done(ctx: Context, lk: Lookup,
                   rows: list[tuple[RowResult, dict[str, Any], dict[str, Any]]],
                   added: list[dict[str, Any]]) -> None:
    """An open declined repair of the visit's car (or its customer's, noted without one) that a
    later visit's work says was done is closed as done on that visit's day: the reminder to
    call about it ends. Items staff closed stay as they closed them; undo opens them again."""
    t = Base.metadata.tables["declined_item"]
    # Each open item once, by customer and id: stored ones, and this chunk's not yet written.
    items: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in [*lk.rows(t, t.c.customer_id, {v["customer_id"] for _, _, v in rows},
                         t.c.status == "open"), *added]:
        items[row["customer_id"]].setdefault(row["id"], row)
    for result, values, visit in rows:
        ctx.writer.row = result
        done = work_done(values["note"])
        for item in items.get(visit["customer_id"], {}).values():
            if item["status"] != "open" or item["visit_id"] == visit["id"] \
                    or item["recorded_on"] >= visit["visit_date"] \
                    or item["vehicle_id"] not in (None, visit["vehicle_id"]) \
                    or not done_in(item["item"], done):
                continue
            old = {"status": "open", "closed_on": None, "closed_by": None}
            new = {"status": "done", "closed_on": visit["visit_date"], "closed_by": ctx.staff_id}
            item.update(new)  # a row still waiting to be inserted is written as it is now
            ctx.writer.amend("declined_item", item["id"], dict(new), old)
            result.changes.append((DECLINED_DONE, None, item["item"]))
        result.settle()
