"""Stored list runs: re-print one exactly as made (from its snapshots), show it, compare it
with the previous run of the same segment (who is new, who dropped out), and finish it.

A run is stored unfinished (`finished_at` NULL) and finished by whoever writes its files once
they are all complete (`finish_run`): the CLI after `list build` or `list print` wrote every
file, the window once it shows the new run (its files are saved on demand, each one whole). A
process killed in between leaves an unfinished run: its calls are in nobody's follow-up queue
and it is never "the previous run" of a later one, until a re-print finishes it, or its files
are found complete at their names (`finish_if_complete`: killed after they were put in place,
before the run was marked). Unfinished runs are kept, not deleted when the segment is built
again: their files may already be on paper, and outcomes read back from them still belong to
their members."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from models import Customer, DoNotContact, ListRun, ListRunExclusion, ListRunMember, StaffUser
from models.base import utcnow
from services.labels import text
from services.lists.query import refuses
from services.lists.routing import CHANNEL_RANK, STORED_TO_LIST
from services.lists.shown import segment_in
from services.lists.snapshot import SHARED, SNAPSHOT_KEYS, refused_since_detail
from services.outputs.types import NO_STEPS, Excluded, ListDocument, ListMember, Steps
from services.segments.derived import refusal_in_force
from services.segments.sqlx import bytewise
from services.staff.audit import audit, record
from services.staff.permissions import WITHDRAW_LISTS, Actor, NotAllowed
from services.store.errors import N_, RevisitError
from services.store.settings import Settings, load_settings_in
from services.store.staging import file_hash
from services.store.versions import when_text

Sessions = sessionmaker[Session]
TITLE = "回访名单"
SUPERSEDED = N_("List run #{run} was replaced by run #{newer}, built later from the same "
                "segment, so it stays unfinished and its calls stay out of the queues: nobody "
                "is called twice.")
STILL_WITHDRAWN = N_("List run #{run} was replaced by run #{newer}, built later from the same "
                     "segment, so it stays withdrawn: nobody is called twice.")


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    segment: str
    as_of: dt.date
    purpose: str
    channel_mode: str
    created_at: dt.datetime
    previous_run_id: int | None
    by_channel: dict[str, int]
    excluded: dict[str, int]  # reason code (services/labels.py kind "exclusion") -> count
    new: tuple[str, ...]  # "code name" of customers not in the previous run
    dropped: tuple[str, ...]
    finished_at: dt.datetime | None = None  # None: unfinished (see the module docstring)
    withdrawn_at: dt.datetime | None = None  # set: withdrawn (withdraw_run)
    created_by: int | None = None
    # The later run that replaced this one while it was unfinished or withdrawn (_replaced_by),
    # and the unfinished runs this one replaced, which stay out of the queues for good.
    replaced_by: int | None = None
    replaces: tuple[int, ...] = ()

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@dataclass(frozen=True)
class RunRow:
    """One line of the recent runs."""

    run_id: int
    segment: str
    as_of: dt.date
    members: int
    finished: bool
    withdrawn: bool = False
    purpose: str = ""
    made_by: str = ""  # who built it: their display name, else their user name
    contacted: int = 0  # members tried at least once (an unanswered call counts)
    replaced_by: int | None = None  # as RunInfo.replaced_by


@dataclass(frozen=True)
class OpenedRun:
    info: RunInfo
    document: ListDocument
    settings: Settings


def _run(session: Session, run_id: int) -> ListRun:
    run = session.get(ListRun, run_id)
    if run is None:
        raise RevisitError(N_("There is no list run #{run}."), run=run_id)
    return run


def load_document(sessions: Sessions, run_id: int) -> ListDocument:
    """The run as it was printed: members in stored order (calls by caller, then mail, then
    SMS) and exclusions, all from the snapshots taken when the run was made; a member who has
    refused since is among the left out instead (_document)."""
    with sessions() as s:
        return _document(s, run_id)


def _document(s: Session, run_id: int, steps: Steps = NO_STEPS,
              today: dt.date | None = None) -> ListDocument:
    """The run as stored, less the members who refused since it was made (_refused_since):
    they are listed among the left out instead, so no re-printed sheet or SMS file reaches
    them."""
    m, x = ListRunMember, ListRunExclusion
    # The sheet's channel order, as the build orders its own document.
    rank = case({stored: CHANNEL_RANK[listed] for stored, listed in STORED_TO_LIST.items()},
                value=m.channel, else_=len(CHANNEL_RANK))
    run = _run(s, run_id)
    refused = _refused_since(s, run, today or dt.date.today())
    total = 0 if steps is NO_STEPS else s.scalar(
        select(func.count()).select_from(m).where(m.run_id == run_id)) or 0
    order = (rank, m.id)
    left: list[Excluded] = []
    if not refused:  # as nearly always: the snapshots alone
        snaps = s.scalars(select(m.snapshot).where(m.run_id == run_id).order_by(*order),
                          execution_options={"yield_per": 2000})
        members = tuple(_members(snaps, steps, total))
    else:
        rows = s.execute(select(m.customer_id, m.channel, m.snapshot)
                         .where(m.run_id == run_id).order_by(*order),
                         execution_options={"yield_per": 2000})
        kept = []
        read = _reader()
        for customer_id, channel, raw in steps.counted(rows, total=total):
            if not raw:
                continue
            member = read(raw)
            refusal = _refusal(refused.get(customer_id, ()), channel)
            if refusal is None:
                kept.append(member)
                continue
            set_on, reason = refusal
            left.append(Excluded(member.name, "refused_since", text("exclusion", "refused_since"),
                                 refused_since_detail(set_on, reason), member.customer_code,
                                 member.mobile))
        members = tuple(kept)
    # Reasons in byte order on both databases (a build's own document sorts them so too).
    exc = s.execute(select(x.reason, x.detail, x.snapshot).where(x.run_id == run_id)
                    .order_by(bytewise(x.reason), x.id)).all()
    excluded = []
    for reason, detail, snap in exc:
        who = json.loads(snap or "{}")
        excluded.append(Excluded(who.get("name", ""), reason, text("exclusion", reason),
                                 detail or "", who.get("code", ""), who.get("mobile")))
    if left:  # among the stored ones, in the reasons' order (stable: each group as it was)
        excluded = sorted(excluded + left, key=lambda e: e.reason.encode())
    return document_of(run, members, excluded)


Refusal = tuple[str | None, dt.date, str]  # the channel (None: every one), since, why


def _refused_since(s: Session, run: ListRun, today: dt.date) -> dict[int, list[Refusal]]:
    """The refusals recorded after `run` was made that block its purpose and are in force on
    `today` (or on the run's own day, if that is later), by customer: a handful at most, read
    from the refusals alone. The callers' queue leaves such customers out too
    (services/contacts/calls.py)."""
    d = DoNotContact
    on = max(today, run.as_of)
    found: dict[int, list[Refusal]] = {}
    for customer_id, channel, set_on, reason in s.execute(
            select(d.customer_id, d.channel, d.set_on, d.reason)
            .where(d.created_at > run.created_at, *refusal_in_force(on), refuses(run.purpose))
            .order_by(d.set_on, d.id)):
        found.setdefault(customer_id, []).append((channel, set_on, reason))
    return found


def _refusal(refusals: Sequence[Refusal], channel: str) -> tuple[dt.date, str] | None:
    """The first of a customer's `refusals` that closes the member's stored `channel`."""
    for of, set_on, reason in refusals:
        if of is None or of == channel:
            return set_on, reason
    return None


def document_of(run: ListRun, members: Sequence[ListMember], excluded: Sequence[Excluded]
                ) -> ListDocument:
    # The files are in Chinese: a run of a template stored by its key and name before
    # December 2026 is printed by its name alone, as runs are now.
    return ListDocument(TITLE, segment_in(run.segment_name, "zh"), run.id, run.as_of,
                        run.created_at, text("purpose", run.purpose), tuple(members),
                        tuple(excluded), run.purpose)


def _members(snapshots, steps: Steps = NO_STEPS, total: int = 0) -> Iterator[ListMember]:
    """Members read back one by one from their JSON, never all the JSON text at once."""
    read = _reader()
    for raw in steps.counted(snapshots, total=total):
        if raw:
            yield read(raw)


def _reader() -> Callable[[str], ListMember]:
    """Reads a member back from its JSON, with one string object for each value many members
    share (SHARED)."""
    shared: dict[str, str] = {}
    at = [SNAPSHOT_KEYS.index(key) for key in SHARED]

    def read(raw: str) -> ListMember:
        data = json.loads(raw)
        if isinstance(data, dict):  # as runs stored before their values' list
            for key in SHARED:
                value = data.get(key)
                if value is not None:
                    data[key] = shared.setdefault(value, value)
            return ListMember.from_data(data)
        for i in at:
            value = data[i]
            if value is not None:
                data[i] = shared.setdefault(value, value)
        return ListMember.from_values(data)

    return read


def _names(session: Session, run_id: int, other: int | None) -> tuple[str, ...]:
    m, o = ListRunMember, ListRunMember.__table__.alias("o")
    query = (select(Customer.code, Customer.name).join(m, m.customer_id == Customer.id)
             .where(m.run_id == run_id).order_by(Customer.code))
    if other is not None:
        query = query.where(~select(o.c.id).where(o.c.run_id == other,
                                                  o.c.customer_id == m.customer_id).exists())
    return tuple(f"{c} {n}" for c, n in session.execute(query))


def run_info(sessions: Sessions, run_id: int) -> RunInfo:
    with sessions() as s:
        return _info(s, run_id)


def _info(s: Session, run_id: int) -> RunInfo:
    run = _run(s, run_id)
    by_channel = dict(s.execute(select(ListRunMember.channel, func.count())
                                .where(ListRunMember.run_id == run_id)
                                .group_by(ListRunMember.channel)).all())
    excluded = dict(s.execute(select(ListRunExclusion.reason, func.count())
                              .where(ListRunExclusion.run_id == run_id)
                              .group_by(ListRunExclusion.reason)).all())
    prev = run.previous_run_id
    new = _names(s, run_id, prev) if prev else ()
    dropped = _names(s, prev, run_id) if prev else ()
    replaced_by = (s.scalar(select(_replaced_by(run.id, run.segment_id)))
                   if (run.finished_at is None or run.withdrawn_at is not None)
                   and run.segment_id is not None else None)
    return RunInfo(run.id, run.segment_name, run.as_of, run.purpose, run.channel_mode,
                   run.created_at, prev, by_channel,
                   excluded, new, dropped, run.finished_at, run.withdrawn_at, run.created_by,
                   replaced_by, _replaced_unfinished(s, run))


def open_run(sessions: Sessions, run_id: int, steps: Steps = NO_STEPS) -> OpenedRun:
    """Everything the window shows of a stored run, read in one session: its facts, the
    document every file is printed from, and the settings the files are written with.
    `steps` hears how many members are read (148,761 of a whole-base run take 4 s)."""
    with sessions() as s:
        return OpenedRun(_info(s, run_id), _document(s, run_id, steps), load_settings_in(s))


def list_runs(sessions: Sessions, limit: int = 50) -> tuple[RunRow, ...]:
    """Recent runs, newest first, each with who made it and how far its contacts are."""
    m = ListRunMember
    with sessions() as s:
        n = (select(func.count()).where(m.run_id == ListRun.id)
             .correlate(ListRun).scalar_subquery())
        contacted = (select(func.count()).where(m.run_id == ListRun.id,
                                                or_(m.attempts > 0, m.status != "open"))
                     .correlate(ListRun).scalar_subquery())
        replaced = _replaced_by(ListRun.id, ListRun.segment_id).correlate(ListRun)
        rows = s.execute(select(ListRun.id, ListRun.segment_name, ListRun.as_of, n,
                                ListRun.finished_at, ListRun.withdrawn_at, ListRun.purpose,
                                func.coalesce(func.nullif(StaffUser.display_name, ""),
                                              StaffUser.username), contacted,
                                case((or_(ListRun.finished_at.is_(None),
                                          ListRun.withdrawn_at.is_not(None)), replaced)))
                         .outerjoin(StaffUser, StaffUser.id == ListRun.created_by)
                         .order_by(ListRun.id.desc()).limit(limit)).all()
        return tuple(RunRow(i, seg, as_of, members, done is not None, gone is not None,
                            purpose, who or "", reached, newer)
                     for i, seg, as_of, members, done, gone, purpose, who, reached, newer
                     in rows)


def is_finished(sessions: Sessions, run_id: int) -> bool:
    with sessions() as s:
        return _run(s, run_id).finished_at is not None


def finish_run(sessions: Sessions, run_id: int) -> bool:
    """Mark the run finished, once every file asked for is complete: its calls join the
    callers' queues. False when it already was finished (a re-print of a finished run).
    Refused for an unfinished run a later finished run of its segment replaced: finishing it
    would put the same customers in the queues twice."""
    with sessions.begin() as s:
        return _mark_finished(s, run_id) is not None


def _mark_finished(s: Session, run_id: int) -> ListRun | None:
    """Run `run_id` marked finished in `s`; None when it already was. Refused for a run a
    later finished run of its segment replaced (_refuse_if_replaced)."""
    run = _run(s, run_id)
    if run.finished_at is not None:
        return None
    _refuse_if_replaced(s, run)
    # Marked only where it is still unfinished: two programs finishing the run at once (a
    # build placing its last file, `list show` finding them all in place) each read it
    # unfinished, and the second's UPDATE, waiting for the first's, then changes no row, so
    # the run's files are recorded once.
    now = utcnow()
    marked = s.execute(update(ListRun)
                       .where(ListRun.id == run_id, ListRun.finished_at.is_(None))
                       .values(finished_at=now)
                       .execution_options(synchronize_session=False))
    if marked.rowcount == 0:  # type: ignore[attr-defined]
        return None
    set_committed_value(run, "finished_at", now)
    return run


# In a run's settings_json: the files that make it complete, stored before any of them is put
# in place ({absolute path: SHA-256 of the file as written, None until it is written}), and
# each one's audit record ({absolute path: {"staff": id, "detail": {…}}}), kept for a run
# finished from its files: the process that put them in place was killed before it recorded
# them.
PLACING, EXPORTED = "files_placing", "files_exported"


def file_digest(path: Path) -> str | None:
    """The SHA-256 of the file at `path` (None when there is none): 0.02 s for 10 MB."""
    try:
        return file_hash(path)
    except OSError:
        return None


def expect_files(sessions: Sessions, run_id: int, paths: Sequence[Path]) -> None:
    """Before the first of run `run_id`'s files is written: the files that make it complete,
    each given its digest by `file_written` before it is put in place."""
    with sessions.begin() as s:
        run = _run(s, run_id)
        kept = json.loads(run.settings_json or "{}")
        kept[PLACING] = {str(Path(p).resolve()): None for p in paths}
        kept[EXPORTED] = {}  # an earlier attempt's, whose files were never found complete
        run.settings_json = json.dumps(kept, ensure_ascii=False)


def file_written(s: Session, run_id: int, path: Path, scratch: Path,
                 kept: dict[str, object] | None = None,
                 exported: tuple[int | None, dict] | None = None) -> None:
    """The file `scratch`, complete and about to be put in place at `path`, recorded with run
    `run_id` (in `s`, committed by the caller before it is placed), with `kept`: what the
    run's files were written with (an SMS text, a WeChat message), and `exported`: who wrote
    it and its audit record's detail."""
    run = s.get(ListRun, run_id)
    if run is None:
        return
    stored = json.loads(run.settings_json or "{}")
    placing = stored.get(PLACING) or {}
    audits = stored.get(EXPORTED) or {}
    where = str(Path(path).resolve())
    if where in placing:
        placing[where] = file_digest(scratch)
        if exported is not None:
            audits[where] = {"staff": exported[0], "detail": exported[1]}
    run.settings_json = json.dumps({**stored, **(kept or {}), PLACING: placing,
                                    EXPORTED: audits}, ensure_ascii=False, default=str)


def files_complete(sessions: Sessions, run_id: int) -> bool:
    """Whether run `run_id` is unfinished, not withdrawn, and every file it was being written
    with is at its name exactly as written: a process killed after putting them in place,
    before marking the run. Staff may already have printed or uploaded them, so its calls
    belong in the queues (`finish_if_complete`)."""
    with sessions() as s:
        row = s.execute(select(ListRun.settings_json, ListRun.finished_at,
                               ListRun.withdrawn_at).where(ListRun.id == run_id)).first()
    if row is None or row[1] is not None or row[2] is not None:
        return False
    placing = json.loads(row[0] or "{}").get(PLACING) or {}
    return bool(placing) and all(d is not None and file_digest(Path(p)) == d
                                 for p, d in placing.items())


def file_recorded(s: Session, run_id: int, path: Path) -> None:
    """The audit record of run `run_id`'s file at `path` made (in `s`): not to be made again
    when the run is finished from its files."""
    run = s.get(ListRun, run_id)
    stored = json.loads(run.settings_json or "{}") if run is not None else {}
    audits = stored.get(EXPORTED) or {}
    if run is not None and audits.pop(str(Path(path).resolve()), None) is not None:
        run.settings_json = json.dumps({**stored, EXPORTED: audits}, ensure_ascii=False,
                                       default=str)


def finish_if_complete(sessions: Sessions, run_id: int) -> bool:
    """Finish run `run_id` when its files are complete (`files_complete`). False otherwise,
    and for a run a later one replaced."""
    if not files_complete(sessions, run_id):
        return False
    try:
        with sessions.begin() as s:
            run = _mark_finished(s, run_id)
            if run is None:
                return False
            # The files' audit records, which their killed writer never made.
            exported = json.loads(run.settings_json or "{}").get(EXPORTED) or {}
            for kept in exported.values():
                audit(s, "export_list_file", "list_run", run_id, kept["detail"],
                      kept["staff"])
            return True
    except RevisitError:  # replaced by a later run: stays unfinished, as finish_run says
        return False


def calls_with_callers(sessions: Sessions, run_id: int) -> tuple[int, int]:
    """The run's calls (its phone members): how many have a caller, in whose follow-up queue
    they are once the run is finished, and how many have none (a run built without callers),
    in nobody's."""
    m = ListRunMember
    with sessions() as s:
        rows = dict(s.execute(
            select(m.assigned_staff_id.is_not(None), func.count())
            .where(m.run_id == run_id, m.channel == "phone")
            .group_by(m.assigned_staff_id.is_not(None))).all())
    return rows.get(True, 0), rows.get(False, 0)


def calls_queued(run: type[ListRun] = ListRun) -> ColumnElement[bool]:
    """A run puts calls in the callers' queues: it has members to phone. A later run of the
    segment replaces an earlier one's calls only so; a mail or SMS run replaces none."""
    m = ListRunMember
    return exists().where(m.run_id == run.id, m.channel == "phone")


def _replaced_by(run_id, segment_id) -> ScalarSelect:
    """The first later finished run of the segment with calls, not withdrawn: once it exists,
    the run (`run_id`, `segment_id`: values, or ListRun's columns to correlate) may no longer
    put its calls in the queues (_refuse_if_replaced), or the same customers would be called
    twice. NULL when there is none."""
    later = aliased(ListRun)
    return (select(func.min(later.id))
            .where(later.segment_id == segment_id, later.id > run_id,
                   later.finished_at.is_not(None), later.withdrawn_at.is_(None),
                   calls_queued(later))
            .scalar_subquery())


def _replaced_unfinished(s: Session, run: ListRun) -> tuple[int, ...]:
    """The earlier unfinished runs of `run`'s segment, not withdrawn, that `run` (finished)
    replaced: their calls stay out of the queues for good."""
    if run.finished_at is None or run.segment_id is None:
        return ()
    older = select(ListRun.id).where(
        ListRun.segment_id == run.segment_id, ListRun.id < run.id,
        ListRun.finished_at.is_(None), ListRun.withdrawn_at.is_(None),
        _replaced_by(ListRun.id, ListRun.segment_id).correlate(ListRun) == run.id)
    return tuple(s.scalars(older.order_by(ListRun.id)))


def replaced_unfinished(sessions: Sessions, run_id: int) -> tuple[int, ...]:
    """As _replaced_unfinished, for run `run_id`."""
    with sessions() as s:
        return _replaced_unfinished(s, _run(s, run_id))


def _refuse_if_replaced(s: Session, run: ListRun, refusal: str = SUPERSEDED) -> None:
    """Refuse (`refusal`) to put `run`'s calls in the queues when a later finished run of its
    segment replaced it (_replaced_by)."""
    if run.segment_id is None:
        return
    newer = s.scalar(select(_replaced_by(run.id, run.segment_id)))
    if newer is not None:
        raise RevisitError(refusal, run=run.id, newer=newer)


def may_withdraw(actor: Actor | None, created_by: int | None) -> bool:
    """Whether `actor` may withdraw a run made by `created_by` or put it back: a supervisor,
    or whoever made it (for enabling buttons; withdraw_run checks again)."""
    return actor is not None and (actor.is_supervisor or actor.id == created_by)


def withdraw_run(sessions: Sessions, run_id: int, actor: Actor | None) -> int:
    """Withdraw a run made by mistake (the wrong segment, callers or purpose): its calls leave
    every caller's queue at once; calls already made, outcomes read back later from its paper
    and the run itself stay on record, and `reinstate_run` puts it back. Returns how many of
    its calls were still to be made. Refused to anyone but a supervisor or the run's maker,
    and for a run already withdrawn (two people withdrawing at once: one of them is told)."""
    return _set_withdrawn(sessions, run_id, actor, withdraw=True)


def reinstate_run(sessions: Sessions, run_id: int, actor: Actor | None) -> int:
    """Put a withdrawn run back: its calls not yet made return to their callers' queues.
    Returns how many. Refused as withdraw_run is, for a run that is not withdrawn, and for one
    a later run of its segment has replaced since (its customers would be called twice)."""
    return _set_withdrawn(sessions, run_id, actor, withdraw=False)


def _set_withdrawn(sessions: Sessions, run_id: int, actor: Actor | None, *,
                   withdraw: bool) -> int:
    """withdraw_run (`withdraw`) or reinstate_run: the run marked so, its open calls counted
    and the change in the audit trail, in one transaction."""
    with sessions.begin() as s:
        run = _run(s, run_id)
        if not may_withdraw(actor, run.created_by):
            raise NotAllowed(WITHDRAW_LISTS, actor)
        if not withdraw and run.finished_at is not None:
            _refuse_if_replaced(s, run, STILL_WITHDRAWN)
        # One conditional statement: of two people doing it at once, only one changes the row.
        was = ListRun.withdrawn_at.is_(None) if withdraw else ListRun.withdrawn_at.is_not(None)
        done = s.scalar(update(ListRun).where(ListRun.id == run_id, was)
                        .values(withdrawn_at=utcnow() if withdraw else None)
                        .returning(ListRun.id))
        if done is None and not withdraw:
            raise RevisitError(N_("List run #{run} is not withdrawn."), run=run_id)
        if done is None:
            s.refresh(run)
            raise RevisitError(N_("List run #{run} was already withdrawn ({when})."),
                               run=run_id, when=when_text(run.withdrawn_at))
        calls = _open_calls(s, run_id)
        record(s, actor, "withdraw_list_run" if withdraw else "reinstate_list_run",
               "list_run", run_id,
               {"segment": run.segment_name, "as_of": run.as_of, "open_calls": calls})
        return calls


def _open_calls(s: Session, run_id: int) -> int:
    """The run's phone members whose call is still to be made, in a caller's queue (a run
    built without callers handed its calls to nobody)."""
    m = ListRunMember
    return s.scalar(select(func.count()).where(m.run_id == run_id, m.channel == "phone",
                                               m.status == "open",
                                               m.assigned_staff_id.is_not(None))) or 0

