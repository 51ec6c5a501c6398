"""`import customers|visits|surveys|complaints|contacts FILE`, `import batches`, `import undo`,
`import mappings`: DMS exports and spreadsheets in, with a dry run, an error file and undo."""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from pathlib import Path

from models.codes import IMPORT_KINDS
from services.imports import batches, profiles
from services.imports.apply import apply
from services.imports.engine import ImportStopped, LooksLikeOtherKind
from services.imports.plan import DEFAULT_MATCH, MATCH_RULES, OUTCOMES, ImportOptions, plan
from services.imports.report import field_label
from services.imports.results import ImportPlan
from services.imports.sheets import alike_sheets
from services.imports.undo_checks import WorkedSince, said_worked
from services.labels import text
from services.outputs.xlsx_stream import column_letter
from services.staff.permissions import staff_id
from services.store.errors import N_, Phrase, RevisitError
from ui.cli import EXIT_CANCELLED
from ui.cli.auth import READ, WRITE, acting
from ui.cli.language import to_stderr
from ui.cli.parsing import count, record_id, row_number, user_path
from ui.cli.progress import TerminalProgress

OUTCOME_ZH = {"create": "新建", "update": "更新", "unchanged": "无变化", "reject": "不导入"}


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import DMS exports and spreadsheets (导入)")
    acts = imp.add_subparsers(dest="import_command", metavar="ACTION", required=True)
    for kind in IMPORT_KINDS:
        p = acts.add_parser(kind, help=f"import a file of {text('import_kind', kind, 'en')} "
                            f"({text('import_kind', kind)})")
        p.add_argument("file", type=user_path)
        p.add_argument("--sheet", help="the sheet to read (default: the first with data)")
        p.add_argument("--header-row", type=row_number, metavar="N",
                       help="the row holding the column headers (default: found)")
        p.add_argument("--mapping", metavar="NAME", help="use a saved column mapping")
        p.add_argument("--save-mapping", metavar="NAME",
                       help="save the mapping used under NAME for the next file")
        p.add_argument("--match", default=",".join(DEFAULT_MATCH),
                       help="how a row finds a stored customer, in order, comma-separated: "
                       f"{', '.join(MATCH_RULES)} (default: %(default)s)")
        p.add_argument("--dry-run", action="store_true",
                       help="show what would happen; write nothing")
        p.add_argument("--errors", type=user_path, metavar="OUT.xlsx",
                       help="write the rejected rows, and those imported with notes, here "
                            "(default for an import: FILE-导入问题.xlsx beside FILE)")
        p.add_argument("--all-sheets", action="store_true",
                       help="then every other sheet on which the same columns stand, each as "
                            "its own batch (a workbook of one sheet per month)")
        p.set_defaults(handler=_import, kind=kind, access=WRITE, creates=True)
    b = acts.add_parser("batches", help="files imported so far, newest first")
    b.add_argument("--kind", choices=IMPORT_KINDS)
    b.add_argument("--limit", type=count, default=30)
    b.set_defaults(handler=_batches, access=READ)
    u = acts.add_parser("undo", help="undo a whole import batch")
    u.add_argument("batch", type=record_id)
    u.add_argument("--keep-worked", action="store_true",
                   help="keep the customers it created that colleagues have worked on since "
                        "(a call, a list, a profile change), with what it created for them, "
                        "and undo the rest")
    u.set_defaults(handler=_undo, access=WRITE)
    m = acts.add_parser("mappings", help="saved column mappings")
    m.add_argument("--kind", choices=IMPORT_KINDS)
    m.set_defaults(handler=_mappings, access=READ)
    d = acts.add_parser("delete-mapping", help="delete a saved column mapping")
    d.add_argument("kind", choices=IMPORT_KINDS)
    d.add_argument("name")
    d.set_defaults(handler=_delete_mapping, access=WRITE)


def _errors_path(args) -> Path | None:
    if args.errors is not None:
        if args.errors.suffix.lower() != ".xlsx":
            raise RevisitError(N_("The problems file is an Excel workbook: give it a name "
                                  "ending in .xlsx (not {name})."), name=args.errors.name)
        folder = args.errors.expanduser().resolve().parent
        if not folder.is_dir():
            raise RevisitError(N_("The folder {folder} does not exist; nothing was imported."),
                               folder=str(folder))
        return args.errors
    if args.dry_run:
        return None
    return args.file.with_name(f"{args.file.stem}-导入问题.xlsx")


