"""Making a list run from a saved segment, set-based: the database decides every member's
channel or exclusion (services/lists/routing.py), removes second SMS to one number, hands the
calls to the callers and orders the sheet, in a few statements over three working tables; Python
only turns each streamed row into its stored snapshot. The run, its members and its exclusions
are stored in one transaction.

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
from functools import partial
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    null,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ColumnElement, FromClause, Select

from models import Customer, ListRun, ListRunExclusion, ListRunMember, StaffUser, Vehicle, db
from models.codes import PURPOSES
from services.imports.phones import first_dialable, mainland_mobile
from services.labels import text as label
from services.lists import halves, routing, rows_in
from services.lists.query import SALES_PURPOSES, UNHELD_PURPOSES, candidate_query
from services.lists.runs import document_of
from services.lists.snapshot import (
    EXCLUSION_FACTS,
    MEMBER_FACTS,
    REMINDER_FACTS,
    MemberSnapshots,
    exclusion_detail,
    exclusion_snapshot,
    household_note,
    reach_number,
)
from services.outputs.types import Excluded, ListDocument, ListMember, MemberSink
from services.segments import service as segments
from services.segments.results import Segment
from services.segments.sqlx import CreateTempAs, bytewise
from services.staff.audit import audit
from services.staff.permissions import told_apart
from services.store import collector
from services.store.errors import N_, CancelToken, RevisitError
from services.store.settings import load_settings_in

Sessions = sessionmaker[Session]
CHANNEL_MODES = ("auto", "call", "mail", "sms", "wechat", "visit")
SPLITS = ("even", "owner")
LIST_TO_STORED = {"call": "phone", "sms": "sms", "mail": "mail", "wechat": "wechat",
                  "visit": "visit"}
MEMBER_COLUMNS = ("run_id", "customer_id", "vehicle_id", "channel", "assigned_staff_id",
                  "position", "row_code", "attempts", "status", "snapshot")
EXCLUSION_COLUMNS = ("run_id", "customer_id", "reason", "detail", "snapshot")
# The working tables, per connection.
FACTS, DECIDED, SHEET = "list_run_facts", "list_run_decided", "list_run_sheet"
DECIDING = ("customer_id", "code", "mobile_ok", "other_phone_ok", "address_ok",
            "owner_staff_id", "day_rank", "start_hour", "name_key", "channel_order", "dnc_all",
            "dnc_phone", "dnc_sms", "dnc_mail", "dnc_wechat", "dnc_visit", "wechat_id",
            "visit_ok", "province", "city", "district", "consent", "complaint", "last_done",
            "last_ok", "last_fail", "last_wrong", "failed_calls", "on_list")


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
    # With build_run(document=True): the run as load_document would read it back, kept from
    # the build itself (reading 100,000 snapshots back as JSON took 2.3 s of a 15 s run).
    document: ListDocument | None = None


def segment_members(sessions: Sessions, name: str, as_of: dt.date,
                    staff_id: int | None = None):
    """The one place list runs touch the segment engine: (segment, member query). `name` is a
    saved segment or, failing that, a template key (the template is then saved under it, by
    `staff_id`, who is making the list)."""
    seg = segments.segment_or_template(sessions, name, staff_id=staff_id)
    return seg, segments.member_select(seg.filter, as_of)


def _callers(session: Session, names: Sequence[str]) -> list[tuple[int, str]]:
    """The callers named (user names or display names), each once, with the name their calls
    are printed under: their display name, or, for two of one name on the run, the display
    name with the user name beside it (told_apart), so a sheet's sections keep them apart. A
    display name two staff share is refused: it does not say which of them is meant."""
    out: dict[int, tuple[str, str]] = {}
    for name in names:
        rows = session.execute(select(StaffUser.id, StaffUser.display_name, StaffUser.username)
                               .where(or_(StaffUser.username == name,
                                          StaffUser.display_name == name))).all()
        picked = [r for r in rows if r.username == name] or rows
        if not picked:
            raise RevisitError(N_("There is no staff member '{name}' (use a username or a "
                                  "display name)."), name=name)
        if len(picked) > 1:
            raise RevisitError(N_("{count} staff members are called '{name}'; name one by user "
                                  "name ({users})."), count=len(picked), name=name,
                               users=", ".join(sorted(r.username for r in picked)))
        staff_id, display, user = picked[0]
        out.setdefault(staff_id, (display or user, user))  # named twice: still one caller
    return list(zip(out, told_apart(list(out.values())), strict=True))


def caller_phases(ids: Sequence[int], loads: dict[int, int]) -> list[tuple[int, list[int]]]:
    """How calls nobody owns are dealt when each next call goes to the least-loaded caller
    (ties: the first named): a run of phases (first call number, callers taking turns in it).
    The least loaded take turns until they reach the next caller's load, who then joins."""
    order = sorted(range(len(ids)), key=lambda i: (loads.get(ids[i], 0), i))
    phases: list[tuple[int, list[int]]] = []
    start, tied = 0, [order[0]]
    level = loads.get(ids[order[0]], 0)
    for i in order[1:]:
        load = loads.get(ids[i], 0)
        if load > level:
            phases.append((start, [ids[k] for k in sorted(tied)]))
            start += (load - level) * len(tied)
            level = load
        tied.append(i)
    phases.append((start, [ids[k] for k in sorted(tied)]))
    return phases


