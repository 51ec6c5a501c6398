"""`list build|show|print|outcomes|unsubscribe`: weekly lists from saved segments and what comes
back from the phones and the SMS vendor. The SMS and WeChat messages are checked before a run
is built, and what their files will hold is printed before they are written."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from services.labels import text
from services.lists import build, building, runs
from services.outputs import file_names, sms, wechat
from services.staff.permissions import EXPORT_PHONES, NotAllowed, allowed, staff_id
from services.store.database import user_error
from services.store.errors import N_, Cancelled, Phrase, RevisitError
from services.store.settings import Settings, load_settings
from services.store.versions import when_text
from services.store.writable import check_folder
from ui.cli import EXIT_CANCELLED, list_readbacks
from ui.cli.auth import WRITE
from ui.cli.language import to_stderr
from ui.cli.parsing import count, day, moment, out_file, record_id, user_path
from ui.cli.progress import TerminalProgress
from ui.cli.terminal import display_width

if TYPE_CHECKING:
    from services.outputs import run_files
    from services.outputs.types import ListDocument

UNFINISHED = "unfinished 未完成"
REPLACED = "replaced by #{run} 已被#{run}取代"
WITHDRAWN = "withdrawn 已撤回"
WECHAT_SHOWN = 3  # messages of a WeChat list printed before it is written


def register(sub: argparse._SubParsersAction) -> None:
    lst = sub.add_parser("list", help="weekly contact lists (名单) from saved segments")
    acts = lst.add_subparsers(dest="list_command", metavar="ACTION", required=True)
    b = acts.add_parser("build", help="make a list run from a segment and write its files")
    b.add_argument("segment", help="a saved segment's name, or a template key such as "
                   "matrix.7+.high (see `segment templates`; saved under that key)")
    b.add_argument("--channel", choices=build.CHANNEL_MODES, default="auto")
    b.add_argument("--staff", action="append", default=[],
                   help="callers, comma-separated or the option given once per caller "
                        "(usernames or names)")
    b.add_argument("--split", choices=build.SPLITS, default="even")
    b.add_argument("--purpose", help="care, callback, sales, … (default: the segment's)")
    b.add_argument("--as-of", type=day, metavar="YYYY-MM-DD")
    _output_args(b)
    b.set_defaults(handler=_build, access=WRITE, prepare=_prepare_files)
    p = acts.add_parser("print", help="write the files of a stored run again, identically")
    p.add_argument("run", type=record_id)
    _output_args(p)
    p.set_defaults(handler=_print, access=WRITE, prepare=_prepare_files)
    s = acts.add_parser("show", help="a run's counts, exclusions and changes since the last run")
    s.add_argument("run", type=record_id, nargs="?",
                   help="run id (default: list recent runs)")
    s.set_defaults(handler=_show)
    o = acts.add_parser("outcomes",
                        help="read a filled-in call list back (.xlsx, .xls, .ods or CSV)")
    o.add_argument("file", type=user_path)
    o.set_defaults(handler=_outcomes, access=WRITE)
    u = acts.add_parser("unsubscribe", help="read an SMS vendor's unsubscribe/failed file")
    u.add_argument("file", type=user_path)
    u.add_argument("--failed", action="store_true", help="the file lists failed deliveries")
    u.set_defaults(handler=_unsubscribe, access=WRITE)
    m = acts.add_parser("sms", help="a run's SMS as they will be sent: the first messages, "
                        "billed parts and cost, before any file is written (writes nothing)")
    m.add_argument("run", type=record_id)
    m.add_argument("--sms-template", "--template", dest="sms_template", required=True,
                   help="SMS text with merge fields such as {称呼} {车型|您的爱车}")
    m.add_argument("--first", type=count, default=5, metavar="N", help="messages shown (5)")
    m.add_argument("--format", choices=("text", "json"), default="text")
    m.set_defaults(handler=_sms)
    w = acts.add_parser("withdraw", help="withdraw a run made by mistake: its calls leave the "
                        "callers' queues (a supervisor or whoever made it)")
    w.add_argument("run", type=record_id)
    w.add_argument("--undo", action="store_true",
                   help="put a withdrawn run back: its calls not yet made return to the queues")
    w.set_defaults(handler=_withdraw, access=WRITE)
    list_readbacks.register(acts)  # list readbacks, list undo-readback N


FORMATS = ("pdf", "xlsx", "csv")


def _output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS,
                   help="pdf, xlsx or csv (default: the --out file's ending, else pdf)")
    p.add_argument(
        "--out",
        type=out_file,
        required=True,
        help="file for the call list, its format's ending added when the name has none "
        "(第49周 → 第49周.pdf); mail, SMS, visit and WeChat lists go beside it with "
        "-mail / -sms / -visit / -wechat in the name",
    )
    p.add_argument(
        "--labels",
        help="label layout for mail (a4-3x8, a4-2x7, a4-3x7, envelope-dl; default: setting)",
    )
    p.add_argument("--sms-template", help="SMS text with merge fields such as {称呼} {车型}")
    p.add_argument(
        "--send-at",
        type=moment,
        metavar="YYYY-MM-DDTHH:MM",
        help="planned SMS sending time (checked against the sending window)",
    )
    p.add_argument("--message", help="the WeChat list's message, with merge fields such as "
                   "{称呼} and {店名} (default: a greeting from the shop)")


def file_format(args) -> str:
    """The format the files are written in: --format, else the ending of --out (calls.xlsx:
    an Excel list), else a PDF. A --format that another format's ending contradicts is
    refused: the file would not be what its name says."""
    ending = Path(args.out).suffix.lower().lstrip(".")
    if args.format is None:
        return ending if ending in FORMATS else "pdf"
    if ending in FORMATS and ending != args.format:
        raise RevisitError(N_("--out {out} ends in .{ending}, but --format asks for {format}; "
                              "nothing was made. Name the file .{format}, or leave --format "
                              "out."), out=str(args.out), ending=ending, format=args.format)
    return args.format


def _prepare_files(args) -> None:
    """The file writers imported, and the Chinese font loaded for a PDF, while the user is
    signed in (0.17 s of a weekly call sheet's 2 s)."""
    from services.outputs import fonts, run_files  # noqa: F401  (imported to have it ready)

    if file_format(args) == "pdf":
        from services.outputs import labels, pdf_call_sheet  # noqa: F401  (reportlab)

        fonts.cjk_font()


def _say_if_masked(args) -> None:
    """Tell a clerk that their files' mobiles are masked."""
    if not allowed(args.actor, EXPORT_PHONES):
        print("phone numbers masked (138****8000, 022-****7682): only a supervisor's files "
              "have full numbers")


def write_files(doc: ListDocument, args, st: Settings, sessions,
                streamed: run_files.StreamedList | None = None) -> list[run_files.WrittenFile]:
    """The run's files as services/outputs/run_files.py plans them, each reported as written
    (and recorded in the audit trail): as `args.actor` may have them, so with masked mobiles
    unless a supervisor runs the command. The file `streamed` while the run was built is put
    in place instead of written again."""
    # The writers (reportlab for the PDFs) only when files are written.
    from services.outputs import run_files
    from services.outputs.types import Steps

    requests = run_files.plan_run_files(
        doc,
        args.out,
        args.format,
        label_layout=args.labels,
        sms_text=args.sms_template or "",
        send_at=args.send_at,
        message=args.message or "",
    )
    # Whatever would refuse one of the files refuses them all before the first is written.
    run_files.check_run_files(doc, requests, st, args.actor)
    if requests and doc.run_id is not None:
        runs.expect_files(sessions, doc.run_id, [Path(r.path) for r in requests])
    written = []
    _say_if_masked(args)
    refused = sum(e.reason == "refused_since" for e in doc.excluded)
    if refused:
        print(f"left out, refused since the run was made: {refused:,}")
    # All the files or none: a run whose third file failed is left unfinished, and its first
    # two must not be there to be called from.
    with run_files.Together() as together:
        for request in requests:
            _print_preview(doc, request, st)
            done = None
            if streamed is not None and request == streamed.request:
                # Planned only for a run of one file: put in place by itself.
                done = streamed.finish(doc.run_id, len(doc.of_channel(streamed.channel)), st,
                                       sessions)
            if done is None:
                bar = TerminalProgress(Path(request.path).name)
                done = run_files.write_run_file(doc, request, st, args.actor,
                                                sessions=sessions, steps=Steps(bar),
                                                together=together)
            written.append(done)
    for done in written:
        _report(done, args.lang)
    return written


def _report(done: run_files.WrittenFile, lang: str | None) -> None:
    from services.outputs import run_files

    if done.warning is not None:
        to_stderr(lang, N_("revisit: warning: {warning}"), warning=done.warning)
    if done.kind == run_files.SMS_FILE:
        print(f"SMS file — numbers: {done.rows:,}, billed parts: {done.sms_parts:,}"
              + _left_out(done.skipped))
        if done.send_at is not None:
            print(f"to be sent at {done.send_at:%Y-%m-%d %H:%M}"
                  + (" (the next opening of the marketing SMS window: it is outside it now)"
                     if done.moved else
                     " (a service notice: the marketing SMS window does not apply)"
                     if done.notice else ""))
    if done.kind == run_files.WECHAT_LIST:
        print(f"WeChat list — messages: {done.rows:,}" + _left_out(done.skipped))
    print(f"wrote {done.path}")


def _streamed_alone(run_id: int, by_channel: Mapping[str, int], args, st: Settings, sessions,
                    streamed: run_files.StreamedList) -> bool:
    """The run's one file put in place as it was streamed, when that is every file the run
    needs (`by_channel`: its members on each channel): the run is then never read back."""
    from services.outputs.types import LIST_CHANNELS

    if _planned(args, [c for c in LIST_CHANNELS if by_channel.get(c)]) != (streamed.request,):
        return False
    _say_if_masked(args)
    runs.expect_files(sessions, run_id, [Path(streamed.request.path)])
    done = streamed.finish(run_id, by_channel.get(streamed.channel, 0), st, sessions)
    if done is None:
        return False
    _report(done, args.lang)
    return True


def _print_preview(doc: ListDocument, request: run_files.FileRequest, st: Settings) -> None:
    """What an SMS file will cost, or what a WeChat list will hold and who it leaves out,
    before it is written."""
    from services.outputs import run_files

    if request.kind == run_files.SMS_FILE:
        from services.outputs import sms_preview

        estimate = sms_preview.estimate_with_settings(doc.of_channel("sms"), request.sms_text,
                                                      st, first=0)
        print("\n".join(sms_preview.as_text(estimate)))
    elif request.kind == run_files.WECHAT_LIST:
        shown = wechat.preview(doc.of_channel("wechat"), request.message, st.shop_name,
                               first=WECHAT_SHOWN)
        print("\n".join(wechat.as_text(shown)))


def _left_out(skipped: Sequence[tuple[str, str]]) -> str:
    return (f", left out: {len(skipped):,} ({sms.skipped_summary(skipped)})" if skipped
            else "")


def _check_texts(args, st: Settings, purpose: str) -> None:
    """Refuse a bad SMS template or sending time (for a list of `purpose`), a bad WeChat
    message, envelopes without the shop's return address, and a plain SMS list planned over an
    SMS vendor file, before anything is built or written: a run stored first would be left
    unfinished by them."""
    from services.outputs import run_files
    from services.outputs.types import LIST_CHANNELS

    run_files.check_choices(st, sms_text=args.sms_template or None, send_at=args.send_at,
                            message=args.message or "",
                            label_layout=getattr(args, "labels", None) or None,
                            purpose=purpose)
    run_files.check_kept(_planned(args, LIST_CHANNELS))


def _count_lines(counts: Mapping[str, int], label: Callable[[str], str]) -> list[str]:
    """"  label  count" lines with the counts in one column, whatever mix of Chinese and
    ASCII the labels are."""
    labels = {k: label(k) for k in counts}
    width = max(map(display_width, labels.values()), default=0)
    return [f"  {labels[k]}{' ' * (width - display_width(labels[k]))} {n:>8,}"
            for k, n in counts.items()]


def _settings(open_db) -> Settings:
    return load_settings(open_db().sessions)


def _check_out(args) -> None:
    """Refuse a missing or read-only output folder, a name ending as a document Revisit does
    not write, a format the file's name contradicts, or an SMS vendor file staff may not
    write, before anything is built or stored; settle the format."""
    file_names.base(args.out)
    args.format = file_format(args)
    if args.sms_template and not allowed(args.actor, EXPORT_PHONES):
        raise NotAllowed(EXPORT_PHONES, args.actor)
    out: Path = args.out
    folder = out.resolve().parent
    if not folder.is_dir():
        raise RevisitError(N_("The folder {folder} does not exist; nothing was made."),
                           folder=str(folder))
    try:
        check_folder(folder)  # a read-only folder: said now, not once the run is built
    except OSError as exc:
        raise RevisitError(N_("Nothing can be written in the folder {folder} ({reason}); "
                              "nothing was made."),
                           folder=str(folder), reason=exc.strerror or str(exc)) from exc


def _build(args, open_db) -> int:
    from services.lists import asked as asking

    _check_out(args)
    db = open_db()
    st = _settings(open_db)
    options = build.RunOptions(
        channel=args.channel,
        staff=tuple(x.strip() for given in args.staff for x in given.split(",") if x.strip()),
        split=args.split,
        purpose=args.purpose,
        as_of=args.as_of,
        created_by=staff_id(args.actor),
    )
    # Refused before the build saves a template as a segment: nothing is kept of a command
    # that makes nothing.
    try:
        asked = asking.check_asked(db.sessions, args.segment, options)
    except asking.NobodyToContact as said:
        print(f"{said} No file was written to {args.out}.")
        return 0
    _check_texts(args, st, asked.purpose)
    streamed = _streamed(args)
    # One list of a segment made at a time, on every PC: built, written and finished before
    # another build of it starts, which is then refused if this one's calls would be replaced.
    making = building.making(db.sessions, args.segment, options.channel, waiting=lambda: print(
        f"another list of '{args.segment}' is being made right now; waiting for it to end",
        flush=True))
    try:
        with making:
            return _build_and_write(args, db, st, options, asked, streamed)
    finally:
        if streamed is not None:
            streamed.discard()


def _build_and_write(args, db, st: Settings, options: build.RunOptions, asked,
                     streamed: run_files.StreamedList | None) -> int:
    from services.lists import asked as asking

    # A streamed file needs only the run's counts; any other file is written from the
    # run as built. A run of nobody is refused before it is stored.
    try:
        summary = build.build_run(db.sessions, args.segment, options,
                                  progress=TerminalProgress("list"),
                                  document=streamed is None,
                                  sink=asking.RefuseEmpty(streamed))
    except asking.NobodyToContact:
        # Nothing to do is said and is not a failure (exit 0), as a run of nobody's
        # files were: a scheduled task's log says no file was written.
        said = asking.nobody_to_contact(db.sessions, args.segment, asked, args.as_of)
        print(f"{said} No file was written to {args.out}.")
        return 0
    print(
        f"list run #{summary.run_id} of '{summary.segment}' ({summary.as_of}, "
        f"{text('purpose', summary.purpose)}): {summary.members:,} to contact"
    )
    for line in _count_lines(summary.by_channel, lambda ch: text("list_channel", ch)):
        print(line)
    if summary.by_channel.get("call"):  # callers are handed calls only
        for name, n in summary.by_caller.items():
            print(f"  caller {name}: {n:,}")
    for reason, n in summary.excluded.items():
        print(f"  excluded, {reason}: {n:,}")
    _write_and_finish(db, summary.run_id, args, st, summary.document, streamed,
                      summary.by_channel)
    return 0


def _streamed(args) -> run_files.StreamedList | None:
    """The file of a run built for one channel, written while the run is built, when that
    file is a list of its members (an Excel or CSV call, mail, SMS or visit list)."""
    if args.channel == "auto":
        return None
    from services.outputs import run_files

    planned = _planned(args, [args.channel])
    if len(planned) != 1 or planned[0].kind not in run_files.MEMBER_LISTS:
        return None
    return run_files.StreamedList(planned[0], args.actor)


def _planned(args, channels: Sequence[str]) -> tuple[run_files.FileRequest, ...]:
    """The files `args` ask for of a run with members on `channels`."""
    from services.outputs import run_files

    return run_files.plan_files(channels, args.out, args.format, label_layout=args.labels,
                                sms_text=args.sms_template or "", send_at=args.send_at,
                                message=args.message or "")


def _write_and_finish(db, run_id: int, args, st: Settings, doc: ListDocument | None = None,
                      streamed: run_files.StreamedList | None = None,
                      by_channel: Mapping[str, int] | None = None) -> None:
    """Write every file of the run (from `doc` when the build kept it, else as stored; the
    one `streamed` while it was built put in place, from the run's counts `by_channel` alone
    when it is the only one), then mark it finished: only then do its calls reach the callers'
    queues. A file that cannot be written leaves the run unfinished, and says how to finish
    it."""
    try:
        if (doc is None and streamed is not None and by_channel is not None
                and _streamed_alone(run_id, by_channel, args, st, db.sessions, streamed)):
            calls, texts = by_channel.get("call", 0), by_channel.get("sms", 0)
        else:
            doc = doc or runs.load_document(db.sessions, run_id)
            if not write_files(doc, args, st, db.sessions, streamed):
                # Said, so a scheduled task's log does not leave last week's file at that name
                # to be taken for this one.
                print(f"nobody in list run #{run_id} is to be contacted, so no file was "
                      f"written to {args.out} (who was left out and why: `revisit list show "
                      f"{run_id}`)")
            calls, texts = len(doc.of_channel("call")), len(doc.of_channel("sms"))
        if texts and not args.sms_template:
            print("note: no --sms-template given, so the SMS list holds the numbers without "
                  "their messages; give the message (merge fields such as {称呼} {车型}) to "
                  "write the vendor's upload file with each member's text, length and parts")
    except (OSError, RevisitError) as exc:
        if isinstance(exc, NotAllowed) or runs.is_finished(db.sessions, run_id):
            raise
        reason = user_error(exc, db.url) or str(exc).rstrip()
        raise RevisitError(
            N_("{reason} List run #{run} is kept unfinished: its calls are in nobody's "
               "queue until `list print {run} --out FILE` writes its files."),
            reason=reason, run=run_id) from exc
    except (Cancelled, KeyboardInterrupt):
        # The run was stored before its files: said, as the step cancelled is only theirs.
        try:
            unfinished = not runs.is_finished(db.sessions, run_id)
        except Exception:  # the cancel is what is reported
            unfinished = True
        if unfinished:
            to_stderr(args.lang, N_("revisit: list run #{run} is kept unfinished: its calls are "
                                    "in nobody's queue until `list print {run} --out FILE` "
                                    "writes its files."), run=run_id)
        raise
    try:
        if runs.finish_run(db.sessions, run_id):
            print(f"list run #{run_id} finished{_queued(db.sessions, run_id) if calls else ''}")
            if older := runs.replaced_unfinished(db.sessions, run_id):
                print(f"it replaces the unfinished {_runs_named(older)} of the same segment, "
                      f"whose files were never completed: their calls stay out of the queues")
    except RevisitError as exc:  # replaced by a later run: the files were still written
        print(f"note: {exc}")


def _runs_named(ids: Sequence[int]) -> str:
    """'run #3' or 'runs #3, #5'."""
    return ("run " if len(ids) == 1 else "runs ") + ", ".join(f"#{i}" for i in ids)


def _queued(sessions, run_id: int) -> str:
    """Where a finished run's calls are: in their callers' queues, or, given to no caller (a
    run built without --staff), in nobody's."""
    assigned, unassigned = runs.calls_with_callers(sessions, run_id)
    if not unassigned:
        return ": its calls are in the callers' queues"
    if not assigned:
        calls = f"{unassigned} calls are" if unassigned != 1 else "1 call is"
        return (f": it was built without callers (--staff), so its {calls} assigned to nobody "
                f"and in no follow-up queue")
    return (f": {assigned} of its calls are in the callers' queues, {unassigned} assigned to "
            f"nobody and in no follow-up queue")


def _print(args, open_db) -> int:
    from services.outputs import run_files

    _check_out(args)
    db = open_db()
    st = _settings(open_db)
    # Written again as the run's files last were: the SMS message and sending time and the
    # WeChat message it kept, unless others are given.
    kept = run_files.run_texts(db.sessions, args.run)
    if not args.sms_template and kept.sms_text and allowed(args.actor, EXPORT_PHONES):
        args.sms_template = kept.sms_text  # (staff write no vendor file)
        args.send_at = args.send_at or kept.send_at
    args.message = args.message or kept.message
    _check_texts(args, st, kept.purpose)
    _finish_if_complete(db.sessions, args.run)
    _write_and_finish(db, args.run, args, st)
    return 0


def _finish_if_complete(sessions, run_id: int) -> bool:
    """Run `run_id` finished, and said so, when every file of it is at its name as written:
    a program killed after putting them in place, before it marked the run."""
    if not runs.finish_if_complete(sessions, run_id):
        return False
    calls = any(runs.calls_with_callers(sessions, run_id))
    print(f"list run #{run_id} finished: its files were complete at their names, "
          f"written before it stopped{_queued(sessions, run_id) if calls else ''}")
    return True


def _withdraw(args, open_db) -> int:
    sessions = open_db().sessions
    if args.undo:
        calls = runs.reinstate_run(sessions, args.run, args.actor)
        print(f"list run #{args.run} put back: its {calls:,} calls not yet made are in the "
              f"callers' queues again")
    else:
        calls = runs.withdraw_run(sessions, args.run, args.actor)
        print(f"list run #{args.run} withdrawn: its {calls:,} calls not yet made left the "
              f"callers' queues (calls already made stay recorded; `list withdraw {args.run} "
              f"--undo` puts it back)")
    return 0


def _sms(args, open_db) -> int:
    import json

    from services.outputs import sms_preview

    estimate = sms_preview.estimate_run(open_db().sessions, args.run, args.sms_template,
                                        first=max(0, args.first))
    if args.format == "json":
        print(json.dumps(estimate.to_data(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(sms_preview.as_text(estimate)))
    return 1 if estimate.too_long else 0  # such a file cannot be written


def _finished_if_it_can(sessions, run_id: int) -> bool:
    """`_finish_if_complete` for a command that only shows: a database that refuses the write
    (read-only file, a reader's server account) shows the run unfinished, as it is stored."""
    from services.store.database import DRIVER_ERRORS

    try:
        return _finish_if_complete(sessions, run_id)
    except (RevisitError, *DRIVER_ERRORS):
        return False


def _show(args, open_db) -> int:
    db = open_db()
    # A run whose files were all put in place by a program killed before it marked the run
    # is finished first, as `list print`, the next build and the window do: shown as it is.
    if args.run is None:
        listed = runs.list_runs(db.sessions)
        unfinished = [row.run_id for row in listed if not row.finished and not row.withdrawn]
        if sum(_finished_if_it_can(db.sessions, run_id) for run_id in unfinished):
            listed = runs.list_runs(db.sessions)
        for row in listed:
            state = WITHDRAWN if row.withdrawn else "" if row.finished else UNFINISHED
            if state and row.replaced_by is not None:
                state += f", {REPLACED.format(run=row.replaced_by)}"
            state = f"  ({state})" if state else ""
            print(f"#{row.run_id:<5} {row.as_of}  {row.members:>7,}  {row.segment}{state}")
        return 0
    _finished_if_it_can(db.sessions, args.run)
    info = runs.run_info(db.sessions, args.run)
    print(
        f"list run #{info.run_id}: '{info.segment}' as of {info.as_of}, purpose "
        f"{text('purpose', info.purpose)}, channel {text('channel_mode', info.channel_mode)}, "
        f"made {info.created_at:%Y-%m-%d %H:%M}"
    )
    newer = info.replaced_by
    if info.withdrawn and newer is not None:
        print(f"  {WITHDRAWN} ({when_text(info.withdrawn_at)}), {REPLACED.format(run=newer)}: "
              f"run #{newer}, built later from the same segment, holds its calls, so it stays "
              f"out of the queues")
    elif info.withdrawn:
        print(f"  {WITHDRAWN} ({when_text(info.withdrawn_at)}): its calls are in nobody's queue; "
              f"`list withdraw {info.run_id} --undo` puts it back")
    elif not info.finished and newer is not None:
        print(f"  {UNFINISHED}, {REPLACED.format(run=newer)}: its files were never completed, "
              f"and run #{newer}, built later from the same segment, holds its calls, so they "
              f"stay out of the queues and nobody is called twice")
    elif not info.finished:
        print(f"  {UNFINISHED}: its files were never completed, so its calls are in nobody's "
              f"queue; `list print {info.run_id} --out FILE` writes them and finishes it")
    for line in _count_lines(info.by_channel, lambda ch: text("channel", ch)):
        print(line)
    for reason, n in info.excluded.items():
        print(f"  excluded, {text('exclusion', reason)}: {n:,}")
    if info.previous_run_id:
        print(
            f"since run #{info.previous_run_id}: {len(info.new)} new, "
            f"{len(info.dropped)} dropped out"
        )
        for who in info.new[:20]:
            print(f"  + {who}")
        for who in info.dropped[:20]:
            print(f"  - {who}")
    return 0


def _outcomes(args, open_db) -> int:
    from services.lists import outcomes  # openpyxl reads the file: only for this command

    try:
        report = outcomes.read_outcomes(open_db().sessions, args.file, actor=args.actor,
                                        progress=TerminalProgress("outcomes"))
    except (Cancelled, KeyboardInterrupt):
        # The rows are stored a chunk at a time: those before the stop are in.
        to_stderr(args.lang, N_("revisit: stopped; the rows read so far are stored. Read the "
                                "file again to store the rest (nothing is stored twice)."))
        return EXIT_CANCELLED
    print(
        f"{report.stored} contacts stored, {report.already} already read before"
        f"{f' ({report.corrected} of them corrected' if report.corrected else ''}"
        f"{f', {report.retyped} to another outcome' if report.retyped else ''}"
        f"{')' if report.corrected else ''}, "
        f"{f'{report.on_screen} already recorded on screen, ' if report.on_screen else ''}"
        f"{report.blank} rows without an outcome, {report.km_readings} km readings, "
        f"{report.profile_changes} profile changes, {report.not_stored} rows not stored"
    )
    for note in report.notes:
        print(f"  note: {note.en}")
    if report.read_back:
        print(f"  read-back #{report.read_back}: if this was the wrong file, `list "
              f"undo-readback {report.read_back}` takes back all it stored")
    # The rows not stored (the count above) first, each said as not stored; then those stored
    # with a cell left out, and those read before and corrected, whose texts say so.
    for p in report.found:
        print(f"  row {p.row}: not stored: {p.en}" if p.row else f"  {p.en}")  # 0: a sheet
    for p in report.stored_without:
        print(f"  row {p.row}: {p.en}")
    for p in report.corrections:
        print(f"  row {p.row}: corrected: {p.en}")
    # Each such row's contact is stored: a warning, as the window's summary says it. Only rows
    # (or sheets) not stored make the command fail.
    for problems, what in (
            (report.left_out, N_("their 画像变化 (profile changes), which could not be read")),
            (report.km_unread, N_("their km, which could not be read")),
            (report.km_clashes, N_("their km, which is less than a reading of the car before "
                                   "it or more than it could have been driven since")),
            (report.km_no_car, N_("their km, whose 车牌 was typed over with a plate that does "
                                  "not tell which of the customer's cars it is")),
            (report.cells_left_out, N_("a date or 回访员 cell that could not be read or could "
                                       "not be right"))):
        if problems:
            to_stderr(args.lang, N_("revisit: warning: {n} row(s) stored without {what} (row "
                                    "{rows}): put those in by hand on the customer's page"),
                      n=len(problems), what=Phrase(what), rows=_rows_of(problems))
    if report.phones_typed:  # stored; the number typed is for staff to check
        to_stderr(args.lang, N_("revisit: warning: {n} row(s) give a phone number other than "
                                "the one printed in 电话 (row {rows}): the customer's number is "
                                "not changed; if they have a new number, change it on the "
                                "customer's page"),
                  n=len(report.phones_typed), rows=_rows_of(report.phones_typed))
    return 1 if report.found else 0


def _rows_of(problems) -> str:
    return ", ".join(str(p.row) for p in problems)


def _unsubscribe(args, open_db) -> int:
    from services.lists import unsubscribe  # openpyxl reads the file: only for this command

    r = unsubscribe.read_unsubscribes(open_db().sessions, args.file, failed=args.failed,
                                      staff_id=staff_id(args.actor))
    print(
        f"{r.numbers} numbers: {r.customers_blocked} customers now blocked for SMS, "
        f"{r.already_blocked} already were, {len(r.unknown_numbers)} numbers unknown"
    )
    for row in r.unreadable_rows:
        print(f"  row {row}: no mainland mobile number found")
    if r.delivered:
        print(f"  {r.delivered} rows say the message was delivered: not blocked")
    kept = "a failure that passes" if args.failed else "a reply that does not ask to unsubscribe"
    for row, said in r.not_blocked:
        print(f"  row {row}: {kept}, not blocked: {said}")
    return 0