def _import(args, open_db) -> int:
    if args.file.is_dir():
        raise RevisitError(N_("{path} is a folder: name the file to import in it."),
                           path=str(args.file))
    if not args.file.is_file():
        raise RevisitError(N_("There is no file {path}."), path=str(args.file))
    db = open_db()
    mapping = None
    if args.mapping:
        mapping = profiles.load_profile(db.sessions, args.kind, args.mapping).mapping
    match = tuple(m.strip() for m in args.match.split(",") if m.strip())
    options = ImportOptions(args.kind, sheet=args.sheet, header_row=args.header_row,
                            mapping=mapping, match=match,
                            staff_id=staff_id(args.actor))
    run = plan if args.dry_run else apply
    errors = _errors_path(args)
    try:
        result = run(db.sessions, args.file, options, progress=TerminalProgress("import"),
                     errors_path=_of_sheet(errors, args.sheet) if args.all_sheets else errors)
        if args.all_sheets and args.sheet is None and result.errors_file is not None:
            # The sheet the import chose: its problems file named after it as the others are.
            named = _of_sheet(errors, result.sheet)
            if named is not None and named != Path(result.errors_file):
                Path(result.errors_file).replace(named)
                result = dataclasses.replace(result, errors_file=named)
    except ImportStopped as stop:
        to_stderr(args.lang, N_("revisit: {stopped}"), stopped=_stopped(stop))
        return EXIT_CANCELLED
    except LooksLikeOtherKind as other:
        # In double quotes when it has a space: read so by Windows' cmd, PowerShell and sh.
        name = str(args.file)
        name = f'"{name}"' if any(c.isspace() for c in name) else name
        dry = " --dry-run" if args.dry_run else ""
        other.add_note(Phrase(N_("The command: {command}"),
                              command=f"revisit import {other.other_kind} {name}{dry}"))
        raise
    _report(result, others=not args.all_sheets)
    if args.all_sheets:
        if (code := _other_sheets(db, args, options, result, errors)) != 0:
            return code
    if args.save_mapping:
        profiles.save_profile(db.sessions, args.save_mapping, result.mapping,
                              staff_id=staff_id(args.actor))
        also = " (a dry run saves the mapping all the same)" if result.dry_run else ""
        print(f"mapping saved as '{args.save_mapping}' for {args.kind} files{also}")
    return 0


def _other_sheets(db, args, options: ImportOptions, first: ImportPlan,
                  errors: Path | None) -> int:
    """--all-sheets: every other sheet with the first one's columns and rows below them, in
    the workbook's order, with the mapping the first used; each its own batch and problems
    file."""
    run = plan if args.dry_run else apply
    alike = alike_sheets(args.file, first.mapping, first.sheet)
    if empty := [a.name for a in alike if not a.rows]:
        print(f"sheets with these columns and no rows below them, not read: {'; '.join(empty)}")
    alike = [a for a in alike if a.rows]
    if alike:
        print(f"other sheets with these columns: {'; '.join(a.name for a in alike)}")
    elif len(first.sheets) < 2:
        print("the file has one sheet")
    for sheet in alike:
        try:
            result = run(db.sessions, args.file,
                         dataclasses.replace(options, sheet=sheet.name,
                                             header_row=sheet.header_row,
                                             mapping=first.mapping),
                         progress=TerminalProgress("import"),
                         errors_path=_of_sheet(errors, sheet.name))
        except ImportStopped as stop:
            to_stderr(args.lang, N_("revisit: sheet {sheet}: {stopped}"), sheet=sheet.name,
                      stopped=_stopped(stop))
            return EXIT_CANCELLED
        except RevisitError as refused:
            refused.add_note(
                Phrase(N_("(On the sheet {sheet}.)"), sheet=sheet.name) if args.dry_run
                else Phrase(N_("(On the sheet {sheet}; the sheets before it were imported.)"),
                            sheet=sheet.name))
            raise
        _report(result, others=False)
    left = [s for s in first.sheets
            if s != first.sheet and s not in {a.name for a in alike} and s not in empty]
    if left:
        print(f"sheets with other columns, not read: {'; '.join(left)} "
              f"(read one with --sheet NAME)")
    return 0


def _of_sheet(errors: Path | None, sheet: str | None) -> Path | None:
    """A sheet's own problems file beside the one named: FILE-导入问题-1月.xlsx. A sheet name
    may hold what Windows refuses in a file name (< > " |), which becomes _."""
    if errors is None or not sheet:
        return errors
    safe = re.sub(r'[<>:"/\\|?*]', "_", sheet)
    return errors.with_name(f"{errors.stem}-{safe}{errors.suffix}")


