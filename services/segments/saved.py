"""Saved segments: save, rename, duplicate, delete, list, get, export and import, each a change
based on the version its editor opened (services/store/versions.py). Plain frozen dataclasses
out, one session per call, no Qt."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import AuditLog, SavedSegment
from services.segments import spec
from services.segments.results import Segment, SegmentInfo
from services.staff.audit import audit, record
from services.staff.permissions import (
    DELETE_SEGMENTS,
    NOT_PASSED,
    Actor,
    NotPassed,
    require,
)
from services.store import versions
from services.store.errors import N_, RevisitError, StaleEdit

Sessions = sessionmaker[Session]
FilterLike = spec.Filter | dict | str


def as_filter(value: FilterLike) -> spec.Filter:
    """A filter given as a parsed tree, its JSON text or its data, validated."""
    if isinstance(value, spec.Filter):
        return value
    if isinstance(value, str):
        return spec.parse_json(value)
    return spec.parse(value)


@dataclass(frozen=True)
class SavedSegmentInfo(SegmentInfo):
    """A saved segment's facts and its version: a save, rename or delete based on what an
    editor opened names this version and is refused (StaleEdit) when someone changed it since."""

    version: int = 1


def _info(row: SavedSegment) -> SavedSegmentInfo:
    return SavedSegmentInfo(row.id, row.name, row.description, row.purpose, row.template,
                            row.schema_version, row.updated_at, row.version)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise RevisitError(N_("A segment name must have 1 to 100 characters."))
    return name


def _row(session: Session, name: str) -> SavedSegment:
    row = session.scalar(select(SavedSegment).where(SavedSegment.name == name))
    if row is None:
        raise RevisitError(N_("There is no segment named '{name}'."), name=name)
    return row


def _taken(session: Session, name: str) -> RevisitError:
    return RevisitError(N_("A segment named '{name}' already exists."), name=name)


def _locked(session: Session, name: str, expected_version: int | None,
            segment_id: int | None = None) -> SavedSegment | None:
    """The segment named `name` (the one with `segment_id` when given), locked for a change
    (services/store/versions.py); None when there is none. When `expected_version` is given,
    StaleEdit if the segment was changed, renamed or deleted since the editor opened it (named
    with who did it when `segment_id` says which segment that was)."""
    where = SavedSegment.id == segment_id if segment_id is not None else SavedSegment.name == name
    found = versions.lock(session, SavedSegment, where)
    row = session.scalar(select(SavedSegment).where(where)
                         .execution_options(populate_existing=True)) if found else None
    if expected_version is None:
        return row
    if row is None:
        if segment_id is None:
            raise StaleEdit(versions.SEGMENT_GONE, name=name)
        deleted = session.execute(
            select(AuditLog.staff_id, AuditLog.at)
            .where(AuditLog.entity == "saved_segment", AuditLog.entity_id == segment_id,
                   AuditLog.action == "delete_segment")
            .order_by(AuditLog.id.desc()).limit(1)).first()
        if deleted is None:
            raise StaleEdit(versions.SEGMENT_GONE, name=name)
        raise versions.stale(versions.SEGMENT_DELETED,
                             versions.staff_name(session, deleted.staff_id), deleted.at,
                             name=name)
    who = versions.staff_name(session, row.updated_by)
    if row.name != name:
        raise versions.stale(versions.SEGMENT_RENAMED, who, row.updated_at, name=name,
                             new_name=row.name)
    if row.version != expected_version:
        raise versions.stale(versions.SEGMENT, who, row.updated_at, name=name)
    return row


def _refuse_clash(sessions: Sessions, name: str, exc: IntegrityError) -> RevisitError:
    """Two saves gave the same name at once (each checked before the other wrote): the first
    stands, the second is told the name is taken, as it would have been a moment later.
    Re-raises `exc` when it was about something else."""
    with sessions() as s:
        if s.scalar(select(SavedSegment.id).where(SavedSegment.name == name)) is None:
            raise exc
        return _taken(s, name)


def list_segments(sessions: Sessions) -> tuple[SavedSegmentInfo, ...]:
    with sessions() as s:
        rows = s.scalars(select(SavedSegment).order_by(SavedSegment.name)).all()
        return tuple(_info(r) for r in rows)


def get_segment(sessions: Sessions, name: str) -> Segment:
    """The segment with its filter; `info` is a SavedSegmentInfo (with the version read along
    with the filter, in the same row)."""
    with sessions() as s:
        row = _row(s, name)
        try:
            flt = spec.parse_json(row.filter_json, where=f"filter of segment '{name}'")
        except RevisitError as exc:
            raise RevisitError(N_("The segment '{name}' cannot be read: {detail}"), name=name,
                               detail=str(exc)) from exc
        return Segment(_info(row), flt)


def save_segment(sessions: Sessions, name: str, flt: FilterLike, *,
                 description: str | None = None, purpose: str | None = None,
                 template: str | None = None, replace: bool = False,
                 staff_id: int | None = None, expected_version: int | None = None,
                 segment_id: int | None = None,
                 audit_as: tuple[str, dict] = ("save_segment", {})) -> SavedSegmentInfo:
    """Create a segment, or with replace=True overwrite the filter of an existing one.
    `expected_version`: the version of the segment `name` the editor opened; the save is refused
    (StaleEdit) when it was changed, renamed or deleted since; `segment_id` (its id, as opened)
    lets the refusal say who renamed or deleted it. Without it a replace overwrites
    what is stored: for an overwrite the user confirmed without opening the segment (an import
    with --replace, "Replace its filter?" in the builder)."""
    name = _clean_name(name)
    text = spec.to_json(as_filter(flt))
    try:
        with sessions.begin() as s:
            row = _locked(s, name, expected_version, segment_id)
            if row is not None and not replace and expected_version is None:
                raise _taken(s, name)
            created = row is None
            if row is None:
                row = SavedSegment(name=name, created_by=staff_id, filter_json=text)
                s.add(row)
            else:
                row.version = row.version + 1
            row.filter_json = text
            row.schema_version = spec.SCHEMA_VERSION
            row.description = description if description is not None else row.description
            row.purpose = purpose if purpose is not None else row.purpose
            row.template = template if template is not None else row.template
            row.updated_by = staff_id
            row.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            s.flush()
            action, extra = audit_as
            audit(s, action, "saved_segment", row.id,
                  {"name": name, "filter": text, "version": row.version, "created": created,
                   **extra}, staff_id)
            return _info(row)
    except IntegrityError as exc:
        raise _refuse_clash(sessions, name, exc) from exc


def rename_segment(sessions: Sessions, name: str, new_name: str, *,
                   expected_version: int | None = None, segment_id: int | None = None,
                   staff_id: int | None = None) -> SavedSegmentInfo:
    """Give a segment another name; `expected_version` and `segment_id` as for
    `save_segment`."""
    new_name = _clean_name(new_name)
    try:
        with sessions.begin() as s:
            row = _locked(s, name, expected_version, segment_id)
            if row is None:
                raise RevisitError(N_("There is no segment named '{name}'."), name=name)
            if new_name != name and s.scalar(
                    select(SavedSegment.id).where(SavedSegment.name == new_name)) is not None:
                raise _taken(s, new_name)
            row.name = new_name
            row.version = row.version + 1
            row.updated_by = staff_id
            row.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            s.flush()
            audit(s, "rename_segment", "saved_segment", row.id,
                  {"name": name, "new_name": new_name, "version": row.version}, staff_id)
            return _info(row)
    except IntegrityError as exc:
        raise _refuse_clash(sessions, new_name, exc) from exc


def duplicate_segment(sessions: Sessions, name: str, new_name: str, *,
                      staff_id: int | None = None) -> SavedSegmentInfo:
    seg = get_segment(sessions, name)
    return save_segment(sessions, new_name, seg.filter, description=seg.info.description,
                        purpose=seg.info.purpose, template=seg.info.template,
                        staff_id=staff_id)


def delete_segment(sessions: Sessions, name: str,
                   actor: Actor | None | NotPassed = NOT_PASSED, *,
                   expected_version: int | None = None, segment_id: int | None = None) -> None:
    """Delete a saved segment (supervisors only; lists made from it keep their copy of its
    filter). NOT_PASSED: a caller from before accounts, unchecked. `expected_version` as for
    `save_segment` (with `segment_id`): a segment changed since it was opened is not deleted
    unseen."""
    with sessions.begin() as s:
        who = None
        if not isinstance(actor, NotPassed):
            # The accounts service loads argon2 (password hashing): read commands never need it.
            from services.staff.accounts import confirm

            who = require(confirm(s, actor), DELETE_SEGMENTS)
        row = _locked(s, name, expected_version, segment_id)
        if row is None:
            raise RevisitError(N_("There is no segment named '{name}'."), name=name)
        record(s, who, "delete_segment", "saved_segment", row.id,
               {"name": row.name, "filter": row.filter_json, "version": row.version})
        s.delete(row)


def export_segment(sessions: Sessions, name: str) -> str:
    """The segment as a JSON document for `import_segment` (name, description, filter)."""
    seg = get_segment(sessions, name)
    doc = {"name": seg.info.name, "description": seg.info.description,
           "purpose": seg.info.purpose, "filter": spec.to_data(seg.filter)}
    return json.dumps(doc, ensure_ascii=False, indent=2)


# More than any segment a person writes: a bigger file is something else given by mistake.
SEGMENT_FILE_MAX_BYTES = 4 * 1024 * 1024
NOT_A_SEGMENT_FILE = N_(
    "{path} is not a segment file: a segment file is the JSON text that “Export segment” (or "
    "`segment export`) writes, and this file holds something else, such as a picture or a "
    "spreadsheet.")


def read_segment_file(path: Path) -> str:
    """The text of a segment file to give import_segment: UTF-8 (with or without its BOM), or
    GB18030 as Notepad saves it on a Chinese Windows; a file of another kind (a PNG or an .xlsx
    chosen by mistake) is refused in one sentence naming it, never with a decoder's words."""
    try:
        if path.stat().st_size > SEGMENT_FILE_MAX_BYTES:
            raise RevisitError(NOT_A_SEGMENT_FILE, path=str(path))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RevisitError(N_("The file {path} does not exist."), path=str(path)) from None
    except OSError as exc:
        raise RevisitError(N_("Cannot read {path}: {detail}"), path=str(path),
                           detail=exc.strerror or str(exc)) from exc
    if b"\0" not in raw:  # text has no NUL byte; pictures, workbooks and archives do
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise RevisitError(NOT_A_SEGMENT_FILE, path=str(path))


