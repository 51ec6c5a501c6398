"""Outcomes back from a filled-in Excel call list: contact events (idempotent through
source_key), next follow-up dates, km readings and profile changes. Every row is either stored
or reported by its row number. Only the outcome and the row's identity (its codes and name, its
list's dates) refuse a row: any other cell that cannot be read or be right (a 画像变化, a km
unreadable or clashing with the car's history, a next date that is no day or before the
contact, a 回访员 who is nobody) leaves the row's contact stored without it and is reported by
its row (left_out, km_left_out, cells_left_out), to be put in by hand: a call made is never
lost for a side cell. A number typed over the one printed in 电话 is reported by its row
(phones_typed), the customer's number left as it is. A km is the reading of the car whose
plate 车牌 shows: another of the customer's cars when its plate was typed over the printed
one (services/lists/km_car.py). Nothing a caller wrote is lost: an
outcome typed in their own words (不在家) is read as the outcome nearest them, the words
kept before the feedback; one typed a character wrong (接同) as the one wording it is that
close to, said in a note; a row without its 联系日期 is dated by the day its list was handed
out (list_day), not the day the file is read, the report saying how many were (the day
typed in since moves the contact to it).

A call recorded on screen (My follow-ups: a contact of the list's run, no source key) and
written on the list as well is one call: a row whose member has one of that day and outcome
is that contact, not stored again (what the list says and the screen's lacks, a feedback, is
added to it), counted in on_screen; one of that day with another outcome keeps the screen's,
and the row is reported.

A row is stored against the member its row code names only when the customer code and name
printed beside it are that member's: a code typed over, two codes swapped, or a list printed
from another database (whose run #2 is another list) would otherwise put an outcome on the
wrong customer. A file whose rows nearly all do not match is refused whole, before anything
is stored; so is one without both its 客户编号 and 姓名 columns, whose rows could not be
checked (services/lists/outcome_file.py). A customer erased since (at their request) gets
nothing back. A customer merged into another since the list was printed is that one: a row
naming the merged customer's code beside the place the merge gave the kept customer is read
as theirs (and said); one whose place the merge removed (the kept customer had one on the same
list) is said to be the merged customer's, not stored (services/lists/merged_rows.py). A row
whose 编号 was emptied is its 客户编号's member on the file's lists, when that is one member
whose row is not in the file already (services/lists/uncoded_rows.py).

A file is stored a chunk of rows per transaction, so other staff's edits never wait long
behind a big file. Each row's event is keyed by its member's row id, day and outcome, so a read
killed half-way is finished by reading the file again, and two people reading the same file
at once store each event once (the second sees the first's rows as read before). A contact
date typed with its time (2026-12-06 15:30) is stored at that time, one without at noon. A row
read before whose time, feedback, next date, km or 回访员 (a staff member's name: the call is
theirs) was typed over since has its event and reading corrected (a cell emptied since clears
nothing: an older copy may be read later; a contact typed on screen keeps its caller); one
whose outcome was typed over is the caller's correction, and the contact becomes all the row
now says, an empty cell clearing what was read before, the profile changes it no longer says
taken back by changes (profile_cells.reread_changes); with its outcome the same, they are kept
and the report says so. Each row corrected is named in the report with what it changed: the
outcome before and now and whose call it was stored as, or the cells typed over. What they
said before is kept in the audit trail, with what the read stored, so a read done by mistake
can be undone whole (services/lists/readback_undo.py).

The file is read into rows by services/lists/outcome_file.py; here they are checked against
the database and stored."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import ContactEvent, Customer, ListRun, ListRunMember, MileageReading, StaffUser
from services.customers.names import same_person
from services.lists import merged_rows
from services.lists import outcome_notes as said
from services.lists.km_car import km_car
from services.lists.outcome_file import read_rows
from services.lists.outcome_notes import Problem
from services.lists.profile_cells import Row, record_row_changes, reread_changes
from services.lists.readback_trail import Trail, first_entry, new_read
from services.lists.snapshot import member_data
from services.lists.uncoded_rows import FileCodes, fill_codes, run_of, same_code
from services.staff.audit import local_time, record
from services.staff.permissions import Actor, with_user_name
from services.staff.permissions import staff_id as actor_id
from services.store.database import DRIVER_ERRORS
from services.store.errors import N_, RevisitError
from services.store.versions import staff_name

Sessions = sessionmaker[Session]
# Rows per transaction: short enough that an edit made meanwhile waits well under a second.
CHUNK = 200
RETRIES = 3


@dataclass(frozen=True)
class OutcomeReport:
    stored: int  # new contact events
    already: int  # rows read before (same source key)
    blank: int  # rows with no outcome filled in
    km_readings: int
    profile_changes: int
    found: tuple[Problem, ...]  # in row order
    notes: tuple[Problem, ...] = ()  # worth knowing, nothing refused (row 0, or a row's)
    corrected: int = 0  # of the rows read before, those typed into since (their event updated)
    # Rows stored without a cell that could not be read (画像变化), to be put in by hand.
    left_out: tuple[Problem, ...] = ()
    undated: int = 0  # contacts stored without a 联系日期, dated by their list's day
    # Rows whose call was recorded on screen already (the same day and outcome): not stored.
    on_screen: int = 0
    # Rows stored without their 当前里程, which could not be read, to be put in by hand.
    km_left_out: tuple[Problem, ...] = ()
    read_back: int = 0  # how `list readbacks` names this read (0: it stored nothing)
    # Rows stored without another cell that could not be right (a 联系日期 or 下次跟进 that is
    # no date, a follow-up before the contact, a 回访员 who is no staff member).
    cells_left_out: tuple[Problem, ...] = ()
    # The rows read before and corrected now (`corrected` of them), each saying what it
    # changed: the outcome stored and whose contact it was, or the cells typed over.
    corrections: tuple[Problem, ...] = ()
    retyped: int = 0  # of the rows corrected, those whose outcome was typed over since
    # Of km_left_out, the rows whose km was read and cannot be the car's (lower than a reading
    # before it, or more than the car could have been driven since).
    km_clashes: tuple[Problem, ...] = ()
    # Rows stored whose 电话 cell gives a number other than the one printed: not stored.
    phones_typed: tuple[Problem, ...] = ()
    # Of km_left_out, the rows whose 车牌 was typed over with a plate that tells no one car of
    # the customer's (km_car): whose odometer the km is cannot be told.
    km_no_car: tuple[Problem, ...] = ()

    @property
    def not_stored(self) -> int:
        """The rows read and not stored (each named in `found`)."""
        return sum(1 for p in self.found if p.row)

    @property
    def km_unread(self) -> tuple[Problem, ...]:
        """Of km_left_out, the rows whose km could not be read (the others clash with the
        car's, km_clashes, or are of no one car, km_no_car)."""
        apart = set(self.km_clashes) | set(self.km_no_car)
        return tuple(p for p in self.km_left_out if p not in apart)

    @property
    def stored_without(self) -> tuple[Problem, ...]:
        """The rows stored with a cell left out, in row order."""
        return tuple(sorted(self.left_out + self.km_left_out + self.cells_left_out
                            + self.phones_typed, key=lambda p: p.row))

    @property
    def problems(self) -> tuple[tuple[int, str], ...]:
        """(row, what is wrong) in English: the rows not stored and the cells left out."""
        return tuple((p.row, p.en) for p in sorted(self.found + self.stored_without,
                                                    key=lambda p: p.row))


def _at(r: Row, en: str, zh: str) -> Problem:
    """A problem of row `r`, named with its sheet when it is not the first's."""
    return said.where(r.number, r.sheet, en, zh)


def read_outcomes(sessions: Sessions, path: Path | str, *, actor: Actor | None = None,
                  staff_id: int | None = None, today: dt.date | None = None,
                  chunk: int = CHUNK, progress: Callable[[int, int], None] | None = None
                  ) -> OutcomeReport:
    """Store the outcomes typed into a call list. `actor` is who reads the file in: each chunk
    is audited under their name, and a row whose member has no caller is theirs. `staff_id`
    (default: the actor's) is that fallback caller for a script without accounts."""
    path = Path(path)
    today = today or dt.date.today()
    if staff_id is None:
        staff_id = actor_id(actor)
    rows, problems, blank, codes = read_rows(path, today)
    rows, refused, merges = _matching(sessions, rows, codes, path)
    problems += refused
    undated = frozenset(r.code for r in rows if r.day is None)
    totals = _Counts()
    read = new_read()  # every audit entry of this read carries it: the read can be undone
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        try:
            counts = _store_retrying(sessions, part, path.name, actor, staff_id, today,
                                     undated, read)
        except DRIVER_ERRORS as failure:
            if start == 0:  # nothing stored: the database's own sentence says so
                raise
            raise said.stopped(failure, path.name, start, totals.stored,
                               sessions.kw.get("bind")) from failure
        totals.add(counts)
        if progress is not None:
            progress(start + len(part), len(rows))
    notes = (said.open_elsewhere(path) + said.replaced(sessions, totals.runs)
             + said.undated(totals.undated) + said.words(totals.words)
             + said.typos(totals.typos) + said.on_screen(totals.on_screen)
             + tuple(merges) + tuple(totals.kept))
    return OutcomeReport(totals.stored, totals.already, blank, totals.km, totals.changes,
                         tuple(sorted(problems + totals.problems, key=lambda p: p.row)),
                         notes, totals.corrected,
                         tuple(sorted(totals.left_out, key=lambda p: p.row)),
                         sum(totals.undated.values()), totals.on_screen,
                         tuple(sorted(totals.km_left_out, key=lambda p: p.row)),
                         first_entry(sessions, read),
                         tuple(sorted(totals.cells_left_out, key=lambda p: p.row)),
                         tuple(sorted(totals.corrections, key=lambda p: p.row)),
                         totals.retyped,
                         tuple(sorted(totals.km_clashes, key=lambda p: p.row)),
                         tuple(sorted(totals.phones_typed, key=lambda p: p.row)),
                         tuple(sorted(totals.km_no_car, key=lambda p: p.row)))


# Members looked up at a time in the check before storing (each a (run, row code) pair).
LOOKUP = 400


def _matching(sessions: Sessions, rows: list[Row], codes: FileCodes, path: Path
              ) -> tuple[list[Row], list[Problem], list[Problem]]:
    """The rows whose customer code and name are their member's (as printed on the list), a
    problem for each other one, and a note for each row of a customer merged into the member's
    since (its contact is the member's) and for each row whose emptied 编号 its 客户编号 told
    (uncoded_rows, by the file's `codes`); the file refused whole when nearly every row
    checked (three in four) does not match."""
    # row code -> customer code, name printed, erased, customer id
    found: dict[str, tuple[str, str | None, bool, int]] = {}
    with sessions() as s:
        rows, uncoded, notes = fill_codes(s, rows, codes)
        keys = {(run, r.code) for r in rows if (run := run_of(r.code)) is not None}
        listed = sorted(keys)
        for start in range(0, len(listed), LOOKUP):
            part = listed[start:start + LOOKUP]
            for code, customer_code, snapshot, erased, customer_id in s.execute(
                    select(ListRunMember.row_code, Customer.code, ListRunMember.snapshot,
                           Customer.erased_at.is_not(None), Customer.id)
                    .join(Customer, Customer.id == ListRunMember.customer_id)
                    .where(tuple_(ListRunMember.run_id, ListRunMember.row_code).in_(part))):
                printed = member_data(snapshot).get("name") if snapshot else None
                found[code] = (customer_code, printed, bool(erased), customer_id)
        # A list printed before two customers were merged: the merged one's code beside a
        # member now the kept one's, or a place the merge removed.
        other = {found[r.code][3] for r in rows if r.code in found and r.customer_code
                 and not same_code(r.customer_code, found[r.code][0])}
        merged = merged_rows.merged_into(s, other) if other else {}
        removed = merged_rows.removed_places(s, {(run, code) for run, code in keys
                                                 if code not in found})
    kept: list[Row] = []
    problems: list[Problem] = list(uncoded)
    wrong: list[Problem] = []
    checked = 0
    for r in rows:
        got = found.get(r.code)
        if got is None:
            place = removed.get(r.code)
            # The place removed is the row's when its customer code, if typed, is theirs.
            if place is not None and (not r.customer_code
                                      or same_code(r.customer_code, place.merged.code)):
                problems.append(merged_rows.place_removed(r.number, r.sheet, r.code, place))
            else:  # no such member: said when the row is stored
                kept.append(r)
            continue
        customer_code, printed, erased, customer_id = got
        if erased:
            problems.append(_at(r, f"row {r.code}: this customer's personal data was "
                                   f"erased at their request; nothing is stored for them",
                                f"{r.code}：该客户的个人信息已应本人要求删除，不再保存任何内容"))
            continue
        if r.customer_code or r.name:
            checked += 1
        was = next((m for m in merged.get(customer_id, ())
                    if r.customer_code and same_code(r.customer_code, m.code)), None)
        if was is not None:
            notes.append(merged_rows.read_as_kept(r.number, r.sheet, r.code, was,
                                                  customer_code))
            kept.append(r)
        elif r.customer_code and not same_code(r.customer_code, customer_code):
            wrong.append(_at(r, f"row {r.code} is customer {customer_code} in this "
                                f"database, not {r.customer_code} as in the file (a row "
                                f"code changed or swapped?); not stored",
                             f"编号 {r.code} 在本数据库中是客户 {customer_code}，不是文件中的 "
                             f"{r.customer_code}（编号被改动或对调？）：未保存"))
        elif not r.customer_code and r.name and printed and not same_person(r.name, printed):
            wrong.append(_at(r, f"row {r.code} is {printed} in this database, not "
                                f"{r.name} as in the file (a row code changed or "
                                f"swapped?); not stored",
                             f"编号 {r.code} 在本数据库中是 {printed}，不是文件中的 {r.name}"
                             f"（编号被改动或对调？）：未保存"))
        else:
            kept.append(r)
    # Nearly every row another customer: not a code typed over here and there, another list.
    if len(wrong) >= 2 and len(wrong) * 4 >= checked * 3:
        raise RevisitError(
            N_("The rows of {path} are not the list runs' members in this database ({wrong} "
               "of {checked} rows name another customer, e.g. row {row}): it was printed "
               "from another database, or its row codes were changed. Nothing was stored."),
            path=str(path), wrong=len(wrong), checked=checked, row=wrong[0].row)
    return kept, problems + wrong, notes


@dataclass
class _Counts:
    stored: int = 0
    already: int = 0
    corrected: int = 0  # of those read before, rows whose feedback, next date or km changed
    runs: set[int] = field(default_factory=set)  # the runs whose members the rows are
    km: int = 0
    changes: int = 0
    problems: list[Problem] = field(default_factory=list)
    left_out: list[Problem] = field(default_factory=list)  # rows stored without a cell
    kept: list[Problem] = field(default_factory=list)  # profile changes a row no longer says
    words: Counter[tuple[str, str]] = field(default_factory=Counter)  # (as typed, outcome)
    undated: Counter[tuple[int, dt.date, str]] = field(  # (run, day, what day: list_day)
        default_factory=Counter)
    on_screen: int = 0  # rows whose call was recorded on screen already
    km_left_out: list[Problem] = field(default_factory=list)  # rows stored without their km
    cells_left_out: list[Problem] = field(default_factory=list)  # without another cell
    # Outcomes typed a character wrong: (as typed, the wording read) -> the rows typing it.
    typos: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    corrections: list[Problem] = field(default_factory=list)  # what each corrected row changed
    retyped: int = 0  # of the rows corrected, those with another outcome
    km_clashes: list[Problem] = field(default_factory=list)  # of km_left_out: not the car's
    km_no_car: list[Problem] = field(default_factory=list)  # of km_left_out: of no one car
    phones_typed: list[Problem] = field(default_factory=list)  # 电话 typed over

    def add(self, other: _Counts) -> None:
        self.stored += other.stored
        self.already += other.already
        self.corrected += other.corrected
        self.runs |= other.runs
        self.km += other.km
        self.changes += other.changes
        self.problems += other.problems
        self.left_out += other.left_out
        self.kept += other.kept
        self.words += other.words
        self.undated += other.undated
        self.on_screen += other.on_screen
        self.km_left_out += other.km_left_out
        self.cells_left_out += other.cells_left_out
        self.corrections += other.corrections
        self.retyped += other.retyped
        self.km_clashes += other.km_clashes
        self.km_no_car += other.km_no_car
        self.phones_typed += other.phones_typed
        for typo, numbers in other.typos.items():
            self.typos.setdefault(typo, []).extend(numbers)


def _callers(s: Session) -> dict[str, int]:
    """Staff by display name, by user name and by both as a list prints two of one name
    (陈丽 (chenli2): told_apart); 0 for a name two of them share."""
    found: dict[str, int] = {}
    for staff_id, display, user in s.execute(
            select(StaffUser.id, StaffUser.display_name, StaffUser.username)):
        for key in {display, user, with_user_name(display or user, user)}:
            if key:
                found[key] = 0 if found.get(key, staff_id) != staff_id else staff_id
    return found


def handed_out(run: ListRun) -> dt.date | None:
    """The day a list run was handed out (its files written), on this PC's calendar."""
    return None if run.finished_at is None else local_time(run.finished_at).date()


def list_day(run: ListRun, today: dt.date) -> tuple[dt.date, str]:
    """The day a contact read back without its 联系日期 is dated, and which day that is
    ("out", "as_of", "today"): the day its list was handed out (the calls were made then or
    since; the day the file is read could be days later), not before the list's date, never
    after today."""
    out = handed_out(run)
    if run.as_of >= today or (out is not None and out >= today):
        return today, "today"
    if out is not None and out > run.as_of:
        return out, "out"
    return run.as_of, "as_of"


def _read_before(s: Session, member: ListRunMember, key: str) -> ContactEvent | None:
    """The latest contact a row of `member` stored under a key starting with `key`."""
    return s.scalar(select(ContactEvent).where(
        ContactEvent.list_run_id == member.run_id,
        ContactEvent.customer_id == member.customer_id,
        ContactEvent.source_key.startswith(key, autoescape=True))
        .order_by(ContactEvent.id.desc()).limit(1))


class _Kind(Enum):
    """What a row read is to the contact a reading of its file stored before."""

    NEW = "new"  # nothing stored for it yet: a new contact
    SAME = "same"  # its contact, saying its outcome: cells typed into since correct it
    # Its contact, found by its row id, day and outcome, whose outcome was put right since
    # (another copy of the list, read before, said another): it changes nothing.
    OLDER = "older"
    # Its contact found by its row id and day, its outcome typed over since (空号 put right as
    # 接通, 接通 as 无人接听): the caller's correction, the contact becomes what the row says.
    RETYPED = "retyped"
    DATED = "dated"  # its contact read before without its 联系日期, the day typed in since


@dataclass(frozen=True)
class _Seen:
    """A row's contact read before (None: NEW), what the row is to it, and the day and moment
    the row's contact is of."""

    event: ContactEvent | None
    kind: _Kind
    day: dt.date
    moment: dt.datetime
    which: str = ""  # a NEW row without its 联系日期: which day dated it (list_day)


def _seen(s: Session, r: Row, member: ListRunMember, run: ListRun, key: str,
          today: dt.date, undated: frozenset[str]) -> _Seen:
    """What row `r` of `member` (stored under `key`) is to what was read before; `undated`:
    the row codes of the file's rows without a 联系日期 (one of those read before with its day
    is a copy, not that day typed in since)."""
    event = s.scalar(select(ContactEvent).where(ContactEvent.source_key == key))
    kind = _Kind.SAME
    if event is None:
        event = _read_before(s, member, key.rpartition(":")[0] + ":")
        # Found under another outcome: the caller's correction. A correction read again says
        # the contact's outcome, as it now is: the same.
        kind = _Kind.RETYPED if event is not None and event.outcome != r.outcome else _Kind.SAME
    if event is None and r.day is not None and r.code not in undated:
        event = s.scalar(select(ContactEvent).where(
            ContactEvent.source_key == f"list:{r.code}:-:{r.outcome}"))
        kind = _Kind.DATED
    if event is None:
        day, which = (r.day, "") if r.day is not None else list_day(run, today)
        return _Seen(None, _Kind.NEW, day, dt.datetime.combine(day, r.at or dt.time(12)), which)
    if kind is not _Kind.RETYPED and event.outcome != r.outcome:
        kind = _Kind.OLDER
    if r.day is None:  # read before without its date: the day and time it was given
        return _Seen(event, kind, event.contact_at.date(), event.contact_at)
    # A contact typed without its time is stored at noon, as the day alone.
    return _Seen(event, kind, r.day, dt.datetime.combine(r.day, r.at or dt.time(12)))


def _store_retrying(sessions: Sessions, part: list[Row], *args) -> _Counts:
    """_store_chunk, again when another process stored some of these rows' events since we
    looked (they count as read before then)."""
    for attempt in range(RETRIES):
        try:
            return _store_chunk(sessions, part, *args)
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _store_chunk(sessions: Sessions, rows: list[Row], file_name: str, actor: Actor | None,
                 staff_id: int | None, today: dt.date,
                 undated: frozenset[str] = frozenset(), read: str = "") -> _Counts:
    """One transaction: each row's contact event with its member's state, km reading and
    profile changes, and one audit entry per list run touched. `undated`: the row codes of
    the file's rows without a 联系日期."""
    got = _Counts()
    stored_by_run: Counter[int] = Counter()
    corrected_by_run: dict[int, list[dict]] = {}  # what each run's corrected rows said before
    with sessions.begin() as s:
        trail = Trail(s)
        callers = _callers(s)
        for r in rows:
            run_id = run_of(r.code)
            member = None
            if run_id is not None:
                member = s.scalar(select(ListRunMember).where(
                    ListRunMember.run_id == run_id, ListRunMember.row_code == r.code))
            if member is None:
                got.problems.append(_at(r, f"row id '{r.code}' matches no list run member",
                                        f"编号“{r.code}”不是本数据库任何名单中的一行"))
                continue
            run = s.get_one(ListRun, member.run_id)
            trail.run = member.run_id
            # The member's row id, the day and the outcome: reading the file again, or again
            # after a killed read, adds nothing twice.
            key = f"list:{r.code}:{r.day or '-'}:{r.outcome}"
            seen = _seen(s, r, member, run, key, today, undated)
            event, day, moment = seen.event, seen.day, seen.moment
            if day > today:
                got.problems.append(_at(r, f"contact date {day} is in the future",
                                        f"联系日期 {day} 晚于今天"))
                continue
            caller = member.assigned_staff_id or staff_id
            unknown = None  # a 回访员 typed who is no staff member: said when stored
            data = member_data(member.snapshot) if member.snapshot else {}
            printed = data.get("caller")
            if r.caller and r.caller != printed:  # another typed over it: calls handed on
                caller = callers.get(r.caller, 0)
                if caller == 0:  # the call is kept, under the caller the list gave it
                    caller = member.assigned_staff_id or staff_id
                    unknown = (_at(
                        r, f"the contact is stored under the list's caller, not under 回访员 "
                           f"'{r.caller}': no staff member (or more than one) has the name; "
                           f"next time type their name or user name as in Settings",
                        f"联系结果已按名单上的回访员保存，未按“{r.caller}”保存：系统中没有该员工（或有"
                        f"重名）；以后请按设置中的姓名或用户名填写"))
            if day < run.as_of:
                got.problems.append(_at(r, f"contact date {day} is before the date of "
                                           f"list run #{run.id} ({run.as_of})",
                                        f"联系日期 {day} 早于名单 #{run.id} 的日期（{run.as_of}）"))
                continue
            # A side cell that cannot be right is left out and said; the call is stored.
            side = [said.stored_without(r.number, r.sheet, en, zh) for en, zh in r.dropped]
            if unknown is not None:
                side.append(unknown)
            if r.follow_up is not None and r.follow_up < day:
                side.append(said.stored_without(
                    r.number, r.sheet,
                    f"follow-up date {r.follow_up} is before the contact ({day})",
                    f"下次跟进 {r.follow_up} 早于联系日期（{day}）"))
                r = replace(r, follow_up=None)
            # What a caller heard on the phone or in a WeChat chat; seen on a visit.
            source = "visit" if member.channel == "visit" else "call"
            car, elsewhere, on_other = km_car(s, r, member, data.get("plate"))  # the km's car
            if elsewhere is not None:
                r = replace(r, km=None, km_unread=elsewhere)
            elif on_other is not None:
                got.kept.append(on_other)
            own = None  # the km this row stored when it was read before (of either car)
            if event is not None and car is not None:
                own = s.scalar(select(MileageReading).where(
                    MileageReading.vehicle_id.in_({car, member.vehicle_id or car}),
                    MileageReading.reading_date == event.contact_at.date(),
                    MileageReading.source == source)
                    .order_by(MileageReading.id.desc()).limit(1))
            clash = None  # why the km read cannot be the car's (English, Chinese)
            if r.km is not None and car is not None:
                last = s.execute(select(MileageReading.km, MileageReading.reading_date).where(
                    MileageReading.vehicle_id == car,
                    MileageReading.reading_date <= day,
                    MileageReading.id != (own.id if own is not None else 0))
                    .order_by(MileageReading.km.desc()).limit(1)).first()
                # A km that clashes with the car's history is left out like one that cannot
                # be read: the call was made whatever the odometer said.
                clash = None if last is None else said.km_clash(r.km, last.km,
                                                                last.reading_date, day)
                if clash is not None:
                    r = replace(r, km=None, km_unread=clash)
            # A call recorded on screen (My follow-ups) and written on the list as well: one
            # contact, the screen's, whatever the list says of it.
            screen = None
            if event is None:
                screen = _on_screen(s, r, member, day)
                if screen is not None and screen.outcome != r.outcome:
                    got.problems.append(said.screen_differs(r.number, r.sheet, r.outcome,
                                                            screen))
                    continue
            got.cells_left_out += side
            # A number typed over the one printed is said, not stored: which phone, or a typo?
            if (phone := said.phone_typed(r.number, r.sheet, r.phone,
                                          data.get("mobile"))) is not None:
                got.phones_typed.append(phone)
            if r.typo is not None:
                got.typos.setdefault(r.typo, []).append(r.number)
            if r.km_unread is not None:
                got.km_left_out.append(_at(
                    r, f"the contact is stored, but not its 当前里程 (km): {r.km_unread[0]}; "
                       f"put the reading in by hand on the customer's page",
                    f"联系结果已保存，当前里程未保存：{r.km_unread[1]}；请在客户页面手动填写里程"))
                if clash is not None:  # read, and not the car's: said apart from unreadable
                    got.km_clashes.append(got.km_left_out[-1])
                elif elsewhere is not None:  # read, and of no one car of theirs: likewise
                    got.km_no_car.append(got.km_left_out[-1])
            if screen is not None:
                got.on_screen += 1
                got.runs.add(member.run_id)
                # A 回访员 typed over the list's for a call another recorded on screen: said.
                if r.caller and r.caller != printed and unknown is None \
                        and screen.staff_id not in (None, caller):
                    got.kept.append(said.screen_caller(r.number, r.code, r.sheet, r.caller,
                                                       staff_name(s, screen.staff_id) or "?"))
                if _add_to_screen(s, r, screen, car, source):
                    got.km += 1
                got.changes += record_row_changes(s, member.customer_id, r.code, r.changes,
                                                  screen.contact_at.date(), source, caller,
                                                  today)
                s.flush()
                continue
            if r.unread is not None:
                got.left_out.append(_at(
                    r, f"the contact is stored, but not its 画像变化 (profile changes): "
                       f"{r.unread[0]}; none of the cell's changes were stored: put them in "
                       f"by hand on the customer's page",
                    f"联系结果已保存，画像变化未保存：{r.unread[1]}；该格中的画像变化均未保存，"
                    f"请在客户页面手动填写"))
            if event is not None:
                got.already += 1
                # An older copy of a row whose outcome was put right since changes nothing,
                # its profile changes included.
                counts = seen.kind is not _Kind.OLDER
                first_day = event.contact_at.date()
                # The 回访员 typed over since (a name mistyped put right): the contact is theirs.
                named = caller if r.caller and unknown is None else None
                before = _correct(s, r, seen, member, car, own, source, named)
                if before is not None:
                    got.corrected += 1
                    customer = s.get_one(Customer, member.customer_id)
                    # Whose contact it was: the caller it was stored under, replaced or not.
                    whose = before["staff_id"] if "staff_id" in before else event.staff_id
                    got.retyped += "outcome" in before
                    got.corrections.append(said.corrected(
                        r.number, r.sheet, r.code, (customer.name, customer.code), before,
                        r.outcome, staff_name(s, whose), staff_name(s, event.staff_id)))
                    if "km" in before and before["km"] is None:  # typed in since: a new reading
                        got.km += 1
                    got.runs.add(member.run_id)
                    corrected_by_run.setdefault(member.run_id, []).append(before)
                if not counts:  # this row's outcome was put right since: it stays right
                    got.kept.append(said.older(r.number, r.sheet, r.code, r.outcome,
                                               event.outcome))
                if counts and r.words is not None:
                    got.words[(r.words, r.outcome)] += 1
                # A 画像变化 cell that cannot be read says nothing of what it no longer says.
                if counts and r.unread is None:
                    recorded, kept = reread_changes(
                        s, member.customer_id, r.code, r.changes, first_day=first_day,
                        day=event.contact_at.date(), anew=seen.kind is _Kind.RETYPED,
                        source=source, staff_id=caller, today=today)
                    got.changes += recorded
                    if kept:
                        got.kept.append(said.kept(r.number, r.code, r.sheet, kept))
                s.flush()
                continue
            # The member's state is their latest contact's: a row of an earlier day read
            # after a later one (a copy of the list read later) adds its contact only.
            latest = s.scalar(select(func.max(ContactEvent.contact_at)).where(
                ContactEvent.list_run_id == member.run_id,
                ContactEvent.customer_id == member.customer_id))
            s.add(ContactEvent(
                customer_id=member.customer_id, vehicle_id=member.vehicle_id,
                contact_at=moment, channel=member.channel,
                purpose=run.purpose, staff_id=caller,
                outcome=r.outcome, feedback=r.feedback, next_follow_up=r.follow_up,
                list_run_id=member.run_id, source_key=key))
            member.attempts += 1
            if latest is None or moment >= latest:
                member.status = r.outcome
            got.stored += 1
            stored_by_run[member.run_id] += 1
            got.runs.add(member.run_id)
            if r.day is None:
                got.undated[(run.id, day, seen.which)] += 1
            if r.words is not None:
                got.words[(r.words, r.outcome)] += 1
            if r.km is not None and car is not None:
                s.add(MileageReading(vehicle_id=car, reading_date=day, km=r.km, source=source))
                got.km += 1
            got.changes += record_row_changes(s, member.customer_id, r.code, r.changes, day,
                                              source, caller, today)
            s.flush()
        s.flush()
        for run_id in sorted(stored_by_run.keys() | corrected_by_run.keys() | trail.runs()):
            detail: dict = {"file": file_name, "stored": stored_by_run[run_id],
                            "rows": f"{rows[0].number}-{rows[-1].number}"}
            if run_id in corrected_by_run:
                detail["corrected"] = corrected_by_run[run_id]
            detail.update(read=read, trail=trail.kept(run_id))
            record(s, actor, "read_outcomes", "list_run", run_id, detail)
    return got


def _on_screen(s: Session, r: Row, member: ListRunMember, day: dt.date
               ) -> ContactEvent | None:
    """The contact of `member`'s list recorded on screen (no source key: typed in, not read from
    a file) on `day` that row `r` is, one of its outcome first, else the latest that day (to be
    said); for a row without its 联系日期, the latest of its outcome on any day. None: none."""
    conditions = [ContactEvent.list_run_id == member.run_id,
                  ContactEvent.customer_id == member.customer_id,
                  ContactEvent.source_key.is_(None)]
    if r.day is None:
        conditions.append(ContactEvent.outcome == r.outcome)
    else:
        start = dt.datetime.combine(day, dt.time())
        conditions += [ContactEvent.contact_at >= start,
                       ContactEvent.contact_at < start + dt.timedelta(days=1)]
    return s.scalar(select(ContactEvent).where(*conditions).order_by(
        (ContactEvent.outcome == r.outcome).desc(), ContactEvent.contact_at.desc(),
        ContactEvent.id.desc()).limit(1))


def _add_to_screen(s: Session, r: Row, screen: ContactEvent, car: int | None,
                   source: str) -> bool:
    """What row `r` says that the contact recorded on screen (`screen`) does not, added to it:
    feedback written on the list only, a next date when it has none, a km reading of `car`
    when that day has none. Read again, it adds nothing twice. True when a km reading was
    added."""
    if r.feedback is not None and r.feedback not in (screen.feedback or ""):
        screen.feedback = r.feedback if not screen.feedback else \
            f"{screen.feedback}；{r.feedback}"
    if r.follow_up is not None and screen.next_follow_up is None:
        screen.next_follow_up = r.follow_up
    if r.km is None or car is None:
        return False
    read_that_day = s.scalar(select(MileageReading.id).where(
        MileageReading.vehicle_id == car,
        MileageReading.reading_date == screen.contact_at.date()).limit(1))
    if read_that_day is not None:
        return False
    s.add(MileageReading(vehicle_id=car, reading_date=screen.contact_at.date(), km=r.km,
                         source=source))
    return True


def _correct(s: Session, r: Row, seen: _Seen, member: ListRunMember, car: int | None,
             own: MileageReading | None, source: str, caller: int | None = None
             ) -> dict | None:
    """A row read before (`seen`: its contact), read again: what was typed into it since (the
    time, feedback, the next date, the km) replaces what its first read stored. A cell emptied
    since clears nothing (an older copy of the list read later must not erase what a newer one
    said). A row RETYPED is the caller's correction of that contact, and the contact becomes
    what it says, the outcome and every other cell, an empty one clearing what the first read
    stored (a feedback heard on a call not answered after all is none), and its km reading
    going with it; the outcome read before would otherwise still count (a wrong number kept
    the customer off later call lists). The event keeps the key it was first stored under, so
    the older copy read again is that event, and changes nothing (OLDER). A row DATED moves
    the contact, and its km reading, to the day typed in since. `caller`: the staff member its
    回访员 cell names (None: empty, or nobody), who made the call whoever the first read gave
    it to. Returns what was replaced, for the audit trail, or None when nothing was."""
    event, moment = seen.event, seen.moment
    assert event is not None  # a row read before
    if seen.kind is _Kind.OLDER:
        return None
    anew = seen.kind is _Kind.RETYPED
    dated = seen.kind is _Kind.DATED
    before: dict = {}
    if anew:
        before["outcome"] = event.outcome
        event.outcome = r.outcome
        if member.status == before["outcome"]:
            member.status = r.outcome
    if (anew or dated or r.at is not None) and moment != event.contact_at:
        before["contact_at"] = event.contact_at.isoformat(sep=" ", timespec="minutes")
        event.contact_at = moment
        if own is not None:
            own.reading_date = moment.date()
    # A row whose words are already in the feedback (a screen call added its own to them)
    # was not typed into since: the added words stay.
    within = r.feedback is not None and r.feedback in (event.feedback or "")
    if (anew or (r.feedback is not None and not within)) and r.feedback != event.feedback:
        before["feedback"] = event.feedback
        event.feedback = r.feedback
    if (anew or r.follow_up is not None) and r.follow_up != event.next_follow_up:
        before["next_follow_up"] = (None if event.next_follow_up is None
                                    else event.next_follow_up.isoformat())
        event.next_follow_up = r.follow_up
    if r.km is not None and car is not None:
        if own is None:
            s.add(MileageReading(vehicle_id=car, reading_date=moment.date(), km=r.km,
                                 source=source))
            before["km"] = None
        elif own.km != r.km or own.vehicle_id != car:  # typed over, or its 车牌 typed over
            if own.km != r.km:
                before["km"] = own.km
            if own.vehicle_id != car:  # the reading is now the car's whose plate it says
                before["vehicle_id"] = own.vehicle_id
            own.km, own.vehicle_id = r.km, car
    elif anew and own is not None:
        before["km"] = own.km
        s.delete(own)
    if caller is not None and caller != event.staff_id:
        before["staff_id"] = event.staff_id
        event.staff_id = caller
    return {"row": r.code, **before} if before else None
