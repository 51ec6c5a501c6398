"""The files of a list run, for the window and the CLI alike: which files a whole run produces
(`plan_run_files`) and the one writer of each (`write_run_file`). A file holds only the members
of its channel, and is written in a scratch folder beside its target and renamed into place, so
a failure never leaves a part-written file behind.

Full phone numbers go to disk only for a supervisor (services/staff/permissions.py,
EXPORT_PHONES). For staff, and when nobody is signed in, call sheets and lists are written with
masked mobiles (138****8000) and the SMS vendor file, which is nothing but numbers to text, is
refused. Staff still see mobiles in full where they call from: the follow-up queue, the
customer page and a call sheet the window previews and prints for them (`for_printing`: a
scratch file the window deletes, never a file they keep).

What would refuse a file (nobody of its channel, the SMS file for staff, envelopes without the
shop's return address, no Chinese font, no SMS signature in the settings, a bad SMS template,
WeChat message or time) is checked for every file of a request before the first is written
(`check_run_files`), so a refusal leaves nothing behind. A PDF whose text has characters no
font on this computer has is still written, with □ in their place, and says so
(`WrittenFile.unprintable`, `.warning`)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import json
import multiprocessing
import queue
import threading
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import ListRun
from services.lists import runs
from services.outputs import excel, file_names, list_process, sms, wechat
from services.outputs.fonts import FALLBACK_ENV, cjk_font
from services.outputs.types import (
    LIST_CHANNELS,
    NO_STEPS,
    ListDocument,
    ListMember,
    Steps,
    mask_phone,
    member_masked,
)
from services.staff.audit import record
from services.staff.permissions import (
    EXPORT_PHONES,
    NOT_PASSED,
    Actor,
    NotAllowed,
    NotPassed,
    allowed,
)
from services.store import collector
from services.store.errors import N_, RevisitError
from services.store.settings import Settings

# Where the files are written whole; the rest for those who import them from here.
from services.store.staging import SCRATCH_PREFIX as SCRATCH_PREFIX
from services.store.staging import STALE_SCRATCH as STALE_SCRATCH
from services.store.staging import Together as Together
from services.store.staging import remove_stale_scratch as remove_stale_scratch
from services.store.staging import staged

if TYPE_CHECKING:
    from services.customers.brief_batch import CondensedBrief

CALL_SHEET = "call_sheet"  # PDF to print for the callers, exclusions in an appendix
CALL_LIST = "call_list"  # Excel/CSV with the columns `list outcomes` reads back
MAIL_LIST = "mail_list"  # Excel/CSV of addresses
LABELS = "labels"  # PDF of labels or envelopes
SMS_LIST = "sms_list"  # Excel/CSV of the SMS members, no message
SMS_FILE = "sms"  # the SMS vendor's upload file, one rendered message per number
WECHAT_LIST = "wechat_list"  # Excel/CSV: WeChat ID and the message to paste, outcomes back
VISIT_LIST = "visit_list"  # Excel/CSV: address and best time, district by district

# The channel whose members each kind of file holds.
CHANNEL_OF = {
    CALL_SHEET: "call",
    CALL_LIST: "call",
    MAIL_LIST: "mail",
    LABELS: "mail",
    SMS_LIST: "sms",
    SMS_FILE: "sms",
    WECHAT_LIST: "wechat",
    VISIT_LIST: "visit",
}
PDF_KINDS = (CALL_SHEET, LABELS)

# A run's members were checked against the do-not-contact flags, consent and contact details of
# their own channel only (services/lists/routing.py), so a file of another channel's members
# could text someone who unsubscribed or post to someone without an address. A file is therefore
# made of its own channel's members only, and asking for one of a channel nobody in the run is
# on is refused with the reason (the window once made an SMS file of every member then).
NOBODY = {
    "call": N_("Nobody in list #{run} is to be called, so there is no call sheet or call list "
               "to make. Its members were checked for their own channel only; build a list "
               "with the phone channel to call them."),
    "mail": N_("Nobody in list #{run} is to be sent post, so there are no labels or mail list "
               "to make. Its members were checked for their own channel only; build a list "
               "with the mail channel to write to them."),
    "sms": N_("Nobody in list #{run} is to be sent an SMS, so there is no SMS file to make. "
              "Its members were checked for their own channel only (not for SMS "
              "do-not-contact or unsubscribes); build a list with the SMS channel to text "
              "them."),
    "wechat": N_("Nobody in list #{run} is to get a WeChat message, so there is no WeChat "
                 "list to make. Its members were checked for their own channel only; build a "
                 "list with the WeChat channel to message them."),
    "visit": N_("Nobody in list #{run} is to be visited, so there is no visit list to make. "
                "Its members were checked for their own channel only; build a list with the "
                "visit channel to visit them."),
}
# A run nobody at all was let into: not "build it with another channel".
EMPTY_RUN = N_("Nobody is in list #{run}: all {left_out} customers of its segment were left "
               "out, so there is no file to make. Their reasons are in the list's left-out "
               "customers (for a sales list, often no marketing consent).")
EMPTY_SEGMENT = N_("Nobody is in list #{run}: its segment had nobody on the list's date, so "
                   "there is no file to make.")


@dataclass(frozen=True)
class FileRequest:
    """One file to write. `fmt` is pdf for a call sheet or labels, xlsx or csv otherwise."""

    kind: str
    path: Path
    fmt: str = "xlsx"
    label_layout: str | None = None  # labels; None: the layout in the settings
    sms_text: str = ""  # SMS_FILE: the message with merge fields such as {称呼}
    send_at: dt.datetime | None = None  # SMS_FILE: planned sending time; None: now
    message: str = ""  # WECHAT_LIST: the message with merge fields; "": the default greeting


class PrintWarning(RevisitError):
    """Not raised: a file was written, but not quite as typed. The window shows it translated
    (ui/i18n.py translate_error), the CLI prints `message`."""


UNPRINTABLE = N_("{file} was written, but some characters could not be printed: no font on "
                 "this computer has them, so each is printed as □. Write them in by hand or "
                 "correct the record (or install a font that has them and name its file in "
                 "{env}), then print again: {who}")


@dataclass(frozen=True)
class WrittenFile:
    kind: str
    path: Path
    rows: int  # people in the file; for an SMS file, the numbers that get a message
    sms_parts: int = 0  # SMS_FILE: billed messages
    skipped: tuple[tuple[str, str], ...] = ()  # SMS_FILE: (row code, why) left out
    # PDFs: one line per person whose text has characters no font here has, printed as □,
    # e.g. "9-0001 𠮷田太郎（姓名：𠮷 U+20BB7）".
    unprintable: tuple[str, ...] = ()
    # The file holds mobiles, masked (138****8000): written for someone not allowed full ones.
    masked: bool = False
    send_at: dt.datetime | None = None  # SMS_FILE: when it is to be sent
    moved: bool = False  # SMS_FILE: no time given, and now is outside the marketing window
    # SMS_FILE: a service notice planned outside the marketing window, which binds it not.
    notice: bool = False

    @property
    def warning(self) -> PrintWarning | None:
        """What to tell staff about the file once written, or None."""
        if not self.unprintable:
            return None
        return PrintWarning(UNPRINTABLE, file=self.path.name, env=FALLBACK_ENV,
                            who="; ".join(self.unprintable))


def list_format(path: Path | str) -> str:
    """csv for a .csv name, else xlsx: the format of a list the user named."""
    return "csv" if str(path).lower().endswith(".csv") else "xlsx"


def plan_run_files(doc: ListDocument, out: Path, fmt: str, *, label_layout: str | None = None,
                   sms_text: str = "", send_at: dt.datetime | None = None,
                   message: str = "") -> tuple[FileRequest, ...]:
    """The files a whole run produces, one per channel that has members. With `fmt` pdf the
    calls are a call sheet and the post labels, otherwise Excel (xlsx) or CSV lists; SMS is
    always a list (CSV when csv is asked for, else xlsx), the vendor file when `sms_text` is
    given; visits and WeChat are lists too (a WeChat list with each member's `message`). The
    first file goes to `out`, its format's ending added unless `out` has it (名单12.07 →
    名单12.07.pdf, calls → calls.xlsx); a second channel's file goes beside it with -mail /
    -sms / -visit / -wechat in its name, as does an SMS file next to a PDF. A name ending as
    a document Revisit does not write (.docx, .xls, .txt…) is refused."""
    return plan_files([c for c in LIST_CHANNELS if doc.of_channel(c)], out, fmt,
                      label_layout=label_layout, sms_text=sms_text, send_at=send_at,
                      message=message)


def plan_files(channels: Sequence[str], out: Path, fmt: str, *, label_layout: str | None = None,
               sms_text: str = "", send_at: dt.datetime | None = None,
               message: str = "") -> tuple[FileRequest, ...]:
    """plan_run_files for a run whose members are on `channels` (in LIST_CHANNELS' order):
    what a run built for one channel will need, known before it is built."""
    single = len(channels) == 1
    pdf = fmt == "pdf"

    def target(tag: str, suffix: str, alone: bool) -> Path:
        """`out` with `suffix` when the file is `alone`, else beside it with -`tag`."""
        return (file_names.named(out, suffix) if alone
                else file_names.sibling(out, tag, suffix))

    requests = []
    if "call" in channels:
        if pdf:
            requests.append(FileRequest(CALL_SHEET, file_names.named(out, ".pdf"), "pdf"))
        else:
            requests.append(FileRequest(CALL_LIST, file_names.named(out, f".{fmt}"), fmt))
    if "mail" in channels:
        suffix = ".pdf" if pdf else f".{fmt}"
        place = target("mail", suffix, single)
        if pdf:
            requests.append(FileRequest(LABELS, place, "pdf", label_layout=label_layout))
        else:
            requests.append(FileRequest(MAIL_LIST, place, fmt))
    if "sms" in channels:
        sms_fmt = "csv" if fmt == "csv" else "xlsx"
        place = target("sms", f".{sms_fmt}", single and not pdf)
        if sms_text:
            requests.append(FileRequest(SMS_FILE, place, sms_fmt, sms_text=sms_text,
                                        send_at=send_at))
        else:
            requests.append(FileRequest(SMS_LIST, place, sms_fmt))
    list_fmt = "csv" if fmt == "csv" else "xlsx"  # no PDF of these: staff work from the sheet
    for channel, kind in (("visit", VISIT_LIST), ("wechat", WECHAT_LIST)):
        if channel in channels:
            requests.append(FileRequest(kind, target(channel, f".{list_fmt}", single and not pdf),
                                        list_fmt, message=message))
    return tuple(requests)


def check_run_files(doc: ListDocument, requests: tuple[FileRequest, ...] | list[FileRequest],
                    settings: Settings, actor: Actor | None | NotPassed = NOT_PASSED, *,
                    for_printing: bool = False) -> None:
    """Refuse now what `write_run_file` would refuse any of `requests` for, so that a
    refusal comes before the first file is written, not after: call it before writing a
    request's files one by one."""
    for request in requests:
        _check(doc, request, settings, actor, for_printing)


def _check(doc: ListDocument, request: FileRequest, settings: Settings,
           actor: Actor | None | NotPassed, for_printing: bool) -> bool:
    """One file's preconditions; True when it is written with full mobiles."""
    if not doc.members and request.kind in CHANNEL_OF:
        if not doc.excluded:
            raise RevisitError(EMPTY_SEGMENT, run=doc.run_id)
        raise RevisitError(EMPTY_RUN, run=doc.run_id, left_out=len(doc.excluded))
    return _check_request(request, settings, actor, for_printing, doc.run_id,
                          bool(doc.of_channel(CHANNEL_OF.get(request.kind, ""))), doc.purpose)


def _check_request(request: FileRequest, settings: Settings, actor: Actor | None | NotPassed,
                   for_printing: bool, run_id: int | None, has_members: bool,
                   purpose: str = "") -> bool:
    """_check for run `run_id`, which `has_members` on the request's channel or not."""
    if request.kind not in CHANNEL_OF:
        raise ValueError(f"unknown kind of list file {request.kind!r}")
    if for_printing and request.kind != CALL_SHEET:
        raise ValueError("only a call sheet is written for printing")
    full = (actor is NOT_PASSED or allowed(actor, EXPORT_PHONES)
            or (for_printing and isinstance(actor, Actor)))
    if not full and request.kind == SMS_FILE:
        raise NotAllowed(EXPORT_PHONES, actor if isinstance(actor, Actor) else None)
    if not has_members:
        raise RevisitError(NOBODY[CHANNEL_OF[request.kind]], run=run_id)
    if request.kind in PDF_KINDS:
        cjk_font()  # no Chinese font: refused with what to install
    if request.kind == LABELS:
        check_choices(settings, label_layout=request.label_layout or settings.label_layout)
    if request.kind == WECHAT_LIST:
        check_choices(settings, message=request.message)
    if request.kind == SMS_FILE:
        check_choices(settings, sms_text=request.sms_text, send_at=request.send_at,
                      purpose=purpose)
    return full


def check_choices(settings: Settings, *, sms_text: str | None = None,
                  send_at: dt.datetime | None = None, message: str | None = None,
                  label_layout: str | None = None, purpose: str = "") -> None:
    """Refuse what staff chose for a run's files, whatever the run holds: an SMS template and
    its sending time (None: the next moment SMS of `purpose` may be sent), a WeChat message, a
    label layout (envelopes need the shop's return address). Each is checked only when given,
    so a command can check them before it stores a run, and each file again before the first
    is written."""
    if sms_text is not None:
        sms.template_from_settings(sms_text, settings).check()
        sending_time(send_at, settings, purpose, sms_text)
    if message is not None:
        wechat.checked(message, settings.shop_name)
    if label_layout is not None:
        from services.outputs import labels  # reportlab: only for PDF files

        labels.check_labels(label_layout, labels.Sender.from_settings(settings))


def sending_time(send_at: dt.datetime | None, settings: Settings, purpose: str,
                 sms_text: str) -> dt.datetime:
    """When an SMS file of a list for `purpose` is to be sent (sms.planned_time): as planned,
    refused outside the marketing window unless it is a service notice; else now, or for
    marketing the window's next opening."""
    return sms.planned_time(send_at, sms.window_for(settings, purpose, sms_text))


def write_run_file(doc: ListDocument, request: FileRequest, settings: Settings,
                   actor: Actor | None | NotPassed = NOT_PASSED, *,
                   sessions: sessionmaker[Session] | None = None,
                   briefs_from: sessionmaker[Session] | None = None,
                   for_printing: bool = False, steps: Steps = NO_STEPS,
                   together: Together | None = None) -> WrittenFile:
    """Write one file of the run from the members of its channel (refused when it has none).
    Nothing appears at `request.path` unless the whole file was written. `actor` is who asks:
    full mobiles for a supervisor, masked ones otherwise, and the SMS vendor file for a
    supervisor only (NOT_PASSED: a caller from before accounts, unchecked). `for_printing`:
    a call sheet to preview and print only, with full mobiles for anyone signed in. With
    `sessions` the file is recorded in the audit trail. A call sheet puts each member's
    condensed pre-call brief under its row when a database is given: `briefs_from`, else
    `sessions` (a preview reads briefs without recording anything). Writing several files of
    one request: `check_run_files` them all first. `steps` hears how far the writing is, and
    may stop it (nothing is then written). With `together` the file (and its audit record)
    is put in place when that block ends, with the request's other files."""
    full = _check(doc, request, settings, actor, for_printing)
    if not full:
        doc = masked(doc)
    members = doc.of_channel(CHANNEL_OF[request.kind])
    path = Path(request.path)
    briefs, source = None, briefs_from or sessions
    if request.kind == CALL_SHEET and source is not None:
        from services.customers.brief_batch import sheet_briefs  # only a call sheet needs it
        briefs = sheet_briefs(source, doc, steps.cancel)
    with staged(path, together) as scratch, collector.paused():
        written = _write(doc, members, request, settings, scratch, briefs, steps)
        if sessions is not None and doc.run_id is not None and not for_printing:
            # Stored with the run before the file is put in place: a process killed after
            # that leaves files `runs.finish_if_complete` recognises, and the texts a
            # re-print writes them with.
            placed = dataclasses.replace(written, path=path)
            with sessions.begin() as s:
                runs.file_written(s, doc.run_id, path, scratch, _kept(written, request),
                                  (_staff(actor), _export_detail(placed, full)))
    written = dataclasses.replace(written, path=path,
                                  masked=not full and holds_mobiles(request.kind))
    if sessions is not None:
        record_it = functools.partial(_record_export, sessions, actor, doc.run_id, written,
                                      full)
        if together is not None:
            together.then(record_it)
        else:
            record_it()
    return written


def _record_export(sessions: sessionmaker[Session], actor: Actor | None | NotPassed,
                   run_id: int | None, written: WrittenFile, full: bool) -> None:
    with sessions.begin() as s:
        record(s, actor if isinstance(actor, Actor) else None, "export_list_file",
               "list_run", run_id, _export_detail(written, full))
        if run_id is not None:
            runs.file_recorded(s, run_id, written.path)


def _export_detail(written: WrittenFile, full: bool) -> dict[str, object]:
    return {"kind": written.kind, "file": written.path.name, "rows": written.rows,
            "full_phones": full, "fields": fields_of(written.kind)}


def _staff(actor: Actor | None | NotPassed) -> int | None:
    return actor.id if isinstance(actor, Actor) else None


# What a run's SMS file and WeChat list were last written with, kept in its settings_json, so
# that a re-print (`list print`) writes them again as they were: the vendor file with its
# messages and sending time, the WeChat list with its message.
SMS_TEXT, SEND_AT, WECHAT_MESSAGE = "sms_text", "sms_send_at", "wechat_message"


@dataclass(frozen=True)
class RunTexts:
    sms_text: str = ""
    send_at: dt.datetime | None = None
    message: str = ""
    purpose: str = ""  # the run's


def _kept(written: WrittenFile, request: FileRequest) -> dict[str, object]:
    """What the run keeps of a file's texts (its settings_json)."""
    if request.kind == SMS_FILE:
        return {SMS_TEXT: request.sms_text,
                SEND_AT: written.send_at.isoformat(timespec="minutes") if written.send_at
                else None}
    if request.kind == WECHAT_LIST:
        return {WECHAT_MESSAGE: request.message}
    return {}


def run_texts(sessions: sessionmaker[Session], run_id: int) -> RunTexts:
    """The SMS message, its sending time and the WeChat message run `run_id`'s files were last
    written with ("" and None: never written, or written before runs kept them), and the
    run's purpose."""
    with sessions() as s:
        row = s.execute(select(ListRun.settings_json, ListRun.purpose)
                        .where(ListRun.id == run_id)).first()
    raw, purpose = row if row is not None else ("{}", "")
    kept = json.loads(raw or "{}")
    send_at = kept.get(SEND_AT)
    return RunTexts(kept.get(SMS_TEXT) or "",
                    dt.datetime.fromisoformat(send_at) if send_at else None,
                    kept.get(WECHAT_MESSAGE) or "", purpose)


HOLDS_MESSAGES = N_("{file} holds SMS messages, which this would write over with a plain SMS "
                    "list; nothing was made. Give --sms-template to write it with the messages, "
                    "or move the file away.")


def check_kept(requests: Sequence[FileRequest]) -> None:
    """Refuse to write a plain SMS list over an SMS vendor file (one with 手机号码 and the
    messages, as SMS_FILE writes it): re-printing a run as a call list must not lose the
    messages the file beside it was written with."""
    for request in requests:
        if request.kind == SMS_LIST and _vendor_file(Path(request.path)):
            raise RevisitError(HOLDS_MESSAGES, file=str(request.path))


def _vendor_file(path: Path) -> bool:
    """Whether `path` is an SMS vendor file: its first row names 手机号码 (an SMS list of
    members says 手机), or a csv has its -preview file of messages beside it."""
    try:
        if not path.is_file():
            return False
        first: list[object]
        if path.suffix.lower() == ".csv":
            if sms.preview_path(path).is_file():
                return True
            with path.open(encoding="utf-8-sig", newline="") as f:
                first = list(next(csv.reader(f), []))
        else:
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            try:
                rows = book.worksheets[0].iter_rows(max_row=1, values_only=True)
                first = list(next(rows, ()))
            finally:
                book.close()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return False  # not a file Revisit wrote: written over as before
    return "手机号码" in first


# The files that are one channel's members row by row (excel.write_members): these can be
# written while their run is built (StreamedList).
MEMBER_LISTS = (CALL_LIST, MAIL_LIST, SMS_LIST, VISIT_LIST)
# A streamed list of at least this many members is written by a process of its own
# (services/outputs/list_process.py). Starting one took 0.2 s alone and up to 0.9 s beside a
# build; writing this many rows' cells in the build's process holds Python's lock about 0.4 s
# (2.2 s for 106,607 rows).
PROCESS_FROM = 20_000
# How long a writing process that has said it is done is given to end before it is stopped.
CHILD_WAIT_S = 10
WRITER_STOPPED = N_("The list file {file} could not be written: the program writing it "
                    "stopped unexpectedly.")
_BY_PROCESS = object()  # put first in a StreamedList's chunks when a process writes it


class _Discarded(Exception):
    """A streamed list the run turned out not to need: its scratch file goes."""


class StreamedList:
    """A list of one channel's members (MEMBER_LISTS) written while its run is built, by a
    thread of its own: `add` takes each chunk of members as the build makes them (on the
    build's thread), `finish` puts the file in place, as write_run_file would have written
    it, once the run is stored and needs it; `discard` leaves nothing behind. Formatting and
    compressing a 103,441-member Excel call list took 1.2 s after the build; here it is done
    while the database stores the members.

    Checked as write_run_file checks it (check_run_files), but only in `finish`: whether the
    run has anyone on the channel is known once it is built."""

    def __init__(self, request: FileRequest, actor: Actor | None | NotPassed = NOT_PASSED
                 ) -> None:
        if request.kind not in MEMBER_LISTS:
            raise ValueError(f"a {request.kind!r} file is not a list of members")
        self.request = request
        self.actor = actor
        self.channel = CHANNEL_OF[request.kind]
        # As _check decides it: full mobiles for a supervisor, masked ones otherwise.
        self.full = actor is NOT_PASSED or allowed(actor, EXPORT_PHONES)
        # Lists of members written here; or _BY_PROCESS, then (chunk_of's bytes, rows) for the
        # process; None at the end.
        self._chunks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._rows = 0
        self._written = threading.Event()  # every row written, or the writing failed
        self._keep = False
        self._decided = threading.Event()
        self._error: BaseException | None = None
        self._by_process = False
        self._scratch: Path | None = None  # where it is written until it is put in place
        self._thread = threading.Thread(target=self._write, name="list file", daemon=True)
        self._thread.start()

    def begin(self, members: int) -> None:
        """How many members the run has, told before the first chunk: a list of
        PROCESS_FROM or more is written by a process of its own (list_process)."""
        if members >= PROCESS_FROM:
            self._by_process = True
            self._chunks.put(_BY_PROCESS)

    def add(self, members: Sequence[ListMember], snapshots: Sequence[str] | None = None
            ) -> None:
        """A chunk of the run's members, of every channel, and their snapshots when the
        build has them (a process writing the list reads those: nothing is made again)."""
        channel = self.channel
        if not self._by_process:
            mine = [m for m in members if m.channel == channel]
            self._chunks.put(mine if self.full else [member_masked(m) for m in mine])
            return
        if snapshots is None:
            snapshots = [m.to_json() for m in members]
        picked = [s for m, s in zip(members, snapshots, strict=True) if m.channel == channel]
        self._chunks.put((list_process.chunk_of(picked), len(picked)))

    def _members(self, chunk: list[ListMember] | None) -> Iterator[ListMember]:
        while chunk is not None:
            self._rows += len(chunk)
            yield from chunk
            chunk = self._chunks.get()

    def _write(self) -> None:
        try:
            with staged(Path(self.request.path)) as scratch:
                self._scratch = scratch
                try:
                    first = self._chunks.get()
                    if first is _BY_PROCESS:
                        self._write_by_process(scratch)
                    else:
                        excel.write_members(self._members(first), self.channel, scratch,
                                            self.request.fmt)
                finally:
                    self._written.set()
                self._decided.wait()
                if not self._keep:
                    raise _Discarded
        except _Discarded:
            pass
        except BaseException as exc:  # raised again by `finish`, on the caller's thread
            self._error = exc
        finally:
            self._written.set()

    def _write_by_process(self, scratch: Path) -> None:
        """The chunks handed to a process of its own (list_process.serve), which writes
        `scratch`; whatever failed there raised here."""
        context = multiprocessing.get_context("spawn")  # as on Windows, and safe beside threads
        ours, theirs = context.Pipe()
        child = context.Process(target=list_process.serve, name="revisit list file",
                                args=(theirs, self.channel, str(scratch), self.request.fmt,
                                      self.full), daemon=True)
        child.start()
        theirs.close()
        try:
            try:
                while (item := self._chunks.get()) is not None:
                    chunk, rows = item
                    ours.send_bytes(chunk)
                    self._rows += rows
                ours.send_bytes(list_process.END)
            except OSError:  # it stopped taking chunks: it says why below
                pass
            try:
                said, failure = ours.recv()
            except (EOFError, OSError):
                raise RevisitError(WRITER_STOPPED, file=self.request.path) from None
            if said == "failed":
                raise failure
        finally:
            ours.close()
            child.join(CHILD_WAIT_S)
            if child.is_alive():
                child.kill()
                child.join()

    def _end(self, keep: bool) -> None:
        self._keep = keep
        self._decided.set()
        self._thread.join()

    def finish(self, run_id: int, on_channel: int, settings: Settings,
               sessions: sessionmaker[Session] | None = None) -> WrittenFile | None:
        """The file in place and, with `sessions`, recorded in the audit trail, when run
        `run_id` as built has `on_channel` members on the stream's channel and the stream was
        given them all. None when it was not (nothing was kept, so the run's files are written
        from its document as usual). Knowing the count is enough: the run's members need not
        be kept for the file (106,607 members' document held 120 MB)."""
        self._chunks.put(None)
        self._written.wait()
        if self._error is not None or self._rows != on_channel:
            self._end(keep=False)
            if self._error is not None:
                raise self._error
            return None
        try:
            _check_request(self.request, settings, self.actor, False, run_id, on_channel > 0)
            if sessions is not None and self._scratch is not None:
                # With the run before it is put in place, as write_run_file stores it.
                placed = WrittenFile(self.request.kind, Path(self.request.path), self._rows)
                with sessions.begin() as s:
                    runs.file_written(s, run_id, placed.path, self._scratch, None,
                                      (_staff(self.actor), _export_detail(placed, self.full)))
        except BaseException:
            self._end(keep=False)
            raise
        self._end(keep=True)
        if self._error is not None:
            raise self._error
        written = WrittenFile(self.request.kind, Path(self.request.path), self._rows)
        if sessions is not None:
            _record_export(sessions, self.actor, run_id, written, self.full)
        return written

    def discard(self) -> None:
        """Stop, leaving no file behind (the build failed or was stopped). Harmless after
        `finish`."""
        if self._thread.is_alive():
            self._chunks.put(None)
            self._end(keep=False)


def masked(doc: ListDocument) -> ListDocument:
    """The document with every member's and excluded customer's phone number masked."""
    return dataclasses.replace(
        doc,
        members=tuple(map(member_masked, doc.members)),
        excluded=tuple(dataclasses.replace(e, mobile=mask_phone(e.mobile))
                       for e in doc.excluded),
    )


def holds_mobiles(kind: str) -> bool:
    """Whether a file of this kind prints its people's phone numbers (a mail list does not)."""
    return any(field.startswith(("手机", "电话")) for field in fields_of(kind))


def fields_of(kind: str) -> list[str]:
    """What a file of this kind holds about each person, for the audit trail."""
    if kind == CALL_SHEET:
        from services.outputs import pdf_call_sheet

        return [h for h, _ in pdf_call_sheet.COLUMNS]
    if kind == LABELS:
        return ["姓名", "邮政编码", "地址"]
    if kind == SMS_FILE:
        return ["手机号码", "短信内容（含合并字段）"]
    return [c.header for c in excel.COLUMNS_BY_CHANNEL[CHANNEL_OF[kind]]]


def _write(doc: ListDocument, members: tuple[ListMember, ...], request: FileRequest,
           settings: Settings, path: Path,
           briefs: Mapping[str, CondensedBrief] | None, steps: Steps) -> WrittenFile:
    kind = request.kind
    # The PDF writers import reportlab (0.05 s), which an Excel, CSV or SMS file never needs.
    if kind == CALL_SHEET:
        from services.outputs import pdf_call_sheet

        pdf_call_sheet.write_call_sheet(doc, path, briefs, steps)
        return WrittenFile(kind, path, len(members),
                           unprintable=pdf_call_sheet.unprintable_members(doc))
    if kind == LABELS:
        from services.outputs import labels

        layout = request.label_layout or settings.label_layout
        sender = labels.Sender.from_settings(settings)
        labels.write_labels(doc, path, layout, sender, steps)
        return WrittenFile(kind, path, len(members),
                           unprintable=labels.unprintable_members(doc, layout, sender))
    if kind == WECHAT_LIST:
        rows, skipped = wechat.render_messages(members, request.message, settings.shop_name)
        excel.write_rows(rows, "wechat", path, request.fmt, steps)
        return WrittenFile(kind, path, len(rows), skipped=tuple(skipped))
    if kind == SMS_FILE:
        send_at = sending_time(request.send_at, settings, doc.purpose, request.sms_text)
        got = sms.write_with_settings(members, request.sms_text, settings, path,
                                      fmt=request.fmt, send_at=send_at, steps=steps,
                                      purpose=doc.purpose)
        return WrittenFile(kind, path, len(got.rows), got.total_parts, got.skipped,
                           send_at=send_at, moved=request.send_at is None
                           and send_at > dt.datetime.now(),
                           notice=not sms.in_marketing_window(doc.purpose, request.sms_text)
                           and not sms.in_window(send_at, settings.sms_window))
    excel.write_list(doc, CHANNEL_OF[kind], path, request.fmt, steps)
    return WrittenFile(kind, path, len(members))