def _turns(n: ColumnElement[int], start: int, ids: list[int]) -> ColumnElement[int]:
    """ids[(n - start) % len(ids)]."""
    if len(ids) == 1:
        return literal(ids[0])
    slot = (n - start) % len(ids)
    return case(*((slot == i, sid) for i, sid in enumerate(ids)), else_=null())


# The segment id a template not saved yet is built under: no saved segment has it, so every
# other run is another segment's (services/lists/query.py on_another_list).
UNSAVED = 0
# A purpose no list is made for: refused before the run (and, by services/lists/asked.py,
# before a template is saved as a segment for it).
UNKNOWN_PURPOSE = N_("Unknown purpose '{purpose}' (known: {known}).")
REMOVED_MEANWHILE = N_("While this list was being made, someone removed or merged a customer, "
                       "a car, the segment or a caller it uses; nothing was stored. Make the "
                       "list again.")
# SQLite's names for services/imports/phones.py `mainland_mobile` and `first_dialable`,
# registered on the connections that make the facts (_facts_query, halves.make_facts).
MOBILE_FUNCTION = "revisit_mainland_mobile"
DIALABLE_FUNCTION = "revisit_first_dialable"
SQLITE_FUNCTIONS: tuple[halves.Function, ...] = (
    (MOBILE_FUNCTION, 1, mainland_mobile), (DIALABLE_FUNCTION, 1, first_dialable))


def _facts_query(member_query: Select | FromClause, as_of: dt.date, purpose: str,
                 dialect: str, fatigue_days: int, segment_id: int | None) -> Select:
    cq = candidate_query(member_query, as_of, purpose, ordered=False,
                         lateral=dialect == "postgresql", fatigue_days=fatigue_days,
                         segment_id=segment_id).subquery("cq")
    if dialect == "sqlite":
        # The mobile judged by the Python function the SMS file uses, called once a row: the
        # SQL below, stepped so, took 0.3 s more of a 110,731-candidate run (its steps carry
        # every column through twice).
        x = cq
        mobile_ok: ColumnElement[Any] = getattr(func, MOBILE_FUNCTION)(cq.c.mobile)
        dialable: ColumnElement[Any] = getattr(func, DIALABLE_FUNCTION)(cq.c.other_phones)
    else:
        # OFFSET 0 keeps each step a step (SQLite and PostgreSQL do not merge such a subquery
        # into the next): merged, every use of a column repeats the expression behind it, and
        # the mobile's eleven replace() calls ran about forty times a row (6 s of 10 at
        # 200,000).
        t = _step(select(*cq.c, routing.mobile_text_sql(cq.c.mobile).label("mobile_text")),
                  "t")
        x = _step(select(*(c for c in t.c if c.name != "mobile_text"),
                         routing.mobile_bare_sql(t.c.mobile_text).label("mobile_bare")), "x")
        mobile_ok = routing.mobile_sql(x.c.mobile_bare)
        dialable = routing.dialable_sql(x.c.other_phones)
    return select(
        *(c for c in x.c if c.name not in ("mobile_bare", "other_phones")),
        mobile_ok.label("mobile_ok"),
        # Looked for only among customers with other phones (a few in a hundred).
        case((func.coalesce(x.c.other_phones, "") != "", dialable)).label("other_phone_ok"),
        # What reach_number falls back on when no mobile was typed at all.
        case((func.coalesce(x.c.mobile, "") == "", x.c.other_phones)).label("phones_typed"),
        case((routing.address_sql(x.c), 1), else_=0).label("address_ok"),
        case((routing.visit_address_sql(x.c), 1), else_=0).label("visit_ok"),
        routing.day_rank_sql(x.c).label("day_rank"),
        routing.start_hour_sql(x.c).label("start_hour"),
        func.coalesce(func.nullif(x.c.name_sort, ""), x.c.name).label("name_key"))


