"""Making a list run from a saved segment: one query, routing, callers, then the run, its
members (with what prints, as a snapshot) and its exclusions stored in one transaction.

The run is stored unfinished: whoever writes its files finishes it once they are complete
(services/lists/runs.py `finish_run`), so a process killed while writing leaves no run whose
calls are handed out without their files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import ListRun, ListRunExclusion, ListRunMember, StaffUser
from models.codes import PURPOSES
from services.labels import text
from services.lists import routing
from services.lists.query import SALES_PURPOSES, candidate_query
from services.outputs.sms import mainland_mobile
from services.outputs.types import ListMember
from services.segments import service as segments
from services.store.errors import N_, CancelToken, RevisitError
from services.store.settings import load_settings_in

Sessions = sessionmaker[Session]
CHANNEL_MODES = ("auto", "call", "mail", "sms")
LIST_TO_STORED = {"call": "phone", "sms": "sms", "mail": "mail"}
CHANNEL_RANK = {"call": 0, "mail": 1, "sms": 2}
INSERT_CHUNK = 5000
# (candidate_query row, routing.Decision). Any: a chosen decision's channel is never None, which
# the Decision type cannot say.
Routed = tuple[Any, Any]


@dataclass(frozen=True)
class RunOptions:
    channel: str = "auto"  # auto | call | mail | sms
    staff: tuple[str, ...] = ()  # usernames or display names of the callers
    split: str = "even"  # even | owner (a caller keeps their own customers)
    purpose: str | None = None  # default: the segment's purpose, else "care"
    as_of: dt.date | None = None
    created_by: int | None = None
    note: str | None = None
    overrides: dict[str, int] = field(default_factory=dict)  # e.g. {"contact_fatigue_days": 7}


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    segment: str
    as_of: dt.date
    purpose: str
    members: int
    by_channel: dict[str, int]
    by_caller: dict[str, int]
    excluded: dict[str, int]
    previous_run_id: int | None


def segment_members(sessions: Sessions, name: str, as_of: dt.date):
    """The one place list runs touch the segment engine: (segment, member query). `name` is a
    saved segment or, failing that, a template key (the template is then saved under it)."""
    seg = segments.segment_or_template(sessions, name)
    return seg, segments.member_select(seg.filter, as_of)


def _callers(session: Session, names: Sequence[str]) -> list[tuple[int, str]]:
    out = []
    for name in names:
        row = session.execute(select(StaffUser.id, StaffUser.display_name).where(
            or_(StaffUser.username == name, StaffUser.display_name == name))).first()
        if row is None:
            raise RevisitError(N_("There is no staff member '{name}' (use a username or a "
                                  "display name)."), name=name)
        out.append((row[0], row[1]))
    return out


def assign(rows: list, callers: list[tuple[int, str]], split: str) -> dict[int, int]:
    """customer id -> staff id: round-robin over the ordered list (each caller gets every time
    slot), or with split="owner" each owner keeps theirs and the rest evens the loads."""
    if not callers:
        return {}
    ids = [c[0] for c in callers]
    load = Counter({i: 0 for i in ids})
    out: dict[int, int] = {}
    if split == "owner":
        for r in rows:
            if r.owner_staff_id in load:
                out[r.customer_id] = r.owner_staff_id
                load[r.owner_staff_id] += 1
    for n, r in enumerate(r for r in rows if r.customer_id not in out):
        sid = ids[n % len(ids)] if split != "owner" else min(ids, key=lambda i: (load[i],
                                                                                 ids.index(i)))
        out[r.customer_id] = sid
        load[sid] += 1
    return out


def _salutation(r) -> str:
    title = {"M": "先生", "F": "女士"}.get(r.gender or "", "")
    return f"{r.name[:1]}{title}" if title and r.name else r.name


def _member(r, code: str, channel: str, caller: str, as_of: dt.date, note: str) -> ListMember:
    last_at = routing._date(r.last_at)
    return ListMember(
        row_code=code, name=r.name, channel=channel, caller=caller, customer_code=r.code,
        salutation=_salutation(r), mobile=mainland_mobile(r.mobile) or r.mobile,
        province=r.province, city=r.city, district=r.district, street=r.street,
        postcode=r.postcode, brand=r.brand, model=r.model, plate=r.plate,
        purchase_date=routing._date(r.purchase_date), years_owned=routing.years_owned(r, as_of),
        km=None if r.km is None else int(round(r.km)), last_contact=last_at,
        last_outcome=routing.last_outcome_label(r.last_outcome), last_feedback=r.last_feedback,
        best_time=routing.best_time(r), talking_points=routing.talking_points(r, as_of, note))


def build_run(sessions: Sessions, segment_name: str, options: RunOptions = RunOptions(), *,
              progress: Callable[[int, int], None] | None = None,
              cancel: CancelToken | None = None) -> RunSummary:
    if options.channel not in CHANNEL_MODES:
        raise RevisitError(N_("Unknown channel '{channel}' (use call, mail, sms or auto)."),
                           channel=options.channel)
    as_of = options.as_of or dt.date.today()
    seg, member_query = segment_members(sessions, segment_name, as_of)
    purpose = options.purpose or seg.info.purpose or "care"
    if purpose not in PURPOSES:
        raise RevisitError(N_("Unknown purpose '{purpose}' (known: {known})."),
                           purpose=purpose, known=", ".join(PURPOSES))
    forced = None if options.channel == "auto" else options.channel
    with sessions.begin() as s:
        st = load_settings_in(s)
        if options.overrides:
            changes: dict[str, Any] = dict(options.overrides)  # any Settings field by name
            st = dataclasses.replace(st, **changes)
        callers = _callers(s, options.staff)
        rows = s.execute(candidate_query(member_query, as_of, purpose)).all()
        if cancel:
            cancel.check()
        sales = purpose in SALES_PURPOSES
        chosen: list[Routed] = []
        excluded: list[Routed] = []
        for r in rows:
            d = routing.decide(r, forced, st, as_of, sales)
            (chosen if d.channel else excluded).append((r, d))
        chosen.sort(key=lambda rd: (CHANNEL_RANK[rd[1].channel], routing.order_key(rd[0])))
        # One family, one phone: a number gets one SMS.
        seen: dict[str, int] = {}
        kept = []
        for r, d in chosen:
            mobile = mainland_mobile(r.mobile) if d.channel == "sms" else None
            if mobile and mobile in seen:
                excluded.append((r, routing.Decision(None, "same_mobile",
                                                     f"与客户 {seen[mobile]} 同一手机号")))
                continue
            if mobile:
                seen[mobile] = r.code
            kept.append((r, d))
        call_rows = [r for r, d in kept if d.channel == "call"]
        staff_of = assign(call_rows, callers, options.split)
        names: dict[int | None, str] = dict(callers)  # None: not assigned to a caller
        by_caller: dict[str, list[Routed]] = {name: [] for _, name in callers}
        for r, d in kept:
            if d.channel == "call" and r.customer_id in staff_of:
                by_caller[names[staff_of[r.customer_id]]].append((r, d))
        ordered = [rd for group in by_caller.values() for rd in group]
        ordered += [(r, d) for r, d in kept if d.channel != "call" or r.customer_id not in
                    staff_of]
        # The last finished run: an unfinished one (its files never completed) was never
        # this week's work, so "who is new" compares with the run staff actually had.
        previous = s.scalar(select(ListRun.id).where(ListRun.segment_id == seg.info.id,
                                                     ListRun.finished_at.is_not(None))
                            .order_by(ListRun.created_at.desc(), ListRun.id.desc()).limit(1))
        run = ListRun(segment_id=seg.info.id, segment_name=seg.info.name,
                      filter_json=seg.filter_json, as_of=as_of, purpose=purpose,
                      channel_mode=options.channel, previous_run_id=previous,
                      created_by=options.created_by, note=options.note,
                      settings_json=json.dumps({**asdict(st), "staff": list(options.staff),
                                                "split": options.split}, ensure_ascii=False,
                                               default=str))
        s.add(run)
        s.flush()
        width = max(4, len(str(len(ordered))))
        total = len(ordered) + len(excluded)
        position: Counter = Counter()
        batch: list[dict] = []
        # Rows (with their JSON snapshots) are written a chunk at a time, so a very large run
        # never holds every snapshot in memory at once.
        for n, (r, d) in enumerate(ordered, start=1):
            code = f"{run.id}-{n:0{width}d}"
            sid = staff_of.get(r.customer_id) if d.channel == "call" else None
            position[sid] += 1
            item = _member(r, code, d.channel, names.get(sid, ""), as_of, d.note)
            batch.append(dict(
                run_id=run.id, customer_id=r.customer_id, vehicle_id=r.vehicle_id,
                channel=LIST_TO_STORED[d.channel], assigned_staff_id=sid,
                position=position[sid], row_code=code, attempts=0, status="open",
                snapshot=json.dumps(item.to_data(), ensure_ascii=False)))
            if len(batch) == INSERT_CHUNK:
                s.execute(insert(ListRunMember), batch)
                batch.clear()
                if cancel:
                    cancel.check()
                if progress:
                    progress(n, total)
        if batch:
            s.execute(insert(ListRunMember), batch)
        for chunk in range(0, len(excluded), INSERT_CHUNK):
            s.execute(insert(ListRunExclusion), [dict(
                run_id=run.id, customer_id=r.customer_id, reason=d.reason,
                detail=d.detail[:200],
                snapshot=json.dumps({"name": r.name, "code": r.code, "mobile": r.mobile},
                                    ensure_ascii=False))
                for r, d in excluded[chunk:chunk + INSERT_CHUNK]])
        if cancel:
            cancel.check()
        if progress:
            progress(len(ordered) + len(excluded), len(ordered) + len(excluded))
        return RunSummary(
            run.id, seg.info.name, as_of, purpose, len(ordered),
            dict(Counter(d.channel for _, d in ordered)),
            {name: len(g) for name, g in by_caller.items()},
            {text("exclusion", k): v for k, v in Counter(d.reason for _, d in excluded)
             .most_common()},
            previous)
