"""One run over a file, shared by the dry run and the import: rows read in chunks, cleaned,
matched against the database in bulk and written with the batch row.

The import commits a chunk at a time, each chunk with the record of what it created and
changed, so colleagues' edits wait at most one chunk (about a second) instead of the whole
file; the batch is marked finished with the last chunk, and every commit writes on it what is
stored so far (services/imports/stored.py). A failure or a cancel withdraws the chunks already
in (the batch's own undo); when the withdrawal fails too (the lock or the full disk that stopped
the import), the batch stays unfinished and the error says so (services/imports/failed.py).
A killed process, or one stopped by a signal (Ctrl+C, SIGTERM: the CLI says what was stored),
leaves an unfinished batch holding them, which the batch list shows with its counts: the next
import of the same file completes it (batches.complete_earlier), or a supervisor undoes it.
The dry run is the same run in one transaction rolled back at the end, so what it reports is
what the import does."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import ImportBatch, StaffUser, db
from models.base import utcnow
from models.codes import IMPORT_KINDS, PROFILE_ATTRIBUTES
from models.columns import ROW_CODE
from services.customers.birthdays import month_day_key
from services.customers.names import addressed, same_person
from services.customers.places import full_division_names
from services.imports import batches, customers, events, failed, reversals
from services.imports.addresses import home_of, split_addresses
from services.imports.clean import (
    AMOUNT_TYPED,
    BLANKS_NOTED,
    KIND_TYPED,
    OUTCOME_TYPED,
    PURPOSE_TYPED,
    TYPE_TYPED,
    clean_row,
)
from services.imports.columns import Columns, read_columns
from services.imports.context import Context
from services.imports.dates import MonthDay, export_day
from services.imports.errors_file import write_errors
from services.imports.fields import KINDS
from services.imports.linking import unknown_owners
from services.imports.lookup import LINK_KEYS
from services.imports.mapping import Mapping, fit_profile, looks_like
from services.imports.normalise import Cell, cell_text
from services.imports.readers import HEADER_SCAN
from services.imports.report import Tally
from services.imports.results import (
    MATCH_RULES,
    NAMED_VALUE,
    ImportOptions,
    ImportPlan,
    Issue,
    RowResult,
)
from services.imports.source import Source, open_source
from services.imports.stored import Stored, add_earlier_notes, records_of
from services.imports.words import NOT_A_VISIT, NOT_CONTACTED, purchase_kind_in
from services.imports.writes import Writer
from services.labels import both
from services.segments.derived import months_before
from services.staff.audit import audit
from services.store.errors import N_, CancelToken, Phrase, Progress, RevisitError, Said
from services.store.settings import load_settings_in
from services.store.staging import file_hash
from services.store.writable import check_writable

log = logging.getLogger(__name__)
CHUNK = 1000
# An import commits after this many seconds of chunks: at 4,000–5,000 rows/s (100,000-row
# benchmark) that is a few chunks, and an edit queued behind it waits about this long.
COMMIT_SECONDS = 2.0
# After each commit on SQLite the import pauses this long so a waiting edit gets the lock.
YIELD_SECONDS = 0.15


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_options(options: ImportOptions) -> None:
    if options.kind not in IMPORT_KINDS:
        raise RevisitError(N_("Unknown kind of import file '{kind}' (one of: {kinds})."),
                           kind=options.kind, kinds=", ".join(IMPORT_KINDS))
    unknown = [m for m in options.match if m not in MATCH_RULES]
    if unknown or not options.match:
        raise RevisitError(N_("Unknown matching rule '{rule}' (use: {rules})."),
                           rule=",".join(unknown), rules=", ".join(MATCH_RULES))
    if options.header_row is not None and options.header_row < 1:
        raise RevisitError(N_("The header row is counted from 1, as the spreadsheet numbers "
                              "its rows (not {row})."), row=options.header_row)


def check_mapping(mapping: Mapping) -> None:
    """Refuse a mapping that could import no row at all, before anything is read."""
    kind = KINDS[mapping.kind]
    if mapping.missing_required:
        raise RevisitError(
            N_("No column of the file is mapped to {fields}, which every row needs."),
            fields="、".join(kind.field(f).zh for f in mapping.missing_required),
        )
    mapped = mapping.as_dict()
    if mapping.missing_link or not any(k in mapped for k in LINK_KEYS):
        raise RevisitError(N_("No column of the file is mapped to the mobile, VIN, plate or "
                              "customer number, so no row could be linked to a customer."))


def _refuse_columns_gone(saved: Mapping, fitted: Mapping, path: Path) -> None:
    """A saved mapping that reads a field every row needs from a column the file does not
    have: refused naming that column, as "no column is mapped" would not say why."""
    gone = [(f, saved.headers[c]) for f, c in saved.columns
            if f in fitted.missing_required and c < len(saved.headers)]
    if gone:
        kind = KINDS[saved.kind]
        raise RevisitError(
            N_("The saved mapping reads {fields} from the column {headers}, which {file} does "
               "not have: import it without the saved mapping, or save one for its columns."),
            fields="、".join(kind.field(f).zh for f, _ in gone),
            headers="、".join(str(h) for _, h in gone), file=path.name)


def _internal(kind: str, values: dict[str, Any], ctx: Context,
              result: RowResult) -> dict[str, Any]:
    """Clean values under the names the database uses."""
    v = dict(values)
    if kind == "customers":
        _birth_from_id(v, result)
        if v.get("gender") is None and isinstance(v.get("name"), str) and (
                title := addressed(v["name"])) is not None:
            v["gender"] = title[1]  # 付女士: her title says it
        _loan_end_from_term(v, result)
        # The car's km now (当前里程) is past a next service km that is the interval (5000).
        _next_service(result, v, "last_service_date", "last_service_km", "km")
        if v.get("last_service_date") is None and (
                v.get("next_service_date") is not None or v.get("next_service_km") is not None):
            # Told at a maintenance the file does not date: nothing to give it to.
            result.issues.append(Issue("next_service_without_last", "next_service_date",
                                       "warning"))
        # A contact who can be the customer (张先生 beside 张三, or the name taken from them)
        # is no one else to ask for.
        if v.get("contact_name") and same_person(v["contact_name"], v.get("name"),
                                                 v.get("gender")):
            v["contact_name"] = None
        v["wechat_id"] = v.pop("wechat", None)
        v["note"] = v.pop("remarks", None)
        others = v.pop("other_phones", None)
        v["phones_other"] = [p for p in (others or "").split(", ") if p]
    elif kind == "visits":
        labor, parts = v.pop("labor_amount", None), v.pop("parts_amount", None)
        if (amount := reversals.visit_amount(v.get("amount"), labor, parts)) is not None:
            v["amount"] = amount
        if v.get("visit_type") == NOT_A_VISIT:
            result.reject("visit_internal", "visit_type")
        _next_service(result, v, "visit_date")  # its km against the car's (events.py)
        typed, type_typed = v.pop(AMOUNT_TYPED, None), v.pop(TYPE_TYPED, None)
        if reversals.says_reversal(v.get("amount"), type_typed):
            # A settlement reversed (冲红) is no visit: it cancels the visit it reverses.
            reversals.as_reversal(v, result)
            type_typed = None
        parts = [f"工单号 {v['work_order']}" if v.get("work_order") else None,
                 f"服务顾问 {v['advisor']}" if v.get("advisor") else None,
                 f"类型原文 {type_typed}" if type_typed else None, v.get("note"),
                 f"金额原文 {typed}" if typed else None]
        v["note"] = "；".join(p for p in parts if p) or None
    elif kind == "purchases":
        order = v.get("order_no")
        item = v.get("item")
        # A refund written as money (类型 退货, 金额 800): said by the kind column alone, since
        # an item or remark may speak of refunds and be a sale (不退货, 7天内可退款).
        kind_typed = v.pop(KIND_TYPED, None)
        if v.get("amount") is not None and v["amount"] > 0 and events.says_refund(kind_typed):
            v["amount"] = -v["amount"]
        if v.get("amount") is not None and v["amount"] < 0:
            item = events.refund_item(item, v.get("remarks"))
        parts = [f"{events.ORDER_SAID}{order}" if order else None, item, v.get("remarks")]
        v["description"] = "；".join(p for p in parts if p) or None
        if v.get("kind") in (None, "other"):  # the row says no kind Revisit knows
            v["kind"] = purchase_kind_in(v.get("item")) or ctx.purchase_kind or "other"
    elif kind == "contacts":
        if v.get("outcome") == NOT_CONTACTED:
            # A callback task not yet done: storing it made an unanswered call of it, which
            # counted towards moving the customer to another channel and kept them off the
            # next list as contacted lately.
            result.reject("contact_not_made", "outcome")
        for read in ("status", "duration", "message"):  # read into the outcome and feedback
            v.pop(read, None)
        if v.get("staff"):
            staff_id = _staff_id(ctx.staff_by_name, v["staff"])
            if staff_id is None:
                result.issues.append(Issue("staff_unknown", "staff", "warning"))
            v["staff_id"] = staff_id
        typed = v.pop(PURPOSE_TYPED, None)
        # The caller's own words (不在家), read as the outcome nearest them, before the
        # feedback (as the list's read-back keeps them), unless the feedback says them.
        words = v.pop(OUTCOME_TYPED, None)
        said = [words if words and words not in (v.get("feedback") or "") else None,
                *v.pop(BLANKS_NOTED, ()), f"联系目的 {typed}" if typed else None]
        if any(said):
            v["feedback"] = "；".join(p for p in (*said, v.get("feedback")) if p)
    return v


def _next_service(result: RowResult, v: dict[str, Any], day: str, *kms: str) -> None:
    """A next service date or km the maintenance cannot have (not after its `day`, not above
    any of the `kms` the row gives) is left out with a note: the car then falls due at its
    model's interval."""
    if (when := v.get("next_service_date")) is not None and v.get(day) is not None \
            and when <= v[day]:
        v["next_service_date"] = None
        result.issues.append(Issue("next_service_not_after_visit", "next_service_date",
                                   "warning"))
    if (told := v.get("next_service_km")) is not None \
            and any(v.get(km) is not None and told <= v[km] for km in kms):
        v["next_service_km"] = None
        result.issues.append(Issue("next_service_km_not_above", "next_service_km", "warning"))