def _step(query: Select, name: str):
    return query.offset(0).subquery(name)


def _working(name: str, query: Select):
    return table(name, *(column(c.name) for c in query.selected_columns))


def _decided_query(facts, orders: dict[str | None, tuple[str, ...]],
                   rules: routing.Rules) -> Select:
    at = routing.order_sql(orders, rules.forced, facts.c)
    # Only what deciding needs travels through the steps; what prints is joined back at the end.
    a = _step(select(*(facts.c[name] for name in DECIDING),
                     *(o.label(f"o{i}") for i, o in enumerate(at, start=1))), "a")
    blocks = routing.block_sql(a.c, rules)
    b = _step(select(*a.c, *(blocks[ch].label(f"{ch}_block") for ch in routing.LIST_CHANNELS)),
              "b")
    c = _step(select(*b.c, routing.step_sql(b.c, rules).label("step")), "c")
    d = _step(select(*c.c, routing.channel_sql(c.c).label("channel"),
                     routing.switched_sql(c.c, rules).label("switched")), "d")
    rank = case(*((d.c.channel == ch, n) for ch, n in routing.CHANNEL_RANK.items()),
                else_=len(routing.CHANNEL_RANK))
    # Filled in for a second or later SMS to one number afterwards (_same_mobile), NULL for
    # everyone else.
    return select(*d.c, rank.label("channel_rank"), cast(null(), Integer).label("mobile_rank"),
                  cast(null(), String).label("same_as"))


def _sheet_order(t) -> tuple[ColumnElement[Any], ...]:
    return (t.c.day_rank, t.c.start_hour, bytewise(t.c.name_key), t.c.customer_id)


def _same_mobile(session: Session, decided) -> None:
    """One family, one phone: a number gets one SMS, the first in the sheet's order keeps it.
    Numbered over the SMS members only (a window over everyone, sorting every decided row,
    took 0.8 s of a 102,838-member run), and only the second and later SMS to a number are
    marked (marking every SMS member took 1 s of a New Year greeting to 190,344)."""
    t = decided
    sms = t.c.channel == "sms"  # an SMS member always has a valid mobile (routing.block_sql)
    w = select(t.c.customer_id,
               func.row_number().over(partition_by=t.c.mobile_ok, order_by=_sheet_order(t))
               .label("mobile_rank"),
               func.first_value(t.c.code).over(partition_by=t.c.mobile_ok,
                                               order_by=_sheet_order(t)).label("same_as")
               ).where(sms).subquery("w")
    later = select(w).where(w.c.mobile_rank > 1).subquery("later")
    with rows_in.autocommitted(session):  # a working table's: no transaction begun for it
        session.execute(update(t).where(t.c.customer_id == later.c.customer_id)
                        .values(mobile_rank=later.c.mobile_rank, same_as=later.c.same_as))