def _stopped(stop: ImportStopped) -> Phrase:
    """One line on what an import stopped by Ctrl+C or SIGTERM left, and what to do."""
    if stop.batch_id is None:
        return Phrase(N_("import stopped before any row was stored; nothing was changed."))
    b = stop.batch
    if b is None:
        return Phrase(N_("import stopped; the rows stored so far are batch #{batch} (see "
                         "`import batches`); import the file again to finish it, or take them "
                         "back with `import undo {batch}`."), batch=stop.batch_id)
    if not b.unfinished:
        return Phrase(N_("import stopped as it finished: batch #{batch} holds all {rows} "
                         "rows."), batch=b.id, rows=f"{b.rows_total:,}")
    if stop.file_rows:
        return Phrase(N_("import stopped: {rows} of {of} rows stored as batch #{batch} "
                         "(unfinished); import the file again to finish it, or take them back "
                         "with `import undo {batch}`."),
                      rows=f"{b.rows_total:,}", of=f"{stop.file_rows:,}", batch=b.id)
    return Phrase(N_("import stopped: {rows} rows stored as batch #{batch} (unfinished); "
                     "import the file again to finish it, or take them back with "
                     "`import undo {batch}`."), rows=f"{b.rows_total:,}", batch=b.id)


def _report(r: ImportPlan, others: bool = True) -> None:
    """`others`: say the workbook's sheets not read (not when every alike one is read next)."""
    what = "dry run of" if r.dry_run else f"import batch #{r.batch_id}:"
    print(f"{what} {r.file_name} ({text('import_kind', r.kind)}"
          f"{', sheet ' + r.sheet if r.sheet else ''}): {r.rows_total:,} rows")
    columns = [f"{field_label(r.kind, key)} ← {r.headers[col] if col < len(r.headers) else col}"
               for key, col in r.mapping.columns]
    print(f"  columns: {'; '.join(columns)}")
    # A column with no header is named by its letter: its values are not imported either.
    unused = [h or f"column {column_letter(i)} (no header)" for i, h in enumerate(r.headers)
              if r.mapping.field_of(i) is None]
    if unused:
        print(f"  not imported: {'; '.join(unused)}")
    unread = [s for s in r.sheets if s != r.sheet] if others else []
    if unread:
        print(f"  other sheets, not read: {'; '.join(unread)} (read one with --sheet NAME); "
              f"--all-sheets reads every one with the same columns")
    if r.earlier_batches:
        print(f"  the same file was imported before: batch "
              f"{', '.join('#' + str(b) for b in r.earlier_batches)}")
    if r.completes:
        stopped = ", ".join(f"#{b}" for b in r.completes)
        print(f"  completes the stopped import {stopped} of this file (the rows it stored are "
              f"counted here as unchanged, with the notes made on them then); undoing batch "
              f"#{r.batch_id} undoes {stopped} too")
    for outcome in OUTCOMES:
        print(f"  {outcome:<10} {OUTCOME_ZH[outcome]:<4} {r.count(outcome):>8,}")
    if r.records:
        verb = "would create" if r.dry_run else "created"
        print(f"  {verb}: {', '.join(f'{t} {n:,}' for t, n in r.records.items())}")
    if r.changed_fields:
        verb = "would change" if r.dry_run else "changed"
        print(f"  {verb}: " + ", ".join(
            f"{text('attribute', k)} {n:,}" for k, n in sorted(r.changed_fields.items())))
    if r.renamed and r.dry_run:
        print(f"  note: {r.renamed:,} stored customer(s) would get another name (matched by "
              f"mobile or VIN under a name that sounds the same); another person? use "
              f"--match name_mobile,vin")
    if r.reasons:
        print("rejected because:")
        for reason in r.reasons:
            print(f"  {reason.zh}  {reason.rows:,}")
    if r.warnings:
        print("noted (rows kept):")
        for reason in r.warnings:
            print(f"  {reason.zh}  {reason.rows:,}")
    print("first rows:")
    for outcome in OUTCOMES:
        for sample in r.samples.get(outcome, ()):
            detail = "；".join(sample.reasons) if outcome == "reject" else sample.summary
            print(f"  {outcome:<10} row {sample.number:>6}: {detail}")
    if r.errors_file is not None:
        print(f"rows not imported ({r.rejected:,}) and rows imported with notes ({r.noted:,}) "
              f"written to {r.errors_file}")
    if r.dry_run:
        print("nothing was written (dry run)")
    else:
        print(f"done in {r.seconds:.1f} s; undo with: import undo {r.batch_id}")