# What a call centre's export writes beside a caller's name: an agent number (陈丽(1023),
# 1023陈丽, 陈丽-1023) and the separators around it.
_AGENT_MARKS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]|\d+|[\s\-_#/·.:：]")


def _staff_id(staff: dict[str, int], typed: str) -> int | None:
    """The staff account a contact's 联系人员 names: by display name or user name, as typed
    or with an agent number beside it."""
    found = staff.get(typed) or staff.get(typed.lower())
    if found is None and (bare := _AGENT_MARKS.sub("", typed)):
        found = staff.get(bare) or staff.get(bare.lower())
    return found


def _birth_from_id(v: dict[str, Any], result: RowResult) -> None:
    """The birthday and gender an ID card number holds, for a row that gives none of its own;
    a row whose own differ keeps them, with a note. The number goes no further."""
    found = v.pop("id_number", None)
    if found is None:
        return
    born, sex = found
    given = v.get("birthday")
    if isinstance(given, MonthDay) and month_day_key(given) == month_day_key(born):
        given = born  # the ID card gives its year
    if given not in (None, born) or v.get("gender") not in (None, sex):
        result.issues.append(Issue("id_number_differs", "id_number", "warning"))
    v["birthday"] = given or born
    v["gender"] = v.get("gender") or sex


def _loan_end_from_term(v: dict[str, Any], result: RowResult) -> None:
    """The loan's end its term gives from the purchase date, for a row that gives no end of its
    own; a term says the car was bought on a loan when the row does not say how. The term goes
    no further."""
    months = v.pop("loan_term", None)
    if months is None:
        return
    if v.get("payment_method") is None:
        v["payment_method"] = "loan"
    if v.get("loan_end") is not None:
        return
    bought = v.get("purchase_date")
    if bought is None:
        result.issues.append(Issue("loan_term_no_purchase_date", "loan_term", "warning"))
        return
    v["loan_end"] = months_before(bought, -months)


@dataclass
class _Job:
    sessions: sessionmaker[Session]
    source: Source
    mapping: Mapping
    options: ImportOptions
    file_name: str
    digest: str
    commit: bool
    progress: Progress | None
    cancel: CancelToken | None
    errors_path: Path | str | None
    columns: Columns


@dataclass
class _Done:
    tally: Tally
    batch_id: int
    writer: Writer
    ctx: Context
    errors_file: Path | None
    completes: tuple[int, ...] = ()


class ImportStopped(KeyboardInterrupt):
    """A stop signal (Ctrl+C, or SIGTERM, which the CLI turns into the same) ended an import.
    As a killed process would, it leaves the chunks committed as an unfinished batch, which
    the next import of the file completes: `batch` as stored (None when it could not be read
    back); `batch_id` None when nothing had been stored (the empty batch is withdrawn).
    `file_rows`: the file's data rows, where the format tells."""

    def __init__(self, batch_id: int | None, batch: batches.BatchInfo | None,
                 file_rows: int | None) -> None:
        super().__init__(batch_id)
        self.batch_id = batch_id
        self.batch = batch
        self.file_rows = file_rows


class LooksLikeOtherKind(RevisitError):
    """An import refused because the file's headers say it is of `other_kind`, not the kind
    chosen."""

    def __init__(self, other_kind: str, template: str, /, **params: object) -> None:
        super().__init__(template, **params)
        self.other_kind = other_kind


def _refuse_other_kind(headers: Sequence[Cell], kind: str, path: Path,
                       first_rows: Sequence[Sequence[Cell]] = ()) -> None:
    """Refuse to map a file by itself as `kind` when its headers plainly say it is another
    kind: a survey file imported as complaints made a complaint of every rating. A mapping
    chosen in the window or saved (--mapping) is taken as meant. A call list Revisit wrote,
    filled in (its columns 编号, 结果 and 联系日期 or 画像变化, its 编号 cells row codes such as
    2-0001, as no DMS export's record numbers are), is sent to the read-back."""
    texts = [cell_text(h).strip() for h in headers]
    codes = [cell_text(r[texts.index("编号")]).strip() for r in first_rows
             if "编号" in texts and texts.index("编号") < len(r)]
    codes = [c for c in codes if c]
    if ({"编号", "结果"} <= set(texts) and set(texts) & {"联系日期", "画像变化"} and codes
            and all(ROW_CODE.fullmatch(c) for c in codes)):
        name = str(path)
        raise RevisitError(
            N_("{file} is a call list Revisit wrote, with what the callers typed into it (its "
               "columns 编号 and 结果): it is read back, not imported. Nothing was imported. "
               "Read it back with: revisit list outcomes {path} (in the window: Lists → Past "
               "runs → Read back a filled-in list)."),
            file=path.name, path=f'"{name}"' if any(c.isspace() for c in name) else name)
    other = looks_like(headers, kind)
    if other is not None:
        raise LooksLikeOtherKind(
            other.kind,
            N_("{file} looks like a {other} file, not {kind}: its columns {columns} are "
               "{other} columns. Nothing was imported. Import it as {other}; if it really is "
               "{kind}, choose its columns in the window's import and save them as a "
               "mapping, then name that mapping with --mapping."),
            file=path.name, other=Said.inside(*both("import_kind", other.kind)),
            kind=Said.inside(*both("import_kind", kind)), columns="、".join(other.headers))


def _refuse_no_rows(source: Source, path: Path) -> None:
    """Refuse a file or sheet with headers and no row below them: imported, it made a batch
    of 0 rows in the history, one that could even be undone."""
    if source.has_rows:
        return
    if source.sheet is None:
        raise RevisitError(N_("The file {file} has no rows below its column headers, so "
                              "nothing was imported."), file=path.name)
    raise RevisitError(N_("The sheet {sheet} of {file} has no rows below its column headers, "
                          "so nothing was imported."), sheet=source.sheet, file=path.name)


def fitting_sheet(path: Path | str, kind: str, header_row: int | None = None,
                  first: Source | None = None) -> str | None:
    """The sheet of a workbook to import as `kind` when none is named, if not the first with
    data (`first`, opened if not given): the first other sheet whose columns can make the
    kind's rows, when the first's cannot (a summary 汇总 before the detail 明细, an empty
    template before the rows). None: the first with data it is."""
    path = Path(path)
    opened = first or open_source(path, None, header_row)
    try:
        sheets = opened.table.layout.sheets
        if len(sheets) < 2 or _fits(opened, kind):
            return None
        for name in sheets:
            if name == opened.sheet:
                continue
            other = open_source(path, name, header_row)
            try:
                if _fits(other, kind):
                    return name
            finally:
                other.close()
        return None
    finally:
        if first is None:
            opened.close()


def _fits(source: Source, kind: str) -> bool:
    """Whether a sheet has rows below its headers and its columns, mapped by themselves, can
    make rows of `kind`."""
    if (not source.headers or not source.has_rows
            or looks_like(source.headers, kind) is not None):
        return False
    try:
        check_mapping(source.auto_mapping(kind))
    except RevisitError:
        return False
    return True


def _check_errors_path(target: Path) -> None:
    """Refuse, before a row is read, a problems file that could not be written at the end: a
    folder where nothing can be made, a folder at its name, or last time's file open in
    Excel (Windows refuses to replace it) or read-only. Found only at the end, it withdrew an
    import of many minutes."""
    try:
        check_writable(target)
    except OSError as exc:
        raise RevisitError(N_("The problems file {path} cannot be written there ({reason}); "
                              "nothing was imported. Close it if another program has it open, "
                              "or have it written in another folder."),
                           path=str(target), reason=exc.strerror or str(exc)) from exc


def run(sessions: sessionmaker[Session], path: Path | str, options: ImportOptions, *,
        commit: bool, progress: Progress | None = None, cancel: CancelToken | None = None,
        errors_path: Path | str | None = None) -> ImportPlan:
    started = time.monotonic()
    check_options(options)
    path = Path(path)
    if errors_path is not None and Path(errors_path).resolve() == path.resolve():
        raise RevisitError(N_("The error file cannot be the file being imported ({path})."),
                           path=str(path))
    if errors_path is not None:
        _check_errors_path(Path(errors_path))
    source = open_source(path, options.sheet, options.header_row)
    try:
        # Else the mapping would be refused for its first required field, which says nothing
        # about an empty file or one whose headers were not found.
        if not source.headers and options.header_row:
            raise RevisitError(N_("Row {row} of {file} holds no column headers (or the file "
                                  "has fewer rows)."), row=options.header_row, file=path.name)
        sheets = source.table.layout.sheets
        if not source.headers and options.sheet is None and len(sheets) > 1:
            raise RevisitError(
                N_("No row of column headers was found on any sheet of {file} ({sheets}), in "
                   "their first {rows} rows: it may be empty, or not this kind of file. If the "
                   "headers are further down, name the sheet (--sheet NAME) and their row "
                   "(--header-row N)."),
                file=path.name, sheets="、".join(sheets), rows=HEADER_SCAN)
        if not source.headers:
            raise RevisitError(
                N_("No row of column headers was found in {file} (in its first {rows} rows): "
                   "it may be empty, or not this kind of file. If the headers are further "
                   "down, name their row (--header-row N)."),
                file=path.name, rows=HEADER_SCAN)
        guessed = options.mapping is None and options.sheet is None and len(sheets) > 1
        if guessed and (name := fitting_sheet(path, options.kind, options.header_row,
                                              source)) is not None:
            source.close()
            source = open_source(path, name, options.header_row)
        _refuse_no_rows(source, path)
        if options.mapping is None:
            _refuse_other_kind(source.headers, options.kind, path, source.first_rows)
        mapping = options.mapping or source.auto_mapping(options.kind)
        if mapping.kind != options.kind:
            raise RevisitError(N_("The mapping is for {kind} files."), kind=mapping.kind)
        if mapping.headers and mapping.headers != source.headers:
            # A saved profile: each field follows its header to wherever it stands now.
            saved, mapping = mapping, fit_profile(mapping, source.headers)
            _refuse_columns_gone(saved, mapping, path)
        try:
            check_mapping(mapping)
        except RevisitError as refused:
            if guessed:
                refused.add_note(Phrase(N_("(Read from the sheet {sheet}; no other sheet of "
                                           "{file} fits either. Name the sheet with --sheet "
                                           "NAME.)"), sheet=source.sheet, file=path.name))
            raise
        columns = read_columns(path, options.sheet, options.header_row, mapping, cancel)
        digest = file_hash(path)
        with sessions() as s:
            # Another sheet of the same workbook (1月 after 12月) is other rows, not again.
            earlier = tuple(s.scalars(select(ImportBatch.id).where(
                ImportBatch.file_hash == digest, ImportBatch.undone_at.is_(None),
                ImportBatch.sheet.is_(None) if source.sheet is None
                else ImportBatch.sheet == source.sheet)))
        done = _write(_Job(sessions, source, mapping, options, path.name, digest, commit,
                           progress, cancel, errors_path, columns))
    finally:
        source.close()
    tally, writer = done.tally, done.writer
    return ImportPlan(
        kind=options.kind, file_name=path.name, file_hash=digest, sheet=source.sheet,
        headers=tuple(str(h or "") for h in source.headers), mapping=mapping,
        rows_total=sum(tally.outcomes.values()), created=tally.outcomes["create"],
        updated=tally.outcomes["update"], unchanged=tally.outcomes["unchanged"],
        rejected=tally.outcomes["reject"], reasons=tally.counted(tally.reasons),
        warnings=tally.counted(tally.warnings), records=dict(writer.counts),
        changed_records=dict(writer.changed_rows), changed_fields=dict(done.ctx.changed_fields),
        samples={k: tuple(v) for k, v in tally.samples.items()}, earlier_batches=earlier,
        batch_id=done.batch_id if commit else None, errors_file=done.errors_file,
        seconds=time.monotonic() - started, noted=tally.noted.count, completes=done.completes,
        sheets=source.table.layout.sheets,
    )


def _rows(job: _Job, ctx: Context, chunk: list[tuple[int, Any]]) -> list[tuple[RowResult, dict]]:
    """The chunk's rows cleaned, each with its decision so far (rejected by its cells or not)."""
    cleaned: list[tuple[RowResult, dict[str, Any]]] = []
    strays = job.source.table.strays
    # Cells beyond the headers: in a spreadsheet a note beside the table; in a delimited text
    # file the sign of a line split wrongly.
    width = len(job.source.headers) if job.source.table.layout.format == "csv" else None
    for number, cells in chunk:
        clean = clean_row(job.mapping, cells, today=ctx.today, number=number,
                          scales=job.columns.scales, orders=job.columns.orders,
                          channel=job.columns.channel)
        result = RowResult(number, tuple(cells))
        if (stray := strays.pop(number, None)) is not None:
            result.issues.append(Issue("stray_quote", None, "warning", stray))
        if width is not None and (beyond := [cell_text(c) for c in cells[width:]
                                             if c is not None]):
            result.issues.append(Issue("cells_beyond_headers", None, "warning",
                                       "，".join(beyond)))
        result.issues += [Issue(p.code, p.field or None, p.severity,
                                p.value or (p.raw if p.code in NAMED_VALUE else None), p.limit)
                          for p in clean.problems]
        if clean.rejected:
            result.outcome = "reject"
        cleaned.append((result, clean.values))
    if job.options.kind == "customers":
        full_division_names([values for _, values in cleaned])
        split_addresses([values for _, values in cleaned], ctx.home)
    return [(result, _internal(job.options.kind, values, ctx, result))
            for result, values in cleaned]


def _write(job: _Job) -> _Done:
    options = job.options
    tally = Tally(options.kind)
    session = job.sessions()
    batch_id: int | None = None
    committed = 0  # the file's rows stored by the last commit
    try:
        # The batch row first: on SQLite this takes the write lock, so the ids handed out
        # below stay ours until the next commit.
        batch = ImportBatch(kind=options.kind, file_name=job.file_name[:255],
                            file_hash=job.digest, sheet=job.source.sheet,
                            mapping_json=job.mapping.to_json(), staff_id=options.staff_id,
                            rows_total=0, rows_created=0, rows_updated=0, rows_unchanged=0,
                            rows_rejected=0)
        session.add(batch)
        session.flush()
        batch_id = batch.id
        if job.commit:
            # From here the batch is visible (unfinished) until its last chunk is in.
            session.commit()
            conn = _next_transaction(session, batch_id)
        else:
            conn = session.connection()
        writer = Writer(conn, batch.id)
        stored = Stored()
        # Rows a stopped import of this file stored: their notes from then (not made again).
        earlier = batches.stopped_notes(session, options.kind, job.digest, job.source.sheet)
        mapped = set(job.mapping.as_dict())
        today = options.today or dt.date.today()
        ctx = Context(conn, writer, today, f"导入 {job.file_name}",
                      options.staff_id, options.match,
                      tuple(a for a in PROFILE_ATTRIBUTES if a in mapped),
                      km_day=export_day(job.source.table.layout.title, today),
                      consent="marketing_consent" in mapped)
        ctx.reversed_orders = job.columns.reversed_orders
        if options.kind == "customers":
            ctx.home = home_of(load_settings_in(session).shop_address)
        if options.kind == "purchases":
            layout = job.source.table.layout
            ctx.purchase_kind = purchase_kind_in(" ".join(
                cell_text(h) for h in (*layout.title, *job.source.headers) if h is not None))
        if options.kind == "contacts":
            for sid, username, display in session.execute(
                    select(StaffUser.id, StaffUser.username, StaffUser.display_name)):
                ctx.staff_by_name.setdefault(display, sid)
                ctx.staff_by_name.setdefault(username.lower(), sid)
        total, done = job.source.total_rows or 0, 0
        sqlite = conn.dialect.name == "sqlite"
        last_commit = time.monotonic()
        renew = False
        for chunk in _chunks(job.source.rows(), CHUNK):
            if job.cancel is not None:
                job.cancel.check()
            pairs = _rows(job, ctx, chunk)
            if renew:
                # The next transaction begins only now, after reading and cleaning the chunk:
                # until then the database is free for colleagues' edits.
                ctx.conn = _next_transaction(session, batch_id)
                writer.committed(ctx.conn)
                renew = False
            if options.kind == "customers":
                customers.process(ctx, pairs)
            else:
                if options.kind == "visits" and (owners := unknown_owners(ctx, pairs)):
                    customers.process(ctx, owners)
                    writer.flush()  # stored before the visits look their cars up
                events.process(ctx, options.kind, pairs)
            writer.flush()
            later = events.waiting(ctx)
            for result, _ in pairs:
                if id(result) not in later:
                    add_earlier_notes(result, earlier)
                    stored.note(result)
                    tally.add(result)
            done += len(chunk)
            if job.commit and time.monotonic() - last_commit >= COMMIT_SECONDS:
                writer.record_created()
                so_far = stored.columns(tally, ctx)
                session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                                .values(so_far))
                session.commit()
                committed = so_far["rows_total"]
                renew = True
                if sqlite:
                    # A waiting writer polls every 100 ms at most (SQLite's busy handler):
                    # without this pause the import would take the lock straight back.
                    time.sleep(YIELD_SECONDS)
                last_commit = time.monotonic()
            if job.progress is not None:
                job.progress(done, max(total, done))
        if job.cancel is not None:
            job.cancel.check()
        if options.kind != "customers":
            if renew and ctx.refunds:
                ctx.conn = _next_transaction(session, batch_id)
                writer.committed(ctx.conn)
                renew = False
            for result in events.finish(ctx, options.kind):
                add_earlier_notes(result, earlier)
                stored.note(result)
                tally.add(result)
            writer.flush()
        if job.progress is not None:
            job.progress(done, done)
        # Listed with their cells as typed (合计 / 共8台 / ¥1,180,798): staff see which row
        # was left out and that it was the totals, not a customer.
        for number, code, cells in job.source.skipped():
            tally.add(RowResult(number, cells, "reject", [Issue(code)]))
        # Said once, for the column, beside what rows were noted for.
        for note in job.columns.notes:
            tally.note_column(note.code, note.field, note.rows, note.value)
        if renew:
            writer.committed(_next_transaction(session, batch_id))
        writer.record_created()
        completes = batches.complete_earlier(session, batch_id, options.kind, job.digest,
                                             job.source.sheet) if job.commit else ()
        _close_batch(session, batch_id, stored.columns(tally, ctx, completes, finished=True),
                     job)
        # Before the last commit: an import whose problem rows cannot be listed is not kept.
        errors_file = None
        if job.errors_path is not None and (tally.rejected.count or tally.noted.count):
            errors_file = write_errors(job.errors_path, job.source.headers, tally.rejected,
                                       tally.noted)
        if job.commit:
            session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                            .values(finished_at=utcnow()))
            session.commit()
        else:
            session.rollback()
    except KeyboardInterrupt as stop:
        with contextlib.suppress(Exception):  # the signal may have cut a statement short
            session.rollback()
        if not job.commit or batch_id is None:
            raise
        raise _stopped(job, batch_id) from stop
    except BaseException as failure:
        session.rollback()
        if job.commit and batch_id is not None and not _withdraw(job, batch_id) \
                and committed:
            # Telling what stopped it ("… busy; nothing was saved") would be untrue now.
            raise failed.rows_kept(failure, batch_id, committed, _url(job)) from failure
        raise
    finally:
        session.close()
        tally.close()
    return _Done(tally, batch_id, writer, ctx, errors_file, completes)