def import_segment(sessions: Sessions, text: str, *, name: str | None = None,
                   replace: bool = False, source: str = "file",
                   staff_id: int | None = None) -> SavedSegmentInfo:
    """Read an exported segment (or a bare filter, then `name` is needed). With replace=True
    it overwrites a segment of that name whatever its version: the user asked for the file's
    filter in its place."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RevisitError(N_("{source} is not valid JSON: {detail} (line {line})."),
                           source=source, detail=exc.msg, line=exc.lineno) from exc
    except RecursionError as exc:
        raise spec.too_deep() from exc
    if isinstance(doc, dict) and "filter" in doc:
        flt, name = doc["filter"], name or doc.get("name")
        description, purpose = doc.get("description"), doc.get("purpose")
    elif isinstance(doc, dict):
        # A filter written by hand with its name beside its conditions ({"name": …,
        # "where": …}): the name, description and purpose are the segment's, the rest its filter.
        flt = {k: v for k, v in doc.items() if k not in ("name", "description", "purpose")}
        name = name or doc.get("name")
        description, purpose = doc.get("description"), doc.get("purpose")
    else:
        flt, description, purpose = doc, None, None
    if not name or not isinstance(name, str):
        raise RevisitError(N_("{source} does not say the segment's name; give one."),
                           source=source)
    return save_segment(sessions, name, flt, description=description, purpose=purpose,
                        replace=replace, staff_id=staff_id,
                        audit_as=("import_segment", {"source": source}))


def record_member_export(sessions: Sessions, actor: Actor | None, segment: Segment | str,
                         rows: int, fields: list[str], fmt: str, full_phones: bool) -> None:
    """An export of a segment's members (people's data leaving the program) in the trail: which
    segment (a saved one, or a template's key: nothing saved), how many people, which fields,
    whether mobiles were in full."""
    if isinstance(segment, str):
        segment_id, detail = None, {"name": segment, "template": True}
    else:
        segment_id, detail = segment.info.id, {"name": segment.info.name}
    with sessions.begin() as s:
        record(s, actor, "export_segment_members", "saved_segment", segment_id,
               {**detail, "rows": rows, "fields": fields, "format": fmt,
                "full_phones": full_phones})