def _visit_area(t) -> tuple[ColumnElement[str], ...]:
    """Visits go province by province, city by city, district by district, so a day's route
    stays in one area (district names alone interleave cities: 南康区 of 赣州 sorts between
    two districts of 佛山)."""
    return tuple(case((t.c.channel == "visit", bytewise(func.coalesce(col, ""))), else_="")
                 for col in (t.c.province, t.c.city, t.c.district))


def _is_member(t) -> ColumnElement[bool]:
    """A channel, and not a second SMS to one number (_same_mobile)."""
    return and_(t.c.channel.is_not(None), or_(t.c.channel != "sms", t.c.mobile_rank.is_(None)))


# The sheet puts calls before every other channel, so numbering them numbers the calls too
# (_sheet_query's dealing relies on it).
CALLS_FIRST = routing.CHANNEL_RANK["call"] == min(routing.CHANNEL_RANK.values())
assert CALLS_FIRST, "calls must rank first on the sheet"

# What deals and orders the sheet needs of a decided member: the window sorts below carry
# only these, not the forty-odd columns deciding made (sorting the wide rows three times took
# 2.5 s of a 102,838-member run).
SHEET_KEYS = ("customer_id", "channel", "switched", "channel_rank", "province", "city",
              "district", "day_rank", "start_hour", "name_key", "owner_staff_id", "mobile_ok",
              "other_phone_ok")


def _sheet_query(session: Session, decided, callers: list[tuple[int, str]],
                 split: str) -> Select:
    """The members, each with their caller and where they stand on the sheet: by the caller's
    rank (callers in the order named, then everyone not handed to a caller), then by their
    household's place and their own (g, k): k is the sheet's order (channel, visit area,
    preferred day, earliest hour, name), g the k of the first call to the same number. One
    family, one phone: calls to one number (a couple's shared mobile, a family's landline, a
    company's switchboard) go to one caller, one after another, each household dealt as one
    turn and kept by the owner of its first call; two callers ringing one home on one day was
    the contact the rules otherwise keep apart. Read in that order, a member's number is their
    place and each caller's calls follow one another, so numbers and positions are counted as
    the rows are read (numbered by two more sorts here, they took 0.3 s of 102,838
    members)."""
    m = select(*(decided.c[k] for k in SHEET_KEYS)).where(_is_member(decided)).subquery("m")
    # The sheet's order sorted once, by its text and all (k); the dealing and numbering below
    # sort by k alone. Each sorting by every key, three sorts took 0.86 s of 102,838 members.
    keys = (m.c.channel_rank, *_visit_area(m), m.c.day_rank, m.c.start_hour,
            bytewise(m.c.name_key), m.c.customer_id)
    # The number a call dials (a call member always has one: routing.block_sql).
    dial = case((m.c.channel == "call", func.coalesce(m.c.mobile_ok, m.c.other_phone_ok)),
                else_=null())
    t = _step(select(m.c.customer_id, m.c.channel, m.c.switched, m.c.owner_staff_id,
                     dial.label("dial"), func.row_number().over(order_by=keys).label("k")),
              "t")
    # A household's first call (g) and its owner: one sort more, and one for dealing the
    # households below (0.59 s for the sheet of 109,000 calls against 0.35 s without).
    household = {"partition_by": t.c.dial, "order_by": t.c.k}
    first = t.c.dial.is_(None)  # not a call: a household of its own
    h = _step(select(t.c.customer_id, t.c.channel, t.c.switched, t.c.k,
                     case((first, t.c.k), else_=func.first_value(t.c.k).over(**household))
                     .label("g"),
                     case((first, t.c.owner_staff_id),
                          else_=func.first_value(t.c.owner_staff_id).over(**household))
                     .label("owner_staff_id")), "h")
    is_call = h.c.channel == "call"
    ids = [sid for sid, _ in callers]
    if not ids:
        staff: ColumnElement[Any] = null()
        dealt = select(*h.c, staff.label("staff_id")).subquery("e")
    else:
        def owned_in(c) -> ColumnElement[bool]:
            # "IS NOT NULL" first: with no owner, IN gives NULL and NOT(owned) would too.
            return and_(c.channel == "call", c.owner_staff_id.is_not(None),
                        c.owner_staff_id.in_(ids))

        loads: dict[int, int] = {}
        turn: ColumnElement[int]
        if split == "owner":
            loads = dict(session.execute(  # households, counted before the sort
                select(h.c.owner_staff_id, func.count(h.c.g.distinct())).where(owned_in(h.c))
                .group_by(h.c.owner_staff_id)).all())
            turn = func.dense_rank().over(partition_by=case((and_(is_call, ~owned_in(h.c)), 1),
                                                            else_=0), order_by=h.c.g) - 1
        else:
            # Every household of calls is dealt in the order of its first call.
            turn = func.dense_rank().over(order_by=h.c.g) - 1
        numbered = select(*h.c, turn.label("turn")).subquery("n")
        phases = caller_phases(ids, loads)  # split evenly: no loads, one phase
        dealt_to: ColumnElement[Any] = _turns(numbered.c.turn, *phases[-1])
        for k in range(len(phases) - 2, -1, -1):  # earlier phases end where the next starts
            start, group = phases[k]
            dealt_to = case((numbered.c.turn < phases[k + 1][0],
                             _turns(numbered.c.turn, start, group)), else_=dealt_to)
        whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = []
        if split == "owner":  # a caller keeps their own customers' calls
            whens.append((and_(numbered.c.channel == "call", numbered.c.owner_staff_id.in_(ids)),
                          numbered.c.owner_staff_id))
        whens.append((numbered.c.channel == "call", dealt_to))
        staff = case(*whens, else_=null())
        dealt = select(*numbered.c, staff.label("staff_id")).subquery("e")
    d = dealt.c
    caller_rank: ColumnElement[int] = literal(0)
    if ids:
        caller_rank = case(*((d.staff_id == sid, i) for i, sid in enumerate(ids)),
                           else_=len(ids))
    return select(d.customer_id, d.staff_id, d.channel, d.switched,
                  caller_rank.label("caller_rank"), d.g, d.k)