def _next_transaction(session: Session, batch_id: int) -> Connection:
    """The connection of a new transaction that starts with a write (to the batch row, changing
    nothing): on SQLite that takes the one write lock first, so the ids the writer hands out
    after the highest stored stay the import's until its next commit. The import stops here
    when, since its last commit, its batch was undone or a later import of the same file
    completed it: what it stored belongs to that undo or that import now."""
    claimed = session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.finished_at.is_(None),
               ImportBatch.undone_at.is_(None))
        .values(rows_total=ImportBatch.rows_total))
    if not claimed.rowcount:  # type: ignore[attr-defined]
        later = records_of(session.scalar(
            select(ImportBatch.records_json).where(ImportBatch.id == batch_id))).get("completed_by")
        if later is not None:
            raise RevisitError(N_("Import batch #{id} stopped: batch #{later}, a later import "
                                  "of the same file, completed it while it ran."),
                               id=batch_id, later=later)
        raise RevisitError(N_("Import batch #{id} was undone while it ran, so it stopped; "
                              "import the file again if it is wanted."), id=batch_id)
    return session.connection()


def _stopped(job: _Job, batch_id: int) -> ImportStopped:
    """What a stop signal left: the batch as its last commit stored it, withdrawn when that
    holds no row."""
    try:
        batch = batches.get_batch(job.sessions, batch_id)
        if batch.unfinished and batch.rows_total == 0:
            batches.withdraw_unfinished(job.sessions, batch_id, job.options.staff_id)
            return ImportStopped(None, None, job.source.total_rows)
    except Exception:  # the stop is what the user is told; this is logged
        log.warning("import batch #%s: what it stored could not be read back", batch_id,
                    exc_info=True)
        return ImportStopped(batch_id, None, job.source.total_rows)
    return ImportStopped(batch_id, batch, job.source.total_rows)