def _batches(args, open_db) -> int:
    found = batches.list_batches(open_db().sessions, args.limit, args.kind)
    if not found:
        print("no imports yet")
        return 0
    for b in found:
        if b.interrupted and not b.rows_total:
            state = (f"interrupted {b.undone_at or b.imported_at:%Y-%m-%d %H:%M}: not stored "
                     f"(the import stopped before it stored any row; nobody undid it)")
        elif b.interrupted:
            state = (f"interrupted {b.undone_at or b.imported_at:%Y-%m-%d %H:%M}: not stored "
                     f"(the import stopped and took back the {b.rows_total:,} rows it had "
                     f"written; nobody undid it)")
        elif b.left:
            state = (f"partly undone {b.undone_at:%Y-%m-%d %H:%M}: kept the customers worked on "
                     f"since, {_kept_words(b.left)}")
        elif b.undone_at:
            state = f"undone {b.undone_at:%Y-%m-%d %H:%M}"
        elif b.completed_by is not None:
            state = (f"stopped before its last rows; completed by #{b.completed_by}, whose "
                     f"undo undoes it too")
        elif b.unfinished:
            state = ("unfinished (stopped before its last rows; import the file again to "
                     "finish it, or undo it)")
        else:
            state = ""
        print(f"#{b.id:<5} {b.imported_at:%Y-%m-%d %H:%M}  {text('import_kind', b.kind):<6} "
              f"{b.source}  rows {b.rows_total:,}: new {b.created:,}, updated {b.updated:,}, "
              f"unchanged {b.unchanged:,}, rejected {b.rejected:,}  {state}".rstrip())
    return 0


def _undo(args, open_db) -> int:
    # Ctrl+C (or a kill) before the end leaves the batch whole: the undo is one transaction.
    bar, started, drawn = TerminalProgress("undo"), time.monotonic(), [False]

    def progress(done: int, total: int) -> None:
        # Drawn once the undo takes a while, and its end: a quick undo refused late (records
        # added since to its customers) says so in one line, without a bar before it.
        if drawn[0] or done >= total or time.monotonic() - started >= 1.0:
            drawn[0] = True
            bar(done, total)

    try:
        result = batches.undo_batch(open_db().sessions, args.batch, acting(args, open_db),
                                    progress=progress, keep_worked=args.keep_worked)
    except BaseException as exc:
        if drawn[0] and bar.stream.isatty():
            print(file=bar.stream)  # the refusal or "cancelled" on a line of its own
        if isinstance(exc, WorkedSince):
            exc.add_note(Phrase(N_("To undo the rest and keep them: {command}"),
                                command=f"import undo {args.batch} --keep-worked"))
        raise
    deleted = _rows(result.deleted) or "nothing"
    also = ""
    if result.also:
        also = (f" with the stopped import {', '.join(f'#{b}' for b in result.also)} of the "
                f"same file it completed")
    print(f"import batch #{result.batch_id} {'partly ' if result.partly else ''}undone{also}: "
          f"deleted {deleted}; {result.restored:,} values restored")
    if result.partly:
        print(f"  kept {len(result.kept_customers):,} customers worked on since: "
              f"{said_worked(list(result.kept_customers), 10)}")
        print(f"  left of the import: {_kept_words(result.left)}")
    if result.kept:
        print(f"  {result.kept:,} values changed by hand since the import were left as they are")
    return 0


def _rows(per_table: dict[str, int]) -> str:
    return ", ".join(f"{t} {n:,}" for t, n in per_table.items() if n)


def _kept_words(left: dict[str, int]) -> str:
    """What of an import stays with the customers kept, as a clerk counts it."""
    others = sum(n for t, n in left.items() if t not in ("customer", "vehicle"))
    return (f"{left.get('customer', 0):,} customers, {left.get('vehicle', 0):,} cars and "
            f"{others:,} of their records (km readings, profile values, visits)")


def _mappings(args, open_db) -> int:
    found = profiles.list_profiles(open_db().sessions, args.kind)
    if not found:
        print("no saved mappings")
    for p in found:
        fields = ", ".join(field_label(p.kind, k) for k, _ in p.mapping.columns)
        print(f"{p.kind:<10} {p.name}  ({p.updated_at:%Y-%m-%d}): {fields}")
    return 0


def _delete_mapping(args, open_db) -> int:
    profiles.delete_profile(open_db().sessions, args.kind, args.name)
    print(f"mapping '{args.name}' for {args.kind} files deleted")
    return 0
