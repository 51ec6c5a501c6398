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
# The work words an item and a visit write in either order or leave out (建议更换前刹车片,
# 前刹车片更换, 做四轮定位): what is left names the part.
_ACTION = re.compile(r"^(?:建议|推荐|需要|需)?(?:更换|换|检查|检修|维修|修理|清洗|调整|处理|做)?")
# A finding written before the advice (减震器渗油，建议更换), or the work after the part
# (节气门清洗): the part is what has the fault or gets the work.
_FAULT = re.compile(r"(?:渗油|漏油|渗水|漏水|磨损|老化|破损|损坏|异响|松动|裂纹|龟裂|鼓包|偏薄|过薄"
                    r"|不足|过低|变形|锈蚀|失效|堵塞|过脏|亏电|更换|清洗|检查|检修|维修|修理|调整"
                    r"|处理)$")
_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")
# Which side or end of the car (前刹车片, 左后视镜): work on the rear pads is not the front's.
_SIDES = frozenset("前后左右")


def work_key(text: str) -> str:
    """A text as its words alone: spaces and punctuation left out, letters in small case."""
    return _NOT_WORDS.sub("", nfkc(text)).lower()


def _part(key: str) -> tuple[str, frozenset[str]]:
    """(the part a work key names, the sides it says): 更换前刹车片 -> (刹车片, {前})."""
    core = _FAULT.sub("", _ACTION.sub("", key))
    return "".join(c for c in core if c not in _SIDES), frozenset(c for c in core if c in _SIDES)


def work_done(work: str) -> list[tuple[str, frozenset[str]]]:
    """The clauses of a visit's work text that say work was done, each as the part it names
    and its sides (_part): those with a word that says it was not (建议, 下次…) are left out."""
    return [_part(work_key(clause)) for clause in _CLAUSES.split(nfkc(work))
            if not any(w in clause.lower() for w in _NOT_DONE)]


def done_in(item: str, done: list[tuple[str, frozenset[str]]]) -> bool:
    """Whether a visit's work done (`work_done`) says the declined `item` was done: each part
    the item names (its clauses' parts; a clause of advice alone, 建议更换, names none) is
    named by a clause of the work, on no other side. A note in brackets (两条) is no part, but
    a side in them is (刹车片（前）)."""
    text = nfkc(item)
    sides = frozenset(c for note in _BRACKETED.findall(text) for c in note if c in _SIDES)
    parts = [_part(work_key(clause)) for clause in _CLAUSES.split(_BRACKETED.sub("", text))]
    parts = [(part, said | sides) for part, said in parts if part]
    if not parts or any(len(part) < 2 for part, _ in parts):
        return False  # one character says too little to close anything
    return all(any(part in name and (not theirs or said <= theirs) for name, theirs in done)
               for part, said in parts)


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