def _withdraw(job: _Job, batch_id: int) -> bool:
    """Takes back the chunks a failed or cancelled import committed; whether the batch holds
    none of them now. When that is refused (a colleague has since added records to customers
    it created) or fails (the lock or the full disk that stopped the import), the batch stays
    unfinished in the list: the next import of the file completes it, or a supervisor undoes
    it."""
    try:
        batches.withdraw_unfinished(job.sessions, batch_id, job.options.staff_id)
    except RevisitError as exc:
        # Expected: a later import of the same file completed the batch, or it was undone,
        # while it ran; the first failure, which says so, is what the user is told.
        log.info("import batch #%s is not withdrawn: %s", batch_id, exc)
        return _settled(job, batch_id)
    except Exception as exc:  # the first failure is what the user is told; this is logged
        # In the driver's words: SQLAlchemy's add the statement and its values.
        log.info("import batch #%s stays unfinished: its withdrawal failed (%s)", batch_id,
                 failed.said(exc))
        log.debug("the withdrawal's failure", exc_info=True)
        return False
    return True


def _settled(job: _Job, batch_id: int) -> bool:
    """Whether a batch whose withdrawal was refused is no longer unfinished: completed by a
    later import of the same file, or undone, while it ran (what it stored is theirs now)."""
    try:
        return not batches.get_batch(job.sessions, batch_id).unfinished
    except Exception:  # unknown, so the rows are said to be kept: the batch list tells
        log.debug("import batch #%s could not be read back", batch_id, exc_info=True)
        return False


def _url(job: _Job) -> str | None:
    """The database's address as the user gives it (postgresql://, not +psycopg)."""
    return db.given_url(job.sessions.kw.get("bind"))


def _close_batch(session: Session, batch_id: int, columns: dict[str, Any], job: _Job) -> None:
    session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(columns))
    audit(session, "import", "import_batch", batch_id,
          {"file": job.file_name, "kind": job.options.kind, "rows": columns["rows_total"],
           "created": columns["rows_created"], "updated": columns["rows_updated"],
           "unchanged": columns["rows_unchanged"], "rejected": columns["rows_rejected"]},
          job.options.staff_id)