def _left_out_query(decided, facts) -> Select:
    """The decided rows with what storing them as left out reads (EXCLUSION_FACTS), each
    from the working table that has it: all ninety-odd columns of both took 0.7 s to read for
    the 51,239 left out of the whole 200,000-customer demo."""
    wanted = ("customer_id", *EXCLUSION_FACTS)
    return select(*(decided.c[k] if k in decided.c else facts.c[k] for k in wanted)) \
        .select_from(decided.join(facts, facts.c.customer_id == decided.c.customer_id))


def _drop_working(session: Session) -> None:
    for name in (SHEET, DECIDED, FACTS):
        session.execute(text(f"DROP TABLE IF EXISTS {name}"))


def _own_connection(session: Session) -> int | None:
    """For a SQLite file: the build's connection taken out of the pool, to be closed when the
    session ends. Its temporary tables then go with their file (dropping them freed their
    pages one by one: 0.5 s of a run of the whole 200,000-customer demo), and SQLite's
    foreign-key look-ups are switched off on it: storing 103,441 members looked up each one's
    customer and car in turn, 0.4–0.5 s. `_check_still_there` makes the same check in one
    pass. When they are off, the database's data_version as this connection sees it before it
    reads anything (the pragma does nothing inside a transaction, and none is open before the
    run is stored: SQLite's driver begins one at the first write); else None."""
    if db.sqlite_path(str(session.get_bind().engine.url)) is None:
        return None
    raw = rows_in.driver(session)
    session.connection().detach()
    if raw.in_transaction:
        return None
    raw.execute("PRAGMA foreign_keys=OFF")
    return _data_version(raw)


def _data_version(raw: Any) -> int:
    """SQLite's count of the commits other connections made to the database file: the same
    on one connection as long as nobody else commits."""
    return raw.execute("PRAGMA data_version").fetchone()[0]


def _check_still_there(session: Session, facts, staff_ids: Sequence[int],
                       read_at: int) -> None:
    """What the foreign keys would have refused, checked once the run is stored: from then on
    this build holds SQLite's write lock, and nobody can remove anything until it commits. A
    customer or car removed or merged away since the facts were read, or the segment, a
    caller or the run before deleted, would leave the run pointing at nothing: refused, and
    nothing is stored.

    The members' customers and cars are looked up only when someone else has committed since
    the build began to read (the data_version `read_at`, from _own_connection): otherwise
    every one the facts read is still there. (Looked up in one pass, in the facts' order:
    0.14–0.18 s of a 114,138-member run.)"""
    customers, vehicles = Customer.__table__, Vehicle.__table__
    gone = None
    if _data_version(rows_in.driver(session)) != read_at:
        gone = session.scalar(select(facts.c.customer_id).where(or_(
            ~select(customers.c.id).where(customers.c.id == facts.c.customer_id).exists(),
            and_(facts.c.vehicle_id.is_not(None),
                 ~select(vehicles.c.id).where(vehicles.c.id == facts.c.vehicle_id).exists())))
            .limit(1))
    run_keys = session.execute(text("PRAGMA foreign_key_check(list_run)")).first()
    callers = session.scalar(select(func.count()).select_from(StaffUser)
                             .where(StaffUser.id.in_(staff_ids))) if staff_ids else 0
    if gone is not None or run_keys is not None or callers != len(set(staff_ids)):
        raise RevisitError(REMOVED_MEANWHILE)


def _discard_working(session: Session) -> None:
    """The working tables gone once the run is stored: for a SQLite file, with the build's own
    connection when the session ends (_own_connection); otherwise dropped (an in-memory
    database lives only as long as its one connection)."""
    if db.sqlite_path(str(session.get_bind().engine.url)) is None:
        _drop_working(session)


def build_run(sessions: Sessions, segment_name: str, options: RunOptions = RunOptions(), *,
              progress: Callable[[int, int], None] | None = None,
              cancel: CancelToken | None = None, document: bool = False,
              sink: MemberSink | None = None) -> RunSummary:
    """Store a list run of `segment_name`'s members as `options` say (unfinished: see the
    module's note). `progress(done, total)` hears how many of its rows are stored, `cancel`
    may stop it (nothing is then stored). With `document` the summary keeps the run as
    load_document would read it back. `sink` is told how many members there are, then gets
    them a chunk at a time as they are made, with their snapshots, in the run's order, on the
    build's worker thread: a file of them can be written while they are stored
    (services/outputs/run_files.py StreamedList); whatever it raises stops the build."""
    if options.channel not in CHANNEL_MODES:
        raise RevisitError(N_("Unknown channel '{channel}' (use call, mail, sms, wechat, visit "
                              "or auto)."),
                           channel=options.channel)
    if options.split not in SPLITS:
        raise RevisitError(N_("Unknown way to split the calls '{split}' (use even or owner)."),
                           split=options.split)
    as_of = options.as_of or dt.date.today()
    # A template is saved as a segment only once its list is known to have somebody on it
    # (below): a build refused before, for nobody to contact, a caller or a purpose, saves
    # nothing and leaves nothing in the audit trail.
    found = segments.saved_or_template(sessions, segment_name)
    seg = found if isinstance(found, Segment) else None
    member_query = segments.member_select(found.filter, as_of)
    own = found.info.purpose if isinstance(found, Segment) else found.purpose
    purpose = options.purpose or own or "care"
    if purpose not in PURPOSES:
        raise RevisitError(UNKNOWN_PURPOSE, purpose=purpose, known=", ".join(PURPOSES))
    with collector.paused(), sessions.begin() as s:
        read_at = _own_connection(s)
        st = load_settings_in(s)
        if options.overrides:
            changes: dict[str, Any] = dict(options.overrides)  # any Settings field by name
            st = dataclasses.replace(st, **changes)
        if purpose in UNHELD_PURPOSES:
            st = dataclasses.replace(st, contact_fatigue_days=0)
        callers = _callers(s, options.staff)
        rules = routing.Rules(as_of, st.max_failed_attempts, st.no_answer_retry_days,
                              st.contact_fatigue_days, purpose in SALES_PURPOSES,
                              None if options.channel == "auto" else options.channel)
        _drop_working(s)  # left by a build this connection did not finish
        dialect = s.get_bind().dialect.name
        functions = SQLITE_FUNCTIONS if dialect == "sqlite" else ()
        facts_of = partial(_facts_query, as_of=as_of, purpose=purpose, dialect=dialect,
                           fatigue_days=st.contact_fatigue_days,
                           segment_id=seg.info.id if seg else UNSAVED)
        halves.make_facts(s, FACTS, member_query, facts_of, functions)
        facts = _working(FACTS, facts_of(member_query))
        s.execute(text(f"CREATE INDEX {FACTS}_customer ON {FACTS} (customer_id)"))
        if cancel:
            cancel.check()
        orders = {raw: routing.channel_order(raw) for raw in
                  s.scalars(select(facts.c.channel_order).distinct())}
        decided_query = _decided_query(facts, orders, rules)
        s.execute(CreateTempAs(DECIDED, decided_query))
        decided = _working(DECIDED, decided_query)
        _same_mobile(s, decided)
        if cancel:
            cancel.check()
        total = s.execute(select(func.count()).select_from(decided)).scalar_one()
        members = s.execute(select(func.count()).select_from(decided)
                            .where(_is_member(decided))).scalar_one()
        if sink is not None:
            sink.begin(members)
        if seg is None:
            # Saved on a connection of its own (this one has written nothing yet, so holds no
            # SQLite write lock), and seen here once committed.
            seg = segments.segment_or_template(sessions, segment_name,
                                               staff_id=options.created_by)
        # The last finished run of the segment on the same channels: an unfinished one (its
        # files never completed) or a withdrawn one was never this week's work, so "who is
        # new" compares with the run staff actually had; a mail run of the segment beside its
        # calls is other work.
        previous = s.scalar(select(ListRun.id).where(ListRun.segment_id == seg.info.id,
                                                     ListRun.channel_mode == options.channel,
                                                     ListRun.finished_at.is_not(None),
                                                     ListRun.withdrawn_at.is_(None))
                            .order_by(ListRun.created_at.desc(), ListRun.id.desc()).limit(1))
        # The run says which segment it came from as staff read it: a template saved under its
        # key with the template's Chinese name beside it, on its sheets and in its reports.
        run = ListRun(segment_id=seg.info.id, segment_name=segments.title(seg.info)[:100],
                      filter_json=seg.filter_json, as_of=as_of, purpose=purpose,
                      channel_mode=options.channel, previous_run_id=previous,
                      created_by=options.created_by, note=options.note,
                      contact_fatigue_days=st.contact_fatigue_days,
                      settings_json=json.dumps({**asdict(st), "staff": list(options.staff),
                                                "split": options.split}, ensure_ascii=False,
                                               default=str))
        s.add(run)
        s.flush()
        if read_at is not None:  # the foreign keys are off
            _check_still_there(s, facts, [sid for sid, _ in callers], read_at)
        names = dict(callers)
        reminder = purpose == "reminder"
        snapshots = MemberSnapshots(as_of, selling=purpose in SALES_PURPOSES, reminder=reminder)
        width = max(4, len(str(members)))
        by_channel: Counter = Counter()
        by_caller: Counter = Counter({name: 0 for _, name in callers})
        done = 0
        kept: list[ListMember] | None = [] if document else None
        run_id = run.id  # an ORM attribute: read once, not once a row
        prefix = f"{run_id}-"
        number = f"0{width}d"
        stored = LIST_TO_STORED
        sheet_query = _sheet_query(s, decided, callers, options.split)
        s.execute(CreateTempAs(SHEET, sheet_query))
        # Read back in sheet order through this index, with no sort of the joined rows.
        s.execute(text(f"CREATE INDEX {SHEET}_order ON {SHEET} (caller_rank, g, k)"))
        sheet = _working(SHEET, sheet_query)
        printed = MEMBER_FACTS + (REMINDER_FACTS if reminder else ())
        # What a member's row reads of the sheet: of its order's keys only g and k, which tell
        # a household's later call (every column fetched is a value made a row).
        rows = (select(*(sheet.c[k] for k in ("customer_id", "staff_id", "channel", "switched",
                                               "g", "k")),
                       *(facts.c[k] for k in printed))
                .select_from(sheet.join(facts, facts.c.customer_id == sheet.c.customer_id))
                .order_by(sheet.c.caller_rank, sheet.c.g, sheet.c.k))
        n = position = 0
        last_staff: Any = -1  # no staff id: the first row starts a caller's calls
        above: tuple[str, str] = ("", "")  # the name and code of the member above

        def make_members(part: list[Any]) -> list[tuple[Any, ...]]:
            nonlocal n, position, last_staff, above
            batch = []
            made = []
            for r in part:
                n += 1
                code = prefix + format(n, number)
                staff_id = r.staff_id
                if staff_id != last_staff:
                    last_staff, position = staff_id, 0
                position += 1
                caller = names.get(staff_id, "")
                # A household's later call (g, its first call's place, is not its own).
                member, snapshot = snapshots.snapshot(
                    r, code, caller, household_note(*above) if r.g != r.k else "")
                above = (r.name, r.code)
                batch.append((run_id, r.customer_id, r.vehicle_id, stored[r.channel], staff_id,
                              position, code, 0, "open", snapshot))
                made.append(member)
                by_channel[r.channel] += 1
                if staff_id is not None:
                    by_caller[caller] += 1
            if kept is not None:
                kept.extend(made)
            if sink is not None:
                sink.add(made, [row[-1] for row in batch])
            return batch

        def stored_some(count: int) -> None:
            nonlocal done
            done += count
            if cancel:
                cancel.check()
            if progress:
                progress(done, total)

        rows_in.pipelined(s, rows, make_members, ListRunMember.__table__, MEMBER_COLUMNS,
                          stored_some, REMOVED_MEANWHILE)
        excluded: Counter = Counter()
        left: list[Excluded] = []
        reason = routing.reason_sql(decided.c)
        same = and_(decided.c.channel == "sms", decided.c.mobile_rank > 1)
        left_out = (_left_out_query(decided, facts)
                    .add_columns(case((same, "same_mobile"), else_=reason).label("reason"))
                    .where(~_is_member(decided))
                    # In the sheet's order: a list of the left-out, reason by reason (as a
                    # run is read back), reads as the sheet does.
                    .order_by(*_sheet_order(decided)))

        def make_left_out(part: list[Any]) -> list[tuple[Any, ...]]:
            rows = []
            for r in part:
                detail = exclusion_detail(r, st.no_answer_retry_days,
                                          st.contact_fatigue_days)[:200]
                rows.append((run_id, r.customer_id, r.reason, detail, exclusion_snapshot(r)))
                excluded[r.reason] += 1
                if kept is not None:
                    left.append(Excluded(r.name, r.reason, label("exclusion", r.reason),
                                         detail or "", r.code, reach_number(r)))
            return rows

        rows_in.pipelined(s, left_out, make_left_out, ListRunExclusion.__table__,
                          EXCLUSION_COLUMNS, stored_some, REMOVED_MEANWHILE)
        audit(s, "build_list_run", "list_run", run.id,
              {"name": seg.info.name, "date": as_of, "purpose": purpose, "mode": options.channel,
               "members": members, "excluded": total - members}, options.created_by)
        _discard_working(s)
        if progress:
            progress(total, total)
        doc = None
        if kept is not None:
            # In load_document's order: channel by channel (stable: each in sheet order),
            # exclusions by reason.
            kept.sort(key=lambda m: routing.CHANNEL_RANK[m.channel])
            left.sort(key=lambda e: e.reason)
            doc = document_of(run, kept, left)
        return RunSummary(
            run.id, seg.info.name, as_of, purpose, members, dict(by_channel), dict(by_caller),
            {label("exclusion", k): v for k, v in excluded.most_common()}, previous, doc)
